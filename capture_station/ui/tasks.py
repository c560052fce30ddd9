"""One background runner for slow work: a Python thread per job whose results come
back on the GUI thread. Widgets never block on I/O, and no widget is touched from
a worker thread.

A Qt signal connected to a plain function (a closure, a lambda) runs it in the
thread that emits. So the worker emits the signals of a relay object that lives on
the GUI thread, connected to the relay's own methods: Qt queues those calls to the
GUI thread, and from there the relay calls the job's callbacks.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal


class Job:
    """A running piece of work: ``cancel`` asks it to stop at its next step."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.cancel = threading.Event()
        self.thread: threading.Thread | None = None


class _Relay(QObject):
    """Lives on the GUI thread; the worker emits, the GUI thread calls back."""

    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str)
    finished = Signal()

    def __init__(self, runner: Runner, job: Job,
                 callbacks: tuple[Callable[[Any], None] | None, Callable[[Any], None] | None,
                                  Callable[[str], None] | None]) -> None:
        super().__init__(runner)
        self.runner, self.job = runner, job
        self.on_progress, self.on_done, self.on_failed = callbacks
        self.progress.connect(self._progress)
        self.done.connect(self._done)
        self.failed.connect(self._failed)
        self.finished.connect(self._finished)

    def work(self) -> None:  # on the worker thread: only emits
        try:
            self.done.emit(self.job.fn(self.progress.emit, self.job.cancel))
        except Exception as exc:
            es = getattr(exc, "message_es", None)
            self.failed.emit(es or f"{exc!r}\n{traceback.format_exc(limit=3)}")
        finally:
            self.finished.emit()

    def _progress(self, value: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(value)

    def _done(self, value: Any) -> None:
        if self.on_done is not None:
            self.on_done(value)

    def _failed(self, message: str) -> None:
        if self.on_failed is not None:
            self.on_failed(message)

    def _finished(self) -> None:
        if self.job.thread is not None:
            self.job.thread.join()  # it has just emitted its last signal; the relay is
        self.runner._forget(self)  # then released here, on the GUI thread


class Runner(QObject):
    """Keeps jobs alive until they finish; lives on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: list[_Relay] = []

    def start(self, fn: Callable[..., Any], on_progress: Callable[[Any], None] | None = None,
              on_done: Callable[[Any], None] | None = None,
              on_failed: Callable[[str], None] | None = None) -> Job:
        job = Job(fn)
        relay = _Relay(self, job, (on_progress, on_done, on_failed))
        self._running.append(relay)
        job.thread = threading.Thread(target=relay.work, name="prep-job", daemon=True)
        job.thread.start()
        return job

    def _forget(self, relay: _Relay) -> None:
        self._running = [r for r in self._running if r is not relay]
        relay.setParent(None)

    def busy(self) -> bool:
        return bool(self._running)

    def stop_all(self, timeout_s: float = 30) -> None:
        """Ask every job to stop and wait for it (on closing the window); callbacks
        still queued are dropped."""
        for relay in self._running:
            relay.job.cancel.set()
        for relay in self._running:
            if relay.job.thread is not None:
                relay.job.thread.join(timeout_s)
            relay.blockSignals(True)
        self._running.clear()
