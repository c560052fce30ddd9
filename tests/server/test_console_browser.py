"""The console in headless Debian Chromium (Playwright): login, dashboard that
refreshes itself, approving a station, resolving a conflict. Screenshots go to
docs/screenshots/console-*.png."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from sync_server.services import ingest, stations
from tests.server.helpers import (
    ADMIN,
    PASSWORD,
    batch,
    conflict_night,
    enroll_all,
    enrollment,
    images_for,
)

pytestmark = pytest.mark.slow
CHROMIUM = "/usr/bin/chromium"
# screenshots go to PREP_SCREENSHOTS when set (e.g. docs/screenshots), else a temp folder
SHOTS = Path(os.environ.get("PREP_SCREENSHOTS") or tempfile.mkdtemp(prefix="console-shots-"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium absent (/usr/bin/chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def sqlite_live(catalog, tmp_path):  # type: ignore[no-untyped-def]
    from tests.server.helpers import live_server

    with live_server(f"sqlite:///{tmp_path / 'ui.db'}", catalog, tmp_path) as srv:
        yield srv


def test_console_end_to_end(browser, sqlite_live, night, catalog) -> None:
    live = sqlite_live
    ctx = live.ctx
    enroll_all(ctx, night.keys)
    for name, evs in night.events.items():
        half = evs[: len(evs) * 2 // 3]
        ingest.ingest(ctx, batch(name, half, images_for(half, night.images)))
    conf = conflict_night(catalog, names=("CATD91", "CCV91", "CCV92"), election="AYUN", n=2)
    enroll_all(ctx, conf.keys)
    for name, evs in conf.events.items():
        ingest.ingest(ctx, batch(name, evs, conf.images))
    from prep_core.signing import KeyPair

    stations.request_enrollment(ctx, enrollment("CATD77", KeyPair.generate()))
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live.url}/console/")
    assert page.url.endswith("/console/login")
    page.fill("#username", ADMIN)
    page.fill("#password", "incorrecta-123")
    page.click("#login-submit")
    page.wait_for_selector("#login-error")
    page.screenshot(path=str(SHOTS / "console-login.png"))
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-election=DIP_LOC]")
    page.wait_for_selector("#progress-svg polyline", state="attached")
    first = page.inner_text("[data-election=DIP_LOC]")
    assert "/ 24" in first
    # the dashboard refreshes itself: send the rest, wait for the numbers to change
    for name, evs in night.events.items():
        rest = evs[len(evs) * 2 // 3 :]
        ingest.ingest(ctx, batch(name, rest, images_for(rest, night.images)))
    page.wait_for_function(
        "(t) => document.querySelector('[data-election=DIP_LOC]').innerText !== t",
        arg=first,
        timeout=15_000,
    )
    page.click("#make-cut")
    page.wait_for_selector("#cut-list tr:nth-child(3)")  # header + one row per election
    page.screenshot(path=str(SHOTS / "console-dashboard.png"), full_page=True)

    page.click("#nav-stations")
    row = page.wait_for_selector("tr[data-station=CATD77]")
    assert "pendiente" in row.inner_text()
    page.screenshot(path=str(SHOTS / "console-stations.png"), full_page=True)
    page.click("tr[data-station=CATD77] button.approve")
    page.wait_for_function(
        "() => document.querySelector('tr[data-station=CATD77]').innerText.includes('aprobada')"
    )
    assert stations.get_station(ctx, "CATD77")["status"] == "approved"
    with page.expect_download() as dl:  # offline enrollment: the approval goes on a USB drive
        page.click("tr[data-station=CATD77] a.approval-file")
    approval = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert approval["format"] == "prep-approval/1" and approval["approval"]["station"] == "CATD77"

    page.click("#nav-conflicts")
    page.wait_for_selector("[data-conflict]")
    assert page.locator("[data-conflict]").count() == 2
    page.screenshot(path=str(SHOTS / "console-conflicts.png"), full_page=True)
    box = page.locator("[data-conflict]").first
    box.locator("input.reason").fill("Cotejo contra la imagen del acta")
    box.locator("button.choose").nth(1).click()
    page.wait_for_function("() => document.querySelectorAll('[data-conflict]').length === 1")
    with live.store.read() as conn:
        from sync_server.services.resolutions import list_queue

        assert len(list_queue(conn)) == 1
    clave = page.locator("[data-conflict] h3 a").first.inner_text().split()[-1]
    page.click("#nav-audit")
    page.wait_for_selector("#audit-status.status-ok")
    assert "conflict_resolved" in page.inner_text("#audit")
    page.screenshot(path=str(SHOTS / "console-audit.png"))

    page.goto(f"{live.url}/console/actas/{clave}")
    page.wait_for_selector("#history")
    page.screenshot(path=str(SHOTS / "console-acta.png"), full_page=True)
    page.goto(f"{live.url}/console/lang?to=en&next=/console/")
    page.wait_for_selector("[data-election=DIP_LOC]")
    assert "Dashboard" in page.inner_text("nav")
    page.close()
