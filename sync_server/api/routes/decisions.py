"""The server's signed decisions for the stations (signed requests,
``prep-request/1``). See docs/SERVER.md, *Decisions for the stations*."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync_server.api.deps import Ctx
from sync_server.api.routes.schemas import ERRORS, ErrorOut, WireEvent
from sync_server.api.signed import signed_by
from sync_server.services import decisions

router = APIRouter(prefix="/api/v1/decisions", tags=["decisiones"])
Station = Annotated[str, Depends(signed_by(decisions.authenticate))]


class DecisionsOut(BaseModel):
    station: str
    server: str = Field(description="The server's station id (its chain)")
    catalog: str
    after: int
    next: int = Field(description="The cursor to ask with next time")
    head: int = Field(description="The server chain's last seq")
    more: bool = Field(description="True while the chain goes on past next")
    items: list[WireEvent] = Field(description="Server events in wire form, oldest first")


@router.get("", response_model=DecisionsOut, responses={**ERRORS, 401: {"model": ErrorOut}})
async def get_decisions(
    ctx: Ctx,
    station: Station,
    after: int = Query(0, ge=0, le=2**62),
    limit: int = Query(decisions.DEFAULT_LIMIT, ge=1, le=decisions.MAX_LIMIT),
) -> dict[str, Any]:
    """The server's signed events (coordinators' resolutions) after the cursor ``after``."""
    return await run_in_threadpool(decisions.page, ctx, station, after, limit)
