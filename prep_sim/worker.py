"""One capture station as its own OS process, running the station's pipeline
headless (the code its window uses below the UI), operated by simulated people.

    python -m prep_sim.worker CONFIG.json

The orchestrator talks to it only through files in its control folder:
``acopio.jsonl`` (actas that arrive without a scan: Sin acta), ``offline`` (the
link is down while it exists), ``usb_export`` (write pending events to ``usb/``),
``usb_in/*.json`` (receipts brought back from the console), ``stop``. The worker
writes ``status.json`` and appends what happened to ``metrics.jsonl``.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture_station import actas
from capture_station.capture import CAPTURE, VERIFY, CaptureDesk, Task
from capture_station.errors import StationError
from capture_station.operators import Operator, add_operator, login
from capture_station.pipeline import HELD, NO_QR, TO_CONFIRM, PageResult, Pipeline
from capture_station.recognizer import Recognition, read_page
from capture_station.sources.folder import WatchedFolder
from capture_station.station import Station, create_station, is_initialized
from capture_station.storage.outbox import Outbox, now_ms
from capture_station.sync.client import (
    SyncClient,
    SyncError,
    export_pending,
    import_receipts,
    pending_count,
    set_enrollment_code,
)
from capture_station.sync.decisions import fetch_after_sync
from capture_station.sync.work import pull_after_sync
from prep_core.catalog import Catalog
from prep_core.derive import Status
from prep_core.events import Kind
from prep_sim import labels as L
from prep_sim.truth import ILEGIBLE, NO_APLICA, SIN_DATO, Truth, TruthActa

PASSWORD = "simulacro-2024"
PEOPLE = (("supervisor", "supervisor"), ("digitaliza", "digitalizacion"),
          ("captura1", "captura"), ("captura2", "captura"), ("verifica", "verificacion"))


@dataclass
class Config:
    id: str
    role: str
    folder: str  # holds data/, inbox/, control/
    server: str
    catalog: str
    truth: str
    code: str
    passphrase: str = "simulacro estacion 2024"
    seed: int = 1
    mistype: float = 0.03  # a capture with one figure mistyped
    skip: float = 0.15  # a capturist leaves an acta for later
    recapture: float = 0.02  # a supervisor sends a verified acta back for recapture
    clock_offset_ms: int = 0
    usb: bool = False
    sync_every_s: float = 1.0
    tick_s: float = 0.2
    captures_per_tick: int = 4
    pages_per_tick: int = 3
    light_dir: str = ""  # the sheets printed again for a rescan on the light backing
    labels: str = ""  # the label_swap fault's plan (prep_sim.labels)
    images: str = ""  # sha256 of each sheet delivered → the acta it is
    identity_check: bool = True  # a test hook: False reads no section 1

    @classmethod
    def load(cls, path: Path) -> Config:
        return cls(**json.loads(path.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(self.__dict__, indent=1), encoding="utf-8")


def entry(v: int | str) -> str:
    # a cell that does not apply is blank on the paper: typed as Sin dato (the
    # publication writes N/A from the catalog)
    return "I" if v == ILEGIBLE else "S" if v in (SIN_DATO, NO_APLICA) else str(v)


def read_blind(data: bytes, catalog: Catalog) -> Recognition:
    """The station's reader without section 1 (``Config.identity_check`` False): a test
    hook that lets a wrong label through, for the test that the drill then fails."""
    rec = read_page(data, catalog)
    rec.identity = rec.written = None
    return rec


def mistyped(rng: random.Random, v: int | str) -> int | str:
    if not isinstance(v, int):
        return rng.randint(0, 9)
    s = str(v)
    i = rng.randrange(len(s))
    d = str((int(s[i]) + rng.randint(1, 9)) % 10)
    return int(s[:i] + d + s[i + 1:])


USB_FILE_BYTES = 20 * 1024 * 1024  # the console takes bodies up to 32 MiB


def _split(doc: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    """A ``prep-batch-file/1`` cut into files of whole batches, each under ``limit``."""
    out: list[dict[str, Any]] = []
    size = limit + 1
    for b in doc["batches"]:
        n = len(json.dumps(b))
        if size + n > limit:
            out.append({**doc, "batches": []})
            size = 0
        out[-1]["batches"].append(b)
        size += n
    return out or [{**doc, "batches": []}]


class Worker:
    def __init__(self, cfg: Config) -> None:
        self.cfg = cfg
        root = Path(cfg.folder)
        self.data, self.inbox, self.ctl = root / "data", root / "inbox", root / "control"
        for d in (self.inbox, self.ctl, self.ctl / "usb", self.ctl / "usb_in"):
            d.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(f"{cfg.seed}:{cfg.id}:{time.time_ns()}")
        self.paper = Truth.load(Path(cfg.truth)).by_clave()
        self.mistakes = L.load(cfg.labels)
        self.images: dict[str, str] = {}
        self._index_size = -1
        self.typed: set[int] = set()  # pages without a label whose key was typed once
        self.tries: dict[int, int] = {}  # identity steps per page (a page that never settles
        # is left for the report rather than tried on every round)
        self.metrics = open(self.ctl / "metrics.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        self._open()
        self.last_sync = self.last_cotejo = 0.0
        self.acopio_done = 0
        self.counts: dict[str, int] = {}
        self.sync_state = "starting"
        self.sync_error = ""

    # ---------------------------------------------------------------- set-up
    def _open(self) -> None:
        cfg = self.cfg
        fresh = not is_initialized(self.data)
        if fresh:
            create_station(self.data, cfg.id, f"{cfg.role} {cfg.id} (simulacro)", cfg.role,
                           Path(cfg.catalog), cfg.passphrase, cfg.server)
        self.st = Station(self.data, cfg.passphrase)
        if cfg.clock_offset_ms:
            self.st.outbox = Outbox(self.st.id, self.st.key, self.st.catalog.fingerprint,
                                    clock=lambda: now_ms() + cfg.clock_offset_ms)
        if fresh:
            for uid, role in PEOPLE:
                add_operator(self.st.store, uid, uid, role, PASSWORD)
            set_enrollment_code(self.st.store, cfg.code)
        self.ops = {uid: login(self.st.store, uid, PASSWORD) for uid, _ in PEOPLE}
        self.pipe = Pipeline(self.st, recognizer=read_page if cfg.identity_check else read_blind)
        self.desk = CaptureDesk(self.st)
        self.folder = WatchedFolder(self.inbox, settle_s=0.2)
        self.client = SyncClient(self.st, self.st.store, cfg.server)

    def log(self, what: str, **kw: Any) -> None:
        self.metrics.write(json.dumps({"t": now_ms(), "station": self.cfg.id, "what": what, **kw},
                                      ensure_ascii=False) + "\n")
        self.metrics.flush()
        self.counts[what] = self.counts.get(what, 0) + 1

    # ---------------------------------------------------------------- acopio, scans
    def acopio(self) -> int:
        path = self.ctl / "acopio.jsonl"
        if not path.exists():
            return 0
        lines = path.read_text(encoding="utf-8").splitlines()
        n = 0
        for line in lines[self.acopio_done:]:
            if not line.endswith("}"):
                break  # still being written
            doc = json.loads(line)
            self.acopio_done += 1
            clave = doc["clave"]
            if any(e.kind is Kind.SIN_ACTA for e in actas.events_of(self.st.store, clave)):
                continue  # done before a restart
            with contextlib.suppress(StationError):  # registered before a restart
                self.desk.acopio(self.ops["supervisor"], clave)
            self.desk.sin_acta(self.ops["supervisor"], clave, int(doc["cause"]))
            self.log("sin_acta", clave=clave, cause=doc["cause"])
            n += 1
        return n

    def scan(self) -> int:
        """A few sheets per round, so that capture and sync go on while the scanner
        works through a pile (at the station they are different people)."""
        n = 0
        for page in self.folder.pages():
            if n >= self.cfg.pages_per_tick:
                break
            r = self.pipe.process(page, "digitaliza")
            self.folder.done(page, r.stored)
            self._page(r, page.name)
            if r.status in (HELD, NO_QR):
                acta = self.paper_of(r.sha256)
                self.log("identidad", clave=acta.clave_acta if acta else None, key=r.clave_acta,
                         step="scan", status=r.status, page=r.page_id)
            if not r.stored and r.status == "rechazada":
                self._rescan(page.name)
            n += 1
        return n

    def _page(self, r: PageResult, name: str) -> None:
        info: dict[str, Any] = {"file": name, "status": r.status, "clave": r.clave_acta,
                                "ms": round(r.ms, 1), "ocr": r.ocr}
        if r.ocr and r.clave_acta:
            info.update(self._ocr_accuracy(r.clave_acta))
        self.log("page", **info)

    def paper_of(self, sha: str | None, clave: str | None = None) -> TruthActa | None:
        """The acta an image is (the sheet's paper, whatever key it is stored under);
        ``clave``'s paper for an image the drill did not deliver (a phone's photo)."""
        index = Path(self.cfg.images)
        if sha and sha not in self.images and self.cfg.images and index.exists() \
                and index.stat().st_size != self._index_size:  # read again once it grew
            data = index.read_bytes()
            whole = data[: data.rfind(b"\n") + 1]  # a line still being written waits
            for line in whole.splitlines():
                doc = json.loads(line)
                self.images[doc["sha256"]] = doc["clave"]
            self._index_size = len(whole)
        key = self.images.get(sha or "", clave)
        return self.paper.get(key) if key else None

    def identities(self) -> int:
        """The pages stopped for their identity. No label: one person types the key
        (with the planned slip, the first time) and a second types it again from the
        image (or repeats the slip, when the plan says both read it off the wrong
        register). Held because the label and section 1 disagree: the supervisor looks
        at the image and relabels it to the casilla written in it, or accepts the label
        when the acta is the label's (a false alarm)."""
        if self.cfg.role != "CATD":
            return 0
        n = 0
        for row in self.st.store.q("SELECT id, sha256, status, clave_acta, typed_clave, name "
                                   "FROM pages WHERE status IN (?, ?, ?) ORDER BY id",
                                   NO_QR, TO_CONFIRM, HELD):
            acta = self.paper_of(row["sha256"])
            pid = int(row["id"])
            if acta is None or self.tries.get(pid, 0) >= 6:
                continue
            self.tries[pid] = self.tries.get(pid, 0) + 1
            true = acta.clave_acta
            m = self.mistakes.get(true)
            slip = m is not None and m.kind == L.SLIP
            if row["status"] == NO_QR:
                key = m.wrong if slip and pid not in self.typed else true  # type: ignore[union-attr]
                self.typed.add(pid)
                step, r = "typed", self.pipe.identify(pid, key, "digitaliza")
            elif row["status"] == TO_CONFIRM:
                same = slip and m.confirm == L.SAME and row["typed_clave"] == m.wrong  # type: ignore[union-attr]
                key = row["typed_clave"] if same else true
                step, r = "confirm", self.pipe.confirm_key(pid, key, "verifica")
            elif row["clave_acta"] == true:
                key, step = true, "accept"
                r = self.pipe.decide_identity(pid, "accept", self.ops["supervisor"],
                                              "la sección 1 dice la casilla de la etiqueta")
            else:
                key, step = true, "relabel"
                r = self.pipe.decide_identity(pid, "relabel", self.ops["supervisor"],
                                              "la sección 1 del acta dice otra casilla: etiqueta "
                                              "equivocada", true)
            self.log("identidad", clave=true, key=key, step=step, status=r.status, page=pid)
            if r.stored:
                self._page(r, str(row["name"]))
            n += 1
        return n

    def _rescan(self, name: str) -> None:
        """The scanner operator feeds a rejected sheet again, on the light backing."""
        light = Path(self.cfg.light_dir) / name
        if self.cfg.light_dir and light.exists():
            shutil.copy(light, self.inbox / f".{name}")
            (self.inbox / f".{name}").rename(self.inbox / f"r-{name}")
            self.log("rescan", file=name)

    def _ocr_accuracy(self, clave: str) -> dict[str, Any]:
        ocr = [e for e in actas.events_of(self.st.store, clave)
               if e.kind is Kind.CAPTURA and str(e.payload.get("source", "")).startswith("ocr:")]
        truth = self.paper_of(ocr[-1].payload.get("image"), clave) if ocr else None
        if truth is None or truth.values is None or not ocr:
            return {}
        vals = ocr[-1].payload["values"]
        wrong = [k for k, v in truth.on_paper().items() if vals.get(k) != v]
        return {"ocr_fields": len(truth.values), "ocr_wrong": len(wrong)}

    # ---------------------------------------------------------------- people
    def capture(self) -> int:
        n = 0
        for uid in ("captura1", "captura2"):
            for task in self.desk.queue(self.ops[uid], CAPTURE)[: self.cfg.captures_per_tick]:
                if self.rng.random() < self.cfg.skip:
                    self.log("skip", op=uid, clave=task.clave_acta)
                    continue
                n += self._type(self.ops[uid], task, self.cfg.mistype)
        for task in self.desk.queue(self.ops["verifica"], VERIFY)[: self.cfg.captures_per_tick]:
            n += self._type(self.ops["verifica"], task, 0.0)
        return n

    def _type(self, op: Operator, task: Task, p_mistype: float) -> int:
        truth = self.paper_of(task.image, task.clave_acta)  # what the sheet on screen says
        if truth is None or truth.values is None:
            return 0
        values = {f: truth.values[f] for f in task.fields}
        wrong = ""
        if self.rng.random() < p_mistype:
            wrong = self.rng.choice(task.fields)
            values[wrong] = mistyped(self.rng, values[wrong])
        try:
            self.desk.submit(op, task, {f: entry(v) for f, v in values.items()})
        except StationError:
            return 0  # taken by someone else meanwhile
        self.log("capture", op=op.id, clave=task.clave_acta, mode=task.mode,
                 pulled=task.ticket is not None, mistyped=wrong)
        return 1

    def cotejo(self) -> int:
        """The supervisor compares each verified acta with its paper: accepts, or sends
        it back for recapture when it differs (and now and then to check the people)."""
        if self.cfg.role != "CATD" or time.monotonic() - self.last_cotejo < 2.0:
            return 0
        self.last_cotejo = time.monotonic()
        n = 0
        sup = self.ops["supervisor"]
        for st in actas.all_states(self.st.store).values():
            if st.status is not Status.VERIFICADA or st.cotejada in (1, 2):
                continue
            img = st.reading_image.sha256 if st.reading_image is not None else None
            truth = self.paper_of(img, st.clave_acta)  # the paper in the envelope
            reading = {k: (v if isinstance(v, int) else v.value)
                       for k, v in (st.reading or {}).items()}
            differs = truth is not None and truth.values is not None and reading != truth.on_paper()
            again = st.cotejada is None and self.rng.random() < self.cfg.recapture
            try:
                if differs or again:
                    self.desk.cotejo(sup, st.clave_acta, "recapture",
                                     "no coincide con el acta" if differs else "revisión al azar")
                    self.log("recapture", clave=st.clave_acta, differs=differs)
                else:
                    self.desk.cotejo(sup, st.clave_acta, "accept")
                    self.log("cotejo", clave=st.clave_acta)
            except StationError:
                continue
            n += 1
        return n

    # ---------------------------------------------------------------- sync
    def sync(self) -> None:
        if time.monotonic() - self.last_sync < self.cfg.sync_every_s:
            return
        self.last_sync = time.monotonic()
        if self.cfg.usb:
            self._usb()
            return
        if (self.ctl / "offline").exists():
            self.sync_state = "offline"
            return
        t0 = time.perf_counter()
        try:
            report = self.client.sync_once()
        except SyncError as exc:
            self.sync_state, self.sync_error = ("offline" if exc.offline else "error"), exc.code
            self.log("sync_error", code=exc.code, offline=exc.offline, message=exc.message_en)
            return
        if report.state != "online":
            self.sync_state = report.state
            return
        self.sync_state, self.sync_error = "online", ""
        if report.sent:
            self.log("sync", sent=report.sent, ms=round((time.perf_counter() - t0) * 1000, 1))
        report = fetch_after_sync(self.st, self.st.store, self.cfg.server, report)
        if self.cfg.role == "CCV":
            pull_after_sync(self.st, self.st.store, self.cfg.server, report)

    def _usb(self) -> None:
        if self.client.http and not self.st.store.get_meta("server_public_key"):
            try:  # enrolled once on the network (with its code); data then goes by USB
                self.client.server_info()
                self.client.status()
            except SyncError as exc:
                self.sync_error = exc.code
                return
        req = self.ctl / "usb_export"
        if req.exists():
            # small batches, several files: each under the console's upload limit
            doc = export_pending(self.st, self.st.store, batch_size=30)
            files = _split(doc, USB_FILE_BYTES)
            stamp = now_ms()
            for i, part in enumerate(files):
                out = self.ctl / "usb" / f"pendientes-{stamp}-{i:03d}.json"
                tmp = out.with_suffix(".tmp")
                tmp.write_text(json.dumps(part), encoding="utf-8")
                tmp.rename(out)
            (self.ctl / "usb" / f"pendientes-{stamp}.listo").touch()
            req.unlink()
            self.log("usb_export", events=sum(len(b["events"]) for b in doc["batches"]),
                     files=len(files))
        for path in sorted((self.ctl / "usb_in").glob("*.json")):
            n = import_receipts(self.st.store, json.loads(path.read_text(encoding="utf-8")))
            path.rename(path.with_suffix(".done"))
            self.log("usb_import", receipts=n)
        self.sync_state = "usb"

    # ---------------------------------------------------------------- loop
    def status(self) -> None:
        doc = {"t": now_ms(), "station": self.cfg.id, "pending": pending_count(self.st.store),
               "events": int(self.st.store.one("SELECT COUNT(*) FROM events")[0]),
               "inbox": len(self.folder.pending()), "sync": self.sync_state,
               "error": self.sync_error, "counts": self.counts}
        tmp = self.ctl / "status.tmp"
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.rename(self.ctl / "status.json")

    def lost_identities(self) -> int:
        """After a restart: a sheet whose identity was being settled when the station
        died is left marked «identificada» with nothing stored (the station sets that
        mark before it stores the page, in another transaction); the digitalizador
        feeds it again."""
        n = 0
        rows = self.st.store.q("SELECT sha256, MAX(name) AS name, "
                               "SUM(status != 'identificada') AS other FROM pages "
                               "WHERE sha256 IN (SELECT sha256 FROM pages WHERE status = "
                               "'identificada') GROUP BY sha256")
        for row in rows:
            if row["other"]:
                continue
            name = f"again-{Path(str(row['name'])).name}"
            if (self.inbox / name).exists():
                continue  # fed again before the last restart, not read yet
            tmp = self.inbox / f".{name}"
            tmp.write_bytes(self.st.images.get(row["sha256"]))
            tmp.rename(self.inbox / name)
            acta = self.paper_of(row["sha256"])
            self.log("identidad", clave=acta.clave_acta if acta else None, key=None,
                     step="lost", status="reescaneada", file=name)
            n += 1
        return n

    def run(self) -> int:
        self.log("start")
        self.lost_identities()
        while not (self.ctl / "stop").exists():
            busy = self.acopio() + self.scan() + self.identities() + self.capture() + self.cotejo()
            self.sync()
            self.status()
            if not busy:
                time.sleep(self.cfg.tick_s)
        self.sync()
        self.status()
        self.st.close()
        return 0


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    return Worker(Config.load(Path(args[0]))).run()


if __name__ == "__main__":
    raise SystemExit(main())
