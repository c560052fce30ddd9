"""A station's scope: the actas it may send events for (docs/EVENTS.md, authority).

Stored as JSON on ``stations.scope``: ``{"distritos": [1, 4]}`` or
``{"municipios": [3]}``; NULL means every acta of the catalog. An acta is in
scope when its casilla's distrito (or municipio) is listed; an acta outside the
catalog (fuera de catálogo) is in scope only for a station without a scope.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from prep_core.catalog import Catalog
from sync_server.services.errors import unprocessable

KINDS = ("distritos", "municipios")
MAX_ITEMS = 1_000


@dataclass(frozen=True)
class Scope:
    kind: str  # distritos or municipios
    ids: frozenset[int]

    def covers(self, catalog: Catalog, clave_acta: str) -> bool:
        acta = catalog.acta(clave_acta)
        if acta is None:
            return False
        c = acta.casilla
        return (c.id_distrito if self.kind == "distritos" else c.id_municipio) in self.ids

    def to_json(self) -> str:
        return json.dumps({self.kind: sorted(self.ids)}, separators=(",", ":"))

    def describe(self) -> str:
        return f"{self.kind} {', '.join(str(i) for i in sorted(self.ids))}"


def parse_scope(doc: Any) -> Scope | None:
    """A scope from outside (console form, enrollment code, stored JSON); None: all actas.
    Raises 422 ``bad_scope`` naming what is wrong."""
    if doc is None or doc == {}:
        return None
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            raise _bad("el ámbito no es JSON", "the scope is not JSON") from None
        if doc is None:
            return None
    if not isinstance(doc, Mapping) or len(doc) != 1 or next(iter(doc)) not in KINDS:
        raise _bad(
            "el ámbito es {\"distritos\": [...]} o {\"municipios\": [...]}",
            "the scope is {\"distritos\": [...]} or {\"municipios\": [...]}",
        )
    kind, ids = next(iter(doc.items()))
    if (
        not isinstance(ids, list)
        or not 0 < len(ids) <= MAX_ITEMS
        or not all(type(i) is int and 0 < i < 100_000 for i in ids)
    ):
        raise _bad(
            f"{kind}: una lista de números positivos",
            f"{kind}: a list of positive numbers",
        )
    return Scope(kind, frozenset(ids))


def _bad(es: str, en: str) -> Exception:
    return unprocessable("bad_scope", es, en)
