"""The conditions bench: each condition's deck is the same whichever conditions a run reads."""

from prep_tools.bench.conditions import CONDITIONS, deck_seed


def test_a_conditions_deck_seed_does_not_depend_on_the_conditions_read():
    names = list(CONDITIONS)
    assert deck_seed(20261215, names[0]) == 20261215
    assert deck_seed(20261215, "digits-scribbled") == 20261215 + 1000 * names.index("digits-scribbled")
    assert len({deck_seed(7, n) for n in names}) == len(names)


def test_the_bench_warns_when_its_decks_cannot_be_drawn_with_the_shared_hands(monkeypatch, capsys, tmp_path):
    """Without ``PREP_SHARED`` the decks fall back to MNIST digits and forms drawn from
    their templates: the bench says so before its first line, not afterwards in a number."""
    from prep_tools.bench import conditions

    monkeypatch.delenv("PREP_SHARED", raising=False)
    conditions.main(10, 1, str(tmp_path), ("no-such-condition",), 1)
    assert "PREP_SHARED" in capsys.readouterr().out
    monkeypatch.setenv("PREP_SHARED", str(tmp_path))
    for sub in ("handwriting", "forms"):
        (tmp_path / sub).mkdir()
    conditions.main(10, 1, str(tmp_path), ("no-such-condition",), 1)
    assert "PREP_SHARED" not in capsys.readouterr().out
