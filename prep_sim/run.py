"""The drill: a catalog and its truth, the actas printed, the sync server and the
stations as separate processes, deliveries on a compressed schedule, faults, cuts
checked as they are published, and the final cut checked against the truth."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import requests

from prep_core.catalog import Catalog
from prep_io.files import save_catalog
from prep_sim import faults as F
from prep_sim import labels as L
from prep_sim.checks import Published, compare_with_truth, verify_publication, wrong_actas
from prep_sim.control import Console
from prep_sim.expected import expected_cut
from prep_sim.paper import largest_figure, print_acta, sheet_of, template_for
from prep_sim.stations import StationProc
from prep_sim.truth import Truth, TruthActa
from prep_sim.worker import Config

CLOCK_OFFSET_MS = 5 * 3600 * 1000
# the server's alarms (the same figures under two keys, figures out of range): the
# coordinators hold the paper, whose figures the drill printed, and dismiss them
ALARMS = ("cifras_repetidas", "fuera_de_rango")  # a station clock five hours ahead


@dataclass
class Options:
    out: Path
    casillas: int = 40
    catd: int = 3
    ccv: int = 1
    elections: list[str] | None = None
    faults: set[str] = field(default_factory=lambda: set(F.ALL))
    speed: float = 1.0
    seed: int = 1
    database: Path | None = None
    keep_serving: bool = False
    cut_every_s: float = 15.0
    timeout_s: float = 900.0
    mistype: float = 0.03
    skip: float = 0.15
    recapture: float = 0.02
    print_workers: int = 2
    paper: Path | None = None  # where the printed sheets are kept (default: OUT/paper)
    final: bool = True  # the last cut is the final one (especiales in the turnout)
    quiet: bool = False
    label_swaps: int | None = None  # actas with a wrong label (``label_swap``); None: 3 %, ≥ 4
    # a test hook: the stations' reader does not weigh the label against section 1, so
    # a wrong label goes through (the drill must then fail)
    identity_check: bool = True


@dataclass
class CutRecord:
    t: float
    election: str
    cut_id: int
    header: dict[str, str]
    problems: list[str]
    captured: set[str]
    final: bool = False


def _print_job(args: tuple[TruthActa, Any, int, str | None, dict[str, Any]]
               ) -> tuple[str, bytes, dict[str, Any], bytes | None]:
    acta, t, seed, label, written = args
    data, sheet = print_acta(acta, t, seed, label=label, written=written)
    light = print_acta(acta, t, seed, label=label, written=written, p_dark=0.0)[0] \
        if sheet.backing == "dark" else None
    return acta.clave_acta, data, sheet.__dict__, light


class Night:
    def __init__(self, opts: Options, catalog: Catalog, truth: Truth,
                 log: Callable[[str], None] = print) -> None:
        self.o, self.catalog, self.truth, self.say = opts, catalog, truth, log
        self.out = opts.out
        self.paper = opts.paper or opts.out / "paper"
        self.print_s = 0.0
        self.t0 = time.time()
        self.catd: list[StationProc] = []
        self.ccv: list[StationProc] = []
        self.cuts: list[CutRecord] = []
        self.faults: list[F.Fault] = []
        self.sheets: dict[str, dict[str, Any]] = {}
        self.allowed: set[str] = set()
        self.resolved = 0
        self.delivered = 0
        self.plan: list[TruthActa] = []
        self._last_cut = self._last_allow = self._last_usb = self._last_progress = 0.0
        self._clock: dict[str, Any] = {}
        self._usb: dict[str, Any] = {"trips": 0, "events": 0, "phase": 0}
        self.server: Any = None
        self.phone: Any = None
        self.published = self.out / "server" / "data" / "publicacion"  # what difusores mirror
        self.publication_key: bytes | None = None  # the first cut's, pinned for the night
        self.mistakes: dict[str, L.Mistake] = {}  # label_swap: actas with a wrong label
        self.images: dict[str, str] = {}  # sha256 of each sheet delivered → its true key

    def label_of(self, a: TruthActa) -> str | None:
        """The QR payload stuck on the acta's envelope (None: no label)."""
        m = self.mistakes.get(a.clave_acta)
        return a.qr if m is None else m.label

    # ------------------------------------------------------------------ paper
    def print_papers(self, order: list[TruthActa]) -> threading.Thread:
        """Print the sheets in the order they will arrive, in worker processes, while
        the night goes on (an acta is delivered once printed). Sheets already in the
        paper folder (``Options.paper``: a cache shared by runs of one truth) are kept."""
        paper = self.paper
        (paper / "sheets").mkdir(parents=True, exist_ok=True)
        (paper / "light").mkdir(parents=True, exist_ok=True)
        manifest = paper / "sheets.jsonl"
        tmpl = {e.id: template_for(e, largest_figure(a for a in order if a.election == e.id))
                for e in self.catalog.elections}
        listed: set[str] = set()
        if manifest.exists():  # the last line of a clave stands; one printed otherwise
            by = {a.clave_acta: a for a in order}  # (another label, no section 1) is printed again
            for line in manifest.read_text(encoding="utf-8").splitlines():
                if line.endswith("}"):
                    doc = json.loads(line)
                    clave = doc.pop("clave")
                    listed.add(clave)
                    a = by.get(clave)
                    if a is not None and doc.get("label", "?") == self.label_of(a) and \
                            doc.get("written") == bool(tmpl[a.election].identity):
                        self.sheets[clave] = doc
                    else:
                        self.sheets.pop(clave, None)
        for a in order:  # printed by an interrupted run: its sheet is whole (written last)
            if a.scanned and a.clave_acta not in listed and (
                    paper / "sheets" / f"{a.clave_acta}.jpg").exists():
                sheet = replace(sheet_of(a, self.o.seed)[2], label=self.label_of(a),
                                written=bool(tmpl[a.election].identity))
                if sheet.backing == "light" or (paper / "light" / f"{a.clave_acta}.jpg").exists():
                    self.sheets[a.clave_acta] = sheet.__dict__
        made = [t for t in tmpl.values() if t.id.startswith("simulacro-")]
        if made:  # a form laid out for this election: the stations' readers load it too
            from capture_station.recognition.templates import EXTRA_TEMPLATES_ENV, save_template

            forms = self.out / "formas"
            forms.mkdir(parents=True, exist_ok=True)
            for t in made:
                save_template(t, forms / f"{t.id}.json")
            os.environ[EXTRA_TEMPLATES_ENV] = str(forms)
        jobs = [(a, tmpl[a.election], self.o.seed, self.label_of(a),
                 L.written_of(a, self.catalog)) for a in order
                if a.scanned and a.clave_acta not in self.sheets]

        def work() -> None:
            t = time.time()
            with ProcessPoolExecutor(max(1, self.o.print_workers)) as ex, \
                    open(manifest, "a", encoding="utf-8") as man:
                for clave, data, sheet, light in ex.map(_print_job, jobs, chunksize=2):
                    if light is not None:
                        (paper / "light" / f"{clave}.jpg").write_bytes(light)
                    (paper / "sheets" / f"{clave}.jpg").write_bytes(data)
                    man.write(json.dumps({"clave": clave, **sheet}) + "\n")
                    man.flush()
                    self.sheets[clave] = sheet
            self.print_s = time.time() - t

        th = threading.Thread(target=work, name="imprenta", daemon=True)
        th.start()
        return th

    # ------------------------------------------------------------------ processes
    def start_server(self, port: int | None = None) -> None:
        from prep_cli.local_server import start_server

        self.server = start_server(self.out / "server", self.out / "catalog", port=port)
        self.console = Console(self.server.url)

    def kill_server(self) -> None:
        import os
        import signal

        os.kill(self.server.proc.pid, signal.SIGKILL)
        self.server.proc.wait(10)

    def restart_server(self) -> None:
        self.start_server(self.server.port)

    def _station(self, sid: str, role: str, **kw: Any) -> StationProc:
        cfg = Config(id=sid, role=role, folder=str(self.out / "stations" / sid),
                     server=self.server.url, catalog=str(self.out / "catalog"),
                     truth=str(self.out / "truth.jsonl"), code=self.console.issue_code(role, sid),
                     seed=self.o.seed, mistype=self.o.mistype, skip=self.o.skip,
                     recapture=self.o.recapture, light_dir=str(self.paper / "light"),
                     labels=str(self.out / "etiquetas.jsonl"), images=str(self.out / "imagenes.jsonl"),
                     identity_check=self.o.identity_check, **kw)
        return StationProc(cfg)

    def start_stations(self) -> None:
        fs = self.o.faults
        k = self.o.catd
        for i in range(1, k + 1):
            kw: dict[str, Any] = {}
            if "clock" in fs and k >= 2 and i == k:
                kw["clock_offset_ms"] = CLOCK_OFFSET_MS
            if "usb" in fs and k >= 3 and i == 2:
                kw["usb"] = True
            self.catd.append(self._station(f"CATD{i:02d}", "CATD", **kw))
        for j in range(1, self.o.ccv + 1):
            self.ccv.append(self._station(f"CCV{j:02d}", "CCV"))
        for st in self.catd + self.ccv:
            st.start()
        if any(a.photo for a in self.truth.actas):
            from prep_sim.phone import Phone

            self.phone = Phone(self.server.url, self.catalog.fingerprint,
                               self.console.issue_code("CASILLA", "PREP Casilla"))

    def online(self) -> list[StationProc]:
        return [s for s in self.catd + self.ccv if not s.cfg.usb]

    def stop_stations(self) -> None:
        for st in self.catd + self.ccv:
            st.stop()

    # ------------------------------------------------------------------ deliveries
    def catd_for(self, a: TruthActa) -> StationProc:
        exp = self.catalog.acta(a.clave_acta)
        d = exp.casilla.id_distrito if exp is not None else 0
        distritos = sorted({c.id_distrito for c in self.catalog.casillas})
        i = distritos.index(d) if d in distritos else 0
        return self.catd[i % len(self.catd)]

    def deliver_due(self) -> None:
        rate = 4.0 * self.o.speed
        due = min(len(self.plan), int((time.time() - self.t_sched) * rate) + 1)
        if self.delivered < due and self.plan[self.delivered].clave_acta not in self.sheets \
                and self.plan[self.delivered].scanned:
            self.t_sched = min(time.time(), self.t_sched + 0.2)  # the schedule waits for the printer
        while self.delivered < due:
            a = self.plan[self.delivered]
            if a.scanned and a.clave_acta not in self.sheets:
                if not self.printer.is_alive():
                    raise RuntimeError("la impresión de actas se detuvo / printing stopped")
                break  # not printed yet
            st = self.catd_for(a)
            if a.values is None:
                st.sin_acta(a.clave_acta, int(a.sin_acta_cause or 1))
            else:
                name = f"{a.clave_acta}.jpg"
                sheet = (self.paper / "sheets" / name).read_bytes()
                light = self.paper / "light" / name
                self.index(a.clave_acta, sheet, light.read_bytes() if light.exists() else None)
                if a.photo and self.phone is not None:  # photographed at the casilla first
                    self.phone.take(a.clave_acta, a.qr, light.read_bytes() if light.exists() else sheet)
                st.deliver(name, sheet)
            self.delivered += 1
        if self.phone is not None and self.phone.unsent:
            self.phone.flush()

    def index(self, clave: str, *sheets: bytes | None) -> None:
        """Which acta each image is, for the simulated people (who type what a sheet
        says, whatever key it was stored under) and for judging the label_swap fault."""
        lines = []
        for data in sheets:
            if data is not None:
                sha = hashlib.sha256(data).hexdigest()
                self.images[sha] = clave
                lines.append(json.dumps({"sha256": sha, "clave": clave}) + "\n")
        with open(self.out / "imagenes.jsonl", "a", encoding="utf-8") as fh:
            fh.write("".join(lines))

    # ------------------------------------------------------------------ the loop
    def step(self) -> None:
        """One tick of the coordinators' side while the stations work."""
        now = time.time()
        self.deliver_due()
        # every CATD, a replacement too (the clock fault sets one up under a new id)
        if now - self._last_allow > 2 and any(s.id not in self.allowed for s in self.catd):
            self._last_allow = now
            self._allow_alone()
        if "clock" in self.o.faults:
            self._clock_fault()
        if any(s.cfg.usb for s in self.catd):
            self._usb_trip()
        if now - self._last_cut > self.o.cut_every_s:
            self._last_cut = now
            self.cut()
        self.progress()
        time.sleep(0.2)

    def _allow_alone(self) -> None:
        known = {s["id"] if "id" in s else s.get("station") for s in self.console.stations()}
        for st in self.catd:
            if st.id in known and st.id not in self.allowed:
                self.console.allow_alone(st.id)
                self.allowed.add(st.id)

    def _clock_fault(self) -> None:
        c = self._clock
        st = self.catd[-1]
        if c.get("fixed"):
            if "back_s" not in c and st.status().get("sync") == "online":
                c["back_s"] = round(time.time() - c["refused_at"], 1)
                f = c["fault"]
                f.ended = time.time()
                f.cost["refused_to_resent_s"] = c["back_s"]
            return
        if st.cfg.clock_offset_ms and st.status().get("error") == "clock_out_of_window":
            c.setdefault("refused_at", time.time())
            if time.time() - c["refused_at"] > 2:
                self._replace_clock_station(st)

    def _replace_clock_station(self, old: StationProc) -> None:
        """The station's clock is set right; its events, signed with the wrong time,
        can never be accepted, so it starts again as a new station (a new key and a
        new code) and its sheets are scanned again."""
        s = old.status()
        old.kill()
        new = self._station(old.id + "R", "CATD")
        sheets = sorted((old.inbox / "procesadas").glob("*.jpg")) + sorted(old.inbox.glob("*.jpg"))
        # a sheet held for its label sits with the refused ones; a refused sheet rescanned
        # on the light backing (r-…) is not fed again
        again = {p.name for p in sheets}
        sheets += [p for p in sorted((old.inbox / "rechazadas").glob("*.jpg"))
                   if not p.name.startswith("r-") and f"r-{p.name}" not in again
                   and p.name not in again]
        for p in sheets:  # those rescanned on the light backing (r-…) included
            new.deliver(p.name, p.read_bytes())
        if (old.control / "acopio.jsonl").exists():
            new.control.mkdir(parents=True, exist_ok=True)
            shutil.copy(old.control / "acopio.jsonl", new.control / "acopio.jsonl")
        new.start()
        self.catd[-1] = new
        f = F.Fault("clock", old.id, self._clock["refused_at"], note=f"reemplazada por {new.id}")
        f.cost = {"offset_h": CLOCK_OFFSET_MS / 3_600_000, "events_discarded": s.get("events"),
                  "sheets_rescanned": len(sheets)}
        self.faults.append(f)
        self._clock.update(fixed=True, fault=f)

    def _usb_trip(self) -> None:
        """Every 6 s the USB drive goes to the console: the station's pending events
        (files in order) are imported, and its receipts carried back."""
        st = next(s for s in self.catd if s.cfg.usb)
        u = self._usb
        if u["phase"] == 0 and time.time() - self._last_usb > 6:
            (st.control / "usb_export").touch()
            u["phase"], u["asked"] = 1, time.time()
        elif u["phase"] == 1:
            ready = sorted((st.control / "usb").glob("*.listo"))
            if not ready:
                return
            stamp = ready[0].stem
            n = 0
            for path in sorted((st.control / "usb").glob(f"{stamp}-*.json")):
                doc = json.loads(path.read_bytes())
                events = sum(len(b["events"]) for b in doc.get("batches", []))
                if events:
                    try:
                        self.console.import_usb(path.name, path.read_bytes())
                    except requests.RequestException as exc:
                        u.setdefault("errors", []).append(f"{path.name}: {exc}")
                        break
                    n += events
                path.rename(path.with_suffix(".sent"))
            ready[0].unlink()
            if n:
                rec = self.console.receipts(st.id)
                (st.control / "usb_in" / f"recibos-{int(time.time() * 1000)}.json").write_bytes(rec)
                u["trips"] += 1
                u["events"] += n
                u.setdefault("trip_s", []).append(round(time.time() - u["asked"], 2))
            u["phase"] = 0
            self._last_usb = time.time()

    # ------------------------------------------------------------------ cuts
    def cut(self, final: bool = False) -> list[CutRecord]:
        out = []
        taken = self.console.cut(final=final)
        problems: list[str] = []
        if taken:  # one published cut holds every election's
            problems, self.publication_key = verify_publication(
                self.published, str(taken[0]["published"]), self.publication_key)
        for c in taken:
            csv = self.console.cut_csv(int(c["id"]))
            (self.out / "cortes").mkdir(exist_ok=True)
            (self.out / "cortes" / f"{c['id']:04d}-{c['election_id']}.csv").write_bytes(csv)
            pub = Published.read(csv)
            rec = CutRecord(time.time(), c["election_id"], int(c["id"]), dict(pub.pf.header),
                            problems,
                            {k for k in pub.rows if pub.captured(k)}, final)
            rec.pub = pub  # type: ignore[attr-defined]
            out.append(rec)
        self.cuts.extend(out)
        return out

    def resolve_conflicts(self) -> None:
        """The coordinators resolve the queue with the paper in hand."""
        truth = self.truth.by_clave()
        for c in self.console.conflicts():
            t = truth.get(c["clave_acta"])
            if c.get("kind") in ALARMS:  # figures repeated or out of range: checked on paper
                self.resolved += self.console.resolve(c["id"], "dismiss", None,
                                                      "cifras cotejadas con el acta física")
                continue
            pick = None
            for i, r in enumerate(c.get("readings", [])):
                vals = r.get("values", r) if isinstance(r, dict) else None
                if t is not None and t.values is not None and vals is not None and all(
                        vals.get(k) == v for k, v in t.on_paper().items()):
                    pick = i
            if pick is not None:
                done = self.console.resolve(c["id"], "choose", pick, "cotejado con el acta física")
            else:
                done = self.console.resolve(c["id"], "recapture", None,
                                            "ninguna lectura coincide con el acta")
            self.resolved += done

    def complete(self, recs: list[CutRecord]) -> bool:
        for r in recs:
            want = {a.clave_acta for a in self.truth.actas if a.election == r.election and not a.fuera}
            if not want <= r.captured:
                return False
            exp = expected_cut(self.catalog, self.truth, r.election)
            ballots = self.catalog.especial_ballots(r.election)
            if compare_with_truth(r.pub, self.truth, r.election, exp,  # type: ignore[attr-defined]
                                  ballots=ballots):
                return False
        return True

    # ------------------------------------------------------------------ progress
    def _line(self, text: str) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\r" + text[:150].ljust(150))
            sys.stderr.flush()
        elif time.time() - self._last_progress > 10:
            self._last_progress = time.time()
            sys.stderr.write(text + "\n")

    def _endline(self) -> None:
        if sys.stderr.isatty():
            sys.stderr.write("\n")

    def progress(self) -> None:
        if self.o.quiet:
            return
        n = max(1, len(self.plan))
        bar = "#" * int(20 * self.delivered / n)
        last = {r.election: r for r in self.cuts}
        counted = " ".join(f"{e} {r.header.get('PORCENTAJE_ACTAS_CONTABILIZADAS', '?')}%"
                           for e, r in last.items())
        pend = sum(int(s.status().get("pending", 0)) for s in self.catd + self.ccv)
        printed = f"{len(self.sheets)}/{sum(1 for a in self.plan if a.scanned)}"
        self._line(f"[{bar:<20}] impresas {printed} · {self.delivered}/{n} entregadas · "
                   f"{time.time() - self.t0:5.0f} s · "
                   f"pendientes {pend} · contabilizadas {counted} · fallas {len(self.faults)}")

    # ------------------------------------------------------------------ the night
    def run(self) -> dict[str, Any]:
        o = self.o
        save_catalog(self.catalog, self.out / "catalog")
        self.truth.save(self.out / "truth.jsonl")
        plan = list(self.truth.actas)
        random.Random(o.seed).shuffle(plan)
        self.plan = plan
        if "label_swap" in o.faults:
            n = L.default_count(self.truth) if o.label_swaps is None else o.label_swaps
            self.mistakes = L.plan(self.catalog, self.truth, n, o.seed)
        L.save(self.mistakes, self.out / "etiquetas.jsonl")
        self.printer = self.print_papers(plan)
        self.start_server()
        self.start_stations()
        self.t_night = self.t_sched = time.time()
        triggers = [(0.15, "link"), (0.35, "server_kill"), (0.5, "station_kill"),
                    (0.6, "tamper"), (0.65, "duplicate")]
        pending = [(x, name) for x, name in triggers if name in o.faults]
        while self.delivered < len(self.plan) or pending:
            frac = self.delivered / max(1, len(self.plan))
            while pending and frac >= pending[0][0]:
                _, name = pending.pop(0)
                self.faults.append(self._fault(name))
            self.step()
        self.say_line("todas las actas entregadas / every acta delivered")
        deadline = time.time() + o.timeout_s
        done = False
        while time.time() < deadline:
            self.step()
            stations = self.catd + self.ccv
            idle = all(int(s.status().get("pending", 1)) == 0 and int(s.status().get("inbox", 1)) == 0
                       for s in stations)
            if idle and time.time() - self._last_cut > 3:
                self._last_cut = time.time()
                self.resolve_conflicts()
                if self.complete(self.cut()):
                    done = True
                    break
        final = self.cut(final=o.final)
        return self.finish(final, done)

    def say_line(self, text: str) -> None:
        if not self.o.quiet:
            self._endline()
            self.say(text)

    def _fault(self, name: str) -> F.Fault:
        if name == "link":
            return F.link_down(self, 6.0)
        if name == "server_kill":
            return F.server_kill(self)
        if name == "station_kill":
            return F.station_kill(self)
        if name == "tamper":
            return F.tamper(self)
        return F.duplicate(self)

    def _judge_labels(self, final: list[CutRecord], checks: dict[str, Any]) -> bool:
        """The label_swap fault: every acta with a wrong label stopped before capture,
        published once under its own key with its figures, never under the wrong one."""
        from prep_sim.stations import metrics

        notes = [m for m in metrics(self.out / "stations") if m["what"] in ("identidad", "page")]
        lines = L.judge(self.mistakes, self.truth, self.server.db_path, self.images,
                        {r.election: r.pub for r in final}, notes)  # type: ignore[attr-defined]
        alarms = L.false_alarms(self.mistakes, notes)
        checks["labels"] = {"mistakes": lines, "false_alarms": alarms}
        ok = bool(lines) and all(x["ok"] for x in lines)
        swaps = [x for x in lines if x["kind"] == L.SWAP]
        self.faults.append(F.Fault(
            "label_swap", "CATD", self.t_night, time.time(), ok=ok,
            cost={"swaps": len(swaps), "slips": len(lines) - len(swaps),
                  "stopped_before_capture": sum(x["stopped_before_capture"] for x in lines),
                  "published_under_wrong_key": sum(x["figures_under_wrong_key"] for x in lines),
                  "false_alarms": len(alarms), "lost_in_a_crash_rescanned": L.lost(notes)},
            note="etiqueta del vecino o clave tecleada con errata / a neighbour's label or a "
                 "key typed with a slip"))
        return ok

    def finish(self, final: list[CutRecord], done: bool) -> dict[str, Any]:
        from prep_sim.report import build_report

        usb = next((s for s in self.catd if s.cfg.usb), None)
        if usb is not None:
            u = self._usb
            trips = sorted(u.get("trip_s", [])) or [0.0]
            self.faults.append(F.Fault(
                "usb", usb.id, self.t_night, time.time(),
                ok=int(usb.status().get("pending", 1)) == 0 and not u.get("errors"),
                cost={"trips": u["trips"], "events": u["events"],
                      "trip_s_median": trips[len(trips) // 2], "trip_s_max": trips[-1],
                      "errors": u.get("errors", [])},
                note="sin red: pendientes a USB → importación en la consola → recibos de vuelta"))
        checks: dict[str, Any] = {"complete": done, "elections": {}}
        ok = done
        if "label_swap" in self.o.faults:
            ok &= self._judge_labels(final, checks)
        for r in final:
            exp = expected_cut(self.catalog, self.truth, r.election, final=self.o.final)
            problems = compare_with_truth(  # type: ignore[attr-defined]
                r.pub, self.truth, r.election, exp, ballots=self.catalog.especial_ballots(r.election))
            wrong = wrong_actas(r.pub, self.truth, r.election)  # type: ignore[attr-defined]
            checks["elections"][r.election] = {
                "published_header": r.header, "expected_header": exp.header,
                "problems": problems[:50], "problems_total": len(problems),
                "crosscheck": r.problems, "errors_published": wrong}
            ok &= not problems and not r.problems and wrong == 0
        ok &= all(not c.problems for c in self.cuts)
        ok &= all(f.ok for f in self.faults)
        checks["cuts_with_crosscheck_problems"] = sum(1 for c in self.cuts if c.problems)
        checks["ok"] = ok
        return build_report(self, checks)
