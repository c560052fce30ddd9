"""Console logins and sessions: scrypt-hashed passwords, random session and CSRF tokens.

Only the SHA-256 of a session token is stored, so a copy of the database cannot be
used to log in. A session is valid only while its account is active, and carries
the account's role as the database holds it now (read on every request).

A login does the same work whether the name exists or not: an unknown or disabled
name is checked against a fixed dummy scrypt hash with the same parameters, so the
answer's timing does not tell which names exist.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select

from prep_core.passwords import check_password
from sync_server.db.tables import sessions, users
from sync_server.services import accounts, audit
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError

# scrypt (n=2^14, r=8, p=1) of a random string nobody knows
DUMMY_HASH = (
    "scrypt$16384$8$1$6f65e171d7f48026eb8c16a9a07bde04$"
    "61d4a3b1bb47073d3f8860003632bada5a2fe889d8205f16457733ff64abe38b"
)


def create_user(
    ctx: Context, username: str, password: str, role: str = "coordinador", actor: str = "system"
) -> None:
    accounts.add(ctx.store, ctx.now(), username, password, role, actor)


def has_users(ctx: Context) -> bool:
    with ctx.store.read() as conn:
        return conn.execute(select(users.c.username).limit(1)).first() is not None


@dataclass(frozen=True)
class Session:
    username: str
    csrf: str
    role: str


def _h(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(ctx: Context, username: str, password: str, address: str = "?") -> str | None:
    """A new session token, or None (and an audit entry) when the login fails.

    Raises 429 ``too_many_attempts``, without checking the password, while this
    name from this address, or this address, must wait (``services.throttle``)."""
    now = ctx.now()
    actor = f"user:{username[:32]}"
    wait = ctx.logins.retry_after_ms(username, address, now)
    if wait > 0:
        seconds = -(-wait // 1000)
        with ctx.store.write() as conn:
            audit.append(conn, now, actor, "login_throttled", {"address": address[:64]})
        raise ServiceError(
            429,
            "too_many_attempts",
            f"demasiados intentos fallidos; espere {seconds} s",
            f"too many failed attempts; wait {seconds} s",
            extra={"retry_after_s": seconds},
        )
    with ctx.store.read() as conn:
        row = conn.execute(select(users).where(users.c.username == username)).first()
    usable = row is not None and bool(row.active)
    matches = check_password(row.password_hash if usable else DUMMY_HASH, password)
    ok = usable and matches
    token = secrets.token_urlsafe(32)
    with ctx.store.write() as conn:
        if not ok:
            ctx.logins.failed(username, address, now)
            audit.append(conn, now, actor, "login_failed", {"address": address[:64]})
            return None
        ctx.logins.succeeded(username, address)
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
    """The session and its account's current role; None when expired, unknown or
    the account is disabled."""
    if not token:
        return None
    with ctx.store.read() as conn:
        row = conn.execute(
            select(sessions.c.username, sessions.c.csrf, sessions.c.expires_at, users.c.role)
            .join(users, users.c.username == sessions.c.username)
            .where(sessions.c.token_hash == _h(token), users.c.active.is_(True))
        ).first()
    if row is None or row.expires_at < ctx.now():
        return None
    return Session(row.username, row.csrf, row.role)


def logout(ctx: Context, token: str, username: str) -> None:
    with ctx.store.write() as conn:
        conn.execute(delete(sessions).where(sessions.c.token_hash == _h(token)))
        audit.append(conn, ctx.now(), f"user:{username}", "logout", {})
