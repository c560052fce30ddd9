"""One background runner for slow work: a QThread per job whose results come back
on the GUI thread. Widgets never block on I/O, and no widget is touched from a
worker thread.

A signal connected to a plain Python function (a closure, a lambda) is called in
the thread that emits it. So a job's signals are connected to a relay object that
lives on the GUI thread, and the relay calls the callbacks there (queued). A
QThread object is only released once its thread has ended: destroying a running
QThread aborts the process.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot


class Job(QObject):
    progress = Signal(object)  # anything the job reports while running
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn
        self.cancel = threading.Event()

    def run(self) -> None:
        try:
            self.done.emit(self.fn(self.progress.emit, self.cancel))
        except Exception as exc:
            es = getattr(exc, "message_es", None)
            self.failed.emit(es or f"{exc!r}\n{traceback.format_exc(limit=3)}")
        finally:
            self.finished.emit()


class _Relay(QObject):
    """Lives on the GUI thread; receives a job's signals there and calls back."""

    def __init__(self, runner: Runner, th: QThread,
                 callbacks: tuple[Callable[[Any], None] | None, Callable[[Any], None] | None,
                                  Callable[[str], None] | None]) -> None:
        super().__init__(runner)
        self.runner, self.th = runner, th
        self.on_progress, self.on_done, self.on_failed = callbacks

    @Slot(object)
    def progress(self, value: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(value)

    @Slot(object)
    def done(self, value: Any) -> None:
        if self.on_done is not None:
            self.on_done(value)

    @Slot(str)
    def failed(self, message: str) -> None:
        if self.on_failed is not None:
            self.on_failed(message)

    @Slot()
    def finished(self) -> None:
        self.th.quit()
        self.th.wait()  # the job has returned: the thread ends at once
        self.runner._forget(self.th)
        self.deleteLater()


class Runner(QObject):
    """Keeps jobs and their threads alive until they finish."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[tuple[QThread, Job]] = []
        self._stuck: list[tuple[QThread, Job]] = []  # never destroyed while running

    def start(self, fn: Callable[..., Any], on_progress: Callable[[Any], None] | None = None,
              on_done: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None) -> Job:
        th = QThread()
        job = Job(fn)
        job.moveToThread(th)
        relay = _Relay(self, th, (on_progress, on_done, on_failed))
        job.progress.connect(relay.progress)
        job.done.connect(relay.done)
        job.failed.connect(relay.failed)
        job.finished.connect(relay.finished)
        th.started.connect(job.run)
        self._running.append((th, job))
        th.start()
        return job

    def _forget(self, th: QThread) -> None:
        self._running = [(t, j) for t, j in self._running if t is not th]

    def busy(self) -> bool:
        return bool(self._running)

    def stop_all(self, timeout_ms: int = 30000) -> None:
        """Ask every job to stop and wait for its thread (on closing the window)."""
        for _, job in self._running:
            job.cancel.set()
        for th, job in list(self._running):
            th.quit()
            if not th.wait(timeout_ms):
                self._stuck.append((th, job))
        self._running.clear()
