"""Cell extraction: dropout of the pink cell colour, one normalised patch per digit cell.

A patch covers the cell plus a margin (so digits that cross the dashed line are kept),
resampled to PATCH x PATCH, as ink density in [0, 1]. Colour pages use the red channel,
in which the pink dropout colour and the white paper are both bright and blue or black
ink is dark; grey pages use the grey level (the model was trained on both).
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_station.recognition.templates import Template

PATCH = 32
MARGIN = 0.12  # of the cell size, each side
WARP = 64  # intermediate resolution before area-resampling to PATCH


def dropout_channel(img: np.ndarray) -> np.ndarray:
    """BGR → red channel; grey stays grey."""
    if img.ndim == 2:
        return img
    return cv2.extractChannel(img, 2)  # contiguous: a strided view would be copied per call


def cell_patch(chan: np.ndarray, H: np.ndarray, rect) -> np.ndarray:
    return region_patch(chan, H, rect, (MARGIN, MARGIN), (PATCH, PATCH), (WARP, WARP))


def region_patch(chan: np.ndarray, H: np.ndarray, rect, margin: tuple[float, float],
                 size: tuple[int, int], warp: tuple[int, int]) -> np.ndarray:
    """The template rectangle ``rect`` (plus ``margin`` of its width and height each side)
    of the page ``chan`` registered by ``H``: warped at ``warp`` (w, h) pixels, then
    area-resampled to ``size`` (w, h)."""
    x, y, w, h = rect
    mx, my = margin[0] * w, margin[1] * h
    sx, sy = (w + 2 * mx) / warp[0], (h + 2 * my) / warp[1]
    T = np.array([[sx, 0, x - mx], [0, sy, y - my], [0, 0, 1]], float)
    p = cv2.warpPerspective(chan, H @ T, warp, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                            borderValue=255)
    return cv2.resize(p, size, interpolation=cv2.INTER_AREA)


def normalise(patches: np.ndarray) -> np.ndarray:
    """uint8 patches (N, P, P) → float32 ink density (N, 1, P, P) in [0, 1]."""
    x = patches.astype(np.float32)
    n = len(x)
    flat = x.reshape(n, -1)
    bg = np.percentile(flat, 90, axis=1)[:, None, None]
    scale = np.maximum(0.55 * bg, 50.0)
    ink = np.clip((bg - x) / scale, 0, 1)
    return ink[:, None, :, :].astype(np.float32)


def extract(img: np.ndarray, H: np.ndarray, t: Template) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """Patches for every cell of every field: (N, 1, P, P) and (field, cell index) keys."""
    chan = dropout_channel(img)
    keys, raw = [], []
    for f in t.fields:
        for i, c in enumerate(f.cells):
            raw.append(cell_patch(chan, H, c))
            keys.append((f.name, i))
    if not raw:
        return np.zeros((0, 1, PATCH, PATCH), np.float32), keys
    return normalise(np.stack(raw)), keys
