"""``prep bench national`` on a small country: the simulated night through the real
ingest and cut, checked against the truth by the drill's independent count."""

import io

from prep_core.values import Mark
from prep_demo.sim import SimActa
from prep_tools.bench.national import run, truth_of


def test_a_small_night_matches_its_truth() -> None:
    out = io.StringIO()
    assert run(60, ("DIP_LOC", "AYUN"), out=out) == 0, out.getvalue()
    text = out.getvalue()
    assert text.count("coincide con la verdad / matches the truth") == 2
    assert "sin diferencias / no differences" in text


def test_an_especial_beyond_its_ballots_is_judged_with_the_catalogs_ballots() -> None:
    """Every paper exceeds its casilla's limit, the especial's too: the check counts the
    published rows again knowing each especial's approved ballots (without them an
    especial's Excede looked counted, and the party totals differed from the truth)."""
    out = io.StringIO()
    assert run(200, ("DIP_LOC",), out=out, rates={"excede": 1.0}) == 0, out.getvalue()
    assert "coincide con la verdad / matches the truth" in out.getvalue()


def test_the_truth_keeps_the_papers_marks() -> None:
    t = truth_of([SimActa("X", {"PAN": Mark.ILEGIBLE, "PRI": 3}), SimActa("Y", None, 2)],
                 {"X": "DIP_LOC"})
    assert t.actas[0].values == {"PAN": "Ilegible", "PRI": 3} and t.actas[0].election == "DIP_LOC"
    assert t.actas[1].values is None and t.actas[1].sin_acta_cause == 2
