"""A cut: from the catalog and the derived state of every acta to the figures
and the published results CSV of one election (DOMAIN.md §5–6).

Only verified readings are published (a reading is never published unless a
human capture agrees with it), plus Sin acta and fuera de catálogo actas.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import repeat
from operator import attrgetter
from typing import cast

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.catalog import Catalog, Election
from prep_core.counting import decide, decide_sin_acta, total_calculado
from prep_core.derive import ActaState, Status
from prep_core.figures import ActaOutcome, CutFigures, cut_figures
from prep_core.identity import split_clave_acta
from prep_core.layout import INE_FEDERAL, Layout
from prep_core.published import (
    UBICACION_FUERA,
    PublishedRow,
    results_head,
    row_lines,
    write_results_csv,
)
from prep_core.rowcache import Entry, RowCache, RowKey, row_fields, row_key, unchanged
from prep_core.values import FieldValue, Mark

# times a published row may carry; anything else is a station's wrong clock that
# reached the database before the server checked clocks, and is published as absent
EARLIEST_MS = 946_684_800_000  # 2000-01-01
LATEST_MS = 4_102_444_800_000  # 2100-01-01


def ms_to_datetime(ms: int | None) -> datetime | None:
    """A stored time as a datetime; None when absent or impossible (never an error)."""
    if ms is None or not EARLIEST_MS <= ms < LATEST_MS:
        return None
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


@dataclass(frozen=True)
class Cut:
    catalog: Catalog
    election: Election
    cut_time: datetime
    final: bool
    rows: tuple[PublishedRow, ...]
    figures: CutFigures
    votes: Mapping[str, int]
    layout: Layout = INE_FEDERAL  # the institute's published layout

    @cached_property
    def csv_bytes(self) -> bytes:
        """The results CSV (:func:`build_cut` sets it from its rows' kept lines; a
        copy made with ``dataclasses.replace`` writes its own)."""
        return write_results_csv(
            election_name=self.election.name,
            cut_time=self.cut_time,
            figures=self.figures,
            ambito_column=self.election.column,
            vote_fields=self.election.vote_fields,
            rows=self.rows,
            layout=self.layout,
        )

    @cached_property
    def csv_sha256(self) -> str:
        """The CSV's SHA-256 (hex), taken once for the database, the manifest and
        ``SHA256SUMS``."""
        return hashlib.sha256(self.csv_bytes).hexdigest()


def publishable(state: ActaState, catalog: Catalog | None = None) -> bool:
    """Verified and Sin acta actas; a fuera de catálogo acta as soon as it is registered
    (no station captures it: there is nothing to verify, and DOMAIN.md counts it among
    ACTAS_REGISTRADAS)."""
    if state.status in (Status.VERIFICADA, Status.SIN_ACTA):
        return True
    return catalog is not None and catalog.acta(state.clave_acta) is None


def published_row(
    catalog: Catalog,
    election: Election,
    state: ActaState,
    integrity: Mapping[str, str] | None = None,
) -> PublishedRow:
    """``integrity``: each image's CODIGO_INTEGRIDAD by its SHA-256, when the layout's
    integrity hash is not SHA-256 (None: the SHA-256 itself)."""
    acta = catalog.acta(state.clave_acta)
    fuera = acta is None or acta.election.id != election.id
    reading: Mapping[str, FieldValue] = state.reading or {}
    votes = list(map(reading.get, election.vote_fields, repeat(Mark.SIN_DATO)))
    if not fuera and acta is not None and election.scoped:  # fields not on this acta
        dem = acta.id_demarcacion
        votes = [
            v if election.applies(f, acta.tipo_acta, dem) else Mark.NO_APLICA
            for f, v in zip(election.vote_fields, votes, strict=True)
        ]
    image = state.reading_image
    total: int | None = None
    if state.status is Status.SIN_ACTA:
        decision = decide_sin_acta(state.sin_acta)
    else:
        limit = None if acta is None else acta.casilla.limit(catalog.sin_lista_nominal)
        total = total_calculado(votes)
        decision = decide(votes, limit, fuera_de_catalogo=fuera, total=total)
    figures = list(map(reading.get, FIGURE_FIELDS))
    if not fuera and acta is not None and election.tipo_figures:  # figures not on its acta
        tipo = acta.casilla.key.tipo
        figures = [
            v if election.figure_applies(f, tipo) else Mark.NO_APLICA
            for f, v in zip(FIGURE_FIELDS, figures, strict=True)
        ]
    common = dict(
        figures=figures,
        votes=votes,
        total_asentado=reading.get(TOTAL_FIELD),
        total_calculado=None if decision.no_acta else total,
        decision=decision,
        codigo_integridad=_integrity_code(image.sha256, integrity) if image else None,
        imagen=image.sha256 if image else None,
        fecha_acopio=ms_to_datetime(state.fecha_acopio),
        fecha_captura=ms_to_datetime(state.fecha_captura),
        fecha_verificacion=ms_to_datetime(state.fecha_verificacion),
        origen=image.origen if image else None,
        digitalizacion=image.digitalizacion if image else None,
        tipo_documento=image.tipo_documento if image else None,
        cotejada=state.cotejada,
    )
    if fuera or acta is None:
        try:
            tipo_acta = split_clave_acta(state.clave_acta)[1]
        except ValueError:
            tipo_acta = "-"
        return PublishedRow(
            key=None,
            tipo_acta=tipo_acta,
            id_entidad=catalog.id_entidad,
            entidad="",
            id_demarcacion=0,
            demarcacion="",
            ubicacion=UBICACION_FUERA,
            lista_nominal=None,
            representantes=None,
            **common,  # type: ignore[arg-type]
        )
    c = acta.casilla
    return PublishedRow(
        key=c.key,
        tipo_acta=acta.tipo_acta,
        id_entidad=catalog.id_entidad,
        entidad=catalog.entidad,
        id_demarcacion=acta.id_demarcacion,
        demarcacion=catalog.demarcacion_name(election, acta.id_demarcacion),
        ubicacion=c.ubicacion,
        lista_nominal=c.lista_nominal,
        representantes=c.representantes,
        mecanismo=c.mecanismo,
        **common,  # type: ignore[arg-type]
    )


def _integrity_code(sha256: str, integrity: Mapping[str, str] | None) -> str | None:
    if integrity is None:
        return sha256
    return integrity.get(sha256)  # an image the server does not hold: unknown ("-")


def _entry(key: RowKey, row: PublishedRow, line: str, source: ActaState) -> Entry:
    decision = row.decision
    outcome = ActaOutcome(
        decision,
        row.lista_nominal or 0,
        row.total_calculado or 0,
        row.key is not None and row.key.tipo == "S",
    )
    counted = row.votes if decision.counted else None
    return Entry(key, row, line.encode("utf-8"), outcome, row.sort_key(), counted, source)


_ORDER = attrgetter("order")


def belongs_to(catalog: Catalog, election: Election, clave_acta: str) -> bool:
    """In the election's catalog, or fuera de catálogo with one of its acta codes."""
    acta = catalog.acta(clave_acta)
    if acta is not None:
        return acta.election.id == election.id
    return clave_acta[11:] in election.acta_codes


def build_cut(
    catalog: Catalog,
    election_id: str,
    states: Iterable[ActaState],
    cut_time: datetime,
    *,
    final: bool = False,
    layout: Layout = INE_FEDERAL,
    integrity: Mapping[str, str] | None = None,
    cache: RowCache | None = None,
) -> Cut:
    """The cut of one election. ``integrity``: CODIGO_INTEGRIDAD of each image by its
    SHA-256 when ``layout`` publishes another hash (SHA-512: the server gives them,
    ``sync_server.services.cuts.integrity_codes``); None: the SHA-256 itself. With
    ``cache`` (the previous cut's rows, see :mod:`prep_core.rowcache`) only the actas
    whose row can have changed are built again; the cut is the same either way, byte
    for byte."""
    if layout.integrity == "sha256":
        integrity = None
    election = catalog.election(election_id)
    entries = {} if cache is None else cache.scoped(catalog, election, layout)
    elsewhere: set[str] = set() if cache is None else cache.elsewhere
    fields = row_fields(election)
    kept: dict[str, Entry | None] = {}  # in the order of ``states`` (ties keep it)
    todo: list[tuple[str, RowKey, PublishedRow, ActaState]] = []
    reused = 0
    for st in states:
        clave = st.clave_acta
        entry = entries.get(clave)
        if entry is not None and unchanged(entry, st, fields, integrity):
            kept[clave] = entry
            reused += 1
            continue
        if clave in elsewhere:
            continue
        if not belongs_to(catalog, election, clave):
            elsewhere.add(clave)
            continue
        if not publishable(st, catalog):
            continue
        key = row_key(st, fields, integrity) if cache is not None else ()
        kept[clave] = None
        todo.append((clave, key, published_row(catalog, election, st, integrity), st))
    new_lines = row_lines([row for _, _, row, _ in todo], layout)
    for (clave, key, row, st), line in zip(todo, new_lines, strict=True):
        kept[clave] = _entry(key, row, line, st)
    done = cast(dict[str, Entry], kept)
    ordered = sorted(done.values(), key=_ORDER)
    if cache is not None:
        cache.entries, cache.reused, cache.built = done, reused, len(todo)
    counted = [e.counted for e in ordered if e.counted is not None]
    columns = zip(*counted, strict=True) if counted else ((),) * len(election.vote_fields)
    totals = {
        f: total_calculado(column)
        for f, column in zip(election.vote_fields, columns, strict=True)
    }
    esperadas = catalog.expected_count(election_id)
    cut = Cut(
        catalog=catalog,
        election=election,
        cut_time=cut_time,
        final=final,
        rows=tuple(e.row for e in ordered),
        figures=cut_figures(esperadas, (e.outcome for e in ordered), final=final),
        votes=totals,
        layout=layout,
    )
    head = results_head(
        election_name=election.name,
        cut_time=cut_time,
        figures=cut.figures,
        ambito_column=election.column,
        vote_fields=election.vote_fields,
        layout=layout,
    )
    lines = [head.encode("utf-8")]
    lines += [e.line for e in ordered]
    cut.__dict__["csv_bytes"] = b"".join(lines)  # the cached property's value
    return cut
