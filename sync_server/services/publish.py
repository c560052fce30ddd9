"""Publication of a cut to a folder that difusores mirror (docs/DOMAIN.md §6–7).

    publicacion/
      cortes/20240602_2015/DIP_LOC_20240602_2015.zip   one reproducible zip per election
      cortes/20240602_2015/SHA256SUMS                  `sha256sum -c` checks the zips
      imagenes/ab/ab12….jpg                            every published acta image, named
                                                       by the SHA-256 of its exact bytes
      cortes/20240602_2015/auditoria.json              the audit chain's head, signed at the cut
      ultimo.json                                      the latest cut: files, hashes, figures
      auditoria.json                                   the latest signed audit head

Images are written once (content-addressed) and checked against their hash before
they are written; files appear atomically, so a mirror never copies half a file.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from sqlalchemy import select

from prep_core.package import package_name, package_zip
from prep_core.publication import Cut
from prep_core.published import MEXICO_CENTRAL
from prep_io.files import write_atomic
from sync_server.db.tables import images
from sync_server.services.audit_heads import PUBLISHED_NAME
from sync_server.services.context import Context

MAGIC = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG", ".png"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
)


def image_name(sha256: str, data: bytes) -> str:
    ext = next((e for m, e in MAGIC if data.startswith(m)), ".bin")
    return f"{sha256[:2]}/{sha256}{ext}"


def _cut_folder(root: Path, cuts: list[Cut]) -> Path:
    stamp = cuts[0].cut_time.astimezone(MEXICO_CENTRAL).strftime("%Y%m%d_%H%M")
    folder, n = root / "cortes" / stamp, 1
    while folder.exists():  # two cuts in one minute
        n += 1
        folder = root / "cortes" / f"{stamp}-{n}"
    return folder


def _publish_images(ctx: Context, shas: set[str], root: Path) -> int:
    have = {p.name.split(".")[0] for p in (root / "imagenes").glob("*/*") if "." in p.name}
    missing = sorted(shas - have)
    written = 0
    for i in range(0, len(missing), 200):
        with ctx.store.read() as conn:
            rows = conn.execute(
                select(images.c.sha256, images.c.data).where(
                    images.c.sha256.in_(missing[i : i + 200])
                )
            ).all()
        for sha, data in rows:
            data = bytes(data)
            if hashlib.sha256(data).hexdigest() != sha:
                raise RuntimeError(f"stored image {sha} does not match its hash")
            write_atomic(root / "imagenes" / image_name(sha, data), data)
            written += 1
    return written


def publish(
    ctx: Context, cuts: list[Cut], root: Path, head: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Write the cut's zips, the signed audit head, its SHA256SUMS, the new images
    and ``ultimo.json``."""
    folder = _cut_folder(root, cuts)
    files: dict[str, bytes] = {f"{package_name(cut)}.zip": package_zip(cut) for cut in cuts}
    if head is not None:
        files[PUBLISHED_NAME] = _head_file(ctx, head)
    sums: dict[str, str] = {}
    for name, data in files.items():
        write_atomic(folder / name, data)
        sums[name] = hashlib.sha256(data).hexdigest()
    write_atomic(
        folder / "SHA256SUMS",
        "".join(f"{h}  {n}\n" for n, h in sorted(sums.items())).encode(),
    )
    shas = {r.codigo_integridad for cut in cuts for r in cut.rows if r.codigo_integridad}
    new_images = _publish_images(ctx, shas, root)
    manifest = {
        "corte": folder.name,
        "final": any(c.final for c in cuts),
        "archivos": {f"cortes/{folder.name}/{n}": h for n, h in sorted(sums.items())},
        "imagenes": len(shas),
        "imagenes_nuevas": new_images,
        "figuras": {c.election.id: c.figures.as_header() for c in cuts},
    }
    if head is not None:
        manifest["auditoria"] = {
            "archivo": f"cortes/{folder.name}/{PUBLISHED_NAME}",
            "seq": head["head"]["audit_seq"],
            "hash": head["head"]["audit_hash"],
            "servidor": ctx.key.fingerprint,
        }
        write_atomic(root / PUBLISHED_NAME, files[PUBLISHED_NAME])
    write_atomic(
        root / "ultimo.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
    )
    return manifest


def _head_file(ctx: Context, head: dict[str, Any]) -> bytes:
    """``auditoria.json``: the signed head and the server key that signed it."""
    doc = {
        "formato": "prep-auditoria/1",
        "servidor": {"fingerprint": ctx.key.fingerprint, "public_key": head["head"]["public_key"]},
        **head,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
