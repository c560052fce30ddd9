"""Acta templates as data (``resources/templates/*.json``).

All geometry is in PDF points (1/72 in), origin at the top-left corner of the page.
A template holds: the page size, the centres of the four corner fiducials (TL, TR,
BL, BR), the QR label box, and per field its three digit cells and its words line.
``fingerprint`` is a coarse grid of the blank page's mean grey level (0..255), used to
tell orientation and to pick a template when the QR cannot be read.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

FORMAT = "prep-acta-template/1"
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "resources" / "templates"

Rect = tuple[float, float, float, float]  # x, y, w, h in points

# field kinds
VOTE = "vote"  # a vote field of the election (parties, combinations, NO_REGISTRADAS, NULOS)
TOTAL = "total"  # TOTAL_VOTOS_ASENTADO
FIGURE = "figure"  # the other published figures (boletas sobrantes, personas, ...)
EXTRA = "extra"  # written on the acta, used in cross-checks, not published


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: str
    cells: tuple[Rect, ...]
    words: Rect | None
    label: str = ""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    election: str  # election id in the catalog (e.g. "PRES", "DIP_LOC", "AYUN")
    tipo_acta: tuple[str, ...]  # acta codes this form is used for
    id_tipo_candidatura: int
    page_w: float
    page_h: float
    fiducials: tuple[tuple[float, float], ...]  # TL, TR, BL, BR centres
    fiducial_size: float
    qr_box: Rect
    fields: tuple[FieldSpec, ...]
    fingerprint: np.ndarray | None = None  # (rows, cols) uint8
    source: str = ""
    layout: dict = field(default_factory=dict)  # drawing hints for the renderer
    # the casilla's identification as the officials write it (``identity.py``): digit
    # cells "seccion", "numero", "demarcacion" (lists of rects) and "tipo" (casilla type
    # → the box its X goes in); {} for a form whose identification is not read
    identity: dict = field(default_factory=dict)

    @property
    def vote_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.kind == VOTE)

    def read_rects(self) -> list[Rect]:
        """Every rectangle the reader reads on this form: digit cells, words lines and the
        casilla's written identification."""
        rects = [c for f in self.fields for c in f.cells] + [f.words for f in self.fields if f.words]
        for v in self.identity.values():
            rects += list(v.values()) if isinstance(v, dict) else list(v)
        return rects

    def field(self, name: str) -> FieldSpec:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def to_json(self) -> dict:
        doc = {
            "format": FORMAT,
            "id": self.id,
            "name": self.name,
            "election": self.election,
            "tipo_acta": list(self.tipo_acta),
            "id_tipo_candidatura": self.id_tipo_candidatura,
            "source": self.source,
            "units": "pt",
            "page": {"width": self.page_w, "height": self.page_h},
            "fiducials": {"size": self.fiducial_size, "centres": [list(p) for p in self.fiducials]},
            "qr_box": list(self.qr_box),
            "fields": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "label": f.label,
                    "cells": [list(c) for c in f.cells],
                    "words": list(f.words) if f.words else None,
                }
                for f in self.fields
            ],
            "layout": self.layout,
        }
        if self.identity:
            doc["identity"] = self.identity
        if self.fingerprint is not None:
            rows, cols = self.fingerprint.shape
            doc["fingerprint"] = {
                "rows": rows,
                "cols": cols,
                "data": self.fingerprint.astype(int).ravel().tolist(),
            }
        return doc


def _rect(v) -> Rect:
    x, y, w, h = (float(t) for t in v)
    return (x, y, w, h)


def template_from_json(doc: dict) -> Template:
    if doc.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} document")
    fp = None
    if doc.get("fingerprint"):
        f = doc["fingerprint"]
        fp = np.array(f["data"], dtype=np.uint8).reshape(f["rows"], f["cols"])
    return Template(
        id=doc["id"],
        name=doc["name"],
        election=doc["election"],
        tipo_acta=tuple(doc["tipo_acta"]),
        id_tipo_candidatura=int(doc["id_tipo_candidatura"]),
        page_w=float(doc["page"]["width"]),
        page_h=float(doc["page"]["height"]),
        fiducials=tuple((float(x), float(y)) for x, y in doc["fiducials"]["centres"]),
        fiducial_size=float(doc["fiducials"]["size"]),
        qr_box=_rect(doc["qr_box"]),
        fields=tuple(
            FieldSpec(
                name=f["name"],
                kind=f["kind"],
                cells=tuple(_rect(c) for c in f["cells"]),
                words=_rect(f["words"]) if f.get("words") else None,
                label=f.get("label", ""),
            )
            for f in doc["fields"]
        ),
        fingerprint=fp,
        source=doc.get("source", ""),
        layout=doc.get("layout", {}),
        identity=_identity_geometry(doc.get("identity") or {}),
    )


def _identity_geometry(doc: dict) -> dict:
    """The ``identity`` block with every rect as a tuple (``Template.identity``)."""
    out: dict = {}
    for k, v in doc.items():
        if k == "tipo":
            out[k] = {t: _rect(r) for t, r in v.items()}
        else:
            out[k] = [_rect(r) for r in v]
    return out


def load_template(path: str | Path) -> Template:
    with open(path, encoding="utf-8") as fh:
        return template_from_json(json.load(fh))


def save_template(t: Template, path: str | Path) -> None:
    Path(path).write_text(json.dumps(t.to_json(), ensure_ascii=False, indent=1) + "\n",
                          encoding="utf-8")


@lru_cache(maxsize=4)
def _load_dir(directory: str) -> tuple[Template, ...]:
    out = []
    for p in sorted(Path(directory).glob("*.json")):
        out.append(load_template(p))
    return tuple(out)


EXTRA_TEMPLATES_ENV = "PREP_TEMPLATES"


def load_templates(directory: str | Path | None = None) -> tuple[Template, ...]:
    """Every template in ``directory``, sorted by file name. By default the
    project's (``resources/templates``), then those of the folder named by
    ``PREP_TEMPLATES`` when set: forms an institute adds (a drill replaying another
    election's database uses it; these are outside ``prep integrity``'s hash)."""
    if directory is not None:
        return _load_dir(str(directory))
    extra = os.environ.get(EXTRA_TEMPLATES_ENV)
    return _load_dir(str(TEMPLATES_DIR)) + (_load_dir(extra) if extra else ())


def figure_digits(election_id: str, directory: str | Path | None = None) -> int:
    """The digit cells of a figure on the election's forms (the most any of its forms
    gives a figure); three, as INE's forms, when no form is known."""
    cells = [len(f.cells) for t in load_templates(directory) if t.election == election_id
             for f in t.fields]
    return max(cells, default=3)


def template_by_id(template_id: str, directory: str | Path | None = None) -> Template:
    for t in load_templates(directory):
        if t.id == template_id:
            return t
    raise KeyError(template_id)


FINGERPRINT_SCALE = 0.6  # pixels per point of the registered low-resolution page
FP_ROWS, FP_COLS = 24, 36


def fingerprint_of(page_pt_gray: np.ndarray) -> np.ndarray:
    """Coarse grid of a page already registered to the template frame (any scale)."""
    import cv2

    return cv2.resize(page_pt_gray, (FP_COLS, FP_ROWS), interpolation=cv2.INTER_AREA)
