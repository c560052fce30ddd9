"""A second count of a published cut, written apart from the counting code.

The cut (:mod:`prep_core.counting`, :mod:`prep_core.figures`) and :func:`recount`
(:mod:`prep_core.recount`) share ``decide`` and ``cut_figures``: a mistake there would be
made twice and agree with itself. This module applies the rules of
[docs/DOMAIN.md](../docs/DOMAIN.md) again, from the cells' text, with none of that code:
no ``Decision``, no legends, no cached cases; plain counters and its own percentage
arithmetic. Only the reading of the CSV (:func:`prep_core.published.read_results_csv`)
is shared, which is the file's layout, not a rule.

The rules, as applied here to each row of the published file:

- *fuera de catálogo*: CLAVE_CASILLA is ``-`` or UBICACION_CASILLA is 3. Registered, not
  captured, never counted, never inconsistent.
- *Sin acta*: any vote cell reads ``Sin acta`` or OBSERVACIONES starts with it. Captured,
  not counted, not inconsistent.
- otherwise the vote cells (numbers, ``Ilegible``, ``Sin dato``; ``-`` read as Sin dato;
  a blank or ``N/A`` cell is a field not on that acta and is left out): all Ilegible, or
  all Sin dato → not counted, inconsistent. Else the total is the sum of the numbers; it
  *exceeds* when it is above LISTA_NOMINAL + REPRESENTANTES_PP_CI (a casilla especial:
  approved ballots + representantes, unchecked when the ballots are unknown; a casilla
  type without a lista nominal in the file's layout profile, abroad or early vote: never). Counted unless it exceeds; inconsistent when it exceeds or holds any
  Ilegible or Sin dato.

The header figures follow from those three facts per row (see :func:`second_count`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from prep_core.published import PublishedFile

_FUERA_UBICACION = "3"
_UNKNOWN_CLAVE = "-"


def _percent(part: int, whole: int) -> str:
    """``part / whole`` as a percentage with four decimals, the fourth truncated."""
    if whole <= 0:
        return "0.0000"
    hundredths_of_basis = (part * 100 * 10_000) // whole
    return f"{hundredths_of_basis // 10_000}.{hundredths_of_basis % 10_000:04d}"


def _cell(text: str) -> str:
    s = text.strip()
    if len(s) >= 2 and s.startswith("'") and s.endswith("'"):
        s = s[1:-1]
    return s


@dataclass
class SecondCount:
    header: dict[str, str]  # the header figures under their INE names, as published text
    votes: dict[str, int]  # per vote column, over counted actas
    rows: list[tuple[bool, bool, bool]] = field(default_factory=list)  # (captured, counted, inconsistent)


def _row_facts(cells: list[str], obs: str, limit: int | None, fuera: bool) -> tuple[bool, bool, bool, int]:
    """(captured, counted, inconsistent, total) of one row."""
    if fuera:
        return False, False, False, 0
    if obs.strip().lower().startswith("sin acta") or any(c.lower() == "sin acta" for c in cells):
        return True, False, False, 0
    applicable = [c for c in cells if c not in ("", "N/A")]  # a field not on this acta
    numbers = [int(c) for c in applicable if c.isdigit()]
    ilegibles = sum(1 for c in applicable if c.lower() == "ilegible")
    blanks = sum(1 for c in applicable if c.lower() == "sin dato" or c == "-")
    if applicable and (ilegibles == len(applicable) or blanks == len(applicable)):
        return True, False, True, 0
    total = sum(numbers)
    exceeds = limit is not None and total > limit
    return True, not exceeds, exceeds or ilegibles > 0 or blanks > 0, total


def _int(text: str) -> int:
    s = _cell(text)
    return int(s) if s.isdigit() else 0


def second_count(pf: PublishedFile, *, final: bool = False,
                 especial_ballots: int | Mapping[str, int] | None = None) -> SecondCount:
    """The header figures and the votes of ``pf``, counted again from its cells.
    ``especial_ballots``: the approved ballots of every casilla especial, or per
    CLAVE_CASILLA (catalog data: the published manifest carries them)."""
    col = {name: i for i, name in enumerate(pf.columns)}
    first_vote = col["TOTAL_VOTOS_SACADOS"] + 1
    names = list(pf.vote_fields)
    votes = dict.fromkeys(names, 0)
    registered = fuera_rows = captured = counted = inconsistent = 0
    ln_counted = ln_counted_ordinary = votes_all = votes_ordinary = 0
    facts: list[tuple[bool, bool, bool]] = []
    for row in pf.rows:
        cells = [_cell(t) for t in row[first_vote:first_vote + len(names)]]
        especial = _cell(row[col["TIPO_CASILLA"]]) == "S"
        fuera = (_cell(row[col["CLAVE_CASILLA"]]) == _UNKNOWN_CLAVE
                 or _cell(row[col["UBICACION_CASILLA"]]) == _FUERA_UBICACION)
        ln = _int(row[col["LISTA_NOMINAL"]])
        reps = _int(row[col["REPRESENTANTES_PP_CI"]])
        if especial:
            ballots = (especial_ballots.get(_cell(row[col["CLAVE_CASILLA"]]))
                       if isinstance(especial_ballots, Mapping) else especial_ballots)
            limit = None if ballots is None else ballots + reps
        elif _cell(row[col["TIPO_CASILLA"]]) in pf.layout.sin_lista_nominal:
            limit = None
        else:
            limit = ln + reps
        is_captured, is_counted, is_inconsistent, total = _row_facts(
            cells, _cell(row[col["OBSERVACIONES"]]), limit, fuera)
        facts.append((is_captured, is_counted, is_inconsistent))
        registered += 1
        fuera_rows += fuera
        captured += is_captured
        inconsistent += is_inconsistent
        if is_counted:
            counted += 1
            ln_counted += ln
            votes_all += total
            if not especial:
                ln_counted_ordinary += ln
                votes_ordinary += total
            for name, c in zip(names, cells, strict=True):
                if c.isdigit():
                    votes[name] += int(c)
    esperadas_text = pf.header.get("ACTAS_ESPERADAS", "")
    expected = int(esperadas_text) if esperadas_text.isdigit() else registered - fuera_rows
    turnout = (_percent(votes_all, ln_counted) if final
               else _percent(votes_ordinary, ln_counted_ordinary))
    header = {
        "ACTAS_ESPERADAS": str(expected),
        "ACTAS_REGISTRADAS": str(registered),
        "ACTAS_FUERA_CATALOGO": str(fuera_rows),
        "ACTAS_CAPTURADAS": str(captured),
        "PORCENTAJE_ACTAS_CAPTURADAS": _percent(captured, expected),
        "ACTAS_CONTABILIZADAS": str(counted),
        "PORCENTAJE_ACTAS_CONTABILIZADAS": _percent(counted, expected),
        "PORCENTAJE_ACTAS_INCONSISTENCIAS": _percent(inconsistent, expected),
        "ACTAS_NO_CONTABILIZADAS": str(captured - counted),
        "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": str(ln_counted),
        "TOTAL_VOTOS_C_CS": str(votes_all),
        "TOTAL_VOTOS_S_CS": str(votes_ordinary),
        "PORCENTAJE_PARTICIPACION_CIUDADANA": turnout,
    }
    return SecondCount(header, votes, facts)
