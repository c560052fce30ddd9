"""Registration: the four black corner squares → homography to the template frame.

The four squares are symmetric, so orientation (upright or upside down) and, when no
QR is read, the template itself are decided by comparing the registered page with each
template's fingerprint.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from capture_station.recognition.templates import FINGERPRINT_SCALE, Template, fingerprint_of

MAX_SKEW_DEG = 10.0


@dataclass
class Registration:
    H: np.ndarray  # 3x3, template points -> pixels of the full-resolution image
    template: Template
    upside_down: bool
    score: float  # fingerprint correlation
    skew_deg: float
    scores: dict  # template id -> best correlation
    points: np.ndarray | None = None  # fiducial centres in full-resolution pixels
    small_points: np.ndarray | None = None  # the same centres in the small page's pixels

    def for_template(self, t: Template) -> np.ndarray:
        """The homography for another template with the same corner squares."""
        assert self.points is not None
        return homography(t, self.points, self.upside_down)


def to_full(pts: np.ndarray, small_shape: tuple[int, ...],
            full_shape: tuple[int, ...]) -> np.ndarray:
    """Points (x, y) of the small page → the full page it was area-resized from.

    Pixel centres, not pixel edges, are what scale: a small pixel ``i`` covers full
    pixels ``i / k`` to ``(i + 1) / k``, so its centre is the full page's
    ``(i + 0.5) / k - 0.5``; and each axis has its own factor (the small page's sides are
    rounded apart). Dividing by one ``k`` instead puts a point ``0.5 / k - 0.5`` full
    pixels up and left (1 px at 200 dpi), plus up to half a small pixel's rounding at the
    far side: a shift whose direction turns with the scan, so that upright, upside-down
    and quarter-turned scans had their cells cut a pixel or two apart on the same page."""
    kx = small_shape[1] / full_shape[1]
    ky = small_shape[0] / full_shape[0]
    return (np.asarray(pts, float) + 0.5) / np.array([kx, ky]) - 0.5


# A corner square cut by the scan's edge (a skewed sheet fed a little off the bed) is
# completed from the other three: the page is rigid, its four marks a rectangle. Only
# when the three make a right angle to within RIGHT_ANGLE_COS and the fourth falls where
# a mark is cut by the edge: its centre at most half a mark outside the scan (some of it
# in) and less than a mark inside. A mark missing from inside the page is not completed.
RIGHT_ANGLE_COS = 0.035  # |cos| of the angle at a corner, ≈ 2°


def fourth_at_edge(near: list, side: float, w: int, h: int) -> np.ndarray | None:
    """Corner centres (TL, TR, BL, BR) from ``near`` (each corner's square, or None where
    none was found) when exactly one is missing and it lies across the scan's edge (see
    ``RIGHT_ANGLE_COS``); ``side``: the found squares' side, pixels. Else None."""
    missing = [k for k, p in enumerate(near) if p is None]
    if len(missing) != 1:
        return None
    k = missing[0]
    p = [None if q is None else np.asarray(q, float) for q in near]
    opposite, beside = 3 - k, (k ^ 1, k ^ 2)  # TL0 TR1 BL2 BR3: TL + BR = TR + BL
    p[k] = p[beside[0]] + p[beside[1]] - p[opposite]
    a, b = p[1] - p[0], p[2] - p[0]
    cos = abs(float(a @ b)) / (float(np.linalg.norm(a) * np.linalg.norm(b)) + 1e-9)
    x, y = p[k]
    half = side / 2
    partly_in = -half <= x <= w - 1 + half and -half <= y <= h - 1 + half
    at_edge = min(x, y, w - 1 - x, h - 1 - y) < side
    if cos > RIGHT_ANGLE_COS or not (partly_in and at_edge):
        return None
    return np.array(p, float)


def find_fiducials(small: np.ndarray) -> np.ndarray | None:
    """Centres (TL, TR, BL, BR in image orientation) of the corner squares, in ``small``
    px; a fourth cut by the scan's edge completed from the other three (``fourth_at_edge``)."""
    h, w = small.shape
    thr, _ = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    thr = min(thr, 110)
    m = (small < thr).astype(np.uint8)
    n, _, st, cen = cv2.connectedComponentsWithStats(m, connectivity=8)
    L = max(h, w)
    lo, hi = 0.010 * L, 0.040 * L
    cands = []
    for i in range(1, n):
        _x, _y, bw, bh, a = st[i]
        if lo <= bw <= hi and lo <= bh <= hi and 0.7 < bw / bh < 1.4 and a > 0.75 * bw * bh:
            cands.append((cen[i][0], cen[i][1], bw * bh))
    if len(cands) < 3:
        return None
    c = np.array(cands)
    corners = np.array([(0, 0), (w, 0), (0, h), (w, h)], float)
    near: list = []
    for cx, cy in corners:
        d = np.hypot(c[:, 0] - cx, c[:, 1] - cy)
        j = int(np.argmin(d))
        near.append(j if d[j] <= 0.3 * np.hypot(w, h) else None)
    found = [j for j in near if j is not None]
    if len(set(found)) < len(found):
        return None
    if len(found) == 4:
        return c[near, :2].astype(float)
    side = float(np.sqrt(np.median(c[found, 2])))
    return fourth_at_edge([None if j is None else c[j, :2] for j in near], side, w, h)


def _geometry_ok(pts: np.ndarray, t: Template) -> tuple[bool, float]:
    tl, tr, bl, br = pts
    top, bottom = np.linalg.norm(tr - tl), np.linalg.norm(br - bl)
    left, right = np.linalg.norm(bl - tl), np.linalg.norm(br - tr)
    ft = np.array(t.fiducials)
    ratio_t = np.linalg.norm(ft[1] - ft[0]) / np.linalg.norm(ft[2] - ft[0])
    ratio = (top + bottom) / (left + right + 1e-9)
    skew = float(np.degrees(np.arctan2(tr[1] - tl[1], tr[0] - tl[0])))
    ok = (abs(top - bottom) < 0.06 * top and abs(left - right) < 0.06 * left
          and abs(ratio / ratio_t - 1) < 0.08)
    return ok, skew


def homography(t: Template, pts_px: np.ndarray, upside_down: bool) -> np.ndarray:
    src = np.array(t.fiducials, np.float32)
    dst = pts_px[[3, 2, 1, 0]] if upside_down else pts_px
    return cv2.getPerspectiveTransform(src, dst.astype(np.float32))


def covers(H: np.ndarray, t: Template, shape: tuple[int, ...]) -> bool:
    """Whether everything the reader reads on ``t`` (``Template.read_rects``) lies inside
    a scan of ``shape`` registered by ``H``: a sheet whose corner mark was completed at the
    scan's edge may have lost more than the mark."""
    pts = np.array([(x + dx, y + dy) for x, y, w, h in t.read_rects()
                    for dx, dy in ((0, 0), (w, 0), (0, h), (w, h))], np.float32)
    px = cv2.perspectiveTransform(pts[None], H)[0]
    hh, ww = shape[:2]
    return bool((px >= 0).all() and (px[:, 0] <= ww - 1).all() and (px[:, 1] <= hh - 1).all())


def warp_to_template(img: np.ndarray, H: np.ndarray, t: Template, scale: float) -> np.ndarray:
    """The image resampled into the template frame at ``scale`` pixels per point."""
    S = np.diag([1 / scale, 1 / scale, 1.0])
    size = (round(t.page_w * scale), round(t.page_h * scale))
    return cv2.warpPerspective(img, H @ S, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                               borderValue=255)


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a = a.astype(np.float32).ravel()
    b = b.astype(np.float32).ravel()
    a -= a.mean()
    b -= b.mean()
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-6))


def register(small: np.ndarray, full_shape: tuple[int, ...],
             templates: list[Template]) -> tuple[Registration | None, str]:
    """``small`` is the grey page area-resized from a full page of ``full_shape``.

    Returns a registration against the best-matching template (or None and a reason code).
    """
    pts = find_fiducials(small)
    if pts is None:
        return None, "no_fiducials"
    page_pts = to_full(pts, small.shape, full_shape)
    best: Registration | None = None
    scores: dict[str, float] = {}
    geometry_seen = False
    skew = 0.0
    warped: dict[tuple, np.ndarray] = {}
    for t in templates:
        ok, skew = _geometry_ok(pts, t)
        if not ok:
            continue
        geometry_seen = True
        for ud in (False, True):
            Hs = homography(t, pts, ud)
            key = (t.fiducials, t.page_w, t.page_h, ud)
            if key not in warped:  # templates sharing corner marks share the warp
                warped[key] = fingerprint_of(warp_to_template(small, Hs, t, FINGERPRINT_SCALE))
            score = _corr(warped[key], t.fingerprint) if t.fingerprint is not None else 0.0
            scores[t.id] = max(scores.get(t.id, -1.0), score)
            if best is None or score > best.score:
                best = Registration(homography(t, page_pts, ud), t, ud, score, skew, scores)
    if not geometry_seen:
        return None, "page_size"
    assert best is not None
    if abs(best.skew_deg) > MAX_SKEW_DEG:
        return None, "skew"
    best.scores = scores
    best.points = page_pts
    best.small_points = pts
    return best, ""
