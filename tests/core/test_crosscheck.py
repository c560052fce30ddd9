"""The second count (prep_core.crosscheck) against the cut's own code: they agree on the
golden file and on the demo night, and each catches the other when one is wrong."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from prep_core import counting, figures, publication
from prep_core.crosscheck import second_count
from prep_core.derive import derive_actas
from prep_core.events import check_chain
from prep_core.published import read_results_csv
from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings

from . import published_fixture as fixture

GOLDEN = Path(__file__).parent / "data" / "golden-DIP_LOC.csv"
CUT_TIME = datetime(2024, 6, 3, 5, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def night():
    catalog = demo_catalog(300, seed=11)
    readings = [r for e in catalog.elections
                for r in simulate_readings(catalog, e.id, seed=4, progress=0.93)]
    sim = simulate_events(catalog, readings, catd=3, ccv=1, seed=4)
    accepted = [se.event for st, evs in sim.events.items()
                for se in check_chain(evs, sim.keys[st].public_bytes).verified]
    return catalog, list(derive_actas(accepted).values())


def _cuts(catalog, states):
    return [publication.build_cut(catalog, e.id, states, CUT_TIME) for e in catalog.elections]


def test_both_counts_agree_on_the_golden_file():
    cut = fixture.cut()
    sc = second_count(read_results_csv(GOLDEN.read_bytes()), especial_ballots=1000)
    assert sc.header == cut.figures.as_header()
    assert sc.votes == dict(cut.votes)


def test_both_counts_agree_on_the_demo_night(night):
    catalog, states = night
    for cut in _cuts(catalog, states):
        sc = second_count(read_results_csv(cut.csv_bytes))
        assert sc.header == cut.figures.as_header()
        assert sc.votes == dict(cut.votes)
        # the night holds every kind of row the rules tell apart
        assert any(not counted and captured for captured, counted, _ in sc.rows)
        assert any(inconsistent for _, _, inconsistent in sc.rows)


def test_a_cut_that_forgets_excede_is_caught(night, monkeypatch):
    catalog, states = night

    def lenient(votes, limit, **kw):  # the Excede check lost
        return counting.decide(votes, None, **kw)

    monkeypatch.setattr(publication, "decide", lenient)
    caught = 0
    for cut in _cuts(catalog, states):
        sc = second_count(read_results_csv(cut.csv_bytes))
        caught += sc.header != cut.figures.as_header()
    assert caught


def test_a_cut_that_rounds_percentages_is_caught(night, monkeypatch):
    catalog, states = night

    def rounded(part, whole):  # the fourth decimal rounded instead of truncated
        if whole <= 0:
            return Decimal("0.0000")
        return (Decimal(part * 100) / whole).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    monkeypatch.setattr(figures, "truncated_percent", rounded)
    diffs = [
        name
        for cut in _cuts(catalog, states)
        for name, value in second_count(read_results_csv(cut.csv_bytes)).header.items()
        if value != cut.figures.as_header()[name]
    ]
    assert diffs and all(name.startswith("PORCENTAJE") for name in diffs)


def test_a_second_count_that_drops_a_rule_disagrees(night, monkeypatch):
    """The other way round: the second count is checked by the cut."""
    from prep_core import crosscheck

    catalog, states = night
    cut = _cuts(catalog, states)[0]
    real = crosscheck._row_facts

    def no_sin_dato(cells, obs, limit, fuera):
        return real([c for c in cells if c.lower() != "sin dato"] or cells, obs, limit, fuera)

    monkeypatch.setattr(crosscheck, "_row_facts", no_sin_dato)
    sc = second_count(read_results_csv(cut.csv_bytes))
    assert sc.header != cut.figures.as_header()
