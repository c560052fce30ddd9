"""The installed files behind the code hash (:mod:`prep_core.codehash`).

The canonical set: every file of the project's packages and of ``resources/``
(when it stands beside them) whose suffix is code or a resource the programs
read, skipping caches. Paths are relative to the folder that holds the packages.

A bundle (docs/INSTALL.md) is checked whole instead: every file under its folder,
whatever its name, caches included (a planted ``.pyc`` is named, not skipped).
"""

from __future__ import annotations

import hashlib
import sys
from functools import cache
from pathlib import Path

import prep_core
from prep_core.codehash import code_hash, code_list

PACKAGES = (
    "prep_core",
    "prep_io",
    "prep_cli",
    "prep_demo",
    "capture_station",
    "sync_server",
    "resources",
)
SUFFIXES = frozenset(
    {".py", ".json", ".csv", ".onnx", ".ts", ".qm", ".html", ".js", ".css", ".ini", ".mako",
     ".txt", ".toml", ".png", ".svg", ".jpg"}
)
SKIP_DIRS = frozenset({"__pycache__", ".mypy_cache", ".pytest_cache"})


def install_root() -> Path:
    return Path(prep_core.__file__).resolve().parent.parent


def _wanted(path: Path, root: Path) -> bool:
    rel = path.relative_to(root).parts
    return (
        path.is_file()
        and path.suffix in SUFFIXES
        and not any(p in SKIP_DIRS or p.startswith(".") for p in rel)
    )


def installed_files(root: Path | None = None) -> dict[str, str]:
    """``{relative path: sha256}`` of the canonical set of installed files."""
    root = root or install_root()
    out: dict[str, str] = {}
    for pkg in PACKAGES:
        base = root / pkg
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            if _wanted(path, root):
                out[path.relative_to(root).as_posix()] = hashlib.sha256(
                    path.read_bytes()
                ).hexdigest()
    return out


def installed_list(root: Path | None = None) -> str:
    return code_list(installed_files(root).items())


@cache
def running_code_hash() -> str:
    """The code hash of this installation (computed once per process)."""
    return code_hash(installed_list())


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def running_bundle() -> Path | None:
    """The folder of the bundle this program runs from (PyInstaller), else None."""
    return Path(sys.executable).resolve().parent if getattr(sys, "frozen", False) else None


def bundle_files(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root`` (symbolic links
    are hashed as the file they point to)."""
    return {
        p.relative_to(root).as_posix(): _digest(p)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def bundle_code_root(root: Path) -> Path:
    """Where a bundle keeps the packages (PyInstaller's ``_internal``)."""
    return next((p.parent.parent for p in sorted(root.glob("*/prep_core/__init__.py"))), root)


def bundle_manifest(root: Path) -> str:
    """The release manifest: the code hash as a ``# `` line, then the canonical list of
    every file of the bundle (build-bundle.sh adds its own ``# `` lines on top)."""
    top = f"# prep-abierto code hash: {code_hash(installed_list(bundle_code_root(root)))}\n"
    return top + code_list(bundle_files(root).items())
