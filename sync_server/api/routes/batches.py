from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from sync_server.api.deps import Ctx, JsonBody
from sync_server.api.routes.schemas import ERRORS, BatchIn, ReceiptOut, body_doc
from sync_server.services import ingest

router = APIRouter(prefix="/api/v1", tags=["lotes"])


@router.post(
    "/batches",
    response_model=ReceiptOut,
    responses=ERRORS,
    openapi_extra=body_doc(BatchIn),
)
async def post_batch(ctx: Ctx, body: JsonBody) -> JSONResponse:
    """Merge a signed batch, all or nothing; 409 ``chain_gap`` when it skips numbers."""
    result = await run_in_threadpool(ingest.ingest, ctx, body)
    headers = {"X-Prep-Replay": "1"} if result.replay else {}
    return JSONResponse(result.receipt, status_code=result.status, headers=headers)
