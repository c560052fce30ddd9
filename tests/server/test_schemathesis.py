"""Schemathesis against the OpenAPI schema of a live server: no 5xx, bounded run.

Both the station API and the console's JSON API (with a logged-in session and
its CSRF token) are exercised with generated requests."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.server.helpers import enroll_all
from tests.server.test_console_http import login

pytestmark = pytest.mark.slow
EXAMPLES = 60


def test_no_server_errors(live, night) -> None:
    schemathesis = pytest.importorskip("schemathesis", reason="pip install schemathesis")
    enroll_all(live.ctx, night.keys)
    c = live.client()
    csrf = login(c)
    cookie = "; ".join(f"{k}={v}" for k, v in c.cookies.items())
    schema = schemathesis.openapi.from_url(f"{live.url}/openapi.json")
    failures: list[str] = []
    operations = 0
    calls: list[int] = []
    for result in schema.get_all_operations():
        op = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=op.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            for headers in ({}, {"Cookie": cookie, "X-CSRF-Token": csrf}):
                resp = case.call(base_url=live.url, headers=headers, timeout=30)
                calls.append(resp.status_code)
                if resp.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> "
                        f"{resp.status_code}: {resp.text[:200]}"
                    )

        run()
    assert operations >= 10 and len(calls) >= operations * 4
    assert not failures, "\n".join(failures[:10])
    print(
        f"schemathesis: {operations} operations, {len(calls)} requests, statuses {sorted(set(calls))}"
    )
    health = c.get("/health").json()
    assert health["status"] == "ok"
