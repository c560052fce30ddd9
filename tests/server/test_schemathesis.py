"""Schemathesis with ALL its checks against the OpenAPI document of a live server.

Run as its command line does (``schemathesis run --checks all``), twice: as a
logged-in coordinator (the console's session cookie and CSRF header, given as
the document's security schemes) and with no credentials. Bounded examples per
operation so CI stays fast; the full run and its counts are in docs/SERVER.md.

One documented exception: a schema-valid batch, enrollment or image upload is
still refused 422 when its signature (or its image's SHA-256) does not verify,
which no OpenAPI schema can express; for those three operations the
``positive_data_acceptance`` check also expects 422 (see ``CRYPTO_OPERATIONS``).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.server.helpers import enroll_all
from tests.server.test_console_http import login

pytestmark = pytest.mark.slow
EXAMPLES = 15
CRYPTO_OPERATIONS = ("/api/v1/batches", "/api/v1/stations/enroll", "/api/v1/images/{sha256}")


def config(session: str | None, csrf: str | None) -> str:
    lines = []
    if session and csrf:
        lines += [
            "[auth.openapi.consoleSession]",
            f'api_key = "{session}"',
            "",
            "[auth.openapi.consoleCsrf]",
            f'api_key = "{csrf}"',
            "",
        ]
    paths = ", ".join(f'"{p}"' for p in CRYPTO_OPERATIONS)
    lines += [
        "[[operations]]",
        f"include-path = [{paths}]",
        "checks.positive_data_acceptance.expected-statuses = "
        '["2xx", "401", "403", "404", "409", "422"]',
    ]
    return "\n".join(lines) + "\n"


def run_all_checks(url: str, cfg: Path) -> tuple[int, str]:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "schemathesis.cli",
            "--config-file",
            str(cfg),
            "run",
            f"{url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            str(EXAMPLES),
            "--seed",
            "20240602",
            "--workers",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=cfg.parent,  # its cache folder goes there, not into the checkout
    )
    return proc.returncode, proc.stdout + proc.stderr


def test_all_checks_pass(live, night, tmp_path) -> None:
    pytest.importorskip("schemathesis", reason="pip install schemathesis")
    enroll_all(live.ctx, night.keys)
    c = live.client()
    csrf = login(c)
    session = c.cookies["prep_session"]
    for name, creds in (("coordinator", (session, csrf)), ("anonymous", (None, None))):
        cfg = tmp_path / f"{name}.toml"
        cfg.write_text(config(*creds), encoding="utf-8")
        code, out = run_all_checks(live.url, cfg)
        counts = re.search(r"(\d+) generated, (\d+) passed", out)
        assert code == 0 and counts, f"{name}:\n{out[-4000:]}"
        assert int(counts.group(1)) == int(counts.group(2)) >= 20 * EXAMPLES // 2, out[-2000:]
        ops = re.search(r"Selected: (\d+)/(\d+)\s+Tested: (\d+)", out)
        assert ops and ops.group(1) == ops.group(2) == ops.group(3), out[-2000:]  # every one
        print(f"schemathesis ({name}): {counts.group(0)}")
    assert c.get("/health").json()["status"] == "ok"
    # the coordinator's own session may have ended: the run may reset that account's
    # password or disable others, which ends their sessions; the server still answers
    assert c.get("/console/api/summary").status_code in (200, 401)
