"""QR label reading: crop the label box, binarise, pyzbar; OpenCV's detector as fallback."""

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


def read_label(gray: np.ndarray, H: np.ndarray, t: Template) -> tuple[str | None, str]:
    """Read the QR inside the template's label box (registered image)."""
    x, y, w, h = t.qr_box
    mx, my = 0.15 * w, 0.3 * h
    T = np.array([[1, 0, x - mx], [0, 1, y - my], [0, 0, 1]], float)
    S = np.diag([1 / QR_SCALE, 1 / QR_SCALE, 1.0])
    size = (round((w + 2 * mx) * QR_SCALE), round((h + 2 * my) * QR_SCALE))
    crop = cv2.warpPerspective(gray, H @ T @ S, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderValue=255)
    for name, img in _attempts(crop):
        p = _zbar(img)
        if p:
            return p, name
    p = _opencv(crop)
    if p:
        return p, "opencv-aruco"
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

