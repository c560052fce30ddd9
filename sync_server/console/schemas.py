"""Request bodies of the console's JSON API that more than one route reads."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Ids = Annotated[
    list[Annotated[int, Field(gt=0, lt=100_000)]], Field(min_length=1, max_length=1_000)
]


class DistritosScope(BaseModel):
    """Actas of these distritos only."""

    model_config = ConfigDict(extra="forbid")
    distritos: Ids


class MunicipiosScope(BaseModel):
    """Actas of these municipios only."""

    model_config = ConfigDict(extra="forbid")
    municipios: Ids


Scope = DistritosScope | MunicipiosScope


def scope_doc(scope: Scope | None) -> dict[str, list[int]] | None:
    """The scope as the services take it (``{"distritos": [...]}``), or None: every acta."""
    return scope.model_dump() if scope is not None else None
