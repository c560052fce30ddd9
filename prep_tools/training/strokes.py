"""Pen-trajectory digits: a training-only glyph source with many more hands than fonts give.

Every digit is drawn as pen strokes (lines, arcs, curves) in a unit box, in one of the
shapes people write it in (a 1 with or without a flag and a foot, a 7 with or without a
bar across, an open or closed 4, a 9 with a straight or a curled tail…). A *hand* fixes
the shapes, slant, width, roundness and pen of all its digits, as a person does; every
glyph then wobbles on its own. Rendered anti-aliased as a float ink mask like the other
sources in ``train_digits.GlyphPool``. Nothing here runs or ships at run time.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

Stroke = np.ndarray  # (n, 2) points, x right, y down, in the unit box


@dataclass(frozen=True)
class Hand:
    slant: float  # shear: x += slant * (0.5 - y)
    aspect: float  # width / height of the digit box
    pen: float  # stroke width, fraction of the glyph height
    round: float  # 0 = angular, 1 = round
    wobble: float  # amplitude of the smooth per-glyph distortion
    shapes: tuple[int, ...]  # per digit, which of its shapes this hand writes

    @staticmethod
    def random(rng: np.random.Generator) -> Hand:
        return Hand(slant=float(rng.normal(0.12, 0.16)), aspect=float(rng.uniform(0.5, 0.95)),
                    pen=float(rng.uniform(0.05, 0.15)), round=float(rng.uniform(0, 1)),
                    wobble=float(rng.uniform(0.01, 0.05)),
                    shapes=tuple(int(rng.integers(SHAPES[d])) for d in range(10)))


def _arc(cx, cy, rx, ry, a0, a1, n=40) -> Stroke:
    t = np.radians(np.linspace(a0, a1, n))
    return np.stack([cx + rx * np.cos(t), cy + ry * np.sin(t)], 1)


def _line(*pts) -> Stroke:
    out = [np.linspace(pts[i], pts[i + 1], 12) for i in range(len(pts) - 1)]
    return np.concatenate(out)


def _bez(p0, c, p1, n=30) -> Stroke:
    t = np.linspace(0, 1, n)[:, None]
    p0, c, p1 = map(np.asarray, (p0, c, p1))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t ** 2 * p1


SHAPES = (3, 4, 3, 2, 3, 2, 2, 4, 2, 3)


def strokes(d: int, shape: int, r: float, j) -> list[Stroke]:
    """The strokes of digit ``d`` in ``shape``; ``r`` roundness; ``j(s)`` a jitter of size s."""
    if d == 0:
        over = 360 + j(25) + (15 if shape == 2 else 0)
        rx = 0.32 if shape == 1 else 0.42  # a narrow 0 or a round one
        return [_arc(0.5 + j(0.03), 0.5, rx + j(0.05), 0.48, -100 + j(20), -100 + over, 60)]
    if d == 1:
        top = (0.58 + j(0.05), 0.02)
        out = [_line(top, (0.5 + j(0.05), 0.98))]
        if shape in (1, 2, 3):
            out.append(_line((0.26 + j(0.08), 0.3 + j(0.1)), top))
        if shape == 3:
            out.append(_line((0.28 + j(0.05), 0.98), (0.75 + j(0.05), 0.98)))
        return out
    if d == 2:
        arc = _arc(0.5, 0.3, 0.38 + j(0.04), 0.27, 190 + j(15), 370 + 20 * r + j(10))
        end = arc[-1]
        if shape == 1:  # a small loop where the diagonal meets the base
            return [np.concatenate([arc, _bez(end, (0.3, 0.7), (0.12, 0.95)),
                                    _arc(0.2, 0.88, 0.09, 0.08, 90, 360 + 60, 20),
                                    _line((0.26, 0.95), (0.95 + j(0.04), 0.96))])]
        mid = (0.45 + j(0.05), 0.62) if shape == 2 else None
        diag = _bez(end, mid, (0.06, 0.97)) if mid else _line(end, (0.06 + j(0.04), 0.97))
        return [np.concatenate([arc, diag, _line((0.06, 0.97), (0.95 + j(0.04), 0.97 + j(0.02)))])]
    if d == 3:
        low = _arc(0.47, 0.72, 0.42 + j(0.04), 0.26, -100, 150 + j(15))
        if shape == 1:  # flat top: ─ then a diagonal into the lower bowl
            return [np.concatenate([_line((0.1, 0.03), (0.88 + j(0.04), 0.03), (0.42 + j(0.05), 0.44)), low])]
        up = _arc(0.47, 0.27, 0.36 + j(0.04), 0.24, 200 + j(15), 450)
        return [np.concatenate([up, low])]
    if d == 4:
        x = 0.68 + j(0.05)
        bar_y = 0.66 + j(0.05)
        if shape == 0:  # closed: one stroke down-left, across; then the upright
            return [_line((x, 0.02), (0.06, bar_y), (0.96, bar_y)), _line((x, 0.25 + j(0.1)), (x, 0.98))]
        if shape == 1:  # open top
            return [_line((0.2 + j(0.05), 0.02), (0.12, bar_y), (0.95, bar_y)), _line((x, 0.06), (x, 0.98))]
        # closed, the upright from the top
        return [_line((x - 0.1, 0.03), (0.06, bar_y), (0.96, bar_y)), _line((x, 0.03), (x, 0.98))]
    if d == 5:
        bowl = _arc(0.47 + j(0.03), 0.68, 0.4 + j(0.04), 0.29, -150 + j(10), 150 + j(15))
        down = _line((0.24 + j(0.05), 0.04), (0.2 + j(0.05), 0.46))
        bar = _line((0.24, 0.04), (0.88 + j(0.05), 0.03 + j(0.03)))
        if shape == 0:
            return [np.concatenate([down, bowl]), bar]
        return [np.concatenate([bar[::-1], down, bowl])]
    if d == 6:
        loop = _arc(0.5, 0.71, 0.36 + j(0.04), 0.27, 180, 180 + 360 + j(15))
        stem = _bez((0.78 + j(0.05), 0.03), (0.2 + 0.1 * r + j(0.05), 0.12), (0.14, 0.71))
        if shape == 1:
            stem = _line((0.7 + j(0.05), 0.02), (0.14, 0.71))
        return [np.concatenate([stem, loop])]
    if d == 7:
        bar = _line((0.06, 0.05 + j(0.02)), (0.94, 0.04 + j(0.02)))
        c = (0.6 + j(0.08) + 0.08 * r, 0.45)
        diag = _bez((0.94, 0.04), c, (0.38 + j(0.08), 0.98))
        out = [np.concatenate([bar, diag])]
        if shape in (1, 3):
            out.append(_line((0.3 + j(0.05), 0.52 + j(0.05)), (0.85 + j(0.05), 0.5 + j(0.05))))
        if shape in (2, 3):
            out[0] = np.concatenate([_line((0.06, 0.2 + j(0.05)), (0.06, 0.05)), out[0]])
        return out
    if d == 8:
        if shape == 0:
            return [_arc(0.5, 0.26, 0.3 + j(0.04), 0.24, 0, 360), _arc(0.5, 0.73, 0.4 + j(0.04), 0.26, 0, 360)]
        top = _arc(0.5, 0.26, 0.3, 0.24, 90, 360 + 90 - 5)  # one stroke: S down, back up
        s = _bez((0.5, 0.5), (0.05, 0.72), (0.5, 0.98))
        b = _bez((0.5, 0.98), (0.98, 0.72), (0.5, 0.5))
        return [np.concatenate([top, s, b])]
    # 9
    loop = _arc(0.5, 0.3, 0.37 + j(0.04), 0.27, 0, 360 + j(20))
    x = loop[0, 0]
    if shape == 0:
        tail = _line((x, 0.3), (x - 0.05 + j(0.05), 0.98))
    elif shape == 1:
        tail = _bez((x, 0.3), (x, 0.98), (0.3 + j(0.05), 0.95))
    else:
        tail = _bez((x, 0.3), (x - 0.1, 0.7), (0.45 + j(0.1), 0.98))
    return [np.concatenate([loop, tail])]


def render(d: int, rng: np.random.Generator, hand: Hand | None = None, size: int = 64) -> np.ndarray:
    """A float ink mask (0..1) of digit ``d`` in ``hand`` (a random one if None)."""
    hand = hand or Hand.random(rng)

    def j(s: float) -> float:
        return float(rng.normal(0, s / 2))

    parts = strokes(d, hand.shapes[d], hand.round, j)
    ph = rng.uniform(0, 2 * np.pi, 4)
    f = rng.uniform(0.8, 2.0, 2)
    w = hand.wobble
    h = size
    wd = max(8, int(round(size * hand.aspect)))
    m = int(np.ceil(hand.pen * h)) + 4 + int(abs(hand.slant) * wd * 0.6)
    canvas = np.zeros((h + 2 * m, wd + 2 * m + int(abs(hand.slant) * h)), np.uint8)
    scale = 8  # sub-pixel precision for cv2.polylines
    for s in parts:
        x, y = s[:, 0].copy(), s[:, 1].copy()
        x += w * np.sin(2 * np.pi * f[0] * y + ph[0]) + j(0.01)
        y += w * np.sin(2 * np.pi * f[1] * x + ph[1])
        x = x + hand.slant * (0.5 - y)
        px = (m + abs(hand.slant) * h * 0.5 + x * wd) * scale
        py = (m + y * h) * scale
        pts = np.round(np.stack([px, py], 1)).astype(np.int32)
        t = max(1, int(round(hand.pen * h * rng.uniform(0.85, 1.15))))
        cv2.polylines(canvas, [pts], False, 255, t, cv2.LINE_AA, shift=3)
    g = canvas.astype(np.float32) / 255.0
    ys, xs = np.nonzero(g > 0.05)
    return g[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]


def montage(rng: np.random.Generator, hands: int = 12) -> np.ndarray:
    """One row of 0–9 per random hand, for looking at."""
    rows = []
    for _ in range(hands):
        hand = Hand.random(rng)
        cells = []
        for d in range(10):
            g = render(d, rng, hand)
            c = np.zeros((80, 80), np.float32)
            k = min(70 / g.shape[0], 70 / g.shape[1])
            g = cv2.resize(g, (max(1, int(g.shape[1] * k)), max(1, int(g.shape[0] * k))))
            y0, x0 = (80 - g.shape[0]) // 2, (80 - g.shape[1]) // 2
            c[y0: y0 + g.shape[0], x0: x0 + g.shape[1]] = g
            cells.append(c)
        rows.append(np.hstack(cells))
    return (255 - np.vstack(rows) * 255).astype(np.uint8)
