"""``prep-station --self-test [ACTA]``: check an installed station end to end.

For the technical staff after installing a workstation (and for the bundle's own
test): in a new, throwaway station folder it loads the shipped catalog, the digit
and words models, runs the real digitalización pipeline on one acta image (quality
gate, QR, OCR, events), then opens the station window and closes it. It prints one
JSON line with what it found; exit 0 only when every step worked. Without ACTA it
reads the shipped ``resources/samples/acta-prueba.jpg``; an acta with a ``.json``
beside it (``clave_acta``, ``fields``) must also be read as that file says.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from capture_station.errors import StationError

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
CATALOG = RESOURCES / "catalogs" / "bcs-2024"
SAMPLE = RESOURCES / "samples" / "acta-prueba.jpg"
PASSPHRASE = "autoprueba de instalación"


def check_station(acta: Path, data: Path) -> dict[str, Any]:
    """Catalog, models and one acta through the pipeline, in station folder ``data``."""
    from capture_station.pipeline import Pipeline
    from capture_station.recognition import qrread
    from capture_station.recognition.digits import MODEL_NAME, load_model
    from capture_station.recognition.words import load_words_model
    from capture_station.recognizer import Recognition, read_page
    from capture_station.sources.base import Page
    from capture_station.sources.sane_source import SaneSource
    from capture_station.station import Station, create_station
    from prep_core.catalog import Catalog

    try:
        image = acta.read_bytes()
    except OSError as exc:
        raise StationError(
            "no se puede leer el acta de prueba",
            "cannot read the test acta",
            where=f"{acta}: {exc.strerror}",
        ) from None
    t0 = time.perf_counter()
    create_station(data, "AUTOPRUEBA-01", "Autoprueba de instalación", "CATD", CATALOG, PASSPHRASE)
    station = Station(data, PASSPHRASE)
    try:
        digits, words = load_model(), load_words_model()
        seen: list[Recognition] = []

        def recognizer(raw: bytes, catalog: Catalog) -> Recognition:
            seen.append(read_page(raw, catalog))
            return seen[-1]

        result = Pipeline(station, recognizer=recognizer).process(
            Page(image, acta.name, "file", path=str(acta)), "autoprueba"
        )
        rec = seen[-1] if seen else None
        return {
            "catalog": station.catalog.fingerprint,
            "actas_in_catalog": len(station.catalog.expected_actas()),
            "digit_model": MODEL_NAME if digits else None,
            "words_model": words.name if words else None,
            "status": result.status,
            "clave_acta": result.clave_acta,
            "ocr": result.ocr,
            "fields": {k: v.get("value") for k, v in (rec.fields if rec else {}).items()},
            "model_id": rec.model_id if rec else None,
            "qr_reader": "zbar" if qrread.pyzbar is not None else "opencv",
            "sane": SaneSource().available()[1],  # said, not required (Windows has none)
            "seconds": round(time.perf_counter() - t0, 2),
        }
    finally:
        station.close()


def run(acta: Path, data: str = "", open_window: bool = True) -> int:
    folder = Path(data) if data else Path(tempfile.mkdtemp(prefix="prep-autoprueba-"))
    try:
        report = check_station(acta, folder / "estacion")
    except StationError as exc:
        print(f"error: {exc}")
        return 2
    truth = _truth(acta)
    if truth is not None:
        want = truth.get("fields", {})
        report["expected_clave"] = truth.get("clave_acta")
        report["fields_right"] = sum(report["fields"].get(k) == v for k, v in want.items())
        report["fields_total"] = len(want)
    if open_window:
        from capture_station.ui.run import run_window

        report["window"] = run_window(folder / "estacion", close_after_ms=300) == 0
    ok = (
        report["status"] == "guardada"
        and report["ocr"]
        and bool(report["digit_model"])
        and report.get("window", True)
    )
    report["ok"] = bool(ok)
    print(json.dumps(report, ensure_ascii=False, sort_keys=True))
    print(
        "autoprueba correcta / self-test passed" if ok else "AUTOPRUEBA FALLIDA / SELF-TEST FAILED"
    )
    return 0 if ok else 1


def _truth(acta: Path) -> dict[str, Any] | None:
    """What the acta holds, when a ``.json`` beside it says so."""
    try:
        doc = json.loads(acta.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) and "fields" in doc else None
