"""Files brought on USB: enrollment requests and batch files, through the same
checks as the network API (each batch atomic; one file may hold many)."""

from __future__ import annotations

from typing import Any

from sync_server.services import ingest, json_limits, stations
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError

BATCH_FILE = "prep-batch-file/1"


def import_file(ctx: Context, data: bytes, filename: str = "") -> list[dict[str, Any]]:
    """Import one file; a list of results, one per batch or enrollment in it."""
    doc = json_limits.loads(data, ctx.settings.max_json_depth)
    if isinstance(doc, dict) and doc.get("format") == stations.ENROLL_FORMAT:
        info = stations.request_enrollment(ctx, doc, source="usb")
        return [
            {"kind": "enrollment", "ok": True, "station": info["station"], "status": info["status"]}
        ]
    if isinstance(doc, dict) and doc.get("format") == BATCH_FILE:
        items = doc.get("batches")
    elif isinstance(doc, dict) and "events" in doc:
        items = [doc]
    else:
        items = None
    if not isinstance(items, list):
        raise ServiceError(
            422, "unknown_file", "archivo de formato desconocido", "unknown file format"
        )
    results: list[dict[str, Any]] = []
    for i, b in enumerate(items):
        try:
            r = ingest.ingest(ctx, b, source="usb")
            body = r.receipt["receipt"]
            results.append(
                {
                    "kind": "batch",
                    "ok": True,
                    "index": i,
                    "station": body["station"],
                    "new": body["new"],
                    "replay": r.replay,
                    "receipt": r.receipt,
                }
            )
        except ServiceError as err:
            results.append({"kind": "batch", "ok": False, "index": i, **err.to_json()})
    return results
