"""Red team: a hostile approved station or a wrong clock, against a live server
(SQLite and PostgreSQL). Each attack gets its 4xx and changes nothing, or is held
for a coordinator; no stored time breaks a cut, a page or a chart."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func, select

from prep_core.authority import ROLE_KINDS
from prep_core.events import EventLog, Kind, SignedEvent, digitalizacion
from prep_core.signing import KeyPair
from sync_server.db.tables import actas, conflicts, events
from sync_server.services import resolutions, stations
from tests.server.helpers import acta_png, batch, enroll_all, readings_for

T0 = 1_717_399_000_000  # inside the live server's clock window (its clock starts 1_717_400_000_000)
YEAR_10000 = 253_402_300_800_000


class Station:
    """An approved station of the live server, signing its own chain."""

    def __init__(self, live: Any, name: str) -> None:
        self.live, self.name, self.key = live, name, KeyPair.generate()
        enroll_all(live.ctx, {name: self.key})
        self.log = EventLog(name, self.key, live.ctx.fingerprint)

    def event(self, kind: Kind, acta: str, payload: dict[str, Any], *, at: int = T0,
              op: str = "op") -> SignedEvent:
        return self.log.append(kind, acta, at, op, payload)

    def send(self, evs: list[SignedEvent], images: dict[str, bytes] | None = None) -> Any:
        with self.live.client() as c:
            return c.post("/api/v1/batches", json=batch(self.name, evs, images))

    def rewind(self, n: int) -> None:
        """Forget the last ``n`` events (refused ones), so the chain goes on from the head."""
        st = stations.get_station(self.live.ctx, self.name)
        self.log.seq, self.log.last_hash = st["head"]["seq"], st["head"]["hash"]


def snapshot(live: Any) -> dict[str, Any]:
    with live.store.read() as conn:
        return {
            "events": conn.scalar(select(func.count()).select_from(events)),
            "actas": [tuple(r) for r in conn.execute(
                select(actas.c.clave_acta, actas.c.status, actas.c.state).order_by(
                    actas.c.clave_acta))],
            "queue": conn.scalar(select(func.count()).select_from(conflicts)),
        }


def scan(st: Station, acta: str, origen: str = "CATD") -> tuple[SignedEvent, dict[str, bytes]]:
    data = acta_png(acta) + st.name.encode()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    ev = st.event(Kind.DIGITALIZACION, acta, digitalizacion(sha, origen))
    return ev, {sha: data}


def capture(st: Station, acta: str, values: dict[str, Any], op: str, at: int = T0) -> SignedEvent:
    return st.event(Kind.CAPTURA, acta, {"source": f"operator:{op}", "values": values},
                    op=op, at=at)


@pytest.fixture
def verified(live, catalog):  # type: ignore[no-untyped-def]
    """An acta scanned and read at a CATD (OCR) and captured alike at a CCV: verified."""
    catd, ccv = Station(live, "CATD01"), Station(live, "CCV01")
    acta = catalog.expected_actas("DIP_LOC")[0].clave_acta
    values = readings_for(catalog, acta, 10)
    dig, imgs = scan(catd, acta)
    ocr = catd.event(Kind.CAPTURA, acta, {"source": "ocr:m", "values": values})
    assert catd.send([catd.event(Kind.ACOPIO, acta, {}), dig, ocr], imgs).status_code == 200
    assert ccv.send([capture(ccv, acta, values, "ana")]).status_code == 200
    row = _acta(live, acta)
    assert row.status == "verificada" and row.contabilizada == 1
    return catd, ccv, acta, values


def _acta(live: Any, clave: str) -> Any:
    with live.store.read() as conn:
        return conn.execute(select(actas).where(actas.c.clave_acta == clave)).one()


def test_a_phone_cannot_correct_or_send_back(live, verified) -> None:  # type: ignore[no-untyped-def]
    _, _, acta, values = verified
    phone = Station(live, "CASILLA01")
    before = snapshot(live)
    changed = {**values, next(iter(values)): 999}
    for ev in (
        phone.event(Kind.CORRECCION, acta, {"values": changed, "reason": "x"}, at=T0 + 10**9),
        phone.event(Kind.COTEJO, acta, {"result": "rescan", "reason": "x"}),
        phone.event(Kind.CAPTURA, acta, {"source": "operator:a", "values": changed}),
        phone.event(Kind.ACOPIO, acta, {}),
    ):
        r = phone.send([ev])
        assert r.status_code in (403, 422), r.text
        assert r.json()["error"] in ("kind_not_allowed", "clock_out_of_window")
        phone.rewind(1)
    assert snapshot(live) == before


@pytest.mark.parametrize("role", sorted(ROLE_KINDS))
def test_every_refusal_of_the_role_table(live, catalog, role) -> None:  # type: ignore[no-untyped-def]
    st = Station(live, f"{role}07")
    acta = catalog.expected_actas("DIP_LOC")[1].clave_acta
    payloads: dict[Kind, dict[str, Any]] = {
        Kind.ACOPIO: {},
        Kind.SIN_ACTA: {"cause": 1},
        Kind.CAPTURA: {"source": "operator:a", "values": {"PAN": 1}},
        Kind.VERIFICACION: {"source": "operator:a", "values": {"PAN": 1}},
        Kind.COTEJO: {"result": "accept"},
        Kind.CORRECCION: {"values": {"PAN": 1}, "reason": "r"},
        Kind.IDENTIDAD: {"decision": "typed", "image": "ab" * 32, "label": acta,
                         "typed_by": "ana", "confirmed_by": "beto"},
    }
    before = snapshot(live)
    for kind, payload in payloads.items():
        r = st.send([st.event(kind, acta, payload)])
        if kind in ROLE_KINDS[role]:
            assert r.status_code == 200, (role, kind, r.text)
            continue
        assert r.status_code == 403 and r.json()["error"] == "kind_not_allowed", (role, kind)
        assert r.json()["index"] == 0
        st.rewind(1)
    if not ROLE_KINDS[role] & set(payloads):
        assert snapshot(live) == before
    # a digitalización must declare its role's own origin
    wrong = {"CATD": "CASILLA", "CASILLA": "CATD", "CCV": "CATD"}[role]
    ev, imgs = scan(st, acta, wrong)
    r = st.send([ev], imgs)
    assert r.status_code == 403 and r.json()["error"] == "kind_not_allowed"


def test_a_correction_of_a_counted_acta_waits_for_a_coordinator(live, verified) -> None:  # type: ignore[no-untyped-def]
    _, ccv, acta, values = verified
    field = next(iter(values))
    changed = {field: values[field] + 500}
    # far ahead of every clock: refused, nothing stored
    before = snapshot(live)
    r = ccv.send([ccv.event(Kind.CORRECCION, acta, {"values": changed, "reason": "x"},
                            at=T0 + 10**10)])
    assert r.status_code == 422 and r.json()["error"] == "clock_out_of_window"
    assert snapshot(live) == before
    ccv.rewind(1)
    # inside the window: stored, but the counted figures stay and a coordinator decides
    r = ccv.send([ccv.event(Kind.CORRECCION, acta, {"values": changed, "reason": "suma mal"},
                            at=T0 + 500)])
    assert r.status_code == 200, r.text
    row = _acta(live, acta)
    state = json.loads(row.state)
    assert row.status == "verificada" and row.contabilizada == 1
    assert state["reading"][field] == values[field]
    assert state["proposed"][field] == values[field] + 500
    with live.store.read() as conn:
        queue = resolutions.list_queue(conn)
    entry = next(q for q in queue if q["clave_acta"] == acta)
    assert entry["kind"] == "correccion" and entry["disputed"] == [field]
    assert entry["readings"][0][field] == values[field]
    assert entry["readings"][1][field] == values[field] + 500
    assert entry["reason"] == "suma mal"
    # the coordinator applies it: now (and only now) the figures change
    resolutions.resolve(live.ctx, entry["id"], "choose", 1, "revisada contra la imagen", "coord")
    state = json.loads(_acta(live, acta).state)
    assert state["reading"][field] == values[field] + 500 and state["rule"] == "resolucion"
    with live.store.read() as conn:
        assert not [q for q in resolutions.list_queue(conn) if q["clave_acta"] == acta]


def test_a_send_back_with_a_clock_ahead_does_not_outlive_a_later_resolution(  # type: ignore[no-untyped-def]
    live, verified
) -> None:
    catd, _, acta, values = verified
    # the CATD's clock runs 9 minutes ahead (inside the window): its send-back claims a
    # time later than the coordinator's decision that follows it
    r = catd.send([catd.event(Kind.COTEJO, acta, {"result": "recapture", "reason": "dudosa"},
                              at=live.ctx.now() + 9 * 60_000)])
    assert r.status_code == 200, r.text
    assert _acta(live, acta).status == "digitalizada"
    from sync_server.services.resolutions import _server_event
    from sync_server.services.tally import rederive

    with live.ctx.store.write() as conn:  # a coordinator's decision, after it in the server's order
        _server_event(live.ctx, conn, acta, "coord",
                      {"action": "choose", "values": values, "reason": "imagen clara"},
                      live.ctx.now())
        rederive(live.ctx, conn, {acta})
    row = _acta(live, acta)
    assert row.status == "verificada" and json.loads(row.state)["rule"] == "resolucion"


def test_one_station_never_verifies_alone(live, catalog) -> None:  # type: ignore[no-untyped-def]
    catd = Station(live, "CATD02")
    acta = catalog.expected_actas("DIP_LOC")[2].clave_acta
    values = readings_for(catalog, acta, 7)
    dig, imgs = scan(catd, acta)
    evs = [catd.event(Kind.ACOPIO, acta, {}), dig,
           catd.event(Kind.CAPTURA, acta, {"source": "ocr:m", "values": values}),
           # two "sources" named by one operator of one station
           catd.event(Kind.CAPTURA, acta, {"source": "operator:ana", "values": values}, op="ana"),
           catd.event(Kind.CAPTURA, acta, {"source": "operator:beto", "values": values},
                      op="ana")]
    assert catd.send(evs, imgs).status_code == 200
    row = _acta(live, acta)
    assert row.status == "capturada" and row.contabilizada is None
    # a second operator of the same station: still one station
    assert catd.send([capture(catd, acta, values, "beto")]).status_code == 200
    assert _acta(live, acta).status == "capturada"
    # a coordinator allows this station to verify alone: its two operators now suffice,
    # and the acta is derived again at once
    stations.set_permissions(live.ctx, "CATD02", None, True, "coord")
    state = json.loads(_acta(live, acta).state)
    assert state["status"] == "verificada" and state["rule"] == "dos_operadores"
    # taken back: one station again, no longer verified nor counted
    stations.set_permissions(live.ctx, "CATD02", None, False, "coord")
    row = _acta(live, acta)
    assert row.status == "capturada" and row.contabilizada is None


def test_an_acta_outside_the_station_s_scope_is_refused(live, catalog) -> None:  # type: ignore[no-untyped-def]
    catd = Station(live, "CATD03")
    mine = catalog.expected_actas("DIP_LOC")[0]
    other = next(a for a in catalog.expected_actas("DIP_LOC")
                 if a.casilla.id_distrito != mine.casilla.id_distrito)
    stations.set_permissions(
        live.ctx, "CATD03", {"distritos": [mine.casilla.id_distrito]}, False, "coord")
    assert catd.send([catd.event(Kind.ACOPIO, mine.clave_acta, {})]).status_code == 200
    before = snapshot(live)
    r = catd.send([catd.event(Kind.ACOPIO, mine.clave_acta, {}),
                   catd.event(Kind.ACOPIO, other.clave_acta, {})])
    assert r.status_code == 403 and r.json()["error"] == "out_of_scope" and r.json()["index"] == 1
    assert snapshot(live) == before  # nothing of the batch, not even its first event


def test_no_stored_time_breaks_a_cut_a_page_or_a_chart(live, verified) -> None:  # type: ignore[no-untyped-def]
    catd, _, acta, _ = verified
    r = catd.send([catd.event(Kind.ACOPIO, acta, {}, at=YEAR_10000)])
    assert r.status_code == 422 and r.json()["error"] == "clock_out_of_window"
    catd.rewind(1)
    # an older server stored one such time: every view still answers
    with live.ctx.store.write() as conn:
        conn.execute(actas.update().where(actas.c.clave_acta == acta).values(
            fecha_acopio=YEAR_10000, fecha_captura=-5))
        conn.execute(events.update().where(events.c.clave_acta == acta).values(at=YEAR_10000))
    from sync_server.services import cuts, dashboard

    made = cuts.make_cut(live.ctx, "coord")
    assert made and all(c["sha256"] for c in made)
    progress = dashboard.progress(live.ctx)
    assert progress["end"] <= live.ctx.now() + live.ctx.settings.clock_ahead_ms
    history = resolutions.acta_history(live.ctx, acta)
    assert history["clave_acta"] == acta
