"""What the final cut must say, computed from the truth table alone.

Written apart from the server's counting (``prep_core.counting``, ``figures``) and
from :mod:`prep_core.crosscheck`: from each acta's true values, the catalog's lista
nominal, representantes and especiales' ballots, and the rules of docs/DOMAIN.md —
fuera de catálogo is registered and never captured or counted; Sin acta is captured,
not counted, not inconsistent; an acta whose vote figures are all Ilegible or all
Sin dato is captured, not counted and inconsistent; otherwise its total is the sum of
its vote figures, it exceeds above its limit, and it is counted unless it exceeds,
inconsistent when it exceeds or holds any Ilegible or Sin dato vote figure. A cell
that does not apply (N/A) is left out of all of it; a casilla type without a lista
nominal (the catalog's list) is never Excede.
Percentages: four decimals, truncated (Decimal arithmetic here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from prep_core.catalog import Catalog
from prep_sim.truth import NO_APLICA, Truth


def percent(part: int, whole: int) -> str:
    if whole <= 0:
        return "0.0000"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_DOWN))


@dataclass
class Expected:
    header: dict[str, str]
    votes: dict[str, int]
    counted: set[str] = field(default_factory=set)


def expected_cut(catalog: Catalog, truth: Truth, election_id: str, *, final: bool = False) -> Expected:
    e = catalog.election(election_id)
    acts = [a for a in truth.actas if a.election == election_id]
    n_expected = catalog.expected_count(election_id)
    votes = dict.fromkeys(e.vote_fields, 0)
    captured = counted = inconsistent = fuera = 0
    ln_all = ln_ord = v_all = v_ord = 0
    counted_claves: set[str] = set()
    for a in acts:
        if a.fuera:
            fuera += 1
            continue
        captured += 1
        if a.values is None:
            continue
        # a cell that does not apply (a combination absent from this casilla) is no
        # figure at all: neither Sin dato nor Ilegible
        cells = [a.values[f] for f in e.vote_fields if a.values[f] != NO_APLICA]
        ints = [v for v in cells if isinstance(v, int)]
        marks = len(cells) - len(ints)
        if not ints and (all(v == "Ilegible" for v in cells) or all(v == "Sin dato" for v in cells)):
            inconsistent += 1
            continue
        c = catalog.acta(a.clave_acta).casilla  # type: ignore[union-attr]
        if c.key.tipo in catalog.sin_lista_nominal:
            limit = None  # abroad, early vote…: no lista nominal, never Excede
        elif c.especial:
            limit = None if c.boletas_especial is None else c.boletas_especial + c.representantes
        else:
            limit = c.lista_nominal + c.representantes
        total = sum(ints)
        exceeds = limit is not None and total > limit
        if exceeds or marks:
            inconsistent += 1
        if exceeds:
            continue
        counted += 1
        counted_claves.add(a.clave_acta)
        ln_all += c.lista_nominal
        v_all += total
        if not c.especial:
            ln_ord += c.lista_nominal
            v_ord += total
        for f in e.vote_fields:
            if isinstance(a.values[f], int):
                votes[f] += a.values[f]
    header = {
        "ACTAS_ESPERADAS": str(n_expected),
        "ACTAS_REGISTRADAS": str(captured + fuera),
        "ACTAS_FUERA_CATALOGO": str(fuera),
        "ACTAS_CAPTURADAS": str(captured),
        "PORCENTAJE_ACTAS_CAPTURADAS": percent(captured, n_expected),
        "ACTAS_CONTABILIZADAS": str(counted),
        "PORCENTAJE_ACTAS_CONTABILIZADAS": percent(counted, n_expected),
        "PORCENTAJE_ACTAS_INCONSISTENCIAS": percent(inconsistent, n_expected),
        "ACTAS_NO_CONTABILIZADAS": str(captured - counted),
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": str(ln_all),
        "TOTAL_VOTOS_C_CS": str(v_all),
        "TOTAL_VOTOS_S_CS": str(v_ord),
        "PORCENTAJE_PARTICIPACION_CIUDADANA": percent(v_all, ln_all) if final else percent(v_ord, ln_ord),
    }
    return Expected(header, votes, counted_claves)
