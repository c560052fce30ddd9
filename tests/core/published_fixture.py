"""A small fixed cut used by the writer's golden file and the reader tests."""

from __future__ import annotations

from datetime import UTC, datetime

from prep_core.catalog import Catalog
from prep_core.counting import SinActaCause
from prep_core.derive import ActaState, Image, Status
from prep_core.publication import Cut, build_cut
from prep_core.values import Mark
from prep_demo.generator import synthetic_catalog

T0 = 1_717_380_000_000  # 2024-06-02 20:00 UTC-6


def catalog() -> Catalog:
    from prep_demo.demo import DISTRITO_MUNICIPIO, DISTRITOS, MUNICIPIOS, demo_elections

    return synthetic_catalog(
        12,
        seed=5,
        name="Catálogo de prueba",
        elections=demo_elections(),
        distritos=DISTRITOS,
        municipios=MUNICIPIOS,
        distrito_municipio=DISTRITO_MUNICIPIO,
    )


def _state(clave, status, reading=None, cause=None, minute=0, cotejada=1):
    img = Image("ab" * 32, "CATD", "ESCANER", "Acta PREP", T0 + minute * 60_000, None)
    return ActaState(
        clave_acta=clave,
        status=status,
        fecha_acopio=T0 + minute * 60_000,
        fecha_captura=T0 + (minute + 2) * 60_000 if reading else None,
        fecha_verificacion=T0 + (minute + 5) * 60_000 if reading else None,
        sin_acta=cause,
        images=(img,) if reading else (),
        reading=reading,
        reading_image=img if reading else None,
        disputed=(),
        readings_in_conflict=(),
        cotejada=cotejada if reading else None,
        captures=2 if reading else 0,
        sources=(),
    )


CUT_TIME = datetime(2024, 6, 3, 4, 30, tzinfo=UTC)


def cut() -> Cut:
    cat, states = catalog_and_states()
    return build_cut(cat, "DIP_LOC", states, CUT_TIME)


def catalog_and_states() -> tuple[Catalog, list[ActaState]]:
    """The catalog and the acta states of :func:`cut`."""
    cat = catalog()
    e = cat.election("DIP_LOC")
    actas = cat.expected_actas("DIP_LOC")
    fields = e.vote_fields

    def reading(total_first, marks=()):
        r = {
            "TOTAL_BOLETAS_SOBRANTES": 100,
            "TOTAL_PERSONAS_VOTARON": 200,
            "TOTAL_REP_PARTIDO_CI_VOTARON": 3,
            "TOTAL_VOTOS_SACADOS": 203,
            **dict.fromkeys(fields, 1),
            "TOTAL_VOTOS_ASENTADO": 203,
        }
        r[fields[0]] = total_first
        for f, m in marks:
            r[f] = m
        return r

    states = [
        _state(actas[0].clave_acta, Status.VERIFICADA, reading(180)),
        _state(
            actas[1].clave_acta,
            Status.VERIFICADA,
            reading(50, [(fields[1], Mark.ILEGIBLE), (fields[2], Mark.SIN_DATO)]),
            minute=3,
        ),
        _state(actas[2].clave_acta, Status.VERIFICADA, reading(5_000), minute=4, cotejada=2),
        _state(actas[3].clave_acta, Status.SIN_ACTA, cause=SinActaCause.CASILLA_NO_INSTALADA),
        _state(
            actas[4].clave_acta,
            Status.VERIFICADA,
            reading(0, [(f, Mark.ILEGIBLE) for f in fields]),
            minute=7,
        ),
        _state(
            actas[5].clave_acta,
            Status.VERIFICADA,
            {
                **reading(0, [(f, Mark.SIN_DATO) for f in fields]),
                "TOTAL_VOTOS_ASENTADO": Mark.SIN_DATO,
            },
            minute=8,
        ),
        _state("039999B01006", Status.VERIFICADA, reading(10), minute=9),
        _state(actas[6].clave_acta, Status.DISCREPANCIA),  # not published yet
    ]
    return cat, states
