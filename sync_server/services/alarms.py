"""Alarms of identity: the same acta twice, or an acta that cannot be its casilla's.

A label on the wrong envelope, or a key typed wrong, puts one casilla's figures under
another's key; a hostile station could send one acta's figures under two keys. Neither
is refused (the figures may be right: two casillas can vote alike), but each puts an
entry in the coordinators' queue, beside the conflicts, with the images of both actas:

- ``cifras_repetidas``: two actas of one election with the same vote figures, not
  trivial ones (at least ``MIN_VOTES`` votes spread over ``MIN_NONZERO`` or more fields);
  one entry per pair, on the acta whose figures came second;
- ``fuera_de_rango``: figures that the casilla's lista nominal cannot hold: more votes
  than its limit (lista nominal + representantes), or ballots left over plus votes that
  miss the ballots it received (its limit) by more than ``BALLOT_SLACK`` of them (and at
  least ``MIN_SLACK``).

The figures are the acta's verified reading or, before that, its latest capture (so
an alarm is raised before anything is published). An alarm closes by itself when the
figures change so that it no longer holds, or by a coordinator's resolution (like a
conflict's); the same alarm on the same figures is not raised twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select

from prep_core.acta import TOTAL_FIELD
from prep_core.catalog import ExpectedActa
from sync_server.db.tables import actas, conflicts

DUPLICATE, OUT_OF_RANGE = "cifras_repetidas", "fuera_de_rango"
KINDS = (DUPLICATE, OUT_OF_RANGE)
MIN_VOTES, MIN_NONZERO = 10, 2
BALLOT_SLACK, MIN_SLACK = 0.10, 25


def figures_key(expected: ExpectedActa | None, figures: Mapping[str, Any] | None) -> str | None:
    """SHA-256 of the election and its vote figures; None when they are trivial or
    incomplete (a Sin dato or Ilegible among them)."""
    if expected is None or not figures:
        return None
    votes = [figures.get(f) for f in expected.election.vote_fields]
    if not all(isinstance(v, int) for v in votes):
        return None
    if sum(votes) < MIN_VOTES or sum(1 for v in votes if v) < MIN_NONZERO:
        return None
    doc = [expected.election.id, *votes]
    return hashlib.sha256(json.dumps(doc).encode()).hexdigest()


def out_of_range(expected: ExpectedActa | None, figures: Mapping[str, Any] | None,
                 sin_lista_nominal: frozenset[str] = frozenset()) -> list[str]:
    """Why the figures cannot be this casilla's (Spanish / English), or []; a casilla
    type without a lista nominal (abroad, early vote) has no limit to be out of."""
    if expected is None or not figures:
        return []
    limit = expected.casilla.limit(sin_lista_nominal)
    if limit is None:
        return []
    votes = sum(v for f in expected.election.vote_fields if isinstance(v := figures.get(f), int))
    total = figures.get(TOTAL_FIELD)
    votes = max(votes, total if isinstance(total, int) else 0)
    why = []
    if votes > limit:
        why.append(f"{votes} votos y la casilla admite {limit} / {votes} votes, the casilla allows {limit}")
    left = figures.get("TOTAL_BOLETAS_SOBRANTES")
    if isinstance(left, int):
        gap = left + votes - limit
        if abs(gap) > max(MIN_SLACK, BALLOT_SLACK * limit):
            why.append(f"boletas sobrantes + votos = {left + votes}, la casilla recibió {limit} / "
                       f"ballots left + votes = {left + votes}, the casilla received {limit}")
    return why


def _seen(conn: Connection, kind: str, clave: str, readings: str, disputed: str) -> bool:
    """This alarm, on these figures, was raised before (open, or closed by a coordinator)."""
    return conn.execute(select(conflicts.c.id).where(
        conflicts.c.kind == kind, conflicts.c.clave_acta == clave,
        conflicts.c.readings == readings, conflicts.c.disputed == disputed).limit(1)).first() is not None


def _raise(conn: Connection, kind: str, clave: str, readings: list[Any], disputed: list[str],
           now: int) -> None:
    r, d = json.dumps(readings, sort_keys=True), json.dumps(disputed, ensure_ascii=False)
    if not _seen(conn, kind, clave, r, d):
        conn.execute(conflicts.insert().values(clave_acta=clave, kind=kind, readings=r,
                                               disputed=d, opened_at=now))


def _close(conn: Connection, ids: list[int], now: int) -> None:
    for i in ids:
        conn.execute(conflicts.update().where(conflicts.c.id == i).values(closed_at=now))


def sync_alarms(conn: Connection, rows: list[dict[str, Any]], figures: Mapping[str, Any],
                expected: Mapping[str, ExpectedActa | None], now: int,
                sin_lista_nominal: frozenset[str] = frozenset()) -> None:
    """Raise and close the alarms of the actas just derived (``rows`` of ``actas``,
    already stored; ``figures`` and ``expected`` by clave; ``sin_lista_nominal``: the
    catalog's casilla types without a lista nominal)."""
    claves = [r["clave_acta"] for r in rows]
    ranged: dict[str, list[Any]] = {}
    for i in range(0, len(claves), 500):
        for r in conn.execute(select(conflicts).where(
                conflicts.c.kind == OUT_OF_RANGE, conflicts.c.closed_at.is_(None),
                conflicts.c.clave_acta.in_(claves[i: i + 500]))):
            ranged.setdefault(r.clave_acta, []).append(r)
    touched = set(claves)
    pairs = [r for r in conn.execute(select(conflicts).where(
        conflicts.c.kind == DUPLICATE, conflicts.c.closed_at.is_(None)))
        if r.clave_acta in touched or json.loads(r.disputed)[0] in touched]
    for r in pairs:  # a pair whose figures no longer match closes
        a, b = r.clave_acta, json.loads(r.disputed)[0]
        keys = dict(conn.execute(select(actas.c.clave_acta, actas.c.figures_key).where(
            actas.c.clave_acta.in_([a, b]))).all())
        if keys.get(a) is None or keys.get(a) != keys.get(b):
            _close(conn, [r.id], now)
    open_pairs = {(r.clave_acta, json.loads(r.disputed)[0]) for r in pairs}
    for row in rows:
        clave, key = row["clave_acta"], row["figures_key"]
        mine = figures.get(clave)
        why = out_of_range(expected.get(clave), mine, sin_lista_nominal)
        _close(conn, [r.id for r in ranged.get(clave, [])
                      if not why or json.loads(r.readings) != [mine]], now)
        if why:
            _raise(conn, OUT_OF_RANGE, clave, [mine], why, now)
        if key is None:
            continue
        twins = conn.scalars(select(actas.c.clave_acta).where(
            actas.c.election_id == row["election_id"], actas.c.figures_key == key,
            actas.c.clave_acta != clave)).all()
        for other in twins:
            if (other, clave) not in open_pairs:
                _raise(conn, DUPLICATE, clave, [mine], [other], now)
