"""The station's view of its actas, derived by the domain rule from its own events
and the server's signed decisions on them (table ``server_events``, kept by
:mod:`capture_station.sync.decisions`): a coordinator's rescan, recapture or chosen
reading counts here as it does on the server."""

from __future__ import annotations

import json
from collections import defaultdict

from capture_station.storage.db import Store
from prep_core.derive import ActaState, derive_acta, order_key
from prep_core.events import Event, Kind, event_from_body

_PAPER = (Kind.ACOPIO, Kind.DIGITALIZACION)


def _parse(rows: list) -> list[Event]:  # type: ignore[type-arg]
    return [event_from_body(json.loads(r[0])) for r in rows]


def events_of(store: Store, clave: str) -> list[Event]:
    """The station's own events of the acta, then the server's decisions on it."""
    return (_parse(store.q("SELECT body FROM events WHERE clave_acta = ? ORDER BY seq", clave))
            + _parse(store.q("SELECT body FROM server_events WHERE clave_acta = ? ORDER BY seq",
                             clave)))


def state_of(store: Store, clave: str) -> ActaState:
    return derive_acta(clave, events_of(store, clave))


def all_states(store: Store) -> dict[str, ActaState]:
    """Every acta the station has events of (a decision alone does not make one)."""
    by: dict[str, list[Event]] = defaultdict(list)
    for ev in _parse(store.q("SELECT body FROM events ORDER BY seq")):
        by[ev.clave_acta].append(ev)
    for ev in _parse(store.q("SELECT body FROM server_events ORDER BY seq")):
        if ev.clave_acta in by:
            by[ev.clave_acta].append(ev)
    return {k: derive_acta(k, v) for k, v in by.items()}


def awaiting_rescan(events: list[Event]) -> bool:
    """True when the latest decision on the acta (a cotejo here or a resolución of
    the server) sent it back for a new image that has not arrived yet."""
    last_digit = max((e.at for e in events if e.kind is Kind.DIGITALIZACION), default=-1)
    for e in sorted(events, key=order_key, reverse=True):
        if e.kind is Kind.COTEJO:
            return e.payload.get("result") == "rescan" and e.at >= last_digit
        if e.kind is Kind.RESOLUCION:
            return e.payload.get("action") == "rescan" and e.at >= last_digit
        if e.kind is Kind.CORRECCION:
            return False
    return False


def last_send_back(events: list[Event]) -> tuple[str, str, bool] | None:
    """The latest decision on the acta when it sent the acta back: (``recapture`` or
    ``rescan``, the reason given, whether the server's coordination made it); None when
    the latest decision did not send it back (or there is none)."""
    for e in sorted(events, key=order_key, reverse=True):
        if e.kind is Kind.COTEJO:
            result = str(e.payload.get("result"))
            return (result, str(e.payload.get("reason") or ""), False) \
                if result in ("recapture", "rescan") else None
        if e.kind is Kind.RESOLUCION:
            action = str(e.payload.get("action"))
            return (action, str(e.payload.get("reason") or ""), True) \
                if action in ("recapture", "rescan") else None
    return None


def sent_back_for_rescan(store: Store) -> list[str]:
    """Actas whose paper this station holds (it registered or scanned them) sent back
    for a new image, by a cotejo here or by the server, that has not arrived yet."""
    claves = [r[0] for r in store.q(
        "SELECT clave_acta FROM events WHERE kind IN ('cotejo', 'resolucion') "
        "UNION SELECT clave_acta FROM server_events ORDER BY clave_acta")]
    out = []
    for c in claves:
        evs = events_of(store, c)  # the server's are decisions only: the paper is ours
        if any(e.kind in _PAPER for e in evs) and awaiting_rescan(evs):
            out.append(c)
    return out

