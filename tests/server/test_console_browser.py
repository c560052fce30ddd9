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

from prep_tools.manual import ARGS, CHROMIUM  # the headless Chromium the manual is printed with
from sync_server.services import ingest, stations
from tests.server.helpers import (
    ADMIN,
    PASSWORD,
    acta_png,
    batch,
    conflict_night,
    enroll_all,
    enrollment,
    images_for,
    readings_for,
)

pytestmark = pytest.mark.slow
# screenshots go to PREP_SCREENSHOTS when set (e.g. docs/screenshots), else a temp folder
SHOTS = Path(os.environ.get("PREP_SCREENSHOTS") or tempfile.mkdtemp(prefix="console-shots-"))


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
    # a coordinator limits the station to two districts and lets it verify alone
    page.click("tr[data-station=CATD77] button.edit-permissions")
    page.select_option("tr.perm-editor select.scope-kind", "distritos")
    page.fill("tr.perm-editor input.scope-ids", "1, 2")
    page.check("tr.perm-editor input.self-verify-box")
    page.click("tr.perm-editor button.save-permissions")
    page.wait_for_function(
        "() => document.querySelector('tr[data-station=CATD77] td.scope').innerText.includes('1, 2')"
    )
    assert page.inner_text("tr[data-station=CATD77] td.self-verify") == "sí"
    info = stations.get_station(ctx, "CATD77")
    assert info["scope"] == {"distritos": [1, 2]} and info["self_verify"] is True
    page.click("#issue-code")  # the enrollment-code API may not be there: said in words
    page.wait_for_selector("#code-result .error")

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
    assert "Conflicto resuelto" in page.inner_text("#audit")  # actions as words
    assert page.locator("#audit tr[data-action=conflict_resolved]").count() == 1
    page.screenshot(path=str(SHOTS / "console-audit.png"))

    page.goto(f"{live.url}/console/actas/{clave}")
    page.wait_for_selector("#history")
    page.screenshot(path=str(SHOTS / "console-acta.png"), full_page=True)
    page.goto(f"{live.url}/console/lang?to=en&next=/console/")
    page.wait_for_selector("[data-election=DIP_LOC]")
    assert "Dashboard" in page.inner_text("nav")
    page.close()


def _verified_acta(ctx, catalog, clave: str, values: dict[str, int], n: int = 95) -> None:  # type: ignore[no-untyped-def]
    """One acta verified by two CCV stations from an image that shows ``values`` (the
    stations CATD``n``, CCV``n`` and CCV``n + 1``, enrolled here)."""
    import hashlib

    from prep_core.events import EventLog, Kind, digitalizacion
    from prep_core.signing import KeyPair

    names = (f"CATD{n}", f"CCV{n}", f"CCV{n + 1}")
    keys = {s: KeyPair.generate() for s in names}
    enroll_all(ctx, keys)
    logs = {s: EventLog(s, k, catalog.fingerprint) for s, k in keys.items()}
    data = acta_png(clave, values)
    sha = hashlib.sha256(data).hexdigest()
    t = 1_717_390_000_000
    catd = [
        logs[names[0]].append(Kind.ACOPIO, clave, t, "acopio1", {}),
        logs[names[0]].append(
            Kind.DIGITALIZACION,
            clave,
            t + 1,
            "dig1",
            digitalizacion(sha),
        ),
    ]
    ingest.ingest(ctx, batch(names[0], catd, {sha: data}))
    for i, st in enumerate(names[1:]):
        ev = logs[st].append(
            Kind.CAPTURA,
            clave,
            t + 10 + i,
            "cap",
            {"source": f"operator:{st}:cap", "image": sha, "values": values},
        )
        ingest.ingest(ctx, batch(st, [ev]))


def _queue_correction(live, clave: str, verified: dict, proposed: dict) -> None:  # type: ignore[no-untyped-def]
    """A station's proposed correction of a verified acta, as the ingest queues it."""
    from sync_server.db.tables import conflicts

    disputed = sorted(k for k in verified if verified[k] != proposed[k])
    with live.store.write() as conn:
        conn.execute(
            conflicts.insert().values(
                clave_acta=clave,
                kind="correccion",
                readings=json.dumps([verified, proposed]),
                disputed=json.dumps(disputed),
                opened_at=live.ctx.now(),
            )
        )


def test_console_users_page_and_a_proposed_correction(browser, sqlite_live, catalog) -> None:
    from sqlalchemy import select

    from sync_server.db.tables import actas
    from sync_server.services import accounts

    live = sqlite_live
    ctx = live.ctx
    acta = catalog.expected_actas("AYUN")[5]
    clave = acta.clave_acta
    verified = readings_for(catalog, clave, 7)
    _verified_acta(ctx, catalog, clave, verified)
    with live.store.read() as conn:
        assert (
            conn.scalar(select(actas.c.status).where(actas.c.clave_acta == clave)) == "verificada"
        )
    proposed = dict(verified)
    changed = list(proposed)[:2]
    for k in changed:
        proposed[k] += 5
    _queue_correction(live, clave, verified, proposed)
    accounts.add(live.store, ctx.now(), "consulta-norte", "clave-de-consulta", "consulta", ADMIN)
    accounts.disable(live.store, ctx.now(), "consulta-norte", ADMIN)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live.url}/console/login")
    page.fill("#username", ADMIN)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-election=DIP_LOC]")

    page.click("#nav-users")
    page.wait_for_selector("tr[data-user=consulta-norte]")
    page.fill("#new-username", "supervisora-sur")
    page.select_option("#new-role", "supervisor")
    page.fill("#new-password", "clave-de-supervisora")
    page.click("#create-user")
    row = page.wait_for_selector("tr[data-user=supervisora-sur]")
    assert "Supervisor" in row.inner_text() and "activa" in row.inner_text()
    assert "desactivada" in page.inner_text("tr[data-user=consulta-norte]")
    assert "Coordinador" in page.inner_text(f"tr[data-user={ADMIN}]")
    assert not page.locator("tr[data-user=consulta-norte] button.disable-user").count()
    page.screenshot(path=str(SHOTS / "console-users.png"), full_page=True)

    page.click("#nav-conflicts")
    box = page.wait_for_selector("[data-kind=correccion]")
    text = box.inner_text()
    assert "Corrección propuesta" in text and "Lectura verificada" in text
    diff = page.locator("[data-kind=correccion] tr.diff")
    assert diff.count() == len(changed)
    assert page.locator("[data-kind=correccion] figure.thumb img").count() == 1
    page.wait_for_function(  # loaded or failed: a loaded image has a width, a broken one none
        "() => document.querySelector('[data-kind=correccion] figure.thumb img').complete"
    )
    assert (
        page.evaluate(
            "() => document.querySelector('[data-kind=correccion] figure.thumb img').naturalWidth"
        )
        > 0
    )  # the acta image actually read, not a placeholder
    page.screenshot(path=str(SHOTS / "console-conflicts-correccion.png"), full_page=True)
    page.locator("[data-kind=correccion] input.reason").fill("Error de suma en el acta")
    page.locator("[data-kind=correccion] button.choose").nth(1).click()
    page.wait_for_selector("#no-conflicts")
    with live.store.read() as conn:
        state = json.loads(conn.scalar(select(actas.c.state).where(actas.c.clave_acta == clave)))
    assert state["reading"] == proposed

    page.goto(f"{live.url}/console/actas/{clave}")
    page.wait_for_selector("#history")
    assert "Resolución" in page.inner_text("#history")
    assert page.inner_text("#acta-counted") in ("sí", "no", "pendiente")
    page.close()


def _login(page, url: str, name: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/console/login")
    page.fill("#username", name)
    page.fill("#password", password)
    page.click("#login-submit")
    page.wait_for_selector("#certificates")


def test_console_certificates(browser, sqlite_live, night) -> None:
    """A coordinador certifies the puesta en ceros with the button and sees it; the
    final cut's closing certificate appears beside it; a supervisor sees both and
    has no button."""
    from sync_server.services import accounts, cuts

    live = sqlite_live
    ctx = live.ctx
    enroll_all(ctx, night.keys)
    accounts.add(live.store, ctx.now(), "supervisora", "clave-de-supervisora", "supervisor", ADMIN)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live.url, ADMIN, PASSWORD)
    assert page.is_visible("#no-certificates")
    page.click("#issue-zero")
    row = page.wait_for_selector("tr[data-certificate=puesta_en_ceros]")
    text = row.inner_text()
    assert "Puesta en ceros" in text and "válida (llave del servidor)" in text
    assert f"estaciones aprobadas: {len(night.keys)}" in text and "eventos 0" in text
    assert not page.locator("#issue-zero").count()
    assert (ctx.settings.publish_path / "certificados" / "puesta-en-ceros.json").exists()
    for name, evs in night.events.items():
        ingest.ingest(ctx, batch(name, evs, images_for(evs, night.images)))
    made = cuts.make_cut(ctx, ADMIN, final=True)
    page.reload()
    row = page.wait_for_selector("tr[data-certificate=cierre]")
    assert f"corte final: {made[0]['published']}" in row.inner_text()
    assert "válida" in row.inner_text()
    page.locator("#certificates").screenshot(path=str(SHOTS / "console-certificates.png"))
    with page.expect_download() as dl:
        page.click("tr[data-certificate=cierre] a")
    doc = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert doc["certificado"]["format"] == "prep-cierre/1"
    page.click("#logout")
    _login(page, live.url, "supervisora", "clave-de-supervisora")
    assert page.locator("tr[data-certificate]").count() == 2
    assert not page.locator("#issue-zero").count()


def test_console_alarm_of_one_actas_figures_under_two_keys(browser, sqlite_live, catalog) -> None:
    """Two actas verified with the same figures: the queue shows an alarm with both
    actas' images; a coordinator dismisses it with a reason."""
    live = sqlite_live
    a, b = (x.clave_acta for x in catalog.expected_actas("DIP_LOC")[1:3])
    same = readings_for(catalog, a, 9)
    _verified_acta(live.ctx, catalog, a, same, 91)
    _verified_acta(live.ctx, catalog, b, same, 93)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    _login(page, live.url, ADMIN, PASSWORD)
    page.click("#nav-conflicts")
    box = page.wait_for_selector("[data-kind=cifras_repetidas]")
    text = box.inner_text()
    assert "las mismas cifras en dos actas" in text and a in text and b in text
    assert page.locator("[data-kind=cifras_repetidas] figure.thumb img").count() == 2
    page.screenshot(path=str(SHOTS / "console-alarm-cifras-repetidas.png"), full_page=True)
    page.locator("[data-kind=cifras_repetidas] input.reason").fill("casillas vecinas, revisadas")
    page.locator("[data-kind=cifras_repetidas] button.dismiss").click()
    page.wait_for_selector("#no-conflicts")
    page.close()
