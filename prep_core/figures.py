"""The figures of a cut: the header of the published database (DOMAIN.md §5).

Exact arithmetic: integers throughout; percentages carry four decimals with
the fourth truncated, never rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from prep_core.counting import Decision

HEADER_FIELDS = (
    "ACTAS_ESPERADAS",
    "ACTAS_REGISTRADAS",
    "ACTAS_FUERA_CATALOGO",
    "ACTAS_CAPTURADAS",
    "PORCENTAJE_ACTAS_CAPTURADAS",
    "ACTAS_CONTABILIZADAS",
    "PORCENTAJE_ACTAS_CONTABILIZADAS",
    "PORCENTAJE_ACTAS_INCONSISTENCIAS",
    "ACTAS_NO_CONTABILIZADAS",
    "LISTA_NOMINAL_ACTAS_CONTABILIZADAS",
    "TOTAL_VOTOS_C_CS",
    "TOTAL_VOTOS_S_CS",
    "PORCENTAJE_PARTICIPACION_CIUDADANA",
)


def truncated_percent(part: int, whole: int) -> Decimal:
    """``part / whole × 100`` with four decimals, the fourth truncated (0 when whole is 0)."""
    if whole <= 0:
        return Decimal("0.0000")
    scaled = part * 1_000_000 // whole  # hundredths of a percent × 100
    return Decimal(scaled).scaleb(-4)


class ActaOutcome(NamedTuple):
    """What the figures need of one registered acta."""

    decision: Decision
    lista_nominal: int
    total_calculado: int
    especial: bool


@dataclass(frozen=True)
class CutFigures:
    actas_esperadas: int
    actas_registradas: int
    actas_fuera_catalogo: int
    actas_capturadas: int
    porcentaje_actas_capturadas: Decimal
    actas_contabilizadas: int
    porcentaje_actas_contabilizadas: Decimal
    porcentaje_actas_inconsistencias: Decimal
    actas_no_contabilizadas: int
    lista_nominal_actas_contabilizadas: int
    total_votos_c_cs: int
    total_votos_s_cs: int
    porcentaje_participacion_ciudadana: Decimal

    def as_header(self) -> dict[str, str]:
        """Every header field under its INE name, as published text."""
        return {name: str(getattr(self, name.lower())) for name in HEADER_FIELDS}


def cut_figures(
    esperadas: int, outcomes: Iterable[ActaOutcome], *, final: bool = False
) -> CutFigures:
    """Figures over the registered actas of one election.

    Participation: during operation the casillas especiales are left out
    (TOTAL_VOTOS_S_CS); at the final cut they are included (TOTAL_VOTOS_C_CS).
    """
    registradas = fuera = capturadas = contabilizadas = inconsistentes = 0
    ln = votos_c = votos_s = ln_s = 0
    for o in outcomes:
        registradas += 1
        d = o.decision
        if d.fuera_de_catalogo:
            fuera += 1
            continue
        capturadas += 1
        if d.inconsistent:
            inconsistentes += 1
        if d.counted:
            contabilizadas += 1
            ln += o.lista_nominal
            votos_c += o.total_calculado
            if not o.especial:
                votos_s += o.total_calculado
                ln_s += o.lista_nominal
    participacion = truncated_percent(votos_c, ln) if final else truncated_percent(votos_s, ln_s)
    return CutFigures(
        actas_esperadas=esperadas,
        actas_registradas=registradas,
        actas_fuera_catalogo=fuera,
        actas_capturadas=capturadas,
        porcentaje_actas_capturadas=truncated_percent(capturadas, esperadas),
        actas_contabilizadas=contabilizadas,
        porcentaje_actas_contabilizadas=truncated_percent(contabilizadas, esperadas),
        porcentaje_actas_inconsistencias=truncated_percent(inconsistentes, esperadas),
        actas_no_contabilizadas=capturadas - contabilizadas,
        lista_nominal_actas_contabilizadas=ln,
        total_votos_c_cs=votos_c,
        total_votos_s_cs=votos_s,
        porcentaje_participacion_ciudadana=participacion,
    )
