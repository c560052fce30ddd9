from __future__ import annotations

from fastapi import APIRouter

from prep_core.signing import b64
from sync_server.api.deps import Ctx

router = APIRouter(prefix="/api/v1", tags=["servidor"])


@router.get("/server")
def get_server(ctx: Ctx) -> dict[str, str]:
    """The server's public key (to verify receipts and resolutions) and its catalog."""
    return {
        "public_key": b64(ctx.key.public_bytes),
        "fingerprint": ctx.key.fingerprint,
        "station": ctx.settings.server_station,
        "catalog": ctx.fingerprint,
        "catalog_name": ctx.catalog.name,
    }
