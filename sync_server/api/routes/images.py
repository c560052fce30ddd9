from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync_server.api.deps import Ctx
from sync_server.api.routes.schemas import ERRORS
from sync_server.services import images

router = APIRouter(prefix="/api/v1/images", tags=["imágenes"])
SHA = Path(pattern="^[0-9a-f]{64}$", description="SHA-256 of the exact bytes")


@router.put(
    "/{sha256}",
    responses=ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
            },
        }
    },
)
async def put_image(ctx: Ctx, request: Request, sha256: str = SHA) -> JSONResponse:
    """Upload an acta image; the bytes must hash to the address."""
    data = await request.body()
    info = await run_in_threadpool(images.put_image, ctx, sha256, data)
    return JSONResponse(info, status_code=201 if info["stored"] else 200)
