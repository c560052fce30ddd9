"""Dependencies the routes receive: the service context, and the request body
read with its limits (size: :mod:`sync_server.api.limits`; nesting depth) and
parsed as JSON with a clear 400 when malformed or too deep."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from sync_server.api.limits import DEPTH_CHECKED
from sync_server.services import json_limits
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
    ctx: Context = request.app.state.ctx
    checked = bool(request.scope.get("state", {}).get(DEPTH_CHECKED))
    return json_limits.loads(raw, ctx.settings.max_json_depth, checked=checked)


JsonBody = Annotated[Any, Depends(json_body)]
