"""Choosing the auto thresholds on validation rows."""

import math

import pytest

from capture_station.recognition.digits import load_model
from capture_station.recognition.words import HAND_MIN
from prep_tools.training.calibrate import (
    DEFAULT_UNCHECKED,
    auto_stats,
    choose_threshold,
    choose_unchecked_threshold,
    choose_words_threshold,
    error_upper_bound,
)


def _row(writer, fields, from_words=False, hand=(HAND_MIN, 0)):
    """A validation row; one of figures taken from the words comes with ``hand``: (figures
    sure in digits whose words agree, figures whose words say another number)."""
    row = {"writer": writer, "fields": [{"confidence": c, "value": v, "truth": t, "checked": k,
                                         "from_words": from_words} for c, v, t, k in fields]}
    if from_words:
        agree, disagree = hand
        row["fields"] += [{"confidence": 0.999, "value": 7, "truth": 7, "checked": True, "auto": True,
                           "words": 7 if i < agree else 8, "words_confidence": 0.99}
                          for i in range(agree + disagree)]
    return row


def test_upper_bound_without_errors_is_the_rule_of_three():
    assert error_upper_bound(0, 3000) == pytest.approx(1 - 0.05 ** (1 / 3000))
    assert error_upper_bound(0, 3000) == pytest.approx(3 / 3000, rel=0.01)
    assert error_upper_bound(0, 0) == 1.0
    assert error_upper_bound(5, 5) == 1.0


def test_upper_bound_with_errors_matches_the_binomial_tail():
    # Clopper–Pearson: at the bound, seeing ≤ 2 errors in 1,000 has probability 5 %
    b = error_upper_bound(2, 1000)
    tail = sum(math.comb(1000, i) * b ** i * (1 - b) ** (1000 - i) for i in range(3))
    assert tail == pytest.approx(0.05, abs=1e-6)
    assert 0.002 < b < error_upper_bound(3, 1000) < error_upper_bound(3, 500)


def test_checked_threshold_is_the_lowest_that_meets_target_and_every_writer():
    good = [(0.999, 1, 1, True)] * 2000
    # one writer's wrong figure at 0.97: the threshold must rise above it
    rows = [_row("a", good), _row("b", [(0.999, 2, 2, True)] * 400 + [(0.97, 3, 4, True)])]
    thr, st = choose_threshold(rows, target=0.9995, per_writer=0.999)
    assert 0.97 < thr <= 0.999
    assert st["auto_accuracy"] == 1.0
    assert choose_threshold([_row("a", [(0.99, 1, 2, True)] * 10)], target=0.9995) == (1.0, {})


def test_a_writers_error_bound_raises_the_threshold_the_point_rates_allow():
    """Writer b: 2 wrong in 5,000 at 0.8 (99.96 % right, so the point rates pass at
    0.8), but the 95 % bound on 2 in 5,000 is 0.13 % > 0.1 %: the threshold rises above
    the errors, where b has none."""
    a = [(0.999, 1, 1, True)] * 20000
    b = [(0.99, 2, 2, True)] * 4998 + [(0.8, 3, 4, True)] * 2
    rows = [_row("a", a), _row("b", b)]
    thr, st = choose_threshold(rows, target=0.9995, per_writer=0.999)
    assert thr <= 0.8 and st["worst_writer_error_bound"] > 0.001
    thr, st = choose_threshold(rows, target=0.9995, per_writer=0.999, writer_bound=0.001)
    assert 0.8 < thr <= 0.99 and st["worst_writer_error_bound"] <= 0.001


def test_unchecked_threshold_needs_enough_clean_figures():
    checked = [(0.999, 1, 1, True)] * 500
    few = [_row("a", checked + [(0.99, 5, 5, False)] * 1000)]
    thr, st = choose_unchecked_threshold(few, floor=0.98)
    assert thr == DEFAULT_UNCHECKED and st["auto"] is None  # 1,000 clean figures bound the rate at 0.3 %

    many = [_row("a", checked + [(0.99, 5, 5, False)] * 3100 + [(0.97, 5, 6, False)] * 3)]
    thr, st = choose_unchecked_threshold(many, floor=0.98)
    assert thr == pytest.approx(0.98) and st["errors"] == 0 and st["error_upper_bound"] <= 0.001
    # never below the checked threshold, even where the figures below it were right
    assert choose_unchecked_threshold(many, floor=0.995)[0] >= 0.995


def test_auto_stats_apply_each_threshold_to_its_kind_of_figure():
    rows = [_row("a", [(0.99, 1, 1, True), (0.99, 1, 1, False), (0.9999, 2, 2, False)])]
    assert auto_stats(rows, 0.98)["auto_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert auto_stats(rows, 0.98, unchecked=0.98)["auto_rate"] == 1.0


def test_the_committed_model_carries_both_thresholds():
    m = load_model()
    assert m is not None, "the committed digit model does not load"
    assert 0.5 < m.auto_threshold < 1
    assert m.auto_threshold <= m.unchecked_threshold <= 1
    assert m.unchecked_threshold == m.meta.get("unchecked_threshold", DEFAULT_UNCHECKED)


def test_words_threshold_counts_only_figures_taken_from_the_words():
    """Figures read in digits do not vouch for figures taken from the words: 1,000 clean
    words figures bound the error at 0.3 %, so none is ``auto``; with 3,100 of them and the
    wrong ones below 0.93, the threshold sits above those."""
    digits = _row("a", [(0.95, 1, 1, True)] * 20000)
    few = [digits, _row("a", [(0.95, 5, 5, True)] * 1000, from_words=True)]
    thr, _, st = choose_words_threshold(few)
    assert thr == 1.0 and st["tried"]["0.0"]["figures"] == 1000

    words_rows = [_row("a", [(0.95, 5, 5, True)] * 3100 + [(0.92, 5, 6, True)] * 3, from_words=True),
                  _row("b", [(0.99, 5, 5, False)] * 50 + [(0.99, 5, 6, False)] * 50, from_words=True)]
    thr, _, st = choose_words_threshold([digits, *words_rows])
    assert 0.92 < thr <= 0.95 and st["errors"] == 0 and st["error_upper_bound"] <= 0.001
    assert st["figures"] == 3103  # figures no check covers keep their own, stricter rule


def test_words_threshold_holds_every_writer_with_enough_figures():
    """Writer b: 4 wrong of 400 at 0.96: pooled with a's clean 6,000 the bound is met at
    0.96, but b is then 99 % right, so the threshold rises above b's errors."""
    rows = [_row("a", [(0.97, 5, 5, True)] * 6000, from_words=True),
            _row("b", [(0.97, 5, 5, True)] * 396 + [(0.96, 5, 6, True)] * 4, from_words=True)]
    thr, _, st = choose_words_threshold(rows, max_error=0.002)
    assert 0.96 < thr <= 0.97 and st["per_writer"]["b"] == (396, 0)


def test_words_threshold_leaves_out_actas_whose_hand_the_model_misreads():
    """The wrong words figures sit on actas where the words contradict many digits: with
    no disagreement allowed (share 0) they are left out and 3,100 clean figures qualify
    at 0.9; a share that lets those actas in lets their errors in, and it is not taken.
    With the clean ones on actas with one disagreement in twelve, only share 0.1 lets
    them through."""
    misread = _row("a", [(0.97, 5, 6, True)] * 5, from_words=True, hand=(9, 1))
    clean = [_row("a", [(0.9, 5, 5, True)] * 3100, from_words=True)]
    thr, share, st = choose_words_threshold([*clean, misread])
    assert thr <= 0.9 and share == 0.0 and st["auto"] == 3100 and st["errors"] == 0
    assert st["tried"]["0.1"]["threshold"] == 1.0  # the misread acta's 5 errors let in
    misread = _row("a", [(0.97, 5, 6, True)] * 5, from_words=True, hand=(8, 2))
    one_in_twelve = [_row("a", [(0.9, 5, 5, True)] * 3100, from_words=True, hand=(11, 1)), misread]
    thr, share, st = choose_words_threshold(one_in_twelve)
    assert share == 0.1 and st["auto"] == 3100 and st["tried"]["0.05"]["threshold"] == 1.0


def test_words_threshold_counts_figures_the_arithmetic_pins_on_any_hand():
    """On actas whose hand the words model is not seen to read, the figures the arithmetic
    pins still count (as the reader lets them through): 3,100 clean pinned figures
    qualify; unpinned ones on such actas never do."""
    pinned = _row("a", [(0.95, 5, 5, True)] * 3100, from_words=True, hand=(0, 0))
    for f in pinned["fields"]:
        f["pinned"] = True
    thr, _, st = choose_words_threshold([pinned])
    assert thr <= 0.95 and st["auto"] == 3100 and st["errors"] == 0
    loose = _row("a", [(0.95, 5, 5, True)] * 3100, from_words=True, hand=(0, 0))
    thr, _, st = choose_words_threshold([loose])
    assert thr == 1.0


@pytest.mark.parametrize("tool", ["words_threshold", "train_words"])
def test_training_tools_refuse_to_run_without_the_shared_handwriting(tool, tmp_path, monkeypatch):
    """Without ``PREP_SHARED`` the validation decks would lose LetraMarcos and the words
    model its train-split hands (a first run crashed deep in a worker): each tool stops
    at once, naming the folder, before writing anything."""
    import importlib

    from prep_tools.shared import SharedDataMissing

    monkeypatch.delenv("PREP_SHARED", raising=False)
    mod = importlib.import_module(f"prep_tools.training.{tool}")
    with pytest.raises(SharedDataMissing, match="PREP_SHARED"):
        mod.main(["--work", str(tmp_path / "w"), *(["--out", str(tmp_path / "o")] if tool == "train_words" else [])])
    assert not (tmp_path / "o").exists() and not any((tmp_path / "w").glob("*/manifest.jsonl"))
