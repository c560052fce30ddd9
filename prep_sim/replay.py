"""``--from-database``: a published PREP database (INE's layout, or an OPLE's that a
layout profile describes) becomes the catalog and the truth of a drill.

Each row is an acta on paper with the file's figures: blank where it says Sin dato,
scribbled where Ilegible, no paper where Sin acta (its cause registered at acopio), a
QR naming no approved casilla where the row is fuera de catálogo. Actas the header
expects but the file does not list (a partial cut) are casillas of the catalog that
never arrive. A form laid out for the file has as many digit cells per figure as its
largest figure needs; on a form of the repository (three cells), a figure over 999
does not fit: it is written as 999 and listed (``unprintable``), so the acta keeps
its fate (Excede) but not its exact figure. At the end the published header must equal the file's own (for a
file of a few rows from a larger one, the header those rows imply).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.catalog import Catalog
from prep_core.crosscheck import second_count
from prep_core.database import read_database
from prep_core.events import MAX_FIGURE
from prep_core.identity import CasillaKey
from prep_core.qr import QrIdentity, format_qr
from prep_core.values import Mark
from prep_sim.truth import SIN_DATO, Truth, TruthActa, qr_of


def _paper(v: Any, clave: str, field: str, unprintable: list[str], most: int) -> int | str:
    if isinstance(v, Mark):
        return v.value
    if v is None:
        return SIN_DATO
    if int(v) > most:
        unprintable.append(f"{clave} {field} {v}")
        return most
    return int(v)


def _padded(catalog: Catalog, expected: int) -> Catalog:
    """Actas the header expects and the file does not list: they never arrive. The
    catalog counts them (``Catalog.unlisted_actas``) without casillas: a file of a few
    rows out of 21,091 actas is not a drill over 21,000 casillas of pages and keys."""
    missing = expected - catalog.expected_count()
    if missing <= 0 or not catalog.elections:
        return catalog
    return replace(catalog, unlisted_actas={catalog.elections[0].id: missing})


def form_election(vote_fields: tuple[str, ...]) -> tuple[str, int] | None:
    """The election id of the repository's form with exactly these vote fields, and the
    largest figure its cells hold."""
    from capture_station.recognition.templates import load_templates

    for t in load_templates():
        if tuple(f.name for f in t.fields if f.kind == "vote") == vote_fields:
            return t.election, 10 ** min(len(f.cells) for f in t.fields) - 1
    return None


def database_truth(path: Path) -> tuple[Catalog, Truth, dict[str, str], list[str], str]:
    """The catalog, the truth, the header to come back, the figures too large for
    the form, and the id of the file's layout profile (the server publishes in it)."""
    from prep_io.layouts import shipped_layouts

    data = path.read_bytes()
    layouts = shipped_layouts()  # whichever profile the file fits: INE's or an OPLE's
    db = read_database(data, where=str(path), layouts=layouts)
    known = form_election(tuple(db.file.vote_fields))
    most = MAX_FIGURE  # a form laid out for the file fits its largest figure
    if known is not None:  # the readers at the stations know that form: call it by its id
        db = read_database(data, where=str(path), layouts=layouts, election_id=known[0])
        most = known[1]
    header = dict(db.file.header)
    if header.get("ACTAS_REGISTRADAS") != str(len(db.rows)):
        # a few rows of a larger file (its header is the whole file's): the header
        # to come back is the one its own rows imply, counted by the file's rules
        header = {**second_count(db.file).header,
                  "ACTAS_ESPERADAS": header.get("ACTAS_ESPERADAS", "")}
    expected = header.get("ACTAS_ESPERADAS", "")
    catalog = db.catalog
    if expected.isdigit():
        catalog = _padded(catalog, int(expected))
    election = catalog.elections[0]
    fields = (*FIGURE_FIELDS, *election.vote_fields, TOTAL_FIELD)
    unprintable: list[str] = []
    actas: list[TruthActa] = []
    fuera = 0
    for r in db.rows:
        cells = (*r.figures, *r.votes, r.total_asentado)
        if r.key is None or r.decision.fuera_de_catalogo:
            key = CasillaKey(catalog.id_entidad, 9_000 + fuera, "B", 1, 0)
            fuera += 1
            clave = key.clave_acta(r.tipo_acta)
            qr = format_qr(QrIdentity(key, r.id_demarcacion or catalog.casillas[0].id_distrito,
                                      r.tipo_acta, election.id_tipo_candidatura), election.qr_layout)
            values = {f: _paper(v, clave, f, unprintable, most) for f, v in zip(fields, cells, strict=True)}
            actas.append(TruthActa(clave, election.id, qr, values, fuera=True, kind="fuera"))
            continue
        clave = r.key.clave_acta(r.tipo_acta)
        exp = catalog.acta(clave)
        if exp is None:
            raise ValueError(f"{clave}: not in the catalog the file implies")
        if r.decision.no_acta:
            cause = r.decision.sin_acta
            actas.append(TruthActa(clave, election.id, qr_of(exp), None,
                                   sin_acta_cause=int(cause.value) if cause is not None else 1,
                                   kind="sin_acta"))
            continue
        values = {f: _paper(v, clave, f, unprintable, most) for f, v in zip(fields, cells, strict=True)}
        legends = ",".join(x.name.lower() for x in r.decision.legends) or "normal"
        actas.append(TruthActa(clave, election.id, qr_of(exp), values, kind=legends))
    return catalog, Truth(actas), header, unprintable, db.layout.id
