"""Measure an INE acta PDF into a template (``python -m ...measure PDF OUT.json``).

Renders the PDF with poppler's ``pdftoppm`` at 200 dpi, finds the four black corner
squares, the QR label box and every digit cell (the white interior of a dashed box of
cell size), groups cells in threes and names the rows in the order of the form.
Run once by a developer; the runtime reads only the resulting JSON.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path

import cv2
import numpy as np

from capture_station.recognition.templates import (
    EXTRA,
    FIGURE,
    TOTAL,
    VOTE,
    FieldSpec,
    Template,
    fingerprint_of,
    save_template,
)

DPI = 200
PT = 72.0 / DPI

PRESIDENCIA_ROWS = (
    "PAN", "PRI", "PRD", "PVEM", "PT", "MC", "MORENA",
    "PAN-PRI-PRD", "PAN-PRI", "PAN-PRD", "PRI-PRD",
    "PVEM-PT-MORENA", "PVEM-PT", "PVEM-MORENA", "PT-MORENA",
    "NO_REGISTRADAS", "NULOS", "TOTAL_VOTOS_ASENTADO",
)
LEFT_ROWS = (
    ("TOTAL_BOLETAS_SOBRANTES", FIGURE, "Boletas sobrantes"),
    ("TOTAL_PERSONAS_VOTARON", FIGURE, "Personas de la lista nominal que votaron"),
    ("TOTAL_REP_PARTIDO_CI_VOTARON", FIGURE, "Representaciones partidistas que votaron"),
    ("SUMA_PERSONAS_Y_REP", EXTRA, "Total de personas y representantes que votaron"),
)


def render_pdf(pdf: Path, dpi: int = DPI) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf),
                        f"{d}/p"], check=True)
        img = cv2.imread(f"{d}/p.png", cv2.IMREAD_COLOR)
    if img is None:
        raise RuntimeError(f"cannot render {pdf}")
    return img


def find_fiducials(gray: np.ndarray) -> list[tuple[float, float, float]]:
    m = (gray < 60).astype(np.uint8) * 255
    n, _, st, cen = cv2.connectedComponentsWithStats(m)
    out = []
    for i in range(1, n):
        _x, _y, w, h, a = st[i]
        if 40 < w < 120 and 40 < h < 120 and a > 0.9 * w * h and abs(w - h) < 6:
            out.append((float(cen[i][0]), float(cen[i][1]), float((w + h) / 2)))
    if len(out) != 4:
        raise RuntimeError(f"expected 4 fiducials, found {len(out)}")
    out.sort(key=lambda t: (round(t[1] / 500), t[0]))  # TL, TR, BL, BR
    return out


def find_cells(img: np.ndarray) -> list[tuple[int, int, int, int]]:
    m = (img.min(axis=2) < 215).astype(np.uint8) * 255
    m = cv2.morphologyEx(m, cv2.MORPH_CLOSE, np.ones((7, 7), np.uint8))
    n, _, st, _ = cv2.connectedComponentsWithStats(255 - m, connectivity=4)
    cells = []
    for i in range(1, n):
        x, y, w, h, a = (int(v) for v in st[i])
        if 36 < w < 48 and 42 < h < 56 and a > 0.85 * w * h:
            cells.append((x - 1, y - 1, w + 2, h + 2))  # interior + the dashed line
    return cells


def group_rows(cells):
    rows: list[list] = []
    for c in sorted(cells, key=lambda c: (c[1], c[0])):
        for r in rows:
            if abs(r[0][1] - c[1]) < 10 and abs(r[-1][0] - c[0]) < 80:
                r.append(c)
                break
        else:
            rows.append([c])
    for r in rows:
        r.sort()
    return rows


def pt_rect(x, y, w, h):
    return (round(x * PT, 2), round(y * PT, 2), round(w * PT, 2), round(h * PT, 2))


def measure_presidencia(pdf: Path) -> Template:
    img = render_pdf(pdf)
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    h, w = gray.shape
    fids = find_fiducials(gray)
    rows = group_rows(find_cells(img))
    if any(len(r) != 3 for r in rows):
        raise RuntimeError("cells do not group in threes")
    vote_rows = sorted([r for r in rows if r[0][0] > 1900 and r[0][1] < 1600], key=lambda r: r[0][1])
    left_rows = sorted([r for r in rows if r[0][0] < 1200], key=lambda r: r[0][1])
    sacados = [r for r in rows if r[0][0] > 1900 and r[0][1] >= 1600]
    if len(vote_rows) != len(PRESIDENCIA_ROWS) or len(left_rows) != 4 or len(sacados) != 1:
        raise RuntimeError(f"unexpected layout: {len(vote_rows)} vote rows, {len(left_rows)} left")
    fields = []
    for name, r in zip(PRESIDENCIA_ROWS, vote_rows, strict=True):
        kind = TOTAL if name == "TOTAL_VOTOS_ASENTADO" else VOTE
        x0, y0 = 1345, r[0][1] - 6
        fields.append(FieldSpec(name, kind, tuple(pt_rect(*c) for c in r),
                                pt_rect(x0, y0, r[0][0] - 20 - x0, r[0][3] + 12), name))
    for (name, kind, label), r in zip(LEFT_ROWS, left_rows, strict=True):
        x0, y0 = 100, r[0][1] - 10
        fields.append(FieldSpec(name, kind, tuple(pt_rect(*c) for c in r),
                                pt_rect(x0, y0, r[0][0] - 20 - x0, r[0][3] + 14), label))
    r = sacados[0]
    x0, y0 = 1160, r[0][1] - 10
    fields.append(FieldSpec("TOTAL_VOTOS_SACADOS", FIGURE, tuple(pt_rect(*c) for c in r),
                            pt_rect(x0, y0, r[0][0] - 20 - x0, r[0][3] + 14),
                            "Total de votos sacados de las urnas"))
    # QR label box: the rectangle right of the barcode box, top of the page
    sub = (gray[20:300, 600:1200] < 235).astype(np.uint8) * 255
    cs, _ = cv2.findContours(sub, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    boxes = [cv2.boundingRect(c) for c in cs]
    boxes = [b for b in boxes if 300 < b[2] < 500 and 120 < b[3] < 200]
    if not boxes:
        raise RuntimeError("QR label box not found")
    bx, by, bw, bh = max(boxes, key=lambda b: b[2] * b[3])
    small = cv2.resize(gray, (int(w * 0.25 * 200 / 72), int(h * 0.25 * 200 / 72)),
                       interpolation=cv2.INTER_AREA)
    return Template(
        id="ine2024-presidencia-2",
        name="INE 2024 · Acta de escrutinio y cómputo de casilla · Presidencia (acta 2)",
        election="PRES",
        tipo_acta=("2",),
        id_tipo_candidatura=1,
        page_w=round(w * PT, 2),
        page_h=round(h * PT, 2),
        fiducials=tuple((round(x * PT, 2), round(y * PT, 2)) for x, y, _ in fids),
        fiducial_size=round(float(np.mean([s for *_, s in fids])) * PT, 2),
        qr_box=pt_rect(bx + 600, by + 20, bw, bh),
        fields=tuple(fields),
        fingerprint=fingerprint_of(small),
        source=f"measured from {pdf.name} (INE, 2023-2024 federal process) at {DPI} dpi",
        layout={"dropout": "pink", "pdf": "ine-2024/" + pdf.name,
                "number_box": [27.0, 54.0, 38.0, 38.0]},
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("pdf", type=Path)
    ap.add_argument("out", type=Path)
    a = ap.parse_args(argv)
    t = measure_presidencia(a.pdf)
    save_template(t, a.out)
    print(f"{a.out}: {len(t.fields)} fields, page {t.page_w}x{t.page_h} pt")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
