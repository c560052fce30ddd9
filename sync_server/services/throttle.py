"""Login throttling: growing delays, never a lock-out of addresses that have not failed.

Failed logins are counted per (username, address) and per address. After
``free_pair`` failures of one name from one address (``free_address`` from one
address, any names) each further attempt with that key must wait
``2^(n - free)`` seconds after the last failure, capped at ``cap_ms``. A
coordinator who types the right password from another address is never slowed
by a stranger's guesses; a guesser is slowed more with each miss. A key quiet
for ``forget_ms`` starts again; a successful login clears its (name, address)
count (not the address's: one coordinator logging in must not reset a guesser's
count on a shared address). The counts live in memory: a restart clears them,
and restarting the server already needs shell access.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

Key = tuple[str, str]


@dataclass
class LoginThrottle:
    free_pair: int = 3
    free_address: int = 10
    base_ms: int = 1_000
    cap_ms: int = 5 * 60_000
    forget_ms: int = 15 * 60_000
    _failures: dict[Key, tuple[int, int]] = field(default_factory=dict)  # count, last at
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @staticmethod
    def keys(username: str, address: str) -> tuple[Key, Key]:
        name, addr = username.strip().lower()[:64], address[:64]
        return ("pair", f"{name}\x00{addr}"), ("address", addr)

    def delay_ms(self, key: Key, count: int) -> int:
        free = self.free_pair if key[0] == "pair" else self.free_address
        if count < free:
            return 0
        return min(self.base_ms << min(count - free, 30), self.cap_ms)

    def _current(self, key: Key, now: int) -> tuple[int, int]:
        count, last = self._failures.get(key, (0, 0))
        if count and now - last >= self.forget_ms:
            del self._failures[key]
            return 0, 0
        return count, last

    def retry_after_ms(self, username: str, address: str, now: int) -> int:
        """0 when an attempt is allowed; otherwise how long until it is."""
        wait = 0
        with self._lock:
            for key in self.keys(username, address):
                count, last = self._current(key, now)
                wait = max(wait, last + self.delay_ms(key, count) - now)
        return wait

    def failed(self, username: str, address: str, now: int) -> None:
        with self._lock:
            for key in self.keys(username, address):
                count, _ = self._current(key, now)
                self._failures[key] = (count + 1, now)
            if len(self._failures) > 10_000:  # bounded memory under a spray of names
                for key in list(self._failures):
                    self._current(key, now)

    def succeeded(self, username: str, address: str) -> None:
        with self._lock:
            self._failures.pop(self.keys(username, address)[0], None)
