"""Digitalización pipeline on real generated actas and real sources, and every
kind of bad page: each gets a clear Spanish message and nothing is lost."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest
from PIL import Image

from capture_station import actas
from capture_station.pipeline import (
    FUERA,
    NO_QR,
    OTHER,
    REJECTED,
    SAME_ACTA,
    SAME_IMAGE,
    STORED,
    TO_CONFIRM,
    Pipeline,
)
from capture_station.recognizer import Recognition
from capture_station.sources import FileImport, SaneSource, ScanSettings, WatchedFolder
from capture_station.sources.base import Page
from capture_station.storage.images import sha256
from prep_core.derive import Status
from prep_core.events import Kind
from prep_tools.decks.deck import DeckOptions, generate_deck, read_manifest
from prep_tools.shared import shared_dir


def _page(path, name=None):
    return Page(path.read_bytes(), name or path.name, "file", "", str(path))


def test_folder_source_stores_each_acta_once(station, deck, tmp_path):
    folder = tmp_path / "inbox"
    recs = deck.copy_to(folder, 4)
    wf = WatchedFolder(folder, settle_s=0)
    pipe = Pipeline(station)
    results = []
    for page in wf.pages():
        r = pipe.process(page, "dani")
        wf.done(page, r.stored)
        results.append(r)
    assert [r.status for r in results] == [STORED] * 4, [r.text() for r in results]
    assert {r.clave_acta for r in results} == {r["clave_acta"] for r in recs}
    assert wf.pending() == [] and len(list((folder / "procesadas").iterdir())) == 4
    for r in results:
        assert station.images.verify(r.sha256)
        st = actas.state_of(station.store, r.clave_acta)
        assert st.status in (Status.DIGITALIZADA, Status.CAPTURADA)
        assert st.fecha_acopio is not None and st.images[0].sha256 == r.sha256
        evs = actas.events_of(station.store, r.clave_acta)
        ocr = [e for e in evs if e.kind is Kind.CAPTURA]
        assert all(e.payload["source"].startswith("ocr:") for e in ocr)
        assert r.ocr == bool(ocr)


def test_repeats_and_corrupt_pages(station, deck):
    pipe = Pipeline(station)
    rec = deck.records[0]
    first = pipe.process(_page(deck.path(rec)), "dani")
    assert first.status == STORED
    n_events = station.store.one("SELECT COUNT(*) FROM events")[0]
    again = pipe.process(_page(deck.path(rec)), "dani")
    assert again.status == SAME_IMAGE and "ya se guardó" in again.message_es
    # the same acta scanned again (other bytes): flagged, not a second digitalización
    im = Image.open(deck.path(rec))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    other = pipe.process(Page(buf.getvalue(), "rescan.jpg", "file"), "dani")
    assert other.status == SAME_ACTA and "ya fue digitalizada" in other.message_es
    assert station.images.verify(other.sha256)  # kept on disk: nothing lost
    # a corrupt (truncated) image
    data = deck.path(deck.records[1]).read_bytes()
    bad = pipe.process(Page(data[: len(data) // 3], "cortada.jpg", "file"), "dani")
    assert bad.status == REJECTED and "vuelva a escanear" in bad.message_es
    junk = pipe.process(Page(b"esto no es una imagen", "nota.jpg", "file"), "dani")
    assert junk.status == REJECTED and "no es una imagen" in junk.message_es
    empty = pipe.process(Page(b"", "vacío.jpg", "file"), "dani")
    assert empty.status == REJECTED and "vacío" in empty.message_es
    assert station.store.one("SELECT COUNT(*) FROM events")[0] == n_events
    assert station.store.one("SELECT COUNT(*) FROM pages")[0] == 6


INE_PDF = (shared_dir("forms") or Path("/nonexistent")) / "ine-2024" / "2.pdf"


@pytest.mark.skipif(not INE_PDF.exists(), reason="INE forms absent (set PREP_SHARED)")
def test_acta_of_another_election(station, tmp_path):
    man = generate_deck(tmp_path / "fed", 1, seed=5,
                        opts=DeckOptions(templates=("ine2024-presidencia-2",), p_qr_damage=0.0,
                                         p_upside_down=0.0), workers=1)
    _, recs = read_manifest(man)
    r = Pipeline(station).process(_page(tmp_path / "fed" / recs[0]["image"]), "dani")
    assert r.status == OTHER and "otra elección" in r.message_es
    assert station.store.one("SELECT COUNT(*) FROM events")[0] == 0


def _fake(qr):
    def rec(data, catalog):
        return Recognition(True, "no_model", "no hay modelo de dígitos; captura manual",
                           "no digit model", qr=qr, election="DIP_LOC")
    return rec


def test_fuera_de_catalogo_qr_of_other_candidacy_and_no_qr(station, deck, catalog):
    page = _page(deck.path(deck.records[2]))
    r = Pipeline(station, recognizer=_fake("3|1|6|9999|1|B|0|5")).process(page, "dani")
    assert r.status == FUERA and r.clave_acta == "039999B01006" and "no se contabiliza" in r.message_es
    page2 = _page(deck.path(deck.records[3]))
    r2 = Pipeline(station, recognizer=_fake("3|1|1|1|1|B|0|1")).process(page2, "dani")
    assert r2.status == OTHER and "otra elección" in r2.message_es
    pipe = Pipeline(station, recognizer=_fake(None))
    r3 = pipe.process(page2, "dani")
    assert r3.status == NO_QR and "escriba la clave" in r3.message_es
    wrong = pipe.identify(r3.page_id, "999999Z99996", "dani")
    assert not wrong.stored and "no está en el catálogo" in wrong.message_es
    clave = catalog.expected_actas("DIP_LOC")[5].clave_acta
    typed = pipe.identify(r3.page_id, clave, "dani")
    assert typed.status == TO_CONFIRM  # a second person types it again from the image
    ok = pipe.confirm_key(r3.page_id, clave, "beto")
    assert ok.status == STORED and ok.clave_acta == clave and ok.sha256 == sha256(page2.data)


def test_sane_test_scanner_batch(station):
    src = SaneSource()
    ok, msg = src.available()
    assert ok, msg
    assert any(d[0].startswith("test") for d in src.devices())
    pages = list(src.scan("test", ScanSettings(resolution=150, mode="Color", batch=True,
                                               max_pages=3), threading.Event()))
    assert len(pages) == 3 and all(p.data[:3] == b"\xff\xd8\xff" for p in pages)
    # the test backend draws a pattern, not an acta: rejected with a reason, kept on disk
    r = Pipeline(station).process(pages[0], "dani")
    assert r.status == REJECTED and r.message_es
    assert station.images.verify(r.sha256)


def test_silent_scanner_is_stopped_with_a_reason():
    """The driver runs in a child process: one that does not answer in time is
    stopped, and the operator is told to check the scanner."""
    from capture_station.sources.base import SourceError

    settings = ScanSettings(resolution=150, batch=True, max_pages=3, page_timeout_s=0.05)
    with pytest.raises(SourceError) as exc:
        list(SaneSource(child=silent_driver).scan("test", settings, threading.Event()))
    assert "no respondió" in exc.value.message_es


def silent_driver(device, settings, conn):
    """A scanner driver that hangs without a word (run in the scan's child process)."""
    time.sleep(60)


def test_file_import_missing_file(station, tmp_path):
    page = next(FileImport([tmp_path / "no-existe.jpg"]).pages())
    r = Pipeline(station).process(page, "dani")
    assert r.status == REJECTED and "no se puede leer" in r.message_es


def test_ocr_reading_is_a_capture_and_a_person_confirms_it(station, deck):
    from capture_station.capture import CaptureDesk
    from capture_station.operators import login
    from tests.station.helpers import PASSWORDS, entries

    rec = deck.records[4]
    truth = rec["fields"]

    def reader(data, catalog):
        fields = {k: {"value": v, "confidence": 0.99, "auto": True} for k, v in truth.items()}
        return Recognition(True, qr=rec["qr"], election="DIP_LOC", fields=fields,
                           model_id="digits-test-1")

    r = Pipeline(station, recognizer=reader).process(_page(deck.path(rec)), "dani")
    assert r.stored and r.ocr
    evs = actas.events_of(station.store, r.clave_acta)
    ocr = [e for e in evs if e.kind is Kind.CAPTURA]
    assert len(ocr) == 1 and ocr[0].payload["source"] == "ocr:digits-test-1"
    assert "SUMA_PERSONAS_Y_REP" not in ocr[0].payload["values"]  # only published figures
    beto = login(station.store, "beto", PASSWORDS["beto"])
    desk = CaptureDesk(station)
    task = desk.task(beto, r.clave_acta)
    assert task is not None and task.mode == "captura"
    st = desk.submit(beto, task, entries(truth, task.fields))
    assert st.status is Status.VERIFICADA and set(st.sources) == {"ocr:digits-test-1",
                                                                   "operator:beto"}
