"""Any interleaving, duplication and split of the same events across batches from
several stations yields the same central state."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from sync_server.config import Settings
from sync_server.db.store import Store
from sync_server.db.tables import actas, conflicts, events, stations
from sync_server.services import ingest
from sync_server.services.context import Context, load_or_create_key
from sync_server.services.errors import ServiceError
from sync_server.services.resolutions import ensure_server_station
from tests.server.helpers import Clock, batch, enroll_all, images_for

KEY_DIR = Path("/tmp/prep-hypothesis-key")


def fresh_ctx(url: str, catalog) -> Context:  # type: ignore[no-untyped-def]
    store = Store(url)
    store.migrate()
    ctx = Context(
        Settings(database_url=url),
        store,
        Clock(),
        catalog,
        load_or_create_key(KEY_DIR / "server-key.json"),
    )
    ensure_server_station(ctx)
    return ctx


def central_state(ctx: Context) -> dict[str, object]:
    with ctx.store.read() as conn:
        rows = {
            r.clave_acta: (
                r.status,
                r.contabilizada,
                r.state,
                r.fecha_acopio,
                r.fecha_captura,
                r.fecha_verificacion,
                r.events,
            )
            for r in conn.execute(select(actas))
        }
        evs = set(conn.scalars(select(events.c.hash)))
        gaps = set(conn.scalars(select(stations.c.id).where(stations.c.gap_last.is_not(None))))
        queue = {
            (r.clave_acta, r.kind, r.readings)
            for r in conn.execute(select(conflicts).where(conflicts.c.closed_at.is_(None)))
        }
    return {"actas": rows, "events": evs, "gaps": gaps, "queue": queue}


@st.composite
def deliveries(draw, night):  # type: ignore[no-untyped-def]
    """Batches per station (split anywhere, shuffled inside, some sent twice),
    interleaved across stations in any order."""
    out = []
    for name, evs in night.events.items():
        n = len(evs)
        cuts = sorted(draw(st.sets(st.integers(1, n - 1), max_size=6)))
        bounds = [0, *cuts, n]
        parts = [list(evs[a:b]) for a, b in itertools.pairwise(bounds)]
        for p in parts:
            p[:] = draw(st.permutations(p))
            out.append((name, p))
            if draw(st.booleans()) and draw(st.booleans()):
                out.append((name, p))  # the same batch again
        if draw(st.booleans()):  # a re-split overlapping batch
            a = draw(st.integers(0, n - 1))
            out.append((name, list(evs[a : a + draw(st.integers(1, 10))])))
    return draw(st.permutations(out))


def run(ctx: Context, night, plan) -> None:  # type: ignore[no-untyped-def]
    """Deliver the plan as stations do: a batch refused for a chain gap (409
    chain_gap, nothing stored) is kept by its station and sent again after each
    accepted batch, until every one has gone through."""
    enroll_all(ctx, night.keys)
    refused: list[dict[str, object]] = []

    def send(doc: dict[str, object]) -> bool:
        try:
            ingest.ingest(ctx, doc)
        except ServiceError as err:
            assert err.code == "chain_gap", err
            return False
        return True

    for name, evs in plan:
        doc = batch(name, evs, images_for(evs, night.images))
        if not send(doc):
            refused.append(doc)
            continue
        progress = True
        while progress and refused:
            still = [d for d in refused if not send(d)]
            progress = len(still) < len(refused)
            refused = still
    assert refused == []


@pytest.fixture(scope="module")
def small_night(catalog):  # type: ignore[no-untyped-def]
    from prep_demo.sim import simulate_events, simulate_readings

    readings = simulate_readings(
        catalog, "AYUN", seed=5, progress=0.6, rates={"disagree": 0.3, "sin_acta": 0.05}
    )
    return simulate_events(catalog, readings, catd=2, ccv=2, seed=5, with_images=True)


@pytest.fixture(scope="module")
def reference(small_night, catalog, tmp_path_factory):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}"
    ctx = fresh_ctx(url, catalog)
    run(ctx, small_night, [(n, evs) for n, evs in small_night.events.items()])
    state = central_state(ctx)
    assert not state["gaps"] and len(state["events"]) == len(small_night.all_events())
    ctx.store.dispose()
    return state


def test_any_delivery_gives_same_state_sqlite(small_night, catalog, reference) -> None:
    counter = iter(range(10**6))

    @settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=deliveries(small_night))
    def check(plan) -> None:  # type: ignore[no-untyped-def]
        ctx = fresh_ctx(
            f"sqlite:///file:h{next(counter)}?mode=memory&cache=shared&uri=true", catalog
        )
        try:
            run(ctx, small_night, plan)
            assert central_state(ctx) == reference
        finally:
            ctx.store.dispose()

    check()


@pytest.mark.slow
def test_any_delivery_gives_same_state_postgresql(
    small_night, catalog, reference, pg_cluster
) -> None:
    if pg_cluster is None:
        pytest.skip("PostgreSQL binaries absent")

    @settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
    @given(plan=deliveries(small_night))
    def check(plan) -> None:  # type: ignore[no-untyped-def]
        ctx = fresh_ctx(pg_cluster.new_database(), catalog)
        try:
            run(ctx, small_night, plan)
            assert central_state(ctx) == reference
        finally:
            ctx.store.dispose()

    check()


def test_state_json_is_canonical(reference) -> None:
    for row in reference["actas"].values():
        assert json.loads(row[2])["status"] == row[0]
