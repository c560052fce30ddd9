"""A published database taken apart: the profile it uses, its rows as the writer's
:class:`~prep_core.published.PublishedRow` (the institute's own decisions included, a
truth to compare with), and the catalog its rows imply.

:func:`read_database` is the one call a drill needs to start from a real database:
the file's bytes in, ``Database(layout, rows, catalog)`` out. Writing ``rows`` back
with the same profile and header gives the file's bytes again (the golden tests).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.catalog import Catalog
from prep_core.counting import FUERA_DE_CATALOGO, Decision
from prep_core.database_catalog import catalog_of
from prep_core.errors import IdentityError, PublishedFileError
from prep_core.identity import parse_clave_casilla
from prep_core.layout import INE_FEDERAL, Layout
from prep_core.published import (
    MEXICO_CENTRAL,
    SIN_ACTA,
    UBICACION_FUERA,
    Cell,
    PublishedFile,
    PublishedRow,
    parse_cell,
    read_results_csv,
    write_results_csv,
)


@dataclass(frozen=True)
class Database:
    file: PublishedFile
    rows: tuple[PublishedRow, ...]  # in file order, with the file's own decisions
    catalog: Catalog

    @property
    def layout(self) -> Layout:
        return self.file.layout

    def write(self, layout: Layout | None = None) -> bytes:
        """The rows written again, with the file's header, in ``layout`` (its own by default)."""
        pf = self.file
        return write_results_csv(
            election_name=pf.election_name,
            cut_time=pf.cut_label,
            figures=pf.header,
            ambito_column=pf.ambito_column,
            vote_fields=pf.vote_fields,
            rows=self.rows,
            layout=layout or pf.layout,
        )


def read_database(
    data: bytes,
    *,
    where: str = "csv",
    layouts: Sequence[Layout] = (INE_FEDERAL,),
    election_id: str = "PREP",
) -> Database:
    """Read a published database in whichever profile it fits: its rows and catalog."""
    pf = read_results_csv(data, where=where, layouts=layouts)
    rows = tuple(published_rows(pf, where=where))
    return Database(pf, rows, catalog_of(pf, rows, election_id=election_id))


def _int(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def _time(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%d/%m/%Y %H:%M:%S").replace(tzinfo=MEXICO_CENTRAL)
    except ValueError:
        return None


def _figure(text: str, where: str, column: str) -> Cell:
    try:
        v = parse_cell(text)
    except ValueError:
        raise PublishedFileError(
            f"celda inválida {text!r} en la columna {column}",
            f"invalid cell {text!r} in column {column}",
            where=where,
        ) from None
    return None if v == SIN_ACTA or isinstance(v, str) else v


def published_rows(pf: PublishedFile, *, where: str = "csv") -> list[PublishedRow]:
    """Every row of ``pf`` as a :class:`PublishedRow` carrying the file's decision."""
    ix = {name: i for i, name in enumerate(pf.columns)}
    amb = f"ID_{pf.ambito_column}"
    first = ix[FIGURE_FIELDS[-1]] + 1
    words = pf.layout.vocabulary
    unknown = {"", "-", "N/A", pf.layout.unknown}

    def text(row: list[str], name: str) -> str | None:
        i = ix.get(name)
        return None if i is None or row[i] in unknown else row[i]

    out = []
    for n, row in enumerate(pf.rows, start=1):
        place = f"{where} fila de datos {n} ({row[ix['CLAVE_ACTA']]})"
        ubicacion = _int(row[ix["UBICACION_CASILLA"]]) or 0
        key = None
        if row[ix["CLAVE_CASILLA"]] not in unknown and ubicacion != UBICACION_FUERA:
            try:
                key = parse_clave_casilla(row[ix["CLAVE_CASILLA"]])
            except IdentityError as exc:
                raise PublishedFileError(exc.message_es, exc.message_en, where=place) from None
        try:
            legends, cause, sin = words.parse(row[ix["OBSERVACIONES"]])
        except ValueError:
            raise PublishedFileError(
                f"OBSERVACIONES desconocidas {row[ix['OBSERVACIONES']]!r}",
                f"unknown OBSERVACIONES {row[ix['OBSERVACIONES']]!r}",
                where=place,
            ) from None
        cont = _int(row[ix["CONTABILIZADA"]]) if "CONTABILIZADA" in ix else None
        decision = Decision(
            cont if cont is not None else 0,
            legends,
            sin_acta=cause,
            no_acta=sin,
            fuera_de_catalogo=cont == FUERA_DE_CATALOGO,
        )
        cotejada = text(row, "COTEJADA")
        out.append(
            PublishedRow(
                key=key,
                tipo_acta=row[ix["TIPO_ACTA"]],
                id_entidad=_int(row[ix["ID_ENTIDAD"]]) or 0,
                entidad=row[ix["ENTIDAD"]],
                id_demarcacion=_int(row[ix[amb]]) or 0,
                demarcacion=row[ix[pf.ambito_column]],
                ubicacion=ubicacion,
                figures=[_figure(row[ix[f]], place, pf.layout.column_name(f)) for f in FIGURE_FIELDS],
                votes=[
                    _figure(c, place, f)
                    for f, c in zip(pf.vote_fields, row[first : first + len(pf.vote_fields)], strict=True)
                ],
                total_asentado=_figure(row[ix[TOTAL_FIELD]], place, TOTAL_FIELD),
                total_calculado=_int(row[ix["TOTAL_VOTOS_CALCULADO"]]),
                lista_nominal=_int(row[ix["LISTA_NOMINAL"]]),
                representantes=_int(row[ix["REPRESENTANTES_PP_CI"]]),
                decision=decision,
                mecanismo=row[ix["MECANISMOS_TRASLADO"]] if "MECANISMOS_TRASLADO" in ix else "",
                codigo_integridad=text(row, "CODIGO_INTEGRIDAD"),
                fecha_acopio=_time(row[ix["FECHA_HORA_ACOPIO"]]) if "FECHA_HORA_ACOPIO" in ix else None,
                fecha_captura=_time(row[ix["FECHA_HORA_CAPTURA"]]) if "FECHA_HORA_CAPTURA" in ix else None,
                fecha_verificacion=(
                    _time(row[ix["FECHA_HORA_VERIFICACION"]]) if "FECHA_HORA_VERIFICACION" in ix else None
                ),
                origen=text(row, "ORIGEN"),
                digitalizacion=text(row, "DIGITALIZACION"),
                tipo_documento=text(row, "TIPO_DOCUMENTO"),
                cotejada=_int(cotejada) if cotejada else None,
            )
        )
    return out
