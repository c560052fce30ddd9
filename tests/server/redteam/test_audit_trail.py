"""An audit trail that cannot be trimmed (item 7 of issue 15).

A night is ingested through a live server on loopback and a cut is taken (its
signed audit head stored and published); then someone with write access to the
database tampers with it directly, and ``prep audit verify`` must report each
attack, naming what is wrong, with a non-zero exit. Each attack is undone after
its check, and the untouched database must verify clean before and after."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from prep_cli.server_commands import main as prep
from sync_server.db.tables import audit_heads, audit_log, batches, events
from sync_server.services import cuts
from sync_server.services.audit_heads import PUBLISHED_NAME, head_signature_ok
from sync_server.services.integrity import verify_store
from tests.server.conftest import BACKENDS, database_url
from tests.server.helpers import Live, batch, enroll_all, images_for, live_server


@pytest.fixture(scope="module", params=BACKENDS)
def served(request, catalog, night, tmp_path_factory) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    tmp = tmp_path_factory.mktemp(f"audit-{request.param}")
    cluster = request.getfixturevalue("pg_cluster") if request.param == "postgresql" else None
    with live_server(database_url(request.param, tmp, cluster), catalog, tmp) as live:
        enroll_all(live.ctx, night.keys)
        with live.client() as c:
            for name, evs in night.events.items():
                for i in range(0, len(evs), 20):
                    part = evs[i : i + 20]
                    r = c.post(
                        "/api/v1/batches", json=batch(name, part, images_for(part, night.images))
                    )
                    assert r.status_code == 200, r.text
        cuts.make_cut(live.ctx, "tests")
        yield live


def verify(live: Live, capsys: Any, *extra: str) -> tuple[int, str]:
    settings = live.ctx.settings
    code = prep(
        [
            "audit",
            "verify",
            "--db",
            live.store.url,
            "--published",
            str(settings.publish_path),
            "--key",
            str(settings.key_path),
            *extra,
        ]
    )
    out = capsys.readouterr()
    return code, out.out + out.err


@contextmanager
def deleted(live: Live, table: Any, *where: Any) -> Iterator[list[dict[str, Any]]]:
    """Rows deleted straight from the database, put back afterwards."""
    with live.store.write() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table).where(*where))]
        conn.execute(table.delete().where(*where))
    try:
        yield rows
    finally:
        with live.store.write() as conn:
            conn.execute(table.insert(), rows)


@contextmanager
def edited(live: Live, table: Any, values: dict[str, Any], *where: Any) -> Iterator[None]:
    with live.store.write() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table).where(*where))]
        conn.execute(table.update().where(*where).values(**values))
    try:
        yield
    finally:
        with live.store.write() as conn:
            conn.execute(table.delete().where(*where))
            conn.execute(table.insert(), rows)


@pytest.fixture
def clean(served, capsys) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    code, out = verify(served, capsys)
    assert code == 0, out
    yield served
    code, out = verify(served, capsys)
    assert code == 0, out  # the attack was undone: nothing else was hurt


def test_cut_signs_and_publishes_the_head(clean) -> None:
    publish = clean.ctx.settings.publish_path
    doc = json.loads((publish / PUBLISHED_NAME).read_text(encoding="utf-8"))
    assert head_signature_ok(doc, clean.ctx.key.public_bytes)
    assert doc["servidor"]["fingerprint"] == clean.ctx.key.fingerprint
    ultimo = json.loads((publish / "ultimo.json").read_text(encoding="utf-8"))
    folder = publish / "cortes" / ultimo["corte"]
    assert PUBLISHED_NAME in (folder / "SHA256SUMS").read_text()
    assert ultimo["auditoria"]["seq"] == doc["head"]["audit_seq"]
    with clean.store.read() as conn:
        last = conn.execute(select(func.max(audit_log.c.seq))).scalar()
        stored = conn.execute(select(audit_heads).order_by(audit_heads.c.id.desc())).first()
    assert stored.audit_seq == last == doc["head"]["audit_seq"] and stored.reason == "cut"
    report = verify_store(clean.store, server_key=clean.ctx.key.public_bytes, published=publish)
    assert report.ok and report.counts["events"] > 0 and report.counts["receipts"] > 0


def test_audit_log_cut_short(clean, capsys) -> None:
    with clean.store.read() as conn:
        last = conn.execute(select(func.max(audit_log.c.seq))).scalar()
    with deleted(clean, audit_log, audit_log.c.seq > last - 3):
        code, out = verify(clean, capsys)
    assert code == 1
    assert "audit log cut short: signed head #" in out and f"reaches entry {last}" in out


def test_audit_log_and_its_signed_heads_cut_short(clean, capsys) -> None:
    """The published head still holds the log to its length."""
    with clean.store.read() as conn:
        last = conn.execute(select(func.max(audit_log.c.seq))).scalar()
    with (
        deleted(clean, audit_log, audit_log.c.seq > last - 3),
        deleted(clean, audit_heads, audit_heads.c.id > 0),
    ):
        code, out = verify(clean, capsys)
    assert code == 1
    assert "audit log cut short: published head" in out
    assert "signed heads deleted" in out


def test_every_event_of_one_station_deleted(clean, night, capsys) -> None:
    name = "CCV01"
    n = len(night.events[name])
    with deleted(clean, events, events.c.station == name):
        code, out = verify(clean, capsys)
    assert code == 1
    assert f"station {name}: its head is {n}, the stored events reach 0 (0 events)" in out
    assert f"({name}): the signed receipt covers" in out


def test_one_event_body_edited(clean, night, capsys) -> None:
    se = next(s for s in night.events["CCV01"] if s.event.kind.value == "captura")
    body = se.event.encode().decode()
    field = next(iter(se.event.payload["values"]))
    forged = body.replace(f'"{field}":{se.event.payload["values"][field]}', f'"{field}":999', 1)
    assert forged != body
    where = (events.c.station == "CCV01", events.c.seq == se.event.seq)
    with edited(clean, events, {"body": forged}, *where):
        code, out = verify(clean, capsys)
    assert code == 1
    assert f"event CCV01#{se.event.seq}: the stored body does not match its hash" in out


def test_one_event_body_edited_with_its_hash(clean, night, capsys) -> None:
    """A forger who also rewrites the hash column: the signature and the next
    event's link give it away."""
    import hashlib

    se = next(s for s in night.events["CCV01"][:-1] if s.event.kind.value == "captura")
    forged = se.event.encode().decode().replace('"operator":"', '"operator":"x', 1)
    where = (events.c.station == "CCV01", events.c.seq == se.event.seq)
    new_hash = hashlib.sha256(forged.encode()).hexdigest()
    with edited(clean, events, {"body": forged, "hash": new_hash}, *where):
        code, out = verify(clean, capsys)
    assert code == 1
    assert f"event CCV01#{se.event.seq}: the signature does not verify" in out
    assert f"event CCV01#{se.event.seq + 1}: does not link to the previous event" in out


def test_a_receipts_event_deleted(clean, night, capsys) -> None:
    se = night.events["CATD01"][5]
    where = (events.c.station == "CATD01", events.c.seq == se.event.seq)
    with clean.store.read() as conn:
        bh = conn.execute(select(events.c.batch).where(*where)).scalar()
        accepted = conn.execute(select(batches.c.accepted).where(batches.c.hash == bh)).scalar()
    with deleted(clean, events, *where):
        code, out = verify(clean, capsys)
    assert code == 1
    assert (
        f"receipt of batch {bh[:12]} (CATD01): the signed receipt covers {accepted} new "
        f"events, {accepted - 1} are stored"
    ) in out
    assert f"station CATD01: events {se.event.seq}..{se.event.seq} are missing" in out


def test_a_receipt_rewritten(clean, capsys) -> None:
    with clean.store.read() as conn:
        row = conn.execute(select(batches).limit(1)).first()
    wire = json.loads(row.receipt)
    wire["receipt"]["new"] += 1
    with edited(
        clean,
        batches,
        {"receipt": json.dumps(wire), "accepted": row.accepted + 1},
        batches.c.hash == row.hash,
    ):
        code, out = verify(clean, capsys)
    assert code == 1
    assert f"receipt of batch {row.hash[:12]} ({row.station}): the server's signature" in out


def test_published_head_of_another_key(clean, tmp_path, capsys) -> None:
    from prep_core.signing import KeyPair
    from sync_server.services.audit_heads import sign_head

    other = KeyPair.generate()
    folder = tmp_path / "pub"
    folder.mkdir()
    with clean.store.write() as conn:
        head = sign_head(other, conn, 1, "manual")
        conn.execute(audit_heads.delete().where(audit_heads.c.reason == "manual"))
    (folder / PUBLISHED_NAME).write_text(json.dumps(head))
    code = prep(
        [
            "audit",
            "verify",
            "--db",
            clean.store.url,
            "--published",
            str(folder),
            "--key",
            str(clean.ctx.settings.key_path),
        ]
    )
    out = capsys.readouterr()
    assert code == 1 and "invalid signature, or another key's" in out.err


def test_unknown_paths_are_clear_errors(clean, tmp_path) -> None:
    from prep_core.errors import PrepError

    with pytest.raises(PrepError):
        prep(["audit", "verify", "--db", clean.store.url, "--published", str(tmp_path / "x")])
    with pytest.raises(PrepError):
        prep(["audit", "verify", "--db", clean.store.url, "--key", str(tmp_path / "k.json")])
