"""Printed text that helps: the acta number in its circle, compared with the same box
of the blank form drawn from each candidate template.

Used when the QR cannot be read, to tell apart forms that share a layout (e.g. the
diputación local and ayuntamiento actas differ in one row and in their number).
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_station.recognition.templates import Template

SCALE = 4.0


def number_crop(gray: np.ndarray, H: np.ndarray, t: Template) -> np.ndarray | None:
    box = t.layout.get("number_box")
    if not box:
        return None
    x, y, w, h = box
    T = np.array([[1 / SCALE, 0, x], [0, 1 / SCALE, y], [0, 0, 1]], float)
    size = (round(w * SCALE), round(h * SCALE))
    return cv2.warpPerspective(gray, H @ T, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderValue=255)


_REF: dict[str, np.ndarray] = {}


def _reference(t: Template) -> np.ndarray | None:
    """The number crop of a blank form drawn from its template (local forms only)."""
    if t.layout.get("style") != "prep-local" or not t.layout.get("number_box"):
        return None
    if t.id not in _REF:
        from capture_station.recognition.form import draw_form

        page = np.asarray(draw_form(t, 72 * SCALE).convert("L"))
        _REF[t.id] = number_crop(page, np.eye(3) * [[SCALE], [SCALE], [1]], t)
    return _REF[t.id]


def best_by_number(gray: np.ndarray, H: np.ndarray, cands: list[Template]) -> Template | None:
    """Among forms sharing a layout, the one whose printed acta number matches the page."""
    scores = []
    for t in cands:
        ref = _reference(t)
        crop = number_crop(gray, H, t)
        if ref is None or crop is None:
            continue
        a = cv2.GaussianBlur(crop, (0, 0), 2).astype(np.float32).ravel()
        b = cv2.GaussianBlur(ref, (0, 0), 2).astype(np.float32).ravel()
        a -= a.mean()
        b -= b.mean()
        scores.append((float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-6)), t.id, t))
    if not scores:
        return None
    return max(scores)[2]
