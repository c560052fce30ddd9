"""What a station may send, checked on every event of a batch before anything is
stored (docs/EVENTS.md, "Authority"): its role's kinds (prep_core.authority), its
scope, and its clock. One event over the line refuses the whole batch, naming it.

A station's clock is its claim: an event's ``at`` is accepted only inside the
window around the server's clock (``clock_behind_ms`` before to
``clock_ahead_ms`` after) and, when configured, the election window; the server
orders events by its own acceptance, never by ``at``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from prep_core.authority import refusal
from prep_core.events import SignedEvent
from sync_server.services.context import Context
from sync_server.services.errors import forbidden, unprocessable
from sync_server.services.scope import parse_scope


def check_authority(ctx: Context, station: Any, events: Sequence[SignedEvent]) -> None:
    """403 naming the first event the station's role or scope does not allow."""
    scope = parse_scope(station.scope)
    for i, se in enumerate(events):
        ev = se.event
        why = refusal(station.role, ev)
        if why is not None:
            raise forbidden(
                "kind_not_allowed",
                f"evento {ev.station}#{ev.seq}: {why[0]}",
                f"event {ev.station}#{ev.seq}: {why[1]}",
                index=i,
                extra={"kind": ev.kind.value, "role": station.role},
            )
        if scope is not None and not scope.covers(ctx.catalog, ev.clave_acta):
            raise forbidden(
                "out_of_scope",
                f"evento {ev.station}#{ev.seq}: el acta {ev.clave_acta} no está en el ámbito "
                f"de la estación ({scope.describe()})",
                f"event {ev.station}#{ev.seq}: acta {ev.clave_acta} is outside the station's "
                f"scope ({scope.describe()})",
                index=i,
                extra={"acta": ev.clave_acta},
            )


def clock_window(ctx: Context) -> tuple[int, int]:
    """The times an event may claim now: [earliest, latest] in ms since the epoch."""
    s = ctx.settings
    now = ctx.now()
    lo, hi = now - s.clock_behind_ms, now + s.clock_ahead_ms
    if s.window_start_ms is not None:
        lo = max(lo, s.window_start_ms)
    if s.window_end_ms is not None:
        hi = min(hi, s.window_end_ms)
    return lo, hi


def check_clock(ctx: Context, events: Sequence[SignedEvent]) -> None:
    """422 naming the first event whose time falls outside the accepted window."""
    lo, hi = clock_window(ctx)
    for i, se in enumerate(events):
        at = se.event.at
        if not lo <= at <= hi:
            ev = se.event
            raise unprocessable(
                "clock_out_of_window",
                f"evento {ev.station}#{ev.seq}: su hora {iso(at)} está fuera de la ventana "
                f"aceptada ({iso(lo)} a {iso(hi)}); revise el reloj de la estación",
                f"event {ev.station}#{ev.seq}: its time {iso(at)} is outside the accepted "
                f"window ({iso(lo)} to {iso(hi)}); check the station's clock",
                index=i,
                extra={"at": at, "window": [lo, hi]},
            )


def iso(ms: int) -> str:
    """A time for a message; never fails, whatever the number."""
    try:
        return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"{ms} ms"
