"""The cut is published in the layout profile the institute configures."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import zipfile

from prep_core.published import read_results_csv
from prep_core.pubverify import verify_cut
from prep_core.recount import recount
from prep_io.layouts import shipped_layouts
from prep_io.publication_source import open_publication
from sync_server.services import cuts, ingest
from tests.server.helpers import batch, enroll_all, images_for


def test_a_cut_in_the_ieem_layout(live, night) -> None:
    ctx = live.ctx
    ctx.settings = dataclasses.replace(ctx.settings, publication_layout="ieem-2024")
    enroll_all(ctx, night.keys)
    for name, evs in night.events.items():
        ingest.ingest(ctx, batch(name, evs, images_for(evs, night.images)))
    made = cuts.make_cut(ctx, "coordinador")
    dip = next(m for m in made if m["election_id"] == "DIP_LOC")
    root = ctx.settings.publish_path
    latest = json.loads((root / "ultimo.json").read_text(encoding="utf-8"))
    zip_name = next(n for n in latest["archivos"] if "DIP_LOC" in n and n.endswith(".zip"))
    with zipfile.ZipFile(io.BytesIO((root / zip_name).read_bytes())) as z:
        data = z.read(next(m for m in z.namelist() if m.endswith("/DIP_LOC.csv")))
        leeme = z.read(next(m for m in z.namelist() if m.endswith("LEEME.txt"))).decode()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    assert b"TOTAL_REP_PARTIDOS_CI_VOTARON" in data and b"ACTAS_FUERA_DE_CATALOGO" in data
    assert "TOTAL_REP_PARTIDOS_CI_VOTARON: " in leeme
    pf = read_results_csv(data, layouts=shipped_layouts())
    assert pf.layout.id == "ieem-2024" and pf.fit is not None and pf.fit.exact
    assert pf.header == dip["figures"]
    assert recount(pf).disagreements == []


def test_ieem_integrity_codes_are_sha512_and_verify(live, night) -> None:
    """IEEM's profile says SHA-512: each row's CODIGO_INTEGRIDAD is the SHA-512 of its
    acta's image (still published by its SHA-256), ``prep verify-publication``'s check
    passes, and an image changed after publication is caught."""
    ctx = live.ctx
    ctx.settings = dataclasses.replace(ctx.settings, publication_layout="ieem-2024")
    enroll_all(ctx, night.keys)
    for name, evs in night.events.items():
        ingest.ingest(ctx, batch(name, evs, images_for(evs, night.images)))
    cuts.make_cut(ctx, "coordinador")
    root = ctx.settings.publish_path
    sha512 = {hashlib.sha512(d).hexdigest(): s for s, d in night.images.items()}
    folder = (root / "cortes" / "actual").resolve()
    pf = read_results_csv((folder / "DIP_LOC.csv").read_bytes(), layouts=shipped_layouts())
    col = pf.index("CODIGO_INTEGRIDAD")
    codes = [row[col] for row in pf.rows if len(row[col]) > 3]
    assert codes and all(c in sha512 for c in codes)
    pub = open_publication(str(root))
    rep = verify_cut(pub.read, pub.cut_dir, None, present=pub.present, layouts=shipped_layouts())
    assert rep.ok and rep.counts["imagenes"] >= len(codes), rep.lines()
    image = next((root / "imagenes").rglob(f"{sha512[codes[0]]}*"))
    image.write_bytes(image.read_bytes() + b"\0")
    pub = open_publication(str(root))
    rep = verify_cut(pub.read, pub.cut_dir, None, present=pub.present, layouts=shipped_layouts())
    assert any(codes[0][:12] in line for line in rep.lines()), rep.lines()
