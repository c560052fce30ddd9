"""Blank acta forms for the BCS local elections, and their templates.

The project's own actas (diputación local, ayuntamiento) follow the INE 2024 style:
landscape tabloid, four black corner squares, a QR label box top left, every figure in
words and in three digit cells drawn in a pink dropout colour. The layout is computed
from the election's vote fields, so a template and its printed form always agree.

``python -m capture_station.recognition.render templates`` rewrites the local
templates from the demo catalog; ``... pdf TEMPLATE_ID OUT.pdf`` prints a blank form.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

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

PAGE_W, PAGE_H = 1218.96, 793.8
FIDUCIALS = ((28.5, 30.9), (1190.0, 30.9), (28.5, 754.7), (1190.0, 754.7))
FID_SIZE = 28.3
QR_BOX = (251.3, 19.4, 142.2, 57.2)
CELL_W, CELL_H = 15.84, 18.72
CELL_X = (731.5, 751.7, 772.6)
PINK = (236, 0, 140)
BROWN = (110, 80, 60)
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"

FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
BOLD_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)


@lru_cache(maxsize=64)
def font(size_px: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for p in BOLD_PATHS if bold else FONT_PATHS:
        if Path(p).exists():
            return ImageFont.truetype(p, max(6, size_px))
    return ImageFont.load_default(size=max(6, size_px))


ELECTION_TITLES = {
    "DIP_LOC": "DIPUTACIONES LOCALES",
    "AYUN": "AYUNTAMIENTO",
}


def local_template(election_id: str, name: str, tipo_acta: tuple[str, ...],
                   id_tipo_candidatura: int, vote_fields: tuple[str, ...]) -> Template:
    """Lay out a local acta for ``vote_fields`` (plus TOTAL) in the INE 2024 style."""
    fields: list[FieldSpec] = []
    rows = [*vote_fields, "TOTAL_VOTOS_ASENTADO"]
    top, bottom = 78.0, 640.0
    pitch = min(25.2, (bottom - top) / len(rows))
    if pitch < CELL_H + 2:
        raise ValueError(f"too many vote fields for one page: {len(vote_fields)}")
    for i, fname in enumerate(rows):
        y = top + i * pitch + (pitch - CELL_H) / 2
        kind = TOTAL if fname == "TOTAL_VOTOS_ASENTADO" else VOTE
        fields.append(FieldSpec(fname, kind, tuple((x, round(y, 2), CELL_W, CELL_H) for x in CELL_X),
                                (530.0, round(y - 2, 2), 195.0, CELL_H + 4),
                                "TOTAL" if kind == TOTAL else fname.replace("_", " ")))
    left = (
        ("TOTAL_BOLETAS_SOBRANTES", FIGURE, "2 BOLETAS SOBRANTES", 461.0),
        ("TOTAL_PERSONAS_VOTARON", FIGURE, "3 PERSONAS DE LA LISTA NOMINAL QUE VOTARON", 544.0),
        ("TOTAL_REP_PARTIDO_CI_VOTARON", FIGURE, "4 REPRESENTACIONES PARTIDISTAS QUE VOTARON", 630.0),
        ("SUMA_PERSONAS_Y_REP", EXTRA, "5 TOTAL DE PERSONAS Y REPRESENTANTES QUE VOTARON", 711.0),
    )
    for fname, kind, label, y in left:
        fields.append(FieldSpec(fname, kind,
                                tuple((x, y, CELL_W, CELL_H) for x in (332.3, 352.4, 373.3)),
                                (36.0, y - 4, 290.0, CELL_H + 6), label))
    fields.append(FieldSpec("TOTAL_VOTOS_SACADOS", FIGURE,
                            tuple((x, 690.0, CELL_W, CELL_H) for x in CELL_X),
                            (440.0, 686.0, 280.0, CELL_H + 6), "7 TOTAL DE VOTOS SACADOS DE LAS URNAS"))
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
    )
    small = np.asarray(draw_form(t, 72).convert("L"))
    return Template(**{**t.__dict__, "fingerprint": fingerprint_of(small)})


def draw_form(t: Template, dpi: float) -> Image.Image:
    """Draw a blank form from its template (any template; INE ones approximately)."""
    s = dpi / 72.0
    W, H = round(t.page_w * s), round(t.page_h * s)
    im = Image.new("RGB", (W, H), "white")
    d = ImageDraw.Draw(im)

    def R(r):
        x, y, w, h = r
        return [x * s, y * s, (x + w) * s, (y + h) * s]

    lw = max(1, round(0.7 * s))
    for cx, cy in t.fiducials:
        h2 = t.fiducial_size / 2
        d.rectangle(R((cx - h2, cy - h2, t.fiducial_size, t.fiducial_size)), fill="black")
    # header: acta number, title, QR box
    d.ellipse(R((62, 50, 44, 44)), fill=BROWN)
    code = t.tipo_acta[0] if t.tipo_acta else "?"
    d.text(((84) * s, 72 * s), code, fill="white", font=font(round(26 * s), True), anchor="mm")
    d.rectangle(R(t.qr_box), outline=(150, 150, 150), width=lw)
    qx, qy, qw, qh = t.qr_box
    d.text(((qx + qw / 2) * s, (qy + qh / 2) * s), "Pegue aquí la etiqueta\ncon el código QR",
           fill=(170, 170, 170), font=font(round(8 * s), True), anchor="mm", align="center")
    d.rectangle(R((62, 100, 330, 56)), fill=BROWN)
    title = t.layout.get("title", t.name)
    d.text((70 * s, 106 * s), "ACTA DE ESCRUTINIO Y CÓMPUTO DE CASILLA", fill="white",
           font=font(round(11 * s), True))
    d.text((70 * s, 124 * s), f"ELECCIÓN DE {title}", fill="white", font=font(round(11 * s), True))
    d.text((70 * s, 141 * s), "INSTITUTO ESTATAL ELECTORAL DE BAJA CALIFORNIA SUR · PROCESO LOCAL 2023-2024",
           fill="white", font=font(round(5.5 * s)))
    for i, txt in enumerate(("1 DATOS DE IDENTIFICACIÓN DE LA CASILLA", "Entidad: BAJA CALIFORNIA SUR",
                             "Distrito / Municipio: ______________________", "Sección: ________",
                             "Tipo de casilla:  B   C   E   S")):
        d.text((40 * s, (180 + 24 * i) * s), txt, fill="black" if i else PINK,
               font=font(round((9 if i == 0 else 8) * s), i == 0))
    d.line([36 * s, 330 * s, 400 * s, 330 * s], fill="black", width=lw)
    # vote table frame
    votes = [f for f in t.fields if f.kind in (VOTE, TOTAL)]
    if votes:
        y0 = votes[0].cells[0][1] - 6
        y1 = votes[-1].cells[0][1] + CELL_H + 6
        d.rectangle(R((440, 52, 360, 20)), fill=BROWN)
        d.text((450 * s, 56 * s), "6 RESULTADOS DE LA VOTACIÓN", fill="white", font=font(round(9 * s), True))
        d.rectangle(R((440, y0, 360, y1 - y0)), outline="black", width=lw)
        for f in votes:
            cy = f.cells[0][1]
            d.line([440 * s, (cy - 3) * s, 800 * s, (cy - 3) * s], fill=(60, 60, 60), width=1)
            if f.kind == TOTAL:
                d.rectangle(R((441, cy - 2, 85, CELL_H + 4)), fill=PINK)
                d.text((448 * s, (cy + 3) * s), "TOTAL", fill="white", font=font(round(10 * s), True))
            else:
                d.text((446 * s, (cy + 4) * s), f.label[:18], fill="black",
                       font=font(round(7.5 * s), True))
        d.line([526 * s, y0 * s, 526 * s, y1 * s], fill="black", width=lw)
    for f in t.fields:
        if f.kind in (FIGURE, EXTRA):
            x, y, w, h = f.words
            d.text((x * s, (y - 30) * s), f.label, fill=PINK, font=font(round(8.5 * s), True))
            d.text((x * s, (y - 18) * s), "Copie del apartado de la Hoja para hacer operaciones.",
                   fill="black", font=font(round(7 * s)))
        if f.words:
            x, y, w, h = f.words
            _dotted(d, [(x * s, (y + h) * s), ((x + w) * s, (y + h) * s)], (80, 80, 80))
            if f.kind in (FIGURE, EXTRA):
                d.text(((x + w / 2) * s, (y + h + 2) * s), "(Con letra)", fill="black",
                       font=font(round(6 * s)), anchor="mt")
        for c in f.cells:
            _dashed_rect(d, R(c), PINK)
    # right column: incidents, signatures (print only)
    d.rectangle(R((830, 52, 330, 20)), fill=BROWN)
    d.text((840 * s, 56 * s), "10 INCIDENTES DURANTE EL ESCRUTINIO", fill="white",
           font=font(round(9 * s), True))
    d.rectangle(R((830, 240, 330, 20)), fill=BROWN)
    d.text((840 * s, 244 * s), "11 FUNCIONARIOS/AS DE MESA DIRECTIVA", fill="white",
           font=font(round(9 * s), True))
    for i in range(7):
        y = 270 + 26 * i
        d.rectangle(R((830, y, 330, 26)), outline="black", width=lw)
    d.rectangle(R((830, 470, 330, 20)), fill=BROWN)
    d.text((840 * s, 474 * s), "12 REPRESENTACIONES PARTIDISTAS", fill="white",
           font=font(round(9 * s), True))
    for i in range(9):
        d.rectangle(R((830, 495 + 24 * i, 330, 24)), outline="black", width=lw)
    d.text((70 * s, 765 * s), f"DESTINO: ORIGINAL PARA EL EXPEDIENTE · {title}", fill=BROWN,
           font=font(round(16 * s), True))
    return im


def _dashed_rect(d: ImageDraw.ImageDraw, r, colour) -> None:
    x0, y0, x1, y1 = r
    for a, b in (((x0, y0), (x1, y0)), ((x1, y0), (x1, y1)), ((x1, y1), (x0, y1)), ((x0, y1), (x0, y0))):
        _dotted(d, [a, b], colour, dash=3.0, gap=2.0)


def _dotted(d, pts, colour, dash=2.0, gap=2.0) -> None:
    (xa, ya), (xb, yb) = pts
    n = max(1.0, ((xb - xa) ** 2 + (yb - ya) ** 2) ** 0.5)
    t = 0.0
    while t < n:
        e = min(n, t + dash)
        d.line([(xa + (xb - xa) * t / n, ya + (yb - ya) * t / n),
                (xa + (xb - xa) * e / n, ya + (yb - ya) * e / n)], fill=colour, width=1)
        t = e + gap


def shared_pdf(t: Template) -> Path | None:
    rel = t.layout.get("pdf")
    if not rel:
        return None
    p = SHARED / "forms" / rel
    return p if p.exists() else None


@lru_cache(maxsize=8)
def blank_form(template_id: str, dpi: int) -> np.ndarray:
    """The blank form as an RGB array at ``dpi``: the INE PDF when ../shared has it,
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
    from prep_core.demo import demo_elections

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
