"""The actas on paper: each truth acta filled in by a writer of the recognition deck
(:func:`prep_tools.decks.deck.fill_acta`) on its election's form, then fed through a
simulated sheet-fed scanner at 200 or 300 dpi, some on a dark backing (the deck's own
scanner simulation has only a light one), saved as JPEG.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

import cv2
import numpy as np

from capture_station.recognition.templates import Template, load_templates
from prep_core.catalog import Election
from prep_sim.truth import ILEGIBLE, SIN_DATO, TruthActa
from prep_tools.decks import handwriting as hw
from prep_tools.decks.deck import DeckOptions, fill_acta

LIGHT, DARK = (248, 248, 246), (28, 30, 34)


@dataclass(frozen=True)
class Sheet:
    dpi: int
    backing: str  # light or dark
    writer: str
    grey: bool
    label: str | None = None  # the QR payload stuck on it (None: no label)
    written: bool = False  # section 1 filled in by the officials


def template_for(election: Election, largest: int = 999) -> Template:
    """The form of the election: the repository's template when one is made for it
    (same election id and vote fields), else one laid out for its vote fields with as
    many digit cells per figure as ``largest`` (the largest figure to write) needs."""
    for t in load_templates():
        votes = [f.name for f in t.fields if f.kind == "vote"]
        if t.election == election.id and tuple(votes) == tuple(election.vote_fields):
            return t
    from prep_tools.decks.render import digits_for, local_template

    t = local_template(election.id, election.name, tuple(sorted(election.acta_codes)),
                       election.id_tipo_candidatura, tuple(election.vote_fields),
                       digits_for(largest))
    return replace(t, id=f"simulacro-{election.id.lower()}")


def largest_figure(actas: Iterable[TruthActa]) -> int:
    """The largest figure the actas' paper says (what their form's cells must hold)."""
    return max((v for a in actas for v in (a.values or {}).values() if isinstance(v, int)),
               default=0)


_FORMS: dict[tuple[str, int], np.ndarray] = {}


def blank(t: Template, dpi: int) -> np.ndarray:
    """The blank form: the repository's for its templates, else drawn from ``t``."""
    key = (t.id, dpi)
    if key not in _FORMS:
        if t.id.startswith("simulacro-"):
            from capture_station.recognition.form import draw_form

            _FORMS[key] = np.asarray(draw_form(t, dpi))
        else:
            from prep_tools.decks.render import blank_form

            _FORMS[key] = blank_form(t.id, dpi)
    return _FORMS[key]


@lru_cache(maxsize=4)
def _writers(split: str) -> tuple[hw.Writer, ...]:
    return tuple(hw.writers(split))


def deck_values(t: Template, values: dict[str, int | str]) -> dict[str, int | str]:
    """The truth's values for every field of the form (the sum of persons and
    representatives is written on the form but not captured)."""
    out: dict[str, int | str] = {}
    for f in t.fields:
        if f.name in values:
            out[f.name] = values[f.name]
        elif f.name == "SUMA_PERSONAS_Y_REP":
            a, b = values.get("TOTAL_PERSONAS_VOTARON"), values.get("TOTAL_REP_PARTIDO_CI_VOTARON")
            most = 10 ** len(f.cells) - 1
            out[f.name] = min(most, a + b) if isinstance(a, int) and isinstance(b, int) else SIN_DATO
        else:
            out[f.name] = SIN_DATO
    return out


def scan_sheet(page: np.ndarray, rng: np.random.Generator, backing: tuple[int, int, int],
               grey: bool, quality: int) -> bytes:
    """A sheet-fed scan: a margin of the scanner's backing, a small skew, JPEG."""
    h, w = page.shape[:2]
    m = int(0.03 * w)
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), rng.uniform(-2.0, 2.0), rng.uniform(0.98, 1.02))
    rot[0, 2] += m + rng.uniform(-0.006, 0.006) * w
    rot[1, 2] += m + rng.uniform(-0.006, 0.006) * h
    img = cv2.warpAffine(page, rot, (w + 2 * m, h + 2 * m), flags=cv2.INTER_LINEAR,
                         borderValue=backing)
    img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY if grey else cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise RuntimeError("JPEG encoding failed")
    return buf.tobytes()


def sheet_of(acta: TruthActa, seed: int, *, p300: float = 0.3,
             p_dark: float = 0.25) -> tuple[np.random.Generator, hw.Writer, Sheet]:
    """How an acta is printed and scanned (drawn from its own random stream)."""
    rng = np.random.default_rng([seed, int(acta.clave_acta.encode().hex()[-12:], 16)])
    writers = _writers("eval")
    writer = writers[int(rng.integers(len(writers)))]
    dpi = 300 if rng.random() < p300 else 200
    dark = rng.random() < p_dark
    grey = rng.random() < 0.3
    return rng, writer, Sheet(dpi, "dark" if dark else "light", writer.name, grey)


def print_acta(acta: TruthActa, t: Template, seed: int, *, label: str | None,
               written: dict | None = None, p300: float = 0.3,
               p_dark: float = 0.25) -> tuple[bytes, Sheet]:
    """The scanned image of one acta, and how it was printed and scanned: ``label`` is
    the QR payload stuck on it (the acta's own, a neighbour's, or None for none);
    ``written``, section 1 as the officials filled it in
    (:func:`prep_core.labels.expected_written`)."""
    assert acta.values is not None
    rng, writer, sheet = sheet_of(acta, seed, p300=p300, p_dark=p_dark)
    vals = deck_values(t, acta.values)
    opts = DeckOptions(p_qr_damage=0.0)
    page, _ = fill_acta(t, sheet.dpi, vals, writer, label, rng, opts, form=blank(t, sheet.dpi),
                        written=written)
    sheet = replace(sheet, label=label, written=bool(written and t.identity))
    data = scan_sheet(page, rng, DARK if sheet.backing == "dark" else LIGHT, sheet.grey,
                      int(rng.integers(75, 92)))
    return data, sheet


__all__ = ["ILEGIBLE", "SIN_DATO", "Sheet", "largest_figure", "print_acta", "sheet_of", "template_for"]
