"""Digitalización: scan with SANE, process a watched folder, or import files.
The pipeline runs in a worker thread; a progress bar and a per-page table show
each page's result while the window stays responsive."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from capture_station import actas
from capture_station.pipeline import HELD, NO_QR, TO_CONFIRM, PageResult, Pipeline
from capture_station.sources import FileImport, SaneSource, ScanSettings, WatchedFolder
from capture_station.ui.common import error_label, message_of, title
from capture_station.ui.i18n import tr
from capture_station.ui.identidad import IdentityReview

GOOD = {"guardada", "fuera_catalogo", "imagen_repetida"}


class DigitalizacionView(QWidget):
    def __init__(self, app, folder: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__()
        self.app = app
        self.job = None
        lay = QVBoxLayout(self)
        lay.addWidget(title(tr("Digitalización")))
        self.rescan = QLabel("")
        self.rescan.setObjectName("warning")
        self.rescan.setWordWrap(True)
        lay.addWidget(self.rescan)

        scan = QGroupBox(tr("Escáner (SANE)"))
        g = QGridLayout(scan)
        self.device = QComboBox()
        self.device.setMinimumWidth(260)
        refresh = QPushButton(tr("Buscar escáneres"))
        refresh.clicked.connect(self.find_devices)
        self.find_btn = refresh
        self.resolution = QSpinBox()
        self.resolution.setRange(100, 600)
        self.resolution.setSingleStep(50)
        self.resolution.setValue(200)
        self.resolution.setSuffix(" dpi")
        self.mode = QComboBox()
        self.mode.addItem(tr("Color"), "Color")
        self.mode.addItem(tr("Escala de grises"), "Gray")
        self.adf = QCheckBox(tr("Lote (alimentador automático)"))
        self.adf.setChecked(True)
        self.scan_btn = QPushButton(tr("Escanear"))
        self.scan_btn.setObjectName("primary")
        self.scan_btn.clicked.connect(self.scan)
        g.addWidget(QLabel(tr("Dispositivo")), 0, 0)
        g.addWidget(self.device, 0, 1)
        g.addWidget(refresh, 0, 2)
        g.addWidget(QLabel(tr("Resolución")), 1, 0)
        g.addWidget(self.resolution, 1, 1)
        g.addWidget(self.mode, 1, 2)
        g.addWidget(self.adf, 2, 1)
        g.addWidget(self.scan_btn, 2, 2)
        self.sane_note = QLabel("")
        self.sane_note.setWordWrap(True)
        g.addWidget(self.sane_note, 3, 0, 1, 3)

        fold = QGroupBox(tr("Carpeta vigilada e importación"))
        h = QGridLayout(fold)
        self.folder = QLineEdit(folder)
        browse = QPushButton(tr("Examinar…"))
        browse.clicked.connect(self._browse)
        self.folder_btn = QPushButton(tr("Procesar carpeta"))
        self.folder_btn.clicked.connect(self.process_folder)
        self.watch = QCheckBox(tr("Vigilar automáticamente"))
        self.watch.toggled.connect(self._watch_toggled)
        self.import_btn = QPushButton(tr("Importar archivos…"))
        self.import_btn.clicked.connect(self.import_files)
        h.addWidget(QLabel(tr("Carpeta")), 0, 0)
        h.addWidget(self.folder, 0, 1)
        h.addWidget(browse, 0, 2)
        h.addWidget(self.folder_btn, 1, 1)
        h.addWidget(self.watch, 1, 2)
        h.addWidget(self.import_btn, 2, 1)

        top = QHBoxLayout()
        top.addWidget(scan, 1)
        top.addWidget(fold, 1)
        lay.addLayout(top)
        self.sources = (scan, fold)  # out of the way while a page's identity is reviewed

        prow = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.progress_text = QLabel(tr("Listo"))
        self.cancel_btn = QPushButton(tr("Detener"))
        self.cancel_btn.setEnabled(False)
        self.cancel_btn.clicked.connect(self.cancel)
        prow.addWidget(self.progress, 1)
        prow.addWidget(self.progress_text)
        prow.addWidget(self.cancel_btn)
        lay.addLayout(prow)

        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Página"), tr("Resultado"), tr("Clave del acta"),
                                              tr("Detalle")])
        hh = self.table.horizontalHeader()
        for col in range(3):
            hh.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.itemSelectionChanged.connect(self._selected)
        lay.addWidget(self.table, 1)
        self.review = IdentityReview(app)
        self.review.decided.connect(self._decided)
        self.review.shown.connect(self._reviewing)
        lay.addWidget(self.review, 4)

        fix = QHBoxLayout()
        fix.addWidget(QLabel(tr("Página sin QR: clave del acta")))
        self.manual = QLineEdit()
        self.manual.returnPressed.connect(self.identify)
        fix.addWidget(self.manual)
        b = QPushButton(tr("Asignar clave"))
        b.clicked.connect(self.identify)
        fix.addWidget(b)
        lay.addLayout(fix)
        self.message = error_label()
        lay.addWidget(self.message)
        self.results: list[PageResult] = []
        self.timer = QTimer(self)
        self.timer.setInterval(3000)
        self.timer.timeout.connect(self._tick)
        self.sane = SaneSource()
        # a driver's own options per device (e.g. the file SANE's pnm reader scans)
        self.device_options: dict[str, tuple[tuple[str, object], ...]] = {}

    def refresh(self) -> None:
        """Show the actas sent back for a new scan, by a cotejo here or by a coordinator on
        the server (the pipeline accepts their new image)."""
        claves = actas.sent_back_for_rescan(self.app.station.store)
        self.rescan.setText(tr("Devueltas para volver a digitalizar") + ": " + ", ".join(claves)
                            + ". " + tr("Busque cada una en su paquete y escanéela de nuevo: la "
                                        "estación acepta la imagen nueva y la manda a captura.")
                            if claves else "")
        self.rescan.setVisible(bool(claves))

    # ------------------------------------------------------------------ sources
    def find_devices(self) -> None:
        ok, note = self.sane.available()
        self.sane_note.setText(tr(note) if ok else note)
        if not ok:
            return

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            return self.sane.devices()

        def done(devs):  # type: ignore[no-untyped-def]
            self.device.clear()
            for dev, desc in devs:
                self.device.addItem(f"{dev} — {desc}", dev)
            if devs:
                self.device.setCurrentIndex(0)
            else:
                self.sane_note.setText(tr("No se encontró ningún escáner"))

        self.app.runner.start(work, on_done=done)

    def settings(self) -> ScanSettings:
        return ScanSettings(resolution=self.resolution.value(), mode=self.mode.currentData(),
                            batch=self.adf.isChecked(),
                            options=tuple(self.device_options.get(self.device.currentData(), ())))

    def scan(self) -> None:
        dev = self.device.currentData() or (self.device.itemData(0) if self.device.count() else None)
        if not dev:
            self.message.setText(tr("Elija un escáner (Buscar escáneres)"))
            return
        settings = self.settings()
        self._run(lambda cancel: self.sane.scan(dev, settings, cancel), None, None)

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, tr("Carpeta vigilada"))
        if d:
            self.folder.setText(d)

    def process_folder(self) -> None:
        if not self.folder.text().strip():
            self.message.setText(tr("Indique la carpeta vigilada"))
            return
        wf = WatchedFolder(Path(self.folder.text().strip()))
        try:
            n = len(wf.pending())
        except Exception as exc:
            self.message.setText(message_of(exc, self.app.lang))
            return
        if n:
            self._run(wf.pages, wf, n)

    def import_files(self, paths: list[str] | None = None) -> None:
        if not paths:
            paths, _ = QFileDialog.getOpenFileNames(
                self, tr("Importar imágenes de actas"), "",
                tr("Imágenes") + " (*.jpg *.jpeg *.png *.tif *.tiff *.pdf)")
        if paths:
            fi = FileImport([Path(p) for p in paths])
            self._run(fi.pages, fi, len(paths))

    def _watch_toggled(self, on: bool) -> None:
        (self.timer.start if on else self.timer.stop)()

    def _tick(self) -> None:
        if self.job is None:
            self.process_folder()

    # ------------------------------------------------------------------ pipeline
    def _run(self, pages_fn, source, total) -> None:  # type: ignore[no-untyped-def]
        if self.job is not None:
            return
        station, operator = self.app.station, self.app.operator.id

        def work(progress, cancel):  # type: ignore[no-untyped-def]
            store = station.open_store()
            try:
                pipe = Pipeline(station, store)
                n = 0
                for page in pages_fn(cancel):
                    if cancel.is_set():
                        break
                    r = pipe.process(page, operator)
                    if source is not None:
                        source.done(page, r.status in GOOD)
                    n += 1
                    progress((n, total, r))
                return n
            finally:
                store.close()

        self.progress.setRange(0, total or 0)
        self.progress.setValue(0)
        self.progress_text.setText(tr("Procesando…"))
        self.message.setText("")
        self._set_busy(True)
        self.job = self.app.runner.start(work, self._page_done, self._all_done, self._failed)

    def _set_busy(self, busy: bool) -> None:
        for b in (self.scan_btn, self.folder_btn, self.import_btn):
            b.setEnabled(not busy)
        self.cancel_btn.setEnabled(busy)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def _page_done(self, item) -> None:  # type: ignore[no-untyped-def]
        n, total, r = item
        total = max(total, n) if total else 0  # a PDF or TIFF of several pages counts each
        if total:
            self.progress.setMaximum(total)
            self.progress.setValue(n)
        self.progress_text.setText(tr("Página") + f" {n}" + (f" / {total}" if total else ""))
        self.results.append(r)
        row = self.table.rowCount()
        self.table.insertRow(row)
        es, en = r.text("es"), r.text("en")
        label = es.split(":")[0] if self.app.lang == "es" else en.split(":")[0]
        detail = r.message_es if self.app.lang == "es" else r.message_en
        for col, text in enumerate((r.name, label, r.clave_acta or "—", detail)):
            it = QTableWidgetItem(text)
            if col == 1:
                it.setForeground(Qt.GlobalColor.darkGreen if r.stored else Qt.GlobalColor.darkRed)
            it.setData(Qt.ItemDataRole.UserRole, row)
            self.table.setItem(row, col, it)
        self.table.scrollToBottom()

    def _all_done(self, n) -> None:  # type: ignore[no-untyped-def]
        self.job = None
        self._set_busy(False)
        self.progress_text.setText(tr("Lote terminado") + f": {n}")
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)
            self.progress.setValue(1)
        self.app.changed()
        self.refresh()

    def _failed(self, text: str) -> None:
        self.job = None
        self._set_busy(False)
        self.message.setText(text)
        if self.progress.maximum() == 0:
            self.progress.setRange(0, 1)

    def busy(self) -> bool:
        return self.job is not None

    def _reviewing(self, on: bool) -> None:
        for box in self.sources:
            box.setVisible(not on)

    def _selected(self) -> None:
        row = self.table.currentRow()
        if 0 <= row < len(self.results) and self.results[row].status in (HELD, TO_CONFIRM):
            self.review.show_page(self.results[row].page_id or 0)
        else:
            self.review.setVisible(False)

    def _set_row(self, row: int, r: PageResult) -> None:
        self.results[row] = r
        self.table.item(row, 1).setText(r.text(self.app.lang).split(":")[0])
        self.table.item(row, 2).setText(r.clave_acta or "")
        self.table.item(row, 3).setText(r.message_es if self.app.lang == "es" else r.message_en)
        self.table.item(row, 1).setForeground(Qt.GlobalColor.darkGreen if r.stored
                                              else Qt.GlobalColor.darkRed)

    def _decided(self, r: PageResult) -> None:
        """A supervisor's decision or a second person's confirmation settled a page."""
        row = self.table.currentRow()
        if 0 <= row < len(self.results):
            self._set_row(row, r)
        self.message.setText(r.text(self.app.lang))
        if r.stored:
            self.app.changed()
            self.refresh()

    def identify(self) -> None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.results) or self.results[row].status != NO_QR:
            self.message.setText(tr("Seleccione una página «Sin QR» de la tabla"))
            return
        r = Pipeline(self.app.station).identify(self.results[row].page_id or 0,
                                                self.manual.text(), self.app.operator.id)
        self.message.setText(r.text(self.app.lang))
        if r.status == TO_CONFIRM:  # a second person types it again from the image
            self._set_row(row, r)
            self.manual.clear()
            self.review.show_page(r.page_id or 0)
