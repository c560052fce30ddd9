"""Work for capture stations (signed requests, ``prep-request/1``): the actas
awaiting capture or verification and their images. See docs/SERVER.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sync_server.api.deps import Ctx
from sync_server.api.routes.schemas import ERRORS, ErrorOut
from sync_server.api.signed import signed_by
from sync_server.services import work

router = APIRouter(prefix="/api/v1/work", tags=["trabajo"])
AUTH_ERRORS = {**ERRORS, 401: {"model": ErrorOut}}


class WorkItem(BaseModel):
    clave_acta: str
    election: str
    mode: str = Field(description="captura (every field) or verificacion (disputed fields)")
    fields: list[str] = Field(description="The fields to type; never a reading")
    image: str = Field(description="SHA-256 of the image to capture from")
    since: int = Field(description="Start of the current round of capture (ms), -1 if none")
    ticket: str = Field(description="SHA-256 identifying this item")


class WorkOut(BaseModel):
    station: str
    catalog: str
    at: int
    items: list[WorkItem]


Station = Annotated[str, Depends(signed_by(work.authenticate))]


@router.get("", response_model=WorkOut, responses=AUTH_ERRORS)
async def get_work(
    ctx: Ctx, station: Station, limit: int = Query(50, ge=1, le=work.MAX_ITEMS)
) -> dict[str, Any]:
    """Actas this station may capture or verify, oldest image first (blind: no readings)."""
    return await run_in_threadpool(work.work_items, ctx, station, limit)


@router.get(
    "/images/{sha256}",
    responses={
        **AUTH_ERRORS,
        200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}},
    },
    response_class=Response,
)
async def get_work_image(
    ctx: Ctx, station: Station, sha256: str = Path(pattern="^[0-9a-f]{64}$")
) -> Response:
    """The exact bytes of an acta image, addressed by their SHA-256."""
    data, media = await run_in_threadpool(work.work_image, ctx, sha256)
    return Response(data, media_type=media, headers={"Cache-Control": "no-store"})
