"""Ingest: a signed batch of one station's events, merged in ONE transaction.

Order of checks: the batch's shape and inline images; the station (known,
approved); every event's wire form, then its station, catalog and kind, then
its signature (before the write lock, so one batch is checked while another
merges); then, in the transaction, the station again, referenced images,
already-accepted numbers and chain continuity. Any failure rejects
the WHOLE batch (nothing is stored but an audit entry) and names the event
index and the reason. A chain gap (the batch's new events do not continue the
station's head) is such a failure, 409 ``chain_gap`` naming the missing
numbers; the station's last gap is also kept on its row for the console until
its chain advances past it. The same batch twice returns the stored receipt
and changes nothing. See docs/SERVER.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from prep_core.events import SignedEvent
from prep_core.events import link_chain as link
from prep_core.signing import b64, unb64
from sync_server.db.bulk import insert_rows
from sync_server.db.tables import batches, events, images, stations
from sync_server.services import audit, refusals
from sync_server.services.batch_checks import chain_error, check_images, check_old, gap_error
from sync_server.services.batch_parse import BatchShape, ParsedBatch, build_batch, parse_shape
from sync_server.services.batch_rules import check_authority, check_clock
from sync_server.services.chain import Checked, check_wires
from sync_server.services.context import Context
from sync_server.services.errors import ServiceError, forbidden, unprocessable
from sync_server.services.ordering import next_ingest_seq
from sync_server.services.quota import check_quota, new_bytes
from sync_server.services.receipts import batch_hash, make_receipt
from sync_server.services.tally import rederive


@dataclass(frozen=True)
class IngestResult:
    receipt: dict[str, Any]
    replay: bool

    @property
    def status(self) -> int:
        return 200


def ingest(ctx: Context, doc: Any, *, source: str = "api") -> IngestResult:
    """A batch is first authenticated (its station approved and every event's
    signature verified) without any write: a refusal then is a stranger's, only
    counted and summarized (services/refusals.py). A batch refused after that
    gets its own audit entry."""
    try:
        shape, checked, st = _authenticate(ctx, doc)
    except ServiceError as err:
        ctx.stats["batches_rejected"] += 1
        refusals.refused(ctx, "batch", err.code)
        raise
    try:
        result = _ingest(ctx, shape, checked, st, source)
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


def _authenticate(ctx: Context, doc: Any) -> tuple[BatchShape, list[Checked], Any]:
    """The batch's shape, its approved station, and every event checked against
    that station's key (in worker processes for large batches), all before any
    write: one batch is checked while another is merged, and a stranger's batch
    never takes the write lock. Raises unless every event verifies."""
    shape = parse_shape(
        doc,
        max_events=ctx.settings.max_events_per_batch,
        server_station=ctx.settings.server_station,
        max_image=ctx.settings.max_image_bytes,
    )
    with ctx.store.read() as conn:
        st = _station(conn, shape.station)
    public = unb64(st.public_key, "public_key")
    checked = check_wires(public, shape.wires, ctx.settings.verify_workers)
    if not all(c.error is None and c.signature_ok for c in checked):
        build_batch(shape, checked, catalog=ctx.fingerprint)  # names the first bad event
        raise unprocessable("bad_signature", "firma inválida", "invalid signature")
    return shape, checked, st


def _ingest(
    ctx: Context, shape: BatchShape, checked: list[Checked], st: Any, source: str
) -> IngestResult:
    """An authenticated batch: what its station may send (role, scope, clock), then
    the replay check, the image quota and the merge."""
    pb = build_batch(shape, checked, catalog=ctx.fingerprint)
    check_authority(ctx, st, pb.events)
    bh = batch_hash([se.hash for se in pb.events])
    with ctx.store.read() as conn:
        prior = conn.execute(select(batches.c.receipt).where(batches.c.hash == bh)).scalar()
        adding = 0 if prior is not None else new_bytes(conn, pb.images)
        check_quota(
            conn,
            ctx.image_usage,
            pb.station,
            adding,
            ctx.settings.image_quota_bytes,
            cached=ctx.store.is_sqlite,
        )
    if prior is not None:
        return IngestResult(json.loads(prior), replay=True)
    check_clock(ctx, [se for se in pb.events if se.event.seq > st.last_seq])
    result = _merge(ctx, pb, bh, source)
    if not result.replay:
        ctx.image_usage.stored(pb.station, adding)
    return result


def _merge(ctx: Context, pb: ParsedBatch, bh: str, source: str) -> IngestResult:
    now = ctx.now()
    with ctx.store.write() as conn:
        prior = conn.execute(select(batches.c.receipt).where(batches.c.hash == bh)).scalar()
        if prior is not None:
            return IngestResult(json.loads(prior), replay=True)
        st = _station(conn, pb.station)  # again: it may have been revoked meanwhile
        check_authority(ctx, st, pb.events)  # and its scope may have changed
        new_images = check_images(conn, pb)
        check_old(conn, pb, st.last_seq)
        new = [se for se in pb.events if se.event.seq > st.last_seq]
        check = link(new, after_seq=st.last_seq, after_hash=st.last_hash)
        if check.errors:
            raise chain_error(check.errors[0], pb)
        if check.held:
            raise gap_error(pb, check.verified[-1].event.seq if check.verified else st.last_seq)
        verified = check.verified
        first = next_ingest_seq(conn)
        insert_rows(
            conn,
            events,
            EVENT_COLUMNS,
            [_row(se, bh, now, first + i) for i, se in enumerate(verified)],
        )
        insert_rows(
            conn,
            images,
            IMAGE_COLUMNS,
            [
                (s, len(d), "application/octet-stream", d, now, pb.station,
                 hashlib.sha512(d).hexdigest())
                for s, d in new_images.items()
            ],
        )
        head_seq = verified[-1].event.seq if verified else st.last_seq
        head_hash = verified[-1].hash if verified else st.last_hash
        conn.execute(
            stations.update()
            .where(stations.c.id == pb.station)
            .values(
                last_seq=head_seq, last_hash=head_hash, last_contact=now, **_gap_left(st, head_seq)
            )
        )
        ctx.remember([se.event for se in verified])
        rederive(ctx, conn, {se.event.clave_acta for se in verified})
        receipt = make_receipt(
            ctx.key, _receipt_body(ctx, pb, bh, len(verified), head_seq, head_hash, now)
        )
        conn.execute(
            batches.insert().values(
                hash=bh,
                station=pb.station,
                events=len(pb.events),
                accepted=len(verified),
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
                "head": head_seq,
                "source": source,
            },
        )
    ctx.stats["events_accepted"] += len(verified)
    return IngestResult(receipt, replay=False)


IMAGE_COLUMNS = ("sha256", "size", "media_type", "data", "received_at", "station", "sha512")
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
    "ingest_seq",
)


def _row(se: SignedEvent, bh: str, now: int, ingest_seq: int) -> tuple[Any, ...]:
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
        ingest_seq,
    )


def _gap_left(st: Any, head_seq: int) -> dict[str, Any]:
    """The station's reported gap once its head is ``head_seq``: gone when the head
    reached its end, narrowed when the head entered it."""
    if st.gap_last is None or head_seq < st.gap_first:
        return {}
    if head_seq >= st.gap_last:
        return {"gap_first": None, "gap_last": None, "gap_events": None, "gap_at": None}
    return {"gap_first": head_seq + 1}


def _receipt_body(
    ctx: Context, pb: ParsedBatch, bh: str, new: int, head_seq: int, head_hash: str, now: int
) -> dict[str, Any]:
    stored = sorted({se.event.seq for se in pb.events})
    return {
        "station": pb.station,
        "batch": bh,
        "events": len(pb.events),
        "catalog": ctx.fingerprint,
        "accepted": {"first": stored[0], "last": stored[-1]},
        "new": new,
        "head": {"seq": head_seq, "hash": head_hash},
        "received_at": now,
    }


def _audit_rejection(ctx: Context, doc: Any, err: ServiceError, source: str) -> None:
    """The rejection in the audit log; a chain gap also on the station's row."""
    station = doc.get("station") if isinstance(doc, dict) else None
    station = station[:48] if isinstance(station, str) else "?"
    now = ctx.now()
    with ctx.store.write() as conn:
        if err.code == "chain_gap":
            missing = err.extra["missing"]
            conn.execute(
                stations.update()
                .where(stations.c.id == station)
                .values(
                    gap_first=missing[0],
                    gap_last=missing[1],
                    gap_events=err.extra["events"],
                    gap_at=now,
                )
            )
        detail = {"code": err.code, "index": err.index, "reason": err.message_en, "source": source}
        if err.code == "chain_gap":
            detail["missing"] = err.extra["missing"]
        audit.append(conn, now, f"station:{station}", "batch_rejected", detail)
