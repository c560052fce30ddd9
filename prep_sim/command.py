"""``prep simulacro``: the drill from the command line."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from prep_sim import faults as F


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", type=Path, default=Path("prep-simulacro"),
                   help="carpeta de la corrida / run folder")
    p.add_argument("--casillas", type=int, default=40)
    p.add_argument("--catd", type=int, default=3)
    p.add_argument("--ccv", type=int, default=1)
    p.add_argument("--elections", default="", help="ids separados por coma / comma-separated ids")
    p.add_argument("--faults", default="all",
                   help=f"all, none o una lista de / or a list of: {','.join(F.ALL)}")
    p.add_argument("--speed", type=float, default=1.0,
                   help="actas entregadas por segundo ÷ 4 / deliveries per second ÷ 4")
    p.add_argument("--from-database", type=Path, default=None, dest="database")
    p.add_argument("--keep-serving", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--cut-every", type=float, default=15.0, help="segundos / seconds")
    p.add_argument("--timeout", type=float, default=900.0, help="segundos / seconds")
    p.add_argument("--label-swaps", type=int, default=None, dest="label_swaps",
                   help="actas con etiqueta equivocada (falla label_swap; por omisión 3 %%, al "
                   "menos 4) / actas with a wrong label (the label_swap fault; default 3 %%, "
                   "at least 4)")
    p.add_argument("--paper", type=Path, default=None,
                   help="carpeta de las actas impresas, reutilizable entre corridas de la misma "
                   "verdad / folder of the printed actas, kept for runs of the same truth")


def run(args: argparse.Namespace) -> int:
    from prep_sim.run import Night, Options
    from prep_sim.truth import make_truth

    out = args.out.resolve()
    if out.exists() and any(out.iterdir()):
        print(f"error: la carpeta {out} no está vacía / the folder is not empty", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    try:
        faults = F.parse(args.faults)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    swaps = getattr(args, "label_swaps", None)
    if swaps is not None and swaps < 1:
        print("error: --label-swaps debe ser 1 o más (sin la falla: --faults sin label_swap) / "
              "--label-swaps must be 1 or more (without the fault: --faults without label_swap)",
              file=sys.stderr)
        return 2
    elections = [e for e in args.elections.split(",") if e] or None
    opts = Options(out=out, casillas=args.casillas, catd=args.catd, ccv=args.ccv,
                   elections=elections, faults=faults, speed=args.speed, seed=args.seed,
                   database=args.database, keep_serving=args.keep_serving,
                   cut_every_s=args.cut_every, timeout_s=args.timeout,
                   paper=getattr(args, "paper", None),
                   label_swaps=getattr(args, "label_swaps", None))
    if args.database is not None:
        from prep_sim.replay import database_truth

        catalog, truth, want, unprintable, layout = database_truth(args.database)
        os.environ["PREP_LAYOUT"] = layout  # the server publishes as the institute did
        opts.final = False  # a published database's header is that of an ordinary cut
    else:
        from prep_demo.demo import demo_catalog

        catalog, want, unprintable = demo_catalog(args.casillas), None, []
        if elections:
            unknown = set(elections) - {e.id for e in catalog.elections}
            if unknown:
                print(f"error: elecciones desconocidas / unknown elections: {sorted(unknown)}",
                      file=sys.stderr)
                return 2
            catalog = replace(catalog, elections=tuple(e for e in catalog.elections
                                                       if e.id in elections))
        truth = make_truth(catalog, elections, seed=args.seed)
    night = Night(opts, catalog, truth)

    main_pid = os.getpid()

    def _terminate(signum: int, frame: Any) -> None:
        if os.getpid() != main_pid:  # a printing worker process: just go
            os._exit(1)
        raise KeyboardInterrupt  # SIGTERM: stop the stations and the server as Ctrl+C does

    signal.signal(signal.SIGTERM, _terminate)
    try:
        rep = night.run()
        if want is not None:
            rep = _check_replay(night, rep, want, unprintable)
        summary(rep)
        if args.keep_serving:
            serve(night)
    finally:
        night.stop_stations()
        if night.server is not None and not args.keep_serving:
            night.server.stop()
    return 0 if rep["ok"] else 1


def _check_replay(night: Any, rep: dict[str, Any], want: dict[str, str],
                  unprintable: list[str]) -> dict[str, Any]:
    got = night.cuts[-1].header if night.cuts else {}
    diff = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    rep["replay"] = {"file": str(night.o.database), "file_header": want, "published_header": got,
                     "differences": diff, "unprintable": unprintable}
    rep["ok"] = rep["ok"] and not diff
    (night.out / "report.json").write_text(json.dumps(rep, ensure_ascii=False, indent=1),
                                           encoding="utf-8")
    return rep


def summary(rep: dict[str, Any]) -> None:
    s, o, p = rep["sizes"], rep["ocr"], rep["people"]
    lat = rep["latency_acopio_to_publication"]
    print(f"\nSimulacro {'CORRECTO / OK' if rep['ok'] else 'FALLÓ / FAILED'}: "
          f"{s['actas']} actas, {s['casillas']} casillas, {','.join(s['elections'])}, "
          f"{s['catd']} CATD + {s['ccv']} CCV, {rep['wall_s']['total']} s")
    print(f"  latencia acopio→publicación p50 {lat['p50_s']} s, p95 {lat['p95_s']} s · "
          f"OCR automático {o['auto_rate']:.1%}, exactitud por campo {o['field_accuracy']:.2%} · "
          f"desacuerdo humano {p['human_disagreement_rate']:.1%} · recapturas {p['recaptures']}")
    print(f"  errores que llegaron a publicación / errors published: "
          f"{rep['errors_reached_publication']} · servidor {rep['throughput']['server_events_per_s']} eventos/s")
    for f in rep["faults"]:
        print(f"  falla {f['name']:<13} {f['station']:<9} {'ok' if f['ok'] else 'FALLÓ'} {f['cost']} {f['note']}")
    for x in rep["checks"].get("labels", {}).get("mistakes", []):
        what = "etiqueta del vecino" if x["kind"] == "swap" else "clave tecleada con errata"
        print(f"  {'ok' if x['ok'] else 'FALLÓ'} {x['clave']} {what} {x['wrong_key']}: "
              f"detenida antes de capturar / stopped before capture "
              f"{'sí' if x['stopped_before_capture'] else 'NO'} · {x['resolved']}"
              + (" · PUBLICADA BAJO LA CLAVE EQUIVOCADA" if x["figures_under_wrong_key"] else "")
              + ("" if x["published_once_with_its_figures"] else " · acta perdida o doble"))
    alarms = rep["checks"].get("labels", {}).get("false_alarms")
    if alarms:
        print(f"  falsas alarmas de identidad (aceptadas por el supervisor) / false alarms: {alarms}")
    for e, c in rep["checks"]["elections"].items():
        state = "coincide con la verdad / matches the truth" if not c["problems_total"] else \
            f"{c['problems_total']} diferencias: {c['problems'][:3]}"
        print(f"  {e}: {state}")
    if "replay" in rep:
        d = rep["replay"]["differences"]
        print(f"  encabezado del archivo / file's header: {d if d else 'idéntico / identical'}")


def serve(night: Any) -> None:
    """Keep the console up, and serve the published folder as difusores mirror it."""
    import subprocess

    from prep_cli.local_server import ADMIN_PASSWORD, ADMIN_USER, free_port

    published = night.published
    port = free_port()
    site = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                             "--directory", str(published)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"\nConsola / console:        {night.server.url}/console/   usuario {ADMIN_USER}  "
          f"contraseña {ADMIN_PASSWORD}\n"
          f"Publicación / published: http://127.0.0.1:{port}/ultimo.json  ({published})\n"
          f"Reporte / report:        {night.out / 'report.html'}\n"
          "Ctrl+C para terminar / to stop", flush=True)
    try:
        while night.server.proc.poll() is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        site.terminate()
        site.wait(10)
        night.server.stop()
