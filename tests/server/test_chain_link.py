"""The server's chain linking agrees with the domain's check_chain on valid events."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from prep_core.events import GENESIS, EventLog, Kind, check_chain
from prep_core.events import link_chain as link
from prep_core.signing import KeyPair

KEY = KeyPair.generate()
LOG = EventLog("CATD01", KEY, "c" * 64)
EVENTS = [LOG.append(Kind.ACOPIO, f"0300{i:02d}B01006", 1_000 + i, "op", {}) for i in range(12)]
OTHER = EventLog("CATD01", KEY, "c" * 64)
FORKS = [OTHER.append(Kind.ACOPIO, "030099B01006", 5_000 + i, "op", {}) for i in range(12)]


@settings(max_examples=200, deadline=None)
@given(
    picks=st.lists(st.integers(0, 11), max_size=20),
    forks=st.lists(st.integers(0, 11), max_size=2),
    after=st.integers(0, 4),
)
def test_link_matches_check_chain(picks, forks, after) -> None:
    evs = [EVENTS[i] for i in picks] + [FORKS[i] for i in forks]
    head = EVENTS[after - 1].hash if after else GENESIS
    ours = link(evs, after_seq=after, after_hash=head)
    theirs = check_chain(evs, KEY.public_bytes, after_seq=after, after_hash=head)
    assert [e.hash for e in ours.verified] == [e.hash for e in theirs.verified]
    assert [e.hash for e in ours.held] == [e.hash for e in theirs.held]
    assert bool(ours.errors) == bool(theirs.errors)


def test_check_wires_inline_and_in_workers() -> None:
    from sync_server.services.chain import PARALLEL_FROM, check_wires

    log = EventLog("CATD02", KEY, "c" * 64)
    evs = [log.append(Kind.ACOPIO, "030001B01006", i, "op", {}) for i in range(PARALLEL_FROM + 10)]
    wires = [se.to_wire() for se in evs]
    wires[7]["sig"] = wires[6]["sig"]
    wires[9] = {"event": 1}
    for workers in (1, 2):
        got = check_wires(KEY.public_bytes, wires, workers)
        assert [c.signature_ok for c in got[:8]] == [True] * 7 + [False]
        assert got[9].error is not None and got[8].digest == evs[8].hash
        assert all(c.signature_ok for c in got[10:])
