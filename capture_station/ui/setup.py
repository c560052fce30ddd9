"""First run (station identity, catalog, server and its one-time enrollment
code, key passphrase, first supervisor), unlocking the station key, and
operator login."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_station.ui.common import error_label, message_of, title
from capture_station.ui.i18n import tr


def _column(page: QWidget, width: int = 760) -> QVBoxLayout:
    """A centred column of readable width; returns its layout."""
    box = QWidget()
    box.setMaximumWidth(width)
    outer = QHBoxLayout(page)
    outer.addStretch(1)
    outer.addWidget(box, 10)
    outer.addStretch(1)
    return QVBoxLayout(box)


class SetupPage(QWidget):
    """Everything a new station needs, on one keyboard-friendly form."""

    created = Signal(dict)

    def __init__(self, default_catalog: str = "", default_server: str = "") -> None:
        super().__init__()
        lay = _column(self)
        lay.addWidget(title(tr("Configuración inicial de la estación")))
        form = QFormLayout()
        self.station = QLineEdit()
        self.station.setPlaceholderText("CATD01")
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItem(tr("CATD (acopio y digitalización)"), "CATD")
        self.role.addItem(tr("CCV (captura y verificación)"), "CCV")
        self.catalog_source = QComboBox()
        self.catalog_source.addItem(tr("Archivo o carpeta"), "file")
        self.catalog_source.addItem(tr("Memoria USB"), "usb")
        self.catalog_source.addItem(tr("Servidor"), "server")
        self.catalog = QLineEdit(default_catalog)
        self.catalog.setPlaceholderText(tr("carpeta del catálogo (catalog.json + casillas.csv)"))
        self.browse = QPushButton(tr("Examinar…"))
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.catalog_source)
        row.addWidget(self.catalog, 1)
        row.addWidget(self.browse)
        self.expected = QLineEdit()
        self.expected.setPlaceholderText(tr("huella publicada del catálogo (opcional)"))
        self.catalog_source.currentIndexChanged.connect(self._source_changed)
        self.server = QLineEdit(default_server)
        self.server.setPlaceholderText("http://127.0.0.1:8000")
        self.enroll_code = QLineEdit()
        self.enroll_code.setObjectName("enroll_code")
        self.enroll_code.setPlaceholderText(tr("XXXX-XXXX-XXXX-XXXX (lo da la coordinación)"))
        self.pass1 = QLineEdit()
        self.pass1.setEchoMode(QLineEdit.EchoMode.Password)
        self.pass2 = QLineEdit()
        self.pass2.setEchoMode(QLineEdit.EchoMode.Password)
        self.sup_id = QLineEdit()
        self.sup_id.setPlaceholderText("supervisor")
        self.sup_name = QLineEdit()
        self.sup_pw = QLineEdit()
        self.sup_pw.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Identificador de la estación"), self.station)
        form.addRow(tr("Nombre"), self.name)
        form.addRow(tr("Tipo de centro"), self.role)
        form.addRow(tr("Catálogo"), row)
        form.addRow(tr("Huella esperada"), self.expected)
        form.addRow(tr("Servidor (opcional)"), self.server)
        form.addRow(tr("Código de inscripción"), self.enroll_code)
        form.addRow(tr("Frase de acceso de la llave"), self.pass1)
        form.addRow(tr("Repita la frase de acceso"), self.pass2)
        form.addRow(tr("Usuario supervisor"), self.sup_id)
        form.addRow(tr("Nombre del supervisor"), self.sup_name)
        form.addRow(tr("Contraseña del supervisor"), self.sup_pw)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        self.ok = QPushButton(tr("Crear estación"))
        self.ok.setDefault(True)
        self.ok.setObjectName("primary")
        self.ok.clicked.connect(self._submit)
        lay.addWidget(self.ok)
        lay.addStretch(1)
        for w in (self.station, self.name, self.catalog, self.expected, self.server,
                  self.enroll_code, self.pass1, self.pass2,
                  self.sup_id, self.sup_name, self.sup_pw):
            w.returnPressed.connect(self.focusNextChild)
        self.sup_pw.returnPressed.connect(self._submit)

    def _source_changed(self) -> None:
        server = self.catalog_source.currentData() == "server"
        self.catalog.setEnabled(not server)
        self.browse.setEnabled(not server)
        if server:
            self.catalog.clear()
            self.catalog.setPlaceholderText(tr("se descarga del servidor indicado abajo"))
        else:
            self.catalog.setPlaceholderText(tr("carpeta del catálogo (catalog.json + "
                                               "casillas.csv)"))

    def _browse(self) -> None:
        start = removable_media() if self.catalog_source.currentData() == "usb" else ""
        d = QFileDialog.getExistingDirectory(self, tr("Carpeta del catálogo"), start)
        if d:
            self.catalog.setText(d)

    def busy(self, on: bool) -> None:
        self.ok.setEnabled(not on)
        self.ok.setText(tr("Descargando el catálogo…") if on else tr("Crear estación"))

    def _submit(self) -> None:
        if self.pass1.text() != self.pass2.text():
            self.error.setText(tr("las frases de acceso no coinciden"))
            return
        self.created.emit({
            "station": self.station.text().strip(), "name": self.name.text().strip(),
            "role": self.role.currentData(), "catalog": self.catalog.text().strip(),
            "catalog_source": self.catalog_source.currentData(),
            "expected": self.expected.text().strip(),
            "server": self.server.text().strip(), "passphrase": self.pass1.text(),
            "enroll_code": self.enroll_code.text().strip(),
            "sup_id": self.sup_id.text().strip(), "sup_name": self.sup_name.text().strip(),
            "sup_pw": self.sup_pw.text()})


class UnlockPage(QWidget):
    unlock = Signal(str)

    def __init__(self, station_name: str) -> None:
        super().__init__()
        lay = _column(self)
        lay.addWidget(title(tr("Abrir la estación") + f" — {station_name}"))
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Frase de acceso de la llave"), self.passphrase)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        b = QPushButton(tr("Abrir"))
        b.setDefault(True)
        b.clicked.connect(lambda: self.unlock.emit(self.passphrase.text()))
        self.passphrase.returnPressed.connect(lambda: self.unlock.emit(self.passphrase.text()))
        lay.addWidget(b)
        lay.addStretch(1)


class LoginPage(QWidget):
    login = Signal(str, str)

    def __init__(self, station_name: str) -> None:
        super().__init__()
        lay = _column(self)
        lay.addWidget(title(tr("Inicio de sesión") + f" — {station_name}"))
        form = QFormLayout()
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Usuario"), self.user)
        form.addRow(tr("Contraseña"), self.password)
        lay.addLayout(form)
        self.error = error_label()
        lay.addWidget(self.error)
        b = QPushButton(tr("Entrar"))
        b.setDefault(True)
        b.clicked.connect(self._go)
        self.user.returnPressed.connect(self.password.setFocus)
        self.password.returnPressed.connect(self._go)
        lay.addWidget(b)
        lay.addStretch(1)

    def _go(self) -> None:
        self.login.emit(self.user.text(), self.password.text())
        self.password.clear()


def removable_media() -> str:
    """Where USB drives are mounted (Linux, macOS), for the folder dialog to start in."""
    user = os.environ.get("USER", "")
    for p in (Path("/media") / user, Path("/run/media") / user, Path("/media"), Path("/Volumes")):
        if p.is_dir():
            return str(p)
    return str(Path.home())


def default_catalog_dir() -> str:
    p = Path(__file__).resolve().parents[2] / "resources" / "catalogs" / "bcs-2024"
    return str(p) if p.exists() else ""


__all__ = ["LoginPage", "SetupPage", "UnlockPage", "default_catalog_dir", "message_of"]
