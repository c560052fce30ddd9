"""Console accounts from the command line (``prep-server users``) and the client
address behind a trusted proxy."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from starlette.requests import Request

from sync_server.api.client_address import client_address
from sync_server.db.store import Store
from sync_server.db.tables import audit_log
from sync_server.main import main


def test_users_commands(tmp_path, monkeypatch, capsys) -> None:
    db = f"sqlite:///{tmp_path / 'u.db'}"
    monkeypatch.setenv("PREP_USER_PASSWORD", "una-clave-larga")
    assert main(["users", "add", "ana", "--role", "coordinador", "--db", db]) == 0
    assert main(["users", "add", "beto", "--role", "auditor", "--db", db]) == 0
    assert main(["users", "add", "beto", "--role", "auditor", "--db", db]) == 1
    assert main(["users", "disable", "ana", "--db", db]) == 1  # the last coordinador
    assert main(["users", "disable", "beto", "--db", db]) == 0
    monkeypatch.setenv("PREP_USER_PASSWORD", "corta")
    assert main(["users", "password", "ana", "--db", db]) == 1
    monkeypatch.delenv("PREP_USER_PASSWORD")
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["users", "password", "ana", "--db", db]) == 2  # no terminal, no env
    assert main(["users", "list", "--db", db]) == 0
    out, err = capsys.readouterr()
    assert "beto" in out and "desactivada/disabled" in out
    assert "último coordinador activo" in err and "PREP_USER_PASSWORD" in err
    with pytest.raises(SystemExit):
        main(["users", "add", "carla", "--role", "jefa", "--db", db])
    store = Store(db)
    with store.read() as conn:
        actions = [(r.actor, r.action) for r in conn.execute(select(audit_log))]
    store.dispose()
    assert actions == [
        ("system:cli", "user_created"),
        ("system:cli", "user_created"),
        ("system:cli", "user_disabled"),
    ]


def _request(peer: str, headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "client": (peer, 1234), "headers": raw})


@pytest.mark.parametrize(
    ("peer", "headers", "trusted", "expected"),
    [
        ("127.0.0.1", {"X-Forwarded-For": "1.2.3.4"}, (), "127.0.0.1"),
        ("127.0.0.1", {"X-Forwarded-For": "1.2.3.4"}, ("10.0.0.1",), "127.0.0.1"),
        ("10.0.0.1", {"X-Forwarded-For": "1.2.3.4"}, ("10.0.0.1",), "1.2.3.4"),
        # the client writes the left part; the proxy appends the real peer on the right
        ("10.0.0.1", {"X-Forwarded-For": "6.6.6.6, 1.2.3.4"}, ("10.0.0.0/8",), "1.2.3.4"),
        ("10.0.0.1", {"X-Forwarded-For": "1.2.3.4, 10.0.0.7"}, ("10.0.0.0/8",), "1.2.3.4"),
        (
            "10.0.0.1",
            {"Forwarded": 'for="[2001:db8::1]:4711";proto=https'},
            ("10.0.0.1",),
            "2001:db8::1",
        ),
        ("10.0.0.1", {"Forwarded": "for=5.6.7.8:99, for=1.2.3.4"}, ("10.0.0.1",), "1.2.3.4"),
        ("10.0.0.1", {"X-Forwarded-For": "basura"}, ("10.0.0.1",), "10.0.0.1"),
        ("10.0.0.1", {}, ("10.0.0.1",), "10.0.0.1"),
    ],
)
def test_client_address(peer, headers, trusted, expected) -> None:
    assert client_address(_request(peer, headers), trusted) == expected
