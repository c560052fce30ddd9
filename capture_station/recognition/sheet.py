"""Where the sheet lies in a scan: the page, not the scanner bed.

Sheet-fed scanners often have a black (or grey) backing plate, and pages come in a few
degrees skewed or a quarter turn round. :func:`find_sheet` tells the paper from the
backing on the page scaled for the quality gate: when the image's border is clearly
darker than its paper, the largest bright region is the sheet and its rotated rectangle
is taken; otherwise (white lid, a page cropped by the scanner's software) the whole image
is the sheet. The gate then judges only the pixels inside it, the reader turns a portrait
scan of a landscape form a quarter round, and registration sees the backing as white.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

DARK_BACKING = 60  # grey levels between the border and the paper for a backing to count
MIN_SHEET = 0.2  # of the image's area: a smaller bright region is not taken for the sheet
BRIDGE = 17  # px of the small image: dark lines thinner than this do not split the sheet
INSET = 0.015  # of the sheet's short side: what the gate leaves out along the sheet's edges


@dataclass(frozen=True)
class Sheet:
    corners: np.ndarray  # TL, TR, BR, BL of the sheet in the small image's pixels
    backing: str  # "dark" (sheet found against it) or "none" (the whole image is the sheet)
    touches_edge: bool  # the sheet runs off the image on some side

    @property
    def width(self) -> float:
        c = self.corners
        return float((np.linalg.norm(c[1] - c[0]) + np.linalg.norm(c[2] - c[3])) / 2)

    @property
    def height(self) -> float:
        c = self.corners
        return float((np.linalg.norm(c[3] - c[0]) + np.linalg.norm(c[2] - c[1])) / 2)

    @property
    def portrait(self) -> bool:
        return self.height > 1.15 * self.width

    @property
    def aspect(self) -> float:
        """Long side over short side."""
        return max(self.width, self.height) / max(1.0, min(self.width, self.height))

    def mask(self, shape: tuple[int, int], inset: float = INSET) -> np.ndarray:
        """uint8 mask (1 inside) of the sheet shrunk by ``inset`` of its short side."""
        c = self.corners.astype(np.float32)
        centre = c.mean(axis=0)
        d = inset * min(self.width, self.height)
        shrunk = []
        for p in c:
            v = centre - p
            # move each corner inwards along both of its sides' normals (≈ along the diagonal)
            shrunk.append(p + v / (np.linalg.norm(v) + 1e-6) * d * 1.414)
        m = np.zeros(shape, np.uint8)
        cv2.fillConvexPoly(m, np.round(np.array(shrunk)).astype(np.int32), 1)
        return m


def _order(pts: np.ndarray) -> np.ndarray:
    s = pts.sum(axis=1)
    d = pts[:, 0] - pts[:, 1]
    return np.array([pts[np.argmin(s)], pts[np.argmax(d)], pts[np.argmax(s)], pts[np.argmin(d)]],
                    np.float32)


def whole(shape: tuple[int, int]) -> Sheet:
    h, w = shape
    return Sheet(np.array([(0, 0), (w - 1, 0), (w - 1, h - 1), (0, h - 1)], np.float32), "none", True)


def find_sheet(small: np.ndarray) -> Sheet:
    """The sheet in ``small`` (grey, long side ≈ 1200 px)."""
    h, w = small.shape
    b = max(3, min(h, w) // 100)
    ring = np.concatenate([small[:b].ravel(), small[-b:].ravel(), small[:, :b].ravel(),
                           small[:, -b:].ravel()])
    border = float(np.median(ring))
    paper = float(np.percentile(small[::3, ::3], 90))
    if paper - border < DARK_BACKING:
        return whole((h, w))
    bright = (small > (border + paper) / 2).astype(np.uint8)
    # a scanner streak across the sheet must not cut it in two
    bright = cv2.morphologyEx(bright, cv2.MORPH_CLOSE, np.ones((BRIDGE, BRIDGE), np.uint8))
    n, labels, st, _ = cv2.connectedComponentsWithStats(bright, connectivity=4)
    if n < 2:
        return whole((h, w))
    i = 1 + int(np.argmax(st[1:, cv2.CC_STAT_AREA]))
    if st[i, cv2.CC_STAT_AREA] < MIN_SHEET * h * w:
        return whole((h, w))
    x, y, bw, bh = (int(v) for v in st[i, :4])
    touches = x <= 1 or y <= 1 or x + bw >= w - 1 or y + bh >= h - 1
    comp = (labels[y: y + bh, x: x + bw] == i).astype(np.uint8)
    contours, _ = cv2.findContours(comp, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    cnt = max(contours, key=cv2.contourArea) + np.array([x, y], np.int32)
    box = cv2.boxPoints(cv2.minAreaRect(cnt))
    return Sheet(_order(box), "dark", touches)


def whiten_backing(small: np.ndarray, sheet: Sheet) -> np.ndarray:
    """``small`` with everything outside the sheet set to white (what registration sees)."""
    if sheet.backing == "none":
        return small
    m = sheet.mask(small.shape, inset=0.0)
    out = small.copy()
    out[m == 0] = 255
    return out
