"""Identity in doubt: the label beside what the acta says, beside the image.

Shown in Digitalización for a page held because its label (QR or a typed key) names
another casilla than the one its officials wrote (a supervisor decides: scan again,
correct the key, or accept the label with a reason), and for a key typed by hand that
a second person must type again from the image. Whoever decides signs in here with
their own password: the decision is signed in their name.
"""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_station.operators import login
from capture_station.pipeline import HELD, TO_CONFIRM, PageResult, Pipeline
from capture_station.ui.common import error_label, message_of
from capture_station.ui.i18n import tr
from prep_core.errors import PrepError
from prep_core.labels import expected_written
from prep_core.qr import parse_qr

PARTS = (("demarcacion", "Distrito / municipio"), ("seccion", "Sección"),
         ("tipo", "Tipo de casilla"), ("numero", "Número de casilla"))


def label_parts(label: str | None) -> dict:
    """What the label says, part by part ({} when it cannot be parsed)."""
    if not label:
        return {}
    try:
        return expected_written(parse_qr(label)).to_json()
    except (PrepError, ValueError):
        return {}


class IdentityReview(QWidget):
    decided = Signal(object)  # the PageResult of a decision
    shown = Signal(bool)  # the panel appeared (True) or went away (False)

    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        self.page_id: int | None = None
        self.mode = ""
        lay = QHBoxLayout(self)
        self.image = QLabel()
        self.image.setMinimumSize(560, 380)
        self.setMinimumHeight(440)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.image, 3)
        right = QVBoxLayout()
        self.heading = QLabel("")
        self.heading.setObjectName("warning")
        self.heading.setWordWrap(True)
        right.addWidget(self.heading)
        both = QGroupBox(tr("Etiqueta y acta"))
        self.grid = QGridLayout(both)
        for col, text in enumerate(("", tr("Etiqueta"), tr("Escrito en el acta"))):
            h = QLabel(f"<b>{text}</b>")
            self.grid.addWidget(h, 0, col)
        self.cells: dict[str, tuple[QLabel, QLabel]] = {}
        for row, (part, name) in enumerate(PARTS, start=1):
            a, b = QLabel("—"), QLabel("—")
            self.grid.addWidget(QLabel(tr(name)), row, 0)
            self.grid.addWidget(a, row, 1)
            self.grid.addWidget(b, row, 2)
            self.cells[part] = (a, b)
        right.addWidget(both)
        who = QGroupBox(tr("Quién decide"))
        g = QGridLayout(who)
        self.user = QLineEdit()
        self.user.setPlaceholderText(tr("usuario"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(tr("contraseña"))
        g.addWidget(QLabel(tr("Usuario")), 0, 0)
        g.addWidget(self.user, 0, 1)
        g.addWidget(QLabel(tr("Contraseña")), 1, 0)
        g.addWidget(self.password, 1, 1)
        right.addWidget(who)
        self.decide_box = QGroupBox(tr("Decisión del supervisor"))
        d = QGridLayout(self.decide_box)
        self.reason = QLineEdit()
        self.reason.setPlaceholderText(tr("motivo (para corregir o aceptar)"))
        self.clave = QLineEdit()
        self.clave.setPlaceholderText(tr("clave correcta del acta"))
        self.rescan_btn = QPushButton(tr("Reescanear"))
        self.relabel_btn = QPushButton(tr("Corregir clave"))
        self.accept_btn = QPushButton(tr("Aceptar etiqueta"))
        self.rescan_btn.clicked.connect(lambda: self._decide("rescan"))
        self.relabel_btn.clicked.connect(lambda: self._decide("relabel"))
        self.accept_btn.clicked.connect(lambda: self._decide("accept"))
        d.addWidget(QLabel(tr("Motivo")), 0, 0)
        d.addWidget(self.reason, 0, 1, 1, 2)
        d.addWidget(QLabel(tr("Clave")), 1, 0)
        d.addWidget(self.clave, 1, 1)
        d.addWidget(self.relabel_btn, 1, 2)
        d.addWidget(self.rescan_btn, 2, 1)
        d.addWidget(self.accept_btn, 2, 2)
        right.addWidget(self.decide_box)
        self.confirm_box = QGroupBox(tr("Confirmar la clave tecleada"))
        c = QHBoxLayout(self.confirm_box)
        self.confirm_clave = QLineEdit()
        self.confirm_clave.setPlaceholderText(tr("escriba la clave viendo la imagen"))
        self.confirm_btn = QPushButton(tr("Confirmar"))
        self.confirm_btn.clicked.connect(self._confirm)
        c.addWidget(self.confirm_clave, 1)
        c.addWidget(self.confirm_btn)
        right.addWidget(self.confirm_box)
        self.message = error_label()
        right.addWidget(self.message)
        right.addStretch(1)
        lay.addLayout(right, 2)
        super().setVisible(False)

    def setVisible(self, visible: bool) -> None:
        changed = visible != self.isVisible()
        super().setVisible(visible)
        if changed:
            self.shown.emit(visible)

    # ------------------------------------------------------------------ showing
    def show_page(self, page_id: int) -> bool:
        """Show the held or to-confirm page ``page_id``; False (hidden) for any other."""
        row = self.app.station.store.one("SELECT * FROM pages WHERE id = ?", page_id)
        if row is None or row["status"] not in (HELD, TO_CONFIRM):
            self.setVisible(False)
            return False
        self.page_id, self.mode = page_id, row["status"]
        self.message.setText("")
        ident = json.loads(row["identity"] or "{}")
        if self.mode == HELD:
            self.heading.setText(tr("La etiqueta no coincide con lo escrito en el acta: no se "
                                    "captura hasta que un supervisor decida."))
            said = label_parts(ident.get("label"))
        else:
            self.heading.setText(tr("Clave tecleada a mano por") + f" {row['typed_by']}: "
                                 + tr("otra persona la escribe de nuevo viendo la imagen."))
            said = {}
        written = ident.get("written") or {}
        for part, (a, b) in self.cells.items():
            la, wr = said.get(part), written.get(part)
            a.setText("—" if la is None else str(la))
            b.setText("—" if wr is None else str(wr))
            differ = bool(said) and la != wr
            for w in (a, b):
                w.setStyleSheet("color: #b00020; font-weight: bold;" if differ else "")
        self.decide_box.setVisible(self.mode == HELD)
        self.confirm_box.setVisible(self.mode == TO_CONFIRM)
        self._image(row["sha256"])
        self.setVisible(True)
        return True

    def _image(self, sha: str) -> None:
        data = self.app.station.images.get(sha)
        img = QImage.fromData(data)
        if img.isNull():
            self.image.setText(tr("imagen no disponible"))
            return
        self.image.setPixmap(QPixmap.fromImage(img).scaled(
            max(560, self.image.width()), max(380, self.image.height()),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation))

    # ------------------------------------------------------------------ deciding
    def _who(self):  # type: ignore[no-untyped-def]
        try:
            return login(self.app.station.store, self.user.text(), self.password.text())
        except PrepError as exc:
            self.message.setText(message_of(exc, self.app.lang))
            return None

    def _decide(self, decision: str) -> None:
        op = self._who()
        if op is None or self.page_id is None:
            return
        r = Pipeline(self.app.station).decide_identity(self.page_id, decision, op,
                                                       self.reason.text(), self.clave.text())
        self._done(r)

    def _confirm(self) -> None:
        op = self._who()
        if op is None or self.page_id is None:
            return
        r = Pipeline(self.app.station).confirm_key(self.page_id, self.confirm_clave.text(), op.id)
        self._done(r)

    def _done(self, r: PageResult) -> None:
        self.password.clear()
        if r.page_id == self.page_id and r.status == self.mode:  # refused: the page waits
            self.message.setText(r.text(self.app.lang))
            return
        self.decided.emit(r)
        if not (r.status in (HELD, TO_CONFIRM) and r.page_id and self.show_page(r.page_id)):
            self.setVisible(False)
        self.message.setText(r.text(self.app.lang))
