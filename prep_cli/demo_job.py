"""The main job on embedded defaults: one simulated election night on the BCS
demo catalog, end to end through the domain core.

19 CATD and 2 CCV stations sign their events; every chain is verified; each
acta's state is derived; a cut per election is published in INE's layout; and
each published file is counted again by :mod:`prep_core.crosscheck` (the rules
written a second time, apart from the cut's code) to check its header and votes.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import UTC, datetime
from pathlib import Path

from prep_core.crosscheck import second_count
from prep_core.derive import Status, derive_actas
from prep_core.events import check_chain
from prep_core.package import package_name, package_zip
from prep_core.publication import build_cut
from prep_core.published import read_results_csv
from prep_demo.demo import DEMO_CASILLAS, demo_catalog
from prep_demo.sim import simulate_events, simulate_readings
from prep_io.files import save_catalog, write_atomic

CUT_TIME = datetime(2024, 6, 3, 5, 0, tzinfo=UTC)  # 02/06/2024 23:00 (UTC-6)


def run_demo(out: Path, *, casillas: int | None = None, seed: int = 1) -> int:
    t0 = time.perf_counter()
    catalog = demo_catalog(casillas or DEMO_CASILLAS)
    save_catalog(catalog, out / "catalog")
    print(f"Catálogo / catalog: {catalog.name}")
    print(
        f"  {len(catalog.casillas):,} casillas, lista nominal "
        f"{sum(c.lista_nominal for c in catalog.casillas):,}, "
        f"huella / fingerprint {catalog.fingerprint[:16]}…"
    )
    readings = [
        r
        for e in catalog.elections
        for r in simulate_readings(catalog, e.id, seed=seed, progress=0.93)
    ]
    night = simulate_events(catalog, readings, catd=19, ccv=2, seed=seed)
    accepted = []
    for station, events in night.events.items():
        check = check_chain(events, night.keys[station].public_bytes)
        if check.errors or check.held:
            print(f"  {station}: ERROR {check.errors}")
            return 1
        accepted.extend(se.event for se in check.verified)
    print(
        f"Eventos firmados y verificados / signed and verified events: {len(accepted):,} "
        f"de / from {len(night.events)} estaciones / stations"
    )
    states = derive_actas(accepted)
    by_status: dict[str, int] = {}
    for st in states.values():
        by_status[st.status.value] = by_status.get(st.status.value, 0) + 1
    print(f"Estado de las actas / acta states: {json.dumps(by_status, ensure_ascii=False)}")
    verified = sum(1 for s in states.values() if s.status is Status.VERIFICADA)
    print(f"  verificadas (dos capturas coinciden) / verified: {verified:,}")
    ok = True
    for election in catalog.elections:
        cut = build_cut(catalog, election.id, states.values(), CUT_TIME)
        path = out / f"{package_name(cut)}.zip"
        package = package_zip(cut)
        write_atomic(path, package)
        write_atomic(out / f"{election.id}.csv", cut.csv_bytes)
        check = second_count(read_results_csv(cut.csv_bytes), especial_ballots=None)
        same = check.header == cut.figures.as_header() and check.votes == cut.votes
        ok &= same
        f = cut.figures
        print(f"\n{election.name} → {path}")
        print(
            f"  actas esperadas {f.actas_esperadas:,} · capturadas {f.actas_capturadas:,} "
            f"({f.porcentaje_actas_capturadas}%) · contabilizadas {f.actas_contabilizadas:,} "
            f"({f.porcentaje_actas_contabilizadas}%)"
        )
        print(
            f"  participación ciudadana / turnout {f.porcentaje_participacion_ciudadana}% · "
            f"inconsistencias {f.porcentaje_actas_inconsistencias}% · "
            f"fuera de catálogo {f.actas_fuera_catalogo}"
        )
        top = sorted(cut.votes.items(), key=lambda kv: -kv[1])[:4]
        print("  " + " · ".join(f"{k} {v:,}" for k, v in top))
        print(f"  paquete / package SHA-256 {hashlib.sha256(package).hexdigest()}")
        print(
            f"  recuento independiente / independent recount: "
            f"{'coincide / matches' if same else 'NO COINCIDE / MISMATCH'}"
        )
    print(f"\nListo en / done in {time.perf_counter() - t0:.1f} s. Archivos / files: {out}/")
    return 0 if ok else 1
