"""Layouts of a published PREP database, as data (docs/PUBLISHED.md, "Layout profiles").

Each institute publishes its PREP database in its own variant of INE's layout: other
spellings of a header or a column, quoted percentages, zero-padded keys, its own words
for OBSERVACIONES, SHA-512 integrity codes, columns it adds or leaves out. A *layout
profile* (``resources/layouts/*.json``, format ``prep-layout/1``) names those choices;
:func:`parse_layout` validates one and :func:`closest` tells which profile a file uses.

Inside the project every header field and column goes by its INE name (the canonical
name); a profile maps canonical names to its own spellings. A field a profile does not
name takes INE's value, so ``Layout()`` is INE's federal layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.counting import FUERA_DE_CATALOGO_TEXT, Decision, Legend, SinActaCause
from prep_core.errors import PrepError
from prep_core.figures import HEADER_FIELDS

FORMAT = "prep-layout/1"
# tokens in a profile's ``columns``: the ámbito's id and name columns (e.g.
# ID_DISTRITO_LOCAL, DISTRITO_LOCAL, named by the election) and the vote columns
ID_AMBITO, AMBITO, VOTES = "ID_AMBITO", "AMBITO", "VOTES"

INE_COLUMNS = (
    "CLAVE_CASILLA",
    "CLAVE_ACTA",
    "ID_ENTIDAD",
    "ENTIDAD",
    ID_AMBITO,
    AMBITO,
    "SECCION",
    "ID_CASILLA",
    "TIPO_CASILLA",
    "EXT_CONTIGUA",
    "UBICACION_CASILLA",
    "TIPO_ACTA",
    *FIGURE_FIELDS,
    VOTES,
    TOTAL_FIELD,
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
# what the rules read: a file without one of these cannot be counted
REQUIRED_COLUMNS = (
    "CLAVE_CASILLA",
    "CLAVE_ACTA",
    "ID_ENTIDAD",
    "ENTIDAD",
    ID_AMBITO,
    "SECCION",
    "ID_CASILLA",
    "TIPO_CASILLA",
    "EXT_CONTIGUA",
    "UBICACION_CASILLA",
    "TIPO_ACTA",
    *FIGURE_FIELDS,
    VOTES,
    TOTAL_FIELD,
    "LISTA_NOMINAL",
    "REPRESENTANTES_PP_CI",
    "OBSERVACIONES",
)
HASHES = {"sha256": 64, "sha512": 128}


def integrity_code(algorithm: str, data: bytes) -> str:
    """CODIGO_INTEGRIDAD of an image under a profile's ``integrity`` (lowercase hex)."""
    if algorithm not in HASHES:
        raise ValueError(f"unknown integrity hash: {algorithm!r}")
    return hashlib.new(algorithm, data).hexdigest()


def integrity_label(algorithm: str) -> str:
    """``sha512`` → ``SHA-512``, as documents name it."""
    return algorithm.upper().replace("SHA", "SHA-")
KEY_COLUMNS = (ID_AMBITO, AMBITO, "SECCION", "ID_CASILLA", "EXT_CONTIGUA")


class LayoutError(PrepError):
    """A layout profile that cannot be accepted, or a file that fits no profile."""


@dataclass(frozen=True)
class Vocabulary:
    """The words of OBSERVACIONES. ``list`` style (INE): ``['Excede Lista Nominal',
    'Sin dato']``; ``phrases`` style (an OPLE): each legend's phrase, repeated phrases
    written once, joined by ``join``."""

    style: str = "list"
    legends: Mapping[Legend, str] = field(default_factory=lambda: {lg: lg.value for lg in Legend})
    none: str = "-"
    join: str = ", "
    sin_acta: Mapping[int, str] = field(
        default_factory=lambda: {0: "Sin acta", **{int(c): f"Sin acta({int(c)})" for c in SinActaCause}}
    )
    fuera_de_catalogo: str = FUERA_DE_CATALOGO_TEXT

    def format(self, d: Decision) -> str:
        if d.no_acta:
            return self.sin_acta.get(int(d.sin_acta or 0), self.sin_acta[0])
        if d.fuera_de_catalogo:
            return self.fuera_de_catalogo
        if not d.legends:
            return self.none
        words = list(dict.fromkeys(self.legends[lg] for lg in d.legends))
        if self.style == "list":
            return "[" + ", ".join(f"'{w}'" for w in words) + "]"
        return self.join.join(words)

    def parse(self, text: str) -> tuple[tuple[Legend, ...], SinActaCause | None, bool]:
        """(legends, Sin acta cause, is Sin acta) of an OBSERVACIONES cell; unknown words
        raise ValueError."""
        s = text.strip()
        low = s.casefold()
        for n, words in self.sin_acta.items():
            if low == words.casefold():
                return (), SinActaCause(n) if n else None, True
        if low.replace(" ", "").startswith("sinacta"):
            digits = "".join(c for c in s if c.isdigit())
            return (), SinActaCause(int(digits)) if digits else None, True
        if low in ("", "-", "n/a", self.none.casefold(), self.fuera_de_catalogo.casefold()):
            return (), None, False
        by_words: dict[str, list[Legend]] = {}
        for lg, w in self.legends.items():
            by_words.setdefault(w.casefold(), []).append(lg)
        if low in by_words:
            return tuple(by_words[low]), None, False
        sep = "," if self.style == "list" else self.join.strip() or self.join
        parts = [p.strip().strip("'\"").strip() for p in s.strip("[]").split(sep)]
        out: list[Legend] = []
        for p in parts:
            if not p:
                continue
            found = by_words.get(p.casefold())
            if found is None:
                raise ValueError(f"unknown OBSERVACIONES legend: {p!r}")
            out.extend(found)
        return tuple(out), None, False


@dataclass(frozen=True)
class Layout:
    """One institute's published layout; every default is INE's federal layout."""

    id: str = "ine-federal"
    name: str = "INE, base de datos del PREP federal"
    bom: bool = True
    line_end: str = "\r\n"
    header_names: Mapping[str, str] = field(default_factory=dict)  # canonical → file's
    column_names: Mapping[str, str] = field(default_factory=dict)  # canonical → file's
    columns: tuple[str, ...] = INE_COLUMNS  # canonical, with the ID_AMBITO/AMBITO/VOTES tokens
    quoted_percentages: bool = False
    key_cells: Mapping[str, int] = field(default_factory=dict)  # quoted, zero-padded to width
    unknown: str = "-"  # a value not known
    no_aplica: str = "N/A"  # a figure or key that does not apply
    no_aplica_vote: str = "N/A"  # a vote field not on that acta
    sin_acta_total: str | None = None  # TOTAL_VOTOS_CALCULADO of a Sin acta row; None: unknown
    integrity: str = "sha256"
    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    sin_lista_nominal: frozenset[str] = frozenset({"M", "A"})  # TIPO_CASILLA never Excede
    not_applicable_keys: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def header_name(self, canonical: str) -> str:
        return self.header_names.get(canonical, canonical)

    def column_name(self, canonical: str) -> str:
        return self.column_names.get(canonical, canonical)

    def file_columns(self, ambito_column: str, vote_fields: Sequence[str]) -> list[str]:
        """The column row as this layout spells it."""
        out: list[str] = []
        for c in self.columns:
            if c == VOTES:
                out.extend(vote_fields)
            elif c == ID_AMBITO:
                out.append(f"ID_{ambito_column}")
            elif c == AMBITO:
                out.append(ambito_column)
            else:
                out.append(self.column_name(c))
        return out

    def fixed_names(self) -> frozenset[str]:
        """The column names this layout spells, vote and ámbito columns aside."""
        return frozenset(self.column_name(c) for c in self.columns if c not in (ID_AMBITO, AMBITO, VOTES))

    def canonical_column(self, name: str) -> str:
        return _inverse(self.column_names).get(name, name)

    def canonical_header(self, name: str) -> str:
        return _inverse(self.header_names).get(name, name)

    def percent(self, text: str) -> str:
        return f"'{text}'" if self.quoted_percentages else text


def _inverse(m: Mapping[str, str]) -> dict[str, str]:
    return {v: k for k, v in m.items()}


INE_FEDERAL = Layout()


# ---------------------------------------------------------------- the profile file


def parse_layout(doc: Any, *, where: str = "layout") -> Layout:
    """A layout profile from its JSON document; raise LayoutError naming the key."""

    def bad(key: str, es: str, en: str) -> LayoutError:
        return LayoutError(f"{key}: {es}", f"{key}: {en}", where=where)

    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise LayoutError(f"no es un perfil {FORMAT}", f"not a {FORMAT} document", where=where)
    known = {
        "format", "id", "name", "bom", "line_end", "header_names", "column_names", "columns",
        "quoted_percentages", "key_cells", "cells", "integrity", "observaciones",
        "sin_lista_nominal", "not_applicable_keys", "notes",
    }
    unknown = sorted(set(doc) - known)
    if unknown:
        raise bad(str(unknown), "claves desconocidas", "unknown keys")
    kw: dict[str, Any] = {}
    for key in ("id", "name"):
        if not isinstance(doc.get(key), str) or not doc[key].strip():
            raise bad(key, "debe ser texto", "must be text")
        kw[key] = doc[key]
    if "bom" in doc:
        kw["bom"] = _bool(doc["bom"], bad("bom", "debe ser true o false", "must be true or false"))
    if "line_end" in doc:
        if doc["line_end"] not in ("\r\n", "\n", "\r"):
            raise bad("line_end", 'debe ser "\\r\\n", "\\n" o "\\r"', 'must be "\\r\\n", "\\n" or "\\r"')
        kw["line_end"] = doc["line_end"]
    kw["header_names"] = _names(doc.get("header_names", {}), set(HEADER_FIELDS), bad("header_names", "", ""))
    canon = {c for c in INE_COLUMNS if c not in (ID_AMBITO, AMBITO, VOTES)}
    kw["column_names"] = _names(doc.get("column_names", {}), canon, bad("column_names", "", ""))
    if "columns" in doc:
        cols = doc["columns"]
        allowed = set(INE_COLUMNS)
        if (
            not isinstance(cols, list)
            or not all(isinstance(c, str) and c in allowed for c in cols)
            or len(set(cols)) != len(cols)
        ):
            raise bad("columns", "nombres INE distintos (con ID_AMBITO, AMBITO, VOTES)",
                      "distinct INE names (with ID_AMBITO, AMBITO, VOTES)")
        missing = [c for c in REQUIRED_COLUMNS if c not in cols]
        if missing:
            raise bad("columns", f"faltan {missing}", f"missing {missing}")
        if cols.index(VOTES) != cols.index(FIGURE_FIELDS[-1]) + 1 or cols.index(TOTAL_FIELD) != cols.index(VOTES) + 1:
            raise bad("columns", "VOTES va entre TOTAL_VOTOS_SACADOS y TOTAL_VOTOS_ASENTADO",
                      "VOTES goes between TOTAL_VOTOS_SACADOS and TOTAL_VOTOS_ASENTADO")
        kw["columns"] = tuple(cols)
    if "quoted_percentages" in doc:
        kw["quoted_percentages"] = _bool(doc["quoted_percentages"], bad("quoted_percentages", "debe ser true o false", "must be true or false"))
    if "key_cells" in doc:
        kc = doc["key_cells"]
        if not isinstance(kc, dict) or not all(
            k in KEY_COLUMNS and isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9
            for k, v in kc.items()
        ):
            raise bad("key_cells", f"columnas de {KEY_COLUMNS} con un ancho 0..9",
                      f"columns of {KEY_COLUMNS} with a width 0..9")
        kw["key_cells"] = dict(kc)
    cells = doc.get("cells", {})
    texts = {"unknown", "no_aplica", "no_aplica_vote", "sin_acta_total"}
    if not isinstance(cells, dict) or not set(cells) <= texts or not all(
        isinstance(v, str) and "," not in v and '"' not in v for v in cells.values()
    ):
        raise bad("cells", f"textos {sorted(texts)} sin comas", f"texts {sorted(texts)} without commas")
    kw.update(cells)
    if "integrity" in doc:
        if doc["integrity"] not in HASHES:
            raise bad("integrity", "sha256 o sha512", "sha256 or sha512")
        kw["integrity"] = doc["integrity"]
    if "observaciones" in doc:
        kw["vocabulary"] = _vocabulary(doc["observaciones"], bad)
    if "sin_lista_nominal" in doc:
        tipos = doc["sin_lista_nominal"]
        if not isinstance(tipos, list) or not all(isinstance(t, str) and len(t) == 1 and t in "BCESMAPV" for t in tipos):
            raise bad("sin_lista_nominal", "lista de TIPO_CASILLA", "a list of TIPO_CASILLA")
        kw["sin_lista_nominal"] = frozenset(tipos)
    if "not_applicable_keys" in doc:
        nak = doc["not_applicable_keys"]
        if not isinstance(nak, dict) or not all(
            isinstance(v, list) and all(c in KEY_COLUMNS for c in v) for v in nak.values()
        ):
            raise bad("not_applicable_keys", f"TIPO_CASILLA → columnas de {KEY_COLUMNS}",
                      f"TIPO_CASILLA → columns of {KEY_COLUMNS}")
        kw["not_applicable_keys"] = {k: tuple(v) for k, v in nak.items()}
    return Layout(**kw)


def _bool(v: Any, err: LayoutError) -> bool:
    if not isinstance(v, bool):
        raise err
    return v


def _names(v: Any, canon: set[str], err: LayoutError) -> dict[str, str]:
    if not isinstance(v, dict) or not all(
        k in canon and isinstance(s, str) and s.strip() == s and s and "," not in s
        for k, s in v.items()
    ):
        raise LayoutError(
            f"{err.message_es}nombres INE → su escritura en el archivo",
            f"{err.message_en}INE names → the file's spelling",
            where=err.where,
        )
    return dict(v)


def _vocabulary(v: Any, bad: Any) -> Vocabulary:
    if not isinstance(v, dict):
        raise bad("observaciones", "debe ser un objeto", "must be an object")
    style = v.get("style", "list")
    if style not in ("list", "phrases"):
        raise bad("observaciones.style", "list o phrases", "list or phrases")
    legends_doc = v.get("legends", {})
    try:
        legends = {lg: lg.value for lg in Legend}
        legends.update({Legend[k]: str(w) for k, w in legends_doc.items()})
    except (KeyError, AttributeError):
        raise bad("observaciones.legends", f"claves de {[lg.name for lg in Legend]}",
                  f"keys of {[lg.name for lg in Legend]}") from None
    sin_doc = v.get("sin_acta", {})
    try:
        sin_acta = {0: "Sin acta", **{int(c): f"Sin acta({int(c)})" for c in SinActaCause}}
        sin_acta.update({int(k): str(w) for k, w in sin_doc.items()})
        if not set(sin_acta) <= {0, *map(int, SinActaCause)}:
            raise ValueError
    except (ValueError, AttributeError):
        raise bad("observaciones.sin_acta", "causas 0..4 → texto", "causes 0..4 → text") from None
    return Vocabulary(
        style=style,
        legends=legends,
        none=str(v.get("none", "-")),
        join=str(v.get("join", ", ")),
        sin_acta=sin_acta,
        fuera_de_catalogo=str(v.get("fuera_de_catalogo", FUERA_DE_CATALOGO_TEXT)),
    )


# ---------------------------------------------------------------- which profile a file uses


@dataclass(frozen=True)
class Fit:
    """How a file's header and column names compare with one profile."""

    layout: Layout
    missing: tuple[str, ...]  # names the profile has and the file lacks
    extra: tuple[str, ...]  # names the file has and the profile lacks
    required_missing: tuple[str, ...]  # of ``missing``, those the rules need

    @property
    def exact(self) -> bool:
        return not self.missing and not self.extra

    @property
    def score(self) -> int:
        return 100 * len(self.required_missing) + len(self.missing) + len(self.extra)

    def differences(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"faltan / missing {list(self.missing)}")
        if self.extra:
            parts.append(f"de más / extra {list(self.extra)}")
        return "; ".join(parts)


def fit(layout: Layout, header_names: Sequence[str], fixed_columns: Sequence[str]) -> Fit:
    """Compare a file's header names and its columns (vote and ámbito columns aside)."""
    want = {layout.header_name(h) for h in HEADER_FIELDS} | layout.fixed_names()
    have = set(header_names) | set(fixed_columns)
    required = {layout.header_name(HEADER_FIELDS[0])} | {
        layout.column_name(c) for c in REQUIRED_COLUMNS if c not in (ID_AMBITO, VOTES)
    }
    missing = tuple(sorted(want - have))
    return Fit(
        layout,
        missing,
        tuple(sorted(have - want)),
        tuple(m for m in missing if m in required),
    )


def closest(layouts: Sequence[Layout], header_names: Sequence[str], fixed_columns: Sequence[str]) -> Fit:
    """The profile a file fits best (the first one on a tie)."""
    if not layouts:
        raise LayoutError("no hay perfiles de formato", "no layout profiles")
    fits = [fit(lay, header_names, fixed_columns) for lay in layouts]
    return min(fits, key=lambda f: f.score)
