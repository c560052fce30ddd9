"""A small interface over the recognition reader (capture_station.recognition).

The station needs four things from a page: is it good enough, what does its QR
say, which election's form is it, and (when a digit model exists) the figures.
If the reader, or part of it, is missing, the station still works: pages are
decoded and checked here, and capture is manual.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from prep_core.catalog import Catalog


@dataclass
class Recognition:
    usable: bool  # the page may be stored as this acta's image
    code: str = ""  # reason code when not usable (or a warning)
    message_es: str = ""
    message_en: str = ""
    qr: str | None = None
    election: str | None = None  # election id of the form, when known
    other_election: bool = False
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> value/confidence
    model_id: str | None = None
    ms: float = 0.0
    # the label against section 1's writing (recognition/identity.py): "agrees" True,
    # False or None; ``written`` keeps the reading to weigh a key typed by hand
    identity: dict[str, Any] | None = None
    written: Any = None

    def against(self, label: Any, catalog: Catalog) -> dict[str, Any] | None:
        """The writing weighed against ``label`` (a QrIdentity typed by hand)."""
        if self.written is None:
            return None
        from capture_station.recognition.identity import compare

        return compare(self.written, label, catalog)


class Recognizer(Protocol):
    def __call__(self, data: bytes, catalog: Catalog) -> Recognition: ...


# reader outcomes that still leave a usable page (manual capture)
_USABLE_REJECTIONS = {"no_model", "internal"}
_WARMING = threading.Lock()  # held while the reader's models load


def warm_up() -> bool:
    """Load the reader's templates and models and run each model once (``reader.prepare``),
    so that the first acta of the night is read as fast as the others. The station calls
    it in the background when its window opens. False when this build has no reader."""
    with _WARMING:
        try:
            from capture_station.recognition.reader import prepare
        except ImportError:
            return False
        prepare()
        return True


def read_page(data: bytes, catalog: Catalog) -> Recognition:
    """The default recognizer: capture_station.recognition.reader.read_acta. A page that
    comes while ``warm_up`` runs waits for it rather than loading the models again."""
    try:
        from capture_station.recognition.reader import read_acta
    except ImportError:  # a build without the recognition package: manual capture
        return _fallback(data)
    with _WARMING:
        pass
    r = read_acta(data, catalog)
    rec = Recognition(usable=r.ok, qr=r.qr, election=r.election, ms=r.ms,
                      identity=r.identity, written=r.written)
    if r.reason is not None:
        rec.code, rec.message_es, rec.message_en = r.reason.code, r.reason.es, r.reason.en
    if not r.ok:
        quality_ok = r.quality is not None and r.quality.ok
        if rec.code in _USABLE_REJECTIONS and quality_ok:
            rec.usable = True
        if rec.code == "other_election":
            rec.other_election = True
    if r.ok and r.fields:
        rec.fields = dict(r.fields)
        rec.model_id = _model_id()
    return rec


def _model_id() -> str:
    """The models that made the first capture: the digit model, "+" the words model."""
    try:
        from capture_station.recognition.digits import MODEL_NAME, load_model
        from capture_station.recognition.words import load_words_model

        m = load_model()
        meta = getattr(m, "meta", {}) or {}
        digits = str(meta.get("id") or meta.get("model") or MODEL_NAME)
        w = load_words_model()
        return f"{digits}+{w.name}" if w is not None else digits
    except Exception:
        return "digits"


def _fallback(data: bytes) -> Recognition:
    import cv2
    import numpy as np

    img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE) if data else None
    if img is None:
        return Recognition(False, "not_image", "no es una imagen", "not an image")
    qr = None
    try:
        text, _, _ = cv2.QRCodeDetectorAruco().detectAndDecode(img)
        qr = text or None
    except Exception:
        pass
    return Recognition(True, "no_reader", "lector automático no disponible; captura manual",
                       "automatic reader unavailable; manual capture", qr=qr)
