"""Console accounts: created, listed, disabled and given a new password, from the
console's Users page or ``prep-server users``. Each change is an audit entry.

A disabled account's sessions are deleted in the same transaction, so they end
at once; the last active coordinador cannot be disabled (nobody could manage
accounts from the console any more).
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, delete, func, select

from prep_core.passwords import hash_password
from sync_server.db.store import Store
from sync_server.db.tables import sessions, users
from sync_server.services import audit
from sync_server.services.errors import conflict, not_found, unprocessable
from sync_server.services.roles import ROLES

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
MIN_PASSWORD = 10


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD or len(password) > 256:
        raise unprocessable(
            "weak_password",
            f"contraseña de {MIN_PASSWORD} a 256 caracteres",
            f"password of {MIN_PASSWORD} to 256 characters",
        )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise unprocessable(
            "bad_role",
            "rol desconocido (coordinador, supervisor, consulta, auditor)",
            "unknown role (coordinador, supervisor, consulta, auditor)",
        )


def add(store: Store, now: int, username: str, password: str, role: str, actor: str) -> None:
    if not USERNAME.match(username):
        raise unprocessable(
            "bad_username",
            "nombre de usuario inválido (letras, dígitos, . _ -; hasta 32)",
            "invalid username (letters, digits, . _ -; up to 32)",
        )
    _check_role(role)
    check_password_rules(password)
    digest = hash_password(password)
    with store.write() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise conflict("user_exists", "el usuario ya existe", "user exists")
        conn.execute(
            users.insert().values(
                username=username,
                password_hash=digest,
                role=role,
                created_at=now,
                created_by=actor,
                active=True,
            )
        )
        audit.append(conn, now, _actor(actor), "user_created", {"user": username, "role": role})


def _actor(name: str) -> str:
    return name if ":" in name or name == "system" else f"user:{name}"


def list_all(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        rows = conn.execute(select(users).order_by(users.c.username)).all()
    return [
        {
            "username": r.username,
            "role": r.role,
            "active": bool(r.active),
            "created_at": r.created_at,
            "created_by": r.created_by,
            "disabled_at": r.disabled_at,
        }
        for r in rows
    ]


def _row(conn: Connection, username: str) -> Any:
    row = conn.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        raise not_found("unknown_user", "usuario desconocido", "unknown user")
    return row


def disable(store: Store, now: int, username: str, actor: str) -> dict[str, Any]:
    with store.write() as conn:
        row = _row(conn, username)
        if not row.active:
            raise conflict(
                "user_disabled", "el usuario ya está desactivado", "user already disabled"
            )
        if row.role == "coordinador":
            left = conn.scalar(
                select(func.count())
                .select_from(users)
                .where(users.c.role == "coordinador", users.c.active.is_(True))
            )
            if (left or 0) <= 1:
                raise conflict(
                    "last_coordinador",
                    "es el último coordinador activo: cree otro antes",
                    "this is the last active coordinador: create another first",
                )
        conn.execute(
            users.update().where(users.c.username == username).values(active=False, disabled_at=now)
        )
        ended = conn.execute(delete(sessions).where(sessions.c.username == username)).rowcount
        audit.append(
            conn, now, _actor(actor), "user_disabled", {"user": username, "sessions_ended": ended}
        )
    return {"username": username, "active": False, "sessions_ended": ended}


def set_password(store: Store, now: int, username: str, password: str, actor: str) -> None:
    """A new password; the account's open sessions end (whoever held them)."""
    check_password_rules(password)
    digest = hash_password(password)
    with store.write() as conn:
        _row(conn, username)
        conn.execute(
            users.update().where(users.c.username == username).values(password_hash=digest)
        )
        ended = conn.execute(delete(sessions).where(sessions.c.username == username)).rowcount
        audit.append(
            conn, now, _actor(actor), "password_reset", {"user": username, "sessions_ended": ended}
        )
