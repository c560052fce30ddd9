"""Captura, verificación and cotejo, UI-free.

Blind: a capturist is given only the image and the list of fields, never the OCR
reading nor another person's capture. The domain rule (prep_core.derive) decides:
two captures from different sources agreeing exactly ⇒ verified; otherwise a
verifier (someone who has not captured it) types only the disputed fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from capture_station import actas, work_queue
from capture_station.errors import StationError
from capture_station.operators import Operator
from capture_station.recognition.templates import figure_digits
from capture_station.station import Station
from capture_station.storage.db import Store
from prep_core.acta import acta_fields
from prep_core.derive import ActaState, Status
from prep_core.events import Kind
from prep_core.values import Mark, values_to_json

MAX_DIGITS = 3  # an INE acta has three cells per figure; a form may have more
ILEGIBLE_KEYS = {"i", "il", "ilegible", "*"}
SIN_DATO_KEYS = {"s", "sd", "sin dato", "-"}
_DIGITS = re.compile(r"^[0-9]+$")

CAPTURE, VERIFY = "captura", "verificacion"


@dataclass(frozen=True)
class Task:
    clave_acta: str
    mode: str  # captura (all fields) or verificacion (only the disputed ones)
    fields: tuple[str, ...]
    image: str  # sha256 of the image to show
    election: str
    ticket: str | None = None  # an acta pulled from the server (capture_station.work_queue)


def parse_entry(field: str, text: str, digits: int = MAX_DIGITS) -> int | Mark:
    """What a capturist typed; StationError with a clear Spanish message otherwise.
    ``digits``: the cells a figure has on the acta's form."""
    s = text.strip().lower()
    if s in ILEGIBLE_KEYS:
        return Mark.ILEGIBLE
    if s in SIN_DATO_KEYS:
        return Mark.SIN_DATO
    if not s:
        raise StationError("campo vacío: escriba la cifra, I (Ilegible) o S (Sin dato)",
                           "empty field: type the figure, I (Illegible) or S (No data)", where=field)
    if not _DIGITS.match(s) or not s.isascii():
        raise StationError(f"«{text.strip()}» no es una cifra: use sólo dígitos, I (Ilegible) "
                           "o S (Sin dato)",
                           f"'{text.strip()}' is not a figure: digits, I or S only", where=field)
    if len(s.lstrip("0") or "0") > digits:
        raise StationError(f"«{s}» tiene más de {digits} cifras: el acta sólo tiene "
                           f"{digits} casillas por campo",
                           f"'{s}' has more than {digits} digits", where=field)
    return int(s)


class CaptureDesk:
    def __init__(self, station: Station, store: Store | None = None) -> None:
        self.station = station
        self.store = store or station.store

    def fields_of(self, clave: str) -> tuple[str, ...]:
        exp = self.station.catalog.acta(clave)
        if exp is None:
            raise StationError(f"el acta {clave} no está en el catálogo",
                               f"acta {clave} is not in the catalog", where=clave)
        return acta_fields(exp.election.vote_fields)

    def _task_for(self, op: Operator, st: ActaState, evs: list | None = None) -> Task | None:
        exp = self.station.catalog.acta(st.clave_acta)
        if exp is None or not st.images:
            return None
        mine = f"operator:{op.id}"
        if mine in st.sources:
            return None  # blind and independent: never twice by the same person
        image = st.images[-1].sha256
        if st.status in (Status.DIGITALIZADA, Status.CAPTURADA) and op.can("captura"):
            return Task(st.clave_acta, CAPTURE, self.fields_of(st.clave_acta), image,
                        exp.election.id)
        if st.status is Status.DISCREPANCIA and op.can("verificacion"):
            return Task(st.clave_acta, VERIFY, st.disputed, image, exp.election.id)
        return None

    def queue(self, op: Operator, mode: str | None = None) -> list[Task]:
        """Actas this operator may capture (or verify), oldest first: the station's
        own, then those pulled from the server."""
        out = []
        for st in actas.all_states(self.store).values():
            t = self._task_for(op, st)
            if t is not None and (mode is None or t.mode == mode):
                out.append(t)
        for it in work_queue.open_items(self.store):
            t = self._pulled_task(op, it)
            if t is not None and (mode is None or t.mode == mode):
                out.append(t)
        return out

    @staticmethod
    def _pulled_task(op: Operator, it: work_queue.WorkItem) -> Task | None:
        if not op.can("captura" if it.mode == CAPTURE else "verificacion"):
            return None
        return Task(it.clave_acta, it.mode, it.fields, it.image, it.election, it.ticket)

    def _current(self, op: Operator, task: Task) -> Task | None:
        """The task as it stands now (inside the write transaction)."""
        if task.ticket is None:
            return self._task_for(op, actas.state_of(self.store, task.clave_acta))
        it = work_queue.item(self.store, task.ticket)
        if it is None or not work_queue.is_open(self.store, it):
            return None
        return self._pulled_task(op, it)

    def source_of(self, op: Operator, task: Task) -> str:
        """Who read it: an operator of this station. Pulled actas are read at several
        stations, so their captures name the station too (``operator:CCV01:ana``)."""
        return f"operator:{op.id}" if task.ticket is None else f"operator:{self.station.id}:{op.id}"

    def next_task(self, op: Operator, mode: str | None = None) -> Task | None:
        q = self.queue(op, mode)
        return q[0] if q else None

    def task(self, op: Operator, clave: str) -> Task | None:
        return self._task_for(op, actas.state_of(self.store, clave))

    def submit(self, op: Operator, task: Task, entries: dict[str, str]) -> ActaState:
        """Validate every entry, append one capture event, return the derived state."""
        values = {}
        errors = []
        digits = figure_digits(task.election)
        for name in task.fields:
            try:
                values[name] = parse_entry(name, entries.get(name, ""), digits)
            except StationError as exc:
                errors.append(f"{name}: {exc.message_es}")
        if errors:
            raise StationError("; ".join(errors), "invalid entries", where=task.clave_acta)
        with self.store.tx() as c:
            current = self._current(op, task)
            if current is None or current.mode != task.mode or current.fields != task.fields:
                raise StationError("el acta cambió de estado; tome la siguiente de la fila",
                                   "the acta changed state; take the next one", where=task.clave_acta)
            kind = Kind.CAPTURA if task.mode == CAPTURE else Kind.VERIFICACION
            self.station.outbox.append(c, kind, task.clave_acta, op.id, {
                "source": self.source_of(op, task), "image": task.image,
                "values": values_to_json(values)})
        return actas.state_of(self.store, task.clave_acta)

    def cotejo(self, op: Operator, clave: str, result: str, reason: str = "") -> ActaState:
        """Accept a verified acta, or send it back (with a reason) for recapture or rescan."""
        if not op.can("cotejo"):
            raise StationError("sólo un supervisor hace el cotejo", "only a supervisor does cotejo")
        if result not in ("accept", "recapture", "rescan"):
            raise StationError("resultado de cotejo desconocido", "unknown cotejo result")
        reason = reason.strip()
        if result != "accept" and not reason:
            raise StationError("escriba el motivo para devolver el acta",
                               "give the reason for sending the acta back", where=clave)
        st = actas.state_of(self.store, clave)
        if st.status is not Status.VERIFICADA:
            raise StationError("sólo se cotejan actas verificadas", "only verified actas are checked")
        with self.store.tx() as c:
            payload = {"result": result, **({"reason": reason[:500]} if reason else {})}
            self.station.outbox.append(c, Kind.COTEJO, clave, op.id, payload)
        return actas.state_of(self.store, clave)

    def acopio(self, op: Operator, clave: str) -> None:
        clave = clave.strip().upper()
        if not clave:
            raise StationError("escriba la clave del acta o lea su etiqueta QR",
                               "type the acta's clave or read its QR label")
        if self.station.catalog.acta(clave) is None:
            raise StationError(f"la clave {clave} no está en el catálogo",
                               f"clave {clave} is not in the catalog")
        with self.store.tx() as c:
            if any(e.kind is Kind.ACOPIO for e in actas.events_of(self.store, clave)):
                raise StationError(f"el acta {clave} ya tiene acopio registrado",
                                   f"acta {clave} already registered")
            self.station.outbox.append(c, Kind.ACOPIO, clave, op.id, {})

    def sin_acta(self, op: Operator, clave: str, cause: int) -> None:
        clave = clave.strip().upper()
        if self.station.catalog.acta(clave) is None:
            raise StationError(f"la clave {clave} no está en el catálogo",
                               f"clave {clave} is not in the catalog")
        if cause not in (1, 2, 3, 4):
            raise StationError("causa de Sin acta inválida", "invalid Sin acta cause")
        with self.store.tx() as c:
            self.station.outbox.append(c, Kind.SIN_ACTA, clave, op.id, {"cause": cause})
