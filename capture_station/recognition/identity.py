"""The identification written in the acta's first section, against its label.

The officials write the demarcación, the sección and the casilla number in digit cells
like the figures' (read by the same model) and mark the casilla type with an X in one
of its boxes (the box with the most ink, above the blank form's own, wins). Each part is
a distribution over what it may say; the label's identity is then weighed against every
acta of the same election in the catalog (or, without one, against the best reading of
each part): ``agrees`` is true when the label's share of that weight is at least
``AGREE``, null when the sección was not written or cannot be read, else false.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from capture_station.recognition import cells
from capture_station.recognition.fields import ILEGIBLE, SIN_DATO, decode_field
from capture_station.recognition.templates import Template
from prep_core.labels import WrittenIdentity, expected_written, identity_of
from prep_core.qr import QrIdentity

NUMBER_PARTS = ("demarcacion", "seccion", "numero")
FLOOR = 1e-4  # a value the cells did not spell at all is this likely (a misread cell)
MARK_GAIN = 40.0  # P(type k) ∝ exp(MARK_GAIN × ink above the blank box); none ∝ exp(GAIN × MARK_NONE)
MARK_NONE = 0.04
AGREE = 0.02  # the label's share above which the acta agrees: the log-midpoint of the gap on the
# validation deck (wrong labels ≤ 0.0006, right ones ≥ 0.73; docs/RECOGNITION.md)


@dataclass
class WrittenReading:
    """Each part's readings (value, probability), most likely first; ``tipo`` by mark."""

    parts: dict[str, list[tuple[int | str, float]]] = field(default_factory=dict)
    _dicts: dict[str, dict] = field(default_factory=dict, repr=False)

    def best(self) -> WrittenIdentity:
        def num(part: str) -> int | None:
            rs = self.parts.get(part)
            return rs[0][0] if rs and isinstance(rs[0][0], int) else None

        rs = self.parts.get("tipo")
        tipo = rs[0][0] if rs and rs[0][0] != SIN_DATO else None
        return WrittenIdentity(num("demarcacion"), num("seccion"), tipo if isinstance(tipo, str) else None,
                               num("numero"))

    def p(self, part: str, value) -> float:
        """How likely ``part`` says ``value`` (1 when the form lacks the part)."""
        d = self._dicts.get(part)
        if d is None:
            rs = self.parts.get(part)
            if rs is None:
                return 1.0
            d = self._dicts[part] = dict(rs)
        return max(d.get(value, 0.0), FLOOR)

    def legible(self) -> bool:
        rs = self.parts.get("seccion")
        return bool(rs) and isinstance(rs[0][0], int)


def read_written(chan: np.ndarray, H: np.ndarray, t: Template, model) -> WrittenReading | None:
    """Section 1 of the page ``chan`` (dropout channel) registered by ``H``; None when the
    form has no identification the reader knows."""
    geo = t.identity
    if not geo or model is None:
        return None
    out = WrittenReading()
    rects, owners = [], []
    for part in NUMBER_PARTS:
        for r in geo.get(part, ()):
            rects.append(r)
            owners.append(part)
    if rects:
        x = cells.normalise(np.stack([cells.cell_patch(chan, H, r) for r in rects]))
        probs, _ = model.read(x)
        for part in NUMBER_PARTS:
            idx = [i for i, o in enumerate(owners) if o == part]
            if idx:
                out.parts[part] = decode_field(probs[idx])
    if geo.get("tipo"):
        out.parts["tipo"] = _marks(chan, H, geo["tipo"])
    return out


def _marks(chan: np.ndarray, H: np.ndarray, boxes: dict) -> list[tuple[int | str, float]]:
    """The type boxes' X: a distribution over the marks and ``SIN_DATO`` (none marked)."""
    names = list(boxes)
    patches = np.stack([cells.region_patch(chan, H, boxes[n], (0.05, 0.05), (24, 24), (48, 48))
                        for n in names])
    ink = cells.normalise(patches)[:, 0].mean(axis=(1, 2))
    z = MARK_GAIN * np.append(ink, MARK_NONE)
    e = np.exp(z - z.max())
    p = e / e.sum()
    out: list[tuple[int | str, float]] = [(n, float(v)) for n, v in zip(names, p[:-1], strict=True)]
    out.append((SIN_DATO, float(p[-1])))
    return sorted(out, key=lambda kv: -kv[1])


def _weight(w: WrittenReading, e: WrittenIdentity) -> float:
    return _weight_of(w, (e.demarcacion, e.seccion, e.tipo, e.numero))


def _weight_of(w: WrittenReading, parts: tuple) -> float:
    dem, sec, tipo, num = parts
    return (w.p("demarcacion", dem if dem is not None else SIN_DATO) * w.p("seccion", sec)
            * w.p("tipo", tipo) * w.p("numero", num if num is not None else SIN_DATO))


_WRITTEN: dict[tuple[str, str], tuple[tuple, ...]] = {}


def _candidates(catalog, election: str) -> tuple[tuple, ...]:
    """What section 1 of each acta of ``election`` says (distinct), cached per catalog."""
    key = (catalog.fingerprint, election)
    got = _WRITTEN.get(key)
    if got is None:
        seen = {}
        for a in catalog.expected_actas(election):
            e = expected_written(identity_of(a))
            seen[(e.demarcacion, e.seccion, e.tipo, e.numero)] = None
        got = _WRITTEN[key] = tuple(seen)
    return got


def label_share(w: WrittenReading, label: QrIdentity, catalog=None) -> float:
    """The label's share of the weight of every identity the writing could be: with a
    catalog, the actas of the label's election; without, the label and the best reading."""
    own = _weight(w, expected_written(label))
    if catalog is not None:
        acta = catalog.acta(label.clave_acta)
        if acta is not None:
            total = sum(_weight_of(w, c) for c in _candidates(catalog, acta.election.id))
            return own / max(total, own)
    best = w.best()
    alt = _weight(w, best) if best != expected_written(label) else 0.0
    return own / (own + alt) if own + alt > 0 else 0.0


def compare(w: WrittenReading | None, label: QrIdentity | None, catalog=None) -> dict:
    """``{"label", "written", "agrees", "share"}``: ``agrees`` None when there is no label,
    no identification on the form, or the sección cannot be read."""
    from prep_core.qr import format_qr

    doc: dict = {"label": format_qr(label) if label is not None else None,
                 "written": w.best().to_json() if w is not None else None, "agrees": None}
    if w is None or label is None:
        return doc
    if not w.legible():
        doc["unreadable"] = {"es": "la sección escrita en el acta no se puede leer",
                             "en": "the sección written on the acta cannot be read"}
        return doc
    share = label_share(w, label, catalog)
    doc["share"] = round(share, 6)
    doc["agrees"] = bool(share >= AGREE)
    return doc


__all__ = ["AGREE", "ILEGIBLE", "WrittenReading", "compare", "label_share", "read_written"]
