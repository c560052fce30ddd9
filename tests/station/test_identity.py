"""An acta whose label names another casilla stops before capture; a supervisor
decides (rescan, relabel, accept with a reason), signed; a key typed by hand waits for
a second person. Real generated actas, the real reader, the real widgets offscreen."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from capture_station import actas
from capture_station.operators import login as op_login
from capture_station.pipeline import HELD, NO_QR, RESCAN, STORED, TO_CONFIRM, Pipeline
from capture_station.sources.base import Page
from capture_station.ui.common import apply_style
from capture_station.ui.main_window import MainWindow
from prep_core.events import Kind
from prep_core.qr import parse_qr
from prep_tools.decks.deck import DeckOptions, generate_deck, read_manifest
from tests.station.helpers import PASSPHRASE, PASSWORDS
from tests.station.test_e2e_ui import login, shot, tab

LOCAL = ("bcs2024-diploc", "bcs2024-ayun")


@pytest.fixture(scope="module")
def mistakes(tmp_path_factory):
    """Three actas with a neighbour's label and two with no label (typed keys)."""
    folder = tmp_path_factory.mktemp("mistakes")
    opts = DeckOptions(templates=LOCAL, p_qr_damage=0.0, p_upside_down=0.0, p_swap=1.0,
                       split="val")
    swapped = read_manifest(generate_deck(folder / "swap", 3, seed=41, opts=opts, workers=1))[1]
    opts = DeckOptions(templates=LOCAL, p_qr_damage=0.0, p_upside_down=0.0, p_typed=1.0,
                       split="val")
    typed = read_manifest(generate_deck(folder / "typed", 2, seed=43, opts=opts, workers=1))[1]
    return ([(folder / "swap" / r["image"], r) for r in swapped],
            [(folder / "typed" / r["image"], r) for r in typed])


def _page(path) -> Page:
    return Page(path.read_bytes(), path.name, "file", "", str(path))


def _op(station, user):  # type: ignore[no-untyped-def]
    return op_login(station.store, user, PASSWORDS[user])


def test_a_neighbours_label_stops_the_acta_and_a_supervisor_decides(station, mistakes):
    (p0, r0), (p1, _), (p2, _) = mistakes[0]
    pipe = Pipeline(station)
    held = [pipe.process(_page(p), "dani") for p in (p0, p1, p2)]
    assert [h.status for h in held] == [HELD] * 3, [h.text() for h in held]
    assert station.store.one("SELECT COUNT(*) FROM events")[0] == 0  # nothing before a decision
    row = station.store.one("SELECT identity FROM pages WHERE id = ?", held[0].page_id)
    ident = json.loads(row[0])
    assert ident["agrees"] is False and ident["label"] == r0["swap"]
    assert ident["written"]["seccion"] == r0["written"]["seccion"]
    # only a supervisor decides; relabel and accept need a reason
    no = pipe.decide_identity(held[0].page_id, "relabel", _op(station, "dani"), "x",
                              r0["clave_acta"])
    assert no.status == HELD and "supervisor" in no.message_es
    ana = _op(station, "ana")
    no = pipe.decide_identity(held[0].page_id, "relabel", ana, "", r0["clave_acta"])
    assert no.status == HELD and "reason" in no.message_en
    no = pipe.decide_identity(held[0].page_id, "relabel", ana, "sobre equivocado", "999999Z99996")
    assert no.status == HELD and "no está en el catálogo" in no.message_es
    # relabel: the acta is the casilla written in it
    ok = pipe.decide_identity(held[0].page_id, "relabel", ana, "etiqueta del vecino",
                              r0["clave_acta"])
    assert ok.status == STORED and ok.clave_acta == r0["clave_acta"], ok.text()
    evs = actas.events_of(station.store, r0["clave_acta"])
    kinds = [e.kind for e in evs]
    ide = evs[kinds.index(Kind.IDENTIDAD)]
    assert kinds.index(Kind.IDENTIDAD) < kinds.index(Kind.DIGITALIZACION)
    assert ide.operator == "ana" and ide.payload["decision"] == "relabel"
    assert ide.payload["from"] == held[0].clave_acta and ide.payload["reason"]
    assert actas.events_of(station.store, held[0].clave_acta) == []  # the label's acta: untouched
    # accept: the label stands, with a reason
    ok = pipe.decide_identity(held[1].page_id, "accept", ana, "el acta está mal llenada")
    assert ok.status == STORED and ok.clave_acta == held[1].clave_acta
    # rescan: set aside, recorded, no image for the acta
    rs = pipe.decide_identity(held[2].page_id, "rescan", ana)
    assert rs.status == RESCAN
    evs = actas.events_of(station.store, held[2].clave_acta)
    assert [e.kind for e in evs] == [Kind.IDENTIDAD]
    assert evs[0].payload["decision"] == "rescan"
    again = pipe.decide_identity(held[2].page_id, "accept", ana, "x")
    assert not again.stored  # a decided page is not decided twice


def test_a_crash_while_a_decision_is_stored_leaves_the_page_waiting(station, mistakes,
                                                                    monkeypatch):
    """The decided page is marked identified in the transaction that stores it: a
    failure before the commit leaves it in the supervisor's queue, never in no queue."""
    (p0, r0) = mistakes[0][0]
    pipe = Pipeline(station)
    held = pipe.process(_page(p0), "dani")
    assert held.status == HELD
    ana = _op(station, "ana")
    real = station.outbox.append

    def dies(c, kind, *a, **k):  # type: ignore[no-untyped-def]
        if kind is Kind.DIGITALIZACION:
            raise OSError("power cut")
        return real(c, kind, *a, **k)

    monkeypatch.setattr(station.outbox, "append", dies)
    with pytest.raises(OSError):
        pipe.decide_identity(held.page_id, "relabel", ana, "etiqueta del vecino",
                             r0["clave_acta"])
    monkeypatch.setattr(station.outbox, "append", real)
    row = station.store.one("SELECT status FROM pages WHERE id = ?", held.page_id)
    assert row[0] == HELD
    assert station.store.one("SELECT COUNT(*) FROM events")[0] == 0
    ok = pipe.decide_identity(held.page_id, "relabel", ana, "etiqueta del vecino",
                              r0["clave_acta"])
    assert ok.status == STORED and ok.clave_acta == r0["clave_acta"], ok.text()
    again = pipe.decide_identity(held.page_id, "accept", ana, "x")
    assert not again.stored


def test_a_typed_key_needs_a_second_person(station, mistakes):
    (p0, r0), (p1, r1) = mistakes[1]
    pipe = Pipeline(station)
    first = pipe.process(_page(p0), "dani")
    assert first.status == NO_QR
    t = pipe.identify(first.page_id, r0["clave_acta"], "dani")
    assert t.status == TO_CONFIRM and station.store.one("SELECT COUNT(*) FROM events")[0] == 0
    same = pipe.confirm_key(first.page_id, r0["clave_acta"], "dani")
    assert same.status == TO_CONFIRM and "otra persona" in same.message_es
    differ = pipe.confirm_key(first.page_id, r0["typed"], "beto")
    assert differ.status == NO_QR and "no coinciden" in differ.message_es
    pipe.identify(first.page_id, r0["clave_acta"], "dani")
    ok = pipe.confirm_key(first.page_id, r0["clave_acta"], "beto")
    assert ok.status == STORED and ok.clave_acta == r0["clave_acta"], ok.text()
    ide = [e for e in actas.events_of(station.store, ok.clave_acta) if e.kind is Kind.IDENTIDAD]
    assert ide[0].payload["typed_by"] == "dani" and ide[0].payload["confirmed_by"] == "beto"
    assert ide[0].operator == "beto"
    # both typed the same slip: the acta's writing says otherwise, a supervisor decides
    second = pipe.process(_page(p1), "dani")
    if station.catalog.acta(r1["typed"]) is not None:
        pipe.identify(second.page_id, r1["typed"], "dani")
        held = pipe.confirm_key(second.page_id, r1["typed"], "beto")
        assert held.status == HELD, held.text()
    else:
        slip = pipe.identify(second.page_id, r1["typed"], "dani")
        assert slip.status == NO_QR and "no está en el catálogo" in slip.message_es


def test_supervisor_decides_in_the_window(qtbot, station, mistakes):
    (p0, r0), _, _ = mistakes[0]
    folder = station.folder
    station.close()
    apply_style(QApplication.instance())
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    try:
        page = win.stack.currentWidget()
        qtbot.keyClicks(page.passphrase, PASSPHRASE)
        qtbot.keyClick(page.passphrase, Qt.Key.Key_Return)
        login(qtbot, win, "dani")
        view = tab(win, "digitalizacion")
        view.import_files([str(p0)])
        qtbot.waitUntil(lambda: view.job is None and len(view.results) == 1, timeout=60_000)
        assert view.results[0].status == HELD
        view.table.selectRow(0)
        QApplication.processEvents()
        rv = view.review
        assert rv.isVisible() and rv.decide_box.isVisible()
        said = parse_qr(r0["swap"])
        written = {p: b.text() for p, (_, b) in rv.cells.items()}
        label = {p: a.text() for p, (a, _) in rv.cells.items()}
        assert written["seccion"] == str(r0["written"]["seccion"])
        assert label["seccion"] == str(said.casilla.seccion) and label != written
        shot(win, "11-identidad-en-duda")
        qtbot.keyClicks(rv.user, "ana")
        qtbot.keyClicks(rv.password, PASSWORDS["ana"])
        qtbot.keyClicks(rv.clave, r0["clave_acta"])
        qtbot.mouseClick(rv.relabel_btn, Qt.MouseButton.LeftButton)
        assert "motivo" in rv.message.text().lower() or "reason" in rv.message.text()
        qtbot.keyClicks(rv.password, PASSWORDS["ana"])
        qtbot.keyClicks(rv.reason, "etiqueta del vecino")
        qtbot.mouseClick(rv.relabel_btn, Qt.MouseButton.LeftButton)
        assert view.results[0].status == STORED, view.message.text()
        assert view.table.item(0, 2).text() == r0["clave_acta"]
        assert not rv.isVisible()
    finally:
        win.close()
