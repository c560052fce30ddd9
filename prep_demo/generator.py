"""Synthetic catalogs of any size, for drills, tests and benchmarks.

Deterministic for a given seed. Everything it makes is labelled synthetic.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence

from prep_core.catalog import Casilla, Catalog, Election
from prep_core.identity import CasillaKey

MAX_CASILLAS = 170_648  # INE 2024 federal election
ESPECIAL_BALLOTS = 1_000


def _sections(n: int, rng: random.Random) -> list[int]:
    """How many casillas each sección gets, adding up to n, at most 9,999 secciones."""
    per = max(2.2, n / 9_000)
    n_sec = max(1, min(9_999, round(n / per)))
    counts = [1] * n_sec
    for _ in range(n - n_sec):
        counts[rng.randrange(n_sec)] += 1
    return counts


def generate_casillas(
    n: int,
    *,
    seed: int,
    id_entidad: int,
    distrito_municipio: Mapping[int, int],
    especial_every: int = 140,
) -> tuple[Casilla, ...]:
    """``n`` casillas over consecutive secciones, split into the given districts
    (each district belongs to one municipio). LN 300–750; one especial per
    ``especial_every`` casillas."""
    if not 1 <= n <= MAX_CASILLAS:
        raise ValueError(f"casillas must be within 1..{MAX_CASILLAS}")
    rng = random.Random(seed)
    districts = sorted(distrito_municipio)
    counts = _sections(n, rng)
    out: list[Casilla] = []
    for sec_index, count in enumerate(counts):
        seccion = sec_index + 1
        distrito = districts[sec_index * len(districts) // len(counts)]
        municipio = distrito_municipio[distrito]
        ubicacion = 1 if rng.random() < 0.75 else 2
        kinds = ["B"] + ["C"] * (count - 1)
        if count > 2 and rng.random() < 0.08:
            kinds[-1] = "E"
        if count > 1 and len(out) // especial_every < (len(out) + count) // especial_every:
            kinds[-1] = "S"
        numbers: dict[str, int] = {}
        for tipo in kinds:
            numero = numbers.get(tipo, 0) + 1
            numbers[tipo] = numero
            especial = tipo == "S"
            out.append(
                Casilla(
                    key=CasillaKey(id_entidad, seccion, tipo, 1 if tipo == "B" else numero, 0),
                    id_distrito=distrito,
                    id_municipio=municipio,
                    ubicacion=ubicacion,
                    lista_nominal=0 if especial else rng.randint(300, 750),
                    representantes=rng.randint(6, 20),
                    boletas_especial=ESPECIAL_BALLOTS if especial else None,
                    mecanismo=rng.choices(["", "F", "I", "D"], [70, 20, 7, 3])[0],
                )
            )
    return tuple(out)


def coalition_fields(coalition: Sequence[str]) -> list[str]:
    """Every combination of two or more parties of a coalition, largest first,
    each in the coalition's order: ``PAN-PRI-PRD, PAN-PRI, PAN-PRD, PRI-PRD``."""
    from itertools import combinations

    out: list[str] = []
    for size in range(len(coalition), 1, -1):
        out.extend("-".join(c) for c in combinations(coalition, size))
    return out


def synthetic_catalog(
    n: int,
    *,
    seed: int = 2024,
    name: str = "Catálogo sintético",
    id_entidad: int = 3,
    entidad: str = "BAJA CALIFORNIA SUR",
    elections: tuple[Election, ...],
    distritos: Mapping[int, str],
    municipios: Mapping[int, str],
    distrito_municipio: Mapping[int, int],
) -> Catalog:
    return Catalog(
        name=name,
        id_entidad=id_entidad,
        entidad=entidad,
        elections=elections,
        casillas=generate_casillas(
            n, seed=seed, id_entidad=id_entidad, distrito_municipio=distrito_municipio
        ),
        distritos=dict(distritos),
        municipios=dict(municipios),
        synthetic=True,
    )
