"""Image quality gate: reasons an operator can act on (Spanish first, English beside)."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

QUALITY_WIDTH = 1200  # the gate looks at the page scaled to this width


@dataclass(frozen=True)
class Reason:
    code: str
    es: str
    en: str

    def to_json(self) -> dict:
        return {"code": self.code, "es": self.es, "en": self.en}

    def __str__(self) -> str:
        return f"{self.es} / {self.en}"


REASONS = {
    "not_image": Reason("not_image", "no es una imagen", "not an image"),
    "truncated": Reason("truncated", "archivo de imagen truncado o dañado; vuelva a escanear",
                        "truncated or damaged image file; rescan"),
    "too_small": Reason("too_small", "imagen demasiado pequeña; escanee a 150–300 dpi",
                        "image too small; scan at 150–300 dpi"),
    "too_large": Reason("too_large", "imagen demasiado grande; escanee a 150–300 dpi",
                        "image too large; scan at 150–300 dpi"),
    "blank": Reason("blank", "página en blanco; revise que el acta esté boca abajo en el escáner",
                    "blank page; check the acta lies face down on the scanner"),
    "too_dark": Reason("too_dark", "imagen demasiado oscura; vuelva a escanear",
                       "image too dark; rescan"),
    "too_light": Reason("too_light", "imagen demasiado clara o sin contraste; vuelva a escanear",
                        "image too light or without contrast; rescan"),
    "blurred": Reason("blurred", "imagen borrosa; vuelva a escanear", "image blurred; rescan"),
    "streaks": Reason("streaks", "rayas del escáner; limpie el cristal y vuelva a escanear",
                      "scanner streaks; clean the glass and rescan"),
    "no_fiducials": Reason("no_fiducials",
                           "no se encuentran las cuatro marcas de las esquinas: ¿es un acta completa?",
                           "the four corner marks are not found: is this a whole acta?"),
    "partial": Reason("partial", "falta parte del acta en la imagen; colóquela completa y vuelva a escanear",
                      "part of the acta is missing from the image; lay it whole and rescan"),
    "skew": Reason("skew", "acta demasiado inclinada; enderécela y vuelva a escanear",
                   "acta skewed past correction; straighten it and rescan"),
    "page_size": Reason("page_size", "tamaño de página incorrecto: no es un acta de este proceso",
                        "wrong page size: not an acta of this process"),
    "unknown_form": Reason("unknown_form", "no es un formato de acta conocido",
                           "not a known acta form"),
    "other_election": Reason("other_election", "acta de otra elección: no está en el catálogo",
                             "acta of another election: not in the catalog"),
    "fuera_catalogo": Reason("fuera_catalogo", "QR fuera de catálogo: ninguna casilla aprobada coincide",
                             "QR outside the catalog: no approved casilla matches"),
    "qr_unreadable": Reason("qr_unreadable", "no se pudo leer el QR; capture la clave a mano",
                            "QR could not be read; enter the key by hand"),
    "qr_invalid": Reason("qr_invalid", "el QR no tiene el formato esperado", "QR payload not in the expected layout"),
    "no_model": Reason("no_model", "no hay modelo de dígitos; captura manual",
                       "no digit model; manual capture"),
    "internal": Reason("internal", "error interno al leer el acta; captura manual",
                       "internal error while reading the acta; manual capture"),
}


@dataclass
class Quality:
    ok: bool
    reasons: list[Reason] = field(default_factory=list)
    metrics: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"ok": self.ok, "reasons": [r.to_json() for r in self.reasons],
                "metrics": {k: round(float(v), 4) for k, v in self.metrics.items()}}


def to_quality_size(gray: np.ndarray) -> np.ndarray:
    h, w = gray.shape[:2]
    k = QUALITY_WIDTH / max(h, w)
    if k >= 1:
        return gray
    return cv2.resize(gray, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)


def assess(small: np.ndarray, mask: np.ndarray | None = None) -> Quality:
    """``small``: the grey page scaled so its long side is QUALITY_WIDTH px; ``mask``
    (uint8, 1 = sheet) limits every measure to the sheet, leaving the scanner's backing out."""
    g = small
    if mask is None:
        mask = np.ones(g.shape, np.uint8)
    inside = g[mask > 0]
    if inside.size < 1000:
        inside, mask = g.ravel(), np.ones(g.shape, np.uint8)
    p1, p50, p99 = np.percentile(inside[::4], (1, 50, 99))
    bg = p50
    dark = (g < bg - 60) & (mask > 0)
    ink = float(dark.sum() / max(1, mask.sum()))
    # sharpness: mean of the strongest edges (robust to how much of the page is ink), away
    # from the sheet's own edge
    a = np.abs(cv2.Laplacian(g, cv2.CV_32F))[cv2.erode(mask, np.ones((5, 5), np.uint8)) > 0]
    if a.size < 1000:
        a = np.abs(cv2.Laplacian(g, cv2.CV_32F)).ravel()
    k = max(50, a.size // 200)
    sharp = float(np.mean(np.partition(a, a.size - k)[-k:]))
    # streaks run along the scanner's axes: the share of each row and column of the sheet
    # that is dark (rows and columns mostly outside the sheet are not counted)
    streak = 0.0
    for axis in (0, 1):
        n_in = mask.sum(axis=axis)
        full = n_in >= 0.5 * max(1, n_in.max())
        if full.any():
            share = dark.sum(axis=axis)[full] / n_in[full]
            streak = max(streak, float(share.max()))
    m = {"mean": float(inside.mean()), "p1": float(p1), "p50": float(p50), "p99": float(p99),
         "ink": ink, "sharpness": sharp, "streak": streak}
    reasons = []
    if p99 - p1 < 25 or ink < 0.002:
        reasons.append(REASONS["blank"] if p50 > 120 else REASONS["too_dark"])
    elif p50 < 90:
        reasons.append(REASONS["too_dark"])
    elif p99 - p1 < 70:
        reasons.append(REASONS["too_light"])
    elif sharp < 60:
        reasons.append(REASONS["blurred"])
    if streak > 0.97 and not reasons:
        reasons.append(REASONS["streaks"])
    return Quality(not reasons, reasons, m)
