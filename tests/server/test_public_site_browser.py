"""The public site in headless Debian Chromium (Playwright), served over HTTP from
the publication folder: with JavaScript off the drill-down entidad → distrito →
sección → casilla → acta reaches an image whose SHA-256 is its CODIGO_INTEGRIDAD;
with it on, the search finds a sección and a casilla; every link of the pages
visited answers 200. Screenshots: docs/screenshots/public-*.png."""

from __future__ import annotations

import functools
import hashlib
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sync_server.services import cuts, ingest, resolutions
from tests.server.helpers import batch, conflict_night, enroll_all, images_for
from tests.server.test_console_browser import SHOTS, browser  # noqa: F401 - fixture

pytestmark = pytest.mark.slow


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        pass


@pytest.fixture
def site(catalog, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """A night whose acta images are real PNGs, published in two cuts, with one
    acta corrected by a coordinator between them."""
    from prep_demo import sim
    from tests.server.helpers import acta_png, live_server

    monkeypatch.setattr(sim, "image_bytes", lambda clave, origen: acta_png(clave))
    readings = [r for e in catalog.elections
                for r in sim.simulate_readings(catalog, e.id, seed=3, progress=0.9)]
    night = sim.simulate_events(catalog, readings, catd=2, ccv=2, seed=3, with_images=True)

    with live_server(f"sqlite:///{tmp_path / 'pub.db'}", catalog, tmp_path) as live:
        ctx = live.ctx
        enroll_all(ctx, night.keys)
        for name, evs in night.events.items():
            half = evs[: len(evs) // 2]
            ingest.ingest(ctx, batch(name, half, images_for(half, night.images)))
        cuts.make_cut(ctx, "admin")
        ctx.clock.t += 300_000
        for name, evs in night.events.items():
            rest = evs[len(evs) // 2 :]
            ingest.ingest(ctx, batch(name, rest, images_for(rest, night.images)))
        conf = conflict_night(catalog, names=("CATD91", "CCV91", "CCV92"), n=1)
        enroll_all(ctx, conf.keys)
        for name, evs in conf.events.items():
            ingest.ingest(ctx, batch(name, evs, conf.images))
        with ctx.store.read() as conn:
            q = resolutions.list_queue(conn)
        for entry in q:
            resolutions.resolve(ctx, entry["id"], "choose", 1, "cifra releída en el acta", "admin")
        made = cuts.make_cut(ctx, "admin")
        root = ctx.settings.publish_path
        handler = functools.partial(Quiet, directory=str(root))
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        t = threading.Thread(target=server.serve_forever, daemon=True)
        t.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}", made, q
        finally:
            server.shutdown()


def _links_ok(page, request) -> None:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(
        "a[href], img[src], link[href], script[src]",
        "els => els.map(e => e.href || e.src)",
    )
    for url in set(hrefs):
        if url.startswith("http://127.0.0.1"):
            assert request.get(url).status == 200, url


def test_public_site_without_and_with_javascript(browser, site, catalog) -> None:  # noqa: F811
    base, _, queue = site
    SHOTS.mkdir(parents=True, exist_ok=True)
    ctx = browser.new_context(java_script_enabled=False, viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    page.goto(f"{base}/")
    page.wait_for_url("**/cortes/actual/index.html")
    assert page.locator("h1").inner_text() == "Resultados preliminares"
    assert page.locator("svg[role=img]").count() >= 3  # votes per election, progress
    assert "%" in page.locator("table").first.inner_text()
    page.screenshot(path=str(SHOTS / "public-inicio.png"), full_page=True)
    _links_ok(page, ctx.request)
    # drill down to the acta a coordinator corrected (its image is a real PNG)
    clave = queue[0]["clave_acta"]
    acta = catalog.acta(clave)
    dem, sec, casilla = acta.id_demarcacion, acta.casilla.key.seccion, acta.casilla.clave
    page.click("text=Ver por distrito")
    assert page.locator("h1").inner_text().startswith("Diputaciones")
    page.screenshot(path=str(SHOTS / "public-eleccion.png"), full_page=True)
    _links_ok(page, ctx.request)
    page.click(f"table a[href='d{dem}.html']")
    page.screenshot(path=str(SHOTS / "public-distrito.png"), full_page=True)
    _links_ok(page, ctx.request)
    page.click(f"table a[href='d{dem}-s{sec}.html']")
    assert page.locator("h1").inner_text() == f"Sección {sec}"
    page.screenshot(path=str(SHOTS / "public-seccion.png"), full_page=True)
    _links_ok(page, ctx.request)
    page.click(f"table a[href$='casillas/{casilla}.html']")
    assert page.locator("h1").inner_text() == f"Casilla {casilla}"
    page.screenshot(path=str(SHOTS / "public-casilla.png"), full_page=True)
    page.click(f"table a[href$='actas/{clave}.html']")
    assert page.locator("h1").inner_text() == f"Acta {clave}"
    code = page.locator("#codigo").inner_text()
    src = page.locator("#acta-img").evaluate("img => img.src")
    page.wait_for_function("document.getElementById('acta-img').complete")
    assert page.locator("#acta-img").evaluate("img => img.naturalWidth > 0")
    assert hashlib.sha256(ctx.request.get(src).body()).hexdigest() == code
    assert "Lectura original y correcciones" in page.content()
    page.screenshot(path=str(SHOTS / "public-acta.png"), full_page=True)
    _links_ok(page, ctx.request)
    page.goto(f"{base}/cortes/actual/buscar.html")
    assert page.locator("#buscar").is_hidden()  # no script: the list of secciones
    assert page.locator("details a").count() > 0
    page.goto(f"{base}/cortes/actual/descargas.html")
    _links_ok(page, ctx.request)
    page.screenshot(path=str(SHOTS / "public-descargas.png"), full_page=True)
    ctx.close()

    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{base}/cortes/actual/index.html")
    assert page.locator("h1").inner_text() == "Resultados preliminares"
    page.goto(f"{base}/cortes/actual/buscar.html")
    page.fill("#q", casilla)
    page.press("#q", "Enter")
    page.wait_for_selector("#resultados a")
    assert page.locator("#resultados a").first.inner_text() == f"Casilla {casilla}"
    page.fill("#q", str(sec))
    page.press("#q", "Enter")
    page.wait_for_selector(f"#resultados a:has-text('Sección {sec}')")
    page.screenshot(path=str(SHOTS / "public-buscar.png"), full_page=True)
    page.locator("#resultados a").first.click()
    assert page.locator("h1").inner_text() == f"Sección {sec}"
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "Ir al contenido"
    assert not errors
    ctx.close()
