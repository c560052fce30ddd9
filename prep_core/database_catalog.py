"""The catalog a published database implies (docs/CATALOG.md): its casillas, the acta
codes of each casilla type (an especial's two), and which vote fields each acta carries.

What a file says about a field it leaves blank is read back as catalog data: a field
blank in every row of a demarcación is a combination that does not exist there
(``field_demarcaciones``); a field blank on every acta of one code while it exists in
the demarcación is not on that acta (``acta_fields``, e.g. no coalitions on a
representación proporcional acta); a figure ``N/A`` on every acta of a casilla type is
not on that type's acta (``tipo_figures``, e.g. no boletas sobrantes abroad).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from prep_core.acta import FIGURE_FIELDS
from prep_core.catalog import MECANISMOS, Ambito, Casilla, Catalog, Election
from prep_core.identity import CasillaKey
from prep_core.published import PublishedFile, PublishedRow
from prep_core.values import Mark


def _tipo_acta(rows: Sequence[PublishedRow]) -> dict[str, str | tuple[str, ...]]:
    by_tipo: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r.key is not None:
            by_tipo[r.key.tipo].add(r.tipo_acta)
    common = Counter(r.tipo_acta for r in rows if r.key is not None and r.key.tipo != "S")
    default = common.most_common(1)[0][0] if common else "1"
    out: dict[str, str | tuple[str, ...]] = {"*": default}
    for tipo, codes in sorted(by_tipo.items()):
        if codes != {default}:
            out[tipo] = next(iter(codes)) if len(codes) == 1 else tuple(sorted(codes))
    return out


def _scopes(
    fields: Sequence[str], rows: Sequence[PublishedRow]
) -> tuple[dict[str, tuple[str, ...]], dict[str, frozenset[int]]]:
    """(acta_fields, field_demarcaciones) that explain every blank vote cell."""
    present: set[tuple[int, str]] = set()
    demarcaciones: set[int] = set()
    codes: dict[str, list[PublishedRow]] = defaultdict(list)
    for r in rows:
        if r.key is None:
            continue
        demarcaciones.add(r.id_demarcacion)
        codes[r.tipo_acta].append(r)
        for f, v in zip(fields, r.votes, strict=True):
            if v is not Mark.NO_APLICA:
                present.add((r.id_demarcacion, f))
    field_dems = {}
    for f in fields:
        where = frozenset(d for d in demarcaciones if (d, f) in present)
        if where != demarcaciones:
            field_dems[f] = where
    acta_fields = {}
    for code, code_rows in sorted(codes.items()):
        off = {
            f
            for i, f in enumerate(fields)
            if all(r.votes[i] is Mark.NO_APLICA for r in code_rows)
            and any((r.id_demarcacion, f) in present for r in code_rows)
        }
        if off:
            acta_fields[code] = tuple(f for f in fields if f not in off)
    return acta_fields, field_dems


def _tipo_figures(rows: Sequence[PublishedRow]) -> dict[str, tuple[str, ...]]:
    """Per casilla type, the figures its actas carry, when some are No aplica on every
    acta of that type with figures (abroad, early vote, especiales: ``N/A``)."""
    by_tipo: dict[str, list[PublishedRow]] = defaultdict(list)
    for r in rows:
        if r.key is not None and not r.decision.no_acta:
            by_tipo[r.key.tipo].append(r)
    out = {}
    for tipo, tipo_rows in sorted(by_tipo.items()):
        on = tuple(
            f
            for i, f in enumerate(FIGURE_FIELDS)
            if any(r.figures[i] is not Mark.NO_APLICA for r in tipo_rows)
        )
        if on != FIGURE_FIELDS:
            out[tipo] = on
    return out


def catalog_of(
    pf: PublishedFile, rows: Sequence[PublishedRow], *, election_id: str = "PREP"
) -> Catalog:
    """The catalog of one election the rows of ``pf`` imply (fuera de catálogo rows aside)."""
    keyed = [r for r in rows if r.key is not None]
    ambito = Ambito.MUNICIPIO if pf.ambito_column.startswith("MUNICIPIO") else Ambito.DISTRITO
    casillas: dict[CasillaKey, Casilla] = {}
    names: dict[int, str] = {}
    for r in keyed:
        assert r.key is not None
        names.setdefault(r.id_demarcacion, r.demarcacion or pf.layout.no_aplica)
        if r.key in casillas:
            continue
        dem = r.id_demarcacion
        casillas[r.key] = Casilla(
            key=r.key,
            id_distrito=dem if ambito is Ambito.DISTRITO else 0,
            id_municipio=dem if ambito is Ambito.MUNICIPIO else 0,
            ubicacion=r.ubicacion if r.ubicacion in (1, 2) else 1,
            lista_nominal=0 if r.key.tipo == "S" else r.lista_nominal or 0,
            representantes=r.representantes or 0,
            mecanismo=r.mecanismo if r.mecanismo in MECANISMOS else "",
        )
    acta_fields, field_dems = _scopes(pf.vote_fields, keyed)
    election = Election(
        id=election_id,
        name=pf.election_name or election_id,
        ambito=ambito,
        column=pf.ambito_column,
        id_tipo_candidatura=0,
        tipo_acta=_tipo_acta(keyed),
        vote_fields=tuple(pf.vote_fields),
        acta_fields=acta_fields,
        field_demarcaciones=field_dems,
        tipo_figures=_tipo_figures(keyed),
    )
    first = keyed[0] if keyed else None
    return Catalog(
        name=f"{pf.election_name} ({pf.layout.id})",
        id_entidad=first.id_entidad if first else 0,
        entidad=first.entidad if first else "",
        elections=(election,),
        casillas=tuple(casillas.values()),
        distritos=names if ambito is Ambito.DISTRITO else {},
        municipios=names if ambito is Ambito.MUNICIPIO else {},
        sin_lista_nominal=pf.layout.sin_lista_nominal,
    )
