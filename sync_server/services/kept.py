"""Every acta's state as of the last event a cut has seen, kept in the server's memory
between cuts, so that a cut derives again only the actas that changed since.

A cut must be a consistent snapshot of every stored event (docs/SERVER.md). Deriving
every acta again from every event under the write lock costs minutes at national size
(about a million events); between two cuts five minutes apart a few percent of the
actas change. The events are append-only and each carries the server's ingest number,
given in order under the write lock, so "what changed since the last cut" is exactly
the events numbered after the last one the kept states include. The other input of
the derivation is the rule of independent readers (stations a coordinator allowed to
verify alone): when it changes, the actas with events of the stations it changed for
are derived again too. Each acta is derived by the domain function from all of its
stored events, as a cut from nothing would, so the states are the same either way
(tests/server/test_kept_states.py compares them)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from prep_core.derive import ActaState, Policy
from prep_core.events import Event
from prep_core.publication import ms_to_datetime
from prep_core.published import format_time
from sync_server.db.tables import events
from sync_server.services.fastevent import from_stored
from sync_server.services.tally import Loaded, load_events, policy_of

CHANGES = {"correccion": "Corrección", "resolucion": "Resolución"}


def history(evs: list[Event]) -> dict[str, Any] | None:
    """The untouched original reading of an acta and every correction made to it."""
    changes = [e for e in evs if e.kind.value in CHANGES]
    if not changes:
        return None
    captures = sorted((e for e in evs if e.kind.value == "captura"), key=lambda e: (e.at, e.hash))
    original = dict(captures[0].payload.get("values") or {}) if captures else {}
    return {
        "original": original,
        "cambios": [
            {
                "tipo": CHANGES[e.kind.value],
                "hora": format_time(ms_to_datetime(e.at)),
                "estacion": e.station,
                "motivo": str(e.payload.get("reason") or ""),
                "valores": dict(e.payload.get("values") or {}),
            }
            for e in sorted(changes, key=lambda e: (e.at, e.hash))
        ],
    }


@dataclass
class KeptStates:
    """The derived state of every acta with events up to ``seq`` (the ingest number of
    the last event included), under ``policy``; ``histories`` for the actas with
    corrections. Changed only under the store's write lock."""

    policy: Policy
    seq: int = 0
    states: dict[str, ActaState] = field(default_factory=dict)
    histories: dict[str, dict[str, Any]] = field(default_factory=dict)
    derived: int = 0  # actas derived by the last build or catch-up

    @classmethod
    def build(cls, conn: Connection) -> KeptStates:
        """From every stored event (one statement: one snapshot, also on a read
        connection)."""
        by_acta: dict[str, list[Event]] = defaultdict(list)
        ranks: dict[str, int] = {}
        for body, digest, rank in conn.execute(
            select(events.c.body, events.c.hash, events.c.ingest_seq)
        ):
            ev = from_stored(body, digest)
            by_acta[ev.clave_acta].append(ev)
            ranks[digest] = rank
        kept = cls(policy_of(conn), max(ranks.values(), default=0))
        kept._update(Loaded(by_acta, ranks), kept.policy)
        return kept

    def catch_up(self, conn: Connection, cache: dict[str, Event] | None = None) -> int:
        """Derive again the actas with events stored after ``seq``, and those whose
        readers' independence the policy changed for; returns how many."""
        top = int(conn.scalar(select(func.coalesce(func.max(events.c.ingest_seq), 0))) or 0)
        # no DISTINCT: SQLite would scan the acta index for it instead of the range
        claves = set(conn.scalars(select(events.c.clave_acta).where(events.c.ingest_seq > self.seq)))
        policy = policy_of(conn)
        changed = policy.self_verify ^ self.policy.self_verify
        if changed:
            claves |= set(
                conn.scalars(
                    select(events.c.clave_acta).where(events.c.station.in_(changed)).distinct()
                )
            )
        self.derived = 0
        if claves:
            self._update(load_events(conn, claves, cache), policy)
        self.policy, self.seq = policy, top  # only once every state is caught up
        return self.derived

    def ordered(self) -> list[ActaState]:
        """Every state, by CLAVE_ACTA (the same order whichever way they were kept)."""
        states = self.states
        return [states[c] for c in sorted(states)]

    def _update(self, loaded: Loaded, policy: Policy) -> None:
        for clave, evs in loaded.by_acta.items():
            self.states[clave] = loaded.derive(clave, policy)
            h = history(evs)
            if h is None:
                self.histories.pop(clave, None)
            else:
                self.histories[clave] = h
        self.derived = len(loaded.by_acta)


def kept_states(conn: Connection, kept: KeptStates | None, cache: dict[str, Event]) -> KeptStates:
    """``kept`` brought up to every event stored, or built from nothing without it."""
    if kept is None:
        return KeptStates.build(conn)
    kept.catch_up(conn, cache)
    return kept
