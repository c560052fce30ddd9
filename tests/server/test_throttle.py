"""Login throttling: a sliding window per username and per client address."""

from __future__ import annotations

from sync_server.services.throttle import LoginThrottle

MIN = 60_000


def test_user_locked_after_limit_and_released_by_window() -> None:
    t = LoginThrottle(user_limit=3, address_limit=100, window_ms=10 * MIN)
    for i in range(3):
        assert t.retry_after_ms("ana", "10.0.0.1", i * MIN) == 0
        t.failed("ana", "10.0.0.1", i * MIN)
    assert t.retry_after_ms("ANA ", "10.0.0.9", 3 * MIN) == 7 * MIN  # oldest leaves at 10 min
    assert t.retry_after_ms("luis", "10.0.0.1", 3 * MIN) == 0
    assert t.retry_after_ms("ana", "10.0.0.1", 10 * MIN) == 0


def test_address_limit_covers_many_usernames() -> None:
    t = LoginThrottle(user_limit=3, address_limit=4, window_ms=10 * MIN)
    for n in range(4):
        t.failed(f"u{n}", "10.0.0.2", 0)
    assert t.retry_after_ms("otro", "10.0.0.2", 1) > 0
    assert t.retry_after_ms("otro", "10.0.0.3", 1) == 0


def test_success_clears_the_username_only() -> None:
    t = LoginThrottle(user_limit=2, address_limit=3, window_ms=10 * MIN)
    t.failed("ana", "10.0.0.1", 0)
    t.failed("ana", "10.0.0.1", 0)
    assert t.retry_after_ms("ana", "10.0.0.5", 1) > 0
    t.succeeded("ana")
    assert t.retry_after_ms("ana", "10.0.0.5", 1) == 0
    t.failed("bea", "10.0.0.1", 1)
    assert t.retry_after_ms("carla", "10.0.0.1", 2) > 0  # the address still counts
