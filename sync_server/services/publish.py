"""Publication of a cut to a folder that difusores mirror (docs/DOMAIN.md §6–7,
docs/SERVER.md "Publication").

    publicacion/
      cortes/20240602_2015/                 one folder per cut, complete before it appears:
        DIP_LOC_20240602_2015.zip           reproducible zip per election
        DIP_LOC.csv                         the results CSV (the zip's)
        auditoria.json                      the audit chain's head, signed at the cut
        SHA256SUMS                          `sha256sum -c` checks the files above
        index.html, DIP_LOC/…, actas/…      the public site (sync_server/publication/site.py)
        manifiesto.json                     every file above with its SHA-256, the code
                                            hash, the catalog fingerprint, the signed
                                            audit head; signed (prep_core/manifest.py)
      cortes/actual -> 20240602_2015        the current cut (a link, swapped atomically)
      imagenes/ab/ab12….jpg                 every published acta image, named by its SHA-256
      certificados/                         puesta en ceros and closing certificates
      llave-publica.json                    the publication key and its fingerprint
      index.html                            sends the reader to cortes/actual/
      ultimo.json, auditoria.json           the latest cut; the latest signed audit head

A cut's folder is written under a hidden name, synced, and renamed into place;
then ``cortes/actual`` is switched to it with one rename: a reader sees one whole
cut or the other, never half of each. Images are written first (content
addressed, checked against their hash), so no page names a missing image.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select

from prep_core.manifest import FORMAT, KEY_NAME, NAME, public_key_doc, signed_manifest_bytes
from prep_core.package import package_name, package_zip
from prep_core.publication import Cut
from prep_core.published import MEXICO_CENTRAL, format_cut
from prep_io.codehash import running_code_hash
from prep_io.files import write_atomic as _write_atomic
from sync_server.db.tables import images
from sync_server.publication.site import SiteInput, generate_site
from sync_server.publication.writer import FolderWriter
from sync_server.services.audit_heads import PUBLISHED_NAME
from sync_server.services.context import Context

CURRENT = "actual"
# per publication folder: the last cut written by this process and its stable pages'
# keys (sync_server/publication/site.py); lost on restart, when every page is written
_SITE_KEYS: dict[Path, tuple[str, dict[str, tuple[str, str]]]] = {}
SITE_WORKERS_FROM = 5_000  # rows in a cut from which its site is rendered by workers
CERTS = "certificados"
ZERO_CERT = "puesta-en-ceros.json"
MAGIC = (
    (b"\xff\xd8\xff", ".jpg"),
    (b"\x89PNG", ".png"),
    (b"II*\x00", ".tif"),
    (b"MM\x00*", ".tif"),
)
REDIRECT = (
    '<!doctype html><html lang="es-MX"><head><meta charset="utf-8">'
    '<meta http-equiv="refresh" content="0; url=cortes/actual/index.html">'
    "<title>PREP · Resultados preliminares</title></head><body>"
    '<p><a href="cortes/actual/index.html">Resultados preliminares: corte actual</a></p>'
    "</body></html>\n"
)


def write_public(path: Path, data: bytes) -> None:
    """Atomically, readable by the web server that serves the folder (0644)."""
    _write_atomic(path, data, mode=0o644)


def image_name(sha256: str, data: bytes) -> str:
    ext = next((e for m, e in MAGIC if data.startswith(m)), ".bin")
    return f"{sha256[:2]}/{sha256}{ext}"


def _cut_name(root: Path, cuts: Sequence[Cut]) -> str:
    stamp = cuts[0].cut_time.astimezone(MEXICO_CENTRAL).strftime("%Y%m%d_%H%M")
    name, n = stamp, 1
    while (root / "cortes" / name).exists():  # two cuts in one minute
        n += 1
        name = f"{stamp}-{n}"
    return name


def _published_images(root: Path) -> dict[str, str]:
    return {
        p.name.split(".")[0]: f"{p.parent.name}/{p.name}"
        for p in (root / "imagenes").glob("*/*")
        if "." in p.name and not p.name.startswith(".")
    }


def _publish_images(ctx: Context, shas: set[str], root: Path) -> tuple[dict[str, str], int]:
    """Write the images not published yet; return every image's path and how many
    were new."""
    have = _published_images(root)
    missing = sorted(shas - set(have))
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
            name = image_name(sha, data)
            write_public(root / "imagenes" / name, data)
            have[sha] = name
    return have, len(missing)


@contextmanager
def _partial(work: Path) -> Iterator[FolderWriter]:
    """The cut's folder under construction; removed when the cut fails (a full disk
    on a long night): the previous cut stays current and nothing half-written stays."""
    shutil.rmtree(work, ignore_errors=True)
    try:
        yield FolderWriter(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def _switch(root: Path, name: str) -> None:
    """Point ``cortes/actual`` at ``name`` with one rename."""
    link, tmp = root / "cortes" / CURRENT, root / "cortes" / f".{CURRENT}.nuevo"
    tmp.unlink(missing_ok=True)
    os.symlink(name, tmp)
    os.replace(tmp, link)


_PUBLISHING = threading.Lock()


def publish(ctx: Context, cuts: Sequence[Cut], root: Path, *args: Any, **kw: Any) -> dict[str, Any]:
    """Write the cut's folder (files, site, signed manifest), switch ``actual`` to
    it, and update ``ultimo.json``. One cut at a time: two taken at once (the
    schedule and a coordinator, two clicks) would otherwise pick the same name
    and write into one work folder."""
    with _PUBLISHING:
        return _publish(ctx, cuts, root, *args, **kw)


def _publish(
    ctx: Context,
    cuts: Sequence[Cut],
    root: Path,
    head: dict[str, Any] | None = None,
    *,
    histories: Mapping[str, Mapping[str, Any]] | None = None,
    progress: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, bytes] | None = None,
    ingest_seq: int | None = None,
) -> dict[str, Any]:
    """:func:`publish`, under its lock. ``extra``: more files for the cut's folder
    (the closing certificate)."""
    name = _cut_name(root, cuts)
    final_dir = root / "cortes" / name
    work = root / "cortes" / f".{name}.parcial"
    with _partial(work) as out:
        downloads: dict[str, dict[str, str]] = {}
        for cut in cuts:
            zip_name, csv_name = f"{package_name(cut)}.zip", f"{cut.election.id}.csv"
            out.put(zip_name, package_zip(cut))
            out.put(csv_name, cut.csv_bytes, cut.csv_sha256)
            downloads[cut.election.id] = {"zip": zip_name, "csv": csv_name}
        if head is not None:
            out.put(PUBLISHED_NAME, _head_file(ctx, head))
        for fname, data in (extra or {}).items():
            out.put(fname, data)
        data_files = dict(out.hashes)
        out.put("SHA256SUMS", "".join(f"{h}  {n}\n" for n, h in sorted(data_files.items())).encode())
        shas = {r.image_sha256 for cut in cuts for r in cut.rows if r.image_sha256}
        published, new_images = _publish_images(ctx, shas, root)
        cut_images = {s: published[s] for s in shas if s in published}
        write_public(root / KEY_NAME, _json(public_key_doc(ctx.key)))
        final = any(c.final for c in cuts)
        zero = root / CERTS / ZERO_CERT
        certificates = sorted(p.name for p in (root / CERTS).glob("*.json")) if (
            root / CERTS).is_dir() else []
        last = _SITE_KEYS.get(root)
        keys = generate_site(
            SiteInput(
                cuts=cuts, corte=name, final=final, downloads=downloads, images=cut_images,
                histories=histories or {}, progress=progress,
                server_fingerprint=ctx.key.fingerprint, code_hash=running_code_hash(),
                catalog_fingerprint=ctx.catalog.fingerprint, certificates=certificates,
                previous=root / "cortes" / last[0] if last else None,
                previous_keys=last[1] if last else {},
                workers=site_workers(ctx, cuts),
            ),
            out,
        )
        doc = {
            "format": FORMAT,
            "corte": name,
            "hora_corte": format_cut(cuts[0].cut_time),
            "at": int(cuts[0].cut_time.timestamp() * 1000),
            "final": final,
            "servidor": ctx.key.fingerprint,
            "public_key": public_key_doc(ctx.key)["public_key"],
            "codigo": running_code_hash(),
            "catalogo": ctx.catalog.fingerprint,
            "eventos_hasta": ingest_seq,
            "auditoria": head,
            "puesta_en_ceros": hashlib.sha256(zero.read_bytes()).hexdigest() if zero.exists()
            else None,
            "elecciones": {
                c.election.id: {
                    "nombre": c.election.name,
                    **downloads[c.election.id],
                    "cifras": c.figures.as_header(),
                    "votos": dict(c.votes),
                    "boletas_especiales": c.catalog.especial_ballots(c.election.id),
                }
                for c in cuts
            },
            "archivos": dict(sorted(out.hashes.items())),
            "imagenes": sorted(cut_images.values()),
        }
        out.put(NAME, signed_manifest_bytes(ctx.key, doc))
        out.sync()
        os.replace(work, final_dir)
    _switch(root, name)
    _SITE_KEYS[root] = (name, keys)
    if not (root / "index.html").exists():
        write_public(root / "index.html", REDIRECT.encode())
    latest = {
        "corte": name,
        "final": final,
        "archivos": {f"cortes/{name}/{n}": h for n, h in sorted(data_files.items())},
        "manifiesto": f"cortes/{name}/{NAME}",
        "imagenes": len(shas),
        "imagenes_nuevas": new_images,
        "figuras": {c.election.id: c.figures.as_header() for c in cuts},
        "codigo": doc["codigo"],
    }
    if head is not None:
        latest["auditoria"] = {
            "archivo": f"cortes/{name}/{PUBLISHED_NAME}",
            "seq": head["head"]["audit_seq"],
            "hash": head["head"]["audit_hash"],
            "servidor": ctx.key.fingerprint,
        }
        write_public(root / PUBLISHED_NAME, _head_file(ctx, head))
    write_public(root / "ultimo.json", _json(latest, indent=1))
    return latest


def site_workers(ctx: Context, cuts: Sequence[Cut]) -> int:
    """Worker processes for the site: the settings' number for a large cut; none for
    a small one (starting them would cost more than its pages)."""
    settings = getattr(ctx, "settings", None)
    wanted = settings.site_workers if settings is not None else os.cpu_count() or 1
    return wanted if sum(len(c.rows) for c in cuts) >= SITE_WORKERS_FROM else 0


def _json(doc: Any, indent: int | None = None) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=indent, sort_keys=True).encode("utf-8")


def _head_file(ctx: Context, head: dict[str, Any]) -> bytes:
    """``auditoria.json``: the signed head and the server key that signed it."""
    doc = {
        "formato": "prep-auditoria/1",
        "servidor": {"fingerprint": ctx.key.fingerprint, "public_key": head["head"]["public_key"]},
        **head,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")
