"""What the console's dashboard shows: actas per stage overall and per
distrito/municipio, progress over time, and station health."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, cast, func, select

from prep_core.publication import EARLIEST_MS
from sync_server.db.tables import actas, conflicts
from sync_server.services.context import Context
from sync_server.services.stations import list_stations

STAGES = ("acopiadas", "digitalizadas", "capturadas", "verificadas", "contabilizadas")


def _stage_cols() -> list[Any]:
    def one(c: Any) -> Any:
        return func.sum(cast(c, Integer))

    return [
        func.count().label("acopiadas"),
        one(actas.c.digitalizada).label("digitalizadas"),
        one(actas.c.capturada).label("capturadas"),
        one(actas.c.verificada).label("verificadas"),
        func.sum(cast(actas.c.contabilizada == 1, Integer)).label("contabilizadas"),
    ]


def _row(esperadas: int, r: Any) -> dict[str, int]:
    out = {"esperadas": esperadas}
    for s in STAGES:
        out[s] = int(getattr(r, s) or 0) if r is not None else 0
    return out


def summary(ctx: Context) -> dict[str, Any]:
    with ctx.store.read() as conn:
        by_election = {
            r.election_id: r
            for r in conn.execute(
                select(actas.c.election_id, *_stage_cols()).group_by(actas.c.election_id)
            )
        }
        elections = []
        for e in ctx.catalog.elections:
            col = actas.c[ctx.demarcacion_column(e.id)]
            per = {
                r.d: r
                for r in conn.execute(
                    select(col.label("d"), *_stage_cols())
                    .where(actas.c.election_id == e.id)
                    .group_by(col)
                )
            }
            demarcaciones = [
                {"id": d, "name": ctx.catalog.demarcacion_name(e, d), **_row(n, per.get(d))}
                for (eid, d), n in sorted(ctx.expected_by_demarcacion.items())
                if eid == e.id
            ]
            elections.append(
                {
                    "id": e.id,
                    "name": e.name,
                    "ambito": e.ambito.value,
                    "totals": _row(ctx.expected.get(e.id, 0), by_election.get(e.id)),
                    "demarcaciones": demarcaciones,
                }
            )
        fuera = by_election.get(None)
        open_queue: dict[str, int] = dict(
            conn.execute(
                select(conflicts.c.kind, func.count())
                .where(conflicts.c.closed_at.is_(None))
                .group_by(conflicts.c.kind)
            ).all()
        )
        stations = list_stations(conn)
    return {
        "now": ctx.now(),
        "catalog": {"name": ctx.catalog.name, "fingerprint": ctx.fingerprint},
        "elections": elections,
        "fuera_de_catalogo": int(fuera.acopiadas) if fuera is not None else 0,
        "queue": {
            "conflicto": open_queue.get("conflicto", 0),
            "discrepancia": open_queue.get("discrepancia", 0),
            "correccion": open_queue.get("correccion", 0),
            "cifras_repetidas": open_queue.get("cifras_repetidas", 0),
            "fuera_de_rango": open_queue.get("fuera_de_rango", 0),
        },
        "stations_with_gap": sum(1 for s in stations if s["gap"]),
        "stations": stations,
    }


def progress(ctx: Context, buckets: int = 48) -> dict[str, Any]:
    """Cumulative actas acopiadas / capturadas / verificadas over time (all elections)."""
    cols = {
        "acopiadas": actas.c.fecha_acopio,
        "digitalizadas": actas.c.fecha_digitalizacion,
        "capturadas": actas.c.fecha_captura,
        "verificadas": actas.c.fecha_verificacion,
    }
    # only times a station could have claimed: a wrong clock stored before the
    # server checked clocks must not stretch the chart (it is counted at its edge)
    floor, ceiling = EARLIEST_MS, ctx.now() + ctx.settings.clock_ahead_ms
    with ctx.store.read() as conn:
        bounds = conn.execute(
            select(
                *[func.min(c).filter(c.between(floor, ceiling)) for c in cols.values()],
                *[func.max(c).filter(c.between(floor, ceiling)) for c in cols.values()],
            )
        ).one()
        lows = [b for b in bounds[: len(cols)] if b is not None]
        highs = [b for b in bounds[len(cols) :] if b is not None]
        if not lows:
            return {
                "start": None,
                "end": None,
                "step": 0,
                "esperadas": 0,
                "series": {k: [] for k in cols},
            }
        lo, hi = min(lows), max(max(highs), min(lows) + 1)
        step = max(1, -(-(hi - lo) // buckets))
        series = {}
        for name, col in cols.items():
            clamped = func.min(func.max(col, lo), hi) if conn.dialect.name == "sqlite" else (
                func.least(func.greatest(col, lo), hi)
            )
            k = cast((clamped - lo) / step, Integer).label("k")
            counts = dict(
                conn.execute(select(k, func.count()).where(col.is_not(None)).group_by(k)).all()
            )
            total, cum = 0, []
            for b in range(buckets + 1):
                total += int(counts.get(b, 0))
                cum.append(total)
            series[name] = cum
    esperadas = sum(ctx.expected.values())
    return {"start": lo, "end": hi, "step": step, "esperadas": esperadas, "series": series}
