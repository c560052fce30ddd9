"""The signed-request dependency (``prep-request/1``, docs/SERVER.md): each
endpoint passes the service function that authenticates and authorizes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Header, Request

from sync_server.api.deps import Ctx
from sync_server.services.context import Context
from sync_server.services.signed_requests import unauthorized

Check = Callable[[Context, str | None, str | None, str | None, str, str], str]


def signed_by(check: Check) -> Callable[..., str]:
    """A dependency giving the id of the station that signed the request, as ``check`` decides."""

    def signed_station(
        request: Request,
        ctx: Ctx,
        x_prep_station: Annotated[str | None, Header()] = None,
        x_prep_at: Annotated[str | None, Header()] = None,
        x_prep_signature: Annotated[str | None, Header()] = None,
    ) -> str:
        _not_too_long(x_prep_station, 64)
        _not_too_long(x_prep_at, 20)
        _not_too_long(x_prep_signature, 200)
        query = request.url.query
        target = request.url.path + (f"?{query}" if query else "")
        return check(ctx, x_prep_station, x_prep_at, x_prep_signature, request.method, target)

    return signed_station


def _not_too_long(value: str | None, limit: int) -> None:
    """An over-long credential header is a bad credential: 401, as a wrong one."""
    if value is not None and len(value) > limit:
        raise unauthorized(
            "bad_credentials",
            f"encabezado de firma de más de {limit} caracteres",
            f"signature header over {limit} characters",
        )
