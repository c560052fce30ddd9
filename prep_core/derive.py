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

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


RULE_STATIONS = "dos_estaciones"  # two stations read it alike
RULE_OPERATORS = "dos_operadores"  # two operators of a station allowed to verify alone
RULE_RESOLUTION = "resolucion"  # a coordinator decided
RULE_LOCAL = "local"  # the station's own view, before the server's rule applies

OrderKey = Callable[[Event], Any]


def order_key(ev: Event) -> tuple[int, str, int, str]:
    """The order of events by their own content, for a view without the server's order."""
    return (ev.at, ev.station, ev.seq, ev.hash)


_OCR = "*ocr"  # the OCR of a station (an operator id never holds '*')


@dataclass(frozen=True)
class Policy:
    """Who stands behind a capture, and which two readers are independent.

    The server's rule (``server=True``): a human capture is read by
    ``station/operator`` (the operator named in the signed event, not a label in
    its payload), an OCR capture by ``station/*ocr``, a reading of the station
    that ran it. Two readers are independent when they belong to different
    stations, or when they are two different human operators of a station in
    ``self_verify`` (a coordinator allowed that station to verify alone).

    A station's own provisional view (``server=False``, :data:`LOCAL`): a reader
    is the payload's ``source`` label, and two different labels are independent.
    """

    server: bool = False
    self_verify: frozenset[str] = frozenset()

    def reader(self, e: Event) -> str:
        src = str(e.payload["source"])
        if not self.server:
            return src
        return f"{e.station}/{e.operator if src.startswith('operator:') else _OCR}"

    def independent(self, a: str, b: str) -> bool:
        return self.rule(a, b) is not None

    def rule(self, a: str, b: str) -> str | None:
        """The rule under which readers ``a`` and ``b`` verify together, or None."""
        if a == b:
            return None
        if not self.server:
            return RULE_LOCAL
        sa, wa = a.split("/", 1)
        sb, wb = b.split("/", 1)
        if sa != sb:
            return RULE_STATIONS
        if sa in self.self_verify and _OCR not in (wa, wb):
            return RULE_OPERATORS
        return None


LOCAL = Policy()


def server_policy(self_verify: Iterable[str] = ()) -> Policy:
    return Policy(server=True, self_verify=frozenset(self_verify))


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
        reading = _values(last.payload["values"])
        fecha_verif = last.at
        reading_image_sha = last.payload.get("image")
        status, rule = Status.VERIFICADA, RULE_RESOLUTION
    else:
        agreed = _Agreement(policy, order).find(list(per_source.values()))
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
    proposed = {**(reading or {}), **_values(corr.payload["values"])}
    if reading is not None and proposed == dict(reading):
        return None, None
    return proposed, str(corr.payload.get("reason", ""))


_Agreed = tuple[
    Status | None,
    dict[str, FieldValue] | None,
    str | None,
    int | None,
    tuple[str, ...],
    tuple[dict[str, FieldValue], ...],
    str | None,
]


@dataclass(frozen=True)
class _Agreement:
    policy: Policy
    order: OrderKey

    def _pair_rule(self, readers: list[str]) -> str | None:
        """The best rule under which two of these readers verify together."""
        rules = {
            self.policy.rule(a, b) for i, a in enumerate(readers) for b in readers[i + 1 :]
        }
        for r in (RULE_STATIONS, RULE_OPERATORS, RULE_LOCAL):
            if r in rules:
                return r
        return None

    def find(self, caps: list[Event]) -> _Agreed:
        """Find readings on which two independent readers agree exactly."""
        if not caps:
            return None, None, None, None, (), (), None
        reader = self.policy.reader
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
        agreed = {
            k: v for k, v in groups.items() if self._pair_rule([reader(e) for e in v]) is not None
        }
        if len(agreed) == 1:
            key, evs = next(iter(agreed.items()))
            evs.sort(key=order_key)  # the times are the stations' claims
            rule = self._pair_rule([reader(e) for e in evs])
            return (
                Status.VERIFICADA,
                dict(key),
                evs[0].payload.get("image"),
                self._second(evs),
                (),
                (),
                rule,
            )
        if len(agreed) > 1:
            conflict = tuple(dict(k) for k in sorted(agreed, key=repr))
            return Status.CONFLICTO, None, None, None, _diff(list(conflict)), conflict, None
        settled = self._settled(readings)
        distinct = {_freeze(v): v for _, v, _ in settled}
        if len(distinct) == 1:
            first, reading, rule = min(settled, key=lambda t: order_key(t[0]))
            return (
                Status.VERIFICADA,
                reading,
                first.payload.get("image"),
                first.at,
                (),
                (),
                rule,
            )
        if len(distinct) > 1:
            conflict = tuple(distinct[k] for k in sorted(distinct, key=repr))
            return Status.CONFLICTO, None, None, None, _diff(list(conflict)), conflict, None
        if self._pair_rule(sorted({reader(e) for e in caps})) is None:
            return Status.CAPTURADA, None, None, None, (), (), None
        return (
            Status.DISCREPANCIA,
            None,
            None,
            None,
            _diff([v for _, v in readings]),
            (),
            None,
        )

    def _settled(
        self, readings: list[tuple[Event, dict[str, FieldValue]]]
    ) -> list[tuple[Event, dict[str, FieldValue], str]]:
        """Verificaciones that settle a discrepancy: every field of the verifier's
        reading agrees with at least one reader independent of the verifier, so two
        independent readers stand behind each figure."""
        out = []
        for e, vals in readings:
            if e.kind is not Kind.VERIFICACION:
                continue
            me = self.policy.reader(e)
            others = [
                (self.policy.rule(me, self.policy.reader(o)), v)
                for o, v in readings
                if self.policy.independent(me, self.policy.reader(o))
            ]
            if all(any(o.get(f) == x for _, o in others) for f, x in vals.items()):
                rules = {r for r, o in others if any(o.get(f) == x for f, x in vals.items())}
                rule = next(
                    (r for r in (RULE_STATIONS, RULE_OPERATORS, RULE_LOCAL) if r in rules),
                    RULE_LOCAL,
                )
                out.append((e, vals, rule))
        return out

    def _second(self, evs: list[Event]) -> int:
        """When a second, independent reader joined an agreeing reading."""
        seen: list[str] = []
        for e in evs:
            r = self.policy.reader(e)
            if any(self.policy.independent(r, s) for s in seen):
                return e.at
            seen.append(r)
        raise AssertionError("an agreed reading has two independent readers")


def _common_fields(caps: list[Event]) -> dict[str, FieldValue]:
    if not caps:
        return {}
    vals = [_values(e.payload["values"]) for e in caps]
    first = vals[0]
    return {k: v for k, v in first.items() if all(o.get(k) == v for o in vals[1:])}


def _diff(readings: list[dict[str, FieldValue]]) -> tuple[str, ...]:
    names = sorted({k for r in readings for k in r})
    return tuple(n for n in names if len({repr(r.get(n)) for r in readings}) > 1)
