"""The station's view of its actas, derived from its own events by the domain rule."""

from __future__ import annotations

import json
from collections import defaultdict

from capture_station.storage.db import Store
from prep_core.derive import ActaState, derive_acta
from prep_core.events import Event, Kind, event_from_body


def events_of(store: Store, clave: str) -> list[Event]:
    return [event_from_body(json.loads(r[0]))
            for r in store.q("SELECT body FROM events WHERE clave_acta = ? ORDER BY seq", clave)]


def state_of(store: Store, clave: str) -> ActaState:
    return derive_acta(clave, events_of(store, clave))


def all_states(store: Store) -> dict[str, ActaState]:
    by: dict[str, list[Event]] = defaultdict(list)
    for (body,) in store.q("SELECT body FROM events ORDER BY seq"):
        ev = event_from_body(json.loads(body))
        by[ev.clave_acta].append(ev)
    return {k: derive_acta(k, v) for k, v in by.items()}


def awaiting_rescan(events: list[Event]) -> bool:
    """True when the latest decision on the acta sent it back for a new image."""
    last_digit = max((e.at for e in events if e.kind is Kind.DIGITALIZACION), default=-1)
    for e in sorted(events, key=lambda e: (e.at, e.seq), reverse=True):
        if e.kind is Kind.COTEJO:
            return e.payload.get("result") == "rescan" and e.at >= last_digit
        if e.kind is Kind.RESOLUCION:
            return e.payload.get("action") == "rescan" and e.at >= last_digit
    return False


def sent_back_for_rescan(store: Store) -> list[str]:
    """Actas a cotejo or a resolución sent back for a new image that has not arrived yet."""
    claves = [r[0] for r in store.q("SELECT DISTINCT clave_acta FROM events "
                                    "WHERE kind IN ('cotejo', 'resolucion') ORDER BY clave_acta")]
    return [c for c in claves if awaiting_rescan(events_of(store, c))]


def current_image(events: list[Event]) -> str | None:
    imgs = [e for e in events if e.kind is Kind.DIGITALIZACION]
    return imgs[-1].payload["image"] if imgs else None
