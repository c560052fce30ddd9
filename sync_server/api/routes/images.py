"""Image upload: a signed request (``prep-request/1``) of an approved station,
for an image one of its digitalización events names (docs/SERVER.md, *Images*)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync_server.api.deps import Ctx
from sync_server.api.routes.schemas import ERRORS, ErrorOut
from sync_server.api.signed import signed_by
from sync_server.services import images, signed_requests
from sync_server.services.context import Context

router = APIRouter(prefix="/api/v1/images", tags=["imágenes"])
SHA = Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the exact bytes")


def _any_station(
    ctx: Context, station: str | None, at: str | None, sig: str | None, method: str, target: str
) -> str:
    return signed_requests.authenticate(ctx, station, at, sig, method, target)[0]


Station = Annotated[str, Depends(signed_by(_any_station))]


@router.put(
    "/{sha256}",
    responses={**ERRORS, 401: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def put_image(
    ctx: Ctx,
    request: Request,
    station: Station,
    sha256: str = SHA,
    x_prep_event: Annotated[
        str | None,
        Header(
            max_length=images.MAX_EVENT_HEADER,
            description="base64 of the signed digitalización event naming this image "
            "(its wire JSON), when the server has not accepted it yet",
        ),
    ] = None,
) -> JSONResponse:
    """Upload an acta image; the bytes must hash to the address."""
    data = await request.body()
    info = await run_in_threadpool(images.put_image, ctx, station, sha256, data, x_prep_event)
    return JSONResponse(info, status_code=201 if info["stored"] else 200)
