"""Enrollment codes in the console's JSON API: a coordinator issues a one-time
code for a new station (shown once) and lists the codes issued, used or expired."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sync_server.api.deps import Ctx
from sync_server.console.auth import Auditor, StationAdmin, check_csrf
from sync_server.console.schemas import Scope, scope_doc
from sync_server.services import enrollment_codes

router = APIRouter(prefix="/console/api", tags=["consola"])


class CodeIn(BaseModel):
    role: Literal["CATD", "CCV", "CASILLA"]
    label: str = Field(
        min_length=1, max_length=200, pattern=r"\S", description="Who the code is for, e.g. CATD 01"
    )
    scope: Scope | None = Field(
        default=None, description='{"distritos": [...]} or {"municipios": [...]}; none: all'
    )


class CodeOut(BaseModel):
    code: str = Field(description="The code, shown this once (only its SHA-256 is kept)")
    expires_at: int
    role: str
    label: str


class CodeItem(BaseModel):
    id: str = Field(description="First characters of the code's SHA-256")
    label: str
    role: str
    scope: dict[str, list[int]] | None
    created_by: str
    created_at: int
    expires_at: int
    used_at: int | None
    used_by: str | None


@router.post("/enrollment-codes", response_model=CodeOut)
async def issue_code(
    ctx: Ctx, s: StationAdmin, body: CodeIn, x_csrf_token: str | None = Header(default=None)
) -> dict[str, Any]:
    check_csrf(s, x_csrf_token)
    return await run_in_threadpool(
        enrollment_codes.issue, ctx, body.role, body.label, scope_doc(body.scope), s.username
    )


@router.get("/enrollment-codes", response_model=list[CodeItem])
def list_codes(ctx: Ctx, s: Auditor) -> list[dict[str, Any]]:
    return enrollment_codes.list_codes(ctx)
