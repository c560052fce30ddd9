"""Publication cuts: a consistent snapshot of every acta's state as of the last stored
event (kept between cuts and caught up under the write lock, see
:mod:`sync_server.services.kept`), turned into each election's figures and CSV, in the
layout profile the settings name, by :func:`prep_core.publication.build_cut`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select

from prep_core.layout import Layout, integrity_code
from prep_core.publication import Cut, build_cut
from prep_core.published import format_cut
from prep_core.rowcache import RowCache
from prep_io.layouts import find_layout
from sync_server.db.tables import cuts, images
from sync_server.services import audit
from sync_server.services.audit_heads import sign_head
from sync_server.services.context import Context
from sync_server.services.errors import not_found
from sync_server.services.kept import KeptStates, kept_states


def make_cut(
    ctx: Context, user: str, *, final: bool = False, close_when_complete: bool = False
) -> list[dict[str, Any]]:
    """Take a cut of every election, store it, and publish it to the settings'
    publication folder (see :mod:`sync_server.services.publish`). With
    ``close_when_complete`` the cut is the final one as soon as every expected
    acta is captured (the scheduled cuts). A final cut is followed by the
    closing certificate."""
    from sync_server.services.publish import publish

    taken = _take_cut(ctx, user, final, close_when_complete)
    manifest = publish(
        ctx,
        [cut for _, cut in taken.built],
        ctx.settings.publish_path,
        taken.head,
        histories=taken.histories,
        progress=taken.progress,
        ingest_seq=taken.ingest_seq,
    )
    closing = None
    if taken.final:
        from sync_server.services.certificates import closing_certificate

        closing = closing_certificate(ctx, user, manifest)
    return [
        {
            "id": row_id,
            "election_id": cut.election.id,
            "sha256": cut.csv_sha256,
            "figures": cut.figures.as_header(),
            "published": manifest["corte"],
            "final": cut.final,
            **({"cierre": closing} if closing else {}),
        }
        for row_id, cut in taken.built
    ]


@dataclass
class Taken:
    built: list[tuple[int, Cut]]
    head: dict[str, Any]
    final: bool
    histories: dict[str, dict[str, Any]] = field(default_factory=dict)
    progress: list[dict[str, Any]] = field(default_factory=list)
    ingest_seq: int = 0  # the last event (in arrival order) inside the snapshot


def _complete(cuts_: list[Cut]) -> bool:
    return all(
        c.figures.actas_capturadas >= c.figures.actas_esperadas > 0 for c in cuts_
    )


def _progress(conn: Connection) -> list[dict[str, Any]]:
    """The header figures of every earlier cut, by time (for the progress chart)."""
    by_time: dict[int, dict[str, Any]] = {}
    for t, eid, figures in conn.execute(
        select(cuts.c.cut_time, cuts.c.election_id, cuts.c.figures).order_by(cuts.c.id)
    ):
        by_time.setdefault(t, {})[eid] = json.loads(figures)
    return [
        {"hora": format_cut(datetime.fromtimestamp(t / 1000, UTC)), "elecciones": e}
        for t, e in sorted(by_time.items())
    ]


def integrity_codes(conn: Connection, layout: Layout) -> dict[str, str] | None:
    """CODIGO_INTEGRIDAD of every stored image by its SHA-256 under ``layout``'s hash;
    None when that hash is SHA-256 itself (the image's own name)."""
    if layout.integrity == "sha256":
        return None
    out = {}
    for sha, sha512 in conn.execute(select(images.c.sha256, images.c.sha512)):
        if layout.integrity == "sha512" and sha512:
            out[sha] = sha512
        else:  # a hash not stored: from the image itself
            data = conn.execute(select(images.c.data).where(images.c.sha256 == sha)).scalar_one()
            out[sha] = integrity_code(layout.integrity, bytes(data))
    return out


def warm_rows(ctx: Context) -> int:
    """Derive every acta and build every election's rows from the stored events
    before the first cut (at start, so that the first cut after a restart only
    catches up): outside the write lock, on a snapshot of its own. Rows are kept
    under the key of the state they were built from, so rows built from an older
    snapshot are only reused for actas whose state is still the same; the states
    are caught up by the cut from the snapshot's last event. Installed only while
    no cut has kept states of its own meanwhile. Returns the rows built."""
    layout = find_layout(ctx.settings.publication_layout)
    with ctx.store.read() as conn:
        kept = KeptStates.build(conn)
        codes = integrity_codes(conn, layout)
    if not kept.states:
        return 0
    at = datetime.fromtimestamp(ctx.now() // 1000, UTC)
    states = kept.ordered()
    warm = {}
    for e in ctx.catalog.elections:
        cache = RowCache()
        build_cut(ctx.catalog, e.id, states, at, layout=layout, integrity=codes, cache=cache)
        warm[e.id] = cache
    with ctx.store.write():  # the cuts' lock: no cut is using the caches now
        if ctx.kept is not None or any(c.entries for c in ctx.row_caches.values()):
            return 0  # a cut came first: its states and rows are newer
        ctx.kept = kept
        ctx.row_caches.update(warm)
    return sum(c.built for c in warm.values())


def _rows(ctx: Context, election_id: str) -> RowCache:
    """The election's rows of the last cut (kept in the server's memory)."""
    return ctx.row_caches.setdefault(election_id, RowCache())


def _take_cut(ctx: Context, user: str, final: bool, close_when_complete: bool) -> Taken:
    """Store a cut of every election and sign the audit chain's head after its
    entries, in one transaction."""
    now = ctx.now()
    cut_time = datetime.fromtimestamp(now // 60_000 * 60, UTC)  # the minute of the cut
    out = []
    with ctx.store.write() as conn:  # the write lock makes the snapshot consistent
        kept = ctx.kept = kept_states(conn, ctx.kept, ctx.event_cache)
        states = kept.ordered()
        layout = find_layout(ctx.settings.publication_layout)
        codes = integrity_codes(conn, layout)
        histories = dict(kept.histories)  # published after the lock: a copy
        progress = _progress(conn)
        built = [
            build_cut(ctx.catalog, e.id, states, cut_time, final=final, layout=layout,
                      integrity=codes, cache=_rows(ctx, e.id))
            for e in ctx.catalog.elections
        ]
        if close_when_complete and not final and _complete(built):
            final = True  # every expected acta captured: this is the last cut
            built = [
                build_cut(ctx.catalog, e.id, states, cut_time, final=True, layout=layout,
                          integrity=codes, cache=_rows(ctx, e.id))
                for e in ctx.catalog.elections
            ]
        for cut in built:
            e = cut.election
            data = cut.csv_bytes
            sha = cut.csv_sha256
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
    return Taken(out, head, final, histories, progress, kept.seq)


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
