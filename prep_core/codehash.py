"""The code hash: one SHA-256 over a canonical list of the installed code and
resource files (docs/SERVER.md, "Audit duties").

The list has one line per file, ``<sha256>  <path>`` (the format of
``sha256sum``), paths relative to the installation with ``/`` separators, sorted
by path, LF line ends. The code hash is the SHA-256 of that text. Anyone holding
the list can recompute each file's hash and name the files that differ
(:func:`compare_lists`). Reading the files is :mod:`prep_io.codehash`'s job.

A release manifest (docs/INSTALL.md) is the same format over every file of a
bundle, with ``# `` comment lines on top (``sha256sum -c`` skips them too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from prep_core.errors import PrepError


def code_list(entries: Iterable[tuple[str, str]]) -> str:
    """The canonical list from ``(path, sha256)`` pairs."""
    return "".join(f"{digest}  {path}\n" for path, digest in sorted(entries))


def code_hash(list_text: str) -> str:
    return hashlib.sha256(list_text.encode("utf-8")).hexdigest()


def parse_list(text: str, *, where: str = "lista") -> dict[str, str]:
    """``{path: sha256}`` from a list in the canonical format (``#`` lines are comments)."""
    out: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or not path:
            raise PrepError(
                "línea que no es «sha256  ruta»",
                "line is not 'sha256  path'",
                where=f"{where} línea {n}",
            )
        out[path] = digest.lower()
    return out


@dataclass(frozen=True)
class Difference:
    path: str
    what: str  # "changed", "missing" (listed, not installed), "extra" (installed, not listed)

    def message(self) -> str:
        es = {"changed": "difiere", "missing": "falta", "extra": "no está en la lista"}[self.what]
        en = {"changed": "differs", "missing": "is missing", "extra": "is not in the list"}[
            self.what
        ]
        return f"{self.path}: {es} / {en}"


def compare_lists(expected: dict[str, str], installed: dict[str, str]) -> list[Difference]:
    """Each file whose hash differs, that is missing, or that is not in ``expected``."""
    out = [
        Difference(p, "changed" if p in installed else "missing")
        for p in sorted(expected)
        if installed.get(p) != expected[p]
    ]
    out += [Difference(p, "extra") for p in sorted(set(installed) - set(expected))]
    return out


def comments(text: str) -> dict[str, str]:
    """The ``# key: value`` lines of a list (a release manifest's header)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.removeprefix("#").partition(":")
        if line.startswith("#") and sep:
            out[key.strip()] = value.strip()
    return out
