"""Images addressed by their SHA-256: upload (bytes must match the hash) and read."""

from __future__ import annotations

from sqlalchemy import select

from sync_server.db.tables import images
from sync_server.services.batch_parse import _HEX64, check_image
from sync_server.services.context import Context
from sync_server.services.errors import not_found, unprocessable

MEDIA = {
    b"\x89PNG": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"II*\x00": "image/tiff",
    b"MM\x00*": "image/tiff",
    b"%PDF": "application/pdf",
}


def media_type(data: bytes) -> str:
    for magic, mt in MEDIA.items():
        if data.startswith(magic):
            return mt
    return "application/octet-stream"


def _check_sha(sha: str) -> None:
    if not _HEX64.match(sha):
        raise unprocessable("bad_sha256", "SHA-256 hex en minúsculas", "lowercase SHA-256 hex")


def put_image(ctx: Context, sha: str, data: bytes) -> dict[str, object]:
    _check_sha(sha)
    check_image(sha, data)
    with ctx.store.write() as conn:
        exists = conn.execute(select(images.c.sha256).where(images.c.sha256 == sha)).first()
        if exists is None:
            conn.execute(
                images.insert().values(
                    sha256=sha,
                    size=len(data),
                    media_type=media_type(data),
                    data=data,
                    received_at=ctx.now(),
                )
            )
    return {"sha256": sha, "size": len(data), "stored": exists is None}


def get_image(ctx: Context, sha: str) -> tuple[bytes, str]:
    _check_sha(sha)
    with ctx.store.read() as conn:
        row = conn.execute(
            select(images.c.data, images.c.media_type).where(images.c.sha256 == sha)
        ).first()
    if row is None:
        raise not_found("unknown_image", "imagen desconocida", "unknown image")
    return bytes(row.data), row.media_type
