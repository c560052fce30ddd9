"""Ingest: a signed batch of one station's events, merged in ONE transaction.

Order of checks: the batch's shape and inline images; the station (known,
approved); every event's wire form, then its station, catalog and kind, then
its signature (before the write lock, so one batch is checked while another
merges); then, in the transaction, the station again, referenced images,
already-accepted numbers and chain continuity. Any failure rejects
the WHOLE batch (nothing is stored but an audit entry) and names the event
index and the reason. Events past a gap are not an error: they are held and
reported, and accepted when the gap fills. The same batch twice returns the
stored receipt and changes nothing. See docs/SERVER.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select

from prep_core.events import SignedEvent
from prep_core.events import link_chain as link
from prep_core.signing import b64, unb64
from sync_server.db.bulk import insert_rows
from sync_server.db.tables import batches, events, held_events, images, stations
from sync_server.services import audit
from sync_server.services.batch_checks import chain_error, check_images, check_old
from sync_server.services.batch_parse import ParsedBatch, build_batch, parse_shape
from sync_server.services.chain import check_wires
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, forbidden
from sync_server.services.receipts import batch_hash, make_receipt
from sync_server.services.tally import event_from_stored, rederive


@dataclass(frozen=True)
class IngestResult:
    receipt: dict[str, Any]
    replay: bool

    @property
    def status(self) -> int:
        return 202 if self.receipt["receipt"]["held"] else 200


def ingest(ctx: Context, doc: Any, *, source: str = "api") -> IngestResult:
    try:
        result = _ingest(ctx, doc, source)
    except ServiceError as err:
        ctx.stats["batches_rejected"] += 1
        _audit_rejection(ctx, doc, err, source)
        raise
    ctx.stats["batches_replayed" if result.replay else "batches_accepted"] += 1
    return result


def _station(conn: Connection, station: str) -> Any:
    st = conn.execute(select(stations).where(stations.c.id == station)).first()
    if st is None:
        raise forbidden("unknown_station", "estación desconocida", "unknown station")
    if st.status == "revoked":
        raise forbidden("station_revoked", "estación revocada", "station revoked")
    if st.status != "approved":
        raise forbidden(
            "station_not_approved", "estación aún no aprobada", "station not approved yet"
        )
    return st


def _ingest(ctx: Context, doc: Any, source: str) -> IngestResult:
    """Events are validated and their signatures checked before taking the write
    lock (in worker processes for large batches), so one batch is checked while
    another is merged."""
    shape = parse_shape(
        doc,
        max_events=ctx.settings.max_events_per_batch,
        server_station=ctx.settings.server_station,
    )
    with ctx.store.read() as conn:
        public = unb64(_station(conn, shape.station).public_key, "public_key")
    checked = check_wires(public, shape.wires, ctx.settings.verify_workers)
    pb = build_batch(shape, checked, catalog=ctx.fingerprint)
    bh = batch_hash([se.hash for se in pb.events])
    with ctx.store.read() as conn:
        prior = conn.execute(select(batches.c.receipt).where(batches.c.hash == bh)).scalar()
    if prior is not None:
        return IngestResult(json.loads(prior), replay=True)
    return _merge(ctx, pb, bh, source)


def _merge(ctx: Context, pb: ParsedBatch, bh: str, source: str) -> IngestResult:
    now = ctx.now()
    with ctx.store.write() as conn:
        prior = conn.execute(select(batches.c.receipt).where(batches.c.hash == bh)).scalar()
        if prior is not None:
            return IngestResult(json.loads(prior), replay=True)
        st = _station(conn, pb.station)  # again: it may have been revoked meanwhile
        new_images = check_images(conn, pb)
        check_old(conn, pb, st.last_seq)
        held_rows = conn.execute(
            select(held_events).where(held_events.c.station == pb.station)
        ).all()
        held = [
            SignedEvent(event_from_stored(r.body, r.hash), unb64(r.sig, "sig")) for r in held_rows
        ]
        new = [se for se in pb.events if se.event.seq > st.last_seq]
        check = link([*held, *new], after_seq=st.last_seq, after_hash=st.last_hash)
        if check.errors:
            raise chain_error(check.errors[0], pb)
        held_hashes = {r.hash for r in held_rows}
        verified = check.verified
        if verified:
            insert_rows(conn, events, EVENT_COLUMNS, [_row(se, bh, now) for se in verified])
            promoted = [se.hash for se in verified if se.hash in held_hashes]
            if promoted:
                conn.execute(delete(held_events).where(held_events.c.hash.in_(promoted)))
        fresh_held = {se.hash: se for se in check.held if se.hash not in held_hashes}
        if fresh_held:
            conn.execute(
                held_events.insert(),
                [
                    {
                        k: v
                        for k, v in zip(EVENT_COLUMNS, _row(se, bh, now), strict=True)
                        if k in held_events.c
                    }
                    for se in fresh_held.values()
                ],
            )
        if new_images:
            conn.execute(
                images.insert(),
                [
                    {
                        "sha256": s,
                        "size": len(d),
                        "media_type": "application/octet-stream",
                        "data": d,
                        "received_at": now,
                    }
                    for s, d in new_images.items()
                ],
            )
        head_seq = verified[-1].event.seq if verified else st.last_seq
        head_hash = verified[-1].hash if verified else st.last_hash
        conn.execute(
            stations.update()
            .where(stations.c.id == pb.station)
            .values(
                last_seq=head_seq,
                last_hash=head_hash,
                last_contact=now,
                held_count=len(check.held),
            )
        )
        ctx.remember([se.event for se in verified])
        rederive(ctx, conn, {se.event.clave_acta for se in verified})
        receipt = make_receipt(ctx.key, _receipt_body(ctx, pb, bh, check, head_seq, head_hash, now))
        held_seqs = receipt["receipt"]["held"]
        conn.execute(
            batches.insert().values(
                hash=bh,
                station=pb.station,
                events=len(pb.events),
                accepted=len(verified),
                held=len(held_seqs),
                receipt=json.dumps(receipt, sort_keys=True),
                received_at=now,
                source=source,
            )
        )
        audit.append(
            conn,
            now,
            f"station:{pb.station}",
            "batch_accepted",
            {
                "batch": bh,
                "events": len(pb.events),
                "new": len(verified),
                "held": len(held_seqs),
                "head": head_seq,
                "source": source,
            },
        )
    ctx.stats["events_accepted"] += len(verified)
    return IngestResult(receipt, replay=False)


EVENT_COLUMNS = (
    "hash",
    "station",
    "seq",
    "kind",
    "clave_acta",
    "at",
    "body",
    "sig",
    "batch",
    "received_at",
)


def _row(se: SignedEvent, bh: str, now: int) -> tuple[Any, ...]:
    ev = se.event
    return (
        se.hash,
        ev.station,
        ev.seq,
        ev.kind.value,
        ev.clave_acta,
        ev.at,
        ev.encode().decode(),
        b64(se.signature),
        bh,
        now,
    )


def _receipt_body(
    ctx: Context, pb: ParsedBatch, bh: str, check: Any, head_seq: int, head_hash: str, now: int
) -> dict[str, Any]:
    stored = sorted({se.event.seq for se in pb.events if se.event.seq <= head_seq})
    held = sorted({se.event.seq for se in pb.events if se.event.seq > head_seq})
    first_held = min((se.event.seq for se in check.held), default=None)
    return {
        "station": pb.station,
        "batch": bh,
        "events": len(pb.events),
        "catalog": ctx.fingerprint,
        "accepted": {"first": stored[0], "last": stored[-1]} if stored else None,
        "new": len(check.verified),
        "held": held,
        "missing": [head_seq + 1, first_held - 1] if first_held else None,
        "head": {"seq": head_seq, "hash": head_hash},
        "received_at": now,
    }


def _audit_rejection(ctx: Context, doc: Any, err: ServiceError, source: str) -> None:
    station = doc.get("station") if isinstance(doc, dict) else None
    station = station[:48] if isinstance(station, str) else "?"
    with ctx.store.write() as conn:
        audit.append(
            conn,
            ctx.now(),
            f"station:{station}",
            "batch_rejected",
            {
                "code": err.code,
                "index": err.index,
                "reason": err.message_en,
                "source": source,
            },
        )
