"""Status: actas per state, pages, throughput, pending sync, last receipt, errors;
sync now, USB export of pending batches and import of receipts; cotejo."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QGroupBox,
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
from capture_station.pipeline import STATUS_TEXT
from capture_station.status import (
    export_enrollment_file,
    export_pending_file,
    import_approval_file,
    import_receipts_from,
    station_status,
)
from capture_station.sync.client import SyncError, set_enrollment_code
from capture_station.ui.common import error_label, mark, message_of, say, title
from capture_station.ui.i18n import tr
from prep_core.derive import Status

STATUS_NAMES = {
    Status.ACOPIADA: "Acopiada",
    Status.SIN_ACTA: "Sin acta",
    Status.DIGITALIZADA: "Digitalizada",
    Status.CAPTURADA: "Capturada una vez",
    Status.DISCREPANCIA: "Discrepancia",
    Status.VERIFICADA: "Verificada",
    Status.CONFLICTO: "Conflicto",
}


class StatusView(QWidget):
    def __init__(self, app) -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        lay = QVBoxLayout(self)
        lay.addWidget(title(tr("Estado de la estación")))
        top = QHBoxLayout()
        box = QGroupBox(tr("Actas por estado"))
        self.grid = QGridLayout(box)
        self.counts: dict[Status, QLabel] = {}
        for i, (s, name) in enumerate(STATUS_NAMES.items()):
            self.grid.addWidget(QLabel(tr(name)), i, 0)
            lbl = QLabel("0")
            lbl.setObjectName(f"count_{s.value}")
            self.counts[s] = lbl
            self.grid.addWidget(lbl, i, 1)
        top.addWidget(box)
        sync = QGroupBox(tr("Sincronización"))
        g = QGridLayout(sync)
        self.sync_state = QLabel("—")
        self.enrollment = QLabel("—")
        self.enrollment.setObjectName("enrollment")
        self.pending = QLabel("0")
        self.receipt = QLabel("—")
        self.receipt.setWordWrap(True)
        self.pages = QLabel("—")
        self.rate = QLabel("—")
        for i, (label, w) in enumerate(((tr("Conexión"), self.sync_state),
                                        (tr("Alta"), self.enrollment),
                                        (tr("Eventos por enviar"), self.pending),
                                        (tr("Último recibo"), self.receipt),
                                        (tr("Páginas"), self.pages),
                                        (tr("Ritmo (última hora)"), self.rate))):
            g.addWidget(QLabel(label), i, 0)
            g.addWidget(w, i, 1)
        row = QHBoxLayout()
        b = QPushButton(tr("Sincronizar ahora"))
        b.clicked.connect(self.app.sync_now)
        e = QPushButton(tr("Exportar pendientes a USB…"))
        e.clicked.connect(self.export_usb)
        r = QPushButton(tr("Importar recibos…"))
        r.clicked.connect(self.import_usb)
        a = QPushButton(tr("Solicitud de alta a USB…"))
        a.clicked.connect(self.export_enrollment)
        p = QPushButton(tr("Importar aprobación…"))
        p.clicked.connect(self.import_approval)
        row.addWidget(b)
        row.addWidget(e)
        row.addWidget(r)
        row.addWidget(a)
        row.addWidget(p)
        code_row = QHBoxLayout()
        self.enroll_code = QLineEdit()
        self.enroll_code.setObjectName("enroll_code")
        self.enroll_code.setPlaceholderText(tr("XXXX-XXXX-XXXX-XXXX (lo da la coordinación)"))
        self.use_code = QPushButton(tr("Usar el código"))
        self.use_code.clicked.connect(self.set_code)
        self.enroll_code.returnPressed.connect(self.set_code)
        code_row.addWidget(self.enroll_code, 1)
        code_row.addWidget(self.use_code)
        g.addWidget(QLabel(tr("Código de inscripción")), 6, 0)
        g.addLayout(code_row, 6, 1)
        g.addLayout(row, 7, 0, 1, 2)
        top.addWidget(sync, 1)
        lay.addLayout(top)
        cot = QGroupBox(tr("Cotejo (supervisión)"))
        h = QHBoxLayout(cot)
        self.cotejo_clave = QLineEdit()
        self.cotejo_clave.setPlaceholderText(tr("clave del acta verificada"))
        h.addWidget(self.cotejo_clave, 1)
        self.cotejo_reason = QLineEdit()
        self.cotejo_reason.setPlaceholderText(tr("motivo (obligatorio para devolver)"))
        h.addWidget(self.cotejo_reason, 1)
        for text, result in ((tr("Aceptar"), "accept"), (tr("Devolver a captura"), "recapture"),
                             (tr("Devolver a digitalización"), "rescan")):
            btn = QPushButton(text)
            btn.clicked.connect(lambda _=False, r=result: self.cotejo(r))
            btn.setEnabled(self.app.operator.can("cotejo"))
            h.addWidget(btn)
        lay.addWidget(cot)
        lay.addWidget(QLabel(tr("Páginas con problemas (más recientes primero)")))
        self.errors = QListWidget()
        lay.addWidget(self.errors, 1)
        self.message = error_label()
        lay.addWidget(self.message)

    def refresh(self) -> None:
        st = station_status(self.app.station.store)
        for s, lbl in self.counts.items():
            lbl.setText(str(st.actas.get(s, 0)))
        self.pending.setText(str(st.pending_events))
        idx = 0 if self.app.lang == "es" else 1
        self.pages.setText(", ".join(f"{STATUS_TEXT.get(k, (k, k))[idx].split(':')[0]}: {v}"
                                     for k, v in sorted(st.pages.items())) or "0")
        self.rate.setText(tr("páginas") + f": {st.pages_last_hour} · " + tr("capturas")
                          + f": {st.captures_last_hour}")
        self.errors.clear()
        for r in st.problems:
            msg = r.message_en if self.app.lang == "en" and r.message_en else r.message
            label = STATUS_TEXT.get(r.status, (r.status,) * 2)[idx].split(":")[0]
            self.errors.addItem(f"{r.name} — {label}: {msg}")
        rep = self.app.last_report
        if rep is not None:
            names = {"online": tr("En línea"), "offline": tr("Sin conexión"),
                     "pending": tr("En espera de aprobación"), "error": tr("Error")}
            msg = rep.message_es if self.app.lang == "es" else rep.message_en
            self.sync_state.setText(names.get(rep.state, rep.state) + (f" — {msg}" if msg else ""))
        ap = st.approval
        if ap is not None:
            self.enrollment.setText(tr("Aprobada por archivo") + f" ({ap['decided_by']}, "
                                    + time.strftime("%d/%m %H:%M", time.localtime(ap["decided_at"] / 1000))
                                    + ")")
        elif rep is not None and rep.state == "online":
            self.enrollment.setText(tr("Aprobada"))
        elif rep is not None and rep.state == "pending":
            self.enrollment.setText(tr("En espera de aprobación"))
        elif st.code_refused:
            self.enrollment.setText(tr("Código de inscripción rechazado: escriba uno nuevo"))
        lr = st.last_receipt
        if lr:
            self.receipt.setText(f"#{lr['head']['seq']} · {lr['batch'][:12]}… · "
                                 f"{time.strftime('%H:%M:%S', time.localtime(lr['received_at'] / 1000))}")

    def set_code(self) -> None:
        """A new one-time enrollment code from the coordinators; sync at once."""
        code = self.enroll_code.text().strip()
        if not code:
            return
        set_enrollment_code(self.app.station.store, code)
        self.enroll_code.clear()
        mark(self.message, True)
        self.message.setText(tr("Código de inscripción guardado; se envía al sincronizar"))
        self.app.sync_now()

    def export_usb(self, path: str | None = None) -> None:
        path = path or QFileDialog.getSaveFileName(self, tr("Exportar lote"), "lote-prep.json",
                                                   "JSON (*.json)")[0]
        if not path:
            return
        n = export_pending_file(self.app.station, Path(path))
        mark(self.message, True)
        self.message.setText(tr("Exportados") + f": {n} → {path}")

    def export_enrollment(self, path: str | None = None) -> None:
        path = path or QFileDialog.getSaveFileName(self, tr("Solicitud de alta"),
                                                   f"alta-{self.app.station.id}.json",
                                                   "JSON (*.json)")[0]
        if not path:
            return
        export_enrollment_file(self.app.station, Path(path))
        mark(self.message, True)
        self.message.setText(tr("Solicitud de alta guardada; impórtela en la consola") + f": {path}")

    def import_approval(self, path: str | None = None) -> None:
        path = path or QFileDialog.getOpenFileName(self, tr("Importar aprobación"), "",
                                                   "JSON (*.json)")[0]
        if not path:
            return
        try:
            body = import_approval_file(self.app.station, Path(path))
            mark(self.message, True)
            self.message.setText(tr("Aprobación importada; la estación está dada de alta")
                                 + f" ({body['decided_by']})")
        except StationError as exc:
            say(self.message, message_of(exc, self.app.lang), False)
        except (ValueError, OSError):
            say(self.message, tr("El archivo no es JSON legible"), False)
        self.refresh()

    def import_usb(self, path: str | None = None) -> None:
        path = path or QFileDialog.getOpenFileName(self, tr("Importar recibos"), "",
                                                   "JSON (*.json)")[0]
        if not path:
            return
        try:
            n, new = import_receipts_from(self.app.station, Path(path))
            mark(self.message, True)
            self.message.setText(tr("Recibos importados") + f": {n} · "
                                 + tr("decisiones nuevas del servidor") + f": {new}")
        except (SyncError, ValueError, OSError) as exc:
            say(self.message, message_of(exc, self.app.lang), False)
        self.refresh()

    def cotejo(self, result: str) -> None:
        try:
            CaptureDesk(self.app.station).cotejo(self.app.operator,
                                                 self.cotejo_clave.text().strip().upper(), result,
                                                 self.cotejo_reason.text())
            self.cotejo_reason.clear()
            after = {"accept": tr("aceptada"), "recapture": tr("vuelve a la fila de captura"),
                     "rescan": tr("vuelve a digitalización")}[result]
            mark(self.message, True)
            self.message.setText(tr("Cotejo registrado") + f": {after}")
            self.app.changed()
        except StationError as exc:
            say(self.message, message_of(exc, self.app.lang), False)
