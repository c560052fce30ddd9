"""Commands on the domain core: catalogs, keys, QR payloads, figures of a
published database, the demo, and the figures benchmark."""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from prep_core.errors import PrepError, PublishedFileError
from prep_io.files import os_reason

MAX_CSV_BYTES = 1 << 30


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Millions of short-lived cells make the cyclic collector run for nothing;
    they form no cycles, so pause it while a database is read (3× faster)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo", help="simulacro de una noche electoral, y la consola abierta / a drill of an "
        "election night, then the console kept up"
    )
    p.add_argument("--dir", type=Path, default=Path("prep-demo"))
    p.add_argument("--casillas", type=int, default=DEMO_SIMULACRO_CASILLAS,
                   help="tamaño del simulacro (BCS: 1114) / size of the drill (BCS: 1114)")
    p.add_argument("--catd", type=int, default=4)
    p.add_argument("--ccv", type=int, default=2)
    p.add_argument("--faults", default="all")
    p.add_argument("--no-serve", action="store_true",
                   help="terminar al acabar el simulacro / exit when the drill ends")
    p.add_argument("--window", action="store_true",
                   help="en lugar del simulacro: servidor + ventana de la estación con actas de "
                   "prueba / instead of the drill: server + station window with test actas")
    p.add_argument("--actas", type=int, default=12, help="con --window / with --window")
    p.add_argument("--lang", choices=("es", "en"), default="es")
    p.add_argument("--check", action="store_true",
                   help="con --window: sin ventana, y salir / with --window: offscreen, exit")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("simulate", help="simula una noche electoral / simulate an election night")
    p.add_argument("--out", default="prep-demo/simulacion", help="carpeta / output folder")
    p.add_argument("--casillas", type=int, default=None)
    p.add_argument("--seed", type=int, default=1)
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser(
        "figures", help="recalcula las cifras de una base PREP publicada / recount a published DB"
    )
    p.add_argument("file", type=Path)
    p.add_argument("--final", action="store_true", help="corte final / final cut")
    p.add_argument("--especial-ballots", type=int, default=None, metavar="N")
    p.add_argument(
        "--layout",
        default=None,
        help="perfil de formato (id o archivo .json); sin él se reconoce / layout profile "
        "(id or .json file); recognised when absent",
    )
    p.add_argument("--json", action="store_true", help="salida JSON / JSON output")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("catalog", help="catálogos / catalogs")
    csub = p.add_subparsers(dest="action", required=True)
    g = csub.add_parser("generate", help="genera un catálogo sintético / synthetic catalog")
    g.add_argument("out", type=Path)
    g.add_argument("--casillas", type=int, default=None, help="1..170648 (demo BCS: 1114)")
    g.add_argument("--seed", type=int, default=2024)
    g.set_defaults(func=cmd_catalog_generate)
    d = csub.add_parser(
        "from-database",
        help="el catálogo que implica una base PREP publicada / the catalog a published DB implies",
    )
    d.add_argument("file", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--layout", default=None, help="perfil de formato / layout profile")
    d.add_argument("--election", default="PREP", help="id de la elección / election id")
    d.set_defaults(func=cmd_catalog_from_database)
    v = csub.add_parser("validate", help="valida y da la huella / validate, print fingerprint")
    v.add_argument("path", type=Path)
    v.set_defaults(func=cmd_catalog_validate)

    p = sub.add_parser("keys", help="llaves Ed25519 / Ed25519 keys")
    ksub = p.add_subparsers(dest="action", required=True)
    k = ksub.add_parser("generate", help="genera una llave cifrada / encrypted key")
    k.add_argument("out", type=Path)
    k.add_argument(
        "--passphrase-env",
        default="PREP_PASSPHRASE",
        help="variable con la frase de acceso; sin ella se pregunta en la terminal / "
        "variable holding the passphrase; without it the terminal asks",
    )
    k.add_argument(
        "--force", action="store_true", help="reemplaza una llave existente / replace a key"
    )
    k.set_defaults(func=cmd_keys_generate)

    p = sub.add_parser("events", help="eventos firmados / signed events")
    esub = p.add_subparsers(dest="action", required=True)
    e = esub.add_parser("verify", help="verifica firmas y cadena de un lote / verify a batch")
    e.add_argument("batch", type=Path, help='JSON {"station", "events": [{"event", "sig"}]}')
    e.add_argument("--public-key", required=True, help="base64 o archivo de llave / or key file")
    e.set_defaults(func=cmd_events_verify)

    p = sub.add_parser("qr", help="interpreta un QR / parse a QR payload")
    p.add_argument("payload")
    p.add_argument("--catalog", type=Path)
    p.add_argument("--layout", default=None, help="p.ej. / e.g. ID_ESTADO|ID_DISTRITO|…")
    p.set_defaults(func=cmd_qr)


def add_bench_target(bench: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = bench.add_parser("figures", help="prep figures sobre 170,648 actas / on 170,648 actas")
    p.add_argument("--casillas", type=int, default=170_648)
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(func=cmd_bench_figures)


def _read_csv_file(path: Path) -> bytes:
    try:
        if path.stat().st_size > MAX_CSV_BYTES:
            raise PublishedFileError("archivo demasiado grande", "file too large", where=str(path))
        return path.read_bytes()
    except OSError as exc:
        raise PublishedFileError(
            f"no se puede leer: {os_reason(exc)[0]}", f"cannot read: {os_reason(exc)[1]}", where=str(path)
        ) from exc


def cmd_figures(args: argparse.Namespace) -> int:
    from prep_core.published import read_results_csv
    from prep_core.recount import recount
    from prep_io.layouts import find_layout, shipped_layouts

    layouts = (find_layout(args.layout),) if args.layout else shipped_layouts()
    data = _read_csv_file(args.file)
    with gc_paused():
        pf = read_results_csv(data, where=str(args.file), layouts=layouts)
        result = recount(
            pf, final=args.final, especial_ballots=args.especial_ballots, where=str(args.file)
        )
    doc = {
        "election": pf.election_name,
        "cut": pf.cut_label,
        "layout": pf.layout.id,
        "final": args.final,
        **result.to_json(),
    }
    if pf.fit is not None and not pf.fit.exact:
        doc["notes"].append(
            f"el archivo difiere del formato {pf.layout.id!r} / the file differs from layout "
            f"{pf.layout.id!r}: {pf.fit.differences()}"
        )
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        for k, v in doc.items():
            if k not in ("votes", "disagreements"):
                print(f"{k}: {v}")
        print(f"disagreements: {len(result.disagreements)}")
    return 0


def cmd_catalog_generate(args: argparse.Namespace) -> int:
    from prep_demo.demo import DEMO_CASILLAS, demo_catalog
    from prep_io.files import save_catalog

    n = DEMO_CASILLAS if args.casillas is None else args.casillas
    if not 1 <= n <= 170_648:
        raise PrepError(
            "casillas fuera de rango 1..170648",
            "casillas out of range 1..170648",
            where="--casillas",
        )
    cat = demo_catalog(n, args.seed) if n != DEMO_CASILLAS or args.seed != 2024 else demo_catalog()
    save_catalog(cat, args.out)
    print(f"{args.out}: {len(cat.casillas)} casillas, huella / fingerprint {cat.fingerprint}")
    return 0


def cmd_catalog_from_database(args: argparse.Namespace) -> int:
    from prep_core.database import read_database
    from prep_io.files import save_catalog
    from prep_io.layouts import find_layout, shipped_layouts

    layouts = (find_layout(args.layout),) if args.layout else shipped_layouts()
    db = read_database(
        _read_csv_file(args.file), where=str(args.file), layouts=layouts, election_id=args.election
    )
    save_catalog(db.catalog, args.out)
    print(
        f"{args.out}: {len(db.catalog.casillas)} casillas, "
        f"{len(db.catalog.expected_actas())} actas, formato / layout {db.layout.id}, "
        f"huella / fingerprint {db.catalog.fingerprint}"
    )
    return 0


def cmd_catalog_validate(args: argparse.Namespace) -> int:
    from prep_io.files import load_catalog

    cat = load_catalog(args.path)
    print(
        json.dumps(
            {
                "name": cat.name,
                "synthetic": cat.synthetic,
                "casillas": len(cat.casillas),
                "lista_nominal": sum(c.lista_nominal for c in cat.casillas),
                "elections": {e.id: len(cat.expected_actas(e.id)) for e in cat.elections},
                "fingerprint": cat.fingerprint,
            },
            ensure_ascii=False,
            indent=1,
        )
    )
    return 0


def cmd_keys_generate(args: argparse.Namespace) -> int:
    import getpass
    import os

    from prep_core.signing import KeyPair, encrypt_key, short_fingerprint
    from prep_io.files import write_atomic

    if args.out.exists() and not args.force:
        raise PrepError(
            "ya existe; una llave no se reemplaza sin --force",
            "already exists; a key is not replaced without --force",
            where=str(args.out),
        )
    passphrase = os.environ.get(args.passphrase_env)
    if not passphrase:
        no_terminal = PrepError(
            f"no hay terminal para pedir la frase de acceso: defina {args.passphrase_env}",
            f"no terminal to ask for the passphrase: set {args.passphrase_env}",
            where="prep keys generate",
        )
        if not sys.stdin.isatty():
            raise no_terminal
        try:
            passphrase = getpass.getpass("Frase de acceso / passphrase: ")
        except EOFError:
            raise no_terminal from None
    kp = KeyPair.generate()
    doc = encrypt_key(kp, passphrase)
    write_atomic(args.out, (json.dumps(doc, indent=1) + "\n").encode())
    os.chmod(args.out, 0o600)
    print(f"{args.out}: {short_fingerprint(kp.fingerprint)}")
    return 0


def cmd_qr(args: argparse.Namespace) -> int:
    from prep_core.qr import INE_LAYOUT, QrLayout, parse_qr
    from prep_io.files import load_catalog

    layout = QrLayout.parse(args.layout) if args.layout else INE_LAYOUT
    ident = parse_qr(args.payload, layout)
    out: dict[str, object] = {"clave_casilla": ident.clave_casilla, "clave_acta": ident.clave_acta}
    if args.catalog:
        acta = load_catalog(args.catalog).match_qr(ident)
        out["fuera_de_catalogo"] = acta is None
        if acta is not None:
            out["election"] = acta.election.id
    print(json.dumps(out, ensure_ascii=False))
    return 0


def cmd_events_verify(args: argparse.Namespace) -> int:
    from prep_core.errors import SignatureError
    from prep_core.events import check_chain, signed_from_wire
    from prep_core.signing import fingerprint, short_fingerprint, unb64

    where = str(args.batch)
    key_arg = Path(args.public_key)
    if key_arg.is_file():
        try:
            public = unb64(json.loads(key_arg.read_text())["public_key"], "public_key")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise SignatureError(
                "archivo de llave ilegible", "unreadable key file", where=str(key_arg)
            ) from exc
    else:
        public = unb64(args.public_key, "--public-key")
    if len(public) != 32:
        raise SignatureError("llave pública inválida", "invalid public key", where="--public-key")
    try:
        doc = json.loads(args.batch.read_bytes())
        wire = doc["events"]
        if not isinstance(wire, list):
            raise TypeError
    except OSError as exc:
        raise SignatureError(
            f"no se puede leer: {os_reason(exc)[0]}", f"cannot read: {os_reason(exc)[1]}", where=where
        ) from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise SignatureError(
            "no es un lote JSON con events", "not a JSON batch with events", where=where
        ) from exc
    events = [signed_from_wire(w, where=f"{where} evento {i}") for i, w in enumerate(wire)]
    check = check_chain(events, public)
    if check.errors or check.held:
        problems = list(check.errors) + [
            f"seq {s.event.seq}: retenido tras un hueco / held after a gap" for s in check.held
        ]
        raise SignatureError("; ".join(problems), "the batch does not verify", where=where)
    print(
        f"{len(check.verified)} eventos verificados / events verified "
        f"(llave / key {short_fingerprint(fingerprint(public))})"
    )
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from prep_cli.demo_job import run_demo

    return run_demo(Path(args.out), casillas=args.casillas, seed=args.seed)


DEMO_SIMULACRO_CASILLAS = 150  # a few minutes on two busy cores; --casillas 1114 is BCS


def cmd_demo(args: argparse.Namespace) -> int:
    """The main job: a simulacro (prep_sim) of a whole election night on the demo
    catalog, through the real server and station processes, every fault on, checked
    against the truth; then the console stays up until Ctrl+C. ``--window``: the
    interactive path instead (server + a station window with a watched folder)."""
    if args.window or args.check:
        return _demo_window(args)
    from datetime import datetime

    from prep_sim.command import run

    out = args.dir / f"simulacro-{datetime.now():%Y%m%d-%H%M%S}"
    print(f"Simulacro / drill: {args.casillas} casillas, {args.catd} CATD + {args.ccv} CCV, "
          f"fallas / faults: {args.faults} → {out}", flush=True)
    ns = argparse.Namespace(out=out, casillas=args.casillas, catd=args.catd, ccv=args.ccv,
                            elections="", faults=args.faults, speed=1.0, database=None,
                            keep_serving=not args.no_serve, seed=1, cut_every=20.0,
                            timeout=1800.0,
                            paper=args.dir / "papel" / f"bcs-{args.casillas}-s1")  # printed once
    return run(ns)


def _demo_window(args: argparse.Namespace) -> int:
    """A sync server and a station window enrolled with it, on the demo catalog, with a
    watched folder of generated actas. Without a display it says how to get one and
    runs the same set-up offscreen."""
    from capture_station.app import no_display
    from prep_cli.demo_launch import main as launch

    argv = ["--dir", str(args.dir), "--actas", str(args.actas), "--lang", args.lang]
    headless = args.check or no_display()
    if headless and not args.check:
        print(
            "No hay pantalla (DISPLAY vacío) / no display. Para ver la ventana / to see the "
            "window:\n  xvfb-run -a .venv/bin/prep demo --window   (o en un escritorio / or on "
            "a desktop). Sin ventana / without one: prep demo (el simulacro / the drill), "
            "o / or prep demo --window --check (prueba sin pantalla / offscreen check).\n"
        )
        return 2
    return launch([*argv, "--check"] if args.check else argv)


def cmd_bench_figures(args: argparse.Namespace) -> int:
    from prep_cli.bench_figures import run

    return run(args.casillas, args.repeat)
