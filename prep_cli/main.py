"""``prep``: admin and batch commands. Expected failures print a clear message
naming the place (Spanish, then English) and exit with status 2; no traceback."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from collections.abc import Sequence

from prep_core.errors import PrepError

# Optional command groups contributed by the applications (absent ones are skipped).
EXTENSIONS = (
    "prep_cli.ocr_commands",
    "prep_cli.server_commands",
    "prep_cli.publication_commands",
    "prep_cli.simulacro_commands",
)


def build_parser() -> argparse.ArgumentParser:
    from prep_cli import core_commands

    parser = argparse.ArgumentParser(
        prog="prep",
        description="PREP Abierto: comandos de administración / admin and batch commands",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMANDO")
    bench = sub.add_parser("bench", help="mediciones de velocidad / benchmarks")
    bench_sub = bench.add_subparsers(dest="target", required=True, metavar="OBJETIVO")
    core_commands.add_parsers(sub)
    core_commands.add_bench_target(bench_sub)
    for name in EXTENSIONS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        mod.add_parsers(sub)
        if hasattr(mod, "add_bench_target"):
            # a benchmark of the tools ([tools]): absent from the programs' installs
            with contextlib.suppress(ModuleNotFoundError):
                mod.add_bench_target(bench_sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except PrepError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as exc:  # a command of a part this install lacks
        print(f"error: {missing_part(exc.name or '?')}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


# the extra of pyproject.toml that brings each third-party module a command may need
PARTS = {"fastapi": "server", "sqlalchemy": "server", "uvicorn": "server", "alembic": "server",
         "psycopg": "server", "cv2": "station", "numpy": "station", "onnxruntime": "station",
         "PIL": "station", "pyzbar": "station", "PySide6": "station", "qrcode": "tools",
         "mlxtend": "tools", "pytesseract": "tools"}


def missing_part(module: str) -> str:
    part = PARTS.get(module.split(".")[0], "dev")
    return (f"falta el módulo {module}; instale esa parte: pip install 'prep-abierto[{part}]' / "
            f"module {module} is missing; install that part: pip install 'prep-abierto[{part}]'")


if __name__ == "__main__":
    sys.exit(main())
