"""Login throttling: growing delays per (username, address) and per address."""

from __future__ import annotations

from sync_server.services.throttle import LoginThrottle

S = 1_000
MIN = 60 * S


def test_delays_grow_after_the_free_failures() -> None:
    t = LoginThrottle(free_pair=3, free_address=100)
    now = 0
    for _ in range(3):
        assert t.retry_after_ms("ana", "10.0.0.1", now) == 0
        t.failed("ana", "10.0.0.1", now)
    assert t.retry_after_ms("ANA ", "10.0.0.1", now) == 1 * S  # 2^0 s
    now += S
    t.failed("ana", "10.0.0.1", now)
    assert t.retry_after_ms("ana", "10.0.0.1", now) == 2 * S
    for _ in range(20):
        now += t.retry_after_ms("ana", "10.0.0.1", now)
        t.failed("ana", "10.0.0.1", now)
    assert t.retry_after_ms("ana", "10.0.0.1", now) == t.cap_ms == 5 * MIN


def test_other_addresses_are_never_slowed_by_a_strangers_failures() -> None:
    t = LoginThrottle(free_pair=3, free_address=10)
    for i in range(50):
        t.failed("ana", "203.0.113.9", i * 10 * MIN)  # spread out: never forgotten
    assert t.retry_after_ms("ana", "203.0.113.9", 490 * MIN) > 0
    assert t.retry_after_ms("ana", "10.0.0.1", 490 * MIN) == 0


def test_address_limit_covers_many_usernames() -> None:
    t = LoginThrottle(free_pair=3, free_address=4)
    for n in range(4):
        t.failed(f"u{n}", "10.0.0.2", 0)
    assert t.retry_after_ms("otro", "10.0.0.2", 1) > 0
    assert t.retry_after_ms("otro", "10.0.0.3", 1) == 0


def test_quiet_keys_are_forgotten_and_success_clears_the_pair_only() -> None:
    t = LoginThrottle(free_pair=2, free_address=3, forget_ms=15 * MIN)
    t.failed("ana", "10.0.0.1", 0)
    t.failed("ana", "10.0.0.1", 0)
    assert t.retry_after_ms("ana", "10.0.0.1", 1) > 0
    assert t.retry_after_ms("ana", "10.0.0.1", 15 * MIN) == 0  # forgotten
    t.failed("ana", "10.0.0.1", 16 * MIN)
    t.failed("ana", "10.0.0.1", 16 * MIN)
    t.succeeded("ana", "10.0.0.1")
    assert t.retry_after_ms("ana", "10.0.0.1", 16 * MIN + 1) == 0
    t.failed("bea", "10.0.0.1", 16 * MIN + 1)
    assert t.retry_after_ms("carla", "10.0.0.1", 16 * MIN + 2) > 0  # the address still counts
