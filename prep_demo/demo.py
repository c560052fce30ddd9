"""The demo catalog: Baja California Sur 2024 local elections (SYNTHETIC).

Parties are those accredited in BCS in 2023–24 (DOMAIN.md §8); coalitions,
casillas, secciones and lista nominal are synthetic, at real size
(~1,114 casillas, ~600k voters).
"""

from __future__ import annotations

from prep_core.catalog import NO_REGISTRADAS, NULOS, Ambito, Candidacy, Catalog, Election
from prep_demo.generator import coalition_fields, synthetic_catalog

PARTIES = (
    "PAN",
    "PRI",
    "PRD",
    "PT",
    "PVEM",
    "MC",
    "MORENA",
    "PRS",
    "PH_BCS",
    "NA_BCS",
    "PES_BCS",
    "FXM_BCS",
    "PML_BCS",
)
COALITIONS = (("PAN", "PRI", "PRD"), ("PT", "PVEM", "MORENA"))
DEMO_CASILLAS = 1_114
DEMO_SEED = 2024

MUNICIPIOS = {1: "COMONDÚ", 2: "MULEGÉ", 3: "LA PAZ", 8: "LOS CABOS", 9: "LORETO"}
DISTRITO_MUNICIPIO = {
    1: 3,
    2: 3,
    3: 3,
    4: 3,
    5: 3,
    6: 3,
    7: 8,
    8: 8,
    9: 8,
    10: 8,
    11: 8,
    12: 8,
    13: 1,
    14: 1,
    15: 2,
    16: 9,
}
ROMAN = [
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
]
DISTRITOS = {d: f"{ROMAN[d - 1]} {MUNICIPIOS[m]}" for d, m in DISTRITO_MUNICIPIO.items()}


def vote_fields(independents: int) -> tuple[str, ...]:
    combos = [f for c in COALITIONS for f in coalition_fields(c)]
    cands = [f"CAND_IND{i}" for i in range(1, independents + 1)]
    return (*PARTIES, *combos, *cands, NO_REGISTRADAS, NULOS)


def _candidacies(fields: tuple[str, ...], demarcaciones: list[int]) -> tuple[Candidacy, ...]:
    runners = [f for f in fields if "-" not in f and f not in (NO_REGISTRADAS, NULOS)]
    return tuple(
        Candidacy(d, f, f"CANDIDATURA SINTÉTICA {f} {d:02d}", f"SUPLENCIA SINTÉTICA {f} {d:02d}")
        for d in demarcaciones
        for f in runners
    )


def demo_elections() -> tuple[Election, ...]:
    dl = vote_fields(0)
    ay = vote_fields(1)
    return (
        Election(
            id="DIP_LOC",
            name="Diputaciones Locales BCS 2024 (sintético)",
            ambito=Ambito.DISTRITO,
            column="DISTRITO_LOCAL",
            id_tipo_candidatura=5,
            tipo_acta={"*": "6", "S": "6E"},
            vote_fields=dl,
            candidacies=_candidacies(dl, sorted(DISTRITOS)),
        ),
        Election(
            id="AYUN",
            name="Ayuntamientos BCS 2024 (sintético)",
            ambito=Ambito.MUNICIPIO,
            column="MUNICIPIO",
            id_tipo_candidatura=6,
            tipo_acta={"*": "7", "S": "7E"},
            vote_fields=ay,
            candidacies=_candidacies(ay, sorted(MUNICIPIOS)),
        ),
    )


def demo_catalog(n_casillas: int = DEMO_CASILLAS, seed: int = DEMO_SEED) -> Catalog:
    """The BCS 2024 demo catalog; other sizes (up to 170,648) for tests and benchmarks."""
    return synthetic_catalog(
        n_casillas,
        seed=seed,
        name="PREP BCS 2024 — catálogo de demostración (sintético)",
        elections=demo_elections(),
        distritos=DISTRITOS,
        municipios=MUNICIPIOS,
        distrito_municipio=DISTRITO_MUNICIPIO,
    )
