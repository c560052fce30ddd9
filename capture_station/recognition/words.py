"""Amounts in words ("con letra"): each figure's words line, read by a small CNN in ONNX.

The model (``prep_tools/training/train_words.py``) reads a line as four distributions: what the line
holds (a number in words, nothing, or a scrawl) and, for a number, its hundreds, tens and
units digits ("ciento diecisiete" → 1, 1, 7). The reader joins that evidence to the
figure's digit cells (``combine``): the two are written with different strokes, so a
hand's 1 read as 7 in the cells is rarely "siete" in words as well. Where both can be
read and they disagree, the figure is left to a person (DOMAIN.md §2: both are kept).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from capture_station.recognition import cells
from capture_station.recognition.digits import BLANK, MODELS_DIR, SCRIBBLE, onnx_model
from capture_station.recognition.fields import ILEGIBLE
from capture_station.recognition.templates import Template

MODEL_NAME = "words-v1"
LINE_W, LINE_H = 256, 32  # model input, pixels
LINE_MARGIN = (0.02, 0.12)  # of the words box, each side
LINE_WARP = (512, 64)
NUMBER, EMPTY, SCRAWL = 0, 1, 2  # the line holds: a number, nothing, a scrawl
N_OUT = 3 + 10 + 10 + 10  # kind, hundreds, tens, units
CELLS = 3  # figures of three cells: 0..999
VALUES = np.arange(10 ** CELLS)


def extract(img: np.ndarray, H: np.ndarray, t: Template) -> tuple[np.ndarray, list[str]]:
    """The words line of every field that has one: (N, 1, LINE_H, LINE_W) ink density."""
    chan = cells.dropout_channel(img)
    names, raw = [], []
    for f in t.fields:
        if f.words is not None and len(f.cells) == CELLS:
            raw.append(cells.region_patch(chan, H, f.words, LINE_MARGIN, (LINE_W, LINE_H), LINE_WARP))
            names.append(f.name)
    if not raw:
        return np.zeros((0, 1, LINE_H, LINE_W), np.float32), names
    return cells.normalise(np.stack(raw)), names


def _log_softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


@dataclass(frozen=True)
class LineReading:
    """One words line: log P of each value 0..999, of an empty line, of a scrawl."""

    values: np.ndarray
    empty: float
    scrawl: float

    def best(self) -> int | str:
        return self.sure()[0]

    def sure(self) -> tuple[int | str, float]:
        """The line's likeliest reading (a number, Sin dato or Ilegible) and its probability."""
        k = int(np.argmax(self.values))
        cands = [(k, self.values[k]), ("Sin dato", self.empty), ("Ilegible", self.scrawl)]
        v, lp = max(cands, key=lambda c: c[1])  # ties: the number, then an empty line
        return v, float(np.exp(lp))

    def readings(self, top: int = 4) -> list[tuple[int | str, float]]:
        """The line on its own as a figure's readings: its ``top`` likeliest numbers, and
        Ilegible for an empty or scrawled line, by probability."""
        order = np.argsort(-self.values)[:top]
        out = [(int(k), float(np.exp(self.values[k]))) for k in order]
        out.append(("Ilegible", float(np.exp(self.empty) + np.exp(self.scrawl))))
        return sorted(out, key=lambda r: -r[1])


HEADS = ((0, 3), (3, 13), (13, 23), (23, 33))  # kind, hundreds, tens, units: columns of the output


def head_log_probs(logits: np.ndarray) -> np.ndarray:
    """(N, 33) model output → the same with each head's log-probabilities."""
    z = np.asarray(logits, np.float64)
    return np.concatenate([_log_softmax(z[:, a:b]) for a, b in HEADS], axis=1)


def line_readings(logits: np.ndarray) -> list[LineReading]:
    """(N, 33) model output → one ``LineReading`` per line."""
    out = []
    for z in head_log_probs(np.reshape(logits, (-1, N_OUT))):
        kind, h, te, u = (z[a:b] for a, b in HEADS)
        v = kind[NUMBER] + h[VALUES // 100] + te[(VALUES // 10) % 10] + u[VALUES % 10]
        out.append(LineReading(v, float(kind[EMPTY]), float(kind[SCRAWL])))
    return out


# A line read on its own pixels only, and the same line moved by a pixel or two: the
# model's readings of these differ, and their mean (per head, in log-probabilities) is
# right more often and surer when right. Used on actas where a figure's value can only
# come from its words (its cells unreadable), where one reading alone decides: every line
# of such an acta (``steady_lines``). Chosen on validation
# lines only (the 32,820 words lines of the val-words-10 deck, words-v1): right 87.5 % of
# lines read once, 91.8 % with these five; at P ≥ 0.8, 58.9 % of lines with 50 wrong
# once, 63.0 % with 12 wrong. ±1 px across or ±2 px down, and scales of ±3 %, did worse.
STEADY_SHIFTS = ((0, 0), (2, 0), (-2, 0), (0, 1), (0, -1))  # (across, down), pixels


def shifted(x: np.ndarray, shifts=STEADY_SHIFTS) -> np.ndarray:
    """(N, 1, H, W) lines → (len(shifts) × N, 1, H, W): every line moved by each shift in
    turn (shift-major), its edge pixels repeated where it moves away from an edge."""
    m = max(max(abs(dx), abs(dy)) for dx, dy in shifts)
    h, w = x.shape[-2:]
    pad = np.pad(x, ((0, 0), (0, 0), (m, m), (m, m)), mode="edge")
    return np.concatenate([pad[:, :, m - dy: m - dy + h, m - dx: m - dx + w] for dx, dy in shifts])


def mean_reading(logits: np.ndarray, k: int) -> np.ndarray:
    """(k × N, 33) outputs of k readings of N lines (shift-major) → (N, 33): each head's
    mean log-probabilities over the k."""
    z = head_log_probs(logits)
    return z.reshape(k, -1, N_OUT).mean(axis=0)


def _spellings() -> tuple[np.ndarray, np.ndarray]:
    """Every well-formed way three cells spell each value (right-aligned, leading blanks
    or zeros: "__7", "_07", "007"): classes (1000, 3, CELLS) and a mask (1000, 3)."""
    cls = np.full((len(VALUES), CELLS, CELLS), BLANK, np.int64)
    mask = np.zeros((len(VALUES), CELLS), bool)
    for v in VALUES:
        s = str(v)
        lead = CELLS - len(s)
        for j in range(lead + 1):  # j leading blanks, then zeros, then the digits
            cls[v, j] = [BLANK] * j + [0] * (lead - j) + [int(c) for c in s]
            mask[v, j] = True
    return cls, mask


SPELL, SPELL_MASK = _spellings()


def cell_value_probs(p: np.ndarray) -> tuple[np.ndarray, float, float]:
    """(CELLS, 12) cell probabilities → P(each value 0..999 is written), P(all blank),
    P(some cell scribbled)."""
    per = p[np.arange(CELLS)[None, None, :], SPELL].prod(axis=2)  # (1000, 3)
    values = (per * SPELL_MASK).sum(axis=1)
    return values, float(np.prod(p[:, BLANK])), float(1.0 - np.prod(1.0 - p[:, SCRIBBLE]))


def combine(cell_p: np.ndarray, line: LineReading, weight: float, top: int = 6) -> list[tuple[int | str, float]]:
    """A figure's readings from its cells and its words: P(value | cells) × P(value |
    words)^``weight``, over every value 0..999, Sin dato and Ilegible, normalised to the
    cells' own well-formed mass (as ``fields.decode_field`` gives it). ``weight`` < 1
    tempers words written in a hand the model does not know."""
    values, empty, scrawl = cell_value_probs(cell_p)
    mass = float(values.sum() + empty + scrawl)
    lw = np.concatenate([line.values, [line.empty, line.scrawl]]) * weight
    joint = np.concatenate([values, [empty, scrawl]]) * np.exp(lw - lw.max())
    z = float(joint.sum())
    if z <= 0 or mass <= 0:
        return [("Ilegible", 0.0)]
    joint *= mass / z
    order = np.argsort(-joint)[:top]
    names = {len(VALUES): "Sin dato", len(VALUES) + 1: "Ilegible"}
    return [(names.get(int(k), int(k)), float(joint[k])) for k in order]


# Chosen on validation writers only (never the evaluation decks): see RECOGNITION.md.
# A words line that reads a number at least this surely and names another value than the
# figure's reading puts the figure in doubt: a person looks at it.
DISAGREE = 0.5
# A figure whose cells are unreadable (scribbled over) takes the number its words say when
# the words line reads it at least this surely (more likely than anything else); otherwise
# a person reads it, and either way the words' number is its reading. Such a figure is
# ``auto`` when, after the acta's arithmetic, its confidence reaches a threshold of its own,
# chosen per words model on validation figures taken from the words
# (``calibrate.choose_words_threshold``, the sidecar's ``words_auto``): the digit model's
# thresholds were chosen for figures read in digits and words together. A figure no check
# covers must reach its own (stricter) threshold as well. WORDS_AUTO, for a model without
# a choice, is 1.0: never ``auto``.
WORDS_SURE = 0.5
WORDS_AUTO = 1.0
# The words model reads some hands far worse than others (a cursive it never saw). A figure
# taken from the words alone is ``auto`` only on an acta whose other figures show that the
# model reads this hand: at least HAND_MIN of them sure in digits with words that agree, and
# at most a share ``words_hand`` (chosen with ``words_auto``; WORDS_HAND for a model
# without a choice) of those the words read surely saying another number.
HAND_MIN = 5
WORDS_HAND = 0.0


def unreadable(cells_alone: list) -> bool:
    """Whether a figure's cells, read on their own (``fields.decode_field``), are Ilegible."""
    return bool(cells_alone) and cells_alone[0][0] == ILEGIBLE


def steady_lines(cells_alone: list[list]) -> list[bool]:
    """Which of an acta's words lines to read steadily (``STEADY_SHIFTS``), given each
    line's figure's cells read on their own: all of them when any figure's cells are
    unreadable, else none. Such a figure's value can only come from its words, and
    whether it may be ``auto`` rests on the acta's other lines too (``hand_read``: the
    model is seen to read this hand), so those are read as steadily as it is; the other
    figures gain as well (on the validation decks with one figure in ten scribbled over,
    figures read in digits ``auto`` 113,265 with 0 wrong instead of 112,129 with 3).
    An acta whose cells all read pays for no second reading."""
    marks = [unreadable(c) for c in cells_alone]
    return [any(marks)] * len(marks)


def figure_readings(cell_p: np.ndarray, cells_alone: list, line: LineReading,
                    weight: float) -> tuple[list[tuple[int | str, float]], bool]:
    """A figure's readings from its cells' probabilities ``cell_p`` (``cells_alone``:
    their own readings, ``fields.decode_field``) and its words ``line``, and whether the
    value is the words' alone. Cells read as Ilegible whose words say a number surely
    (``WORDS_SURE``) take the words' own readings (the acta is legible "con letra": the
    number, as sure as the words are, and the words' next likeliest numbers for the acta's
    arithmetic to weigh); otherwise the two are joined (``combine``)."""
    v, p = line.sure()
    if unreadable(cells_alone) and isinstance(v, int) and p >= WORDS_SURE:
        return line.readings(), True
    return combine(cell_p, line, weight), False


def hand_read(fields) -> tuple[int, int]:
    """How the words model reads the hand of an acta, judged on its figures read in digits
    (field dicts with ``value``, ``auto``, ``words``, ``words_confidence``, ``from_words``):
    (figures ``auto`` whose words say their number at least ``WORDS_SURE`` surely,
    figures whose words say another number that surely)."""
    agree = disagree = 0
    for f in fields:
        v, value = f.get("words"), f.get("value")
        if f.get("from_words") or not isinstance(v, int) or not isinstance(value, int) \
                or f.get("words_confidence", 0.0) < WORDS_SURE:
            continue
        if v != value:
            disagree += 1
        elif f.get("auto"):
            agree += 1
    return agree, disagree


def hand_known(agree: int, disagree: int, most_wrong: float) -> bool:
    """Whether an acta's hand (``hand_read``) is one the words model is seen to read: at
    least ``HAND_MIN`` figures agreeing, and at most ``most_wrong`` of those it read
    saying another number."""
    return agree >= HAND_MIN and disagree <= most_wrong * (agree + disagree)


def pinned(n: str, fields: dict[str, dict], checks) -> bool:
    """Whether figure ``n`` (taken from its words) is pinned by the acta's arithmetic: its
    value is the words' own first reading, a check over numbers (``complete``: no blank,
    no Ilegible) that holds covers it, and every other figure of that check is ``auto``
    and read in digits. Its value is then what the digits of the others make it, and its
    words say so too: two readings that do not share a stroke. Two figures taken from the
    words in one check pin nothing (each can be wrong by as much as the other), nor does a
    value the arithmetic chose among the words' readings."""
    f = fields[n]
    return f.get("words") == f["value"] and any(
        c.get("ok") and c.get("complete") and n in c.get("fields", ())
        and all(fields[m].get("auto") and not fields[m].get("from_words")
                for m in c["fields"] if m != n and m in fields)
        for c in checks)


def eligible(fields, share: float) -> list[dict]:
    """An acta's figures taken from the words (field dicts) that may be ``auto`` when their
    confidence reaches ``words_auto``: the acta's hand is one the words model reads
    (``hand_known`` with ``share``), or the arithmetic pins them (``pinned``, kept in the
    field)."""
    fields = list(fields)
    known = hand_known(*hand_read(fields), share)
    return [f for f in fields if f.get("from_words") and (known or f.get("pinned"))]


def check_words(fields: dict[str, dict], said: dict[str, tuple[int | str, float]],
                from_words: set[str], words_auto: float = WORDS_AUTO,
                words_hand: float = WORDS_HAND, checks=()) -> None:
    """Record what each words line says (``words``, ``words_confidence``) and take
    ``auto`` from a figure its words contradict: a line that reads a number at least
    ``DISAGREE`` surely and another value than the figure's, or any number beside
    unreadable cells (a figure legible in words is not Ilegible). ``from_words``: figures
    whose value is the words' own (``figure_readings``), marked ``from_words``, are
    ``auto`` from ``words_auto`` (a figure no check covers only if it already was), and
    only on an acta whose hand the words model reads (``hand_known`` with ``words_hand``;
    the count is kept under ``hand``) or where the acta's ``checks`` pin them
    (``pinned``, kept as ``pinned``); at ``words_auto`` 1.0, never: they go to a person
    with the words' value."""
    for n, (v, p) in said.items():
        f = fields[n]
        f["words"], f["words_confidence"] = v, round(p, 6)
        if n in from_words:
            f["from_words"] = True
            continue
        number = isinstance(v, int)
        if number and v != f["value"] and (p >= DISAGREE or f["value"] == "Ilegible"):
            f["auto"] = False
            f["words_disagree"] = True
            f["confidence"] = round(min(f["confidence"], 1.0 - p), 6)
    agree, disagree = hand_read(fields.values())
    for n in from_words & said.keys():
        f = fields[n]
        f["hand"] = [agree, disagree]
        f["pinned"] = pinned(n, fields, checks)
    ok = {id(f) for f in eligible(fields.values(), words_hand)}
    for n in from_words & said.keys():
        f = fields[n]
        own = f["auto"] or f.get("checked", True)
        sure = words_auto < 1.0 and f["confidence"] >= words_auto  # 1.0: never
        f["auto"] = bool(own and isinstance(f["value"], int) and sure and id(f) in ok)


def _share(meta: dict, key: str, default: float) -> float:
    """``meta[key]``, a number from 0 to 1 (``default`` when absent)."""
    v = meta.get(key, default)
    if isinstance(v, bool) or not isinstance(v, int | float) or not 0.0 <= v <= 1.0:
        raise ValueError(f"words model sidecar: {key} must be a number from 0 to 1, not {v!r}")
    return float(v)


@dataclass
class WordsModel:
    session: object
    input_name: str
    weight: float
    meta: dict
    #: as chosen on validation for this model (its sidecar's ``words_auto`` and
    #: ``words_hand``, checked at load), else ``WORDS_AUTO`` and ``WORDS_HAND``: the
    #: ``auto`` threshold of figures taken from these words alone, and the largest share of
    #: an acta's figures whose words may disagree with their digits for such a figure to be
    #: ``auto``
    words_auto: float = WORDS_AUTO
    words_hand: float = WORDS_HAND

    @property
    def name(self) -> str:
        return str(self.meta.get("name", MODEL_NAME))

    def read(self, x: np.ndarray, steady: list[bool] | None = None) -> list[LineReading]:
        """Each line's reading; the lines marked ``steady`` read with ``STEADY_SHIFTS``."""
        if len(x) == 0:
            return []
        (z,) = self.session.run(None, {self.input_name: x.astype(np.float32)})
        z = np.asarray(z, np.float64)
        idx = [i for i, s in enumerate(steady or ()) if s]
        if idx:  # the line as cut (STEADY_SHIFTS[0]) is read above: only the moved ones again
            moved = shifted(x[idx], STEADY_SHIFTS[1:]).astype(np.float32)
            (zs,) = self.session.run(None, {self.input_name: moved})
            z[idx] = mean_reading(np.concatenate([z[idx], zs]), len(STEADY_SHIFTS))
        return line_readings(z)


WARM_LINES = 32  # words lines of a large acta: the batch the model is warmed on at load


@lru_cache(maxsize=2)
def load_words_model(path: str | None = None) -> WordsModel | None:
    """The committed words model (or ``path``; ``PREP_WORDS_MODEL=off`` for none)."""
    path = path or os.environ.get("PREP_WORDS_MODEL")
    if path == "off":
        return None
    loaded = onnx_model(Path(path) if path else MODELS_DIR / f"{MODEL_NAME}.onnx", WARM_LINES)
    if loaded is None:
        return None
    sess, meta = loaded
    return WordsModel(sess, sess.get_inputs()[0].name, float(meta.get("weight", 0.5)), meta,
                      _share(meta, "words_auto", WORDS_AUTO), _share(meta, "words_hand", WORDS_HAND))
