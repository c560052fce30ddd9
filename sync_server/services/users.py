"""Coordinators: scrypt-hashed passwords, sessions and CSRF tokens.

Session tokens and CSRF tokens are random; only the SHA-256 of the session
token is stored, so a copy of the database cannot be used to log in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from prep_core.passwords import check_password, hash_password
from sync_server.db.tables import sessions, users
from sync_server.services import audit
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, conflict, unprocessable

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


def create_user(
    ctx: Context, username: str, password: str, role: str = "coordinator", actor: str = "system"
) -> None:
    if not USERNAME.match(username):
        raise unprocessable("bad_username", "nombre de usuario inválido", "invalid username")
    if len(password) < 10:
        raise unprocessable(
            "weak_password",
            "contraseña de al menos 10 caracteres",
            "password of at least 10 characters",
        )
    now = ctx.now()
    with ctx.store.write() as conn:
        if conn.execute(select(users.c.username).where(users.c.username == username)).first():
            raise conflict("user_exists", "el usuario ya existe", "user exists")
        conn.execute(
            users.insert().values(
                username=username,
                password_hash=hash_password(password),
                role=role,
                created_at=now,
                active=True,
            )
        )
        audit.append(conn, now, actor, "user_created", {"user": username, "role": role})


def has_users(ctx: Context) -> bool:
    with ctx.store.read() as conn:
        return conn.execute(select(users.c.username).limit(1)).first() is not None


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(ctx: Context, username: str, password: str, address: str = "?") -> str | None:
    """A new session token, or None (and an audit entry) when the login fails.

    Raises 429 ``too_many_attempts``, without checking the password, while the
    username or the client address is throttled (see ``services.throttle``)."""
    now = ctx.now()
    actor = f"user:{username[:32]}"
    wait = ctx.logins.retry_after_ms(username, address, now)
    if wait:
        minutes = -(-wait // 60_000)
        with ctx.store.write() as conn:
            audit.append(conn, now, actor, "login_throttled", {"address": address[:64]})
        raise ServiceError(
            429,
            "too_many_attempts",
            f"demasiados intentos fallidos; espere {minutes} min",
            f"too many failed attempts; wait {minutes} min",
            extra={"retry_after_s": -(-wait // 1000)},
        )
    with ctx.store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    ok = row is not None and row.active and check_password(row.password_hash, password)
    token = secrets.token_urlsafe(32)
    with ctx.store.write() as conn:
        if not ok:
            ctx.logins.failed(username, address, now)
            audit.append(conn, now, actor, "login_failed", {"address": address[:64]})
            return None
        ctx.logins.succeeded(username)
        conn.execute(
            sessions.insert().values(
                token_hash=_h(token),
                username=username,
                csrf=secrets.token_urlsafe(24),
                created_at=now,
                expires_at=now + ctx.settings.session_hours * 3_600_000,
            )
        )
        audit.append(conn, now, actor, "login", {"address": address[:64]})
    return token


def get_session(ctx: Context, token: str | None) -> Session | None:
    if not token:
        return None
    with ctx.store.read() as conn:
        row = conn.execute(select(sessions).where(sessions.c.token_hash == _h(token))).first()
    if row is None or row.expires_at < ctx.now():
        return None
    return Session(row.username, row.csrf)


def logout(ctx: Context, token: str, username: str) -> None:
    with ctx.store.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == _h(token)))
        audit.append(conn, ctx.now(), f"user:{username}", "logout", {})
