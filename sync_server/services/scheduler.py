"""Cuts on a timetable: docs/DOMAIN.md §7: the rules ask for at least three cuts an hour.

A daemon thread takes a cut (stored, audited and published, as from the console)
on the schedule, until stopped. With a configured start (:class:`Schedule`) the
first cut is taken at the start, after the *puesta en ceros* certificate when it
has not been issued yet; then every interval; the last one, final, at the end or
as soon as every expected acta is captured, with the closing certificate; then
the thread ends. Without a start, a cut every interval on its boundary (20:00,
20:20, 20:40…) for as long as the server runs. A failed cut is logged and
audited by the cut itself where it got that far; the next one still runs.
"""

from __future__ import annotations

import logging
import threading

from sync_server.services import cuts
from sync_server.services.context import Context
from sync_server.services.schedule import Schedule

log = logging.getLogger("prep.cuts")
USER = "programado"


class CutScheduler(threading.Thread):
    def __init__(self, ctx: Context, every_ms: int, schedule: Schedule | None = None) -> None:
        if every_ms < 1:
            raise ValueError("every_ms must be positive")
        super().__init__(name="prep-cuts", daemon=True)
        self.ctx, self.every_ms, self.schedule = ctx, every_ms, schedule
        self._halt = threading.Event()
        self.taken = 0
        self.closed = False  # the final cut was taken
        self._next: int | None = None

    def delay_s(self) -> float:
        """Seconds until the next cut."""
        now = self.ctx.now()
        if self.schedule is None:
            return (self.every_ms - now % self.every_ms) / 1000
        self._next = self.schedule.next_at(now)
        return max(0, self._next - now) / 1000

    def run(self) -> None:
        try:  # the first cut after a restart catches up from states and rows prepared now
            cuts.warm_rows(self.ctx)
        except Exception:  # a cut builds its rows itself
            log.exception("estados y filas del primer corte no preparados / states and rows not prepared")
        while not self.closed and not self._halt.wait(self.delay_s()):
            try:
                self._cut()
            except Exception:  # the next cut must still happen
                log.exception("corte programado falló / scheduled cut failed")

    def _cut(self) -> None:
        sched = self.schedule
        if sched is None:
            made = cuts.make_cut(self.ctx, USER)
        else:
            if self.taken == 0:
                from sync_server.services.certificates import ensure_zero_certificate

                ensure_zero_certificate(self.ctx, USER)
            final = sched.is_last(self._next or self.ctx.now())
            made = cuts.make_cut(self.ctx, USER, final=final, close_when_complete=True)
            self.closed = any(m["final"] for m in made)
        self.taken += 1
        log.info("corte programado / scheduled cut: %s", made[0]["published"] if made else "-")

    def stop(self, timeout: float = 30) -> None:
        self._halt.set()
        self.join(timeout)
