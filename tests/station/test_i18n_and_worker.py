"""Translations complete and compiled; the sync worker reports offline and backs off."""

from __future__ import annotations

import threading

import pytest

from capture_station.demo_server import free_port
from capture_station.sync.client import SyncError, import_receipts
from capture_station.sync.worker import SyncWorker
from capture_station.ui import make_translations
from capture_station.ui.i18n import TRANSLATIONS


def test_every_ui_string_has_english():
    assert make_translations.main(["--check"]) == 0
    assert (TRANSLATIONS / "station_en.ts").exists() and (TRANSLATIONS / "station_en.qm").exists()


def test_worker_reports_offline_then_stops(station):
    reports = []
    got = threading.Event()

    def on_report(r):
        reports.append(r)
        got.set()

    w = SyncWorker(station, f"http://127.0.0.1:{free_port()}", on_report, interval=0.05,
                   max_backoff=0.2)
    w.start()
    assert got.wait(10)
    w.stop()
    assert not w.is_alive()
    assert reports[0].state == "offline" and "sin conexión" in reports[0].message_es


def test_receipts_file_of_unknown_format(station):
    with pytest.raises(SyncError, match="formato desconocido"):
        import_receipts(station.store, {"cualquier": "cosa"})
    with pytest.raises(SyncError, match="importe primero la aprobación"):
        import_receipts(station.store, {"receipts": []})  # no server key known yet


def test_runner_calls_back_on_the_gui_thread(qtbot):
    """Job callbacks that are plain closures must not run on the worker thread:
    a widget touched from there crashes or hangs the app."""
    from capture_station.ui.tasks import Runner

    runner = Runner()
    seen: dict[str, str] = {}

    def work(progress, cancel):
        progress(1)
        seen["work"] = threading.current_thread().name
        return 42

    def failing(progress, cancel):
        raise ValueError("mal")

    runner.start(work, lambda _: seen.setdefault("progress", threading.current_thread().name),
                 lambda v: seen.setdefault("done", f"{threading.current_thread().name}:{v}"))
    runner.start(failing, on_failed=lambda m: seen.setdefault("failed", threading.current_thread().name))
    qtbot.waitUntil(lambda: not runner.busy() and len(seen) == 4, timeout=10000)
    main = threading.main_thread().name
    assert seen["work"] != main
    assert seen["progress"] == main and seen["done"] == f"{main}:42" and seen["failed"] == main
