"""States kept between cuts (services/kept.py): a cut derives again only the actas
with events stored since the last one (and those a change of the rule of
independent readers touches), and what it keeps is what a derivation of every
stored event from nothing gives."""

from __future__ import annotations

import hashlib

from prep_core.derive import Status
from prep_core.events import EventLog, Kind, digitalizacion
from prep_core.signing import KeyPair
from prep_demo.sim import Night
from sync_server.services import cuts, ingest
from sync_server.services.kept import KeptStates
from sync_server.services.stations import set_permissions
from tests.server.helpers import acta_png, batch, enroll_all, images_for, readings_for


def _from_nothing(live) -> KeptStates:  # type: ignore[no-untyped-def]
    with live.ctx.store.read() as conn:
        return KeptStates.build(conn)


def _assert_same_as_from_nothing(live) -> None:  # type: ignore[no-untyped-def]
    kept, fresh = live.ctx.kept, _from_nothing(live)
    assert kept is not None
    assert kept.seq == fresh.seq and kept.policy == fresh.policy
    assert kept.states == fresh.states
    assert kept.histories == fresh.histories


def _send(live, night, share: slice) -> set[str]:  # type: ignore[no-untyped-def]
    """Ingest ``share`` of each station's events; the actas they name."""
    claves = set()
    for name, evs in night.events.items():
        part = evs[share]
        if part:
            ingest.ingest(live.ctx, batch(name, part, images_for(part, night.images)))
            claves |= {se.event.clave_acta for se in part}
    return claves


def test_a_cut_derives_again_only_what_changed_and_keeps_what_a_cut_from_nothing_gives(
    live, night
) -> None:  # type: ignore[no-untyped-def]
    enroll_all(live.ctx, night.keys)
    half = min(len(evs) for evs in night.events.values()) // 2
    first = _send(live, night, slice(0, half))
    cuts.make_cut(live.ctx, "admin")
    kept = live.ctx.kept
    assert kept is not None and kept.derived == len(kept.states) == len(first)
    _assert_same_as_from_nothing(live)

    later = _send(live, night, slice(half, None))
    made = cuts.make_cut(live.ctx, "admin")
    assert live.ctx.kept is kept  # caught up, not built again
    assert kept.derived == len(later) < len(kept.states)
    _assert_same_as_from_nothing(live)
    assert any(kept.states[c].status is Status.VERIFICADA for c in first & later)

    again = cuts.make_cut(live.ctx, "admin")  # nothing new: nothing derived, same CSV
    assert kept.derived == 0
    assert again[0]["sha256"] == made[0]["sha256"]


def _one_station_two_operators(catalog) -> Night:  # type: ignore[no-untyped-def]
    """A CATD whose operators a and b capture the same figures of one acta: verified
    only when a coordinator lets that station verify alone."""
    key = KeyPair.generate()
    log = EventLog("CATD01", key, catalog.fingerprint)
    clave = catalog.expected_actas("DIP_LOC")[0].clave_acta
    data = acta_png(clave)
    sha = hashlib.sha256(data).hexdigest()
    t = 1_717_380_000_000
    values = readings_for(catalog, clave, 10)
    evs = [
        log.append(Kind.ACOPIO, clave, t, "acopio1", {}),
        log.append(Kind.DIGITALIZACION, clave, t + 1, "dig1", digitalizacion(sha)),
    ]
    for i, op in enumerate(("a", "b")):
        payload = {"source": f"operator:{op}", "image": sha, "values": values}
        evs.append(log.append(Kind.CAPTURA, clave, t + 10 + i, op, payload))
    return Night({"CATD01": key}, {"CATD01": evs}, {sha: data})


def test_a_change_of_who_may_verify_alone_reaches_the_next_cut(live, catalog) -> None:  # type: ignore[no-untyped-def]
    """No event arrives between the two cuts; only the coordinator's permission
    changes, and the acta the station's two operators agreed on is verified."""
    night = _one_station_two_operators(catalog)
    enroll_all(live.ctx, night.keys)
    _send(live, night, slice(None))
    cuts.make_cut(live.ctx, "admin")
    kept = live.ctx.kept
    assert kept is not None
    (state,) = kept.states.values()
    assert state.status is not Status.VERIFICADA

    set_permissions(live.ctx, "CATD01", None, True, "admin")
    cuts.make_cut(live.ctx, "admin")
    assert kept.derived == 1
    (state,) = kept.states.values()
    assert state.status is Status.VERIFICADA and state.rule == "dos_operadores"
    _assert_same_as_from_nothing(live)

    set_permissions(live.ctx, "CATD01", None, False, "admin")
    cuts.make_cut(live.ctx, "admin")
    (state,) = kept.states.values()
    assert state.status is not Status.VERIFICADA
    _assert_same_as_from_nothing(live)


def test_a_cut_that_fails_while_catching_up_keeps_nothing_half_done(live, night, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An error while deriving leaves the kept states' last event where it was, so the
    next cut derives those actas again instead of skipping them."""
    enroll_all(live.ctx, night.keys)
    half = min(len(evs) for evs in night.events.values()) // 2
    _send(live, night, slice(0, half))
    cuts.make_cut(live.ctx, "admin")
    kept = live.ctx.kept
    assert kept is not None
    seq = kept.seq
    _send(live, night, slice(half, None))

    def broken(self, loaded, policy):  # type: ignore[no-untyped-def]
        raise RuntimeError("disk error")

    with monkeypatch.context() as m:
        m.setattr(KeptStates, "_update", broken)
        try:
            cuts.make_cut(live.ctx, "admin")
        except RuntimeError:
            pass
        else:
            raise AssertionError("the cut did not fail")
    assert kept.seq == seq
    cuts.make_cut(live.ctx, "admin")
    assert kept.seq > seq
    _assert_same_as_from_nothing(live)
