"""A simulated election night, for drills, tests and benchmarks (SYNTHETIC).

``simulate_readings`` gives each expected acta what its paper says (figures,
Ilegible and Sin dato fields, Sin acta, a few actas over the limit, a few
fuera de catálogo); ``simulate_events`` turns them into the signed event
streams that CATD and CCV stations would send.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass, field

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.catalog import Casilla, Catalog, Election
from prep_core.events import Event, EventLog, Kind, SignedEvent, digitalizacion
from prep_core.identity import CasillaKey
from prep_core.signing import KeyPair
from prep_core.values import FieldValue, Mark, to_json

ELECTION_NIGHT_MS = 1_717_380_000_000  # 2024-06-02 20:00 UTC-6
OCR_MODEL = "ocr:digits-cnn-v1"


@dataclass(frozen=True)
class SimActa:
    clave_acta: str
    values: Mapping[str, FieldValue] | None  # None: Sin acta
    sin_acta_cause: int | None = None
    fuera: bool = False
    disagree: bool = False  # the second capture mistypes one figure
    casilla_photo: bool = False  # PREP Casilla photo arrives before the CATD scan
    extra: dict[str, int] = field(default_factory=dict)


def _votes(rng: random.Random, election: Election, voters: int) -> dict[str, int]:
    fields = election.vote_fields
    weights = [rng.random() ** 2 * (3 if "-" not in f else 0.15) for f in fields]
    weights[-1] = 0.03 * sum(weights)  # NULOS
    weights[-2] = 0.002 * sum(weights)  # NO_REGISTRADAS
    total_w = sum(weights)
    out = {f: int(voters * w / total_w) for f, w in zip(fields, weights, strict=True)}
    out[rng.choice(fields[:-2])] += voters - sum(out.values())  # rounding remainder
    return out


def acta_values(
    rng: random.Random, election: Election, casilla: Casilla, *, excede: bool = False
) -> dict[str, FieldValue]:
    base = casilla.boletas_especial or 0 if casilla.especial else casilla.lista_nominal
    voters = int(base * rng.uniform(0.45, 0.72))
    if excede:
        voters = (casilla.limit() or base) + rng.randint(1, 40)
    votes = _votes(rng, election, voters)
    rep = rng.randint(0, casilla.representantes)
    total = sum(votes.values())
    vals: dict[str, FieldValue] = {
        "TOTAL_BOLETAS_SOBRANTES": max(0, base + casilla.representantes - total),
        "TOTAL_PERSONAS_VOTARON": max(0, total - rep),
        "TOTAL_REP_PARTIDO_CI_VOTARON": rep,
        "TOTAL_VOTOS_SACADOS": total,
        **votes,
        TOTAL_FIELD: total,
    }
    return vals


def _keys_not_in(catalog: Catalog, n: int) -> list[CasillaKey]:
    """``n`` casilla keys of the entidad that the catalog does not hold (from the
    top of the sección range down, so a national-size catalog is never hit)."""
    used = {c.key for c in catalog.casillas}
    out: list[CasillaKey] = []
    if n <= 0:
        return out
    for numero in range(99, 0, -1):
        for seccion in range(9_999, 0, -1):
            key = CasillaKey(catalog.id_entidad, seccion, "C", numero, 0)
            if key not in used:
                out.append(key)
                if len(out) == n:
                    return out
    return out


def simulate_readings(
    catalog: Catalog,
    election_id: str,
    *,
    seed: int = 1,
    progress: float = 1.0,
    rates: Mapping[str, float] | None = None,
) -> list[SimActa]:
    """What the paper of each arrived acta says; ``progress`` is the share arrived."""
    r = {
        "sin_acta": 0.01,
        "ilegible": 0.01,
        "sin_dato": 0.015,
        "todos_ilegibles": 0.0005,
        "todos_vacios": 0.0005,
        "excede": 0.002,
        "fuera": 0.001,
        "disagree": 0.03,
        "casilla_photo": 0.3,
        **(rates or {}),
    }
    rng = random.Random(f"{seed}:{election_id}")
    election = catalog.election(election_id)
    vote_fields = election.vote_fields
    out: list[SimActa] = []
    for acta in catalog.expected_actas(election_id):
        if rng.random() >= progress:
            continue
        if rng.random() < r["sin_acta"]:
            out.append(SimActa(acta.clave_acta, None, sin_acta_cause=rng.randint(1, 4)))
            continue
        vals = acta_values(rng, election, acta.casilla, excede=rng.random() < r["excede"])
        x = rng.random()
        if x < r["todos_ilegibles"]:
            vals.update(dict.fromkeys(vote_fields, Mark.ILEGIBLE))
        elif x < r["todos_ilegibles"] + r["todos_vacios"]:
            vals.update(dict.fromkeys(vote_fields, Mark.SIN_DATO))
        else:
            if rng.random() < r["ilegible"]:
                vals[rng.choice(vote_fields)] = Mark.ILEGIBLE
            if rng.random() < r["sin_dato"]:
                vals[rng.choice((*vote_fields, *FIGURE_FIELDS))] = Mark.SIN_DATO
        out.append(
            SimActa(
                acta.clave_acta,
                vals,
                disagree=rng.random() < r["disagree"],
                casilla_photo=rng.random() < r["casilla_photo"],
            )
        )
    n_fuera = round(len(out) * r["fuera"])
    some = catalog.casillas[0]
    for key in _keys_not_in(catalog, n_fuera):  # a QR naming no approved casilla
        vals = acta_values(rng, election, some)
        out.append(SimActa(key.clave_acta(election.acta_code("B")), vals, fuera=True))
    return out


PHONE = "CASILLA01"


def image_bytes(clave_acta: str, origen: str) -> bytes:
    """Stand-in bytes for an acta image (tests that need real scans render them)."""
    return f"acta {clave_acta} {origen}".encode()


@dataclass
class Night:
    """Stations, their keys and the events each produced."""

    keys: dict[str, KeyPair]
    events: dict[str, list[SignedEvent]]
    images: dict[str, bytes]

    def all_events(self) -> list[Event]:
        return [se.event for evs in self.events.values() for se in evs]


def simulate_events(
    catalog: Catalog,
    readings: list[SimActa],
    *,
    catd: int = 3,
    ccv: int = 2,
    seed: int = 1,
    start_ms: int = ELECTION_NIGHT_MS,
    keys: Mapping[str, KeyPair] | None = None,
    with_images: bool = False,
    sign: bool = True,
) -> Night:
    """Signed events from ``catd`` CATD and ``ccv`` CCV stations for the readings."""
    rng = random.Random(seed)
    names = [f"CATD{i:02d}" for i in range(1, catd + 1)] + [
        f"CCV{i:02d}" for i in range(1, ccv + 1)
    ]
    names.append(PHONE)  # PREP Casilla: the photos taken at the casilla
    keys = dict(keys or {})
    for n in names:
        keys.setdefault(n, KeyPair.generate())
    logs = {n: EventLog(n, keys[n], catalog.fingerprint, sign=sign) for n in names}
    out: dict[str, list[SignedEvent]] = {n: [] for n in names}
    images: dict[str, bytes] = {}
    t = start_ms
    for sim in readings:
        t += rng.randint(200, 2_000)
        c = logs[names[rng.randrange(catd)]]
        v = logs[names[catd + rng.randrange(ccv)]] if ccv else c
        clave = sim.clave_acta

        def add(
            log: EventLog,
            kind: Kind,
            at: int,
            op: str,
            payload: dict[str, object],
            clave: str = clave,
        ) -> None:
            out[log.station].append(log.append(kind, clave, at, op, payload))

        add(c, Kind.ACOPIO, t, "acopio1", {})
        if sim.values is None:
            add(c, Kind.SIN_ACTA, t + 1, "acopio1", {"cause": sim.sin_acta_cause})
            continue
        origen = "CASILLA" if sim.casilla_photo else "CATD"
        data = image_bytes(clave, origen)
        sha = hashlib.sha256(data).hexdigest()
        if with_images:
            images[sha] = data
        add(
            logs[PHONE] if sim.casilla_photo else c,
            Kind.DIGITALIZACION,
            t + 50,
            "digit1",
            digitalizacion(sha, origen),
        )
        values = {k: to_json(x) for k, x in sim.values.items()}
        add(c, Kind.CAPTURA, t + 300, "ocr", {"source": OCR_MODEL, "image": sha, "values": values})
        second = dict(values)
        if sim.disagree:
            f = next(k for k, x in second.items() if isinstance(x, int) and x > 0)
            second[f] = int(second[f]) + 1
        op = f"cap{rng.randint(1, 9)}"
        add(
            v,
            Kind.CAPTURA,
            t + 9_000,
            op,
            {"source": f"operator:{v.station}:{op}", "image": sha, "values": second},
        )
        if sim.disagree:
            add(
                v,
                Kind.VERIFICACION,
                t + 20_000,
                "ver1",
                {"source": f"operator:{v.station}:ver1", "image": sha, "values": values},
            )
        add(v, Kind.COTEJO, t + 30_000, "cotejo1", {"result": "accept"})
    return Night(keys, out, images)
