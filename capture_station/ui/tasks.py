"""One background runner for slow work: a QThread per job whose signals come back
on the GUI thread. Widgets never block on I/O."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal


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


class Runner(QObject):
    """Keeps jobs and their threads alive until they finish."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[tuple[QThread, Job]] = []

    def start(self, fn: Callable[..., Any], on_progress: Callable[[Any], None] | None = None,
              on_done: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None) -> Job:
        th = QThread()
        job = Job(fn)
        job.moveToThread(th)
        if on_progress:
            job.progress.connect(on_progress)
        if on_done:
            job.done.connect(on_done)
        if on_failed:
            job.failed.connect(on_failed)
        th.started.connect(job.run)
        job.finished.connect(th.quit)
        th.finished.connect(lambda: self._forget(th))
        self._running.append((th, job))
        th.start()
        return job

    def _forget(self, th: QThread) -> None:
        self._running = [(t, j) for t, j in self._running if t is not th]

    def busy(self) -> bool:
        return bool(self._running)

    def stop_all(self, timeout_ms: int = 15000) -> None:
        for th, job in list(self._running):
            job.cancel.set()
            th.quit()
            th.wait(timeout_ms)
        self._running.clear()
