"""Blank acta forms for the BCS local elections, and their templates.

The project's own actas (diputación local, ayuntamiento) follow the INE 2024 style:
landscape tabloid, four black corner squares, a QR label box top left, every figure in
words and in three digit cells drawn in a pink dropout colour. The layout is computed
from the election's vote fields, so a template and its printed form always agree.

The form itself is drawn by :mod:`capture_station.recognition.form` (the reader needs it
too); the INE PDF forms are used instead when ``PREP_SHARED`` names a folder holding them
(``forms/``).

``python -m prep_tools.decks.render templates`` rewrites the local
templates from the demo catalog; ``... pdf TEMPLATE_ID OUT.pdf`` prints a blank form.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

from capture_station.recognition.form import (
    CELL_H,
    CELL_W,
    CELL_X,
    ELECTION_TITLES,
    FID_SIZE,
    FIDUCIALS,
    LOCAL_IDENTITY,
    PAGE_H,
    PAGE_W,
    QR_BOX,
    draw_form,
)
from capture_station.recognition.templates import (
    EXTRA,
    FIGURE,
    TEMPLATES_DIR,
    TOTAL,
    VOTE,
    FieldSpec,
    Template,
    fingerprint_of,
    load_templates,
    save_template,
    template_by_id,
)
from prep_tools.shared import shared_dir

CELL_PITCH = 20.4  # between digit cells (the INE 2024 form's are 20.2–20.9 apart)
MAX_DIGITS = 5  # a figure's cells at most: an event holds figures up to 99,999


def digits_for(largest: int) -> int:
    """Digit cells a figure needs to hold ``largest`` (three at least, as INE's forms)."""
    return min(MAX_DIGITS, max(3, len(str(max(0, largest)))))


def cell_row(right: tuple[float, ...], digits: int) -> tuple[float, ...]:
    """The x of ``digits`` cells ending where the three cells ``right`` end: INE's own
    three, with more cells added to their left for larger figures."""
    extra = tuple(right[0] - CELL_PITCH * k for k in range(digits - len(right), 0, -1))
    return (*extra, *right)[-digits:]


def local_template(election_id: str, name: str, tipo_acta: tuple[str, ...],
                   id_tipo_candidatura: int, vote_fields: tuple[str, ...],
                   digits: int = 3) -> Template:
    """Lay out a local acta for ``vote_fields`` (plus TOTAL) in the INE 2024 style, each
    figure in ``digits`` cells (``digits_for`` the largest figure it must hold); the
    words line ("con letra") ends before the first cell."""
    if not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"digits must be 1..{MAX_DIGITS}: {digits}")
    right_x = cell_row(CELL_X, digits)
    left_x = cell_row((332.3, 352.4, 373.3), digits)
    fields: list[FieldSpec] = []
    rows = [*vote_fields, "TOTAL_VOTOS_ASENTADO"]
    top, bottom = 78.0, 640.0
    pitch = min(25.2, (bottom - top) / len(rows))
    # many candidaturas (an OPLE's coalitions and candidaturas comunes): shorter rows,
    # down to cells two thirds the usual height, as printed forms do
    cell_h = min(CELL_H, pitch - 2)
    if cell_h < 12.0:
        raise ValueError(f"too many vote fields for one page: {len(vote_fields)}")
    for i, fname in enumerate(rows):
        y = top + i * pitch + (pitch - cell_h) / 2
        kind = TOTAL if fname == "TOTAL_VOTOS_ASENTADO" else VOTE
        fields.append(FieldSpec(fname, kind, tuple((round(x, 2), round(y, 2), CELL_W, round(cell_h, 2))
                                                   for x in right_x),
                                (530.0, round(y - 2, 2), round(right_x[0] - 6.5 - 530.0, 2),
                                 round(cell_h + 4, 2)),
                                "TOTAL" if kind == TOTAL else fname.replace("_", " ")))
    left = (
        ("TOTAL_BOLETAS_SOBRANTES", FIGURE, "2 BOLETAS SOBRANTES", 461.0),
        ("TOTAL_PERSONAS_VOTARON", FIGURE, "3 PERSONAS DE LA LISTA NOMINAL QUE VOTARON", 544.0),
        ("TOTAL_REP_PARTIDO_CI_VOTARON", FIGURE, "4 REPRESENTACIONES PARTIDISTAS QUE VOTARON", 630.0),
        ("SUMA_PERSONAS_Y_REP", EXTRA, "5 TOTAL DE PERSONAS Y REPRESENTANTES QUE VOTARON", 711.0),
    )
    for fname, kind, label, y in left:
        fields.append(FieldSpec(fname, kind,
                                tuple((round(x, 2), y, CELL_W, CELL_H) for x in left_x),
                                (36.0, y - 4, round(left_x[0] - 6.3 - 36.0, 2), CELL_H + 6), label))
    fields.append(FieldSpec("TOTAL_VOTOS_SACADOS", FIGURE,
                            tuple((round(x, 2), 690.0, CELL_W, CELL_H) for x in right_x),
                            (440.0, 686.0, round(right_x[0] - 11.5 - 440.0, 2), CELL_H + 6),
                            "7 TOTAL DE VOTOS SACADOS DE LAS URNAS"))
    t = Template(
        id=f"bcs2024-{election_id.lower().replace('_', '')}",
        name=name,
        election=election_id,
        tipo_acta=tipo_acta,
        id_tipo_candidatura=id_tipo_candidatura,
        page_w=PAGE_W,
        page_h=PAGE_H,
        fiducials=FIDUCIALS,
        fiducial_size=FID_SIZE,
        qr_box=QR_BOX,
        fields=tuple(fields),
        source="PREP Abierto layout (render.py), INE 2024 style",
        layout={"dropout": "pink", "style": "prep-local", "number_box": [62.0, 50.0, 44.0, 44.0],
                "title": ELECTION_TITLES.get(election_id, name.upper())},
        identity=LOCAL_IDENTITY,
    )
    small = np.asarray(draw_form(t, 72).convert("L"))
    return Template(**{**t.__dict__, "fingerprint": fingerprint_of(small)})


def shared_pdf(t: Template) -> Path | None:
    rel = t.layout.get("pdf")
    if not rel:
        return None
    forms = shared_dir("forms")
    if forms is None:
        return None
    p = forms / rel
    return p if p.exists() else None


@lru_cache(maxsize=8)
def blank_form(template_id: str, dpi: int) -> np.ndarray:
    """The blank form as an RGB array at ``dpi``: the INE PDF when ``PREP_SHARED`` has it,
    else drawn from the template."""
    t = template_by_id(template_id)
    pdf = shared_pdf(t)
    if pdf is not None:
        with tempfile.TemporaryDirectory() as d:
            subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), f"{d}/p"],
                           check=True, capture_output=True)
            return np.asarray(Image.open(f"{d}/p.png").convert("RGB")).copy()
    return np.asarray(draw_form(t, dpi))


def write_pdf(t: Template, out: Path, dpi: int = 150) -> None:
    draw_form(t, dpi).save(out, "PDF", resolution=dpi)


def write_local_templates(directory: Path = TEMPLATES_DIR) -> list[Path]:
    from prep_demo.demo import demo_elections

    out = []
    for e in demo_elections():
        t = local_template(e.id, f"PREP BCS 2024 · Acta de escrutinio y cómputo de casilla · {e.name}",
                           tuple(sorted(set(e.tipo_acta.values()))), e.id_tipo_candidatura,
                           tuple(e.vote_fields))
        p = directory / f"{t.id}.json"
        save_template(t, p)
        out.append(p)
    load_templates.cache_clear() if hasattr(load_templates, "cache_clear") else None
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("templates", help="rewrite the BCS local templates from the demo catalog")
    p = sub.add_parser("pdf", help="print a blank form")
    p.add_argument("template")
    p.add_argument("out", type=Path)
    p.add_argument("--dpi", type=int, default=150)
    a = ap.parse_args(argv)
    if a.cmd == "templates":
        for path in write_local_templates():
            print(path)
    else:
        write_pdf(template_by_id(a.template), a.out, a.dpi)
        print(a.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
