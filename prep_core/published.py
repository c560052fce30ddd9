"""The published PREP database (DOMAIN.md §6): a writer of INE's layout, byte
for byte, and a reader that accepts published INE files with all their quirks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.counting import Decision
from prep_core.errors import PublishedFileError
from prep_core.figures import HEADER_FIELDS, CutFigures
from prep_core.identity import CasillaKey
from prep_core.values import FieldValue, Mark

MEXICO_CENTRAL = timezone(timedelta(hours=-6), "UTC-6")
UNKNOWN = "-"
NOT_APPLICABLE = "N/A"
SIN_ACTA = "Sin acta"
BOM = "\ufeff"

LEAD_COLUMNS = ("CLAVE_CASILLA", "CLAVE_ACTA", "ID_ENTIDAD", "ENTIDAD")
KEY_COLUMNS = (
    "SECCION",
    "ID_CASILLA",
    "TIPO_CASILLA",
    "EXT_CONTIGUA",
    "UBICACION_CASILLA",
    "TIPO_ACTA",
)
TRAIL_COLUMNS = (
    "TOTAL_VOTOS_CALCULADO",
    "LISTA_NOMINAL",
    "REPRESENTANTES_PP_CI",
    "OBSERVACIONES",
    "CONTABILIZADA",
    "MECANISMOS_TRASLADO",
    "CODIGO_INTEGRIDAD",
    "FECHA_HORA_ACOPIO",
    "FECHA_HORA_CAPTURA",
    "FECHA_HORA_VERIFICACION",
    "ORIGEN",
    "DIGITALIZACION",
    "TIPO_DOCUMENTO",
    "COTEJADA",
)
UBICACION_FUERA = 3


def columns(ambito_column: str, vote_fields: Sequence[str]) -> list[str]:
    """Column names in INE order; ``ambito_column`` e.g. ``DISTRITO_LOCAL``."""
    return [
        *LEAD_COLUMNS,
        f"ID_{ambito_column}",
        ambito_column,
        *KEY_COLUMNS,
        *FIGURE_FIELDS,
        *vote_fields,
        TOTAL_FIELD,
        *TRAIL_COLUMNS,
    ]


Cell = FieldValue | None  # None: unknown, published as "-"


@dataclass(frozen=True)
class PublishedRow:
    """One acta as published. ``key`` is None for fuera de catálogo."""

    key: CasillaKey | None
    tipo_acta: str
    id_entidad: int
    entidad: str
    id_demarcacion: int
    demarcacion: str
    ubicacion: int
    figures: Sequence[Cell]  # FIGURE_FIELDS order
    votes: Sequence[Cell]  # the election's vote fields, in order
    total_asentado: Cell
    total_calculado: int | None
    lista_nominal: int | None
    representantes: int | None
    decision: Decision
    mecanismo: str = ""
    codigo_integridad: str | None = None
    fecha_acopio: datetime | None = None
    fecha_captura: datetime | None = None
    fecha_verificacion: datetime | None = None
    origen: str | None = None
    digitalizacion: str | None = None
    tipo_documento: str | None = None
    cotejada: int | None = None

    def sort_key(self) -> tuple[int, int, int, str, int, int, str]:
        if self.key is None:
            return (1, 0, 0, "", 0, 0, self.codigo_integridad or "")
        k = self.key
        return (
            0,
            k.id_entidad,
            self.id_demarcacion,
            f"{k.seccion:04d}{k.tipo}",
            k.numero,
            k.ext_contigua,
            self.tipo_acta,
        )


def format_time(t: datetime | None) -> str:
    if t is None:
        return UNKNOWN
    return t.astimezone(MEXICO_CENTRAL).strftime("%d/%m/%Y %H:%M:%S")


def format_cut(t: datetime) -> str:
    local = t.astimezone(MEXICO_CENTRAL)
    return local.strftime("%d/%m/%Y %H:%M") + " (UTC-6)"


def _cell(v: Cell, sin_acta: bool) -> str:
    if sin_acta:
        return SIN_ACTA
    if v is None:
        return UNKNOWN
    return str(v) if isinstance(v, int) else v.value


def _opt(v: object) -> str:
    return UNKNOWN if v is None else str(v)


def row_cells(r: PublishedRow) -> list[str]:
    sin = r.decision.no_acta
    if r.key is None:
        ident = [UNKNOWN] * 10
    else:
        k = r.key
        ident = [
            f"'{k.clave}'",
            f"'{k.clave_acta(r.tipo_acta)}'",
            str(r.id_entidad),
            r.entidad,
            str(r.id_demarcacion),
            r.demarcacion,
            str(k.seccion),
            str(k.numero),
            k.tipo,
            str(k.ext_contigua),
        ]
    return [
        *ident,
        str(r.ubicacion),
        r.tipo_acta,
        *(_cell(v, sin) for v in r.figures),
        *(_cell(v, sin) for v in r.votes),
        _cell(r.total_asentado, sin),
        _opt(r.total_calculado),
        _opt(r.lista_nominal),
        _opt(r.representantes),
        r.decision.observaciones or UNKNOWN,
        str(r.decision.contabilizada),
        r.mecanismo,
        r.codigo_integridad or UNKNOWN,
        format_time(r.fecha_acopio),
        format_time(r.fecha_captura),
        format_time(r.fecha_verificacion),
        r.origen or UNKNOWN,
        r.digitalizacion or UNKNOWN,
        r.tipo_documento or UNKNOWN,
        _opt(r.cotejada),
    ]


def write_results_csv(
    *,
    election_name: str,
    cut_time: datetime,
    figures: CutFigures,
    ambito_column: str,
    vote_fields: Sequence[str],
    rows: Iterable[PublishedRow],
) -> bytes:
    """The results CSV of one election at one cut, in INE's layout (UTF-8 with BOM, CRLF)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    buf.write(BOM)
    w.writerow([election_name])
    w.writerow([format_cut(cut_time)])
    buf.write("\r\n")
    header = figures.as_header()
    w.writerow(HEADER_FIELDS)
    w.writerow([header[h] for h in HEADER_FIELDS])
    buf.write("\r\n")
    w.writerow(columns(ambito_column, vote_fields))
    w.writerows(row_cells(r) for r in sorted(rows, key=PublishedRow.sort_key))
    return buf.getvalue().encode("utf-8")


# ---------------------------------------------------------------- reader


@dataclass(frozen=True)
class PublishedFile:
    election_name: str
    cut_label: str
    header: dict[str, str]
    columns: list[str]
    ambito_column: str
    vote_fields: tuple[str, ...]
    rows: list[list[str]]  # cells as read; key columns unquoted

    def index(self, name: str) -> int:
        return self.columns.index(name)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise PublishedFileError(
                "el archivo no es texto UTF-8", "the file is not UTF-8 text", where=where
            ) from exc


def read_results_csv(data: bytes, *, where: str = "csv") -> PublishedFile:
    """Parse a published results CSV: BOM or not; CR, LF or CRLF line ends; quoted
    keys; whatever vote columns stand between TOTAL_VOTOS_SACADOS and
    TOTAL_VOTOS_ASENTADO; distrito or municipio column names."""
    text = _decode(data, where).lstrip(BOM)
    if "\x00" in text[:4096]:
        raise PublishedFileError("el archivo es binario", "the file is binary", where=where)
    lines = list(csv.reader(io.StringIO(text, newline=None)))  # CR, LF or CRLF
    try:
        h = next(i for i, ln in enumerate(lines) if ln and _unquote(ln[0]) == HEADER_FIELDS[0])
        c = next(i for i, ln in enumerate(lines) if ln and _unquote(ln[0]) == "CLAVE_CASILLA")
    except StopIteration:
        raise PublishedFileError(
            "no se encontró el encabezado ACTAS_ESPERADAS ni la fila CLAVE_CASILLA",
            "no ACTAS_ESPERADAS header or CLAVE_CASILLA row found",
            where=where,
        ) from None
    if h + 1 >= len(lines) or c < h:
        raise PublishedFileError("encabezado incompleto", "incomplete header", where=where)
    clean = [[_unquote(x) for x in ln] for ln in lines[: c + 1]]
    header = dict(zip(clean[h], clean[h + 1], strict=False))
    cols = clean[c]
    try:
        first, last = cols.index("TOTAL_VOTOS_SACADOS"), cols.index(TOTAL_FIELD)
        amb = next(x for x in cols if x.startswith(("ID_DISTRITO", "ID_MUNICIPIO")))
    except (ValueError, StopIteration):
        raise PublishedFileError(
            "faltan columnas TOTAL_VOTOS_SACADOS, TOTAL_VOTOS_ASENTADO o ID_DISTRITO/ID_MUNICIPIO",
            "missing TOTAL_VOTOS_SACADOS, TOTAL_VOTOS_ASENTADO or ID_DISTRITO/ID_MUNICIPIO columns",
            where=f"{where} línea {c + 1}",
        ) from None
    required = {
        *LEAD_COLUMNS,
        *KEY_COLUMNS,
        *FIGURE_FIELDS,
        "LISTA_NOMINAL",
        "REPRESENTANTES_PP_CI",
        "OBSERVACIONES",
    }
    missing = sorted(required - set(cols))
    if missing:
        raise PublishedFileError(
            f"faltan columnas: {missing}",
            f"missing columns: {missing}",
            where=f"{where} línea {c + 1}",
        )
    rows = []
    keys = [cols.index(k) for k in ("CLAVE_CASILLA", "CLAVE_ACTA")]
    for n, row in enumerate(lines[c + 1 :], start=c + 2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        for k in keys:
            row[k] = _unquote(row[k])
        if len(row) != len(cols):
            raise PublishedFileError(
                f"la fila tiene {len(row)} columnas, se esperan {len(cols)}",
                f"row has {len(row)} columns, expected {len(cols)}",
                where=f"{where} línea {n}",
            )
        rows.append(row)
    first_lines = [ln for ln in clean[:h] if ln and any(ln)]
    return PublishedFile(
        election_name=first_lines[0][0] if first_lines else "",
        cut_label=first_lines[1][0] if len(first_lines) > 1 else "",
        header=header,
        columns=cols,
        ambito_column=amb[3:],
        vote_fields=tuple(cols[first + 1 : last]),
        rows=rows,
    )


def _unquote(cell: str) -> str:
    s = cell.strip()
    if len(s) >= 2 and s[0] == s[-1] == "'":
        s = s[1:-1]
    return s


_MARKS = {"ilegible": Mark.ILEGIBLE, "sin dato": Mark.SIN_DATO}


def parse_cell(text: str) -> FieldValue | str | None:
    """A figure cell: int, Mark, ``"Sin acta"``, or None for ``-``, ``N/A`` or empty."""
    text = _unquote(text)
    if text.isdigit():
        return int(text)
    low = text.casefold()
    mark = _MARKS.get(low)
    if mark is not None:
        return mark
    if low == "sin acta":
        return SIN_ACTA
    if text in ("", UNKNOWN, NOT_APPLICABLE):
        return None
    raise ValueError(f"not a figure cell: {text!r}")
