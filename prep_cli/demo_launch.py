"""The demo: a sync server on loopback (SQLite) and a station window enrolled with
it, on the BCS demo catalog, with a watched folder pre-filled with generated actas.

    python -m prep_cli.demo_launch [--dir prep-demo] [--actas 12] [--lang es|en]

Then: unlock with the passphrase printed below, log in, Digitalización → Procesar
carpeta, Captura (two people), Verificación, and watch the console fill up.
Without a display: ``xvfb-run -a python -m prep_cli.demo_launch`` (needs
``apt-get install xvfb xauth libxcb-cursor0``), or ``--check`` to run everything
but the window (offscreen smoke test).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from capture_station.app import NO_DISPLAY_HELP, no_display

PASSPHRASE = "demo-estacion-2024"
USERS = (("supervisor", "Supervisión demo", "supervisor", "demo-supervisor"),
         ("digitaliza", "Digitalización demo", "digitalizacion", "demo-digitaliza"),
         ("captura1", "Capturista uno", "captura", "demo-captura1"),
         ("captura2", "Capturista dos", "captura", "demo-captura2"),
         ("verifica", "Verificación demo", "verificacion", "demo-verifica"))


def prepare(folder: Path, n_actas: int, port: int | None):  # type: ignore[no-untyped-def]
    from capture_station.operators import add_operator
    from capture_station.station import Station, create_station, is_initialized
    from capture_station.sync.client import SyncClient, set_enrollment_code
    from prep_cli.local_server import (
        ADMIN_PASSWORD,
        ADMIN_USER,
        allow_alone,
        issue_code,
        start_server,
    )
    from prep_demo.demo import demo_catalog
    from prep_io.files import save_catalog

    folder.mkdir(parents=True, exist_ok=True)
    cat_dir = folder / "catalog"
    if not (cat_dir / "catalog.json").exists():
        save_catalog(demo_catalog(), cat_dir)
    print("Iniciando el servidor de sincronización… / starting the sync server…", flush=True)
    server = start_server(folder / "server", cat_dir, port=port, cut_every=5)
    data = folder / "station"
    if not is_initialized(data):
        create_station(data, "CATD-DEMO-01", "CATD 01 La Paz (demo)", "CATD", cat_dir, PASSPHRASE,
                       server.url)
        st = Station(data, PASSPHRASE)
        for uid, name, role, pw in USERS:
            add_operator(st.store, uid, name, role, pw)
    else:
        st = Station(data, PASSPHRASE)
        st.set_server(server.url)
    try:
        client = SyncClient(st, st.store, server.url)
        client.server_info()
        if client.http.get(f"{server.url}/api/v1/stations/{st.id}", timeout=10).status_code == 404:
            # the coordinator issues a code in the console, the station enrolls with it
            set_enrollment_code(st.store, issue_code(server.url, "CATD", st.config.name))
            client.status()
            # one CATD and no CCV: its two capturists verify each acta between them
            allow_alone(server.url, st.id)
    finally:
        st.close()
    inbox = folder / "escaner"
    if not inbox.exists() or not any(inbox.glob("*.jpg")):
        print(f"Generando {n_actas} actas de prueba… / generating test actas…", flush=True)
        from prep_tools.decks.deck import DeckOptions, generate_deck

        generate_deck(inbox, n_actas, seed=2024, opts=DeckOptions(
            templates=("bcs2024-diploc", "bcs2024-ayun"), p_qr_damage=0.0), workers=2)
        (inbox / "manifest.jsonl").rename(folder / "manifest.jsonl")
    print(f"""
PREP Abierto — demo
  Consola / console:  {server.url}/console/   usuario {ADMIN_USER}  contraseña {ADMIN_PASSWORD}
  Estación / station: frase de acceso / passphrase: {PASSPHRASE}
  Usuarios / users:   {", ".join(f"{u} / {p} ({r})" for u, _, r, p in USERS)}
  Carpeta vigilada / watched folder: {inbox}
  Publicación cada 5 min / published every 5 min: {folder / "server" / "data" / "publicacion"}
""", flush=True)
    return server, data, inbox


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="prep-demo", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", type=Path, default=Path("prep-demo"))
    ap.add_argument("--actas", type=int, default=12)
    ap.add_argument("--lang", choices=("es", "en"), default="es")
    ap.add_argument("--port", type=int, default=None)
    ap.add_argument("--check", action="store_true",
                    help="prepare everything, open the window offscreen, close it, exit")
    a = ap.parse_args(argv)
    if a.check:
        import os

        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    elif no_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    server, data, inbox = prepare(a.dir.resolve(), a.actas, a.port)
    try:
        from capture_station.ui.run import run_window

        return run_window(data, server.url, a.lang, str(inbox),
                          close_after_ms=500 if a.check else None)
    finally:
        server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
