"""Operators (supervisor only): add people with a role and a password."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from capture_station.errors import StationError
from capture_station.operators import ROLE_NAMES, ROLES, add_operator, list_operators
from capture_station.ui.common import error_label, message_of, title
from capture_station.ui.i18n import tr


class OperatorsView(QWidget):
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        lay = QVBoxLayout(self)
        lay.addWidget(title(tr("Operadores")))
        form = QFormLayout()
        self.user = QLineEdit()
        self.name = QLineEdit()
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(tr(ROLE_NAMES[r]), r)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow(tr("Usuario"), self.user)
        form.addRow(tr("Nombre"), self.name)
        form.addRow(tr("Rol"), self.role)
        form.addRow(tr("Contraseña"), self.password)
        lay.addLayout(form)
        b = QPushButton(tr("Agregar operador"))
        b.clicked.connect(self.add)
        self.password.returnPressed.connect(self.add)
        lay.addWidget(b)
        self.message = error_label()
        lay.addWidget(self.message)
        self.list = QListWidget()
        lay.addWidget(self.list, 1)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for op in list_operators(self.app.station.store):
            self.list.addItem(f"{op.id} — {op.name} — {tr(ROLE_NAMES[op.role])}")

    def add(self) -> None:
        try:
            add_operator(self.app.station.store, self.user.text(), self.name.text(),
                         self.role.currentData(), self.password.text())
        except StationError as exc:
            self.message.setText(message_of(exc, self.app.lang))
            return
        self.message.setText("")
        for w in (self.user, self.name, self.password):
            w.clear()
        self.user.setFocus()
        self.refresh()
