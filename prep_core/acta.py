"""The figures written on an acta besides the votes (DOMAIN.md §4, §6)."""

from __future__ import annotations

FIGURE_FIELDS = (
    "TOTAL_BOLETAS_SOBRANTES",
    "TOTAL_PERSONAS_VOTARON",
    "TOTAL_REP_PARTIDO_CI_VOTARON",
    "TOTAL_VOTOS_SACADOS",
)
TOTAL_FIELD = "TOTAL_VOTOS_ASENTADO"


def acta_fields(vote_fields: tuple[str, ...]) -> tuple[str, ...]:
    """Every figure captured from an acta, in published column order."""
    return (*FIGURE_FIELDS, *vote_fields, TOTAL_FIELD)
