"""The server's catalog, for a station's first run: the two catalog files and the
fingerprint every event must carry. Public: the catalog of approved casillas is
published before election day."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from prep_core.catalog_format import catalog_files
from prep_core.events import canonical
from sync_server.api.deps import Ctx

router = APIRouter(prefix="/api/v1", tags=["servidor"])
CATALOG_FORMAT = "prep-catalog-files/1"


class CatalogOut(BaseModel):
    format: str = Field(description=CATALOG_FORMAT)
    fingerprint: str = Field(description="SHA-256 of the canonical catalog (docs/CATALOG.md)")
    name: str
    files: dict[str, str] = Field(description="catalog.json and casillas.csv, as text")


@router.get("/catalog", response_model=CatalogOut)
def get_catalog(ctx: Ctx, request: Request) -> Response:
    """The catalog files; a station parses them as it would a catalog folder."""
    body: bytes | None = getattr(request.app.state, "catalog_body", None)
    if body is None:
        body = canonical({"format": CATALOG_FORMAT, "fingerprint": ctx.fingerprint,
                          "name": ctx.catalog.name, "files": catalog_files(ctx.catalog)})
        request.app.state.catalog_body = body
    return Response(body, media_type="application/json")
