"""The installed Qt binding keeps Python's reference counts: PySide6 6.12.0 dropped a
reference to ``True`` on every ``Signal.emit()``, so a station crashed after enough
signals (in Python 3.11 ``True`` is an ordinary counted object)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(object)


def test_signal_emit_does_not_leak_references(qtbot):
    e = _Emitter()
    e.changed.connect(lambda _: None)
    before = sys.getrefcount(True), sys.getrefcount(None)
    for _ in range(200):
        e.changed.emit(1)
    after = sys.getrefcount(True), sys.getrefcount(None)
    assert after[0] - before[0] >= 0, "this PySide6 release corrupts reference counts; see pyproject"
    assert after[1] - before[1] >= 0
