"""Shared look: high-contrast palette, scalable fonts, message helpers."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel

STYLE = """
QWidget { color: #111; background: #fafafa; }
QLineEdit, QComboBox, QSpinBox, QTableWidget, QListWidget, QPlainTextEdit {
  background: #fff; border: 1px solid #555; padding: 3px; }
QLineEdit:focus, QComboBox:focus, QSpinBox:focus, QPushButton:focus, QTableWidget:focus {
  border: 3px solid #0a52b5; background: #fff8c4; }
QPushButton { background: #e6e6e6; border: 1px solid #444; padding: 6px 12px; }
QPushButton:default, QPushButton#primary { background: #0a52b5; color: #fff; font-weight: bold; }
QPushButton:disabled { color: #777; }
QTabBar::tab { padding: 8px 16px; border: 1px solid #777; background: #e6e6e6; }
QTabBar::tab:selected { background: #0a52b5; color: #fff; font-weight: bold; }
QLabel#title { font-size: 150%; font-weight: bold; }
QLabel#error { color: #a00000; font-weight: bold; }
QLabel#ok { color: #075e1f; font-weight: bold; }
QLabel#warning { color: #111; background: #ffe08a; border: 1px solid #8a5a00; padding: 4px;
  font-weight: bold; }
QStatusBar QLabel { padding: 0 8px; }
QProgressBar { border: 1px solid #444; text-align: center; background: #fff; }
QProgressBar::chunk { background: #2e7d32; }
"""


def apply_style(app: QApplication, point_size: int = 11) -> None:
    app.setStyleSheet(STYLE)
    f = QFont(app.font())
    f.setPointSize(point_size)
    app.setFont(f)


def scale_font(app: QApplication, delta: int) -> int:
    f = QFont(app.font())
    size = max(8, min(28, f.pointSize() + delta))
    f.setPointSize(size)
    app.setFont(f)
    for w in app.allWidgets():
        w.setFont(f)
    return size


def title(text: str) -> QLabel:
    lbl = QLabel(text)
    lbl.setObjectName("title")
    return lbl


def mark(label: QLabel, ok: bool) -> None:
    """A message label green when something worked, red when it did not."""
    label.setObjectName("ok" if ok else "error")
    label.style().polish(label)


def say(label: QLabel, text: str, ok: bool) -> None:
    mark(label, ok)
    label.setText(text)


def error_label() -> QLabel:
    lbl = QLabel("")
    lbl.setObjectName("error")
    lbl.setWordWrap(True)
    return lbl


def message_of(exc: Exception, lang: str = "es") -> str:
    es = getattr(exc, "message_es", None)
    en = getattr(exc, "message_en", None)
    where = getattr(exc, "where", "")
    msg = (en if lang == "en" and en else es) or str(exc)
    out = f"{where}: {msg}" if where and where not in msg else msg
    return out[:1].upper() + out[1:]  # a sentence to the operator, not a log line
