"""Checks of a batch inside the merge transaction: referenced images present,
already-accepted numbers unchanged, chain errors mapped to the event index, and
a chain gap named by its missing numbers."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from sync_server.db.tables import events, images
from sync_server.services.batch_parse import ParsedBatch, referenced_images
from sync_server.services.errors import ServiceError, conflict, unprocessable

_SEQ = re.compile(r"^seq (\d+): ")


def check_images(conn: Connection, pb: ParsedBatch) -> dict[str, bytes]:
    refs = referenced_images(pb.events)
    wanted = sorted(set(refs) | set(pb.images))
    if not wanted:
        return {}
    present = set(conn.scalars(select(images.c.sha256).where(images.c.sha256.in_(wanted))))
    for sha, i in refs.items():
        if sha not in present and sha not in pb.images:
            raise unprocessable(
                "image_missing",
                "la imagen de la digitalización no se ha subido",
                "the digitalization's image has not been uploaded",
                index=i,
                extra={"image": sha},
            )
    return {s: d for s, d in pb.images.items() if s not in present}


def check_old(conn: Connection, pb: ParsedBatch, last_seq: int) -> None:
    """Events already accepted must be exactly the stored ones (else: a fork)."""
    old = [(i, se) for i, se in enumerate(pb.events) if se.event.seq <= last_seq]
    if not old:
        return
    seqs = sorted({se.event.seq for _, se in old})
    stored = dict(
        conn.execute(
            select(events.c.seq, events.c.hash).where(
                events.c.station == pb.station, events.c.seq.in_(seqs)
            )
        ).all()
    )
    for i, se in old:
        if stored.get(se.event.seq) != se.hash:
            raise conflict(
                "chain_fork",
                f"el número {se.event.seq} ya fue aceptado con otro contenido",
                f"number {se.event.seq} was already accepted with other content",
                index=i,
            )


def chain_error(error: str, pb: ParsedBatch) -> ServiceError:
    m = _SEQ.match(error)
    seq = int(m.group(1)) if m else None
    index = next((i for i, se in enumerate(pb.events) if se.event.seq == seq), None)
    if "firma" in error:
        return unprocessable("bad_signature", "firma inválida", "invalid signature", index=index)
    if "distintos" in error:
        return conflict(
            "chain_fork",
            "dos eventos distintos con el mismo número",
            "two different events with the same number",
            index=index,
        )
    return unprocessable(
        "chain_broken",
        "la cadena no enlaza (prev no coincide)",
        "chain link broken (prev does not match)",
        index=index,
    )


def gap_error(pb: ParsedBatch, head: int) -> ServiceError:
    """The batch's new events skip numbers after ``head`` (the station's head, or the
    last of this batch's events that continue it): 409 naming the missing range."""
    got = min(se.event.seq for se in pb.events if se.event.seq > head)
    expected = head + 1
    index = next(i for i, se in enumerate(pb.events) if se.event.seq == got)
    span_es = f"{expected}" if got - 1 == expected else f"{expected} a {got - 1}"
    span_en = f"{expected}" if got - 1 == expected else f"{expected} to {got - 1}"
    return conflict(
        "chain_gap",
        f"hueco en la cadena: se esperaba el número {expected} y llegó el {got}; "
        f"faltan los eventos {span_es}. No se guardó nada del lote: envíe antes los "
        "eventos que faltan (o importe antes el archivo anterior)",
        f"chain gap: expected seq {expected}, got {got}; events {span_en} are missing. "
        "Nothing of the batch was stored: send the missing events first (or import the "
        "earlier file first)",
        index=index,
        extra={
            "expected_seq": expected,
            "got_seq": got,
            "missing": [expected, got - 1],
            "events": len(pb.events),
        },
    )
