"""Stopping ``prep-server`` leaves nothing behind and signs the audit head.

The server runs as a real process; a batch large enough to be verified in the
worker pool starts it (``services/chain.py``); SIGTERM must then end every
process the server started, and the audit chain's head signed at shutdown must
be in ``audit_heads``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from prep_core.events import GENESIS, EventLog, Kind
from prep_core.signing import KeyPair, b64
from prep_demo.demo import demo_catalog
from prep_io.files import save_catalog
from sync_server.db.store import Store
from sync_server.db.tables import audit_heads, audit_log, stations
from sync_server.services.audit_heads import head_signature_ok
from tests.server.helpers import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.add(child)
            todo.append(child)
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


def approve_station(url: str, name: str, key: KeyPair) -> None:
    store = Store(url)
    with store.write() as conn:
        conn.execute(
            stations.insert().values(
                id=name,
                public_key=b64(key.public_bytes),
                fingerprint=key.fingerprint,
                role="CATD",
                name=name,
                status="approved",
                requested_at=1,
                last_seq=0,
                last_hash=GENESIS,
            )
        )
    store.dispose()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_sigterm_leaves_no_worker_processes(tmp_path) -> None:
    port, db = free_port(), f"sqlite:///{tmp_path / 's.db'}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path[1:]])}
    env["PREP_ADMIN_PASSWORD"] = "contraseña-de-prueba"
    data = str(tmp_path / "data")
    catalog = demo_catalog()
    save_catalog(catalog, tmp_path / "catalog")
    cmd = [sys.executable, "-m", "sync_server.main", "--port", str(port), "--db", db,
           "--catalog", str(tmp_path / "catalog")]
    proc = subprocess.Popen(
        [*cmd, "--data-dir", data],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_healthy(proc, port)
        key = KeyPair.generate()
        approve_station(db, "CATD01", key)
        log = EventLog("CATD01", key, catalog.fingerprint)
        t = int(time.time() * 1000)
        evs = [
            log.append(Kind.ACOPIO, a.clave_acta, t + i, "op", {})
            for i, a in enumerate(catalog.expected_actas()[:300])
        ]
        r = httpx.post(
            f"http://127.0.0.1:{port}/api/v1/batches",
            json={"station": "CATD01", "events": [se.to_wire() for se in evs]},
            timeout=60,
        )
        assert r.status_code < 500, r.text
        children = descendants(proc.pid)
        assert len(children) >= 2, "the verification pool did not start"  # workers + forkserver
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        deadline = time.monotonic() + 15
        while any(alive(p) for p in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [p for p in children if alive(p)], "worker processes left behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    store = Store(db)
    with store.read() as conn:
        head = conn.execute(select(audit_heads).order_by(audit_heads.c.id.desc())).first()
        last = conn.execute(
            select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc())
        ).first()
    store.dispose()
    assert head is not None and head.reason == "shutdown"
    assert (head.audit_seq, head.audit_hash) == (last.seq, last.hash)
    import json

    assert head_signature_ok({"head": json.loads(head.doc), "sig": head.sig})
