"""Station processes: start, kill (SIGKILL), restart, read their status."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from prep_sim.worker import Config


class StationProc:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        self.root = Path(cfg.folder)
        for d in ("inbox", "control"):
            (self.root / d).mkdir(parents=True, exist_ok=True)
        self.cfg_path = self.root / "config.json"
        cfg.save(self.cfg_path)
        self.proc: subprocess.Popen | None = None  # type: ignore[type-arg]
        self.starts = 0

    @property
    def id(self) -> str:
        return self.cfg.id

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @property
    def control(self) -> Path:
        return self.root / "control"

    def start(self) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        self.control.mkdir(parents=True, exist_ok=True)
        (self.control / "stop").unlink(missing_ok=True)
        log = open(self.root / "worker.log", "ab")  # noqa: SIM115
        from prep_cli.local_server import _die_with_parent

        self.proc = subprocess.Popen([sys.executable, "-m", "prep_sim.worker", str(self.cfg_path)],
                                     stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
                                     start_new_session=True, preexec_fn=_die_with_parent)
        self.starts += 1

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, as a power cut."""
        if self.alive():
            assert self.proc is not None
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout: float = 30) -> None:
        if not self.alive():
            return
        (self.control / "stop").touch()
        assert self.proc is not None
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()

    def status(self) -> dict[str, Any]:
        try:
            return json.loads((self.control / "status.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
        except (OSError, ValueError):
            return {}

    def deliver(self, name: str, data: bytes) -> None:
        """A sheet lands in the scanner's folder (written aside, then renamed)."""
        tmp = self.inbox / f".{name}"
        tmp.write_bytes(data)
        past = time.time() - 5
        os.utime(tmp, (past, past))
        tmp.rename(self.inbox / name)

    def sin_acta(self, clave: str, cause: int) -> None:
        with open(self.control / "acopio.jsonl", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"clave": clave, "cause": cause}) + "\n")


def metrics(root: Path) -> list[dict[str, Any]]:
    """Every line every station wrote, in time order."""
    out = []
    for path in sorted(root.glob("*/control/metrics.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut by a SIGKILL
    return sorted(out, key=lambda m: m["t"])
