"""Run a local sync server for the demo and tests, and issue an enrollment code or
approve a station through the console as a coordinator would (HTTP only: the
station never imports the server)."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

ADMIN_USER, ADMIN_PASSWORD = "coordinador", "demo-coordinador-2024"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalServer:
    url: str
    proc: subprocess.Popen  # type: ignore[type-arg]
    db_path: Path
    port: int

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


def _die_with_parent() -> None:
    """Linux: the server gets SIGTERM if the process that started it dies (a test run
    aborted, the demo killed), so no server is left behind."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def start_server(folder: Path, catalog_dir: Path, port: int | None = None,
                 log: Path | None = None, cut_every: int | None = None) -> LocalServer:
    """``python -m sync_server.main`` on 127.0.0.1 with SQLite in ``folder``; with
    ``cut_every``, a cut is taken and published every that many minutes. A port
    chosen here that another process takes before the server binds it is chosen
    again (up to three times)."""
    for attempt in range(3):
        try:
            return _start_server(folder, catalog_dir, port, log, cut_every)
        except PortTaken:
            if port is not None or attempt == 2:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    pass


def _start_server(folder: Path, catalog_dir: Path, port: int | None,
                  log: Path | None, cut_every: int | None) -> LocalServer:
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    db = folder / "server.db"
    env = {**os.environ, "PREP_ADMIN_USER": ADMIN_USER, "PREP_ADMIN_PASSWORD": ADMIN_PASSWORD}
    out = open(log or folder / "server.log", "ab")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "sync_server.main", "--host", "127.0.0.1", "--port", str(port),
         "--db", f"sqlite:///{db}", "--catalog", str(catalog_dir),
         "--data-dir", str(folder / "data"),
         *(["--cut-every", str(cut_every)] if cut_every else [])],
        stdout=out, stderr=subprocess.STDOUT, env=env,
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        cwd=str(Path(__file__).resolve().parents[1]))
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            tail = Path(out.name).read_bytes()[-2000:]
            kind = PortTaken if b"address already in use" in tail else RuntimeError
            raise kind(f"prep-server exited with {proc.returncode}; see {out.name}")
        try:
            if requests.get(url + "/api/v1/server", timeout=1).status_code == 200:
                return LocalServer(url, proc, db, port)
        except requests.RequestException:
            pass
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("prep-server did not start within 60 s")


def console_session(url: str, user: str = ADMIN_USER,
                    password: str = ADMIN_PASSWORD) -> tuple[requests.Session, str]:
    s = requests.Session()
    s.trust_env = False
    page = s.get(url + "/console/login", timeout=10).text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    r = s.post(url + "/console/login", data={"username": user, "password": password,
                                             "csrf": token}, timeout=30)
    m = re.search(r'name="csrf-token" content="([^"]+)"', r.text)
    if m is None:
        raise RuntimeError("console login failed")
    return s, m.group(1)


def approve_station(url: str, station_id: str, *, self_verify: bool = True) -> dict:  # type: ignore[type-arg]
    """Approve the station as a coordinator would; by default also allow two of its
    operators to verify an acta alone (a CATD working without a CCV)."""
    s, csrf = console_session(url)
    r = s.post(f"{url}/console/api/stations/{station_id}/approve",
               headers={"X-CSRF-Token": csrf}, timeout=30)
    r.raise_for_status()
    return allow_alone(url, station_id) if self_verify else r.json()  # type: ignore[no-any-return]


def allow_alone(url: str, station_id: str) -> dict:  # type: ignore[type-arg]
    """Allow two operators of the station to verify an acta alone, as a coordinator would."""
    s, csrf = console_session(url)
    r = s.post(f"{url}/console/api/stations/{station_id}/permissions",
               json={"scope": None, "self_verify": True},
               headers={"X-CSRF-Token": csrf}, timeout=30)
    r.raise_for_status()
    return r.json()  # type: ignore[no-any-return]


def issue_code(url: str, role: str = "CATD", label: str = "",
               scope: dict | None = None) -> str:  # type: ignore[type-arg]
    """A one-time enrollment code, issued in the console's API by the coordinator."""
    s, csrf = console_session(url)
    r = s.post(f"{url}/console/api/enrollment-codes", headers={"X-CSRF-Token": csrf},
               json={"role": role, "label": label or f"{role} (demo)", "scope": scope}, timeout=30)
    r.raise_for_status()
    return str(r.json()["code"])
