"""The station window: first run → unlock → login → work tabs by role, with the
sync state always visible in the status bar."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QStackedWidget, QTabWidget

from capture_station.about import about, code_hash
from capture_station.capture import CAPTURE, VERIFY
from capture_station.errors import StationError
from capture_station.operators import ROLE_NAMES, Operator, add_operator, login
from capture_station.recognizer import warm_up
from capture_station.station import Station, StationConfig, create_station, is_initialized
from capture_station.sync.catalog import download_catalog
from capture_station.sync.client import SyncReport, pending_count, set_enrollment_code
from capture_station.sync.worker import SyncWorker
from capture_station.ui.about import AboutDialog, short_hash
from capture_station.ui.acopio import AcopioView
from capture_station.ui.captura import CapturaView
from capture_station.ui.common import message_of, scale_font
from capture_station.ui.digitalizacion import DigitalizacionView
from capture_station.ui.i18n import set_language, tr
from capture_station.ui.operators_view import OperatorsView
from capture_station.ui.setup import LoginPage, SetupPage, UnlockPage, default_catalog_dir
from capture_station.ui.status import StatusView
from capture_station.ui.tasks import Runner
from prep_core.catalog import Catalog


class _Bridge(QObject):
    report = Signal(object)


class MainWindow(QMainWindow):
    def __init__(self, data_dir: Path, server: str = "", lang: str = "es", folder: str = "",
                 sync_interval: float = 5.0) -> None:
        super().__init__()
        self.data_dir = Path(data_dir)
        self.server_arg = server
        self.lang = set_language(lang)
        self.folder = folder
        self.sync_interval = sync_interval
        self.station: Station | None = None
        self.operator: Operator | None = None
        self.sync: SyncWorker | None = None
        self.last_report: SyncReport | None = None
        self.runner = Runner(self)
        self.reader_ready: bool | None = None  # None while the reader's models warm up
        self.runner.start(lambda _progress, _cancel: warm_up(), on_done=self._reader_warmed,
                          on_failed=self._reader_failed)
        self.bridge = _Bridge()
        self.bridge.report.connect(self._on_report)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.resize(1280, 820)
        self.lbl_sync = QLabel("")
        self.lbl_pending = QLabel("")
        self.lbl_user = QLabel("")
        self.lbl_code = QLabel("")  # the code hash, for an auditor (Ayuda ▸ Acerca de)
        self.lbl_code.setObjectName("code-hash")
        for w in (self.lbl_sync, self.lbl_pending, self.lbl_user, self.lbl_code):
            self.statusBar().addPermanentWidget(w)
        self._menus()
        self.show_start()

    # ------------------------------------------------------------------ menus
    def _menus(self) -> None:
        mb = self.menuBar()
        mb.clear()
        m = mb.addMenu(tr("&Sesión"))
        a = QAction(tr("Cerrar sesión"), self)
        a.setShortcut(QKeySequence("Ctrl+L"))
        a.triggered.connect(self.logout)
        m.addAction(a)
        q = QAction(tr("Salir"), self)
        q.setShortcut(QKeySequence("Ctrl+Q"))
        q.triggered.connect(self.close)
        m.addAction(q)
        v = mb.addMenu(tr("&Ver"))
        for text, seq, d in ((tr("Letra más grande"), "Ctrl++", 1),
                             (tr("Letra más pequeña"), "Ctrl+-", -1)):
            act = QAction(text, self)
            act.setShortcut(QKeySequence(seq))
            act.triggered.connect(lambda _=False, d=d: scale_font(QApplication.instance(), d))
            v.addAction(act)
        lang = mb.addMenu(tr("&Idioma"))
        for text, code in (("Español (México)", "es"), ("English", "en")):
            act = QAction(text, self)
            act.triggered.connect(lambda _=False, c=code: self.switch_language(c))
            lang.addAction(act)
        help_ = mb.addMenu(tr("Ay&uda"))
        a = QAction(tr("Acerca de PREP Abierto…"), self)
        a.setShortcut(QKeySequence("F1"))
        a.triggered.connect(self.show_about)
        help_.addAction(a)
        full = code_hash()
        self.lbl_code.setText(tr("Código") + f" {short_hash(full)}")
        self.lbl_code.setToolTip(tr("Huella del código (SHA-256)") + f": {full}")

    def show_about(self) -> AboutDialog:
        dlg = AboutDialog(about(self.station), self)
        dlg.open()
        return dlg

    def switch_language(self, lang: str) -> None:
        self.lang = set_language(lang)
        if self.station is not None:
            self.station.set_lang(self.lang)
        self._menus()
        self.update_status()
        if self.operator is not None:
            self.show_work()
        else:
            self.show_start()

    def _show(self, w) -> None:  # type: ignore[no-untyped-def]
        old = self.stack.currentWidget()
        self.stack.addWidget(w)
        self.stack.setCurrentWidget(w)
        if old is not None:
            self.stack.removeWidget(old)
            old.deleteLater()

    # ------------------------------------------------------------------ start
    def show_start(self) -> None:
        self.setWindowTitle("PREP Abierto — " + tr("Estación de captura"))
        if self.station is not None:
            self.show_login()
        elif not is_initialized(self.data_dir):
            page = SetupPage(default_catalog_dir(), self.server_arg)
            page.created.connect(lambda d: self._create(page, d))
            self._show(page)
            page.station.setFocus()
        else:
            cfg = StationConfig.load(self.data_dir)
            page = UnlockPage(f"{cfg.station} · {cfg.name}")
            page.unlock.connect(lambda p: self._unlock(page, p))
            self._show(page)
            page.passphrase.setFocus()

    def _create(self, page: SetupPage, d: dict) -> None:  # type: ignore[type-arg]
        try:
            if d["catalog_source"] != "server" and not d["catalog"]:
                raise StationError("indique la carpeta del catálogo", "choose the catalog folder",
                                   where="catálogo")
            if d["catalog_source"] == "server" and not d["server"]:
                raise StationError("indique el servidor del que se descarga el catálogo",
                                   "give the server to download the catalog from",
                                   where="servidor")
            if not d["sup_id"] or not d["sup_pw"]:
                raise StationError("falta el usuario supervisor", "supervisor user missing")
            if len(d["sup_pw"]) < 8:
                raise StationError("la contraseña debe tener al menos 8 caracteres",
                                   "the password must have at least 8 characters",
                                   where="contraseña del supervisor")
        except StationError as exc:
            page.error.setText(message_of(exc, self.lang))
            return
        if d["catalog_source"] != "server":
            self._create_with(page, d, Path(d["catalog"]))
            return

        def download(progress, cancel):  # type: ignore[no-untyped-def]
            try:
                return download_catalog(d["server"], d["expected"])
            except StationError as exc:
                return exc

        page.error.setText("")
        page.busy(True)
        self._setup = (page, d)
        # bound methods of this window: the results come back on the GUI thread
        self.runner.start(download, on_done=self._downloaded, on_failed=self._download_failed)

    def _downloaded(self, catalog: Catalog | StationError) -> None:
        page, d = self._setup
        self._create_with(page, d, catalog)

    def _download_failed(self, text: str) -> None:
        page, _ = self._setup
        page.busy(False)
        page.error.setText(text)

    def _create_with(self, page: SetupPage, d: dict,  # type: ignore[type-arg]
                     catalog: Path | Catalog | StationError) -> None:
        page.busy(False)
        try:
            if isinstance(catalog, StationError):
                raise catalog
            create_station(self.data_dir, d["station"], d["name"], d["role"], catalog,
                           d["passphrase"], d["server"], self.lang, d["expected"])
            self.station = Station(self.data_dir, d["passphrase"])
            add_operator(self.station.store, d["sup_id"], d["sup_name"] or d["sup_id"],
                         "supervisor", d["sup_pw"])
            if d.get("enroll_code"):
                set_enrollment_code(self.station.store, d["enroll_code"])
        except StationError as exc:
            page.error.setText(message_of(exc, self.lang))
            return
        self._opened()

    def _unlock(self, page: UnlockPage, passphrase: str) -> None:
        try:
            self.station = Station(self.data_dir, passphrase)
        except StationError as exc:
            page.error.setText(message_of(exc, self.lang))
            page.passphrase.selectAll()
            return
        self._opened()

    def _opened(self) -> None:
        assert self.station is not None
        if self.server_arg and self.server_arg != self.station.config.server:
            self.station.set_server(self.server_arg)
        self.start_sync()
        self.update_status()
        self.show_login()

    def show_login(self) -> None:
        assert self.station is not None
        page = LoginPage(f"{self.station.id} · {self.station.config.name}")
        page.login.connect(lambda u, p: self._login(page, u, p))
        self._show(page)
        page.user.setFocus()

    def _login(self, page: LoginPage, user: str, password: str) -> None:
        assert self.station is not None
        try:
            self.operator = login(self.station.store, user, password)
        except StationError as exc:
            page.error.setText(message_of(exc, self.lang))
            return
        self.show_work()

    def logout(self) -> None:
        if self.station is None or self.operator is None:
            return
        if self.digit is not None and self.digit.busy():
            self.statusBar().showMessage(tr("Espere a que termine el lote"), 5000)
            return
        self.operator = None
        self.lbl_user.setText("")
        self.show_login()

    # ------------------------------------------------------------------ work
    digit: DigitalizacionView | None = None

    def show_work(self) -> None:
        assert self.station is not None and self.operator is not None
        op = self.operator
        self.tabs = QTabWidget()
        self.digit = None
        self.views: dict[str, QObject] = {}
        if op.can("acopio"):
            self.views["acopio"] = AcopioView(self)
            self.tabs.addTab(self.views["acopio"], tr("&Acopio"))
        if op.can("digitalizacion"):
            self.digit = DigitalizacionView(self, self.folder)
            self.views["digitalizacion"] = self.digit
            self.tabs.addTab(self.digit, tr("&Digitalización"))
        if op.can("captura"):
            self.views["captura"] = CapturaView(self, CAPTURE)
            self.tabs.addTab(self.views["captura"], tr("&Captura"))
        if op.can("verificacion"):
            self.views["verificacion"] = CapturaView(self, VERIFY)
            self.tabs.addTab(self.views["verificacion"], tr("&Verificación"))
        self.views["estado"] = StatusView(self)
        self.tabs.addTab(self.views["estado"], tr("&Estado"))
        if op.can("admin"):
            self.views["operadores"] = OperatorsView(self)
            self.tabs.addTab(self.views["operadores"], tr("&Operadores"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self._show(self.tabs)
        self.lbl_user.setText(f"{op.name} ({tr(ROLE_NAMES[op.role])})")
        self.update_status()
        self._tab_changed(0)

    def _tab_changed(self, i: int) -> None:
        w = self.tabs.widget(i)
        if isinstance(w, CapturaView):
            w.load_next()
        elif isinstance(w, (DigitalizacionView, StatusView)):
            w.refresh()

    def changed(self) -> None:
        """Something was recorded: refresh counts and wake the sync loop."""
        self.update_status()
        if self.sync is not None:
            self.sync.wake()

    # ------------------------------------------------------------------ sync
    def start_sync(self) -> None:
        assert self.station is not None
        url = self.station.config.server
        if not url or self.sync is not None:
            return
        self.sync = SyncWorker(self.station, url, self.bridge.report.emit,
                               interval=self.sync_interval)
        self.sync.start()

    def sync_now(self) -> None:
        if self.sync is None:
            self.start_sync()
        if self.sync is not None:
            self.sync.wake()
        else:
            self.statusBar().showMessage(tr("No hay servidor configurado; use la exportación USB"),
                                         8000)

    def _on_report(self, rep: SyncReport) -> None:
        if self.station is None:  # a report queued before the station was closed
            return
        self.last_report = rep
        self.update_status()
        if (self.station is None or self.operator is None
                or self.stack.currentWidget() is not getattr(self, "tabs", None)):
            return
        current = self.tabs.currentWidget()
        if isinstance(current, StatusView) or (isinstance(current, DigitalizacionView)
                                               and rep.decisions):
            current.refresh()  # a rescan ordered on the server is listed without a click
        elif (isinstance(current, CapturaView) and current.task is None
              and (self.station.config.role == "CCV" or rep.decisions)):
            current.load_next()  # actas pulled or sent back by the server appear by themselves

    def update_status(self) -> None:
        if self.station is None:
            return
        rep = self.last_report
        names = {"online": tr("En línea"), "offline": tr("Sin conexión"),
                 "pending": tr("En espera de aprobación"), "error": tr("Error de sincronización")}
        self.lbl_sync.setText("● " + (names.get(rep.state, rep.state) if rep else
                                      (tr("Sin servidor") if not self.station.config.server
                                       else tr("Conectando…"))))
        color = {"online": "#075e1f", "pending": "#8a5a00"}.get(rep.state if rep else "", "#a00000")
        self.lbl_sync.setStyleSheet(f"color:{color};font-weight:bold")
        self.lbl_pending.setText(tr("Por enviar") + f": {pending_count(self.station.store)}")

    def _reader_warmed(self, ready: bool) -> None:
        self.reader_ready = bool(ready)

    def _reader_failed(self, _text: str) -> None:
        self.reader_ready = False  # each page then tries the reader itself, and says why

    def closeEvent(self, ev) -> None:  # type: ignore[no-untyped-def]
        self.shutdown()
        super().closeEvent(ev)

    def shutdown(self) -> None:
        self.runner.stop_all()
        if self.sync is not None:
            self.sync.stop()
            self.sync = None
        if self.station is not None:
            self.station.close()
            self.station = None
