"""Digitalización: one page at a time, UI-free.

page → quality gate → QR identity → duplicates (same image hash; same acta) →
fuera de catálogo flag → the label against the identification written in the acta
(a disagreement holds the page for a supervisor: :meth:`Pipeline.decide_identity`) →
image stored exactly as hashed → acopio (if the envelope was not registered) +
digitalización event → OCR capture event (source ``ocr:<model id>``), all in one
transaction. A key typed by hand (no QR) waits for a second person to type it again
from the image (:meth:`Pipeline.confirm_key`). Expected failures are values
(:class:`PageResult` with a Spanish message), never exceptions.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from capture_station import actas
from capture_station.recognizer import Recognition, Recognizer, read_page
from capture_station.sources.base import Page
from capture_station.station import Station
from capture_station.storage.db import Store
from capture_station.storage.images import media_type, sha256
from capture_station.storage.outbox import now_ms
from prep_core.acta import acta_fields
from prep_core.catalog import Catalog
from prep_core.errors import PrepError
from prep_core.events import MAX_FIGURE, Kind, PayloadError, digitalizacion, validate_payload
from prep_core.labels import identity_of
from prep_core.qr import QrIdentity, parse_qr
from prep_core.values import check_value, to_json

# page statuses: the first two create events
STORED, FUERA = "guardada", "fuera_catalogo"
REJECTED, NO_QR, OTHER = "rechazada", "sin_qr", "otra_eleccion"
SAME_IMAGE, SAME_ACTA = "imagen_repetida", "acta_repetida"
HELD, TO_CONFIRM, RESCAN = "identidad_en_duda", "clave_por_confirmar", "reescanear"
STATUS_TEXT = {
    STORED: ("Guardada", "Stored"),
    FUERA: ("Fuera de catálogo", "Outside the catalog"),
    REJECTED: ("Rechazada: vuelva a escanear", "Rejected: rescan"),
    NO_QR: ("Sin QR: escriba la clave", "No QR: type the clave"),
    OTHER: ("Acta de otra elección", "Acta of another election"),
    SAME_IMAGE: ("Imagen ya registrada", "Image already recorded"),
    SAME_ACTA: ("Acta ya digitalizada", "Acta already digitized"),
    HELD: ("Etiqueta y acta no coinciden: decide un supervisor",
           "Label and acta disagree: a supervisor decides"),
    TO_CONFIRM: ("Clave tecleada: otra persona la confirma",
                 "Typed key: another person confirms it"),
    RESCAN: ("Vuelva a escanear", "Scan again"),
}
DECISIONS = ("rescan", "relabel", "accept")


@dataclass
class PageResult:
    status: str
    name: str
    sha256: str | None = None
    clave_acta: str | None = None
    message_es: str = ""
    message_en: str = ""
    ocr: bool = False
    page_id: int | None = None
    ms: float = 0.0

    @property
    def stored(self) -> bool:
        return self.status in (STORED, FUERA)

    def text(self, lang: str = "es") -> str:
        es, en = STATUS_TEXT.get(self.status, (self.status, self.status))
        label, msg = (es, self.message_es) if lang == "es" else (en, self.message_en)
        return f"{label}: {msg}" if msg else label


def _claim(c: Any, supersedes: tuple[int, str]) -> bool:
    """Mark the waiting page identified inside the caller's transaction; False when
    someone else settled it first."""
    page_id, status = supersedes
    cur = c.execute("UPDATE pages SET status = 'identificada' WHERE id = ? AND status = ?",
                    (page_id, status))
    return cur.rowcount == 1


def _already_identified() -> PageResult:
    return PageResult(REJECTED, "?", message_es="página ya identificada por otra persona",
                      message_en="page already identified by someone else")


def identify_qr(qr: str, catalog: Catalog) -> tuple[QrIdentity | None, str]:
    """Parse with each election's layout; (identity, error text)."""
    err = ""
    for layout in {e.qr_layout for e in catalog.elections}:
        try:
            return parse_qr(qr, layout), ""
        except PrepError as exc:
            err = exc.message_es
    return None, err


class Pipeline:
    def __init__(self, station: Station, store: Store | None = None,
                 recognizer: Recognizer = read_page, origen: str = "CATD") -> None:
        self.station = station
        self.store = store or station.store
        self.recognizer = recognizer
        self.origen = origen

    # ------------------------------------------------------------------ main entry
    def process(self, page: Page, operator: str, clave_hint: str | None = None,
                decided: dict[str, Any] | None = None,
                supersedes: tuple[int, str] | None = None) -> PageResult:
        """``decided``: the ``identidad`` payload that settles this page's identity (a
        supervisor's decision, or a typed key confirmed by a second person): the page is
        stored under ``clave_hint`` whatever its QR says, with that event first.
        ``supersedes`` (page id, its status): the waiting page this one settles, marked
        identified in the same transaction that stores it, so a crash in between leaves
        it waiting and never in no queue."""
        t0 = time.perf_counter()
        r = self._process(page, operator, clave_hint, decided, supersedes)
        r.ms = (time.perf_counter() - t0) * 1000
        return r

    def _process(self, page: Page, operator: str, clave_hint: str | None,
                 decided: dict[str, Any] | None = None,
                 supersedes: tuple[int, str] | None = None) -> PageResult:
        data = page.data
        if not data:
            return self._log(page, None, PageResult(
                REJECTED, page.name, message_es="archivo vacío o que no se puede leer",
                message_en="empty or unreadable file"))
        digest = sha256(data)
        prior = self.store.one(
            "SELECT clave_acta FROM pages WHERE sha256 = ? AND status IN (?, ?)", digest, STORED, FUERA)
        if prior is not None:
            return self._log(page, None, PageResult(
                SAME_IMAGE, page.name, digest, prior[0],
                f"esta imagen ya se guardó para el acta {prior[0]}",
                f"this image was already stored for acta {prior[0]}"))
        rec = self.recognizer(data, self.station.catalog)
        if rec.other_election:
            return self._log(page, data, PageResult(
                OTHER, page.name, digest, None,
                "acta de otra elección: no está en el catálogo de esta estación",
                "the acta belongs to an election outside this station's catalog"))
        if not rec.usable:
            return self._log(page, data, PageResult(
                REJECTED, page.name, digest, None, rec.message_es or "imagen no utilizable",
                rec.message_en or "image not usable"))
        if decided is not None and clave_hint:
            clave, fuera, msg = clave_hint, self.station.catalog.acta(clave_hint) is None, ("", "")
        else:
            clave, fuera, msg = self._identity(rec, clave_hint)
        if clave is None:
            status = OTHER if msg[0].startswith("el QR es de otra") else NO_QR
            return self._log(page, data, PageResult(status, page.name, digest, None, *msg))
        if decided is None and not fuera and rec.identity and rec.identity.get("agrees") is False:
            return self._hold(page, data, digest, clave, rec.identity)
        return self._store(page, data, digest, rec, clave, fuera, operator, decided, supersedes)

    def _hold(self, page: Page, data: bytes, digest: str, clave: str,
              identity: dict[str, Any], supersedes: tuple[int, str] | None = None
              ) -> PageResult:
        """The label names one casilla, the acta's writing another: no event, the page and
        both identities kept for a supervisor's decision."""
        w = identity.get("written") or {}
        said = ", ".join(f"{k} {v}" for k, v in w.items() if v is not None)
        r = PageResult(HELD, page.name, digest, clave,
                       f"la etiqueta dice {clave}; el acta dice {said}: no se captura hasta "
                       "que un supervisor decida",
                       f"the label says {clave}; the acta says {said}: not captured until a "
                       "supervisor decides")
        self.station.images.put(data)
        with self.store.tx() as c:
            if supersedes is not None and not _claim(c, supersedes):
                return _already_identified()
            r.page_id = self._insert_page(c, page, digest, r)
            c.execute("UPDATE pages SET identity = ? WHERE id = ?",
                      (json.dumps(identity, ensure_ascii=False), r.page_id))
        return r

    def _identity(self, rec: Recognition, hint: str | None
                  ) -> tuple[str | None, bool, tuple[str, str]]:
        cat = self.station.catalog
        if rec.qr is None:
            if hint:
                hint = hint.strip().upper()
                if cat.acta(hint) is None:
                    return None, False, (f"la clave {hint} no está en el catálogo",
                                         f"clave {hint} is not in the catalog")
                return hint, False, ("", "")
            return None, False, ("no se pudo leer el QR; escriba la clave del acta",
                                 "the QR could not be read; type the acta's clave")
        ident, err = identify_qr(rec.qr, cat)
        if ident is None:
            return None, False, (f"QR inválido: {err}", f"invalid QR: {rec.qr!r}")
        if ident.id_tipo_candidatura not in {e.id_tipo_candidatura for e in cat.elections}:
            return None, False, ("el QR es de otra elección (tipo de candidatura "
                                 f"{ident.id_tipo_candidatura}); no se registra aquí",
                                 f"the QR is of another election (candidatura "
                                 f"{ident.id_tipo_candidatura})")
        expected = cat.match_qr(ident)
        return ident.clave_acta, expected is None, ("", "")

    def _store(self, page: Page, data: bytes, digest: str, rec: Recognition, clave: str,
               fuera: bool, operator: str, decided: dict[str, Any] | None = None,
               supersedes: tuple[int, str] | None = None) -> PageResult:
        evs = actas.events_of(self.store, clave)
        has_image = any(e.kind is Kind.DIGITALIZACION for e in evs)
        if has_image and not actas.awaiting_rescan(evs):
            return self._log(page, data, PageResult(
                SAME_ACTA, page.name, digest, clave,
                f"el acta {clave} ya fue digitalizada con otra imagen; si hay que reescanear, "
                "un supervisor debe devolverla primero",
                f"acta {clave} was already digitized with another image; a supervisor must "
                "send it back before a rescan"))
        self.station.images.put(data)  # before the transaction: a crash leaves an orphan only
        values = None if fuera else self._ocr_values(rec, clave)
        with self.store.tx() as c:
            evs = actas.events_of(self.store, clave)  # again, under the write lock
            if any(e.kind is Kind.DIGITALIZACION for e in evs) and not actas.awaiting_rescan(evs):
                result = PageResult(SAME_ACTA, page.name, digest, clave,
                                    f"el acta {clave} ya fue digitalizada con otra imagen",
                                    f"acta {clave} was already digitized with another image")
                result.page_id = self._insert_page(c, page, digest, result)
                return result
            if supersedes is not None and not _claim(c, supersedes):
                return _already_identified()
            c.execute("INSERT OR IGNORE INTO images (sha256, size, media_type, stored_at) "
                      "VALUES (?, ?, ?, ?)", (digest, len(data), media_type(data), now_ms()))
            if not any(e.kind is Kind.ACOPIO for e in evs):
                self.station.outbox.append(c, Kind.ACOPIO, clave, operator, {})
            if decided is not None:  # signed by whoever decided, before the image it settles
                who = decided.get("supervisor") or decided.get("confirmed_by") or operator
                body = {k: v for k, v in decided.items() if k != "supervisor"}
                self.station.outbox.append(c, Kind.IDENTIDAD, clave, who, body)
            self.station.outbox.append(c, Kind.DIGITALIZACION, clave, operator,
                                       digitalizacion(digest, self.origen, rec.qr))
            if values is not None:
                self.station.outbox.append(c, Kind.CAPTURA, clave, "ocr", {
                    "source": f"ocr:{rec.model_id}", "image": digest, "values": values})
            result = PageResult(FUERA if fuera else STORED, page.name, digest, clave,
                                "ninguna casilla aprobada coincide con el QR; se registra y no "
                                "se contabiliza" if fuera else rec.message_es,
                                "no approved casilla matches the QR; recorded, never counted"
                                if fuera else rec.message_en, ocr=values is not None)
            result.page_id = self._insert_page(c, page, digest, result)
        return result

    def _ocr_values(self, rec: Recognition, clave: str) -> dict[str, int | str] | None:
        exp = self.station.catalog.acta(clave)
        if exp is None or not rec.fields or not rec.model_id:
            return None
        out: dict[str, int | str] = {}
        for name in acta_fields(exp.election.vote_fields):
            f = rec.fields.get(name)
            if f is None or f.get("value") is None:
                return None
            try:
                v = check_value(f["value"])
            except ValueError:
                return None
            if isinstance(v, int) and v > MAX_FIGURE:
                return None
            out[name] = to_json(v)
        return out

    # ------------------------------------------------------------------ page log
    def _insert_page(self, c, page: Page, digest: str | None, r: PageResult) -> int:  # type: ignore[no-untyped-def]
        cur = c.execute(
            "INSERT INTO pages (source, name, sha256, status, clave_acta, message, message_en, "
            "source_key, at) VALUES (?,?,?,?,?,?,?,?,?)",
            (page.source, page.name, digest, r.status, r.clave_acta, r.message_es, r.message_en,
             page.source_key, now_ms()))
        return int(cur.lastrowid or 0)

    def _log(self, page: Page, data: bytes | None, r: PageResult) -> PageResult:
        """Record a page that creates no event; its image is kept (nothing is lost)."""
        if data:
            self.station.images.put(data)
        with self.store.tx() as c:
            r.page_id = self._insert_page(c, page, r.sha256, r)
        return r

    def _page(self, page_id: int, status: str) -> tuple[Any, Page] | None:
        row = self.store.one("SELECT * FROM pages WHERE id = ?", page_id)
        if row is None or row["status"] != status or not row["sha256"]:
            return None
        data = self.station.images.get(row["sha256"])
        return row, Page(data, row["name"], row["source"], row["source_key"] or "")

    def _set_status(self, page_id: int, status: str, **cols: Any) -> None:
        sets = ", ".join(["status = ?", *(f"{k} = ?" for k in cols)])
        with self.store.tx() as c:
            c.execute(f"UPDATE pages SET {sets} WHERE id = ?", (status, *cols.values(), page_id))

    def identify(self, page_id: int, clave: str, operator: str) -> PageResult:
        """A page without a readable QR: ``operator`` types its clave; it waits for a
        second person to type it again from the image (:meth:`confirm_key`)."""
        got = self._page(page_id, NO_QR)
        if got is None:
            return PageResult(REJECTED, "?", message_es="página no encontrada o ya identificada",
                              message_en="page not found or already identified")
        row, _ = got
        clave = clave.strip().upper()
        if self.station.catalog.acta(clave) is None:
            return PageResult(NO_QR, row["name"], row["sha256"], None,
                              f"la clave {clave} no está en el catálogo",
                              f"clave {clave} is not in the catalog", page_id=page_id)
        self._set_status(page_id, TO_CONFIRM, typed_clave=clave, typed_by=operator)
        return PageResult(TO_CONFIRM, row["name"], row["sha256"], clave,
                          f"{operator} tecleó {clave}: otra persona la escribe de nuevo viendo "
                          "la imagen", f"{operator} typed {clave}: another person types it "
                          "again from the image", page_id=page_id)

    def confirm_key(self, page_id: int, clave: str, operator: str) -> PageResult:
        """A second person types the clave again from the image. The same clave from
        another person stores the page (an ``identidad`` event ``typed`` names both);
        from the same person it is refused; a different clave sends the page back to
        «Sin QR» (both typings are discarded). The writing on the acta is then weighed
        against the clave like a QR's: a disagreement holds the page for a supervisor."""
        got = self._page(page_id, TO_CONFIRM)
        if got is None:
            return PageResult(REJECTED, "?", message_es="no hay clave por confirmar en esa página",
                              message_en="no key awaiting confirmation on that page")
        row, page = got
        clave = clave.strip().upper()
        if operator == row["typed_by"]:
            return PageResult(TO_CONFIRM, row["name"], row["sha256"], row["typed_clave"],
                              "la confirma otra persona, no quien la tecleó",
                              "another person confirms it, not the one who typed it",
                              page_id=page_id)
        if clave != row["typed_clave"]:
            self._set_status(page_id, NO_QR, typed_clave=None, typed_by=None)
            return PageResult(NO_QR, row["name"], row["sha256"], None,
                              f"las dos claves no coinciden ({row['typed_clave']} / {clave}): "
                              "escríbala de nuevo", f"the two keys differ ({row['typed_clave']} / "
                              f"{clave}): type it again", page_id=page_id)
        rec = self.recognizer(page.data, self.station.catalog)
        label = identity_of(self.station.catalog.acta(clave))
        ident = rec.against(label, self.station.catalog)
        if ident and ident.get("agrees") is False:
            return self._hold(page, page.data, row["sha256"], clave, ident,
                              supersedes=(page_id, TO_CONFIRM))
        decided = {"decision": "typed", "image": row["sha256"], "label": clave,
                   "written": (ident or {}).get("written"), "typed_by": row["typed_by"],
                   "confirmed_by": operator}
        return self._settle(page_id, TO_CONFIRM, page, row["typed_by"], clave, decided)

    def _settle(self, page_id: int, status: str, page: Page, operator: str, clave: str,
                decided: dict[str, Any]) -> PageResult:
        return self.process(page, operator, clave_hint=clave, decided=decided,
                            supersedes=(page_id, status))

    def decide_identity(self, page_id: int, decision: str, supervisor: Any, reason: str = "",
                        clave: str | None = None) -> PageResult:
        """A supervisor's decision on a page held because its label and its writing
        disagree: ``rescan`` (the page is set aside; scan the right acta again),
        ``relabel`` (the acta is ``clave``, with a reason) or ``accept`` (the label
        stands, with a reason). Signed by the supervisor as an ``identidad`` event."""
        got = self._page(page_id, HELD)
        if got is None:
            return PageResult(REJECTED, "?", message_es="no hay identidad en duda en esa página",
                              message_en="no identity in doubt on that page")
        row, page = got
        if decision not in DECISIONS:
            return PageResult(HELD, row["name"], row["sha256"], row["clave_acta"],
                              "decisión: rescan, relabel o accept",
                              "decision: rescan, relabel or accept", page_id=page_id)
        if getattr(supervisor, "role", None) != "supervisor":
            return PageResult(HELD, row["name"], row["sha256"], row["clave_acta"],
                              "sólo un supervisor decide la identidad de un acta",
                              "only a supervisor decides an acta's identity", page_id=page_id)
        ident = json.loads(row["identity"] or "{}")
        decided: dict[str, Any] = {"decision": decision, "image": row["sha256"],
                                   "label": ident.get("label") or row["clave_acta"],
                                   "written": ident.get("written"), "supervisor": supervisor.id}
        target = row["clave_acta"]
        if reason.strip():
            decided["reason"] = reason.strip()
        if decision == "relabel":
            target = (clave or "").strip().upper()
            if self.station.catalog.acta(target) is None:
                return PageResult(HELD, row["name"], row["sha256"], row["clave_acta"],
                                  f"la clave {target or '—'} no está en el catálogo",
                                  f"clave {target or '—'} is not in the catalog", page_id=page_id)
            decided["from"] = row["clave_acta"]
        try:
            validate_payload(Kind.IDENTIDAD, {k: v for k, v in decided.items() if k != "supervisor"})
        except PayloadError as exc:
            return PageResult(HELD, row["name"], row["sha256"], row["clave_acta"],
                              exc.es, exc.en, page_id=page_id)
        if decision == "rescan":
            with self.store.tx() as c:
                self.station.outbox.append(c, Kind.IDENTIDAD, target, supervisor.id,
                                           {k: v for k, v in decided.items() if k != "supervisor"})
                c.execute("UPDATE pages SET status = ? WHERE id = ?", (RESCAN, page_id))
            return PageResult(RESCAN, row["name"], row["sha256"], target,
                              "página apartada: escanee el acta que corresponde a la etiqueta",
                              "page set aside: scan the acta the label belongs to", page_id=page_id)
        return self._settle(page_id, HELD, page, supervisor.id, target, decided)
