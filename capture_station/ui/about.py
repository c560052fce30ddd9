"""*Acerca de*: the code hash an auditor compares with ``prep integrity``, the
console and the published manifests, with the station's identity."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_station.about import About
from capture_station.ui.common import title
from capture_station.ui.i18n import tr


def short_hash(code_hash: str) -> str:
    return code_hash[:16] + "…"


class AboutDialog(QDialog):
    def __init__(self, info: About, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("about")
        self.setWindowTitle(tr("Acerca de PREP Abierto"))
        lay = QVBoxLayout(self)
        lay.addWidget(title(tr("PREP Abierto · Estación de captura")))
        form = QFormLayout()
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.code_hash = QLineEdit(info.code_hash)
        self.code_hash.setObjectName("code-hash")
        self.code_hash.setReadOnly(True)
        self.code_hash.setFont(mono)
        self.code_hash.setMinimumWidth(self.code_hash.fontMetrics().horizontalAdvance("0" * 68))
        self.code_hash.setAccessibleName(tr("Huella del código (SHA-256)"))
        form.addRow(tr("Huella del código (SHA-256)"), self.code_hash)
        rows = ((tr("Versión"), info.version), (tr("Estación"), info.station),
                (tr("Huella de la llave"), info.key_fingerprint), (tr("Catálogo"), info.catalog))
        for label, value in rows:
            if value:
                shown = QLabel(value)
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                form.addRow(label, shown)
        lay.addLayout(form)
        help_ = QLabel(tr("Compare esta huella con la que imprime «prep integrity» en el equipo "
                          "instalado, con la de la consola de coordinación y con la del "
                          "manifiesto de cada corte publicado: si difieren, el código no es "
                          "el mismo."))
        help_.setWordWrap(True)
        lay.addWidget(help_)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy = QPushButton(tr("Copiar la huella"))
        self.copy.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(info.code_hash))
        buttons.addButton(self.copy, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)
