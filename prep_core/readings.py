"""Readings of an acta: who read it, which two readers are independent, and where
independent readings agree (docs/EVENTS.md, "Two captures are two").

Pure functions of events; :mod:`prep_core.derive` builds each acta's state on them.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from prep_core.events import Event, Kind
from prep_core.values import FieldValue, Mark, check_value


class Status(enum.Enum):
    ACOPIADA = "acopiada"
    SIN_ACTA = "sin_acta"
    DIGITALIZADA = "digitalizada"
    CAPTURADA = "capturada"  # read, but not yet by two independent readers
    DISCREPANCIA = "discrepancia"  # independent readers disagree: needs a third capture
    VERIFICADA = "verificada"
    CONFLICTO = "conflicto"  # two verified readings differ: a coordinator decides


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


def payload_values(raw: Mapping[str, object]) -> dict[str, FieldValue]:
    """Values of a payload (validated when the event was made or received)."""
    try:
        return {k: v if type(v) is int else _MARK_TEXT[v] for k, v in raw.items()}
    except (KeyError, TypeError):
        return {k: check_value(v) for k, v in raw.items()}


def freeze(values: Mapping[str, FieldValue]) -> tuple[tuple[str, FieldValue], ...]:
    return tuple(sorted(values.items(), key=lambda kv: kv[0]))


Agreed = tuple[
    Status | None,
    dict[str, FieldValue] | None,
    str | None,
    int | None,
    tuple[str, ...],
    tuple[dict[str, FieldValue], ...],
    str | None,
]


@dataclass(frozen=True)
class Agreement:
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

    def find(self, caps: list[Event]) -> Agreed:
        """Find readings on which two independent readers agree exactly."""
        if not caps:
            return None, None, None, None, (), (), None
        reader = self.policy.reader
        captures = [e for e in caps if e.kind is Kind.CAPTURA]
        readings: list[tuple[Event, dict[str, FieldValue]]] = []
        for e in caps:
            vals = payload_values(e.payload["values"])
            if e.kind is Kind.VERIFICACION:
                vals = {**_common_fields(_seen_by(e, captures)), **vals}
            readings.append((e, vals))
        groups: dict[tuple[tuple[str, FieldValue], ...], list[Event]] = defaultdict(list)
        for e, vals in readings:
            groups[freeze(vals)].append(e)
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
        distinct = {freeze(v): v for _, v, _ in settled}
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
        # a settled reading is whole: a field some reader gave is never left out (it
        # would be published as Sin dato)
        fields = {f for e, v in readings if e.kind is Kind.CAPTURA for f in v}
        for e, vals in readings:
            if e.kind is not Kind.VERIFICACION:
                continue
            me = self.policy.reader(e)
            others = [
                (self.policy.rule(me, self.policy.reader(o)), v)
                for o, v in readings
                if self.policy.independent(me, self.policy.reader(o))
            ]
            if vals.keys() >= fields and all(
                any(o.get(f) == x for _, o in others) for f, x in vals.items()
            ):
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


def _seen_by(verification: Event, captures: list[Event]) -> list[Event]:
    """The captures a verifier compared: those of the image it verified (the
    verification screen shows one image's readings); all of them when the event
    names no image or none matches."""
    image = verification.payload.get("image")
    same = [e for e in captures if image is not None and e.payload.get("image") == image]
    return same or captures


def _common_fields(caps: list[Event]) -> dict[str, FieldValue]:
    if not caps:
        return {}
    vals = [payload_values(e.payload["values"]) for e in caps]
    first = vals[0]
    return {k: v for k, v in first.items() if all(o.get(k) == v for o in vals[1:])}


def _diff(readings: list[dict[str, FieldValue]]) -> tuple[str, ...]:
    names = sorted({k for r in readings for k in r})
    return tuple(n for n in names if len({repr(r.get(n)) for r in readings}) > 1)
