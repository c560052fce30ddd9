"""Time source handed to the app factory, so tests can fix the time."""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], int]  # milliseconds since the Unix epoch, UTC


def system_clock() -> int:
    return time.time_ns() // 1_000_000
