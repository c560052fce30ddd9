"""The cut is published in the layout profile the institute configures."""

from __future__ import annotations

import dataclasses
import io
import json
import zipfile

from prep_core.published import read_results_csv
from prep_core.recount import recount
from prep_io.layouts import shipped_layouts
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
