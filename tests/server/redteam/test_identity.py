"""Red team: a hostile station sends one acta's figures under two keys, against a live
server (SQLite and PostgreSQL). Nothing is refused (two casillas may vote alike), but
the coordinators' queue gets an alarm with both actas' images; figures a casilla's lista
nominal cannot hold raise one too; a coordinator dismisses an alarm with a reason or
sends the acta back, and the same alarm is not raised again on the same figures."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from prep_core.events import Kind
from sync_server.db.tables import actas, conflicts
from sync_server.services import resolutions
from sync_server.services.errors import ServiceError
from tests.server.redteam.test_authority import Station, capture, scan
from tests.server.test_console_http import login

DUP, RANGE = "cifras_repetidas", "fuera_de_rango"


def _queue(live: Any) -> list[dict[str, Any]]:
    with live.store.read() as conn:
        return resolutions.list_queue(conn)


def _send_acta(st: Station, acta: str, values: dict[str, Any]) -> None:
    dig, imgs = scan(st, acta)
    evs = [st.event(Kind.ACOPIO, acta, {}), dig,
           st.event(Kind.CAPTURA, acta, {"source": "ocr:m", "values": values}),
           capture(st, acta, values, "op1")]
    r = st.send(evs, imgs)
    assert r.status_code == 200, r.text  # an alarm, never a refusal


def _figures(catalog, acta: str, total: int) -> dict[str, Any]:
    """Plausible figures for ``acta``: ``total`` votes over its parties, ballots left
    over so that votes + left = the ballots it received."""
    exp = catalog.acta(acta)
    votes = exp.election.vote_fields
    vals = dict.fromkeys(votes, 0)
    for i, f in enumerate(votes[:5]):
        vals[f] = total // 5 + (total % 5 if i == 0 else 0)
    limit = exp.casilla.limit()
    return {**vals, "TOTAL_VOTOS_ASENTADO": total, "TOTAL_BOLETAS_SOBRANTES": limit - total}


def _two_like(catalog) -> tuple[str, str]:
    """Two actas of DIP_LOC whose casillas received the same number of ballots (±5)."""
    ex = catalog.expected_actas("DIP_LOC")
    for a in ex:
        for b in ex:
            if a is not b and abs(a.casilla.limit() - b.casilla.limit()) <= 5 \
                    and a.casilla.limit() > 200:
                return a.clave_acta, b.clave_acta
    raise AssertionError("no two like casillas")


def test_one_actas_figures_under_two_keys_raise_an_alarm_with_both_images(live, catalog) -> None:  # type: ignore[no-untyped-def]
    hostile = Station(live, "CATD66")
    a, b = _two_like(catalog)
    figs = _figures(catalog, a, 150)
    _send_acta(hostile, a, figs)
    assert [c for c in _queue(live) if c["kind"] in (DUP, RANGE)] == []  # one acta: no alarm
    _send_acta(hostile, b, figs)
    alarms = [c for c in _queue(live) if c["kind"] == DUP]
    assert len(alarms) == 1, alarms
    al = alarms[0]
    assert {al["clave_acta"], al["other"]["clave_acta"]} == {a, b}
    assert len(al["images"]) == 1 and len(al["other"]["images"]) == 1
    assert al["images"][0]["sha256"] != al["other"]["images"][0]["sha256"]
    with live.store.read() as conn:  # not a block: both actas go their way
        rows = {r.clave_acta: r for r in conn.execute(select(actas).where(
            actas.c.clave_acta.in_([a, b])))}
    assert all(r.status == "capturada" and r.events == 4 for r in rows.values())
    # the console lists it, with the images of both actas
    with live.client() as c:
        login(c)
        doc = c.get("/console/api/conflicts").json()
        summary = c.get("/console/api/summary").json()
    assert any(x["kind"] == DUP and x.get("other") for x in doc)
    assert summary["queue"][DUP] == 1
    # a coordinator dismisses it with a reason; the same figures raise it no more
    with pytest.raises(ServiceError):
        resolutions.resolve(live.ctx, al["id"], "choose", 0, "x", "coordinadora")
    resolutions.resolve(live.ctx, al["id"], "dismiss", None, "casillas vecinas, revisado",
                        "coordinadora")
    hostile.send([capture(hostile, b, figs, "op2")])
    assert [c for c in _queue(live) if c["kind"] == DUP] == []
    # a third key with the same figures: a new pair, a new alarm
    third = next(x.clave_acta for x in catalog.expected_actas("DIP_LOC")
                 if x.clave_acta not in (a, b) and x.casilla.limit() > 200)
    _send_acta(hostile, third, {**figs, "TOTAL_BOLETAS_SOBRANTES": catalog.acta(third).casilla.limit() - 150})
    assert len([c for c in _queue(live) if c["kind"] == DUP]) == 2


def test_different_or_trivial_figures_raise_nothing(live, catalog) -> None:  # type: ignore[no-untyped-def]
    st = Station(live, "CATD67")
    a, b = _two_like(catalog)
    _send_acta(st, a, _figures(catalog, a, 150))
    _send_acta(st, b, _figures(catalog, b, 151))
    zeros = {f: 0 for f in catalog.acta(a).election.vote_fields}
    c1, c2 = (x.clave_acta for x in catalog.expected_actas("DIP_LOC")[20:22])
    _send_acta(st, c1, zeros)
    _send_acta(st, c2, zeros)
    assert [c for c in _queue(live) if c["kind"] == DUP] == []


def test_figures_beyond_the_lista_nominal_raise_an_alarm_that_closes_when_fixed(live, catalog) -> None:  # type: ignore[no-untyped-def]
    st = Station(live, "CATD68")
    small = min(catalog.expected_actas("DIP_LOC"), key=lambda x: x.casilla.limit())
    acta, limit = small.clave_acta, small.casilla.limit()
    big = _figures(catalog, acta, 0)
    big.update({f: 100 for f in small.election.vote_fields[:5]})
    big["TOTAL_VOTOS_ASENTADO"] = 500
    big["TOTAL_BOLETAS_SOBRANTES"] = 300
    assert limit < 500
    _send_acta(st, acta, big)
    al = [c for c in _queue(live) if c["kind"] == RANGE and c["clave_acta"] == acta]
    assert len(al) == 1 and str(limit) in al[0]["reason"] and al[0]["images"]
    # the acta recaptured with its own figures: the alarm closes by itself
    own = _figures(catalog, acta, min(100, limit // 2))
    st.send([capture(st, acta, own, "op1"), capture(st, acta, own, "op2")])
    with live.store.read() as conn:
        still = conn.execute(select(conflicts).where(
            conflicts.c.kind == RANGE, conflicts.c.clave_acta == acta,
            conflicts.c.closed_at.is_(None))).all()
    assert still == []
