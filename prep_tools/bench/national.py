"""``prep bench national``: a whole country's election night without images,
checked against its truth.

The simulated night of :mod:`prep_demo.sim` (CATD and CCV stations, every acta's
signed events) goes through the server's real ingest (signatures, chains, storage,
derivation, SQLite with durable commits) and the real cut service, published as on
election night: a cut with nothing kept, the next one after the last 2 % of the
batches, and, after a restart and its warm-up, the final cut, each timed by phase. Each election's published header and
votes are then compared with what the truth table implies, computed by
:mod:`prep_sim.expected` (written apart from the server's counting), and every
acta must be published exactly once.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from typing import Any

from prep_core.crosscheck import second_count
from prep_core.values import Mark
from prep_demo.sim import SimActa
from prep_sim.checks import Published
from prep_sim.expected import expected_cut
from prep_sim.truth import Truth, TruthActa
from prep_tools.bench.ingest import ingest_into, make_night
from prep_tools.bench.publication import Phases, rss_mib


def truth_of(readings: list[SimActa], election_of: dict[str, str]) -> Truth:
    """The simulated papers as the drill's truth table."""

    def cell(v: Any) -> Any:
        return v.value if isinstance(v, Mark) else v

    return Truth(
        [
            TruthActa(
                r.clave_acta,
                election_of.get(r.clave_acta, ""),
                "",
                None if r.values is None else {k: cell(v) for k, v in r.values.items()},
                sin_acta_cause=r.sin_acta_cause,
                fuera=r.fuera,
            )
            for r in readings
        ]
    )


def run(casillas: int, elections: tuple[str, ...], out: Any = sys.stdout,
        rates: dict[str, float] | None = None) -> int:
    t0 = time.perf_counter()
    catalog, night, actas, readings = make_night(casillas, elections, with_readings=True,
                                                  rates=rates)
    by_clave = {a.clave_acta: a.election.id for a in catalog.expected_actas()}
    by_code = {code: e.id for e in catalog.elections for code in e.acta_codes}
    for r in readings:  # fuera de catálogo: its election by the acta code of its key
        by_clave.setdefault(r.clave_acta, by_code.get(r.clave_acta[11:], ""))
    truth = truth_of(readings, by_clave)
    n = sum(len(v) for v in night.events.values())
    print(f"noche / night: {casillas} casillas, {actas} actas, {n} eventos firmados / signed "
          f"events ({time.perf_counter() - t0:.1f} s)", file=out, flush=True)
    found: dict[str, Any] = {}

    def cuts_of_the_night(ctx: Any, rest: Any) -> None:
        from sync_server.services.cuts import cut_csv

        found["cuts"] = night_cuts(ctx, rest, out)
        found["csv"] = {c["election_id"]: cut_csv(ctx, int(c["id"]))[0] for c in found["cuts"]}

    with tempfile.TemporaryDirectory() as d:
        r = ingest_into(f"sqlite:///{d}/national.db", catalog, night, actas, 500, "sqlite",
                        after=cuts_of_the_night, hold=HELD)
    print(f"ingesta / ingest: {r.events:,} eventos en / events in {r.seconds:.1f} s "
          f"({r.events_per_s:,.0f}/s, {r.durability}; sin el {HELD:.0%} de los lotes que "
          f"llegan entre dos cortes / without the last {HELD:.0%} of the batches)", file=out)
    problems = 0
    for eid in elections:
        pub = Published.read(found["csv"][eid])
        exp = expected_cut(catalog, truth, eid, final=True)
        diff = {k: (pub.pf.header.get(k), v) for k, v in exp.header.items()
                if pub.pf.header.get(k) != v}
        votes = second_count(pub.pf, final=True,
                             especial_ballots=catalog.especial_ballots(eid)).votes
        diff.update({f"votos {k}": (votes.get(k), v) for k, v in exp.votes.items()
                     if votes.get(k) != v})
        want = {a.clave_acta for a in truth.actas if a.election == eid and not a.fuera}
        lost = sorted(want - set(pub.rows))
        doubled = sorted(k for k, rows in pub.rows.items() if len(rows) > 1 and k != "-")
        problems += len(diff) + len(lost) + len(doubled)
        state = "coincide con la verdad / matches the truth" if not (diff or lost or doubled) \
            else f"DIFIERE / DIFFERS: {diff} perdidas/lost {lost[:5]} dobles/doubled {doubled[:5]}"
        h = pub.pf.header
        print(f"{eid}: {h['ACTAS_CAPTURADAS']} capturadas, {h['ACTAS_CONTABILIZADAS']} "
              f"contabilizadas ({h['PORCENTAJE_ACTAS_CONTABILIZADAS']} %), votos / votes "
              f"{h['TOTAL_VOTOS_C_CS']}, participación {h['PORCENTAJE_PARTICIPACION_CIUDADANA']} "
              f"%: {state}", file=out)
    print(f"total: {time.perf_counter() - t0:.1f} s; "
          f"{'sin diferencias / no differences' if not problems else f'{problems} diferencias'}",
          file=out)
    return 1 if problems else 0


HELD = 0.02  # the batches that arrive between two cuts


def night_cuts(ctx: Any, rest: Any, out: Any) -> list[dict[str, Any]]:
    """The server's cuts as a night takes them, each timed by phase: a cut with no
    kept states (the first after a start whose warm-up has not ended: every acta
    derived and every row built under the write lock); the next one after the last
    2 % of the batches arrived (only what changed); then a restart: the warm-up
    (outside the lock) and the final cut after it. Returns the final cut."""
    from sync_server.services import cuts
    from sync_server.services import publish as pub

    made: list[dict[str, Any]] = []
    with Phases(pub) as phases:
        orig = cuts._take_cut
        cuts._take_cut = phases.timed(orig, "take")
        try:
            def one(label: str, **kw: Any) -> None:
                phases.reset()
                load = os.getloadavg()[0]
                t, c = time.perf_counter(), time.process_time()
                made[:] = cuts.make_cut(ctx, "simulacro", **kw)
                wall, cpu = time.perf_counter() - t, time.process_time() - c
                report_cut(label, phases, wall, cpu, load, ctx, out)

            one("un corte sin estados guardados / a cut with nothing kept")
            print(f"  llegan / arrive {HELD:.0%} de los lotes / of the batches: "
                  f"{rest():.1f} s", file=out)
            one("el corte siguiente / the next cut")
            ctx.kept, ctx.row_caches = None, {}  # the server restarts
            t = time.perf_counter()
            rows = cuts.warm_rows(ctx)
            print(f"reinicio / restart: estados y filas preparados al arrancar / states and "
                  f"rows prepared at start ({rows:,} filas / rows, fuera del candado / outside "
                  f"the lock) {time.perf_counter() - t:.1f} s", file=out)
            one("el corte final tras el reinicio / the final cut after the restart", final=True)
        finally:
            cuts._take_cut = orig
    return made


def report_cut(label: str, phases: Any, wall: float, cpu: float, load: float, ctx: Any,
               out: Any) -> None:
    """One cut's line: the whole, the part under the write lock, and the publication
    without images and site (the acceptance figure), then images and site."""
    t, c = phases.t, phases.cpu
    kept = ctx.kept
    caches = ctx.row_caches.values()
    aside = ("take", "images", "site")
    files = wall - sum(t.get(k, 0) for k in aside)
    files_cpu = cpu - sum(c.get(k, 0) for k in aside)
    print(f"{label}: {wall:.1f} s (CPU {cpu:.1f} s), carga / load {load:.1f}", file=out)
    print(f"  un corte sin imágenes ni sitio / one cut, images and site aside: "
          f"{t.get('take', 0) + files:.1f} s (CPU {c.get('take', 0) + files_cpu:.1f} s; "
          f"objetivo / target ≤ 10 s) = bajo el candado / under the lock "
          f"{t.get('take', 0):.1f} s (CPU {c.get('take', 0):.1f} s; {kept.derived:,} actas "
          f"derivadas / derived, filas / rows {sum(x.built for x in caches):,} construidas / "
          f"built, {sum(x.reused for x in caches):,} reutilizadas / reused) + archivos / files "
          f"{files:.1f} s (CPU {files_cpu:.1f} s; zip {t.get('zip', 0):.1f} s, manifiesto / "
          f"manifest {t.get('manifest', 0):.1f} s)", file=out)
    print(f"  imágenes / images {t.get('images', 0):.1f} s, sitio / site "
          f"{t.get('site', 0):.1f} s (CPU del proceso del servidor / server process "
          f"{c.get('site', 0):.1f} s); memoria / memory (RSS) {rss_mib():,.0f} MiB", file=out,
          flush=True)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--casillas", type=int, default=170_648,
                   help="catalog size (170648: a whole federal election)")
    p.add_argument("--elections", default="DIP_LOC", help="comma-separated election ids")
