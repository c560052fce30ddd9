"""Training-only glyph and patch augmentation for the digit-cell CNN (never used at run time).

On top of ``handwriting.pen`` (slant, rotation, aspect, elastic jitter):
- ``stroke_width``: the pen made thinner or thicker (erode / dilate with a round kernel
  sized to the glyph), so one font or MNIST digit stands for pens of many widths;
- ``fade``: ink that varies along the strokes (a smooth random field multiplies the ink);
- ``line_overlap``: a stretch of cell line or a stray stroke across the patch edge, as when
  a figure touches the printed box or a grey scan keeps the lines.
"""

from __future__ import annotations

import cv2
import numpy as np


def stroke_width(g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Float mask 0..1 → the same glyph with a random pen width (thinner or thicker)."""
    h = max(g.shape)
    r = rng.uniform(-1.0, 1.6) * h / 40  # kernel radius in glyph pixels
    k = int(round(abs(r)))
    if k < 1:
        return g
    ker = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))
    if r > 0:
        return cv2.dilate(g, ker)
    thin = cv2.erode(g, ker)
    return thin if (thin > 0.3).sum() > 0.35 * (g > 0.3).sum() else g  # keep the figure


def fade(g: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Ink strength varying smoothly along the strokes (a pen running dry, light pressure)."""
    h, w = g.shape
    n = rng.standard_normal((h, w)).astype(np.float32)
    n = cv2.GaussianBlur(n, (0, 0), max(h, w) / rng.uniform(3, 8))
    n = (n - n.min()) / (np.ptp(n) + 1e-6)
    lo = rng.uniform(0.3, 0.85)
    return g * (lo + (1 - lo) * n)


def line_overlap(patch: np.ndarray, rng: np.random.Generator, inner: float) -> np.ndarray:
    """A partial straight line in the margin band of a (P, P) patch, near one cell edge."""
    p = patch.shape[0]
    edge = (p - inner) / 2  # where the cell's printed line lies
    off = edge + rng.normal(0, 1.2)
    side = int(rng.integers(4))
    pos = off if side < 2 else p - 1 - off
    a, b = sorted(rng.uniform(0, p, 2))
    if b - a < p * 0.25:
        b = min(p, a + p * 0.25)
    tilt = rng.normal(0, 1.0)
    if side % 2 == 0:  # horizontal
        p0, p1 = (a, pos), (b, pos + tilt)
    else:
        p0, p1 = (pos, a), (pos + tilt, b)
    m = np.zeros_like(patch)
    sh = 4  # sub-pixel precision for cv2.line
    cv2.line(m, (int(p0[0] * 16), int(p0[1] * 16)), (int(p1[0] * 16), int(p1[1] * 16)),
             float(rng.uniform(0.25, 0.9)), int(rng.integers(1, 3)), cv2.LINE_AA, sh)
    return np.maximum(patch, m)
