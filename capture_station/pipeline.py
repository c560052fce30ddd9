"""Digitalización: one page at a time, UI-free.

page → quality gate → QR identity → duplicates (same image hash; same acta) →
fuera de catálogo flag → image stored exactly as hashed → acopio (if the envelope
was not registered) + digitalización event → OCR capture event (source
``ocr:<model id>``), all in one transaction. Expected failures are values
(:class:`PageResult` with a Spanish message), never exceptions.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

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
from prep_core.events import Kind, digitalizacion
from prep_core.qr import QrIdentity, parse_qr
from prep_core.values import check_value, to_json

# page statuses: the first two create events
STORED, FUERA = "guardada", "fuera_catalogo"
REJECTED, NO_QR, OTHER = "rechazada", "sin_qr", "otra_eleccion"
SAME_IMAGE, SAME_ACTA = "imagen_repetida", "acta_repetida"
STATUS_TEXT = {
    STORED: ("Guardada", "Stored"),
    FUERA: ("Fuera de catálogo", "Outside the catalog"),
    REJECTED: ("Rechazada: vuelva a escanear", "Rejected: rescan"),
    NO_QR: ("Sin QR: escriba la clave", "No QR: type the clave"),
    OTHER: ("Acta de otra elección", "Acta of another election"),
    SAME_IMAGE: ("Imagen ya registrada", "Image already recorded"),
    SAME_ACTA: ("Acta ya digitalizada", "Acta already digitized"),
}


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
    def process(self, page: Page, operator: str, clave_hint: str | None = None) -> PageResult:
        t0 = time.perf_counter()
        r = self._process(page, operator, clave_hint)
        r.ms = (time.perf_counter() - t0) * 1000
        return r

    def _process(self, page: Page, operator: str, clave_hint: str | None) -> PageResult:
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
        clave, fuera, msg = self._identity(rec, clave_hint)
        if clave is None:
            status = OTHER if msg[0].startswith("el QR es de otra") else NO_QR
            return self._log(page, data, PageResult(status, page.name, digest, None, *msg))
        return self._store(page, data, digest, rec, clave, fuera, operator)

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
               fuera: bool, operator: str) -> PageResult:
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
            c.execute("INSERT OR IGNORE INTO images (sha256, size, media_type, stored_at) "
                      "VALUES (?, ?, ?, ?)", (digest, len(data), media_type(data), now_ms()))
            if not any(e.kind is Kind.ACOPIO for e in evs):
                self.station.outbox.append(c, Kind.ACOPIO, clave, operator, {})
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
            if isinstance(v, int) and v > 999:
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

    def identify(self, page_id: int, clave: str, operator: str) -> PageResult:
        """Give a page without a readable QR its clave, typed by the operator."""
        row = self.store.one("SELECT * FROM pages WHERE id = ?", page_id)
        if row is None or row["status"] != NO_QR or not row["sha256"]:
            return PageResult(REJECTED, "?", message_es="página no encontrada o ya identificada",
                              message_en="page not found or already identified")
        data = self.station.images.get(row["sha256"])
        page = Page(data, row["name"], row["source"], row["source_key"] or "")
        with self.store.tx() as c:
            c.execute("UPDATE pages SET status = 'identificada' WHERE id = ?", (page_id,))
        res = self.process(page, operator, clave_hint=clave)
        if not res.stored:
            with self.store.tx() as c:
                c.execute("UPDATE pages SET status = ? WHERE id = ?", (NO_QR, page_id))
        return res
