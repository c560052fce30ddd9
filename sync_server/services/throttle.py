"""Login throttling: failed logins counted per username and per client address.

After ``limit`` failures of one key inside a sliding ``window_ms``, further
attempts with that key are refused, without checking the password, until the
oldest counted failure leaves the window. A successful login clears its
username's count (not the address's: one coordinator logging in must not
reset a guesser's count on a shared address). The counts live in memory: a
restart clears them, and restarting the server already needs shell access.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field

Key = tuple[str, str]


@dataclass
class LoginThrottle:
    user_limit: int = 5
    address_limit: int = 30
    window_ms: int = 15 * 60_000
    _failures: dict[Key, deque[int]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(username: str, address: str) -> tuple[Key, Key]:
        return ("user", username.strip().lower()[:64]), ("address", address[:64])

    def _limit(self, key: Key) -> int:
        return self.user_limit if key[0] == "user" else self.address_limit

    def _recent(self, key: Key, now: int) -> deque[int]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and times[0] <= now - self.window_ms:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def retry_after_ms(self, username: str, address: str, now: int) -> int:
        """0 when an attempt is allowed; otherwise how long until it is."""
        wait = 0
        with self._lock:
            for key in self.keys(username, address):
                times = self._recent(key, now)
                if len(times) >= self._limit(key):
                    wait = max(wait, times[-self._limit(key)] + self.window_ms - now)
        return wait

    def failed(self, username: str, address: str, now: int) -> None:
        with self._lock:
            for key in self.keys(username, address):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)
            if len(self._failures) > 10_000:  # bounded memory under a spray of names
                for key in list(self._failures):
                    self._recent(key, now)

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(self.keys(username, "")[0], None)
