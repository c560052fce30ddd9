"""Amounts in words: the cells' value distribution, and how the words line moves it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from capture_station.recognition import words
from capture_station.recognition.digits import BLANK, SCRIBBLE
from capture_station.recognition.fields import ILEGIBLE, decode_field
from capture_station.recognition.templates import load_templates


def _cells(*rows: dict[int, float]) -> np.ndarray:
    """(3, 12) cell probabilities from {class: p} per cell; the rest spread evenly."""
    p = np.zeros((3, 12))
    for i, r in enumerate(rows):
        rest = (1.0 - sum(r.values())) / (12 - len(r))
        p[i] = rest
        for c, v in r.items():
            p[i, c] = v
    return p


def _line(value: int | str, sure: float = 0.99) -> words.LineReading:
    """The model's reading of a line that says ``value`` with probability ``sure`` per head."""
    return words.line_readings(_logits(value, sure)[None])[0]


def _logits(value: int | str, sure: float) -> np.ndarray:
    """The model's output (33 log-probabilities) for such a line."""
    z = np.full(words.N_OUT, 0.0)

    def peak(lo: int, n: int, k: int) -> None:
        z[lo: lo + n] = np.log((1 - sure) / (n - 1))
        z[lo + k] = np.log(sure)

    if isinstance(value, int):
        peak(0, 3, words.NUMBER)
        for i, d in enumerate((value // 100, (value // 10) % 10, value % 10)):
            peak(3 + 10 * i, 10, d)
    else:
        peak(0, 3, words.EMPTY if value == "Sin dato" else words.SCRAWL)
    return z


def test_cell_value_probs_match_the_field_decoder():
    rng = np.random.default_rng(3)
    for _ in range(20):
        p = rng.dirichlet(np.full(12, 0.3), size=3)
        values, empty, scrawl = words.cell_value_probs(p)
        for v, pr in decode_field(p, top=12):
            got = values[v] if isinstance(v, int) else empty if v == "Sin dato" else scrawl
            assert got == pytest.approx(pr, rel=1e-9, abs=1e-12)


def test_spellings_are_right_aligned_with_leading_blanks_or_zeros():
    assert {tuple(c) for c, m in zip(words.SPELL[7], words.SPELL_MASK[7], strict=True) if m} == \
        {(BLANK, BLANK, 7), (BLANK, 0, 7), (0, 0, 7)}
    assert words.SPELL_MASK[17].sum() == 2 and words.SPELL_MASK[117].sum() == 1


def test_words_that_agree_make_the_figure_surer():
    p = _cells({BLANK: 0.99}, {1: 0.9, 7: 0.09}, {4: 0.99})  # 14, or 74
    alone = dict(decode_field(p))
    both = dict(words.combine(p, _line(14), 0.5))
    assert both[14] > alone[14] and both.get(74, 0) < alone[74]


def test_words_that_disagree_leave_the_figure_in_doubt():
    p = _cells({BLANK: 0.99}, {1: 0.99}, {4: 0.99})  # the cells are sure of 14
    both = words.combine(p, _line(74), 1.0)
    assert both[0][1] < 0.9  # "setenta y cuatro" in words: no longer sure of either


def test_words_can_name_a_value_the_cells_ranked_low():
    p = _cells({BLANK: 0.99}, {1: 0.55, 7: 0.44}, {4: 0.99})
    top = words.combine(p, _line(74, 0.999), 1.0)[0]
    assert top[0] == 74 and top[1] > 0.99


def test_weight_zero_is_the_cells_alone():
    rng = np.random.default_rng(5)
    p = rng.dirichlet(np.full(12, 0.5), size=3)
    alone = decode_field(p, top=12)
    both = words.combine(p, _line(321), 0.0, top=3)
    assert [v for v, _ in both] == [v for v, _ in alone[:3]]
    assert [x for _, x in both] == pytest.approx([x for _, x in alone[:3]])


def test_an_empty_or_scrawled_line_supports_sin_dato_or_ilegible():
    p = _cells({BLANK: 0.6, 1: 0.4}, {BLANK: 0.6, 1: 0.4}, {BLANK: 0.6, 1: 0.4})
    assert words.combine(p, _line("Sin dato"), 1.0)[0][0] == "Sin dato"
    q = _cells({SCRIBBLE: 0.5, 8: 0.5}, {8: 0.9}, {8: 0.9})
    assert words.combine(q, _line("Ilegible"), 1.0)[0][0] == "Ilegible"
    assert _line("Sin dato").best() == "Sin dato" and _line(905).best() == 905


def test_every_figure_has_its_words_line_cut_out():
    for t in load_templates():
        img = np.full((int(t.page_h * 200 / 72), int(t.page_w * 200 / 72), 3), 255, np.uint8)
        s = 200 / 72
        H = np.diag([s, s, 1.0])
        x, names = words.extract(img, H, t)
        assert x.shape == (len(names), 1, words.LINE_H, words.LINE_W)
        assert names == [f.name for f in t.fields if f.words is not None and len(f.cells) == 3]
        assert len(names) == len(t.fields) and float(x.max()) == 0.0  # a white page: no ink


def test_thresholds_follow_the_words_setting():
    from capture_station.recognition.digits import DigitModel, load_model

    by = {"none": [0.99, 0.995], "words-v1": [0.89, 0.996]}
    m = DigitModel(None, "cells", 1.0, 0.89, {"thresholds_by_words": by}, 0.996)
    assert m.thresholds(None) == (0.99, 0.995) and m.thresholds("words-v1") == (0.89, 0.996)
    assert m.thresholds("words-v9") == (0.89, 0.996)  # never validated: the sidecar's pair
    committed = load_model()
    wm = words.load_words_model()
    if committed is not None and wm is not None:
        assert committed.thresholds(None)[0] > committed.thresholds(wm.name)[0]


def test_scribbled_digits_take_the_words_value_when_the_words_are_sure():
    p = _cells({SCRIBBLE: 0.95}, {SCRIBBLE: 0.9}, {SCRIBBLE: 0.97})
    alone = decode_field(p)
    assert alone[0][0] == "Ilegible"
    sure = _line(217, 0.9999)
    assert sure.sure()[1] >= words.WORDS_SURE
    readings, from_words = words.figure_readings(p, alone, sure, 0.5)
    assert from_words and readings[0][0] == 217 and readings[0][1] == pytest.approx(sure.sure()[1])
    assert len(readings) > 2  # the words' next likeliest numbers, for the arithmetic to weigh
    unsure = _line(217, 0.8)
    assert unsure.sure()[1] < words.WORDS_SURE
    readings, from_words = words.figure_readings(p, alone, unsure, 0.5)
    assert not from_words and readings[0][0] == "Ilegible"
    # words that are not a number leave unreadable digits Ilegible
    readings, from_words = words.figure_readings(p, alone, _line("Ilegible", 0.9999), 0.5)
    assert not from_words and readings[0][0] == "Ilegible"


def test_legible_digits_are_never_replaced_by_the_words():
    p = _cells({BLANK: 0.99}, {1: 0.99}, {4: 0.99})
    readings, from_words = words.figure_readings(p, decode_field(p), _line(74, 0.9999), 0.5)
    assert not from_words and readings == words.combine(p, _line(74, 0.9999), 0.5)


def _field(value, confidence=0.999, auto=True):
    return {"value": value, "confidence": confidence, "auto": auto}


def _known_hand(fields: dict, said: dict, agree: int = words.HAND_MIN) -> None:
    """Figures sure in digits whose words say the same number: a hand the model reads."""
    for i in range(agree):
        fields[f"A{i}"], said[f"A{i}"] = _field(50 + i), (50 + i, 0.99)


def test_words_that_contradict_the_figure_send_it_to_a_person():
    fields = {"PAN": _field(165), "PRI": _field(40), "PT": _field(12), "MC": _field(8),
              "NULOS": _field("Ilegible"), "PRD": _field(217, 0.9999),
              "PES": _field(31, 0.93)}
    said = {"PAN": (265, 0.98), "PRI": (40, 0.99), "PT": (13, words.DISAGREE / 2),
            "MC": ("Sin dato", 0.99), "NULOS": (3, words.DISAGREE / 2), "PRD": (217, 0.9999),
            "PES": (31, 0.93)}
    _known_hand(fields, said, 2 * words.HAND_MIN)
    words.check_words(fields, said, {"PRD", "PES"}, words_auto=0.95, words_hand=0.1)
    assert not fields["PAN"]["auto"] and fields["PAN"]["words_disagree"]
    assert fields["PAN"]["confidence"] == pytest.approx(0.02)
    assert fields["PRI"]["auto"]  # words agree
    assert fields["PT"]["auto"]  # the words are unsure of their own reading
    assert fields["MC"]["auto"]  # no amount in words: nothing contradicts the digits
    assert not fields["NULOS"]["auto"]  # a number in words beside unreadable digits
    assert fields["PRD"]["auto"] and fields["PRD"]["from_words"]
    assert not fields["PES"]["auto"] and fields["PES"]["from_words"]  # below words_auto
    assert all(f["words"] == said[n][0] for n, f in fields.items())


def test_a_figure_taken_from_the_words_is_auto_by_its_own_threshold():
    """The digit model's threshold does not bind a figure taken from the words: a checked
    one is ``auto`` from ``words_auto``; one no check covers needs its own stricter
    threshold too (``auto`` already), and an Ilegible value never is."""
    fields = {"PAN": {**_field(120, 0.93, auto=False), "checked": True},
              "PRI": {**_field(45, 0.93, auto=False), "checked": False},
              "PT": {**_field(9, 0.995, auto=True), "checked": False},
              "MC": {**_field("Ilegible", 0.99, auto=False), "checked": True}}
    said = {n: (f["value"], 0.99) for n, f in fields.items()}
    taken = set(fields)
    _known_hand(fields, said)
    words.check_words(fields, said, taken, words_auto=0.92)
    assert fields["PAN"]["auto"] and not fields["PRI"]["auto"] and fields["PT"]["auto"]
    assert not fields["MC"]["auto"]
    words.check_words(fields, said, {"PAN"}, words_auto=0.94)
    assert not fields["PAN"]["auto"]
    fields["PAN"]["confidence"] = 1.0
    words.check_words(fields, said, {"PAN"}, words_auto=1.0)  # no threshold qualified: never
    assert not fields["PAN"]["auto"] and fields["PAN"]["value"] == 120
    assert all(f["words"] == said[n][0] for n, f in fields.items())


def test_a_figure_taken_from_the_words_waits_for_a_hand_the_model_reads():
    """A figure taken from the words is ``auto`` only when the acta's other figures show
    the model reading this hand: ``HAND_MIN`` agreeing, and no more than the share
    ``words_hand`` of those read surely saying another number; the count is kept."""
    def acta(agree: int, disagree: int) -> dict:
        fields = {"PAN": {**_field(120, 0.99, auto=False), "checked": True}}
        said = {"PAN": (120, 0.99)}
        _known_hand(fields, said, agree)
        for i in range(disagree):
            fields[f"D{i}"], said[f"D{i}"] = _field(10 + i), (20 + i, 0.9)
        fields["U"], said["U"] = _field(7), (8, words.WORDS_SURE / 2)  # unsure words: not counted
        words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1)
        return fields["PAN"]

    assert acta(10, 0)["auto"] and acta(10, 0)["hand"] == [10, 0]
    assert acta(9, 1)["auto"]  # one in ten
    assert not acta(8, 1)["auto"]  # one in nine
    assert not acta(words.HAND_MIN - 1, 0)["auto"]  # too few figures to judge the hand
    assert acta(8, 1)["value"] == 120  # a person sees the words' number
    assert words.hand_known(5, 0, 0.0) and not words.hand_known(50, 1, 0.0)


def _pinning_acta(**over):
    """PAN taken from the words in an acta of unknown hand (too few figures agree); the
    sum PAN + PRI + PT = TOTAL holds over numbers. ``over``: fields replaced."""
    fields = {"PAN": {**_field(120, 0.97, auto=False), "checked": True},
              "PRI": {**_field(45), "checked": True}, "PT": {**_field(9), "checked": True},
              "TOTAL": {**_field(174), "checked": True}, **over}
    said = {"PAN": (120, 0.97)}
    check = {"code": "suma_votos", "ok": True, "complete": True, "fields": ["PAN", "PRI", "PT", "TOTAL"]}
    return fields, said, check


def test_a_figure_the_arithmetic_pins_needs_no_hand():
    """Its value is what the sure digits of the others make it, and its words say so: two
    readings that share no stroke, on any hand. Not when the check failed or said nothing,
    when another figure of it is unsure or taken from the words too, nor below ``words_auto``."""
    fields, said, check = _pinning_acta()
    words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1, checks=[check])
    assert fields["PAN"]["pinned"] and fields["PAN"]["auto"] and fields["PAN"]["hand"] == [0, 0]
    words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1)  # no checks
    assert not fields["PAN"]["pinned"] and not fields["PAN"]["auto"]
    for bad in ({**check, "ok": False}, {**check, "complete": False}):
        fields, said, _ = _pinning_acta()
        words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1, checks=[bad])
        assert not fields["PAN"]["auto"]
    fields, said, check = _pinning_acta(PT={**_field(9, 0.9, auto=False), "checked": True})
    words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1, checks=[check])
    assert not fields["PAN"]["pinned"] and not fields["PAN"]["auto"]
    fields, said, check = _pinning_acta(PT={**_field(9, 0.99, auto=False), "checked": True})
    said["PT"] = (9, 0.99)
    words.check_words(fields, said, {"PAN", "PT"}, words_auto=0.95, words_hand=0.1, checks=[check])
    assert not fields["PAN"]["auto"] and not fields["PT"]["auto"]  # two from words: nothing pinned
    fields, said, check = _pinning_acta()
    words.check_words(fields, said, {"PAN"}, words_auto=0.98, words_hand=0.1, checks=[check])
    assert fields["PAN"]["pinned"] and not fields["PAN"]["auto"]  # 0.97 < words_auto
    # a digit figure whose words contradict it is no longer sure: it pins nothing
    fields, said, check = _pinning_acta()
    said["PRI"] = (46, 0.99)
    words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1, checks=[check])
    assert fields["PRI"]["words_disagree"] and not fields["PAN"]["auto"]
    # a value the arithmetic chose among the words' readings is not the words' own
    fields, said, check = _pinning_acta()
    said["PAN"] = (126, 0.6)
    words.check_words(fields, said, {"PAN"}, words_auto=0.95, words_hand=0.1, checks=[check])
    assert not fields["PAN"]["pinned"] and not fields["PAN"]["auto"]


def _read(values: dict, taken: str, line: list) -> dict:
    """The acta ``values`` (bcs2024-diploc) read with every figure sure in digits but
    ``taken``, whose words line gives ``line`` (its readings) and whose digits are
    scribbled over, through the reader's own steps (``read_fields``, ``check_words``)."""
    from capture_station.recognition.fields import read_fields
    from capture_station.recognition.templates import template_by_id

    t = template_by_id("bcs2024-diploc")
    readings = {n: [(v, 0.9999)] for n, v in values.items()}
    readings[taken] = line
    fields, checks = read_fields(t, readings, 0.953864, 0.983955)
    said = {taken: line[0]}
    words.check_words(fields, said, {taken}, words_auto=0.95, words_hand=0.05, checks=checks)
    return fields[taken]


def _values(blank: str | None = None, left_out: int = 0) -> dict:
    from capture_station.recognition.templates import TOTAL, VOTE, template_by_id

    t = template_by_id("bcs2024-diploc")
    votes = [f.name for f in t.fields if f.kind == VOTE]
    values: dict = {f.name: 5 for f in t.fields}
    for i, n in enumerate(votes):
        values[n] = i % 7
    if blank:
        values[blank] = "Sin dato"
    total = sum(v for n, v in values.items() if n in votes and isinstance(v, int)) + left_out
    values[next(f.name for f in t.fields if f.kind == TOTAL)] = total
    for n in ("TOTAL_VOTOS_SACADOS", "SUMA_PERSONAS_Y_REP"):
        values[n] = total
    values["TOTAL_PERSONAS_VOTARON"], values["TOTAL_REP_PARTIDO_CI_VOTARON"] = total - 5, 5
    return values


def test_the_reader_pins_a_words_figure_only_on_a_sum_over_numbers():
    """End to end through the reader's steps, on an acta whose hand is unknown (no other
    figure has words): a figure taken from its words that the sum of sure digits confirms
    is ``auto``; on an acta with a cell the officials left blank (a figure left out, 2
    votes), the words' second reading that would close the gap is not taken, and the
    figure goes to a person."""
    values = _values()
    f = _read(values, "PRD", [(values["PRD"], 0.9), (values["PRD"] + 2, 0.08)])
    assert f["value"] == values["PRD"] and f["pinned"] and f["auto"]
    values = _values(blank="MC", left_out=2)
    f = _read(values, "PRD", [(values["PRD"], 0.7), (values["PRD"] + 2, 0.25)])
    assert f["value"] == values["PRD"] and not f["pinned"] and not f["auto"]


@pytest.mark.parametrize("meta", [{"words_auto": "0.9"}, {"words_auto": 1.5},
                                  {"words_hand": -0.1}, {"words_hand": True}])
def test_a_malformed_words_sidecar_is_refused_at_load(tmp_path, meta):
    src = words.MODELS_DIR / f"{words.MODEL_NAME}.onnx"
    (tmp_path / "w.onnx").write_bytes(src.read_bytes())
    (tmp_path / "w.json").write_text(json.dumps({"weight": 0.5, **meta}), encoding="utf-8")
    with pytest.raises(ValueError, match="words model sidecar"):
        words.load_words_model(str(tmp_path / "w.onnx"))


def test_shifted_moves_every_line_by_each_shift_and_repeats_its_edges():
    x = np.zeros((2, 1, 6, 9))
    x[0, 0, 2, 4] = 1.0
    x[1, 0, :, 0] = 0.5  # ink along the left edge
    s = words.shifted(x, ((0, 0), (2, 0), (-2, 0), (0, 1), (0, -1)))
    assert s.shape == (10, 1, 6, 9)
    spots = [tuple(np.argwhere(s[2 * k, 0] == 1.0)[0]) for k in range(5)]
    assert spots == [(2, 4), (2, 6), (2, 2), (3, 4), (1, 4)]  # (row, column): right, left, down, up
    assert np.all(s[3, 0, :, :3] == 0.5)  # moved right: the edge's ink is repeated, not lost


def test_a_steady_reading_is_the_mean_of_its_readings():
    one = _logits(14, 0.9)
    same = words.line_readings(words.mean_reading(np.stack([one] * 5), 5))[0]
    assert same.sure()[0] == 14 and same.sure()[1] == pytest.approx(words.line_readings(one[None])[0].sure()[1])
    # two of three readings say 14, one 74: the mean says 14, less surely than either alone
    mixed = words.line_readings(words.mean_reading(np.stack([one, one, _logits(74, 0.9)]), 3))[0]
    assert mixed.sure()[0] == 14 and mixed.sure()[1] < same.sure()[1]


def test_the_model_reads_steadily_only_the_lines_it_is_asked_to():
    wm = words.load_words_model()
    if wm is None:
        pytest.skip("no words model")
    rng = np.random.default_rng(11)
    x = (rng.random((3, 1, words.LINE_H, words.LINE_W)) < 0.05).astype(np.float32)
    plain = wm.read(x)
    marked = wm.read(x, steady=[False, True, False])
    for i in (0, 2):
        assert np.array_equal(marked[i].values, plain[i].values)
    (z,) = wm.session.run(None, {wm.input_name: words.shifted(x[1:2]).astype(np.float32)})
    want = words.line_readings(words.mean_reading(z, len(words.STEADY_SHIFTS)))[0]
    assert np.allclose(marked[1].values, want.values) and not np.allclose(marked[1].values, plain[1].values)


def test_an_acta_with_an_unreadable_figure_is_read_steadily_throughout():
    """``words.steady_lines``: every line of an acta steady when one figure's cells read
    Ilegible (a figure read as a number, Sin dato, or not at all does not count); none
    otherwise."""
    ilegible, number, empty = [(ILEGIBLE, 0.9)], [(14, 0.99)], [("Sin dato", 0.9)]
    assert words.steady_lines([number, ilegible, empty]) == [True, True, True]
    assert words.steady_lines([number, empty, [], number]) == [False] * 4
    assert words.steady_lines([]) == []


def test_the_reader_reads_steadily_the_lines_of_actas_with_unreadable_figures():
    """``reader._read_words`` asks for a steady reading of every line of an acta where
    some figure's cells read Ilegible, and of none where all read."""
    from capture_station.recognition.reader import _read_words
    from capture_station.recognition.templates import template_by_id

    wm = words.load_words_model()
    if wm is None:
        pytest.skip("no words model")
    asked = []

    class Spy:
        weight = wm.weight

        def read(self, x, steady=None):
            asked.append(list(steady or ()))
            return wm.read(x, steady)

    t = template_by_id("bcs2024-diploc")
    s = 200 / 72
    img = np.full((int(t.page_h * s), int(t.page_w * s), 3), 255, np.uint8)
    scribbled = _cells({SCRIBBLE: 0.95}, {SCRIBBLE: 0.9}, {SCRIBBLE: 0.97})
    legible = _cells({BLANK: 0.99}, {1: 0.99}, {4: 0.99})
    per_cell = {f.name: scribbled if f.name in ("PRD", "NULOS") else legible for f in t.fields}
    readings = {n: decode_field(p) for n, p in per_cell.items()}
    _read_words(Spy(), img, np.diag([s, s, 1.0]), t, per_cell, readings)
    clean = {f.name: legible for f in t.fields}
    _read_words(Spy(), img, np.diag([s, s, 1.0]), t, clean, {n: decode_field(p) for n, p in clean.items()})
    n_lines = sum(f.words is not None and len(f.cells) == 3 for f in t.fields)
    assert asked == [[True] * n_lines, [False] * n_lines] and n_lines > 2
