"""Publication cuts: a consistent snapshot of every acta, derived again from all
stored events with the domain function, turned into each election's figures and
CSV, in the layout profile the settings name, by :func:`prep_core.publication.build_cut`."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from prep_core.publication import Cut, build_cut
from prep_io.layouts import find_layout
from sync_server.db.tables import cuts, events
from sync_server.services import audit
from sync_server.services.audit_heads import sign_head
from sync_server.services.context import Context
from sync_server.services.errors import not_found
from sync_server.services.fastevent import from_stored
from sync_server.services.tally import Loaded, policy_of


def make_cut(ctx: Context, user: str, *, final: bool = False) -> list[dict[str, Any]]:
    """Take a cut of every election, store it, and publish it to the settings'
    publication folder (see :mod:`sync_server.services.publish`)."""
    from sync_server.services.publish import publish

    built, head = _take_cut(ctx, user, final)
    manifest = publish(ctx, [cut for _, cut in built], ctx.settings.publish_path, head)
    return [
        {
            "id": row_id,
            "election_id": cut.election.id,
            "sha256": hashlib.sha256(cut.csv_bytes).hexdigest(),
            "figures": cut.figures.as_header(),
            "published": manifest["corte"],
        }
        for row_id, cut in built
    ]


def _take_cut(ctx: Context, user: str, final: bool) -> tuple[list[tuple[int, Cut]], dict[str, Any]]:
    """Store a cut of every election and sign the audit chain's head after its
    entries, in one transaction."""
    now = ctx.now()
    cut_time = datetime.fromtimestamp(now // 60_000 * 60, UTC)  # the minute of the cut
    out = []
    with ctx.store.write() as conn:  # the write lock makes the snapshot consistent
        by_acta = defaultdict(list)
        ranks: dict[str, int] = {}
        for body, digest, rank in conn.execute(
            select(events.c.body, events.c.hash, events.c.ingest_seq)
        ):
            ev = from_stored(body, digest)
            by_acta[ev.clave_acta].append(ev)
            ranks[digest] = rank
        loaded = Loaded(by_acta, ranks)
        policy = policy_of(conn)
        states = [loaded.derive(c, policy) for c in by_acta]
        layout = find_layout(ctx.settings.publication_layout)
        for e in ctx.catalog.elections:
            cut = build_cut(ctx.catalog, e.id, states, cut_time, final=final, layout=layout)
            data = cut.csv_bytes
            sha = hashlib.sha256(data).hexdigest()
            figures = cut.figures.as_header()
            row_id = conn.execute(  # type: ignore[index]
                cuts.insert().values(
                    election_id=e.id,
                    cut_time=now,
                    final=final,
                    figures=json.dumps(figures),
                    votes=json.dumps(dict(cut.votes)),
                    csv=data,
                    sha256=sha,
                    created_by=user,
                )
            ).inserted_primary_key[0]
            audit.append(
                conn,
                now,
                f"user:{user}",
                "cut",
                {
                    "cut": row_id,
                    "election": e.id,
                    "final": final,
                    "sha256": sha,
                    "contabilizadas": figures["ACTAS_CONTABILIZADAS"],
                },
            )
            out.append((row_id, cut))
        head = sign_head(ctx.key, conn, now, "cut")
    return out, head


def list_cuts(ctx: Context, limit: int = 20) -> list[dict[str, Any]]:
    with ctx.store.read() as conn:
        rows = conn.execute(
            select(
                cuts.c.id,
                cuts.c.election_id,
                cuts.c.cut_time,
                cuts.c.final,
                cuts.c.figures,
                cuts.c.sha256,
                cuts.c.created_by,
            )
            .order_by(cuts.c.id.desc())
            .limit(limit)
        ).all()
    return [
        {
            "id": r.id,
            "election_id": r.election_id,
            "cut_time": r.cut_time,
            "final": r.final,
            "figures": json.loads(r.figures),
            "sha256": r.sha256,
            "created_by": r.created_by,
        }
        for r in rows
    ]


def cut_csv(ctx: Context, cut_id: int) -> tuple[bytes, str]:
    with ctx.store.read() as conn:
        row = conn.execute(
            select(cuts.c.csv, cuts.c.election_id, cuts.c.cut_time).where(cuts.c.id == cut_id)
        ).first()
    if row is None:
        raise not_found("unknown_cut", "corte desconocido", "unknown cut")
    stamp = datetime.fromtimestamp(row.cut_time / 1000, UTC).strftime("%Y%m%d_%H%M")
    return bytes(row.csv), f"{row.election_id}_{stamp}.csv"
