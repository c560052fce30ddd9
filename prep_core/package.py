"""The published zip of one election at one cut (DOMAIN.md §6): the results
CSV, a LEEME describing every column, and the candidacies CSV.

Deterministic bytes (fixed member order and timestamps) so that anyone can
rebuild the package from the same cut and check its SHA-256.
"""

from __future__ import annotations

import csv
import io
import zipfile

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.figures import HEADER_FIELDS
from prep_core.layout import INE_FEDERAL, Layout, integrity_label
from prep_core.publication import Cut
from prep_core.published import BOM, MEXICO_CENTRAL, columns

DESCRIPTIONS = {
    "ACTAS_ESPERADAS": "Actas del catálogo de casillas aprobadas.",
    "ACTAS_REGISTRADAS": "Actas registradas en el sistema, incluidas las fuera de catálogo.",
    "ACTAS_FUERA_CATALOGO": "Actas registradas que no corresponden a ninguna casilla aprobada.",
    "ACTAS_CAPTURADAS": "Actas registradas dentro del catálogo, contabilizadas o no.",
    "PORCENTAJE_ACTAS_CAPTURADAS": "Actas capturadas entre actas esperadas × 100.",
    "ACTAS_CONTABILIZADAS": "Actas que se contabilizan.",
    "PORCENTAJE_ACTAS_CONTABILIZADAS": "Actas contabilizadas entre actas esperadas × 100.",
    "PORCENTAJE_ACTAS_INCONSISTENCIAS": (
        "Actas con Excede Lista Nominal, Ilegible o Sin dato entre actas esperadas × 100."
    ),
    "ACTAS_NO_CONTABILIZADAS": "Actas capturadas que no se contabilizan.",
    "LISTA_NOMINAL_ACTAS_CONTABILIZADAS": "Suma de la lista nominal de las actas contabilizadas.",
    "TOTAL_VOTOS_C_CS": "Suma de TOTAL_VOTOS_CALCULADO, con casillas especiales.",
    "TOTAL_VOTOS_S_CS": "Suma de TOTAL_VOTOS_CALCULADO, sin casillas especiales.",
    "PORCENTAJE_PARTICIPACION_CIUDADANA": (
        "Votos entre lista nominal de actas contabilizadas × 100; durante la operación sin "
        "casillas especiales, en el corte final con ellas."
    ),
    "CLAVE_CASILLA": "Entidad (2), sección (4), tipo (1), número (2), extensión contigua (2).",
    "CLAVE_ACTA": "CLAVE_CASILLA seguida de TIPO_ACTA.",
    "ID_ENTIDAD": "Número de la entidad federativa.",
    "ENTIDAD": "Nombre de la entidad federativa.",
    "SECCION": "Sección electoral.",
    "ID_CASILLA": "Número de casilla.",
    "TIPO_CASILLA": "B básica, C contigua, E extraordinaria, S especial, M extranjero.",
    "EXT_CONTIGUA": "Extensión contigua.",
    "UBICACION_CASILLA": "1 urbana, 2 no urbana, 3 fuera de catálogo.",
    "TIPO_ACTA": "Número del acta impreso en el formato.",
    "TOTAL_BOLETAS_SOBRANTES": "Boletas sobrantes asentadas en el acta.",
    "TOTAL_PERSONAS_VOTARON": "Personas que votaron, asentadas en el acta.",
    "TOTAL_REP_PARTIDO_CI_VOTARON": "Representantes que votaron en la casilla.",
    "TOTAL_VOTOS_SACADOS": "Votos sacados de la urna.",
    TOTAL_FIELD: "Total de votos asentado en el acta.",
    "TOTAL_VOTOS_CALCULADO": "Suma calculada por el sistema de todos los campos de votos.",
    "LISTA_NOMINAL": "Lista nominal de la casilla (especiales: 0).",
    "REPRESENTANTES_PP_CI": "Representantes de partidos y candidaturas independientes.",
    "OBSERVACIONES": (
        "Excede Lista Nominal, Ilegible, Sin dato, Todos los campos ilegibles, Todos los "
        "campos vacíos, Sin acta(1 paquete no entregado, 2 casilla no instalada, 3 sin sobre, "
        "4 contingencia de urna electrónica), Fuera de catálogo; '-' sin observación."
    ),
    "CONTABILIZADA": "1 se contabiliza, 0 no se contabiliza, 2 fuera de catálogo.",
    "MECANISMOS_TRASLADO": "D, F o I; vacío si no aplica.",
    "CODIGO_INTEGRIDAD": "SHA-256 del archivo de imagen publicado.",
    "FECHA_HORA_ACOPIO": "Recepción del acta en el CATD (dd/mm/aaaa hh:mm:ss, UTC-6).",
    "FECHA_HORA_CAPTURA": "Primera captura (dd/mm/aaaa hh:mm:ss, UTC-6).",
    "FECHA_HORA_VERIFICACION": "Verificación (dd/mm/aaaa hh:mm:ss, UTC-6).",
    "ORIGEN": "CATD o CASILLA (PREP Casilla).",
    "DIGITALIZACION": "ESCANER o MOVIL.",
    "TIPO_DOCUMENTO": "Acta PREP, Acta Consejo, Copia RPPCI, …",
    "COTEJADA": "1 aceptada en el primer cotejo, 2 tras una corrección, 3 en corrección.",
}
FIXED_TIME = (2024, 1, 1, 0, 0, 0)
# deflate's fastest level: the INE-size CSV compresses in a quarter of the time of
# the default level (6), into a zip about 13 % larger (benchmarks/RESULTS.md)
COMPRESS_LEVEL = 1


def layout_descriptions(lay: Layout) -> dict[str, str]:
    """The descriptions that depend on the layout profile."""
    if lay == INE_FEDERAL:
        return {}
    words = lay.vocabulary
    legends = ", ".join(dict.fromkeys(words.legends.values()))
    causes = ", ".join(words.sin_acta[n] for n in sorted(words.sin_acta) if n)
    none = f"'{words.none}'" if words.none else "vacío"
    return {
        "OBSERVACIONES": f"{legends}; {causes}; {words.fuera_de_catalogo}; {none} sin observación.",
        "CODIGO_INTEGRIDAD": f"{integrity_label(lay.integrity)} del archivo de imagen publicado.",
    }


def leeme(cut: Cut) -> str:
    e = cut.election
    lay = cut.layout
    lines = [
        e.name,
        f"Corte: {cut.cut_time.astimezone(MEXICO_CENTRAL):%d/%m/%Y %H:%M} (UTC-6)",
        f"Huella del catálogo (SHA-256): {cut.catalog.fingerprint}",
        "",
        "Encabezado:",
        *(f"  {lay.header_name(h)}: {DESCRIPTIONS[h]}" for h in HEADER_FIELDS),
        "",
        "Columnas:",
    ]
    described = {**DESCRIPTIONS, **layout_descriptions(lay)}
    for col in columns(e.column, e.vote_fields, lay):
        canonical = lay.canonical_column(col)
        if canonical in described:
            text = described[canonical]
        elif col.startswith("ID_"):
            text = f"Número del {e.ambito.value.lower()} ({e.column})."
        elif col == e.column:
            text = f"Nombre del {e.ambito.value.lower()}."
        elif col in e.vote_fields:
            text = "Votos asentados (número, Ilegible o Sin dato)."
        else:
            text = ""
        lines.append(f"  {col}: {text}")
    lines += [
        "",
        "Cifras con cuatro decimales, la cuarta truncada.",
        f"Campos del acta además de los votos: {', '.join(map(lay.column_name, FIGURE_FIELDS))}.",
        "",
    ]
    return "\r\n".join(lines)


def candidacies_csv(cut: Cut) -> bytes:
    e = cut.election
    buf = io.StringIO()
    buf.write(BOM)
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(
        [
            "ID_ESTADO",
            f"ID_{e.column}",
            "PARTIDO_CI",
            "CANDIDATURA_PROPIETARIA",
            "CANDIDATURA_SUPLENTE",
        ]
    )
    for c in sorted(
        e.candidacies,
        key=lambda c: (
            c.id_demarcacion,
            e.vote_fields.index(c.partido_ci) if c.partido_ci in e.vote_fields else 999,
        ),
    ):
        w.writerow(
            [cut.catalog.id_entidad, c.id_demarcacion, c.partido_ci, c.propietaria, c.suplente]
        )
    return buf.getvalue().encode("utf-8")


def package_name(cut: Cut) -> str:
    return f"{cut.election.id}_{cut.cut_time.astimezone(MEXICO_CENTRAL):%Y%m%d_%H%M}"


def package_zip(cut: Cut) -> bytes:
    """The zip of one cut, byte-for-byte reproducible."""
    name = package_name(cut)
    members = [
        (f"{name}/{cut.election.id}.csv", cut.csv_bytes),
        (f"{name}/{cut.election.id}_candidaturas.csv", candidacies_csv(cut)),
        (f"{name}/LEEME.txt", leeme(cut).encode("utf-8")),
    ]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for member, data in members:
            info = zipfile.ZipInfo(member, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data, compresslevel=COMPRESS_LEVEL)
    return buf.getvalue()
