"""The server's own signed events (its chain, station ``SERVIDOR``: a coordinator's
resolutions) for the capture stations, so that the CATD holding an acta's paper
learns that it must rescan it, and every station derives its actas as the server
does.

Every station gets the whole chain, in order, from a cursor (the last server
``seq`` it has seen): a station cannot know in advance which actas a decision
will concern (its own event may reach the server after the decision), so it keeps
them all and uses those about its own actas. Each item is the event in its wire
form, exactly as signed: the station checks the server's signature itself.
Decisions about actas outside the catalog concern no station and are skipped
(the cursor still moves past them).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from sync_server.db.tables import events, stations
from sync_server.services import signed_requests
from sync_server.services.context import Context

DEFAULT_LIMIT = 200
MAX_LIMIT = 500


def authenticate(
    ctx: Context,
    station: str | None,
    at: str | None,
    sig: str | None,
    method: str,
    target: str,
) -> str:
    """Any approved, unrevoked station (CATD, CCV or CASILLA) may read the decisions."""
    return signed_requests.authenticate(ctx, station, at, sig, method, target)[0]


def _wire(body: str, sig: str) -> dict[str, Any]:
    return {"event": json.loads(body), "sig": sig}


def server_events(
    ctx: Context, conn: Connection, after: int, limit: int | None
) -> tuple[list[dict[str, Any]], int]:
    """Server events on catalog actas after ``after`` (at most ``limit`` scanned,
    all when None), and the last ``seq`` scanned (``after`` when none)."""
    q = (
        select(events.c.seq, events.c.clave_acta, events.c.body, events.c.sig)
        .where(events.c.station == ctx.settings.server_station, events.c.seq > after)
        .order_by(events.c.seq)
    )
    if limit is not None:
        q = q.limit(limit)
    items, last = [], after
    for seq, clave, body, sig in conn.execute(q):
        last = int(seq)
        if ctx.acta(clave) is not None:
            items.append(_wire(body, sig))
    return items, last


def server_head(ctx: Context, conn: Connection) -> int:
    head = conn.scalar(
        select(stations.c.last_seq).where(stations.c.id == ctx.settings.server_station)
    )
    return int(head or 0)


def page(ctx: Context, station: str, after: int, limit: int) -> dict[str, Any]:
    """One page of decisions for ``station``: ``next`` is the cursor to ask with
    next time, ``more`` says whether the chain goes on past it."""
    limit = max(1, min(limit, MAX_LIMIT))
    with ctx.store.read() as conn:
        head = server_head(ctx, conn)
        items, last = server_events(ctx, conn, after, limit)
    return {
        "station": station,
        "server": ctx.settings.server_station,
        "catalog": ctx.fingerprint,
        "after": after,
        "next": last,
        "head": head,
        "more": last < head,
        "items": items,
    }
