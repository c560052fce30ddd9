"""Catalog folders loaded and saved, and files written atomically."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from prep_core.catalog import Catalog
from prep_core.catalog_format import catalog_files, parse_catalog
from prep_core.errors import CatalogError

MAX_CATALOG_BYTES = 200 * 1024 * 1024


OS_REASONS = {
    errno.EACCES: ("permiso denegado", "permission denied"),
    errno.EPERM: ("operación no permitida", "operation not permitted"),
    errno.EISDIR: ("es una carpeta", "is a folder"),
    errno.ENOTDIR: ("no es una carpeta", "not a folder"),
    errno.ENOENT: ("no existe", "does not exist"),
    errno.ENOSPC: ("no queda espacio en el disco", "no space left on the disk"),
    errno.EIO: ("error de entrada/salida del disco", "disk input/output error"),
}


def os_reason(exc: OSError) -> tuple[str, str]:
    """Why a file operation failed, in Spanish and in English."""
    es, en = OS_REASONS.get(exc.errno or 0, ("error del sistema", exc.strerror or "system error"))
    return es + (f" (errno {exc.errno})" if exc.errno not in OS_REASONS else ""), en


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
        es, en = os_reason(exc)
        raise CatalogError(f"no se puede leer: {es}", f"cannot read: {en}", where=str(path)) from exc


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load a catalog folder (``catalog.json`` + ``casillas.csv``) or its ``catalog.json``."""
    p = Path(path)
    if not p.exists():
        raise CatalogError("no existe la carpeta del catálogo", "catalog folder not found",
                           where=str(p))
    folder = p if p.is_dir() else p.parent
    return parse_catalog(
        _read_text(folder / "catalog.json"),
        _read_text(folder / "casillas.csv"),
        source=str(folder),
    )


def write_atomic(path: Path, data: bytes, *, mode: int | None = None) -> None:
    """Temp file in the same folder, fsync, then rename over the target. The file
    is private (0600) unless ``mode`` is given (0o644 for what is published)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        if mode is not None:
            os.fchmod(fd, mode)
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
