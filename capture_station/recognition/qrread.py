"""QR label reading: crop the label box, binarise, pyzbar; OpenCV's detector as fallback.

A damaged label (a scratch or a fold through a finder pattern) defeats the detectors,
which must first find the three finder squares. The last resort uses what the
registration already knows, where the label is: it locates the code's square in the
crop, samples its module grid for each plausible QR version, redraws the fixed function
patterns (finders, timing, alignment) and decodes the clean re-drawn symbol; the data
modules themselves are left to the code's own error correction (level Q on the labels).
"""

from __future__ import annotations

import cv2
import numpy as np

from capture_station.recognition.register import warp_to_template
from capture_station.recognition.templates import Template

try:
    from pyzbar import pyzbar
    from pyzbar.pyzbar import ZBarSymbol

    _SYMBOLS = [ZBarSymbol.QRCODE]
except Exception:  # pragma: no cover - libzbar missing
    pyzbar = None
    _SYMBOLS = None

QR_SCALE = 3.0  # px per point in the label crop (≈216 dpi)
_aruco = None


def _zbar(img: np.ndarray) -> str | None:
    if pyzbar is None:
        return None
    try:
        res = pyzbar.decode(img, symbols=_SYMBOLS)
    except Exception:
        return None
    for r in res:
        try:
            return r.data.decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def _opencv(img: np.ndarray) -> str | None:
    global _aruco
    try:
        if _aruco is None:
            _aruco = cv2.QRCodeDetectorAruco()
        text, _, _ = _aruco.detectAndDecode(img)
        return text or None
    except cv2.error:
        return None


def _attempts(crop: np.ndarray):
    yield "zbar", crop
    _, b = cv2.threshold(cv2.GaussianBlur(crop, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    yield "zbar-otsu", b
    yield "zbar-adaptive", cv2.adaptiveThreshold(crop, 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                                 cv2.THRESH_BINARY, 31, 10)
    big = cv2.resize(crop, None, fx=1.6, fy=1.6, interpolation=cv2.INTER_CUBIC)
    yield "zbar-x1.6", big
    yield "zbar-closed", cv2.morphologyEx(b, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))


# --------------------------------------------------------------------------- grid repair
REPAIR_VERSIONS = (2, 1, 3)  # INE's payload fits version 2 at level Q; 1 and 3 for other lengths
MODULE_PX = 6  # pixels per module in the re-drawn symbol


def _quad(crop: np.ndarray) -> np.ndarray | None:
    """Corners (TL, TR, BR, BL) of the QR square inside a label crop, or None.

    Thin strokes (the label's frame, most scratches) are opened away, the modules closed
    into one solid square and protrusions (a scratch running past the code) cut off.
    """
    h = crop.shape[0]
    blur = cv2.GaussianBlur(crop, (3, 3), 0)
    _, ink = cv2.threshold(blur, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    k1, k2 = max(3, round(h / 40)) | 1, max(5, round(h / 24)) | 1
    solid = cv2.morphologyEx(ink, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k1, k1)))
    cnts, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    solid = cv2.drawContours(np.zeros_like(solid), cnts, -1, 255, cv2.FILLED)
    solid = cv2.morphologyEx(solid, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (k2, k2)))
    cnts, _ = cv2.findContours(solid, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    best, best_area = None, 0.0
    for c in cnts:
        (_, _), (bw, bh), _ = rect = cv2.minAreaRect(c)
        if min(bw, bh) < 0.25 * h or not 0.8 < bw / bh < 1.25 or bw * bh < best_area:
            continue
        best, best_area = rect, bw * bh
    if best is None:
        return None
    box = cv2.boxPoints(best)
    s, d = box.sum(1), box[:, 0] - box[:, 1]  # the label is near upright after registration
    return np.array([box[np.argmin(s)], box[np.argmax(d)], box[np.argmax(s)], box[np.argmin(d)]],
                    np.float32)


def _function_mask(v: int) -> tuple[np.ndarray, np.ndarray]:
    """(is-function-module, dark) for QR version ``v`` (finders, separators, timing,
    the alignment pattern of versions 2–6, the dark module)."""
    n = 17 + 4 * v
    fixed = np.zeros((n, n), bool)
    dark = np.zeros((n, n), bool)
    finder = np.ones((7, 7), bool)
    finder[1:6, 1:6] = False
    finder[2:5, 2:5] = True
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        fixed[max(0, r - 1): r + 8, max(0, c - 1): c + 8] = True  # with the separator
        dark[r: r + 7, c: c + 7] = finder
    fixed[6, 8: n - 8] = fixed[8: n - 8, 6] = True
    dark[6, 8: n - 8:2] = dark[8: n - 8:2, 6] = True
    if 2 <= v <= 6:
        a = n - 7
        ring = np.ones((5, 5), bool)
        ring[1:4, 1:4] = False
        ring[2, 2] = True
        fixed[a - 2: a + 3, a - 2: a + 3] = True
        dark[a - 2: a + 3, a - 2: a + 3] = ring
    fixed[n - 8, 8] = dark[n - 8, 8] = True
    return fixed, dark


def _redrawn(crop: np.ndarray, quad: np.ndarray, v: int) -> np.ndarray:
    """The symbol sampled on a version-``v`` grid inside ``quad``, function patterns
    re-drawn, rendered black on white with a quiet zone."""
    n = 17 + 4 * v
    side = n * 8
    dst = np.array([[0, 0], [side, 0], [side, side], [0, side]], np.float32)
    sq = cv2.warpPerspective(crop, cv2.getPerspectiveTransform(quad, dst), (side, side),
                             flags=cv2.INTER_AREA, borderValue=255)
    means = sq.reshape(n, 8, n, 8)[:, 2:6, :, 2:6].mean(axis=(1, 3)).astype(np.uint8)
    thr, _ = cv2.threshold(means, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bits = means < thr
    fixed, dark = _function_mask(v)
    bits[fixed] = dark[fixed]
    img = np.where(bits, 0, 255).astype(np.uint8)
    img = cv2.copyMakeBorder(img, 4, 4, 4, 4, cv2.BORDER_CONSTANT, value=255)
    return cv2.resize(img, None, fx=MODULE_PX, fy=MODULE_PX, interpolation=cv2.INTER_NEAREST)


def repair(crop: np.ndarray) -> str | None:
    """Decode a damaged code by re-drawing its function patterns (see module doc)."""
    quad = _quad(crop)
    if quad is None:
        return None
    c = quad.mean(0)
    for v in REPAIR_VERSIONS:
        for shrink in (0.0, 0.5, -0.5):  # module fractions: the quad edge may be off
            q = quad + (c - quad) * (shrink / (17 + 4 * v)) * 2
            p = _zbar(_redrawn(crop, q.astype(np.float32), v))
            if p:
                return p
    return None


def read_label(gray: np.ndarray, H: np.ndarray, t: Template) -> tuple[str | None, str]:
    """Read the QR inside the template's label box (registered image)."""
    x, y, w, h = t.qr_box
    mx, my = 0.15 * w, 0.3 * h
    T = np.array([[1, 0, x - mx], [0, 1, y - my], [0, 0, 1]], float)
    S = np.diag([1 / QR_SCALE, 1 / QR_SCALE, 1.0])
    size = (round((w + 2 * mx) * QR_SCALE), round((h + 2 * my) * QR_SCALE))
    crop = cv2.warpPerspective(gray, H @ T @ S, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderValue=255)
    return read_label_crop(crop)


def read_label_crop(crop: np.ndarray) -> tuple[str | None, str]:
    """Read the QR in a label crop (upright, ≈216 dpi): detectors first, then the repair."""
    for name, img in _attempts(crop):
        p = _zbar(img)
        if p:
            return p, name
    p = _opencv(crop)
    if p:
        return p, "opencv-aruco"
    p = repair(crop)
    if p:
        return p, "grid-repair"
    return None, ""


def read_page(gray: np.ndarray) -> tuple[str | None, str]:
    """Fallback when the page could not be registered: search the whole page."""
    h, w = gray.shape
    k = min(1.0, 2000 / max(h, w))
    g = cv2.resize(gray, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else gray
    p = _zbar(g)
    if p:
        return p, "zbar-page"
    _, b = cv2.threshold(cv2.GaussianBlur(g, (3, 3), 0), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    p = _zbar(b)
    if p:
        return p, "zbar-page-otsu"
    p = _opencv(g)
    return (p, "opencv-aruco-page") if p else (None, "")


__all__ = ["read_label", "read_page", "warp_to_template"]

