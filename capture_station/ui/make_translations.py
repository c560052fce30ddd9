"""Build ``resources/translations/station_en.ts`` and ``.qm`` from the English table.

    python -m capture_station.ui.make_translations [--check]

Every ``tr("…")`` literal in capture_station/ui is found with ``ast`` and must have
an English entry (``--check`` fails otherwise). The .qm is compiled with
``pyside6-lrelease``; without it the app uses the table directly.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from capture_station.ui.i18n import CONTEXT, TRANSLATIONS
from capture_station.ui.translations_en import EN

UI = Path(__file__).resolve().parent


def source_strings() -> set[str]:
    out = set()
    for p in UI.glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id == "tr" and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                out.add(node.args[0].value)
    return out


def write_ts(path: Path) -> None:
    rows = [f"    <message>\n        <source>{escape(k)}</source>\n"
            f"        <translation>{escape(v)}</translation>\n    </message>"
            for k, v in sorted(EN.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n'
                    '<TS version="2.1" language="en" sourcelanguage="es_MX">\n'
                    f"<context>\n    <name>{CONTEXT}</name>\n" + "\n".join(rows)
                    + "\n</context>\n</TS>\n", encoding="utf-8")


def lrelease() -> str | None:
    exe = shutil.which("pyside6-lrelease") or str(Path(sys.executable).parent / "pyside6-lrelease")
    return exe if Path(exe).exists() else None


def main(argv: list[str] | None = None) -> int:
    missing = sorted(source_strings() - set(EN))
    if missing:
        print("sin traducción / missing English:", *missing, sep="\n  ")
        return 1
    if argv and "--check" in argv:
        return 0
    ts = TRANSLATIONS / "station_en.ts"
    write_ts(ts)
    exe = lrelease()
    if exe is None:
        print("pyside6-lrelease not found: the app will use the table directly")
        return 0
    subprocess.run([exe, str(ts), "-qm", str(ts.with_suffix(".qm"))], check=True)
    print(ts.with_suffix(".qm"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
