from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse

from sync_server.api.deps import Ctx
from sync_server.services import metrics

router = APIRouter(tags=["operación"])


@router.get("/health")
def get_health(ctx: Ctx) -> dict[str, object]:
    return metrics.health(ctx)


@router.get("/metrics", response_class=PlainTextResponse)
def get_metrics(ctx: Ctx) -> str:
    return metrics.metrics_text(ctx)
