"""The conditions bench: each condition's deck is the same whichever conditions a run reads."""

from prep_tools.bench.conditions import CONDITIONS, deck_seed


def test_a_conditions_deck_seed_does_not_depend_on_the_conditions_read():
    names = list(CONDITIONS)
    assert deck_seed(20261215, names[0]) == 20261215
    assert deck_seed(20261215, "digits-scribbled") == 20261215 + 1000 * names.index("digits-scribbled")
    assert len({deck_seed(7, n) for n in names}) == len(names)
