"""The catalog: elections and approved casillas, and so the expected actas.

The catalog is fixed before election day. Its fingerprint (SHA-256 of a
canonical JSON form) travels with every record so that a station and the
server can tell they agree on it.
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from prep_core.identity import CasillaKey
from prep_core.qr import INE_LAYOUT, QrIdentity, QrLayout

NO_REGISTRADAS = "NO_REGISTRADAS"
NULOS = "NULOS"
MECANISMOS = frozenset({"D", "F", "I", ""})
SIN_LISTA_NOMINAL = frozenset({"M", "A"})  # abroad, early vote


class Ambito(enum.Enum):
    DISTRITO = "DISTRITO"
    MUNICIPIO = "MUNICIPIO"


@dataclass(frozen=True)
class Candidacy:
    id_demarcacion: int
    partido_ci: str
    propietaria: str
    suplente: str


@dataclass(frozen=True)
class Election:
    """One election: its ámbito, acta codes and vote fields in acta order.

    ``tipo_acta`` maps a TIPO_CASILLA to its acta code, or to the codes of its actas
    when it has several (an OPLE's casilla especial: ``("2 EMR", "2 ERP")``); key
    ``"*"`` is the default. ``column`` names the ámbito columns of the published
    database, e.g. ``DISTRITO_LOCAL`` gives ``ID_DISTRITO_LOCAL`` and ``DISTRITO_LOCAL``.
    ``acta_fields`` lists the vote fields of an acta code that does not carry them all
    (representación proporcional: no coalitions); ``field_demarcaciones`` the
    demarcaciones where a combination exists (absent: everywhere). ``tipo_figures`` lists
    the figures (``prep_core.acta.FIGURE_FIELDS``) on the acta of a casilla type whose
    acta does not carry them all (abroad, early vote: no boletas sobrantes; especiales:
    no representatives' votes counted apart); absent: all four. A field that does not
    apply to an acta is published as No aplica (DOMAIN.md §4).
    """

    id: str
    name: str
    ambito: Ambito
    column: str
    id_tipo_candidatura: int
    tipo_acta: Mapping[str, str | tuple[str, ...]]
    vote_fields: tuple[str, ...]
    candidacies: tuple[Candidacy, ...] = ()
    qr_layout: QrLayout = INE_LAYOUT
    acta_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    field_demarcaciones: Mapping[str, frozenset[int]] = field(default_factory=dict)
    tipo_figures: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def figure_applies(self, figure: str, tipo_casilla: str) -> bool:
        """Whether a figure (boletas sobrantes, personas, ...) is on the acta of a casilla
        of this type; when not, it is No aplica."""
        figures = self.tipo_figures.get(tipo_casilla)
        return figures is None or figure in figures

    def acta_codes_for(self, tipo_casilla: str) -> tuple[str, ...]:
        """Every acta a casilla of this type has in this election (one, or an
        especial's two)."""
        code = self.tipo_acta.get(tipo_casilla, self.tipo_acta["*"])
        return (code,) if isinstance(code, str) else code

    def acta_code(self, tipo_casilla: str) -> str:
        """The (first) acta code of a casilla type."""
        return self.acta_codes_for(tipo_casilla)[0]

    @property
    def acta_codes(self) -> frozenset[str]:
        return frozenset(c for t in self.tipo_acta for c in self.acta_codes_for(t))

    @property
    def scoped(self) -> bool:
        """Some vote field is not on every acta."""
        return bool(self.acta_fields or self.field_demarcaciones)

    def applies(self, vote_field: str, tipo_acta: str, id_demarcacion: int) -> bool:
        """Whether a vote field is on that acta; when not, it is No aplica."""
        fields = self.acta_fields.get(tipo_acta)
        if fields is not None and vote_field not in fields:
            return False
        where = self.field_demarcaciones.get(vote_field)
        return where is None or id_demarcacion in where


@dataclass(frozen=True)
class Casilla:
    key: CasillaKey
    id_distrito: int
    id_municipio: int
    ubicacion: int  # 1 urbana, 2 no urbana
    lista_nominal: int
    representantes: int
    boletas_especial: int | None = None  # approved ballots, casillas especiales only
    mecanismo: str = ""  # D, F, I or empty

    @property
    def clave(self) -> str:
        return self.key.clave

    @property
    def especial(self) -> bool:
        return self.key.tipo == "S"

    def limit(self, sin_lista_nominal: frozenset[str] = frozenset()) -> int | None:
        """LN + representantes (especiales: approved ballots + representantes);
        None when an especial's approved ballots are unknown, or for a casilla type
        without a lista nominal (``sin_lista_nominal``): never Excede."""
        if self.key.tipo in sin_lista_nominal:
            return None
        if self.especial:
            if self.boletas_especial is None:
                return None
            return self.boletas_especial + self.representantes
        return self.lista_nominal + self.representantes


@dataclass(frozen=True)
class ExpectedActa:
    election: Election
    casilla: Casilla
    tipo_acta: str

    @property
    def clave_acta(self) -> str:
        return self.casilla.key.clave_acta(self.tipo_acta)

    @property
    def id_demarcacion(self) -> int:
        c = self.casilla
        return c.id_distrito if self.election.ambito is Ambito.DISTRITO else c.id_municipio


@dataclass(frozen=True)
class Catalog:
    name: str
    id_entidad: int
    entidad: str
    elections: tuple[Election, ...]
    casillas: tuple[Casilla, ...]
    distritos: Mapping[int, str] = field(default_factory=dict)
    municipios: Mapping[int, str] = field(default_factory=dict)
    synthetic: bool = False
    # casilla types without a lista nominal (abroad, early vote): never Excede
    sin_lista_nominal: frozenset[str] = SIN_LISTA_NOMINAL
    # per election, actas expected besides those of the listed casillas: a drill that
    # replays a few rows of a larger database expects the rest of its ACTAS_ESPERADAS,
    # which never arrive (no casilla, no page, no key)
    unlisted_actas: Mapping[str, int] = field(default_factory=dict)

    def election(self, election_id: str) -> Election:
        for e in self.elections:
            if e.id == election_id:
                return e
        raise KeyError(election_id)

    def demarcacion_name(self, election: Election, id_demarcacion: int) -> str:
        names = self.distritos if election.ambito is Ambito.DISTRITO else self.municipios
        return names.get(id_demarcacion, "")

    @cached_property
    def _actas(self) -> dict[str, ExpectedActa]:
        out: dict[str, ExpectedActa] = {}
        for e in self.elections:
            for c in self.casillas:
                for code in e.acta_codes_for(c.key.tipo):
                    a = ExpectedActa(e, c, code)
                    out[a.clave_acta] = a
        return out

    def expected_actas(self, election_id: str | None = None) -> list[ExpectedActa]:
        return [a for a in self._actas.values() if election_id in (None, a.election.id)]

    def expected_count(self, election_id: str | None = None) -> int:
        """ACTAS_ESPERADAS: the listed casillas' actas and the unlisted ones."""
        unlisted = sum(n for e, n in self.unlisted_actas.items() if election_id in (None, e))
        return len(self.expected_actas(election_id)) + unlisted

    def especial_ballots(self, election_id: str | None = None) -> dict[str, int]:
        """Each casilla especial's approved ballots by CLAVE_CASILLA (what an independent
        count of the published rows needs to judge an especial's Excede)."""
        return {a.casilla.clave: a.casilla.boletas_especial
                for a in self.expected_actas(election_id)
                if a.casilla.especial and a.casilla.boletas_especial is not None}

    def acta(self, clave_acta: str) -> ExpectedActa | None:
        return self._actas.get(clave_acta)

    def match_qr(self, identity: QrIdentity) -> ExpectedActa | None:
        """The expected acta a QR reading names, or None: fuera de catálogo."""
        a = self._actas.get(identity.clave_acta)
        if a is None or a.election.id_tipo_candidatura != identity.id_tipo_candidatura:
            return None
        if identity.id_distrito and identity.id_distrito != a.id_demarcacion:
            return None
        return a

    def to_canonical(self) -> dict[str, Any]:
        """The canonical form; a key added by a later version appears only when it holds
        something other than its default, so existing catalogs keep their fingerprint."""
        doc: dict[str, Any] = {
            "format": "prep-catalog/1",
            "name": self.name,
            "synthetic": self.synthetic,
            "entidad": {"id": self.id_entidad, "name": self.entidad},
            "distritos": [{"id": k, "name": v} for k, v in sorted(self.distritos.items())],
            "municipios": [{"id": k, "name": v} for k, v in sorted(self.municipios.items())],
            "elections": [_election_doc(e) for e in self.elections],
            "casillas": [_casilla_row(c) for c in sorted(self.casillas, key=lambda c: c.key)],
        }
        if self.sin_lista_nominal != SIN_LISTA_NOMINAL:
            doc["sin_lista_nominal"] = sorted(self.sin_lista_nominal)
        if self.unlisted_actas:
            doc["unlisted_actas"] = dict(sorted(self.unlisted_actas.items()))
        return doc

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the canonical JSON form: stable across file layouts."""
        return hashlib.sha256(canonical_json(self.to_canonical())).hexdigest()


def canonical_json(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _election_doc(e: Election) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": e.id,
        "name": e.name,
        "ambito": e.ambito.value,
        "column": e.column,
        "id_tipo_candidatura": e.id_tipo_candidatura,
        "tipo_acta": {
            k: v if isinstance(v, str) else list(v) for k, v in sorted(e.tipo_acta.items())
        },
        "vote_fields": list(e.vote_fields),
        "qr_layout": e.qr_layout.spec,
        "candidacies": [
            {
                "id_demarcacion": c.id_demarcacion,
                "partido_ci": c.partido_ci,
                "propietaria": c.propietaria,
                "suplente": c.suplente,
            }
            for c in e.candidacies
        ],
    }
    if e.acta_fields:
        doc["acta_fields"] = {k: list(v) for k, v in sorted(e.acta_fields.items())}
    if e.field_demarcaciones:
        doc["field_demarcaciones"] = {
            k: sorted(v) for k, v in sorted(e.field_demarcaciones.items())
        }
    if e.tipo_figures:
        doc["tipo_figures"] = {k: list(v) for k, v in sorted(e.tipo_figures.items())}
    return doc


CASILLA_COLUMNS = (
    "ID_ENTIDAD",
    "SECCION",
    "TIPO_CASILLA",
    "ID_CASILLA",
    "EXT_CONTIGUA",
    "ID_DISTRITO",
    "ID_MUNICIPIO",
    "UBICACION_CASILLA",
    "LISTA_NOMINAL",
    "REPRESENTANTES_PP_CI",
    "BOLETAS_ESPECIAL",
    "MECANISMOS_TRASLADO",
)


def _casilla_row(c: Casilla) -> list[Any]:
    k = c.key
    return [
        k.id_entidad,
        k.seccion,
        k.tipo,
        k.numero,
        k.ext_contigua,
        c.id_distrito,
        c.id_municipio,
        c.ubicacion,
        c.lista_nominal,
        c.representantes,
        c.boletas_especial,
        c.mecanismo,
    ]


def casilla_csv_rows(casillas: Iterable[Casilla]) -> list[list[str]]:
    """Rows of ``casillas.csv`` (header first), in key order."""
    rows = [list(CASILLA_COLUMNS)]
    for c in sorted(casillas, key=lambda c: c.key):
        rows.append(["" if v is None else str(v) for v in _casilla_row(c)])
    return rows

