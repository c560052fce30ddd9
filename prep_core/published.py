"""The published PREP database (DOMAIN.md §6): a writer of a layout profile
(:mod:`prep_core.layout`; INE's by default), byte for byte, and a reader that
recognises the profile a file uses and accepts published files with their quirks.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from operator import itemgetter

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.counting import Decision
from prep_core.errors import PublishedFileError
from prep_core.figures import HEADER_FIELDS, CutFigures
from prep_core.identity import CasillaKey, clave_acta
from prep_core.layout import (
    AMBITO,
    ID_AMBITO,
    INE_FEDERAL,
    KEY_COLUMNS,
    VOTES,
    Fit,
    Layout,
    closest,
)
from prep_core.values import FieldValue, Mark

MEXICO_CENTRAL = timezone(timedelta(hours=-6), "UTC-6")
UNKNOWN = "-"
NOT_APPLICABLE = "N/A"
SIN_ACTA = "Sin acta"
BOM = "\ufeff"

UBICACION_FUERA = 3


def columns(
    ambito_column: str, vote_fields: Sequence[str], layout: Layout = INE_FEDERAL
) -> list[str]:
    """Column names in the layout's order and spelling; ``ambito_column`` e.g.
    ``DISTRITO_LOCAL``."""
    return layout.file_columns(ambito_column, vote_fields)


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
    # the image's SHA-256, its name on the site, when CODIGO_INTEGRIDAD is another hash
    # of it (a profile's ``integrity``: SHA-512); not a published column
    imagen: str | None = field(default=None, compare=False)

    @property
    def image_sha256(self) -> str | None:
        """The SHA-256 the acta's image is stored and published under."""
        return self.imagen or self.codigo_integridad

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


def format_time(t: datetime | None, unknown: str = UNKNOWN) -> str:
    """``dd/mm/YYYY HH:MM:SS`` in UTC-6 (what ``strftime`` gives, written out: this
    runs three times per published row)."""
    if t is None:
        return unknown
    t = t.astimezone(MEXICO_CENTRAL)
    return f"{t.day:02d}/{t.month:02d}/{t.year} {t.hour:02d}:{t.minute:02d}:{t.second:02d}"


def format_cut(t: datetime) -> str:
    local = t.astimezone(MEXICO_CENTRAL)
    return local.strftime("%d/%m/%Y %H:%M") + " (UTC-6)"


def _cell(v: Cell, sin_acta: bool, unknown: str, no_aplica: str) -> str:
    if v is Mark.NO_APLICA:
        return no_aplica
    if sin_acta:
        return SIN_ACTA
    if v is None:
        return unknown
    return str(v) if isinstance(v, int) else v.value


def _opt(v: object, unknown: str = UNKNOWN) -> str:
    return unknown if v is None else str(v)


def _key_cell(layout: Layout, column: str, value: int | str, tipo: str) -> str:
    if column in layout.not_applicable_keys.get(tipo, ()):
        text = layout.no_aplica
    else:
        width = layout.key_cells.get(column)
        text = f"{value:0{width}d}" if width and isinstance(value, int) else str(value)
    return f"'{text}'" if column in layout.key_cells else text


def _vote_cells(votes: Sequence[Cell], sin: bool, unknown: str, no_aplica: str) -> list[str]:
    """:func:`_cell` over a row's votes, inlined (24 or so cells a row)."""
    if sin:
        return [no_aplica if v is Mark.NO_APLICA else SIN_ACTA for v in votes]
    marks: dict[Cell, str] = {None: unknown, Mark.NO_APLICA: no_aplica}
    cell: Callable[[Cell, str], str] = marks.get  # else str(v): a number or a Mark's value
    return list(map(cell, votes, map(str, votes)))


@dataclass(frozen=True)
class _Order:
    """A layout's columns around the vote columns, as item getters over a row's cells."""

    before: Callable[[Mapping[str, str]], tuple[str, ...]]
    after: Callable[[Mapping[str, str]], tuple[str, ...]]


def _getter(names: Sequence[str]) -> Callable[[Mapping[str, str]], tuple[str, ...]]:
    if not names:
        return lambda cells: ()
    if len(names) == 1:
        return lambda cells: (cells[names[0]],)
    return itemgetter(*names)


_ORDERS: dict[int, tuple[Layout, _Order]] = {}


def _order(layout: Layout) -> _Order:
    found = _ORDERS.get(id(layout))
    if found is None or found[0] is not layout:
        cols = list(layout.columns)
        i = cols.index(VOTES) if VOTES in cols else len(cols)
        found = (layout, _Order(_getter(cols[:i]), _getter(cols[i + 1 :])))
        _ORDERS[id(layout)] = found
    return found[1]


def row_cells(r: PublishedRow, layout: Layout = INE_FEDERAL) -> list[str]:
    """One row's cells in the layout's column order."""
    sin = r.decision.no_acta
    unk = layout.unknown
    na = layout.no_aplica
    if r.key is None:
        cells = dict.fromkeys(
            ("CLAVE_CASILLA", "CLAVE_ACTA", "ID_ENTIDAD", "ENTIDAD", "TIPO_CASILLA",
             *KEY_COLUMNS), unk
        )
    else:
        k = r.key
        clave = k.clave
        cells = {
            "CLAVE_CASILLA": f"'{clave}'",
            "CLAVE_ACTA": f"'{clave_acta(clave, r.tipo_acta)}'",
            "ID_ENTIDAD": str(r.id_entidad),
            "ENTIDAD": r.entidad,
            "TIPO_CASILLA": k.tipo,
        }
        keys = (
            (ID_AMBITO, r.id_demarcacion),
            (AMBITO, r.demarcacion),
            ("SECCION", k.seccion),
            ("ID_CASILLA", k.numero),
            ("EXT_CONTIGUA", k.ext_contigua),
        )
        if layout.key_cells or layout.not_applicable_keys:
            cells.update((name, _key_cell(layout, name, v, k.tipo)) for name, v in keys)
        else:
            cells.update((name, str(v)) for name, v in keys)
    if sin and layout.sin_acta_total is not None:
        calculado = layout.sin_acta_total
    else:
        calculado = _opt(r.total_calculado, unk)
    cells["UBICACION_CASILLA"] = str(r.ubicacion)
    cells["TIPO_ACTA"] = r.tipo_acta
    cells["TOTAL_VOTOS_ASENTADO"] = _cell(r.total_asentado, sin, unk, na)
    cells["TOTAL_VOTOS_CALCULADO"] = calculado
    cells["LISTA_NOMINAL"] = _opt(r.lista_nominal, unk)
    cells["REPRESENTANTES_PP_CI"] = _opt(r.representantes, unk)
    cells["OBSERVACIONES"] = layout.vocabulary.format(r.decision)
    cells["CONTABILIZADA"] = str(r.decision.contabilizada)
    cells["MECANISMOS_TRASLADO"] = r.mecanismo
    cells["CODIGO_INTEGRIDAD"] = r.codigo_integridad or unk
    cells["FECHA_HORA_ACOPIO"] = format_time(r.fecha_acopio, unk)
    cells["FECHA_HORA_CAPTURA"] = format_time(r.fecha_captura, unk)
    cells["FECHA_HORA_VERIFICACION"] = format_time(r.fecha_verificacion, unk)
    cells["ORIGEN"] = r.origen or unk
    cells["DIGITALIZACION"] = r.digitalizacion or unk
    cells["TIPO_DOCUMENTO"] = r.tipo_documento or unk
    cells["COTEJADA"] = _opt(r.cotejada, unk)
    cells.update(zip(FIGURE_FIELDS, _vote_cells(r.figures, sin, unk, na), strict=True))
    order = _order(layout)
    out = list(order.before(cells))
    out += _vote_cells(r.votes, sin, unk, layout.no_aplica_vote)
    out += order.after(cells)
    return out


def write_results_csv(
    *,
    election_name: str,
    cut_time: datetime | str,
    figures: CutFigures | Mapping[str, str],
    ambito_column: str,
    vote_fields: Sequence[str],
    rows: Iterable[PublishedRow],
    layout: Layout = INE_FEDERAL,
) -> bytes:
    """The results CSV of one election at one cut in ``layout`` (INE's by default:
    UTF-8 with BOM, CRLF). ``figures`` may be the header as text (a file read back);
    ``cut_time`` its label."""
    head = results_head(
        election_name=election_name,
        cut_time=cut_time,
        figures=figures,
        ambito_column=ambito_column,
        vote_fields=vote_fields,
        layout=layout,
    )
    lines = row_lines(sorted(rows, key=PublishedRow.sort_key), layout)
    return (head + "".join(lines)).encode("utf-8")


def results_head(
    *,
    election_name: str,
    cut_time: datetime | str,
    figures: CutFigures | Mapping[str, str],
    ambito_column: str,
    vote_fields: Sequence[str],
    layout: Layout = INE_FEDERAL,
) -> str:
    """The results CSV up to its first row: names, cut, header figures, columns."""
    end = layout.line_end
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=end)
    if layout.bom:
        buf.write(BOM)
    w.writerow([election_name])
    w.writerow([cut_time if isinstance(cut_time, str) else format_cut(cut_time)])
    buf.write(end)
    header = figures.as_header() if isinstance(figures, CutFigures) else figures
    w.writerow([layout.header_name(h) for h in HEADER_FIELDS])
    w.writerow(
        [layout.percent(header[h]) if h.startswith("PORCENTAJE") else header[h] for h in HEADER_FIELDS]
    )
    buf.write(end)
    w.writerow(columns(ambito_column, vote_fields, layout))
    return buf.getvalue()


class _Lines(list[str]):
    """A ``csv.writer`` target that keeps each row's line apart (the writer calls
    ``write`` once per row)."""

    write = list.append


def row_lines(rows: Iterable[PublishedRow], layout: Layout = INE_FEDERAL) -> list[str]:
    """Each row's CSV line, its line end included, in the order given: the results
    CSV is :func:`results_head` followed by its rows' lines in
    :meth:`PublishedRow.sort_key` order."""
    lines = _Lines()
    csv.writer(lines, lineterminator=layout.line_end).writerows(
        row_cells(r, layout) for r in rows
    )
    return lines


# ---------------------------------------------------------------- reader


@dataclass(frozen=True)
class PublishedFile:
    """A results CSV as read: header fields and columns under their INE names."""

    election_name: str
    cut_label: str
    header: dict[str, str]
    columns: list[str]
    ambito_column: str
    vote_fields: tuple[str, ...]
    rows: list[list[str]]  # cells as read; key columns unquoted
    layout: Layout = INE_FEDERAL  # the profile the file fits best
    fit: Fit | None = None  # how the file differs from it (None: not compared)

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


def _fixed_columns(layout: Layout, cols: list[str]) -> list[str]:
    """The file's columns the layout spells: vote and ámbito columns aside."""
    try:
        first = cols.index(layout.column_name(FIGURE_FIELDS[-1]))
        last = cols.index(layout.column_name(TOTAL_FIELD))
    except ValueError:
        first, last = len(cols), len(cols)
    out = []
    for i, name in enumerate(cols):
        if first < i < last or name.startswith(AMBITO_PREFIXES):
            continue
        if i and cols[i - 1].startswith(AMBITO_PREFIXES) and cols[i - 1][3:] == name:
            continue
        out.append(name)
    return out


AMBITO_PREFIXES = ("ID_DISTRITO", "ID_MUNICIPIO")


def read_results_csv(
    data: bytes,
    *,
    where: str = "csv",
    layouts: Sequence[Layout] = (INE_FEDERAL,),
) -> PublishedFile:
    """Parse a published results CSV in whichever of ``layouts`` it fits best (pass one
    to impose it): BOM or not; CR, LF or CRLF line ends; quoted keys and percentages;
    whatever vote columns stand between TOTAL_VOTOS_SACADOS and TOTAL_VOTOS_ASENTADO;
    distrito or municipio column names. A file missing a column the rules read names
    the profile it came closest to and what differs."""
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
    file_cols = clean[c]
    fits = closest(layouts, clean[h], _fixed_columns_any(layouts, file_cols))
    layout = fits.layout
    if fits.required_missing:
        missing = list(fits.required_missing)
        raise PublishedFileError(
            f"faltan columnas: {missing}; el formato más cercano es {layout.id!r} "
            f"({fits.differences()})",
            f"missing columns: {missing}; the closest layout is {layout.id!r}",
            where=f"{where} línea {c + 1}",
        )
    header = {layout.canonical_header(k): v for k, v in zip(clean[h], clean[h + 1], strict=False)}
    cols = [layout.canonical_column(x) for x in file_cols]
    try:
        first, last = cols.index(FIGURE_FIELDS[-1]), cols.index(TOTAL_FIELD)
        amb = next(x for x in cols if x.startswith(AMBITO_PREFIXES))
        if last < first:
            raise ValueError
    except (ValueError, StopIteration):
        raise PublishedFileError(
            "faltan columnas TOTAL_VOTOS_SACADOS, TOTAL_VOTOS_ASENTADO o ID_DISTRITO/ID_MUNICIPIO",
            "missing TOTAL_VOTOS_SACADOS, TOTAL_VOTOS_ASENTADO or ID_DISTRITO/ID_MUNICIPIO columns",
            where=f"{where} línea {c + 1}",
        ) from None
    rows = []
    # keys in quotes: the claves always, other key columns when the profile quotes them
    keyed = [amb if k == ID_AMBITO else k for k in layout.key_cells]
    quoted = [cols.index(k) for k in ("CLAVE_CASILLA", "CLAVE_ACTA", *keyed) if k in cols]
    for n, row in enumerate(lines[c + 1 :], start=c + 2):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(cols):
            raise PublishedFileError(
                f"la fila tiene {len(row)} columnas, se esperan {len(cols)}",
                f"row has {len(row)} columns, expected {len(cols)}",
                where=f"{where} línea {n}",
            )
        for k in quoted:
            row[k] = _unquote(row[k])
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
        layout=layout,
        fit=fits,
    )


def _fixed_columns_any(layouts: Sequence[Layout], cols: list[str]) -> list[str]:
    """Vote columns lie between the spellings of TOTAL_VOTOS_SACADOS and
    TOTAL_VOTOS_ASENTADO of any profile."""
    best = cols
    for layout in layouts:
        fixed = _fixed_columns(layout, cols)
        if len(fixed) < len(best):
            best = fixed
    return best


def _unquote(cell: str) -> str:
    s = cell.strip()
    if len(s) >= 2 and s[0] == s[-1] == "'":
        s = s[1:-1]
    return s


_MARKS = {"ilegible": Mark.ILEGIBLE, "sin dato": Mark.SIN_DATO}


def parse_cell(text: str) -> FieldValue | str | None:
    """A figure cell: int, Mark, ``"Sin acta"``; No aplica for a blank or ``N/A`` cell (a
    field not on that acta); None for ``-`` (unknown)."""
    text = _unquote(text)
    if text.isdigit():
        return int(text)
    low = text.casefold()
    mark = _MARKS.get(low)
    if mark is not None:
        return mark
    if low == "sin acta":
        return SIN_ACTA
    if text in ("", NOT_APPLICABLE):
        return Mark.NO_APLICA
    if text == UNKNOWN:
        return None
    raise ValueError(f"not a figure cell: {text!r}")
