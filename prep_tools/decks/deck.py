"""Test-deck generator: filled actas with known figures, scanned by simulation.

Each acta: one writer (handwriting font with pen variation, or real MNIST digits),
figures in the three cells (right-aligned, sometimes with leading zeros), amounts in
words, some Sin dato (blank) and Ilegible (scribbled) fields, a QR sticker with INE's
payload layout, a stamp; then a simulated scan (rotation ±3°, scale, blur, noise, uneven
light, JPEG, 150–300 dpi, colour or grey, a few pages upside down). Writes the images
and ``manifest.jsonl`` (image, template, QR payload, CLAVE_ACTA, every field's value,
the per-cell truth used for training).

``python -m prep_tools.decks.deck OUT --n 1000 --seed 7 --split eval``
"""

from __future__ import annotations

import argparse
import json
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import qrcode

from capture_station.recognition.form import font
from capture_station.recognition.templates import (
    VOTE,
    Template,
    load_templates,
    template_by_id,
)
from prep_core.labels import expected_written
from prep_tools.decks import handwriting as hw
from prep_tools.decks.render import blank_form

BLANK, SCRIBBLE = "_", "x"
SIN_DATO, ILEGIBLE = "Sin dato", "Ilegible"
NO_APLICA = "N/A"


@dataclass
class DeckOptions:
    split: str = "eval"
    dpis: tuple[int, ...] = (200,)
    p_sin_dato: float = 0.02
    p_ilegible: float = 0.015
    p_upside_down: float = 0.03
    p_grey: float = 0.3
    p_qr_damage: float = 0.1
    max_rotation: float = 3.0
    jpeg: tuple[int, int] = (60, 95)
    templates: tuple[str, ...] = ()
    writer_fonts: tuple[str, ...] = ()  # font files: when given, these writers replace the split's
    backings: tuple[str, ...] = ("light",)  # scanner backing behind the sheet: "light", "dark"
    p_quarter_turn: float = 0.0  # a portrait scan of the landscape form (90° or 270°)
    p_blue: float = 0.8  # blue ballpoint, else black, drawn per acta
    bad: str = ""  # a truly bad scan instead of a good one: "blank", "black", "streaks", "half"
    whole_sheet: bool = False  # the scan area holds the whole turned sheet (a wide feeder)
    # a figure whose digits are scribbled over (unreadable) while its words are written
    # out legibly: its value is the number the words say
    p_words_only: float = 0.0
    p_swap: float = 0.0  # a neighbour's label on the acta (``prep_core.labels``)
    p_typed: float = 0.0  # no label: the key typed by hand, with a slip (``typo_key``)


BAD_KINDS = ("blank", "black", "streaks", "half")


def deck_writers(opts: DeckOptions) -> list[hw.Writer]:
    """The writers of a deck: the split's, or one writer per font file of ``writer_fonts``."""
    if opts.writer_fonts:
        return [hw.Writer(Path(p).stem, "font", p, opts.split) for p in opts.writer_fonts]
    return hw.writers(opts.split)


# --------------------------------------------------------------------------- identity
def _identity(t: Template, rng: np.random.Generator):
    """A QR payload and CLAVE_ACTA for a casilla of the demo catalog (synthetic)."""
    from prep_core.qr import QrIdentity, format_qr
    from prep_demo.demo import demo_catalog

    cat = _catalog()
    c = cat.casillas[int(rng.integers(len(cat.casillas)))]
    if t.election in {e.id for e in cat.elections}:
        e = cat.election(t.election)
        tipo_acta = e.acta_code(c.key.tipo)
        dem = c.id_distrito if e.ambito.value == "DISTRITO" else c.id_municipio
        ident = QrIdentity(c.key, dem, tipo_acta, e.id_tipo_candidatura)
    else:  # a federal acta (INE template): federal district 1 or 2 of BCS
        ident = QrIdentity(c.key, 1 + c.id_distrito % 2, t.tipo_acta[0], t.id_tipo_candidatura)
    del demo_catalog
    return format_qr(ident), ident.clave_acta, c, ident


_CAT = None


def _catalog():
    global _CAT
    if _CAT is None:
        from prep_demo.demo import demo_catalog

        _CAT = demo_catalog()
    return _CAT


# --------------------------------------------------------------------------- figures
def make_figures(t: Template, ln: int, reps: int, rng: np.random.Generator) -> dict[str, int]:
    """Consistent figures for one acta: votes, total, personas, representantes, sacados."""
    votes_f = [f.name for f in t.fields if f.kind == VOTE]
    voters = int(min(999, rng.integers(int(0.35 * ln), int(0.75 * ln) + 2)))
    rep_v = int(rng.integers(0, min(reps, 12) + 1))
    total = voters + rep_v
    w = []
    for n in votes_f:
        if n == "NULOS":
            w.append(rng.uniform(0.5, 3))
        elif n == "NO_REGISTRADAS":
            w.append(rng.uniform(0, 0.4))
        elif "-" in n:
            w.append(rng.uniform(0, 1.5))
        else:
            w.append(rng.gamma(0.7, 10))
    w = np.array(w) / np.sum(w)
    counts = rng.multinomial(total, w)
    vals = {n: int(v) for n, v in zip(votes_f, counts, strict=True)}
    vals["TOTAL_VOTOS_ASENTADO"] = int(min(999, total))
    vals["TOTAL_PERSONAS_VOTARON"] = voters
    vals["TOTAL_REP_PARTIDO_CI_VOTARON"] = rep_v
    vals["SUMA_PERSONAS_Y_REP"] = int(min(999, total))
    vals["TOTAL_VOTOS_SACADOS"] = int(min(999, total))
    vals["TOTAL_BOLETAS_SOBRANTES"] = int(min(999, max(0, ln + reps - total)))
    return {f.name: min(999, vals.get(f.name, 0)) for f in t.fields}


def cell_truth(value: int | str, zero_fill: bool, cells: int = 3) -> str:
    """What each of a figure's ``cells`` holds: a digit, blank or scribbled."""
    if value in (SIN_DATO, NO_APLICA):  # N/A: a combination this casilla does not have
        return BLANK * cells
    if value == ILEGIBLE:
        return SCRIBBLE * cells
    return f"{value:0{cells}d}" if zero_fill else f"{value:>{cells}d}".replace(" ", BLANK)


# --------------------------------------------------------------------------- drawing
def _ink(rng: np.random.Generator, p_blue: float = 0.8) -> np.ndarray:
    if rng.random() < p_blue:  # blue ballpoint
        c = (rng.uniform(10, 60), rng.uniform(20, 70), rng.uniform(110, 190))
    else:  # black
        v = rng.uniform(10, 50)
        c = (v, v, v)
    return np.array(c, np.float32)


def _blend(page: np.ndarray, mask: np.ndarray, x: int, y: int, ink: np.ndarray, opacity: float) -> None:
    H, W = page.shape[:2]
    h, w = mask.shape
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    m = mask[y0 - y: y1 - y, x0 - x: x1 - x, None] * opacity
    region = page[y0:y1, x0:x1].astype(np.float32)
    page[y0:y1, x0:x1] = (region * (1 - m) + ink * m).astype(np.uint8)


def _fit(mask: np.ndarray, max_w: float, max_h: float) -> np.ndarray:
    h, w = mask.shape
    k = min(max_w / w, max_h / h)
    nw, nh = max(1, int(round(w * k))), max(1, int(round(h * k)))
    return cv2.resize(mask, (nw, nh), interpolation=cv2.INTER_AREA)


def draw_digit(page, writer, d: int, rect_px, rng, ink, opacity) -> None:
    x, y, w, h = rect_px
    g = hw.digit_mask(writer, d, rng)
    g = _fit(g, w * rng.uniform(0.6, 0.95), h * rng.uniform(0.6, 0.92))
    gx = x + (w - g.shape[1]) / 2 + rng.normal(0, 0.07) * w
    gy = y + (h - g.shape[0]) / 2 + rng.normal(0, 0.06) * h
    _blend(page, g, int(round(gx)), int(round(gy)), ink, opacity)


def draw_words(page: np.ndarray, rect_px, v: int | str, font_path: str | None, rng, ink,
               opacity: float, vary=None) -> None:
    """The amount in words ("con letra") on its line, or a scrawl for Ilegible.
    ``vary(mask, rng)``: a change to the words' ink mask (training augmentation)."""
    x, y, w, h = rect_px
    if v == ILEGIBLE:
        m = hw.scribble_mask(int(w * 0.6), int(h * 0.8), rng)
    else:
        m = hw.text_mask(font_path, hw.spanish(int(v)), int(h * 0.55), rng)
        if vary is not None:
            m = vary(m, rng)
        m = _fit(m, w * 0.95, h * 0.8) if (m.shape[1] > w * 0.95 or m.shape[0] > h * 0.8) else m
    _blend(page, m, int(x + rng.uniform(0, 0.05) * w), int(y + h * 0.1), ink, opacity)


def draw_qr_sticker(page: np.ndarray, payload: str, box_px, rng, damage: bool) -> None:
    x, y, w, h = box_px
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=2, box_size=1)
    q.add_data(payload)
    q.make(fit=True)
    mat = np.array(q.get_matrix(), np.uint8)
    lh = int(h * rng.uniform(0.85, 1.0))
    lw = int(w * rng.uniform(0.8, 0.95))
    label = np.full((lh, lw, 3), 255, np.uint8)
    side = int(lh * 0.9)
    qr_img = cv2.resize((1 - mat) * 255, (side, side), interpolation=cv2.INTER_NEAREST)
    oy = (lh - side) // 2
    label[oy: oy + side, 4: 4 + side] = qr_img[:, :, None]
    fh = max(8, lh // 7)
    from PIL import Image, ImageDraw

    im = Image.fromarray(label)
    dr = ImageDraw.Draw(im)
    for i, line in enumerate(("PREP", payload[:24], "ACOPIO")):
        dr.text((side + 10, oy + i * (fh + 4)), line, fill=(0, 0, 0), font=font(fh))
    label = np.asarray(im).copy()
    if damage:  # a scratch or a fold across the code
        p0 = (int(rng.uniform(0, side)), int(rng.uniform(0, side)))
        p1 = (int(rng.uniform(0, side)), int(rng.uniform(0, side)))
        cv2.line(label, p0, p1, (255, 255, 255) if rng.random() < 0.5 else (60, 60, 60),
                 max(1, side // 40))
    ang = rng.uniform(-6, 6)
    M = cv2.getRotationMatrix2D((lw / 2, lh / 2), ang, 1.0)
    alpha = cv2.warpAffine(np.ones((lh, lw), np.float32), M, (lw, lh))
    rot = cv2.warpAffine(label, M, (lw, lh), borderValue=(255, 255, 255))
    px = int(x + rng.uniform(0, w - lw))
    py = int(y + rng.uniform(0, max(1, h - lh)))
    H, W = page.shape[:2]
    px, py = min(max(0, px), W - lw), min(max(0, py), H - lh)
    reg = page[py: py + lh, px: px + lw].astype(np.float32)
    a = alpha[:, :, None]
    page[py: py + lh, px: px + lw] = (reg * (1 - a) + rot.astype(np.float32) * a).astype(np.uint8)


def draw_stamp(page: np.ndarray, s: float, rng) -> None:
    cx = int(rng.uniform(870, 1130) * s)
    cy = int(rng.uniform(110, 700) * s)
    r = int(rng.uniform(28, 40) * s)
    size = 2 * r + 8
    m = np.zeros((size, size), np.uint8)
    c = size // 2
    cv2.circle(m, (c, c), r, 255, max(1, int(2 * s)))
    cv2.circle(m, (c, c), int(r * 0.75), 255, max(1, int(1 * s)))
    cv2.putText(m, "CATD", (c - int(r * 0.6), c + int(r * 0.15)), cv2.FONT_HERSHEY_SIMPLEX,
                r / 45, 255, max(1, int(1.2 * s)))
    ink = np.array((120, 40, 150), np.float32)
    _blend(page, m.astype(np.float32) / 255, cx - c, cy - c, ink, rng.uniform(0.4, 0.7))


def draw_number(page, writer, value: int | None, cells, s: float, zero_fill: bool, rng, ink,
                opacity) -> None:
    """``value`` in ``cells`` (template rects), right-aligned; nothing for None."""
    if value is None:
        return
    n = len(cells)
    text = f"{value:0{n}d}" if zero_fill else f"{value:>{n}d}"
    for ch, (x, y, w, h) in zip(text[-n:], cells, strict=True):
        if ch.isdigit():
            draw_digit(page, writer, int(ch), (x * s, y * s, w * s, h * s), rng, ink, opacity)


def draw_identity(page, t: Template, written: dict, writer: hw.Writer, s: float, zero_fill: bool,
                  rng, ink, opacity) -> None:
    """Section 1 filled in by hand: the numbers in their cells, an X in the type's box."""
    geo = t.identity
    for part in ("demarcacion", "seccion", "numero"):
        if part in geo:
            draw_number(page, writer, written.get(part), geo[part], s, zero_fill, rng, ink, opacity)
    box = geo.get("tipo", {}).get(written.get("tipo"))
    if box is not None:
        x, y, w, h = (c * s for c in box)
        m = hw.pen(hw._font_glyph(writer.path, "X" if rng.random() < 0.5 else "x"), rng, 1.0) \
            if writer.path else hw.scribble_mask(int(w), int(h), rng)
        m = _fit(m, w * rng.uniform(0.7, 1.2), h * rng.uniform(0.7, 1.2))
        gx = x + (w - m.shape[1]) / 2 + rng.normal(0, 0.08) * w
        gy = y + (h - m.shape[0]) / 2 + rng.normal(0, 0.08) * h
        _blend(page, m, int(round(gx)), int(round(gy)), ink, opacity)


def fill_acta(t: Template, dpi: int, values: dict[str, int | str], writer: hw.Writer,
              payload: str | None, rng: np.random.Generator, opts: DeckOptions,
              form: np.ndarray | None = None,
              scribbled: frozenset[str] = frozenset(),
              written: dict | None = None) -> tuple[np.ndarray, dict]:
    """The filled page and each field's cell truth: the blank form (``form``, or the
    template's by its id) with ``values``. ``payload`` None: no label stuck on;
    ``scribbled``: figures whose digits are scribbled over while their words say the
    number (``DeckOptions.p_words_only``); ``written``: section 1's identification
    (``prep_core.labels.expected_written``), drawn when the form has that section."""
    page = (blank_form(t.id, dpi) if form is None else form).copy()
    s = dpi / 72.0
    ink = _ink(rng, opts.p_blue)
    opacity = rng.uniform(0.75, 1.0)
    zero_fill = rng.random() < 0.2
    cells: dict[str, str] = {}
    for f in t.fields:
        v = values[f.name]
        truth = cell_truth(ILEGIBLE if f.name in scribbled else v, zero_fill, len(f.cells))
        cells[f.name] = truth
        for ch, (x, y, w, h) in zip(truth, f.cells, strict=True):
            rect = (x * s, y * s, w * s, h * s)
            if ch.isdigit():
                draw_digit(page, writer, int(ch), rect, rng, ink, opacity)
        if v == ILEGIBLE or f.name in scribbled:
            x0, y0 = f.cells[0][0] * s, f.cells[0][1] * s
            x1 = (f.cells[-1][0] + f.cells[-1][2]) * s
            sm = hw.scribble_mask(int(x1 - x0), int(f.cells[0][3] * s), rng)
            _blend(page, sm, int(x0), int(y0), ink, opacity)
        if f.words is not None and v not in (SIN_DATO, NO_APLICA):
            draw_words(page, tuple(c * s for c in f.words), v, writer.path, rng, ink, opacity)
    damage = rng.random() < opts.p_qr_damage
    if payload is not None:
        draw_qr_sticker(page, payload, tuple(c * s for c in t.qr_box), rng, damage)
    draw_stamp(page, s, rng)
    if written and t.identity:  # its own stream: the figures of a deck stay as they were
        r2 = rng.spawn(1)[0]
        draw_identity(page, t, written, writer, s, r2.random() < 0.3, r2, ink, opacity)
    return page, cells


def scan(page: np.ndarray, dpi: int, rng: np.random.Generator, opts: DeckOptions) -> tuple[np.ndarray, dict]:
    """Simulate a scanner: backing, margins, rotation, scale, light, blur, noise, grey,
    flip, a quarter turn; or one of the truly bad scans of ``opts.bad``."""
    H, W = page.shape[:2]
    backing = opts.backings[int(rng.integers(len(opts.backings)))] if len(opts.backings) > 1 \
        else opts.backings[0]
    dark = backing == "dark"
    mx, my = (int(rng.uniform(0.03, 0.06) * W), int(rng.uniform(0.03, 0.06) * H)) if dark else \
        (int(0.03 * W), int(0.03 * H))
    bv = float(rng.uniform(5, 45)) if dark else 250.0
    if opts.bad == "blank":
        page = np.full_like(page, 250)
    elif opts.bad == "half":  # the feeder stopped: only the top part of the sheet came through
        page = page[: int(H * rng.uniform(0.35, 0.65))]
    ang = rng.uniform(-opts.max_rotation, opts.max_rotation)
    sc = rng.uniform(0.97, 1.03)
    out_w, out_h = W + 2 * mx, H + 2 * my
    M = cv2.getRotationMatrix2D((W / 2, H / 2), ang, sc)
    M[0, 2] += mx + rng.uniform(-0.01, 0.01) * W
    M[1, 2] += my + rng.uniform(-0.01, 0.01) * H
    if opts.whole_sheet:  # grow the scan area so that the turned sheet's corners stay in it
        c, sn = abs(np.cos(np.radians(ang))) * sc, abs(np.sin(np.radians(ang))) * sc
        grow_w = int(np.ceil(W * c + H * sn - W * sc)) + 2
        grow_h = int(np.ceil(W * sn + H * c - H * sc)) + 2
        out_w, out_h = out_w + grow_w, out_h + grow_h
        M[0, 2] += grow_w / 2
        M[1, 2] += grow_h / 2
    img = cv2.warpAffine(page, M, (out_w, out_h), flags=cv2.INTER_LINEAR,
                         borderValue=(bv, bv, bv))
    if opts.bad == "black":  # lamp off or lid open on a dark room
        img = np.full_like(img, int(rng.uniform(0, 30)))
    elif opts.bad == "streaks":  # dirt on the feeder's glass: dark lines along the feed
        for _ in range(int(rng.integers(1, 4))):
            x = int(rng.uniform(0.1, 0.9) * out_w)
            img[:, x: x + max(3, int(rng.uniform(0.002, 0.005) * out_w))] = int(rng.uniform(10, 60))
    # uneven light and paper tint
    gy, gx = np.mgrid[0:out_h:32, 0:out_w:32].astype(np.float32)
    a, b = rng.uniform(-0.12, 0.12, 2)
    light = 1.0 + a * (gx / out_w - 0.5) + b * (gy / out_h - 0.5) - rng.uniform(0, 0.06)
    light = cv2.resize(light, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
    img = img.astype(np.float32) * light[:, :, None]
    sig = rng.uniform(0, 1.0) * dpi / 200
    if sig > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sig)
    img += rng.normal(0, rng.uniform(0, 5), (out_h, out_w, 1)).astype(np.float32)
    img = np.clip(img, 0, 255).astype(np.uint8)
    grey = rng.random() < opts.p_grey
    if grey:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    flipped = rng.random() < opts.p_upside_down
    if flipped:
        img = cv2.rotate(img, cv2.ROTATE_180)
    turn = 0
    if opts.p_quarter_turn and rng.random() < opts.p_quarter_turn:
        turn = 90 if rng.random() < 0.5 else 270
        img = cv2.rotate(img, cv2.ROTATE_90_CLOCKWISE if turn == 90 else cv2.ROTATE_90_COUNTERCLOCKWISE)
    return img, {"rotation": round(ang, 2), "scale": round(sc, 3), "grey": grey,
                 "upside_down": flipped, "blur": round(sig, 2), "backing": backing,
                 "quarter_turn": turn, **({"bad": opts.bad} if opts.bad else {})}


def make_acta(i: int, seed: int, opts: DeckOptions) -> tuple[np.ndarray, dict]:
    rng = np.random.default_rng([seed, i])
    tids = opts.templates or tuple(t.id for t in load_templates())
    t = template_by_id(tids[int(rng.integers(len(tids)))])
    ws = deck_writers(opts)
    writer = ws[int(rng.integers(len(ws)))]
    dpi = int(opts.dpis[int(rng.integers(len(opts.dpis)))])
    payload, clave, casilla, ident = _identity(t, rng)
    written = expected_written(ident).to_json()
    label = label_mistake(ident, rng.spawn(1)[0], opts)
    if label.get("swap"):
        payload = label["swap"]
    elif "typed" in label:
        payload = None
    vals: dict[str, int | str] = dict(make_figures(t, casilla.lista_nominal, casilla.representantes, rng))
    with_words = {f.name for f in t.fields if f.words is not None}
    scribbled = set()
    for k in vals:
        r = rng.random()
        if r < opts.p_sin_dato:
            vals[k] = SIN_DATO
        elif r < opts.p_sin_dato + opts.p_ilegible:
            vals[k] = ILEGIBLE
        elif r < opts.p_sin_dato + opts.p_ilegible + opts.p_words_only and k in with_words:
            scribbled.add(k)
    page, cells = fill_acta(t, dpi, vals, writer, payload, rng, opts,
                            scribbled=frozenset(scribbled), written=written)
    img, meta = scan(page, dpi, rng, opts)
    rec = {"template": t.id, "qr": payload, "clave_acta": clave, "dpi": dpi,
           "writer": writer.name, "fields": vals, "cells": cells, "written": written,
           **label, **meta}
    if scribbled:
        rec["words_only"] = sorted(scribbled)
    return img, rec


def label_mistake(ident, rng: np.random.Generator, opts: DeckOptions) -> dict:
    """The deck's label slips (``p_swap``, ``p_typed``): ``{"swap": payload}`` for a
    neighbour's label, ``{"typed": clave_acta}`` for a key typed by hand (a slip in it
    when ``"typo"``); {} for a good label. Its own stream, so other draws stay put."""
    from prep_core.labels import swapped_label, typo_key

    if not (opts.p_swap or opts.p_typed) or _catalog().acta(ident.clave_acta) is None:
        return {}
    r = rng.random()
    pick = int(rng.integers(1 << 16))
    if r < opts.p_swap:
        return {"swap": swapped_label(_catalog(), ident.clave_acta, pick)}
    if r < opts.p_swap + opts.p_typed:
        return {"typed": typo_key(ident.clave_acta, pick), "typo": True}
    return {}


def _work(args):
    i, seed, opts, out = args
    img, rec = make_acta(i, seed, opts)
    q = int(np.random.default_rng([seed, i, 99]).integers(*opts.jpeg))
    name = f"acta_{i:05d}.jpg"
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, q])
    if not ok:
        raise OSError(f"no se pudo codificar {name} / could not encode {name}")
    (Path(out) / name).write_bytes(buf.tobytes())  # raises on a full disk, unlike imwrite
    rec = {"image": name, "jpeg_quality": q, **rec}
    return rec


def generate_deck(out: str | Path, n: int, seed: int = 7, opts: DeckOptions | None = None,
                  workers: int = 1) -> Path:
    """Write ``n`` actas and ``manifest.jsonl`` into ``out``; returns the manifest path."""
    opts = opts or DeckOptions()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(i, seed, opts, str(out)) for i in range(n)]
    if workers > 1:
        _catalog()
        with ProcessPoolExecutor(workers) as ex:
            recs = list(ex.map(_work, jobs, chunksize=4))
    else:
        recs = [_work(j) for j in jobs]
    man = out / "manifest.jsonl"
    with open(man, "w", encoding="utf-8") as fh:
        fh.write(json.dumps({"deck": {"n": n, "seed": seed, "split": opts.split,
                                      "dpis": list(opts.dpis),
                                      "writers": [w.name for w in deck_writers(opts)]}},
                            ensure_ascii=False) + "\n")
        for r in recs:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return man


def read_manifest(path: str | Path) -> tuple[dict, list[dict]]:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])["deck"]
    return head, [json.loads(x) for x in lines[1:] if x.strip()]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--split", choices=("train", "val", "eval"), default="eval")
    ap.add_argument("--dpi", default="200", help="comma-separated dpi choices, e.g. 150,200,300")
    ap.add_argument("--template", action="append", default=[], help="template id (repeatable)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    opts = DeckOptions(split=a.split, dpis=tuple(int(x) for x in a.dpi.split(",")),
                       templates=tuple(a.template))
    man = generate_deck(a.out, a.n, a.seed, opts, a.workers)
    print(man)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
