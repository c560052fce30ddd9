"""Data the tools may use from outside the repository, named by ``PREP_SHARED``.

``PREP_SHARED`` is a folder with ``handwriting/`` (one handwriting font per person:
the writers of the test decks) and ``forms/`` (INE's blank PDF forms). Without it the
decks are drawn with MNIST digits and a system font, and the forms from their templates;
a tool that cannot do without it says so (:func:`require_shared`).
"""

from __future__ import annotations

import os
from pathlib import Path

ENV = "PREP_SHARED"


class SharedDataMissing(RuntimeError):
    """The folder a tool needs is not named by ``PREP_SHARED`` or does not exist."""


def shared_dir(sub: str) -> Path | None:
    """``$PREP_SHARED/sub`` when the variable is set and the folder exists, else None."""
    root = os.environ.get(ENV)
    if not root:
        return None
    p = Path(root) / sub
    return p if p.is_dir() else None


def require_shared(sub: str) -> Path:
    p = shared_dir(sub)
    if p is None:
        root = os.environ.get(ENV)
        where = f"{root}/{sub}" if root else f"${ENV}/{sub} ({ENV} no definida / not set)"
        raise SharedDataMissing(f"falta la carpeta {where} / missing folder {where}")
    return p
