"""`prep audit verify`, `prep-server` as a process, and migrations vs. tables."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from prep_cli.server_commands import main as prep
from sync_server.db.store import Store
from sync_server.db.tables import audit_log, metadata
from tests.server.helpers import enroll_all, free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]


def test_migrations_match_tables(db_url) -> None:
    store = Store(db_url)
    store.migrate()
    store.migrate()  # idempotent
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    store.dispose()


def test_audit_verify_command(live, night, capsys) -> None:
    enroll_all(live.ctx, night.keys)
    assert prep(["audit", "verify", "--db", live.store.url]) == 0
    assert "audit log intact" in capsys.readouterr().out
    with live.store.write() as conn:
        conn.execute(audit_log.delete().where(audit_log.c.seq == 2))
    assert prep(["audit", "verify", "--db", live.store.url]) == 1


def test_prep_server_process_creates_admin(tmp_path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PREP_ADMIN_PASSWORD", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync_server.main",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{tmp_path / 's.db'}",
            "--data-dir",
            str(tmp_path / "data"),
            "--catalog",
            str(ROOT / "resources" / "catalogs" / "bcs-2024"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        r = wait_healthy(proc, port)
        assert r.json()["status"] == "ok"
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json").json()["paths"]["/api/v1/batches"]
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    assert "contraseña / password:" in err
    assert (tmp_path / "data" / "server-key.json").stat().st_mode & 0o077 == 0
