"""Dependencies the routes receive: the service context, and the request body
read with its limit and parsed as JSON with a clear 400 when malformed."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Depends, Request

from sync_server.services.context import Context
from sync_server.services.errors import ServiceError


def get_ctx(request: Request) -> Context:
    ctx: Context = request.app.state.ctx
    return ctx


Ctx = Annotated[Context, Depends(get_ctx)]


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        raise ServiceError(400, "empty_body", "cuerpo vacío", "empty body")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        pos = getattr(exc, "pos", None)
        raise ServiceError(
            400,
            "malformed_json",
            f"JSON mal formado (posición {pos})",
            f"malformed JSON (at {pos})",
        ) from None


JsonBody = Annotated[Any, Depends(json_body)]
