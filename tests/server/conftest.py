"""Fixtures: a small catalog, a simulated election night, and a live server on
SQLite and on a throwaway PostgreSQL started by the tests themselves."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings
from prep_tools.bench.pg import Cluster, running_cluster
from tests.server.helpers import Live, live_server

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def catalog():  # type: ignore[no-untyped-def]
    return demo_catalog(24)


@pytest.fixture(scope="session")
def night(catalog):  # type: ignore[no-untyped-def]
    readings = simulate_readings(catalog, "DIP_LOC", seed=3, rates={"disagree": 0.2})
    return simulate_events(catalog, readings, catd=2, ccv=2, seed=3, with_images=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster | None]:
    with running_cluster() as cluster:
        yield cluster


def database_url(backend: str, tmp: Path, cluster: Cluster | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'server.db'}"
    if cluster is None:
        pytest.skip(
            "PostgreSQL binaries absent (/usr/lib/postgresql/*/bin/initdb): "
            "install the postgresql package to run the PostgreSQL half"
        )
    return cluster.new_database()


@pytest.fixture(params=BACKENDS)
def backend(request) -> str:  # type: ignore[no-untyped-def]
    return str(request.param)


@pytest.fixture
def db_url(backend, tmp_path, request) -> str:  # type: ignore[no-untyped-def]
    cluster = request.getfixturevalue("pg_cluster") if backend == "postgresql" else None
    return database_url(backend, tmp_path, cluster)


@pytest.fixture
def live(db_url, catalog, tmp_path) -> Iterator[Live]:  # type: ignore[no-untyped-def]
    with live_server(db_url, catalog, tmp_path) as srv:
        yield srv
