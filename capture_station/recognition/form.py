"""The project's own blank acta form drawn from its template (runtime).

The reader compares a page's printed acta number against the same box of the blank form
drawn here, to tell apart local forms that share one layout. The layout constants are
the INE 2024 style that ``prep_tools.decks.render`` lays local templates out in.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from capture_station.recognition.templates import EXTRA, FIGURE, TOTAL, VOTE, Template

PAGE_W, PAGE_H = 1218.96, 793.8
FIDUCIALS = ((28.5, 30.9), (1190.0, 30.9), (28.5, 754.7), (1190.0, 754.7))
FID_SIZE = 28.3
QR_BOX = (251.3, 19.4, 142.2, 57.2)
CELL_W, CELL_H = 15.84, 18.72
CELL_X = (731.5, 751.7, 772.6)
ID_X = 226.0  # first identification cell
ID_PITCH = 20.2
TIPO_MARKS = ("B", "C", "E", "S")
# where the officials write the casilla's identification (section 1), in the same digit
# cells as the figures: demarcación (district or municipio number), sección, the casilla
# type marked with an X, the casilla number (left blank on a básica)
LOCAL_IDENTITY = {
    "demarcacion": [(ID_X + i * ID_PITCH, 206.0, CELL_W, CELL_H) for i in range(2)],
    "seccion": [(ID_X + i * ID_PITCH, 234.0, CELL_W, CELL_H) for i in range(4)],
    "tipo": {m: (ID_X + 6 + i * 38.0, 263.0, 17.0, 17.0) for i, m in enumerate(TIPO_MARKS)},
    "numero": [(ID_X + i * ID_PITCH, 292.0, CELL_W, CELL_H) for i in range(2)],
}
ID_LABELS = {
    "demarcacion": "Distrito / Municipio (número):",
    "seccion": "Sección (con número):",
    "tipo": "Tipo de casilla (marque con X):",
    "numero": "Número de casilla (no básica):",
}
PINK = (236, 0, 140)
BROWN = (110, 80, 60)

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
    d.text((40 * s, 172 * s), "1 DATOS DE IDENTIFICACIÓN DE LA CASILLA", fill=PINK,
           font=font(round(9 * s), True))
    d.text((40 * s, 189 * s), "Entidad: BAJA CALIFORNIA SUR", fill="black", font=font(round(8 * s)))
    _draw_identity(d, t, s)
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


def _draw_identity(d: ImageDraw.ImageDraw, t: Template, s: float) -> None:
    """Section 1's cells and type boxes (``Template.identity``), each with its label."""
    for part, label in ID_LABELS.items():
        geo = t.identity.get(part)
        if not geo:
            continue
        rects = list(geo.values()) if isinstance(geo, dict) else geo
        y = rects[0][1]
        d.text((40 * s, (y + 4) * s), label, fill="black", font=font(round(8 * s)))
        for r in rects:
            x, ry, w, h = r
            _dashed_rect(d, [x * s, ry * s, (x + w) * s, (ry + h) * s], PINK)
        if isinstance(geo, dict):
            for mark, (x, ry, _w, h) in geo.items():
                d.text(((x - 5) * s, (ry + h / 2) * s), mark, fill="black",
                       font=font(round(8 * s), True), anchor="rm")


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
