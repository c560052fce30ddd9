"""Prometheus-style text metrics and the health check."""

from __future__ import annotations

from sqlalchemy import func, select, text

from sync_server.db.tables import actas, audit_log, conflicts, events, stations
from sync_server.services import refusals
from sync_server.services.context import Context


def health(ctx: Context) -> dict[str, object]:
    try:
        with ctx.store.read() as conn:
            conn.execute(text("SELECT 1"))
        db = "ok"
    except Exception as exc:
        db = f"error: {type(exc).__name__}"
    return {
        "status": "ok" if db == "ok" else "degraded",
        "database": db,
        "backend": "sqlite" if ctx.store.is_sqlite else "postgresql",
        "catalog": ctx.fingerprint,
        "server_key": ctx.key.fingerprint,
    }


def metrics_text(ctx: Context) -> str:
    lines: list[str] = []

    def gauge(name: str, value: int | float, labels: str = "", help_: str = "") -> None:
        if help_:
            lines.append(f"# HELP {name} {help_}")
            lines.append(f"# TYPE {name} gauge")
        lines.append(f"{name}{labels} {value}")

    with ctx.store.read() as conn:
        gauge(
            "prep_events_stored",
            conn.scalar(select(func.count()).select_from(events)) or 0,
            help_="Events accepted into the central log",
        )
        gauge(
            "prep_stations_with_gap",
            conn.scalar(
                select(func.count()).select_from(stations).where(stations.c.gap_last.is_not(None))
            )
            or 0,
            help_="Stations whose last batch was refused for a chain gap not yet filled",
        )
        gauge(
            "prep_audit_entries",
            conn.scalar(select(func.count()).select_from(audit_log)) or 0,
            help_="Entries in the hash-chained audit log",
        )
        lines += ["# HELP prep_actas Actas by derived status", "# TYPE prep_actas gauge"]
        for status, n in conn.execute(
            select(actas.c.status, func.count()).group_by(actas.c.status)
        ):
            gauge("prep_actas", n, f'{{status="{status}"}}')
        lines += ["# HELP prep_stations Stations by status", "# TYPE prep_stations gauge"]
        for status, n in conn.execute(
            select(stations.c.status, func.count()).group_by(stations.c.status)
        ):
            gauge("prep_stations", n, f'{{status="{status}"}}')
        gauge(
            "prep_conflicts_open",
            conn.scalar(select(func.count()).where(conflicts.c.closed_at.is_(None))) or 0,
            help_="Open conflicts and discrepancies",
        )
    lines += [
        "# HELP prep_requests_total Batches since start",
        "# TYPE prep_requests_total counter",
    ]
    for key in ("batches_accepted", "batches_replayed", "batches_rejected", "events_accepted"):
        lines.append(f'prep_requests_total{{what="{key}"}} {ctx.stats.get(key, 0)}')
    lines += [
        "# HELP prep_refused_total Strangers' requests refused before any write, since start",
        "# TYPE prep_refused_total counter",
    ]
    for kind in refusals.KINDS:
        lines.append(f'prep_refused_total{{kind="{kind}"}} {ctx.stats.get(f"refused_{kind}", 0)}')
    return "\n".join(lines) + "\n"
