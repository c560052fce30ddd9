"""Each acta's state, derived from any set of events (docs/DOMAIN.md §2).

A pure function of the *set* of events: repeats and arrival order change
nothing (events are deduplicated by hash and processed in a total order of
their own content), so merging batches is idempotent and commutative.

Verification: an acta is verified when two captures by independent readers
agree exactly (:class:`Policy` says who is independent of whom). A
disagreement needs a third capture (a verificación, which may carry only the
disputed fields) or a coordinator's resolución; the latest decision wins and
keeps the history. A station's corrección never decides: it is a proposal that
waits for a coordinator (``proposed``).

"The latest" is in the order the caller gives: the server passes its own order
of acceptance (each event's ingest number), never a station's clock; without
one, events are ordered by their own content (:func:`order_key`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from prep_core.counting import SinActaCause
from prep_core.events import CAPTURE_KINDS, Event, Kind
from prep_core.readings import (
    LOCAL,
    RULE_LOCAL,
    RULE_OPERATORS,
    RULE_RESOLUTION,
    RULE_STATIONS,
    Agreement,
    OrderKey,
    Policy,
    Status,
    order_key,
    payload_values,
    server_policy,
)
from prep_core.values import FieldValue

__all__ = [
    "LOCAL",
    "RULE_LOCAL",
    "RULE_OPERATORS",
    "RULE_RESOLUTION",
    "RULE_STATIONS",
    "ActaState",
    "Image",
    "Policy",
    "Status",
    "current_captures",
    "derive_acta",
    "derive_actas",
    "open_since",
    "order_key",
    "server_policy",
]


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
    # which rule verified the reading: RULE_STATIONS, RULE_OPERATORS, RULE_RESOLUTION
    # or RULE_LOCAL (a station's own provisional view); None while not verified
    rule: str | None = None
    # a station's corrección waiting for a coordinator: the reading it proposes
    # (the current reading with its figures changed) and its stated reason
    proposed: Mapping[str, FieldValue] | None = None
    proposed_reason: str | None = None

    @property
    def verificada(self) -> bool:
        return self.status is Status.VERIFICADA


SEND_BACKS = ("recapture", "rescan")


def _decision(e: Event) -> str | None:
    """What a decision on the acta says: ``choose`` (a resolución choosing a
    reading), ``recapture`` or ``rescan`` (a resolución, or a cotejo sending the
    acta back); None for any other event (a corrección only proposes)."""
    if e.kind is Kind.RESOLUCION:
        return str(e.payload.get("action"))
    if e.kind is Kind.COTEJO and e.payload.get("result") in SEND_BACKS:
        return str(e.payload["result"])
    return None


def _last_decision(evs: list[Event]) -> tuple[int, Event | None, str | None]:
    """The latest decision among ordered events: its position, itself, what it says."""
    for i in range(len(evs) - 1, -1, -1):
        d = _decision(evs[i])
        if d is not None:
            return i, evs[i], d
    return -1, None, None


def _sorted(events: Iterable[Event], order: OrderKey) -> list[Event]:
    return sorted({e.hash: e for e in events}.values(), key=order)


def open_since(events: Iterable[Event], order: OrderKey = order_key) -> int:
    """When the acta's current round of capture began: the time of the latest
    decision sending it back for recapture or rescan (captures before it are set
    aside), or -1 when it was never sent back."""
    _, last, action = _last_decision(_sorted(events, order))
    return last.at if last is not None and action in SEND_BACKS else -1


def current_captures(events: Iterable[Event], order: OrderKey = order_key) -> list[Event]:
    """The captures of the current round: those after the latest send-back, in order."""
    evs = _sorted(events, order)
    i, _, action = _last_decision(evs)
    start = i + 1 if action in SEND_BACKS else 0
    return [e for e in evs[start:] if e.kind in CAPTURE_KINDS]


def derive_actas(
    events: Iterable[Event], *, order: OrderKey = order_key, policy: Policy = LOCAL
) -> dict[str, ActaState]:
    """The state of every acta named by the events."""
    by_acta: dict[str, dict[str, Event]] = defaultdict(dict)
    for ev in events:
        by_acta[ev.clave_acta][ev.hash] = ev
    return {
        clave: derive_acta(clave, evs.values(), order=order, policy=policy)
        for clave, evs in by_acta.items()
    }


def derive_acta(
    clave_acta: str,
    events: Iterable[Event],
    *,
    order: OrderKey = order_key,
    policy: Policy = LOCAL,
) -> ActaState:
    """The acta's state from its events, ``order`` deciding which is the latest and
    ``policy`` which captures are independent."""
    evs = _sorted((e for e in events if e.clave_acta == clave_acta), order)
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
    at_decision, last, action = _last_decision(evs)
    epoch = at_decision + 1 if action in SEND_BACKS else 0  # the current round's first event
    positions = [i for i, e in enumerate(evs) if e.kind is Kind.DIGITALIZACION]
    live_images = tuple(
        img for pos, img in zip(positions, images, strict=True)
        if not (action == "rescan" and pos < epoch)
    )
    captures = [e for e in evs if e.kind in CAPTURE_KINDS]
    live = [e for e in evs[epoch:] if e.kind in CAPTURE_KINDS]
    # one reading per reader and image: its latest (a capturist correcting
    # themselves); one reader reading two images (a PREP Casilla photo and a
    # CATD scan) keeps both
    per_source: dict[tuple[str, str], Event] = {}
    for e in live:
        per_source[(policy.reader(e), e.payload.get("image") or "")] = e
    first_capture = min((e.at for e in captures), default=None)

    reading: dict[str, FieldValue] | None = None
    reading_image_sha: str | None = None
    fecha_verif: int | None = None
    disputed: tuple[str, ...] = ()
    conflict: tuple[dict[str, FieldValue], ...] = ()
    status: Status | None
    rule: str | None = None

    if last is not None and action == "choose":
        reading = payload_values(last.payload["values"])
        fecha_verif = last.at
        reading_image_sha = last.payload.get("image")
        status, rule = Status.VERIFICADA, RULE_RESOLUTION
    else:
        agreed = Agreement(policy, order).find(list(per_source.values()))
        status, reading, reading_image_sha, fecha_verif, disputed, conflict, rule = agreed

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

    proposed, proposed_reason = _proposal(evs[at_decision + 1 :], reading)
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
        rule=rule if status is Status.VERIFICADA else None,
        proposed=proposed,
        proposed_reason=proposed_reason,
    )


def _proposal(
    after: list[Event], reading: Mapping[str, FieldValue] | None
) -> tuple[dict[str, FieldValue] | None, str | None]:
    """The latest corrección after the latest decision, as the reading it proposes,
    unless it changes nothing."""
    corr = next((e for e in reversed(after) if e.kind is Kind.CORRECCION), None)
    if corr is None:
        return None, None
    proposed = {**(reading or {}), **payload_values(corr.payload["values"])}
    if reading is not None and proposed == dict(reading):
        return None, None
    return proposed, str(corr.payload.get("reason", ""))
