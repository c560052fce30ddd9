"""JSON endpoints the console script polls, and its actions. Each route names the
capability it needs (``console.auth``); actions also need the session's CSRF token."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync_server.api.deps import Ctx
from sync_server.console.auth import (
    Auditor,
    Certifier,
    CutMaker,
    Reader,
    Resolver,
    StationAdmin,
    UserAdmin,
    check_csrf,
)
from sync_server.console.schemas import Scope, scope_doc
from sync_server.services import (
    accounts,
    audit,
    certificates,
    cuts,
    dashboard,
    resolutions,
    stations,
)

router = APIRouter(prefix="/console/api", tags=["consola"])
CsrfHeader = Header(default=None, max_length=128)
StationId = Path(max_length=64)
UserName = Path(max_length=64)


@router.get("/summary")
def summary(ctx: Ctx, s: Reader) -> dict[str, Any]:
    return dashboard.summary(ctx)


@router.get("/progress")
def progress(ctx: Ctx, s: Reader) -> dict[str, Any]:
    return dashboard.progress(ctx)


@router.get("/stations")
def station_list(ctx: Ctx, s: Reader) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        return stations.list_stations(conn)


@router.get("/conflicts")
def conflict_list(ctx: Ctx, s: Reader, closed: bool = False) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        return resolutions.list_queue(conn, open_only=not closed)


@router.get("/audit")
def audit_list(
    ctx: Ctx, s: Auditor, before: int | None = Query(default=None, ge=0, le=2**62)
) -> dict[str, Any]:
    with ctx.store.read() as conn:
        check = audit.verify_audit(conn)
        return {
            "ok": check.ok,
            "entries": check.entries,
            "errors": list(check.errors[:20]),
            "recent": audit.recent(conn, 200, before),
        }


class PermissionsIn(BaseModel):
    scope: Scope | None = None
    self_verify: bool = False


@router.post("/stations/{station_id}/permissions")
async def station_permissions(
    ctx: Ctx,
    s: StationAdmin,
    body: PermissionsIn,
    station_id: str = StationId,
    x_csrf_token: str | None = CsrfHeader,
) -> dict[str, Any]:
    """A station's scope (``{"distritos": [...]}``, ``{"municipios": [...]}`` or
    null for every acta) and whether two of its operators may verify an acta."""
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        stations.set_permissions, ctx, station_id, scope_doc(body.scope), body.self_verify, s.username
    )


@router.post("/stations/{station_id}/{action}")
async def decide_station(
    ctx: Ctx,
    s: StationAdmin,
    action: Literal["approve", "revoke"],
    station_id: str = StationId,
    x_csrf_token: str | None = CsrfHeader,
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        stations.decide, ctx, station_id, action == "approve", s.username
    )


class ResolveIn(BaseModel):
    action: Literal["choose", "recapture", "rescan", "dismiss"] = Field(
        description="resolutions.ACTIONS (dismiss: an alarm only)"
    )
    reading: int | None = Field(default=None, ge=0, le=100)
    reason: str = Field(min_length=1, max_length=500, pattern=r"\S")


@router.post("/conflicts/{conflict_id}/resolve")
async def resolve(
    ctx: Ctx,
    s: Resolver,
    body: ResolveIn,
    conflict_id: int = Path(ge=1, le=2**31 - 1),
    x_csrf_token: str | None = CsrfHeader,
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        resolutions.resolve, ctx, conflict_id, body.action, body.reading, body.reason, s.username
    )


@router.get("/cuts")
def cut_list(ctx: Ctx, s: Reader) -> list[dict[str, Any]]:
    return cuts.list_cuts(ctx)


@router.post("/cuts")
async def make_cut(
    ctx: Ctx, s: CutMaker, final: bool = False, x_csrf_token: str | None = CsrfHeader
) -> list[dict[str, Any]]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(cuts.make_cut, ctx, s.username, final=final)


@router.post("/certificates/puesta-en-ceros")
async def issue_zero_certificate(
    ctx: Ctx, s: Certifier, x_csrf_token: str | None = CsrfHeader
) -> dict[str, Any]:
    """Certify the *puesta en ceros* (once, while the database holds no result)."""
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(certificates.zero_certificate, ctx, s.username)


@router.get("/users")
def user_list(ctx: Ctx, s: UserAdmin) -> list[dict[str, Any]]:
    return accounts.list_all(ctx.store)


class NewUserIn(BaseModel):
    username: str = Field(pattern=accounts.USERNAME.pattern, max_length=32)
    role: Literal["coordinador", "supervisor", "consulta", "auditor"]
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=256)


@router.post("/users")
async def create_user(
    ctx: Ctx, s: UserAdmin, body: NewUserIn, x_csrf_token: str | None = CsrfHeader
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    await run_in_threadpool(
        accounts.add, ctx.store, ctx.now(), body.username, body.password, body.role, s.username
    )
    return {"username": body.username, "role": body.role, "active": True}


@router.post("/users/{username}/disable")
async def disable_user(
    ctx: Ctx, s: UserAdmin, username: str = UserName, x_csrf_token: str | None = CsrfHeader
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(accounts.disable, ctx.store, ctx.now(), username, s.username)


class PasswordIn(BaseModel):
    password: str = Field(min_length=accounts.MIN_PASSWORD, max_length=256)


@router.post("/users/{username}/password")
async def reset_password(
    ctx: Ctx,
    s: UserAdmin,
    body: PasswordIn,
    username: str = UserName,
    x_csrf_token: str | None = CsrfHeader,
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    await run_in_threadpool(
        accounts.set_password, ctx.store, ctx.now(), username, body.password, s.username
    )
    return {"username": username, "password_changed": True}
