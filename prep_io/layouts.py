"""Layout profiles of published databases, read from files (``resources/layouts``)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from prep_core.layout import Layout, LayoutError, parse_layout

LAYOUTS_DIR = Path(__file__).resolve().parents[1] / "resources" / "layouts"
MAX_LAYOUT_BYTES = 1024 * 1024


def load_layout(path: str | os.PathLike[str]) -> Layout:
    """One profile file; a bad one names the file and the key."""
    p = Path(path)
    try:
        if p.stat().st_size > MAX_LAYOUT_BYTES:
            raise LayoutError("archivo demasiado grande", "file too large", where=str(p))
        doc = json.loads(p.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise LayoutError("no existe el perfil", "layout profile not found", where=str(p)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LayoutError(
            f"no se puede leer el perfil: {exc}", f"cannot read the profile: {exc}", where=str(p)
        ) from None
    return parse_layout(doc, where=str(p))


def shipped_layouts(folder: str | os.PathLike[str] | None = None) -> tuple[Layout, ...]:
    """Every profile shipped with the project, INE's federal layout first."""
    d = Path(folder) if folder is not None else LAYOUTS_DIR
    found = tuple(load_layout(p) for p in sorted(d.glob("*.json")))
    return tuple(sorted(found, key=lambda lay: lay.id != "ine-federal"))


def find_layout(name: str, folder: str | os.PathLike[str] | None = None) -> Layout:
    """A shipped profile by its id, or a profile file by its path."""
    if name.endswith(".json") or os.sep in name:
        return load_layout(name)
    layouts = shipped_layouts(folder)
    for lay in layouts:
        if lay.id == name:
            return lay
    ids = [lay.id for lay in layouts]
    raise LayoutError(
        f"perfil de formato desconocido {name!r}; hay: {ids}",
        f"unknown layout profile {name!r}; available: {ids}",
        where="--layout",
    )
