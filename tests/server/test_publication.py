"""Publication (docs/SERVER.md, "Publication"): the schedule of cuts, the signed
manifest, the public site, ``prep verify-publication`` against every kind of
tampering, a cut taken while batches arrive, and the certificates."""

from __future__ import annotations

import json
import re
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from prep_core.errors import PrepError
from prep_core.manifest import NAME, sign_manifest
from prep_core.publication import build_cut
from prep_core.pubverify import verify_cut
from prep_core.signing import KeyPair
from prep_io.publication_source import open_publication
from sync_server.db.tables import events
from sync_server.services import cuts, ingest
from sync_server.services.certificates import zero_certificate
from sync_server.services.errors import ServiceError
from sync_server.services.schedule import Schedule
from sync_server.services.scheduler import CutScheduler
from sync_server.services.tally import Loaded, event_from_stored, policy_of
from tests.server.helpers import batch, enroll_all, images_for

T20 = 1_717_380_000_000  # 02/06/2024 20:00 (UTC-6)


def _ingest(live, night, only=None) -> None:  # type: ignore[no-untyped-def]
    enroll_all(live.ctx, night.keys)
    for name, evs in night.events.items():
        if only is None or name in only:
            ingest.ingest(live.ctx, batch(name, evs, images_for(evs, night.images)))


def _verify(target: Path, key: bytes | None = None):  # type: ignore[no-untyped-def]
    pub = open_publication(str(target))
    return verify_cut(pub.read, pub.cut_dir, key, present=pub.present)


def _text(rep) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(rep.lines())


# ------------------------------------------------------------------ schedule


def test_schedule_rules() -> None:
    s = Schedule.checked(T20, 5 * 60_000, None)
    assert s.end_ms == T20 + 24 * 3_600_000
    assert s.next_at(T20 - 10) == T20 and s.next_at(T20 + 1) == T20 + 300_000
    assert s.next_at(T20 + 300_000) == T20 + 300_000 and s.next_at(T20 + 10**9) == s.end_ms
    assert s.is_last(s.end_ms) and not s.is_last(T20)
    Schedule.checked(T20 - 2 * 3_600_000, 20 * 60_000, T20)  # 18:00 is allowed
    with pytest.raises(PrepError, match="18:00"):
        Schedule.checked(T20 + 60_000, 5 * 60_000, None)  # 20:01
    with pytest.raises(PrepError, match="tres cortes por hora"):
        Schedule.checked(T20, 21 * 60_000, None)
    with pytest.raises(PrepError, match="24 horas"):
        Schedule.checked(T20, 5 * 60_000, T20 + 25 * 3_600_000)


def test_schedule_from_zero_to_close(live, night) -> None:  # type: ignore[no-untyped-def]
    """The first scheduled cut certifies the puesta en ceros; the cut at the end is
    final and brings the closing certificate; then the scheduler stops."""
    root = live.ctx.settings.publish_path
    sched = CutScheduler(live.ctx, 300_000, Schedule.checked(T20, 300_000, T20 + 600_000))
    sched._next = T20
    sched._cut()  # the database is empty: puesta en ceros, then a first (empty) cut
    zero = json.loads((root / "certificados" / "puesta-en-ceros.json").read_text())
    assert zero["certificado"]["en_ceros"] == {"eventos": 0, "actas": 0, "cortes": 0}
    assert not sched.closed
    with pytest.raises(ServiceError) as exc:
        zero_certificate(live.ctx, "admin")
    assert exc.value.code == "zero_issued"
    _ingest(live, night)
    sched._next = T20 + 600_000
    sched._cut()
    assert sched.closed and sched.taken == 2
    latest = json.loads((root / "ultimo.json").read_text())
    assert latest["final"]
    closing = json.loads((root / "certificados" / "cierre.json").read_text())
    assert closing["certificado"]["corte_final"] == latest["corte"]
    manifest = json.loads((root / latest["manifiesto"]).read_text())["manifiesto"]
    assert manifest["final"] and manifest["puesta_en_ceros"]
    rep = _verify(root)
    assert rep.ok, _text(rep)


def test_zero_refused_with_results(live, night) -> None:  # type: ignore[no-untyped-def]
    _ingest(live, night)
    with pytest.raises(ServiceError) as exc:
        zero_certificate(live.ctx, "admin")
    assert exc.value.code == "not_zero"


# ------------------------------------------------------------------ verify-publication


@pytest.fixture
def published(live, night, tmp_path):  # type: ignore[no-untyped-def]
    """Two cuts published; a copy of the publication to tamper with."""
    _ingest(live, night)
    cuts.make_cut(live.ctx, "admin")
    live.ctx.clock.t += 120_000
    cuts.make_cut(live.ctx, "admin")
    copy = tmp_path / "espejo"
    shutil.copytree(live.ctx.settings.publish_path, copy, symlinks=True)
    latest = json.loads((copy / "ultimo.json").read_text())
    return copy, copy / "cortes" / latest["corte"], live.ctx.key


def test_good_cut_verifies_from_root_folder_and_cli(published, capsys) -> None:  # type: ignore[no-untyped-def]
    from prep_cli.main import main

    root, folder, key = published
    rep = _verify(root, key.public_bytes)
    assert rep.ok, _text(rep)
    assert rep.counts["imagenes"] > 0 and rep.counts["filas"] > 0
    assert _verify(root / "cortes" / "actual").ok  # the link to the current cut
    for p in (root / "ultimo.json", next((root / "imagenes").glob("*/*")), folder / "index.html"):
        assert p.stat().st_mode & 0o777 == 0o644, p  # a web server of another user reads it
    assert main(["verify-publication", str(folder), "--public-key",
                 str(root / "llave-publica.json")]) == 0
    assert main(["verify-publication", str(root), "--public-key", key.fingerprint]) == 0
    assert "publicación íntegra" in capsys.readouterr().out


def test_changed_image_is_named(published) -> None:  # type: ignore[no-untyped-def]
    root, _, key = published
    img = sorted((root / "imagenes").glob("*/*"))[0]
    img.write_bytes(img.read_bytes()[:-1] + b"\0")
    rep = _verify(root, key.public_bytes)
    assert not rep.ok and f"imagenes/{img.parent.name}/{img.name}" in _text(rep)
    assert "CODIGO_INTEGRIDAD" in _text(rep)


def test_changed_csv_cell_is_named(published) -> None:  # type: ignore[no-untyped-def]
    root, folder, key = published
    csv = folder / "DIP_LOC.csv"
    lines = csv.read_bytes().split(b"\r\n")
    row = next(i for i, ln in enumerate(lines) if ln.startswith(b"'") and b",1,," in ln)
    cells = lines[row].split(b",")
    cells[16] = str(int(cells[16]) + 7).encode()  # the first vote field
    lines[row] = b",".join(cells)
    csv.write_bytes(b"\r\n".join(lines))
    text = _text(_verify(root, key.public_bytes))
    assert f"{folder.relative_to(root)}/DIP_LOC.csv: su SHA-256" in text
    clave = cells[1].decode().strip("'")
    assert "fila" in text and clave in text  # the row, against the zip's
    assert "TOTAL_VOTOS_C_CS" in text  # the figure the independent count disagrees with


def test_removed_file_is_named(published) -> None:  # type: ignore[no-untyped-def]
    root, folder, key = published
    page = sorted((folder / "actas").glob("*.html"))[0]
    page.unlink()
    text = _text(_verify(root, key.public_bytes))
    assert f"actas/{page.name}: falta el archivo" in text


def test_wrong_signature_is_named(published) -> None:  # type: ignore[no-untyped-def]
    root, folder, key = published
    wire = json.loads((folder / NAME).read_text())
    stranger = KeyPair.generate()
    forged = sign_manifest(stranger, {**wire["manifiesto"]})
    (folder / NAME).write_text(json.dumps(forged))
    assert "la firma no verifica" in _text(_verify(root, key.public_bytes))
    wire["manifiesto"]["codigo"] = "0" * 64  # altered, not signed again
    (folder / NAME).write_text(json.dumps(wire))
    assert "la firma no verifica" in _text(_verify(root))


def test_manifest_of_another_cut_is_named(published) -> None:  # type: ignore[no-untyped-def]
    root, folder, key = published
    other = next(p for p in (root / "cortes").iterdir()
                 if p.name not in (folder.name, "actual"))
    shutil.copy(other / NAME, folder / NAME)
    text = _text(_verify(root, key.public_bytes))
    assert f"manifiesto de otro corte: dice {other.name}, la carpeta es {folder.name}" in text


def test_verify_over_http(published) -> None:  # type: ignore[no-untyped-def]
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    root, folder, key = published

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        for target in (base, f"{base}/cortes/{folder.name}", f"{base}/cortes/actual/"):
            pub = open_publication(target)
            rep = verify_cut(pub.read, pub.cut_dir, key.public_bytes)
            assert rep.ok and rep.counts["imagenes"] > 0, (target, _text(rep))
        (folder / "DIP_LOC.csv").write_bytes(b"x")
        pub = open_publication(base)
        assert "DIP_LOC.csv: su SHA-256" in _text(verify_cut(pub.read, pub.cut_dir))
    finally:
        server.shutdown()


def test_unreadable_target_is_a_clear_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from prep_cli.main import main

    assert main(["verify-publication", str(tmp_path)]) == 2


# ------------------------------------------------------------------ consistency, site


def test_cut_during_concurrent_ingest_is_a_consistent_snapshot(live, night) -> None:  # type: ignore[no-untyped-def]
    """Batches arrive while cuts are taken; each published CSV is exactly the cut
    of the events stored up to its snapshot, and each cut verifies."""
    enroll_all(live.ctx, night.keys)
    done = threading.Event()

    def feed() -> None:
        for name, evs in night.events.items():
            for i in range(0, len(evs), 40):
                part = evs[i : i + 40]
                ingest.ingest(live.ctx, batch(name, part, images_for(part, night.images)))
        done.set()

    t = threading.Thread(target=feed)
    t.start()
    taken = []
    while not done.is_set() or len(taken) < 2:
        taken.append(cuts.make_cut(live.ctx, "admin"))
        live.ctx.clock.t += 60_000
    t.join()
    root = live.ctx.settings.publish_path
    seen = set()
    for made in taken:
        folder = root / "cortes" / made[0]["published"]
        doc = json.loads((folder / NAME).read_text())["manifiesto"]
        seen.add(doc["eventos_hasta"])
        assert (folder / "DIP_LOC.csv").read_bytes() == _rebuilt(live, doc)
        pub = open_publication(str(folder))
        rep = verify_cut(pub.read, pub.cut_dir, present=pub.present, images=False)
        assert rep.ok, _text(rep)
    assert len(seen) >= 2  # cuts saw different moments of the night


def _rebuilt(live, doc) -> bytes:  # type: ignore[no-untyped-def]
    """The CSV of the cut a manifest names, built from nothing (no kept rows) from the
    events up to its ``eventos_hasta``."""
    with live.store.read() as conn:
        rows = conn.execute(select(events.c.body, events.c.hash, events.c.ingest_seq)
                            .where(events.c.ingest_seq <= doc["eventos_hasta"])).all()
        policy = policy_of(conn)
    by_acta: dict[str, list] = {}
    for body, digest, _ in rows:
        ev = event_from_stored(body, digest)
        by_acta.setdefault(ev.clave_acta, []).append(ev)
    loaded = Loaded(by_acta, {d: r for _, d, r in rows})
    states = [loaded.derive(c, policy) for c in by_acta]
    at = datetime.fromtimestamp(doc["at"] / 1000, UTC)
    return build_cut(live.ctx.catalog, "DIP_LOC", states, at).csv_bytes


def test_rows_prepared_at_start_serve_only_actas_that_did_not_change(live, night) -> None:  # type: ignore[no-untyped-def]
    """Rows built before the first cut (at start, cuts.warm_rows) are reused by it
    only for the actas whose state is the same; the actas that changed or arrived
    since are built anew, and the CSV is the one built from nothing."""
    enroll_all(live.ctx, night.keys)

    def part(first: bool) -> None:
        for name, evs in night.events.items():
            half = evs[: len(evs) * 2 // 3] if first else evs[len(evs) * 2 // 3 :]
            ingest.ingest(live.ctx, batch(name, half, images_for(half, night.images)))

    part(True)
    assert cuts.warm_rows(live.ctx) > 0
    kept = live.ctx.row_caches["DIP_LOC"]
    part(False)  # more actas, and changes to some of the first ones
    made = cuts.make_cut(live.ctx, "admin")
    assert kept.reused > 0 and kept.built > 0
    folder = live.ctx.settings.publish_path / "cortes" / made[0]["published"]
    doc = json.loads((folder / NAME).read_text())["manifiesto"]
    assert (folder / "DIP_LOC.csv").read_bytes() == _rebuilt(live, doc)
    assert cuts.warm_rows(live.ctx) == 0  # a cut filled the rows: newer than a warm-up


def test_site_links_resolve_and_acta_page_names_its_image(published) -> None:  # type: ignore[no-untyped-def]
    root, folder, _ = published
    pages = list(folder.rglob("*.html"))
    assert (folder / "index.html").exists() and len(pages) > 20
    href = re.compile(r'(?:href|src)="([^"#?]+)"')
    for page in pages:
        html = page.read_text()
        assert '<html lang="es-MX">' in html and "<h1>" in html
        for link in href.findall(html):
            if link.startswith(("http", "mailto")):
                continue
            assert (page.parent / link).resolve().exists(), f"{page}: {link}"
    acta = next(p for p in (folder / "actas").glob("*.html") if "acta-img" in p.read_text())
    html = acta.read_text()
    sha = re.search(r'<code id="codigo">([0-9a-f]{64})</code>', html).group(1)
    src = re.search(r'id="acta-img" src="([^"]+)"', html).group(1)
    import hashlib

    assert hashlib.sha256((acta.parent / src).read_bytes()).hexdigest() == sha
    assert 'alt="Imagen del acta' in html
    assert (root / "index.html").read_text().count("cortes/actual/index.html") == 2


def test_unchanged_pages_are_linked_from_the_previous_cut(live, night) -> None:  # type: ignore[no-untyped-def]
    """An acta or casilla page whose content did not change is a hard link to the
    previous cut's file (no page is written twice, none changed in place); a page
    that changed is written anew; both cuts verify."""
    _ingest(live, night)
    first = cuts.make_cut(live.ctx, "admin")[0]["published"]
    live.ctx.clock.t += 120_000
    second = cuts.make_cut(live.ctx, "admin")[0]["published"]
    root = live.ctx.settings.publish_path
    a, b = root / "cortes" / first, root / "cortes" / second
    pages = sorted((b / "actas").glob("*.html")) + sorted((b / "casillas").glob("*.html"))
    assert pages and [p.name for p in pages if p.stat().st_nlink != 2] == []
    assert all((a / p.relative_to(b)).samefile(p) for p in pages)
    assert (b / "index.html").stat().st_nlink == 1  # it names the cut
    for folder in (a, b):
        pub = open_publication(str(folder))
        rep = verify_cut(pub.read, pub.cut_dir, present=pub.present)
        assert rep.ok, _text(rep)


def test_two_cuts_taken_at_once_in_one_minute_both_publish(live, night) -> None:  # type: ignore[no-untyped-def]
    """The schedule and a coordinator (or two clicks) cut at the same moment: each
    cut gets its own folder, both verify (they once wrote into one work folder)."""
    _ingest(live, night)
    results: list[object] = []

    def take() -> None:
        try:
            results.append(cuts.make_cut(live.ctx, "admin")[0]["published"])
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=take) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert all(isinstance(r, str) for r in results), results
    assert len(set(results)) == 3  # same minute: 20…_HHMM, -2, -3
    root = live.ctx.settings.publish_path
    for name in results:
        rep = _verify(root / "cortes" / str(name))
        assert rep.ok, _text(rep)
    assert not list((root / "cortes").glob(".*.parcial"))


def test_a_cut_that_fills_the_disk_leaves_nothing_behind(live, night, monkeypatch) -> None:
    """No space left while the site is written: the half-written folder is removed
    (its space comes back), ``actual`` still names the previous whole cut, which still
    verifies, and the next cut publishes."""
    import errno

    from sync_server.services import publish

    _ingest(live, night)
    root = live.ctx.settings.publish_path
    first = cuts.make_cut(live.ctx, "admin")[0]["published"]
    real = publish.generate_site

    def full(inp, out):  # type: ignore[no-untyped-def]
        real(inp, out)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(publish, "generate_site", full)
    with pytest.raises(OSError):
        cuts.make_cut(live.ctx, "admin")
    assert sorted(p.name for p in (root / "cortes").iterdir()) == [first, "actual"]
    assert (root / "cortes" / "actual").readlink().name == first
    assert json.loads((root / "ultimo.json").read_text())["corte"] == first
    assert _verify(root / "cortes" / "actual").ok
    monkeypatch.setattr(publish, "generate_site", real)
    again = cuts.make_cut(live.ctx, "admin")[0]["published"]
    assert (root / "cortes" / "actual").readlink().name == again != first
