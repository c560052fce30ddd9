"""When an acta counts (DOMAIN.md §4): CONTABILIZADA and OBSERVACIONES.

Only the vote fields decide; the other figures are recorded but add no legend.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeGuard

from prep_core.values import FieldValue, Mark


class Legend(enum.Enum):
    EXCEDE = "Excede Lista Nominal"
    ILEGIBLE = "Ilegible"
    SIN_DATO = "Sin dato"
    TODOS_ILEGIBLES = "Todos los campos ilegibles"
    TODOS_VACIOS = "Todos los campos vacíos"


class SinActaCause(enum.IntEnum):
    PAQUETE_NO_ENTREGADO = 1
    CASILLA_NO_INSTALADA = 2
    SIN_SOBRE = 3
    CONTINGENCIA_URNA_ELECTRONICA = 4


CONTABILIZADA = 1
NO_CONTABILIZADA = 0
FUERA_DE_CATALOGO = 2
FUERA_DE_CATALOGO_TEXT = "Fuera de catálogo"

INCONSISTENCIES = frozenset(Legend)


@dataclass(frozen=True)
class Decision:
    contabilizada: int
    legends: tuple[Legend, ...] = ()
    sin_acta: SinActaCause | None = None
    no_acta: bool = False  # Sin acta; ``sin_acta`` holds its cause when known
    fuera_de_catalogo: bool = False
    limit_unknown: bool = False  # an especial whose approved ballots are unknown

    @property
    def counted(self) -> bool:
        return self.contabilizada == CONTABILIZADA

    @property
    def inconsistent(self) -> bool:
        """Marked Excede lista nominal, Ilegible or Sin dato (some or all fields)."""
        return bool(self.legends) and not self.fuera_de_catalogo

    @property
    def observaciones(self) -> str:
        if self.no_acta:
            return f"Sin acta({int(self.sin_acta)})" if self.sin_acta else "Sin acta"
        if self.fuera_de_catalogo:
            return FUERA_DE_CATALOGO_TEXT
        if not self.legends:
            return ""
        return "[" + ", ".join(f"'{lg.value}'" for lg in self.legends) + "]"


# isinstance(v, int), called from C
_is_int: Callable[[object], TypeGuard[int]] = int.__instancecheck__  # type: ignore[assignment]


def total_calculado(votes: Iterable[FieldValue | None]) -> int:
    """TOTAL_VOTOS_CALCULADO: the sum of all vote fields, Ilegible, Sin dato and No
    aplica as 0."""
    return sum(filter(_is_int, votes))


def decide(
    votes: Iterable[FieldValue],
    limit: int | None,
    *,
    fuera_de_catalogo: bool = False,
    total: int | None = None,
) -> Decision:
    """Decide CONTABILIZADA for a captured acta.

    ``limit`` is LN + representantes (especiales: approved ballots +
    representantes); None skips the Excede check (unknown ballots, or a casilla
    without a lista nominal). No aplica fields are left out: an acta whose every
    field that applies is Ilegible is "Todos los campos ilegibles".
    """
    values = votes if isinstance(votes, list) else list(votes)
    if Mark.NO_APLICA in values:  # not on this acta: out of every test and of the sum
        values = [v for v in values if v is not Mark.NO_APLICA]
    ilegible = values.count(Mark.ILEGIBLE)
    sin_dato = values.count(Mark.SIN_DATO)
    n = len(values)
    case: tuple[object, ...]
    if n and ilegible == n:
        case = _TODOS_ILEGIBLES
    elif n and sin_dato == n:
        case = _TODOS_VACIOS
    else:
        if total is None:
            total = total_calculado(values)
        excede = limit is not None and total > limit
        case = (excede, ilegible > 0, sin_dato > 0)
    return _decision(case, fuera_de_catalogo, limit is None)


_TODOS_ILEGIBLES = (False, True, False, Legend.TODOS_ILEGIBLES)
_TODOS_VACIOS = (False, False, True, Legend.TODOS_VACIOS)


@functools.cache
def _decision(case: tuple[object, ...], fuera: bool, limit_unknown: bool) -> Decision:
    """Decisions are few and immutable: one shared instance per case."""
    legends: tuple[Legend, ...]
    if len(case) == 4:
        legends, counts = (case[3],), False  # type: ignore[assignment]
    else:
        excede, ilegible, sin_dato = case
        legends = tuple(
            lg
            for lg, present in (
                (Legend.EXCEDE, excede),
                (Legend.ILEGIBLE, ilegible),
                (Legend.SIN_DATO, sin_dato),
            )
            if present
        )
        counts = not excede
    if fuera:
        return Decision(FUERA_DE_CATALOGO, legends, fuera_de_catalogo=True)
    return Decision(
        CONTABILIZADA if counts else NO_CONTABILIZADA, legends, limit_unknown=limit_unknown
    )


def decide_sin_acta(cause: SinActaCause | None) -> Decision:
    """Sin acta: never counted; OBSERVACIONES ``Sin acta(N)``."""
    return Decision(NO_CONTABILIZADA, sin_acta=cause, no_acta=True)
