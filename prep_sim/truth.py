"""The truth of a drill: what each acta's paper says.

Turnout and party shares vary by distrito (each distrito has its own preferences,
drawn once); some actas are Excede, some carry Ilegible or Sin dato figures, some
never arrive (Sin acta, each cause), some are fuera de catálogo, some arrive first
as a PREP Casilla photo. Values are JSON-ready: an int, "Ilegible" or "Sin dato".
"""

from __future__ import annotations

import json
import random
from dataclasses import asdict, dataclass
from pathlib import Path

from prep_core.acta import acta_fields
from prep_core.catalog import NO_REGISTRADAS, NULOS, Catalog, Election, ExpectedActa
from prep_core.identity import CasillaKey
from prep_core.qr import QrIdentity, format_qr

ILEGIBLE, SIN_DATO = "Ilegible", "Sin dato"
NO_APLICA = "N/A"  # a combination absent from this casilla: not on its paper
Value = int | str


@dataclass
class TruthActa:
    clave_acta: str
    election: str
    qr: str
    values: dict[str, Value] | None  # None: Sin acta
    sin_acta_cause: int | None = None
    fuera: bool = False
    photo: bool = False  # a PREP Casilla photo arrives before the CATD's scan
    kind: str = "normal"  # normal, excede, ilegible, sin_dato, todos_ilegibles, sin_acta, fuera

    @property
    def scanned(self) -> bool:
        return self.values is not None

    def on_paper(self) -> dict[str, Value]:
        """What a person reads off the sheet: a cell that does not apply is blank."""
        return {k: SIN_DATO if v == NO_APLICA else v for k, v in (self.values or {}).items()}


@dataclass
class Truth:
    actas: list[TruthActa]

    def save(self, path: Path) -> None:
        path.write_text("\n".join(json.dumps(asdict(a), ensure_ascii=False) for a in self.actas)
                        + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Truth:
        return cls([TruthActa(**json.loads(x))
                    for x in path.read_text(encoding="utf-8").splitlines() if x.strip()])

    def by_clave(self) -> dict[str, TruthActa]:
        return {a.clave_acta: a for a in self.actas}


RATES = {"sin_acta": 0.01, "excede": 0.003, "ilegible": 0.015, "sin_dato": 0.015,
         "todos_ilegibles": 0.001, "fuera": 0.002, "photo": 0.1}


def qr_of(expected: ExpectedActa) -> str:
    e = expected.election
    ident = QrIdentity(expected.casilla.key, expected.id_demarcacion, expected.tipo_acta,
                       e.id_tipo_candidatura)
    return format_qr(ident, e.qr_layout)


class _Electorate:
    """Per distrito: a turnout and party preferences (a Dirichlet draw)."""

    def __init__(self, rng: random.Random, election: Election) -> None:
        self.rng, self.election = rng, election
        self.runners = [f for f in election.vote_fields
                        if "-" not in f and f not in (NO_REGISTRADAS, NULOS)]
        self.combos = [f for f in election.vote_fields if "-" in f]
        self._by: dict[int, tuple[float, dict[str, float]]] = {}

    def of(self, distrito: int) -> tuple[float, dict[str, float]]:
        if distrito not in self._by:
            r = self.rng
            w = {f: r.gammavariate(0.6, 1.0) for f in self.runners}
            for f in self.combos:
                w[f] = 0.01 * r.random()
            total = sum(w.values())
            shares = {f: 0.95 * x / total for f, x in w.items()}
            shares[NULOS], shares[NO_REGISTRADAS] = 0.045, 0.005
            self._by[distrito] = (r.uniform(0.42, 0.74), shares)
        return self._by[distrito]

    def values(self, acta: ExpectedActa, excede: bool) -> dict[str, Value]:
        r, c = self.rng, acta.casilla
        base = (c.boletas_especial or 0) if c.especial else c.lista_nominal
        turnout, shares = self.of(c.id_distrito)
        voters = max(5, int(base * turnout * r.uniform(0.88, 1.12)))
        if excede:
            voters = (c.limit() or base) + r.randint(3, 30)
        names = list(shares)
        votes = dict.fromkeys(names, 0)
        for f in r.choices(names, weights=[shares[n] for n in names], k=voters):
            votes[f] += 1
        rep = r.randint(0, min(c.representantes, 12))
        total = sum(votes.values())
        out: dict[str, Value] = {
            "TOTAL_BOLETAS_SOBRANTES": min(999, max(0, base + c.representantes - total)),
            "TOTAL_PERSONAS_VOTARON": max(0, total - rep),
            "TOTAL_REP_PARTIDO_CI_VOTARON": rep,
            "TOTAL_VOTOS_SACADOS": total,
            **{f: votes[f] for f in self.election.vote_fields},
            "TOTAL_VOTOS_ASENTADO": total,
        }
        return out


def _pick(rng: random.Random, pool: list[int], n: int) -> list[int]:
    n = min(n, len(pool))
    chosen = rng.sample(pool, n)
    for i in chosen:
        pool.remove(i)
    return chosen


def make_truth(catalog: Catalog, elections: list[str] | None = None, *, seed: int = 1,
               rates: dict[str, float] | None = None) -> Truth:
    """Every expected acta of ``elections`` (all by default) arrives, plus a few fuera
    de catálogo; each special case appears at least once."""
    r = {**RATES, **(rates or {})}
    rng = random.Random(f"truth:{seed}")
    out: list[TruthActa] = []
    for e in catalog.elections:
        if elections and e.id not in elections:
            continue
        people = _Electorate(rng, e)
        expected = catalog.expected_actas(e.id)
        n = len(expected)
        pool = [i for i, a in enumerate(expected) if a.casilla.limit() is not None
                and a.casilla.limit() < 960]  # type: ignore[operator]
        special: dict[int, str] = {}
        causes = _pick(rng, pool, max(4, round(r["sin_acta"] * n)))
        for j, i in enumerate(causes):
            special[i] = f"sin_acta:{1 + j % 4}"
        for kind in ("excede", "ilegible", "sin_dato", "todos_ilegibles"):
            for i in _pick(rng, pool, max(1, round(r[kind] * n))):
                special[i] = kind
        photos = set(_pick(rng, pool, max(1, round(r["photo"] * n))))
        fields = acta_fields(e.vote_fields)
        for i, a in enumerate(expected):
            kind = special.get(i, "normal")
            if kind.startswith("sin_acta"):
                out.append(TruthActa(a.clave_acta, e.id, qr_of(a), None,
                                     sin_acta_cause=int(kind.split(":")[1]), kind="sin_acta"))
                continue
            vals = people.values(a, excede=kind == "excede")
            if kind == "ilegible":
                vals[rng.choice(e.vote_fields)] = ILEGIBLE
            elif kind == "sin_dato":
                vals[rng.choice(fields)] = SIN_DATO
            elif kind == "todos_ilegibles":
                vals.update(dict.fromkeys(e.vote_fields, ILEGIBLE))
            out.append(TruthActa(a.clave_acta, e.id, qr_of(a), vals, photo=i in photos,
                                 kind=kind))
        some = expected[0]
        for k in range(max(1, round(r["fuera"] * n))):
            key = CasillaKey(catalog.id_entidad, 9_000 + k, "B", 1, 0)
            tipo = e.acta_code("B")
            ident = QrIdentity(key, some.id_demarcacion, tipo, e.id_tipo_candidatura)
            out.append(TruthActa(key.clave_acta(tipo), e.id, format_qr(ident, e.qr_layout),
                                 people.values(some, excede=False), fuera=True, kind="fuera"))
    return Truth(out)
