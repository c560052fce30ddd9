"""Captura and verificación: the image beside the form, zoomed on the field being
typed. Each field is labelled as the acta prints it (its apartado, the party or
coalition of its row), its database column small beside it. Keyboard first: digits
(numeric keypad too), Enter advances, I = Ilegible, S = Sin dato, Ctrl+Enter saves.
Blind: no other reading is ever shown."""

from __future__ import annotations

from functools import lru_cache
from html import escape

from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from capture_station import actas
from capture_station.capture import CAPTURE, CaptureDesk, Task
from capture_station.errors import StationError
from capture_station.form_labels import FieldLabel, in_acta_order, label_of
from capture_station.ui.common import error_label, message_of, say, title
from capture_station.ui.i18n import tr

MARGIN = 0.03  # scanners and the deck leave about 3% around the page


@lru_cache(maxsize=8)
def _field_boxes(election: str) -> dict[str, tuple[float, float, float, float]]:
    """Each field's box as fractions of the page (from the recognition templates)."""
    try:
        from capture_station.recognition.templates import load_templates

        t = next(t for t in load_templates() if t.election == election)
    except Exception:
        return {}
    out = {}
    for f in t.fields:
        xs = [c[0] for c in f.cells] + ([f.words[0]] if f.words else [])
        x1 = max(c[0] + c[2] for c in f.cells)
        y0 = min(c[1] for c in f.cells)
        y1 = max(c[1] + c[3] for c in f.cells)
        k = 1 + 2 * MARGIN
        out[f.name] = ((min(xs) / t.page_w + MARGIN) / k, (y0 / t.page_h + MARGIN) / k,
                       (x1 - min(xs)) / t.page_w / k, (y1 - y0) / t.page_h / k)
    return out


def field_label(lab: FieldLabel) -> QLabel:
    """The row's label as printed on the acta, its column name small and grey beside it,
    after a mark in each of its parties' colours (where the acta prints their emblems)."""
    column = "" if lab.column == lab.label else (
        f" <span style='color:#555;font-size:small'>{escape(lab.column)}</span>")
    marks = "".join(f"<span style='color:{c}'>&#9632;</span>" for _, c in lab.colours)
    w = QLabel(f"{marks}{' ' if marks else ''}<b>{escape(lab.label)}</b>{column}")
    w.setTextFormat(Qt.TextFormat.RichText)
    w.setWordWrap(True)
    w.setMinimumWidth(300)
    w.setObjectName(f"label_{lab.column}")
    return w


class ImagePane(QWidget):
    def __init__(self) -> None:
        super().__init__()
        lay = QVBoxLayout(self)
        self.zoom = QLabel(tr("Sin imagen"))
        self.zoom.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.zoom.setMinimumSize(560, 200)
        self.zoom.setStyleSheet("background:#fff;border:2px solid #0a52b5")
        self.page = QLabel()
        self.page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.page.setMinimumSize(560, 340)
        self.page.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        lay.addWidget(QLabel(tr("Campo actual (ampliado)")))
        lay.addWidget(self.zoom)
        lay.addWidget(QLabel(tr("Acta completa")))
        lay.addWidget(self.page, 1)
        self.image = QImage()
        self.boxes: dict[str, tuple[float, float, float, float]] = {}

    def set_image(self, data: bytes | None, election: str) -> None:
        self.image = QImage.fromData(data) if data else QImage()
        self.boxes = _field_boxes(election)
        self.show_field(None)

    def show_field(self, name: str | None) -> None:
        if self.image.isNull():
            self.zoom.setText(tr("Sin imagen"))
            self.page.clear()
            return
        w, h = self.image.width(), self.image.height()
        box = self.boxes.get(name or "")
        page = QPixmap.fromImage(self.image).scaled(
            self.page.width(), self.page.height(), Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation)
        if box is not None:
            x, y, bw, bh = box
            p = QPainter(page)
            p.setPen(QPen(QColor("#e00000"), 3))
            p.drawRect(QRectF(x * page.width(), y * page.height(), bw * page.width(),
                              bh * page.height()))
            p.end()
            left, right, pad_y = 0.09, 0.02, 0.03  # include the printed label on the left
            crop = self.image.copy(int((x - left) * w), int((y - pad_y) * h),
                                   int((bw + left + right) * w), int((bh + 2 * pad_y) * h))
            self.zoom.setPixmap(QPixmap.fromImage(crop).scaled(
                self.zoom.width(), self.zoom.height(), Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation))
        else:
            self.zoom.setText(tr("Ubique el campo en el acta completa"))
        self.page.setPixmap(page)


class CapturaView(QWidget):
    def __init__(self, app, mode: str = CAPTURE) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        self.mode = mode
        self.task: Task | None = None
        self.edits: dict[str, QLineEdit] = {}
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        self.heading = title(tr("Captura") if mode == CAPTURE else tr("Verificación"))
        self.acta = QLabel("")
        self.acta.setObjectName("title")
        self.queue = QLabel("")
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.acta)
        head.addStretch(1)
        head.addWidget(self.queue)
        lay.addLayout(head)
        lay.addWidget(QLabel(tr("Enter: siguiente campo · I: Ilegible · S: Sin dato · "
                                "Ctrl+Enter: guardar")))
        self.banner = QLabel("")
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background:#fff4cc;border:2px solid #8a5a00;padding:6px;"
                                  "font-weight:bold;color:#3d2800")
        self.banner.hide()
        lay.addWidget(self.banner)
        body = QHBoxLayout()
        self.pane = ImagePane()
        body.addWidget(self.pane, 3)
        right = QVBoxLayout()
        self.form_host = QWidget()
        self.form = QFormLayout(self.form_host)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form_host)
        self.scroll = scroll
        right.addWidget(scroll, 1)
        self.message = error_label()
        right.addWidget(self.message)
        row = QHBoxLayout()
        self.save_btn = QPushButton(tr("Guardar (Ctrl+Enter)"))
        self.save_btn.setObjectName("primary")
        self.save_btn.clicked.connect(self.save)
        self.next_btn = QPushButton(tr("Siguiente acta"))
        self.next_btn.clicked.connect(self.load_next)
        row.addWidget(self.save_btn)
        row.addWidget(self.next_btn)
        right.addLayout(row)
        body.addLayout(right, 2)
        lay.addLayout(body, 1)
        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(seq), self, activated=self.save)

    # ------------------------------------------------------------------ queue
    def load_next(self) -> None:
        desk = CaptureDesk(self.app.station)
        q = desk.queue(self.app.operator, self.mode)
        self.queue.setText(tr("En fila") + f": {len(q)}")
        self.show_task(q[0] if q else None)

    def show_task(self, task: Task | None) -> None:
        self.task = task
        while self.form.rowCount():
            self.form.removeRow(0)
        self.edits = {}
        self.message.setText("")
        self.banner.hide()
        if task is None:
            self.acta.setText(tr("No hay actas pendientes"))
            self.pane.set_image(None, "")
            self.save_btn.setEnabled(False)
            return
        self.save_btn.setEnabled(True)
        self._show_banner(task)
        self.acta.setText(task.clave_acta if task.ticket is None
                          else f"{task.clave_acta} · " + tr("del servidor"))
        try:
            data = self.app.station.images.get(task.image)
        except OSError:
            data = None
        self.pane.set_image(data, task.election)
        section = ""
        for lab in in_acta_order(task.election, task.fields):
            name = lab.column
            if not lab.own_section and lab.section != section:
                head = QLabel(lab.section)
                head.setObjectName("section")
                head.setStyleSheet("font-weight:bold;color:#fff;background:#6b3d1f;padding:3px")
                self.form.addRow(head)
            section = lab.section
            e = QLineEdit()
            e.setObjectName(f"field_{name}")
            e.setMaxLength(12)
            e.setMaximumWidth(140)  # three digits, or Ilegible / Sin dato
            e.setProperty("field", name)
            e.setAccessibleName(lab.label)
            e.installEventFilter(self)
            self.edits[name] = e
            self.form.addRow(field_label(lab), e)
        first = next(iter(self.edits.values()))
        first.setFocus()
        self.pane.show_field(next(iter(self.edits)))

    def _show_banner(self, task: Task) -> None:
        """An acta sent back (by cotejo here or by the coordination) says so, and what to do."""
        back = actas.last_send_back(actas.events_of(self.app.station.store, task.clave_acta))
        if back is None:
            return
        action, reason, server = back
        who = tr("por la coordinación") if server else tr("en el cotejo")
        if action == "recapture":
            text = (tr("Acta devuelta a captura") + f" {who}"
                    + (f" ({tr('motivo')}: {reason})" if reason else "") + ". "
                    + tr("Capture de nuevo todos los campos tal como están escritos en el acta; "
                         "las capturas anteriores quedaron apartadas."))
        else:
            text = (tr("Imagen nueva de un acta devuelta a digitalización") + f" {who}"
                    + (f" ({tr('motivo')}: {reason})" if reason else "") + ". "
                    + tr("Capture todos los campos de esta imagen nueva."))
        self.banner.setText(text)
        self.banner.show()

    # ------------------------------------------------------------------ keys
    def eventFilter(self, obj: QObject, ev: QEvent) -> bool:
        if isinstance(obj, QLineEdit) and obj.property("field"):
            if ev.type() == QEvent.Type.FocusIn:
                self.pane.show_field(obj.property("field"))
                self.scroll.ensureWidgetVisible(obj)
            elif ev.type() == QEvent.Type.KeyPress:
                key, mods = ev.key(), ev.modifiers()
                ctrl = mods & Qt.KeyboardModifier.ControlModifier
                if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not ctrl:
                    self._advance(obj)
                    return True
                if key == Qt.Key.Key_I and not ctrl and not obj.text().strip():
                    obj.setText("Ilegible")
                    self._advance(obj)
                    return True
                if key == Qt.Key.Key_S and not ctrl and not obj.text().strip():
                    obj.setText("Sin dato")
                    self._advance(obj)
                    return True
        return super().eventFilter(obj, ev)

    def _advance(self, edit: QLineEdit) -> None:
        names = list(self.edits)
        i = names.index(edit.property("field"))
        if i + 1 < len(names):
            self.edits[names[i + 1]].setFocus()
        else:
            self.save_btn.setFocus()

    # ------------------------------------------------------------------ save
    def _show_error(self, exc: StationError) -> str | None:
        """The message with each field named as the acta prints it; the first bad field."""
        task = self.task
        if task is None or exc.where != task.clave_acta or not exc.message_es:
            say(self.message, message_of(exc, self.app.lang), False)
            return None
        parts, first = [], None
        for part in exc.message_es.split("; "):  # "FIELD: what is wrong", one per field
            name, sep, what = part.partition(": ")
            if sep and name in self.edits:
                first = first or name
                part = f"{label_of(task.election, name).label} ({name}): {what}"
            parts.append(part)
        say(self.message, "; ".join(parts), False)
        return first

    def entries(self) -> dict[str, str]:
        return {k: e.text() for k, e in self.edits.items()}

    def save(self) -> None:
        if self.task is None:
            return
        try:
            st = CaptureDesk(self.app.station).submit(self.app.operator, self.task, self.entries())
        except StationError as exc:
            bad = self._show_error(exc)
            if bad:
                self.edits[bad].setFocus()
                self.edits[bad].selectAll()
            return
        self.app.changed()
        pulled = self.task.ticket is not None
        self.load_next()
        done = (tr("Guardada; se enviará al servidor, que la compara con las demás capturas")
                if pulled else tr("Guardada; estado del acta") + f": {st.status.value}")
        say(self.message, done, True)
