"""The station warms the reader's models when its window opens, in the background, so
that the first acta of the night is not slow and the window never waits for them."""

from __future__ import annotations

import threading
import time

from capture_station import recognizer
from capture_station.ui import main_window
from capture_station.ui.main_window import MainWindow


def test_the_window_opens_at_once_and_warms_the_reader_behind_it(qtbot, station, monkeypatch):
    folder = station.folder
    station.close()
    release, calls = threading.Event(), []

    def slow_warm_up() -> bool:  # a reader whose models take as long as the test wants
        calls.append(threading.current_thread() is threading.main_thread())
        assert release.wait(10)
        return True

    monkeypatch.setattr(main_window, "warm_up", slow_warm_up)
    t0 = time.perf_counter()
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    try:
        assert time.perf_counter() - t0 < 5
        qtbot.waitUntil(lambda: bool(calls), timeout=5000)
        assert calls == [False], "the models must load off the GUI thread"
        assert win.reader_ready is None  # still warming, and the window already works
        assert win.stack.currentWidget() is not None
        release.set()
        qtbot.waitUntil(lambda: win.reader_ready is True, timeout=5000)
    finally:
        release.set()
        win.shutdown()


def test_a_failed_warm_up_leaves_the_station_usable(qtbot, station, monkeypatch):
    folder = station.folder
    station.close()

    def broken() -> bool:
        raise RuntimeError("modelo dañado")

    monkeypatch.setattr(main_window, "warm_up", broken)
    win = MainWindow(folder, "", "es")
    qtbot.addWidget(win)
    try:
        qtbot.waitUntil(lambda: win.reader_ready is False, timeout=5000)
    finally:
        win.shutdown()


def test_warm_up_loads_and_runs_the_models_once(monkeypatch):
    from capture_station.recognition import reader

    ran = []
    monkeypatch.setattr(reader, "prepare", lambda: ran.append(1))
    assert recognizer.warm_up() is True and ran == [1]


def test_a_page_read_during_the_warm_up_waits_for_it(monkeypatch, catalog):
    """The first page does not load a second copy of the models beside the warm-up."""
    from capture_station.recognition import reader

    order, started = [], threading.Event()

    def slow_prepare() -> None:
        started.set()
        time.sleep(0.3)
        order.append("warmed")

    def fake_read(data, catalog=None):  # type: ignore[no-untyped-def]
        order.append("read")
        return reader.Reading(status="rejected", reason=reader.REASONS["not_image"])

    monkeypatch.setattr(reader, "prepare", slow_prepare)
    monkeypatch.setattr(reader, "read_acta", fake_read)
    t = threading.Thread(target=recognizer.warm_up)
    t.start()
    assert started.wait(5)
    recognizer.read_page(b"x", catalog)
    t.join()
    assert order == ["warmed", "read"]
