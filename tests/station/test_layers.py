"""All Qt code lives in capture_station/ui; the station never imports the server."""

from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[2] / "capture_station"


def _imports(p: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def test_qt_only_in_ui_and_no_server_imports():
    for p in PKG.rglob("*.py"):
        rel = p.relative_to(PKG).parts
        mods = _imports(p)
        assert not any(m.startswith("sync_server") for m in mods), p
        if rel[0] not in ("ui", "recognition"):
            assert not any(m.startswith("PySide6") for m in mods), p
