"""Central state: re-derive the actas touched by new events with the domain
function, store the summary rows and keep the conflict queue in step."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from sqlalchemy import Connection, bindparam, select

from prep_core.counting import decide
from prep_core.derive import ActaState, Policy, Status, derive_acta, server_policy
from prep_core.events import CAPTURE_KINDS, Event
from prep_core.values import Mark, values_to_json
from sync_server.db.bulk import upsert_rows
from sync_server.db.tables import actas, conflicts, events, stations
from sync_server.services import alarms
from sync_server.services.context import Context
from sync_server.services.fastevent import from_stored

CHUNK = 500
# the same text as json.dumps(doc, ensure_ascii=False, sort_keys=True), one encoder for all
_STATE_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=True)
QUEUE_STATUSES = {Status.CONFLICTO: "conflicto", Status.DISCREPANCIA: "discrepancia"}
PROPOSAL = "correccion"  # a station's corrección of a verified acta, held for a coordinator


def event_from_stored(body: str, digest: str | None = None) -> Event:
    """An event already validated at ingest, rebuilt from its stored canonical body."""
    return from_stored(body, digest)


@dataclass
class Loaded:
    """Stored events by acta, and the server's order of each (its ingest number)."""

    by_acta: dict[str, list[Event]]
    ranks: dict[str, int]

    def order(self, ev: Event) -> int:
        return self.ranks[ev.hash]

    def derive(self, clave: str, policy: Policy) -> ActaState:
        return derive_acta(clave, self.by_acta.get(clave, []), order=self.order, policy=policy)


def policy_of(conn: Connection) -> Policy:
    """The server's rule of independent readers, with the stations a coordinator
    allowed to verify alone (two of their operators)."""
    allowed = conn.scalars(select(stations.c.id).where(stations.c.self_verify.is_(True)))
    return server_policy(allowed)


def load_events(
    conn: Connection, claves: Iterable[str], cache: dict[str, Event] | None = None
) -> Loaded:
    """Every stored event of these actas, with its ingest number. The acta index
    holds the hashes, so only the bodies of events not in ``cache`` are read."""
    out: dict[str, list[Event]] = defaultdict(list)
    ranks: dict[str, int] = {}
    cache = {} if cache is None else cache
    keys = sorted(set(claves))
    missing: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        q = select(events.c.clave_acta, events.c.hash, events.c.ingest_seq).where(
            events.c.clave_acta.in_(keys[i : i + CHUNK])
        )
        for clave, digest, rank in conn.execute(q):
            ranks[digest] = rank
            ev = cache.get(digest)
            if ev is None:
                missing.add(clave)
            else:
                out[clave].append(ev)
    todo = sorted(missing)
    for i in range(0, len(todo), CHUNK):
        q = select(events.c.clave_acta, events.c.body, events.c.hash).where(
            events.c.clave_acta.in_(todo[i : i + CHUNK])
        )
        got: dict[str, list[Event]] = defaultdict(list)
        for clave, body, digest in conn.execute(q):
            got[clave].append(cache.get(digest) or from_stored(body, digest))
        out.update(got)
    return Loaded(out, ranks)


ACTA_COLUMNS = (
    "clave_acta",
    "election_id",
    "id_distrito",
    "id_municipio",
    "status",
    "acopiada",
    "digitalizada",
    "capturada",
    "verificada",
    "contabilizada",
    "fecha_acopio",
    "fecha_digitalizacion",
    "fecha_captura",
    "fecha_verificacion",
    "state",
    "events",
    "updated_at",
    "figures_key",
)
_acta_values = itemgetter(*ACTA_COLUMNS)


def summarize(
    ctx: Context, state: ActaState, n_events: int, now: int, figures: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The row of ``actas`` for one derived state (``figures``: its reading or latest
    capture, for the identity alarms)."""
    expected = ctx.acta(state.clave_acta)
    contabilizada: int | None = None
    observaciones = ""
    total = None
    if expected is None:
        contabilizada, observaciones = 2, "Fuera de catálogo"
    elif state.status is Status.SIN_ACTA:
        contabilizada, observaciones = 0, f"Sin acta({int(state.sin_acta or 0)})"
    elif state.reading is not None:
        votes = [state.reading.get(f, Mark.SIN_DATO) for f in expected.election.vote_fields]
        decision = decide(votes, expected.casilla.limit(ctx.catalog.sin_lista_nominal))
        contabilizada, observaciones = decision.contabilizada, decision.observaciones
        total = sum(v for v in votes if isinstance(v, int))
    doc = {
        "status": state.status.value,
        "reading": values_to_json(state.reading) if state.reading else None,
        "reading_image": state.reading_image.sha256 if state.reading_image else None,
        "images": [
            {"sha256": i.sha256, "origen": i.origen, "at": i.at, "tipo_documento": i.tipo_documento}
            for i in state.images
        ],
        "disputed": list(state.disputed),
        "readings_in_conflict": [values_to_json(r) for r in state.readings_in_conflict],
        "sources": list(state.sources),
        "rule": state.rule,
        "proposed": values_to_json(state.proposed) if state.proposed else None,
        "proposed_reason": state.proposed_reason,
        "captures": state.captures,
        "cotejada": state.cotejada,
        "observaciones": observaciones,
        "total_calculado": total,
    }
    first_image = min((i.at for i in state.images), default=None)
    capturada = state.captures > 0
    return {
        "clave_acta": state.clave_acta,
        "election_id": expected.election.id if expected else None,
        "id_distrito": expected.casilla.id_distrito if expected else None,
        "id_municipio": expected.casilla.id_municipio if expected else None,
        "status": state.status.value,
        "acopiada": True,
        "digitalizada": bool(state.images),
        "capturada": capturada,
        "verificada": state.status is Status.VERIFICADA,
        "contabilizada": contabilizada,
        "fecha_acopio": state.fecha_acopio,
        "fecha_digitalizacion": first_image,
        "fecha_captura": state.fecha_captura,
        "fecha_verificacion": state.fecha_verificacion,
        "state": _STATE_JSON.encode(doc),
        "events": n_events,
        "updated_at": now,
        "figures_key": alarms.figures_key(expected, figures),
    }


def rederive(ctx: Context, conn: Connection, claves: Iterable[str]) -> dict[str, ActaState]:
    """Re-derive these actas from all their stored events (inside the caller's transaction)."""
    now = ctx.now()
    loaded = load_events(conn, claves, ctx.event_cache)
    policy = policy_of(conn)
    states = {c: loaded.derive(c, policy) for c in loaded.by_acta}
    figures = {c: latest_figures(s, loaded.by_acta[c], loaded) for c, s in states.items()}
    rows = [
        summarize(ctx, s, len(loaded.by_acta[c]), now, figures[c]) for c, s in states.items()
    ]
    _upsert(conn, rows)
    _sync_conflicts(conn, states, loaded, now)
    alarms.sync_alarms(conn, rows, figures, {c: ctx.acta(c) for c in states}, now,
                       ctx.catalog.sin_lista_nominal)
    return states


def latest_figures(state: ActaState, evs: list[Event], loaded: Loaded) -> dict[str, Any] | None:
    """The acta's figures: its verified reading, else its latest capture (server order)."""
    if state.reading is not None:
        return values_to_json(state.reading)
    caps = [e for e in evs if e.kind in CAPTURE_KINDS]
    if not caps:
        return None
    return dict(max(caps, key=loaded.order).payload["values"])


def queue_kind(state: ActaState) -> str | None:
    """The coordinators' queue an acta belongs in, or None."""
    kind = QUEUE_STATUSES.get(state.status)
    if kind is None and state.proposed is not None:
        return PROPOSAL
    return kind


def queue_readings(state: ActaState, evs: list[Event], loaded: Loaded) -> list[dict[str, Any]]:
    """The readings a coordinator chooses from: the verified readings in conflict;
    for a discrepancy the latest capture of each reader; for a proposed corrección
    the verified reading and the proposal. A pending proposal is always offered."""
    out: list[dict[str, Any]] = []
    if state.readings_in_conflict:
        out = [values_to_json(r) for r in state.readings_in_conflict]
    elif state.reading is not None:
        out = [values_to_json(state.reading)]
    else:
        per_source: dict[str, dict[str, Any]] = {}
        for e in sorted(evs, key=loaded.order):
            if e.kind in CAPTURE_KINDS:
                per_source[f"{e.station}/{e.payload['source']}"] = dict(e.payload["values"])
        for r in per_source.values():
            if r not in out:
                out.append(r)
    if state.proposed is not None:
        proposal = values_to_json(state.proposed)
        if proposal not in out:
            out.append(proposal)
    return out


def _upsert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        upsert_rows(
            conn,
            actas,
            "clave_acta",
            ACTA_COLUMNS,
            list(map(_acta_values, rows)),
        )


def _sync_conflicts(
    conn: Connection, states: dict[str, ActaState], loaded: Loaded, now: int
) -> None:
    """Open a queue entry for each acta in conflict or discrepancy, or with a
    proposed corrección; close the rest."""
    keys = sorted(states)
    open_rows: dict[str, Any] = {}
    for i in range(0, len(keys), CHUNK):
        q = select(conflicts).where(
            conflicts.c.clave_acta.in_(keys[i : i + CHUNK]),
            conflicts.c.closed_at.is_(None),
            conflicts.c.kind.not_in(alarms.KINDS),  # the alarms keep their own entries
        )
        for r in conn.execute(q):
            open_rows[r.clave_acta] = r
    to_close = []
    for clave, st in states.items():
        kind = queue_kind(st)
        row = open_rows.get(clave)
        if kind is None:
            if row is not None:
                to_close.append({"i": row.id})
            continue
        readings_list = queue_readings(st, loaded.by_acta[clave], loaded)
        readings = json.dumps(readings_list, sort_keys=True)
        disputed = json.dumps(list(st.disputed) or _differing(readings_list))
        if row is not None and row.kind == kind and row.readings == readings:
            continue
        if row is not None:
            to_close.append({"i": row.id})
        conn.execute(
            conflicts.insert().values(
                clave_acta=clave, kind=kind, readings=readings, disputed=disputed, opened_at=now
            )
        )
    if to_close:
        conn.execute(
            conflicts.update().where(conflicts.c.id == bindparam("i")).values(closed_at=now),
            to_close,
        )


def _differing(readings: list[dict[str, Any]]) -> list[str]:
    names = sorted({k for r in readings for k in r})
    return [n for n in names if len({repr(r.get(n)) for r in readings}) > 1]
