"""Each acta's state, derived from any set of events (PREP-RULES §2).

A pure function of the *set* of events: repeats and arrival order change
nothing (events are deduplicated by hash and processed in a total order of
their own content), so merging batches is idempotent and commutative.

Verification: an acta is verified when two captures from different sources
agree exactly. A disagreement needs a third capture (a verificación, which may
carry only the disputed fields) or a supervisor's decision (corrección or
resolución); the latest such decision wins and keeps the history.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prep_core.counting import SinActaCause
from prep_core.events import CAPTURE_KINDS, Event, Kind
from prep_core.values import FieldValue, Mark, check_value


class Status(enum.Enum):
    ACOPIADA = "acopiada"
    SIN_ACTA = "sin_acta"
    DIGITALIZADA = "digitalizada"
    CAPTURADA = "capturada"  # one source so far
    DISCREPANCIA = "discrepancia"  # sources disagree: needs a third capture
    VERIFICADA = "verificada"
    CONFLICTO = "conflicto"  # two verified readings differ: a coordinator decides


@dataclass(frozen=True)
class Image:
    sha256: str
    origen: str
    digitalizacion: str
    tipo_documento: str
    at: int
    qr: str | None


@dataclass(frozen=True)
class ActaState:
    clave_acta: str
    status: Status
    fecha_acopio: int | None
    fecha_captura: int | None
    fecha_verificacion: int | None
    sin_acta: SinActaCause | None
    images: tuple[Image, ...]
    reading: Mapping[str, FieldValue] | None  # the verified values
    reading_image: Image | None
    disputed: tuple[str, ...]
    readings_in_conflict: tuple[Mapping[str, FieldValue], ...]
    cotejada: int | None  # 1, 2, 3 or None when not cotejada yet
    captures: int
    sources: tuple[str, ...]

    @property
    def verificada(self) -> bool:
        return self.status is Status.VERIFICADA


def order_key(ev: Event) -> tuple[int, str, int, str]:
    return (ev.at, ev.station, ev.seq, ev.hash)


_MARK_TEXT: dict[object, Mark] = {m.value: m for m in Mark}


def _values(raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Values of a payload (validated when the event was made or received)."""
    try:
        return {k: v if type(v) is int else _MARK_TEXT[v] for k, v in raw.items()}
    except (KeyError, TypeError):
        return {k: check_value(v) for k, v in raw.items()}


def _freeze(values: Mapping[str, FieldValue]) -> tuple[tuple[str, FieldValue], ...]:
    return tuple(sorted(values.items(), key=lambda kv: kv[0]))


SEND_BACKS = ("recapture", "rescan")


def _decision(e: Event) -> str | None:
    """What a decision on the acta says: ``choose`` (a corrección or a resolución
    choosing a reading), ``recapture`` or ``rescan`` (a resolución, or a cotejo
    sending the acta back); None for any other event."""
    if e.kind is Kind.CORRECCION:
        return "choose"
    if e.kind is Kind.RESOLUCION:
        return str(e.payload.get("action"))
    if e.kind is Kind.COTEJO and e.payload.get("result") in SEND_BACKS:
        return str(e.payload["result"])
    return None


def _last_decision(evs: list[Event]) -> tuple[Event | None, str | None]:
    """The latest decision among events sorted by :func:`order_key`."""
    for e in reversed(evs):
        d = _decision(e)
        if d is not None:
            return e, d
    return None, None


def open_since(events: Iterable[Event]) -> int:
    """When the acta's current round of capture began: the time of the latest
    decision sending it back for recapture or rescan (captures before it are set
    aside), or -1 when it was never sent back."""
    last, action = _last_decision(sorted({e.hash: e for e in events}.values(), key=order_key))
    return last.at if last is not None and action in SEND_BACKS else -1


def derive_actas(events: Iterable[Event]) -> dict[str, ActaState]:
    """The state of every acta named by the events."""
    by_acta: dict[str, dict[str, Event]] = defaultdict(dict)
    for ev in events:
        by_acta[ev.clave_acta][ev.hash] = ev
    return {clave: derive_acta(clave, evs.values()) for clave, evs in by_acta.items()}


def derive_acta(clave_acta: str, events: Iterable[Event]) -> ActaState:
    evs = sorted({e.hash: e for e in events if e.clave_acta == clave_acta}.values(), key=order_key)
    acopio = [e.at for e in evs if e.kind is Kind.ACOPIO]
    images = tuple(
        Image(
            e.payload["image"],
            e.payload["origen"],
            e.payload["digitalizacion"],
            e.payload["tipo_documento"],
            e.at,
            e.payload.get("qr"),
        )
        for e in evs
        if e.kind is Kind.DIGITALIZACION
    )
    sin_acta_evs = [e for e in evs if e.kind is Kind.SIN_ACTA]
    last, action = _last_decision(evs)
    epoch = last.at if last is not None and action in SEND_BACKS else -1
    live_images = tuple(i for i in images if not (action == "rescan" and i.at < epoch))
    captures = [e for e in evs if e.kind in CAPTURE_KINDS]
    live = [e for e in captures if e.at >= epoch]
    # one reading per source: its latest
    # one reading per source and image: its latest (a capturist correcting
    # themselves); one source reading two images (a PREP Casilla photo and a
    # CATD scan) keeps both
    per_source: dict[tuple[str, str], Event] = {}
    for e in live:
        per_source[(e.payload["source"], e.payload.get("image") or "")] = e
    first_capture = captures[0].at if captures else None

    reading: dict[str, FieldValue] | None = None
    reading_image_sha: str | None = None
    fecha_verif: int | None = None
    disputed: tuple[str, ...] = ()
    conflict: tuple[dict[str, FieldValue], ...] = ()
    status: Status | None

    if last is not None and action == "choose":
        reading = _values(last.payload["values"])
        fecha_verif = last.at
        reading_image_sha = last.payload.get("image")
        status = Status.VERIFICADA
    else:
        status, reading, reading_image_sha, fecha_verif, disputed, conflict = _agree(
            list(per_source.values())
        )

    if status is None:
        if sin_acta_evs and not live_images:
            status = Status.SIN_ACTA
        elif live_images:
            status = Status.DIGITALIZADA
        else:
            status = Status.ACOPIADA

    reading_image = None
    if reading is not None:
        reading_image = next((i for i in images if i.sha256 == reading_image_sha), None)
        if reading_image is None and live_images:
            catd = [i for i in live_images if i.origen == "CATD"]
            reading_image = (catd or list(live_images))[0]

    cotejos = [e.payload["result"] for e in evs if e.kind is Kind.COTEJO]
    cotejada = None
    if cotejos:
        if cotejos[-1] != "accept":
            cotejada = 3
        elif any(r != "accept" for r in cotejos):
            cotejada = 2
        else:
            cotejada = 1

    return ActaState(
        clave_acta=clave_acta,
        status=status,
        fecha_acopio=min(acopio) if acopio else None,
        fecha_captura=first_capture,
        fecha_verificacion=fecha_verif,
        sin_acta=SinActaCause(sin_acta_evs[-1].payload["cause"]) if sin_acta_evs else None,
        images=images,
        reading=reading,
        reading_image=reading_image,
        disputed=disputed,
        readings_in_conflict=conflict,
        cotejada=cotejada,
        captures=len(captures),
        sources=tuple(sorted({src for src, _ in per_source})),
    )


def _agree(
    caps: list[Event],
) -> tuple[
    Status | None,
    dict[str, FieldValue] | None,
    str | None,
    int | None,
    tuple[str, ...],
    tuple[dict[str, FieldValue], ...],
]:
    """Find readings on which two different sources agree exactly."""
    if not caps:
        return None, None, None, None, (), ()
    base = (
        _common_fields([e for e in caps if e.kind is Kind.CAPTURA])
        if any(e.kind is Kind.VERIFICACION for e in caps)
        else {}
    )
    readings: list[tuple[Event, dict[str, FieldValue]]] = []
    for e in caps:
        vals = _values(e.payload["values"])
        if e.kind is Kind.VERIFICACION:
            vals = {**base, **vals}
        readings.append((e, vals))
    groups: dict[tuple[tuple[str, FieldValue], ...], list[Event]] = defaultdict(list)
    for e, vals in readings:
        groups[_freeze(vals)].append(e)
    agreed = {k: v for k, v in groups.items() if len({e.payload["source"] for e in v}) >= 2}
    if len(agreed) == 1:
        key, evs = next(iter(agreed.items()))
        evs.sort(key=order_key)
        return Status.VERIFICADA, dict(key), evs[0].payload.get("image"), _second(evs), (), ()
    if len(agreed) > 1:
        conflict = tuple(dict(k) for k in sorted(agreed, key=repr))
        return Status.CONFLICTO, None, None, None, _diff(list(conflict)), conflict
    settled = _settled(readings)
    distinct = {_freeze(v): v for _, v in settled}
    if len(distinct) == 1:
        first = min((e for e, _ in settled), key=order_key)
        reading = next(iter(distinct.values()))
        return Status.VERIFICADA, reading, first.payload.get("image"), first.at, (), ()
    if len(distinct) > 1:
        conflict = tuple(distinct[k] for k in sorted(distinct, key=repr))
        return Status.CONFLICTO, None, None, None, _diff(list(conflict)), conflict
    if len({e.payload["source"] for e in caps}) == 1:
        return Status.CAPTURADA, None, None, None, (), ()
    return Status.DISCREPANCIA, None, None, None, _diff([v for _, v in readings]), ()


def _settled(
    readings: list[tuple[Event, dict[str, FieldValue]]],
) -> list[tuple[Event, dict[str, FieldValue]]]:
    """Verificaciones that settle a discrepancy: every field of the verifier's
    reading agrees with at least one other source, so two sources stand behind
    each figure."""
    out = []
    for e, vals in readings:
        if e.kind is not Kind.VERIFICACION:
            continue
        src = e.payload["source"]
        others = [v for o, v in readings if o.payload["source"] != src]
        if all(any(o.get(f) == x for o in others) for f, x in vals.items()):
            out.append((e, vals))
    return out


def _second(evs: list[Event]) -> int:
    """When the second distinct source joined an agreeing reading."""
    seen: set[str] = set()
    for e in evs:
        seen.add(e.payload["source"])
        if len(seen) == 2:
            return e.at
    raise AssertionError("an agreed reading has two sources")


def _common_fields(caps: list[Event]) -> dict[str, FieldValue]:
    if not caps:
        return {}
    vals = [_values(e.payload["values"]) for e in caps]
    first = vals[0]
    return {k: v for k, v in first.items() if all(o.get(k) == v for o in vals[1:])}


def _diff(readings: list[dict[str, FieldValue]]) -> tuple[str, ...]:
    names = sorted({k for r in readings for k in r})
    return tuple(n for n in names if len({repr(r.get(n)) for r in readings}) > 1)
