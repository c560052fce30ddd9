"""The schedule of cuts on election night (docs/DOMAIN.md §7, docs/SERVER.md).

The first cut is taken at the configured start, which must fall between 18:00 and
20:00 central Mexico time; then one every ``every_ms`` (at least three an hour);
the last, marked final, at the configured end (at most 24 hours after the
start) — or earlier, as soon as every expected acta has been captured
(:func:`sync_server.services.cuts.make_cut` decides that inside the cut's own
snapshot).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from prep_core.errors import PrepError
from prep_core.published import MEXICO_CENTRAL

HOUR_MS = 3_600_000
MAX_EVERY_MS = 20 * 60_000  # three an hour
MAX_SPAN_MS = 24 * HOUR_MS
EARLIEST_START = (18, 0)
LATEST_START = (20, 0)


def _local(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).astimezone(MEXICO_CENTRAL).strftime(
        "%d/%m/%Y %H:%M"
    )


@dataclass(frozen=True)
class Schedule:
    start_ms: int
    every_ms: int
    end_ms: int

    @classmethod
    def checked(cls, start_ms: int, every_ms: int, end_ms: int | None) -> Schedule:
        """A schedule within the rules, or a :class:`PrepError` naming the rule."""
        if not 0 < every_ms <= MAX_EVERY_MS:
            raise PrepError(
                f"intervalo de cortes de {every_ms / 60_000:g} min: debe ser de 1 a 20 min "
                "(al menos tres cortes por hora)",
                f"cut interval of {every_ms / 60_000:g} min: it must be 1 to 20 min "
                "(at least three cuts an hour)",
                where="--cut-every",
            )
        local = datetime.fromtimestamp(start_ms / 1000, UTC).astimezone(MEXICO_CENTRAL)
        if not EARLIEST_START <= (local.hour, local.minute) <= LATEST_START or (
            (local.hour, local.minute) == LATEST_START and local.second
        ):
            raise PrepError(
                f"inicio de los cortes a las {local:%H:%M}: debe ser entre las 18:00 y las 20:00 "
                "(hora del centro)",
                f"cuts start at {local:%H:%M}: it must be between 18:00 and 20:00 "
                "(central Mexico time)",
                where="--cut-start",
            )
        end = start_ms + MAX_SPAN_MS if end_ms is None else end_ms
        if not start_ms < end <= start_ms + MAX_SPAN_MS:
            raise PrepError(
                f"cierre a las {_local(end)}: debe ser después del inicio ({_local(start_ms)}) "
                "y a lo más 24 horas después",
                f"close at {_local(end)}: it must be after the start ({_local(start_ms)}) "
                "and at most 24 hours later",
                where="--cut-end",
            )
        return cls(start_ms, every_ms, end)

    def next_at(self, now: int) -> int:
        """The time of the next cut at or after ``now`` (never past the end)."""
        if now <= self.start_ms:
            return self.start_ms
        steps = -(-(now - self.start_ms) // self.every_ms)
        return min(self.start_ms + steps * self.every_ms, self.end_ms)

    def is_last(self, at: int) -> bool:
        return at >= self.end_ms
