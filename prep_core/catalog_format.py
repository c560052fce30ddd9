"""Parsing catalog files: ``catalog.json`` (entidad, demarcaciones, elections)
and ``casillas.csv`` (one approved casilla a row). See docs/CATALOG.md.

Every bad row is reported with its row number; nothing is half-accepted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from typing import Any

from prep_core.acta import FIGURE_FIELDS
from prep_core.catalog import (
    CASILLA_COLUMNS,
    MECANISMOS,
    NO_REGISTRADAS,
    NULOS,
    Ambito,
    Candidacy,
    Casilla,
    Catalog,
    Election,
    casilla_csv_rows,
)
from prep_core.errors import CatalogError, IdentityError, PrepError
from prep_core.identity import TIPOS_CASILLA, CasillaKey, valid_tipo_acta
from prep_core.qr import QrLayout

MAX_ERRORS = 20


def parse_catalog(doc_text: str, casillas_csv: str, *, source: str = "catalog") -> Catalog:
    """Build a catalog from the text of its two files; raise CatalogError naming rows."""
    try:
        doc = json.loads(doc_text)
    except json.JSONDecodeError as exc:
        raise CatalogError(
            f"JSON inválido en la línea {exc.lineno}: {exc.msg}",
            f"invalid JSON at line {exc.lineno}: {exc.msg}",
            where=f"{source}/catalog.json",
        ) from exc
    if not isinstance(doc, dict) or doc.get("format") != "prep-catalog/1":
        raise CatalogError(
            "no es un catálogo prep-catalog/1",
            "not a prep-catalog/1 document",
            where=f"{source}/catalog.json",
        )
    where = f"{source}/catalog.json"
    entidad = _obj(doc, "entidad", where)
    id_entidad = _int(entidad.get("id"), "entidad.id", where)
    elections = tuple(
        _election(e, f"{where} elections[{i}]")
        for i, e in enumerate(_list(doc, "elections", where))
    )
    if not elections:
        raise CatalogError(
            "el catálogo no tiene elecciones", "catalog has no elections", where=where
        )
    ids = [e.id for e in elections]
    if len(set(ids)) != len(ids):
        raise CatalogError("elecciones repetidas", "duplicate election ids", where=where)
    codes = [c for e in elections for c in e.acta_codes]
    if len(set(codes)) != len(codes):
        raise CatalogError(
            "dos elecciones comparten un TIPO_ACTA",
            "two elections share a TIPO_ACTA code",
            where=where,
        )
    distritos = _names(doc.get("distritos", []), "distritos", where)
    municipios = _names(doc.get("municipios", []), "municipios", where)
    ambitos = {e.ambito for e in elections}
    casillas = parse_casillas(
        casillas_csv,
        id_entidad,
        where=f"{source}/casillas.csv",
        distritos=distritos if Ambito.DISTRITO in ambitos else None,
        municipios=municipios if Ambito.MUNICIPIO in ambitos else None,
    )
    extra: dict[str, Any] = {}
    if "sin_lista_nominal" in doc:
        tipos = doc["sin_lista_nominal"]
        if not isinstance(tipos, list) or not all(isinstance(t, str) and t in TIPOS_CASILLA for t in tipos):
            raise CatalogError(
                "sin_lista_nominal debe ser una lista de TIPO_CASILLA",
                "sin_lista_nominal must be a list of TIPO_CASILLA",
                where=where,
            )
        extra["sin_lista_nominal"] = frozenset(tipos)
    if "unlisted_actas" in doc:
        unlisted = doc["unlisted_actas"]
        if not isinstance(unlisted, dict) or not all(
            k in {e.id for e in elections} and isinstance(n, int) and not isinstance(n, bool) and n >= 0
            for k, n in unlisted.items()
        ):
            raise CatalogError(
                "unlisted_actas: elección → número de actas esperadas sin casilla en el catálogo",
                "unlisted_actas: election → number of expected actas without a casilla in the catalog",
                where=where,
            )
        extra["unlisted_actas"] = dict(unlisted)
    return Catalog(
        **extra,
        name=_str(doc.get("name"), "name", where),
        id_entidad=id_entidad,
        entidad=_str(entidad.get("name"), "entidad.name", where),
        elections=elections,
        casillas=casillas,
        distritos=distritos,
        municipios=municipios,
        synthetic=bool(doc.get("synthetic", False)),
    )


def parse_casillas(
    text: str,
    id_entidad: int,
    *,
    where: str,
    distritos: Mapping[int, str] | None = None,
    municipios: Mapping[int, str] | None = None,
) -> tuple[Casilla, ...]:
    """The casillas of ``casillas.csv``; with ``distritos`` (``municipios``), each
    casilla's ID_DISTRITO (ID_MUNICIPIO) must be one of them: an election counted by
    that demarcación needs its name."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != list(CASILLA_COLUMNS):
        raise CatalogError(
            f"encabezado esperado: {','.join(CASILLA_COLUMNS)}",
            f"expected header: {','.join(CASILLA_COLUMNS)}",
            where=f"{where} fila 1",
        )
    errors: list[str] = []
    out: list[Casilla] = []
    seen: set[CasillaKey] = set()
    for n, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        try:
            c = _casilla(row, id_entidad)
        except PrepError as exc:
            errors.append(f"fila {n}: {exc.message_es} / row {n}: {exc.message_en}")
        else:
            if distritos is not None and c.id_distrito not in distritos:
                errors.append(
                    f"fila {n}: ID_DISTRITO {c.id_distrito} no está declarado en catalog.json / "
                    f"row {n}: ID_DISTRITO {c.id_distrito} is not declared in catalog.json"
                )
            if municipios is not None and c.id_municipio not in municipios:
                errors.append(
                    f"fila {n}: ID_MUNICIPIO {c.id_municipio} no está declarado en catalog.json / "
                    f"row {n}: ID_MUNICIPIO {c.id_municipio} is not declared in catalog.json"
                )
            if c.key in seen:
                errors.append(f"fila {n}: casilla repetida {c.clave} / row {n}: duplicate casilla")
            seen.add(c.key)
            out.append(c)
        if len(errors) >= MAX_ERRORS:
            errors.append("… (más errores omitidos / more errors omitted)")
            break
    if errors:
        raise CatalogError(
            f"{len(errors)} filas rechazadas:\n" + "\n".join(errors),
            "rows rejected (see above)",
            where=where,
        )
    if not out:
        raise CatalogError("no hay casillas", "no casillas", where=where)
    return tuple(out)


def _casilla(row: list[str], id_entidad: int) -> Casilla:
    if len(row) != len(CASILLA_COLUMNS):
        raise CatalogError(
            f"{len(row)} columnas, se esperan {len(CASILLA_COLUMNS)}",
            f"{len(row)} columns, expected {len(CASILLA_COLUMNS)}",
        )
    v = dict(zip(CASILLA_COLUMNS, (c.strip() for c in row), strict=True))
    nums = {
        k: _cell_int(v[k], k)
        for k in CASILLA_COLUMNS
        if k not in ("TIPO_CASILLA", "BOLETAS_ESPECIAL", "MECANISMOS_TRASLADO")
    }
    if nums["ID_ENTIDAD"] != id_entidad:
        raise CatalogError(
            f"ID_ENTIDAD {nums['ID_ENTIDAD']} no es la del catálogo ({id_entidad})",
            f"ID_ENTIDAD {nums['ID_ENTIDAD']} is not the catalog's ({id_entidad})",
        )
    try:
        key = CasillaKey(
            nums["ID_ENTIDAD"],
            nums["SECCION"],
            v["TIPO_CASILLA"],
            nums["ID_CASILLA"],
            nums["EXT_CONTIGUA"],
        )
    except IdentityError as exc:
        raise CatalogError(
            f"identidad inválida: {exc.message_es}", f"invalid identity: {exc.message_en}"
        ) from exc
    if nums["UBICACION_CASILLA"] not in (1, 2):
        raise CatalogError("UBICACION_CASILLA debe ser 1 o 2", "UBICACION_CASILLA must be 1 or 2")
    boletas = (
        _cell_int(v["BOLETAS_ESPECIAL"], "BOLETAS_ESPECIAL") if v["BOLETAS_ESPECIAL"] else None
    )
    if key.tipo == "S" and nums["LISTA_NOMINAL"] != 0:
        raise CatalogError(
            "una casilla especial no tiene lista nominal",
            "an especial casilla has no lista nominal",
        )
    if key.tipo != "S" and boletas is not None:
        raise CatalogError(
            "BOLETAS_ESPECIAL solo aplica a especiales",
            "BOLETAS_ESPECIAL applies to especiales only",
        )
    if v["MECANISMOS_TRASLADO"] not in MECANISMOS:
        raise CatalogError(
            "MECANISMOS_TRASLADO debe ser D, F, I o vacío",
            "MECANISMOS_TRASLADO must be D, F, I or empty",
        )
    return Casilla(
        key=key,
        id_distrito=nums["ID_DISTRITO"],
        id_municipio=nums["ID_MUNICIPIO"],
        ubicacion=nums["UBICACION_CASILLA"],
        lista_nominal=nums["LISTA_NOMINAL"],
        representantes=nums["REPRESENTANTES_PP_CI"],
        boletas_especial=boletas,
        mecanismo=v["MECANISMOS_TRASLADO"],
    )


def _cell_int(text: str, name: str) -> int:
    if not (text.isdigit() and text.isascii()) or len(text) > 9:
        raise CatalogError(f"{name} no es un número: {text!r}", f"{name} is not a number: {text!r}")
    return int(text)


def _election(doc: Any, where: str) -> Election:
    if not isinstance(doc, dict):
        raise CatalogError("se espera un objeto", "expected an object", where=where)
    try:
        ambito = Ambito(doc.get("ambito"))
    except ValueError as exc:
        raise CatalogError(
            "ambito debe ser DISTRITO o MUNICIPIO",
            "ambito must be DISTRITO or MUNICIPIO",
            where=where,
        ) from exc
    tipo_acta = _tipo_acta(doc.get("tipo_acta"), where)
    fields = doc.get("vote_fields")
    if (
        not isinstance(fields, list)
        or not fields
        or not all(isinstance(f, str) and f and f.strip() == f and "," not in f for f in fields)
        or len(set(fields)) != len(fields)
    ):
        raise CatalogError(
            "vote_fields debe ser una lista de nombres distintos",
            "vote_fields must be a list of distinct names",
            where=where,
        )
    if fields[-2:] != [NO_REGISTRADAS, NULOS]:
        raise CatalogError(
            "vote_fields debe terminar con NO_REGISTRADAS, NULOS",
            "vote_fields must end with NO_REGISTRADAS, NULOS",
            where=where,
        )
    layout = QrLayout.parse(doc["qr_layout"]) if "qr_layout" in doc else None
    cands = tuple(
        Candidacy(
            _int(c.get("id_demarcacion"), "id_demarcacion", where),
            _str(c.get("partido_ci"), "partido_ci", where),
            _str(c.get("propietaria"), "propietaria", where),
            _str(c.get("suplente"), "suplente", where),
        )
        for c in doc.get("candidacies", [])
    )
    kwargs: dict[str, Any] = {"qr_layout": layout} if layout else {}
    codes = {c for v in tipo_acta.values() for c in ((v,) if isinstance(v, str) else v)}
    kwargs.update(_field_scopes(doc, fields, codes, where))
    return Election(
        id=_str(doc.get("id"), "id", where),
        name=_str(doc.get("name"), "name", where),
        ambito=ambito,
        column=_str(doc.get("column"), "column", where),
        id_tipo_candidatura=_int(doc.get("id_tipo_candidatura"), "id_tipo_candidatura", where),
        tipo_acta=tipo_acta,
        vote_fields=tuple(fields),
        candidacies=cands,
        **kwargs,
    )


def _tipo_acta(v: Any, where: str) -> dict[str, str | tuple[str, ...]]:
    """``{"*": "6", "S": "6E"}``; a casilla type with two actas lists both:
    ``{"*": "2", "S": ["2 EMR", "2 ERP"]}``."""
    bad = CatalogError(
        'tipo_acta debe ser un objeto con clave "*" y códigos alfanuméricos (o listas de ellos)',
        'tipo_acta must be an object with a "*" key and alphanumeric codes (or lists of them)',
        where=where,
    )
    if not isinstance(v, dict) or "*" not in v:
        raise bad
    out: dict[str, str | tuple[str, ...]] = {}
    for tipo, code in v.items():
        codes = [code] if isinstance(code, str) else code
        if (
            not isinstance(codes, list)
            or not codes
            or len(set(codes)) != len(codes)
            or not all(isinstance(c, str) and valid_tipo_acta(c) for c in codes)
        ):
            raise bad
        out[tipo] = code if isinstance(code, str) else tuple(codes)
    return out


def _field_scopes(
    doc: Mapping[str, Any], fields: list[str], codes: set[str], where: str
) -> dict[str, Any]:
    """``acta_fields`` (acta code → its vote fields) and ``field_demarcaciones`` (vote
    field → the demarcaciones where it exists); both optional."""
    out: dict[str, Any] = {}
    acta_fields = doc.get("acta_fields")
    if acta_fields is not None:
        if not isinstance(acta_fields, dict) or not all(
            k in codes and isinstance(v, list) and v and set(v) <= set(fields)
            for k, v in acta_fields.items()
        ):
            raise CatalogError(
                "acta_fields: código de acta → lista de sus vote_fields",
                "acta_fields: acta code → a list of its vote_fields",
                where=where,
            )
        out["acta_fields"] = {k: tuple(f for f in fields if f in v) for k, v in acta_fields.items()}
    scopes = doc.get("field_demarcaciones")
    if scopes is not None:
        if not isinstance(scopes, dict) or not all(
            k in fields
            and isinstance(v, list)
            and all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in v)
            for k, v in scopes.items()
        ):
            raise CatalogError(
                "field_demarcaciones: campo de votos → lista de demarcaciones",
                "field_demarcaciones: vote field → a list of demarcaciones",
                where=where,
            )
        out["field_demarcaciones"] = {k: frozenset(v) for k, v in scopes.items()}
    figures = doc.get("tipo_figures")
    if figures is not None:
        if not isinstance(figures, dict) or not all(
            isinstance(k, str) and isinstance(v, list) and set(v) <= set(FIGURE_FIELDS)
            for k, v in figures.items()
        ):
            raise CatalogError(
                f"tipo_figures: TIPO_CASILLA → lista de las cifras de su acta ({', '.join(FIGURE_FIELDS)})",
                f"tipo_figures: TIPO_CASILLA → a list of its acta's figures ({', '.join(FIGURE_FIELDS)})",
                where=where,
            )
        out["tipo_figures"] = {k: tuple(f for f in FIGURE_FIELDS if f in v) for k, v in figures.items()}
    return out


def _obj(doc: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
    v = doc.get(key)
    if not isinstance(v, dict):
        raise CatalogError(f"falta el objeto {key}", f"missing object {key}", where=where)
    return v


def _list(doc: Mapping[str, Any], key: str, where: str) -> list[Any]:
    v = doc.get(key)
    if not isinstance(v, list):
        raise CatalogError(f"falta la lista {key}", f"missing list {key}", where=where)
    return v


def _int(v: Any, name: str, where: str) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v < 0:
        raise CatalogError(f"{name} debe ser un entero", f"{name} must be an integer", where=where)
    return v


def _str(v: Any, name: str, where: str) -> str:
    if not isinstance(v, str) or not v.strip():
        raise CatalogError(f"{name} debe ser texto", f"{name} must be text", where=where)
    return v


def _names(v: Any, name: str, where: str) -> dict[int, str]:
    if not isinstance(v, list):
        raise CatalogError(f"{name} debe ser una lista", f"{name} must be a list", where=where)
    return {
        _int(d.get("id"), f"{name}.id", where): _str(d.get("name"), f"{name}.name", where)
        for d in v
        if isinstance(d, dict)
    }


CATALOG_FILES = ("catalog.json", "casillas.csv")


def catalog_files(catalog: Catalog) -> dict[str, str]:
    """The text of the two catalog files, as written by ``prep_io.files.save_catalog``
    and served by the sync server; :func:`parse_catalog` reads them back."""
    doc = json.dumps(catalog_document(catalog), ensure_ascii=False, indent=1) + "\n"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(casilla_csv_rows(catalog.casillas))
    return {"catalog.json": doc, "casillas.csv": buf.getvalue()}


def catalog_document(catalog: Catalog) -> dict[str, Any]:
    """``catalog.json`` content for a catalog (casillas go to casillas.csv)."""
    doc = catalog.to_canonical()
    del doc["casillas"]
    return doc
