"""Where ``prep verify-publication`` reads a publication from: a folder as mirrored
(the publication root, or one cut's folder in it) or a web address.

:func:`open_publication` gives a reader (path under the root → bytes, or None
when absent), the cut's folder relative to the root (``cortes/<corte>``), and,
for a folder, the names of the files in the cut's folder (so that a file the
manifest does not list is reported).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from prep_core.errors import PrepError
from prep_core.manifest import NAME

LATEST = "ultimo.json"
MAX_BYTES = 512 * 1024 * 1024


@dataclass
class Publication:
    read: Callable[[str], bytes | None]
    cut_dir: str
    present: list[str] | None


def open_publication(target: str, *, timeout: float = 30) -> Publication:
    if target.startswith(("http://", "https://")):
        return _open_url(target.rstrip("/"), timeout)
    return _open_dir(Path(target))


def _open_dir(path: Path) -> Publication:
    if not path.is_dir():
        raise PrepError("no existe la carpeta", "no such folder", where=str(path))
    path = path.resolve()  # cortes/actual is a link to the current cut
    if (path / NAME).exists():
        root, cut_dir = path.parent.parent, f"cortes/{path.name}"
    elif (path / LATEST).exists():
        root, cut_dir = path, f"cortes/{_latest_cut(path / LATEST)}"
    else:
        raise PrepError(
            f"no es una publicación: no tiene {LATEST} ni {NAME}",
            f"not a publication: it holds neither {LATEST} nor {NAME}",
            where=str(path),
        )

    def read(rel: str) -> bytes | None:
        p = root / rel
        try:
            return p.read_bytes() if p.is_file() else None
        except OSError:
            return None

    folder = root / cut_dir
    present = sorted(
        p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()
    )
    return Publication(read, cut_dir, present)


def _latest_cut(path: Path) -> str:
    try:
        return str(json.loads(path.read_text(encoding="utf-8"))["corte"])
    except (ValueError, KeyError, TypeError, OSError):
        raise PrepError("ilegible", "unreadable", where=str(path)) from None


def _open_url(url: str, timeout: float) -> Publication:
    import requests

    session = requests.Session()

    def get(full: str) -> bytes | None:
        try:
            r = session.get(full, timeout=timeout)
        except requests.RequestException as exc:
            raise PrepError(
                "no se pudo descargar", f"could not download: {type(exc).__name__}", where=full
            ) from None
        if r.status_code == 404:
            return None
        if r.status_code != 200 or len(r.content) > MAX_BYTES:
            raise PrepError(
                f"respuesta HTTP {r.status_code}", f"HTTP answer {r.status_code}", where=full
            )
        return r.content

    if url.endswith("/cortes/actual"):  # the link to the current cut: ask the root
        url = url[: -len("/cortes/actual")]
    latest = get(f"{url}/{LATEST}")
    if latest is not None:
        root = url
        try:
            cut_dir = f"cortes/{json.loads(latest)['corte']}"
        except (ValueError, KeyError, TypeError):
            raise PrepError("ilegible", "unreadable", where=f"{url}/{LATEST}") from None
    elif get(f"{url}/{NAME}") is not None:
        parts = url.rsplit("/", 2)
        if len(parts) < 3:
            raise PrepError("dirección sin carpeta de corte", "address without a cut folder",
                            where=url)
        root, cut_dir = parts[0], f"cortes/{parts[2]}"
    else:
        raise PrepError(
            f"no es una publicación: no tiene {LATEST} ni {NAME}",
            f"not a publication: it holds neither {LATEST} nor {NAME}",
            where=url,
        )
    return Publication(lambda rel: get(f"{root}/{rel}"), cut_dir, None)
