"""Checks a batch needs before touching the database: shape, each event's wire
form, station, catalog fingerprint and inline images. Every failure names the
event index and the reason."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from prep_core.events import Kind, SignedEvent
from sync_server.services.chain import Checked
from sync_server.services.errors import ServiceError, conflict, forbidden, unprocessable
from sync_server.services.fastevent import trusted_event

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_INT = 2**53 - 1  # seq and at: safe in JSON numbers and in BIGINT columns


@dataclass(frozen=True)
class ParsedBatch:
    station: str
    events: tuple[SignedEvent, ...]
    images: dict[str, bytes]


@dataclass(frozen=True)
class BatchShape:
    station: str
    wires: list[Any]
    images: dict[str, bytes]


def parse_shape(
    doc: Any, *, max_events: int, server_station: str, max_image: int = MAX_IMAGE_BYTES
) -> BatchShape:
    """The batch's top level: station, the list of events, inline images."""
    if not isinstance(doc, dict):
        raise unprocessable("bad_request", "se espera un objeto JSON", "expected a JSON object")
    extra = set(doc) - {"station", "events", "images"}
    if extra:
        raise unprocessable(
            "bad_fields",
            f"campos inesperados: {sorted(extra)}",
            f"unexpected fields: {sorted(extra)}",
        )
    station = doc.get("station")
    if not isinstance(station, str) or not station:
        raise unprocessable("bad_station", "station debe ser texto", "station must be text")
    if station == server_station:
        raise forbidden("reserved_id", "identificador reservado", "reserved station id")
    wires = doc.get("events")
    if not isinstance(wires, list) or not wires:
        raise unprocessable(
            "bad_events", "events debe ser una lista no vacía", "events must be a non-empty list"
        )
    if len(wires) > max_events:
        raise ServiceError(
            413,
            "too_many_events",
            f"más de {max_events} eventos en un lote",
            f"more than {max_events} events in a batch",
        )
    return BatchShape(station, wires, parse_images(doc.get("images"), max_image))


def build_batch(shape: BatchShape, checked: list[Checked], *, catalog: str) -> ParsedBatch:
    """Events from their checked wire form. Failures, each naming the event index:
    first any malformed event, then events of another station or catalog and
    resolutions sent by a station, then the first bad signature."""
    for i, c in enumerate(checked):
        if c.error is not None:
            raise unprocessable("invalid_event", c.error[0], c.error[1], index=i)
    events: list[SignedEvent] = []
    for i, (w, c) in enumerate(zip(shape.wires, checked, strict=True)):
        se = SignedEvent(trusted_event(w["event"], c.encoded, c.digest), c.signature)
        ev = se.event
        if ev.seq > MAX_INT or ev.at > MAX_INT:
            raise unprocessable(
                "invalid_event", "seq o at fuera de rango", "seq or at out of range", index=i
            )
        if ev.station != shape.station:
            raise unprocessable(
                "wrong_station",
                f"el evento es de la estación {ev.station}, no de {shape.station}",
                f"the event belongs to station {ev.station}, not {shape.station}",
                index=i,
            )
        if ev.catalog != catalog:
            raise conflict(
                "catalog_mismatch",
                "el evento usa otro catálogo (huella distinta)",
                "the event uses another catalog (different fingerprint)",
                index=i,
                extra={"expected_catalog": catalog},
            )
        if ev.kind is Kind.RESOLUCION:
            raise forbidden(
                "resolution_from_station",
                "sólo el servidor emite resoluciones",
                "only the server issues resolutions",
                index=i,
            )
        events.append(se)
    bad = next((i for i, c in enumerate(checked) if not c.signature_ok), None)
    if bad is not None:
        raise unprocessable("bad_signature", "firma inválida", "invalid signature", index=bad)
    return ParsedBatch(shape.station, tuple(events), shape.images)


def parse_images(raw: Any, max_image: int = MAX_IMAGE_BYTES) -> dict[str, bytes]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise unprocessable("bad_images", "images debe ser un objeto", "images must be an object")
    out: dict[str, bytes] = {}
    for sha, text in raw.items():
        if not _HEX64.match(sha) or not isinstance(text, str):
            raise unprocessable(
                "bad_images",
                "images: claves SHA-256 hex y valores base64",
                "images: SHA-256 hex keys and base64 values",
                extra={"image": sha[:64]},
            )
        try:
            data = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise unprocessable(
                "bad_images", "imagen no es base64", "image is not base64", extra={"image": sha}
            ) from None
        check_image(sha, data, max_image)
        out[sha] = data
    return out


def check_image(sha: str, data: bytes, max_image: int = MAX_IMAGE_BYTES) -> None:
    if len(data) > max_image:
        raise ServiceError(
            413,
            "image_too_large",
            f"imagen de más de {max_image} bytes",
            f"image over {max_image} bytes",
        )
    if not data or hashlib.sha256(data).hexdigest() != sha:
        raise unprocessable(
            "image_hash_mismatch",
            "los bytes de la imagen no corresponden a su SHA-256",
            "the image bytes do not match their SHA-256",
            extra={"image": sha},
        )


def referenced_images(events: tuple[SignedEvent, ...]) -> dict[str, int]:
    """Image hash → index of the first digitalización event naming it."""
    out: dict[str, int] = {}
    for i, se in enumerate(events):
        if se.event.kind is Kind.DIGITALIZACION:
            out.setdefault(se.event.payload["image"], i)
    return out
