"""Recount a published PREP database with our own rules.

Takes the rows of a published results CSV as catalog plus captured values,
decides CONTABILIZADA and OBSERVACIONES itself (never copying the file's own
columns), and computes the figures of the cut, the votes per column and the
rows where its decision differs from the file's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from prep_core.counting import Decision, SinActaCause, decide, decide_sin_acta
from prep_core.errors import PublishedFileError
from prep_core.figures import ActaOutcome, CutFigures, cut_figures
from prep_core.layout import Vocabulary
from prep_core.published import SIN_ACTA, UBICACION_FUERA, UNKNOWN, PublishedFile, parse_cell
from prep_core.values import FieldValue, Mark


@dataclass
class Recount:
    figures: CutFigures
    votes: dict[str, int]
    disagreements: list[dict[str, Any]] = field(default_factory=list)
    especiales_unchecked: int = 0
    esperadas_from_header: bool = True

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.figures.as_header().items():
            out[name] = int(value) if value.isdigit() else value
        out["votes"] = self.votes
        out["disagreements"] = self.disagreements
        out["especiales_unchecked"] = self.especiales_unchecked
        notes = []
        if self.especiales_unchecked:
            notes.append(
                f"{self.especiales_unchecked} actas de casillas especiales sin boletas aprobadas "
                "conocidas: no se revisó el límite (use --especial-ballots) / especiales with "
                "unknown approved ballots were not checked against a limit"
            )
        if not self.esperadas_from_header:
            notes.append("ACTAS_ESPERADAS tomado de las filas / taken from the rows")
        out["notes"] = notes
        return out


UBICACION_FUERA_TEXT = str(UBICACION_FUERA)


def _parse(text: str, where: str, n: int, clave: str, column: str) -> FieldValue | str | None:
    try:
        return parse_cell(text)
    except ValueError:
        raise PublishedFileError(
            f"celda de votos inválida {text!r} en la columna {column}",
            f"invalid vote cell {text!r} in column {column}",
            where=f"{where} fila de datos {n} ({clave})",
        ) from None


def _disagreement(
    n: int, row: list[str], i_acta: int, i_cont: int, i_obs: int, decision: Decision,
    words: Vocabulary,
) -> dict[str, Any]:
    return {
        "row": n,
        "CLAVE_ACTA": row[i_acta],
        "file": {"CONTABILIZADA": row[i_cont], "OBSERVACIONES": row[i_obs]},
        "computed": {
            "CONTABILIZADA": decision.contabilizada,
            "OBSERVACIONES": words.format(decision),
        },
    }


def _int_or_none(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def recount(
    pf: PublishedFile,
    *,
    final: bool = False,
    especial_ballots: int | None = None,
    where: str = "csv",
) -> Recount:
    cols = pf.columns
    ix = {name: i for i, name in enumerate(cols)}
    v0 = ix["TOTAL_VOTOS_SACADOS"] + 1
    v1 = v0 + len(pf.vote_fields)
    i_clave, i_acta, i_ubic = ix["CLAVE_CASILLA"], ix["CLAVE_ACTA"], ix["UBICACION_CASILLA"]
    i_tipo, i_ln, i_rep = ix["TIPO_CASILLA"], ix["LISTA_NOMINAL"], ix["REPRESENTANTES_PP_CI"]
    i_obs = ix["OBSERVACIONES"]
    i_cont = ix.get("CONTABILIZADA")
    words = pf.layout.vocabulary
    sin_ln = pf.layout.sin_lista_nominal  # casilla types never Excede
    cache: dict[str, FieldValue | str | None] = {}
    counts_cache: dict[str, int] = {}
    plain: set[str] = set()  # cell texts that are whole numbers
    counted_rows: list[list[int]] = []
    ok, over = decide([0], 1), decide([2], 1)  # the two decisions of an all-number acta
    count_of = counts_cache.__getitem__
    outcomes: list[ActaOutcome] = []
    disagreements: list[dict[str, Any]] = []
    unchecked = 0
    decision: Decision
    for n, row in enumerate(pf.rows, start=1):
        texts = row[v0:v1]
        especial = row[i_tipo] == "S"
        if (
            plain.issuperset(texts)
            and not especial
            and row[i_tipo] not in sin_ln
            and row[i_clave] != UNKNOWN
            and row[i_ubic] != UBICACION_FUERA_TEXT
        ):
            # fast path: every vote cell a number, an ordinary casilla in the catalog
            counts = list(map(count_of, texts))
            calc = sum(counts)
            ln = _int_or_none(row[i_ln]) or 0
            decision = over if calc > ln + (_int_or_none(row[i_rep]) or 0) else ok
            if decision is ok:
                counted_rows.append(counts)
            outcomes.append(ActaOutcome(decision, ln, calc, False))
            if i_cont is not None and row[i_cont] != str(decision.contabilizada):
                disagreements.append(_disagreement(n, row, i_acta, i_cont, i_obs, decision, words))
            continue
        try:
            cells = [cache[t] for t in texts]
        except KeyError:
            for j, t in enumerate(texts):
                if t not in cache:
                    cache[t] = _parse(t, where, n, row[i_acta], pf.vote_fields[j])
                    c = cache[t]
                    counts_cache[t] = c if isinstance(c, int) else 0
                    if isinstance(c, int):
                        plain.add(t)
            cells = [cache[t] for t in texts]
        fuera = row[i_clave] == UNKNOWN or row[i_ubic] == UBICACION_FUERA_TEXT
        obs_text = row[i_obs]
        ln = _int_or_none(row[i_ln]) or 0
        if SIN_ACTA in cells or obs_text[:8].casefold() == "sin acta":
            try:
                cause = words.parse(obs_text)[1]
            except ValueError:
                cause = None
            decision = decide_sin_acta(cause)
            calc = 0
        else:
            if None in cells:
                # "-" in a vote cell of a captured acta: taken as Sin dato
                cells = [Mark.SIN_DATO if c is None else c for c in cells]
            counts = [counts_cache[t] for t in texts]
            calc = sum(counts)
            rep = _int_or_none(row[i_rep]) or 0
            limit: int | None
            if especial:
                limit = None if especial_ballots is None else especial_ballots + rep
                if limit is None and not fuera:
                    unchecked += 1
            elif row[i_tipo] in sin_ln:
                limit = None  # no lista nominal: never Excede
            else:
                limit = ln + rep
            decision = decide(cells, limit, fuera_de_catalogo=fuera, total=calc)  # type: ignore[arg-type]
            if decision.counted:
                counted_rows.append(counts)
        outcomes.append(ActaOutcome(decision, ln, calc, especial))
        if i_cont is not None and row[i_cont] != str(decision.contabilizada):
            disagreements.append(_disagreement(n, row, i_acta, i_cont, i_obs, decision, words))
    totals = [sum(col) for col in zip(*counted_rows, strict=True)] or [0] * len(pf.vote_fields)
    esperadas_text = pf.header.get("ACTAS_ESPERADAS", "")
    from_header = esperadas_text.isdigit()
    esperadas = (
        int(esperadas_text)
        if from_header
        else sum(1 for o in outcomes if not o.decision.fuera_de_catalogo)
    )
    figures = cut_figures(esperadas, outcomes, final=final)
    return Recount(
        figures=figures,
        votes=dict(zip(pf.vote_fields, totals, strict=True)),
        disagreements=disagreements,
        especiales_unchecked=unchecked,
        esperadas_from_header=from_header,
    )


__all__ = ["Recount", "SinActaCause", "recount"]
