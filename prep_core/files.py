"""The only module of the domain package that touches files: loading and
saving catalogs, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from prep_core.catalog import Catalog
from prep_core.catalog_format import catalog_files, parse_catalog
from prep_core.errors import CatalogError

MAX_CATALOG_BYTES = 200 * 1024 * 1024


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_CATALOG_BYTES:
            raise CatalogError("archivo demasiado grande", "file too large", where=str(path))
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise CatalogError("no existe el archivo", "file not found", where=str(path)) from exc
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"no es UTF-8 (byte {exc.start})", f"not UTF-8 (byte {exc.start})", where=str(path)
        ) from exc
    except OSError as exc:
        raise CatalogError(
            f"no se puede leer: {exc.strerror}", f"cannot read: {exc.strerror}", where=str(path)
        ) from exc


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load a catalog folder (``catalog.json`` + ``casillas.csv``) or its ``catalog.json``."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    return parse_catalog(
        _read_text(folder / "catalog.json"),
        _read_text(folder / "casillas.csv"),
        source=str(folder),
    )


def write_atomic(path: Path, data: bytes) -> None:
    """Temp file in the same folder, fsync, then rename over the target."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def save_catalog(catalog: Catalog, folder: str | os.PathLike[str]) -> Path:
    out = Path(folder)
    for name, text in catalog_files(catalog).items():
        write_atomic(out / name, text.encode())
    return out
