"""Signed events: the unit stations produce and the server merges.

Wire format ``prep-event/1`` (docs/EVENTS.md). An event's canonical bytes are
its body as JSON with sorted keys, no blanks, UTF-8, integers only (no floats).
Each station numbers its events 1, 2, 3… and each names the SHA-256 of the
previous one's canonical bytes (the first names 64 zeros), so a gap, a
reorder or a replaced event breaks the chain. The body is signed with the
station's Ed25519 key.

One module for the whole wire contract (the body, each kind's payload, the
signature and the chain), so that what a station writes and what the server
accepts are read from one place; hence its length.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from prep_core.errors import SignatureError
from prep_core.signing import KeyPair, b64, unb64, verify
from prep_core.values import check_value

EVENT_FORMAT = 1
GENESIS = "0" * 64
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
# CLAVE_ACTA: letters and digits, with single spaces before an especial's suffix
# (``151025S01002 EMR``)
_ACTA = re.compile(r"[0-9A-Za-z]+( [0-9A-Za-z]+)*")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
MAX_EVENT_BYTES = 16_384


class PayloadError(ValueError):
    """What is wrong with an event's payload, in Spanish and English."""

    def __init__(self, es: str, en: str) -> None:
        super().__init__(en)
        self.es, self.en = es, en


class Kind(enum.Enum):
    ACOPIO = "acopio"
    SIN_ACTA = "sin_acta"
    DIGITALIZACION = "digitalizacion"
    CAPTURA = "captura"
    VERIFICACION = "verificacion"
    COTEJO = "cotejo"
    CORRECCION = "correccion"
    RESOLUCION = "resolucion"
    IDENTIDAD = "identidad"


CAPTURE_KINDS = frozenset({Kind.CAPTURA, Kind.VERIFICACION})
ORIGENES = {"CATD": "ESCANER", "CASILLA": "MOVIL"}
COTEJO_RESULTS = frozenset({"accept", "recapture", "rescan"})
RESOLUTION_ACTIONS = frozenset({"choose", "recapture", "rescan"})
# a supervisor's decision on an acta whose label disagrees with its writing, or a key
# typed by hand and confirmed by a second person against the image
IDENTITY_DECISIONS = frozenset({"accept", "relabel", "rescan", "typed"})
WRITTEN_PARTS = ("demarcacion", "seccion", "tipo", "numero")


def canonical(doc: Any) -> bytes:
    """Deterministic bytes: sorted keys, no blanks, UTF-8; floats are refused."""
    _no_floats(doc)
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _no_floats(doc: Any) -> None:
    if isinstance(doc, float):
        raise ValueError("floats are not allowed in events")
    if isinstance(doc, dict):
        for v in doc.values():
            _no_floats(v)
    elif isinstance(doc, list):
        for v in doc:
            _no_floats(v)


@dataclass(frozen=True)
class Event:
    """One fact recorded by a station (or by the server for resolutions).

    ``at`` is milliseconds since the Unix epoch, UTC. ``catalog`` is the
    fingerprint of the catalog the station works with.
    """

    station: str
    seq: int
    prev: str
    kind: Kind
    clave_acta: str
    at: int
    operator: str
    catalog: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    def body(self) -> dict[str, Any]:
        return {
            "v": EVENT_FORMAT,
            "station": self.station,
            "seq": self.seq,
            "prev": self.prev,
            "kind": self.kind.value,
            "acta": self.clave_acta,
            "at": self.at,
            "operator": self.operator,
            "catalog": self.catalog,
            "payload": dict(self.payload),
        }

    def encode(self) -> bytes:
        return self._encoded

    @cached_property
    def _encoded(self) -> bytes:
        return canonical(self.body())

    @cached_property
    def hash(self) -> str:
        """SHA-256 (hex) of the canonical bytes: the event's identity and chain link."""
        return hashlib.sha256(self._encoded).hexdigest()


@dataclass(frozen=True)
class SignedEvent:
    event: Event
    signature: bytes

    @property
    def hash(self) -> str:
        return self.event.hash

    def to_wire(self) -> dict[str, Any]:
        return {"event": self.event.body(), "sig": b64(self.signature)}

    def verify(self, public_key: bytes) -> None:
        if not verify(public_key, self.signature, self.event.encode()):
            raise SignatureError(
                "firma inválida",
                "invalid signature",
                where=f"evento {self.event.station}#{self.event.seq}",
            )


def sign_event(event: Event, key: KeyPair) -> SignedEvent:
    return SignedEvent(event, key.sign(event.encode()))


def _bad(where: str, es: str, en: str) -> SignatureError:
    return SignatureError(es, en, where=where)


def event_from_body(body: Any, where: str = "evento") -> Event:
    """Validate an event body that came from outside; raise SignatureError naming the field."""
    if not isinstance(body, dict):
        raise _bad(where, "el evento no es un objeto", "event is not an object")
    expected = {
        "v",
        "station",
        "seq",
        "prev",
        "kind",
        "acta",
        "at",
        "operator",
        "catalog",
        "payload",
    }
    if set(body) != expected:
        raise _bad(
            where,
            f"campos inesperados: {sorted(set(body) ^ expected)}",
            f"unexpected fields: {sorted(set(body) ^ expected)}",
        )
    if body["v"] != EVENT_FORMAT:
        raise _bad(
            where,
            f"versión de formato desconocida {body['v']!r}",
            f"unknown format version {body['v']!r}",
        )
    for name in ("station", "operator"):
        if not isinstance(body[name], str) or not _ID.match(body[name]):
            raise _bad(where, f"{name} inválido", f"invalid {name}")
    for name in ("seq", "at"):
        if not isinstance(body[name], int) or isinstance(body[name], bool) or body[name] < 0:
            raise _bad(where, f"{name} debe ser un entero", f"{name} must be an integer")
    if body["seq"] < 1:
        raise _bad(where, "seq empieza en 1", "seq starts at 1")
    for name in ("prev", "catalog"):
        if not isinstance(body[name], str) or not _HEX64.match(body[name]):
            raise _bad(where, f"{name} debe ser SHA-256 hex", f"{name} must be SHA-256 hex")
    try:
        kind = Kind(body["kind"])
    except ValueError:
        raise _bad(
            where,
            f"tipo de evento desconocido {body['kind']!r}",
            f"unknown event kind {body['kind']!r}",
        ) from None
    acta = body["acta"]
    if not isinstance(acta, str) or len(acta) > 32 or not (acta == "" or _ACTA.fullmatch(acta)):
        raise _bad(where, "CLAVE_ACTA inválida", "invalid CLAVE_ACTA")
    payload = body["payload"]
    if not isinstance(payload, dict):
        raise _bad(where, "payload debe ser un objeto", "payload must be an object")
    try:
        validate_payload(kind, payload)
        _no_floats(payload)
    except PayloadError as exc:
        raise _bad(where, f"payload inválido: {exc.es}", f"invalid payload: {exc.en}") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise _bad(
            where, f"payload inválido (valor: {exc})", f"invalid payload (value: {exc})"
        ) from None
    return Event(
        body["station"],
        body["seq"],
        body["prev"],
        kind,
        acta,
        body["at"],
        body["operator"],
        body["catalog"],
        payload,
    )


def signed_from_wire(doc: Any, where: str = "evento") -> SignedEvent:
    if not isinstance(doc, dict) or set(doc) != {"event", "sig"}:
        raise _bad(where, "se espera {event, sig}", "expected {event, sig}")
    ev = event_from_body(doc["event"], where)
    if len(ev.encode()) > MAX_EVENT_BYTES:
        raise _bad(where, "evento demasiado grande", "event too large")
    sig = unb64(doc["sig"], "sig") if isinstance(doc["sig"], str) else b""
    if len(sig) != 64:
        raise _bad(where, "firma de longitud inválida", "signature of wrong length")
    return SignedEvent(ev, sig)


MAX_FIGURE = 99_999  # the largest figure an event holds (five digit cells)


def _values(v: Any) -> None:
    if not isinstance(v, dict) or not v:
        raise PayloadError("values debe ser un objeto no vacío", "values must be a non-empty object")
    for name, value in v.items():
        if not isinstance(name, str) or not name:
            raise PayloadError("los nombres de campo son texto", "field names must be text")
        check_value(value)
        if isinstance(value, int) and value > MAX_FIGURE:
            raise PayloadError(f"{name}: cifra demasiado grande", f"{name}: figure too large")


MAX_REASON = 500


def _reason(p: Mapping[str, Any]) -> None:
    """A decision that changes what was captured says why (a send-back, a corrección)."""
    r = p.get("reason")
    if not isinstance(r, str) or not r.strip() or len(r) > MAX_REASON:
        raise PayloadError(f"reason debe ser texto (1 a {MAX_REASON} caracteres)", f"reason must be text (1 to {MAX_REASON} characters)")


def _sha(v: Any, name: str) -> None:
    if not isinstance(v, str) or not _HEX64.match(v):
        raise PayloadError(f"{name} debe ser SHA-256 hex", f"{name} must be SHA-256 hex")


def digitalizacion(
    image: str, origen: str = "CATD", qr: str | None = None, tipo_documento: str = "Acta PREP"
) -> dict[str, Any]:
    """The payload of a ``digitalizacion``: a CATD scans (ESCANER), PREP Casilla
    photographs (MOVIL)."""
    return {
        "image": image,
        "qr": qr,
        "origen": origen,
        "digitalizacion": ORIGENES[origen],
        "tipo_documento": tipo_documento,
    }


def validate_payload(kind: Kind, p: Mapping[str, Any]) -> None:
    """Check the payload of each kind; raise ValueError naming what is wrong."""
    if kind is Kind.SIN_ACTA:
        if p.get("cause") not in (1, 2, 3, 4):
            raise PayloadError("cause debe ser 1, 2, 3 o 4", "cause must be 1, 2, 3 or 4")
    elif kind is Kind.DIGITALIZACION:
        _sha(p.get("image"), "image")
        if p.get("origen") not in ORIGENES:
            raise PayloadError("origen debe ser CATD o CASILLA", "origen must be CATD or CASILLA")
        if p.get("digitalizacion") != ORIGENES[p["origen"]]:
            raise PayloadError("digitalizacion debe ser ESCANER (CATD) o MOVIL (CASILLA)", "digitalizacion must be ESCANER (CATD) or MOVIL (CASILLA)")
        if not isinstance(p.get("tipo_documento"), str):
            raise PayloadError("tipo_documento debe ser texto", "tipo_documento must be text")
        if p.get("qr") is not None and not isinstance(p["qr"], str):
            raise PayloadError("qr debe ser texto o null", "qr must be text or null")
    elif kind in CAPTURE_KINDS:
        src = p.get("source")
        if not isinstance(src, str) or not src.startswith(("ocr:", "operator:")):
            raise PayloadError("source debe ser 'ocr:<modelo>' u 'operator:<id>'", "source must be 'ocr:<model>' or 'operator:<id>'")
        if p.get("image") is not None:
            _sha(p["image"], "image")
        _values(p.get("values"))
    elif kind is Kind.COTEJO:
        if p.get("result") not in COTEJO_RESULTS:
            raise PayloadError("result debe ser accept, recapture o rescan", "result must be accept, recapture or rescan")
        if p["result"] != "accept" or "reason" in p:
            _reason(p)
    elif kind is Kind.CORRECCION:
        _values(p.get("values"))
        _reason(p)
    elif kind is Kind.RESOLUCION:
        if p.get("action") not in RESOLUTION_ACTIONS:
            raise PayloadError("action debe ser choose, recapture o rescan", "action must be choose, recapture or rescan")
        if p["action"] == "choose":
            _values(p.get("values"))
        if not isinstance(p.get("reason"), str):
            raise PayloadError("reason debe ser texto", "reason must be text")
    elif kind is Kind.IDENTIDAD:
        _identidad(p)


def _identidad(p: Mapping[str, Any]) -> None:
    """``identidad``: the decision, the image it is about, the label read or typed and
    what the acta says; accepting a disagreement or relabelling says why; a typed key
    names the two people who typed and confirmed it (docs/EVENTS.md)."""
    d = p.get("decision")
    if d not in IDENTITY_DECISIONS:
        raise PayloadError("decision debe ser accept, relabel, rescan o typed",
                           "decision must be accept, relabel, rescan or typed")
    _sha(p.get("image"), "image")
    label = p.get("label")
    if label is not None and (not isinstance(label, str) or len(label) > 200):
        raise PayloadError("label debe ser texto o null", "label must be text or null")
    w = p.get("written")
    if w is not None:
        if not isinstance(w, dict) or set(w) - set(WRITTEN_PARTS):
            raise PayloadError("written: sólo demarcacion, seccion, tipo, numero",
                               "written: only demarcacion, seccion, tipo, numero")
        for k, v in w.items():
            ok = v is None or (isinstance(v, str) and len(v) <= 2) if k == "tipo" else \
                v is None or (isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 10_000)
            if not ok:
                raise PayloadError(f"written.{k} inválido", f"invalid written.{k}")
    if d in ("accept", "relabel"):
        _reason(p)
    if d == "relabel" and not (isinstance(p.get("from"), str) and _ACTA.fullmatch(p["from"])):
        raise PayloadError("relabel necesita from (la clave de la etiqueta)",
                           "relabel needs from (the label's key)")
    if d == "typed":
        a, b = p.get("typed_by"), p.get("confirmed_by")
        if not (isinstance(a, str) and isinstance(b, str) and _ID.match(a) and _ID.match(b)):
            raise PayloadError("typed necesita typed_by y confirmed_by",
                               "typed needs typed_by and confirmed_by")
        if a == b:
            raise PayloadError("la clave tecleada la confirma otra persona",
                               "a typed key is confirmed by another person")


@dataclass
class EventLog:
    """A station's append-only chain of signed events (pure: storage is the caller's)."""

    station: str
    key: KeyPair
    catalog: str
    seq: int = 0
    last_hash: str = GENESIS
    sign: bool = True  # False only for benchmarks that need unsigned streams

    def append(
        self,
        kind: Kind,
        clave_acta: str,
        at: int,
        operator: str,
        payload: Mapping[str, Any] | None = None,
    ) -> SignedEvent:
        body = dict(payload or {})
        validate_payload(kind, body)
        ev = Event(
            self.station,
            self.seq + 1,
            self.last_hash,
            kind,
            clave_acta,
            at,
            operator,
            self.catalog,
            body,
        )
        signed = sign_event(ev, self.key) if self.sign else SignedEvent(ev, b"")
        self.seq, self.last_hash = ev.seq, ev.hash
        return signed


@dataclass(frozen=True)
class ChainCheck:
    """Result of checking one station's events against its key and chain."""

    verified: tuple[SignedEvent, ...]  # contiguous from the start point
    held: tuple[SignedEvent, ...]  # after a gap: not accepted until the gap fills
    errors: tuple[str, ...]


def check_chain(
    events: Iterable[SignedEvent],
    public_key: bytes,
    *,
    after_seq: int = 0,
    after_hash: str = GENESIS,
) -> ChainCheck:
    """Verify signatures and continuity of one station's events after a known point.

    Repeats of one event collapse; two different events with the same number,
    a bad signature or a broken link are errors; events past a gap are held.
    """
    good: list[SignedEvent] = []
    errors: list[str] = []
    for se in events:
        if se.event.seq <= after_seq:
            continue  # already accepted (a replay)
        if verify(public_key, se.signature, se.event.encode()):
            good.append(se)
        else:
            errors.append(f"seq {se.event.seq}: firma inválida / invalid signature")
    linked = link_chain(good, after_seq=after_seq, after_hash=after_hash)
    return ChainCheck(linked.verified, linked.held, (*errors, *linked.errors))


def link_chain(
    events: Iterable[SignedEvent], *, after_seq: int = 0, after_hash: str = GENESIS
) -> ChainCheck:
    """Continuity only, for events whose signatures are already verified."""
    by_seq: dict[int, SignedEvent] = {}
    errors: list[str] = []
    for se in events:
        seq = se.event.seq
        if seq <= after_seq:
            continue
        other = by_seq.get(seq)
        if other is not None and other.hash != se.hash:
            errors.append(f"seq {seq}: dos eventos distintos / two different events")
            continue
        by_seq[seq] = se
    verified: list[SignedEvent] = []
    seq, prev = after_seq, after_hash
    while seq + 1 in by_seq:
        se = by_seq.pop(seq + 1)
        if se.event.prev != prev:
            errors.append(f"seq {seq + 1}: la cadena no enlaza / chain link broken")
            break
        verified.append(se)
        seq, prev = seq + 1, se.hash
    held = tuple(sorted(by_seq.values(), key=lambda s: s.event.seq))
    return ChainCheck(tuple(verified), held, tuple(errors))
