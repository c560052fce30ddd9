"""Acopio: an envelope arrives. The QR reader types like a keyboard and ends with
Enter; or the operator types the clave. Sin acta with its cause."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_station.capture import CaptureDesk
from capture_station.errors import StationError
from capture_station.pipeline import identify_qr
from capture_station.ui.common import error_label, message_of, title
from capture_station.ui.i18n import tr

CAUSES = {
    1: "Paquete no entregado",
    2: "Casilla no instalada",
    3: "Sin sobre",
    4: "Contingencia de urna electrónica",
}


class AcopioView(QWidget):
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        lay = QVBoxLayout(self)
        lay.addWidget(title(tr("Acopio")))
        lay.addWidget(QLabel(tr("Lea el QR de la etiqueta con el lector o escriba la clave del "
                                "acta y pulse Enter.")))
        form = QFormLayout()
        self.entry = QLineEdit()
        self.entry.setPlaceholderText("030001B01006  /  3|1|6|1|1|B|0|5")
        self.entry.returnPressed.connect(self.register)
        form.addRow(tr("QR o clave del acta"), self.entry)
        self.cause = QComboBox()
        for k, v in CAUSES.items():
            self.cause.addItem(f"{k} — {tr(v)}", k)
        form.addRow(tr("Causa (Sin acta)"), self.cause)
        lay.addLayout(form)
        row = QHBoxLayout()
        b1 = QPushButton(tr("Registrar llegada (Enter)"))
        b1.setObjectName("primary")
        b1.clicked.connect(self.register)
        b2 = QPushButton(tr("Registrar Sin acta"))
        b2.clicked.connect(self.sin_acta)
        row.addWidget(b1)
        row.addWidget(b2)
        row.addStretch(1)
        lay.addLayout(row)
        self.message = error_label()
        lay.addWidget(self.message)
        lay.addWidget(QLabel(tr("Registradas en esta sesión")))
        self.recent = QListWidget()
        lay.addWidget(self.recent, 1)

    def _clave(self) -> str:
        text = self.entry.text().strip()
        if "|" in text:
            ident, err = identify_qr(text, self.app.station.catalog)
            if ident is None:
                raise StationError(f"QR inválido: {err}", "invalid QR")
            return ident.clave_acta
        return text.upper()

    def _done(self, text: str, ok: bool) -> None:
        self.message.setObjectName("ok" if ok else "error")
        self.message.setStyleSheet("")
        self.message.setText(text)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        if ok:
            self.recent.insertItem(0, text)
            self.entry.clear()
            self.app.changed()
        self.entry.setFocus()

    def register(self) -> None:
        try:
            clave = self._clave()
            CaptureDesk(self.app.station).acopio(self.app.operator, clave)
            self._done(tr("Acopio registrado") + f": {clave}", True)
        except StationError as exc:
            self._done(message_of(exc, self.app.lang), False)

    def sin_acta(self) -> None:
        try:
            clave = self._clave()
            cause = int(self.cause.currentData())
            CaptureDesk(self.app.station).sin_acta(self.app.operator, clave, cause)
            self._done(tr("Sin acta registrada") + f": {clave} ({cause})", True)
        except StationError as exc:
            self._done(message_of(exc, self.app.lang), False)
