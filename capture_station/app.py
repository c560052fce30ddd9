"""``prep-station``: the capture station desktop app.

    prep-station [--data DIR] [--server URL] [--lang es|en] [--folder DIR]
    prep-station --self-test [ACTA] [--data DIR]   (docs/INSTALL.md)

Without a display, run it offscreen (``QT_QPA_PLATFORM=offscreen``, for tests and
screenshots) or under a virtual display (``xvfb-run prep-station``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="prep-station",
        description="Estación de captura del PREP / PREP capture station",
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help",
                   help="muestra esta ayuda y termina / show this help and exit")
    p.add_argument("--data", default=os.environ.get("PREP_STATION_DATA", ""),
                   metavar="CARPETA",
                   help="carpeta de datos de la estación (se crea la primera vez; o "
                        "PREP_STATION_DATA) / station data folder (created on first run)")
    p.add_argument("--server", default="", metavar="URL",
                   help="URL del servidor de sincronización, p. ej. http://127.0.0.1:8000 / "
                        "sync server URL")
    p.add_argument("--lang", choices=("es", "en"), default=None,
                   help="idioma de la interfaz (por omisión el de la estación, o es) / "
                        "interface language (default: the station's, or es)")
    p.add_argument("--folder", default="", metavar="CARPETA",
                   help="carpeta vigilada donde guarda el escáner / watched folder the scanner "
                        "saves into")
    p.add_argument("--font-size", type=int, default=11, metavar="PT",
                   help="tamaño de letra en puntos / font size in points")
    p.add_argument("--self-test", type=Path, nargs="?", const=Path(), metavar="ACTA",
                   help="autoprueba de la instalación: catálogo, modelos, una imagen de acta "
                        "(por omisión la de muestra) y la ventana, en una carpeta desechable "
                        "(o --data) / installation self-test: catalog, models, an acta image "
                        "(default: the sample) and the window, in a throwaway folder (or --data)")
    return p.parse_args(argv)


def no_display() -> bool:
    return (sys.platform.startswith("linux") and not os.environ.get("DISPLAY")
            and not os.environ.get("WAYLAND_DISPLAY")
            and os.environ.get("QT_QPA_PLATFORM", "") not in ("offscreen", "minimal", "vnc"))


NO_DISPLAY_HELP = (
    "No hay pantalla (DISPLAY vacío). Opciones / No display. Options:\n"
    "  xvfb-run -a prep-station ...          (apt-get install xvfb xauth libxcb-cursor0)\n"
    "  QT_QPA_PLATFORM=offscreen prep-station ...   (sin ventana visible; pruebas y capturas)\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if no_display():
        print(NO_DISPLAY_HELP, file=sys.stderr)
        return 2
    if args.self_test is not None:
        from capture_station.selftest import SAMPLE, run

        return run(args.self_test if args.self_test != Path() else SAMPLE, args.data)
    from capture_station.station import StationConfig, is_initialized
    from capture_station.ui.run import run_window

    data = Path(args.data or "prep-station-data")
    lang = args.lang or (StationConfig.load(data).lang if is_initialized(data) else "es")
    return run_window(data, args.server, lang, args.folder, args.font_size)


if __name__ == "__main__":
    raise SystemExit(main())
