"""Blind double capture; the domain rule decides; bad figures get clear messages."""

from __future__ import annotations

import pytest

from capture_station.capture import CaptureDesk, parse_entry
from capture_station.errors import StationError
from capture_station.operators import login
from capture_station.sources import FileImport
from prep_core.derive import Status
from prep_core.values import Mark
from tests.station.helpers import PASSWORDS, entries, no_ocr_pipeline


def test_parse_entry_messages():
    assert parse_entry("PAN", "007") == 7
    assert parse_entry("PAN", "i") is Mark.ILEGIBLE and parse_entry("PAN", "S") is Mark.SIN_DATO
    with pytest.raises(StationError, match="más de 3 cifras"):
        parse_entry("PAN", "1234")
    with pytest.raises(StationError, match="no es una cifra"):
        parse_entry("PAN", "12a")
    with pytest.raises(StationError, match="campo vacío"):
        parse_entry("PAN", " ")


def test_blind_double_capture_and_verification(station, deck):
    rec = deck.records[0]
    # people only (no OCR reading even if a digit model is installed): this tests the desk
    r = no_ocr_pipeline(station).process(next(FileImport([deck.path(rec)]).pages()),
                                                     "dani")
    assert r.stored, r.text()
    ops = {k: login(station.store, k, v) for k, v in PASSWORDS.items()}
    desk = CaptureDesk(station)
    truth = deck.truth(r.clave_acta)
    assert desk.queue(ops["dani"]) == []  # digitalización does not capture
    t1 = desk.next_task(ops["ana"], "captura")
    assert t1 is not None and t1.clave_acta == r.clave_acta
    assert desk.submit(ops["ana"], t1, entries(truth, t1.fields)).status is Status.CAPTURADA
    assert desk.queue(ops["ana"]) == []  # never twice by the same person
    t2 = desk.next_task(ops["beto"])
    bad = entries(truth, t2.fields)
    bad["PAN"] = "998"
    with pytest.raises(StationError, match="más de 3 cifras"):
        desk.submit(ops["beto"], t2, {**bad, "PRI": "1234"})
    st = desk.submit(ops["beto"], t2, bad)
    assert st.status is Status.DISCREPANCIA and st.disputed == ("PAN",)
    assert desk.queue(ops["beto"]) == []
    t3 = desk.next_task(ops["caro"])
    assert t3.mode == "verificacion" and t3.fields == ("PAN",)  # only the disputed field
    st = desk.submit(ops["caro"], t3, {"PAN": entries(truth, ("PAN",))["PAN"]})
    assert st.status is Status.VERIFICADA
    assert st.reading["PAN"] == truth["PAN"] or str(st.reading["PAN"]) == truth["PAN"]
    st = desk.cotejo(ops["ana"], r.clave_acta, "accept")
    assert st.cotejada == 1


def test_acopio_and_sin_acta(station, catalog):
    ana = login(station.store, "ana", PASSWORDS["ana"])
    desk = CaptureDesk(station)
    clave = catalog.expected_actas("DIP_LOC")[0].clave_acta
    desk.acopio(ana, clave)
    with pytest.raises(StationError, match="ya tiene acopio"):
        desk.acopio(ana, clave)
    with pytest.raises(StationError, match="no está en el catálogo"):
        desk.acopio(ana, "999999Z99996")
    desk.sin_acta(ana, catalog.expected_actas("AYUN")[0].clave_acta, 2)


def test_wrong_password(station):
    with pytest.raises(StationError, match="usuario o contraseña incorrectos"):
        login(station.store, "ana", "otra-cosa-1")


from hypothesis import given  # noqa: E402
from hypothesis import strategies as hs  # noqa: E402


@given(hs.text(max_size=8))
def test_parse_entry_never_crashes(text):
    try:
        v = parse_entry("PAN", text)
    except StationError as exc:
        assert exc.message_es  # always a message for the capturist
        return
    assert isinstance(v, Mark) or 0 <= v <= 999


@given(hs.integers(0, 999), hs.integers(0, 3))
def test_parse_entry_accepts_every_figure(n, zeros):
    assert parse_entry("PAN", "0" * zeros + str(n)) == n
