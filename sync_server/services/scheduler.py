"""Cuts on a timetable: docs/DOMAIN.md §7: the rules ask for at least three cuts an hour.

A daemon thread takes a cut (stored, audited and published, as from the console)
every ``every_ms`` milliseconds, on the minute boundary, until stopped. A failed cut is
logged and audited by the cut itself where it got that far; the next one still runs.
"""

from __future__ import annotations

import logging
import threading

from sync_server.services import cuts
from sync_server.services.context import Context

log = logging.getLogger("prep.cuts")
USER = "programado"


class CutScheduler(threading.Thread):
    def __init__(self, ctx: Context, every_ms: int) -> None:
        if every_ms < 1:
            raise ValueError("every_ms must be positive")
        super().__init__(name="prep-cuts", daemon=True)
        self.ctx, self.every_ms = ctx, every_ms
        self._halt = threading.Event()
        self.taken = 0

    def delay_s(self) -> float:
        """Seconds until the next multiple of the interval (20:00, 20:20, 20:40…)."""
        now = self.ctx.now()
        return (self.every_ms - now % self.every_ms) / 1000

    def run(self) -> None:
        while not self._halt.wait(self.delay_s()):
            try:
                made = cuts.make_cut(self.ctx, USER)
                self.taken += 1
                log.info(
                    "corte programado / scheduled cut: %s", made[0]["published"] if made else "-"
                )
            except Exception:  # the next cut must still happen
                log.exception("corte programado falló / scheduled cut failed")

    def stop(self, timeout: float = 30) -> None:
        self._halt.set()
        self.join(timeout)
