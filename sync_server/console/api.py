"""JSON endpoints the console script polls, and its two actions."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync_server.api.deps import Ctx
from sync_server.console.auth import ApiSess, check_csrf
from sync_server.services import audit, cuts, dashboard, resolutions, stations

router = APIRouter(prefix="/console/api", tags=["consola"])


@router.get("/summary")
def summary(ctx: Ctx, s: ApiSess) -> dict[str, Any]:
    return dashboard.summary(ctx)


@router.get("/progress")
def progress(ctx: Ctx, s: ApiSess) -> dict[str, Any]:
    return dashboard.progress(ctx)


@router.get("/stations")
def station_list(ctx: Ctx, s: ApiSess) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        return stations.list_stations(conn)


@router.get("/conflicts")
def conflict_list(ctx: Ctx, s: ApiSess, closed: bool = False) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        return resolutions.list_queue(conn, open_only=not closed)


@router.get("/audit")
def audit_list(
    ctx: Ctx, s: ApiSess, before: int | None = Query(default=None, ge=0, le=2**62)
) -> dict[str, Any]:
    with ctx.store.read() as conn:
        check = audit.verify_audit(conn)
        return {
            "ok": check.ok,
            "entries": check.entries,
            "errors": list(check.errors[:20]),
            "recent": audit.recent(conn, 200, before),
        }


@router.post("/stations/{station_id}/{action}")
async def decide_station(
    ctx: Ctx,
    s: ApiSess,
    station_id: str,
    action: Literal["approve", "revoke"],
    x_csrf_token: str | None = Header(default=None),
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        stations.decide, ctx, station_id[:64], action == "approve", s.username
    )


class ResolveIn(BaseModel):
    action: Literal["choose", "recapture", "rescan"] = Field(description="resolutions.ACTIONS")
    reading: int | None = Field(default=None, ge=0, le=100)
    reason: str = Field(min_length=1, max_length=500, pattern=r"\S")


@router.post("/conflicts/{conflict_id}/resolve")
async def resolve(
    ctx: Ctx,
    s: ApiSess,
    body: ResolveIn,
    conflict_id: int = Path(ge=1, le=2**31 - 1),
    x_csrf_token: str | None = Header(default=None),
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        resolutions.resolve, ctx, conflict_id, body.action, body.reading, body.reason, s.username
    )


@router.get("/cuts")
def cut_list(ctx: Ctx, s: ApiSess) -> list[dict[str, Any]]:
    return cuts.list_cuts(ctx)


@router.post("/cuts")
async def make_cut(
    ctx: Ctx, s: ApiSess, final: bool = False, x_csrf_token: str | None = Header(default=None)
) -> list[dict[str, Any]]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(cuts.make_cut, ctx, s.username, final=final)
