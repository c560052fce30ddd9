"""``prep bench ingest`` on a small night: every simulated event goes through the
real ingest service (the server's clock and window rules included)."""

import io

from prep_tools.bench.ingest import run


def test_small_night_is_ingested_whole() -> None:
    out = io.StringIO()
    [r] = run(40, ("DIP_LOC",), 50, ["sqlite"], out=out, threads=2)
    assert r.backend == "sqlite"
    assert r.events > 4 * r.actas > 0
    assert "synchronous=FULL" in r.durability
    assert "sqlite     durable ingest" in out.getvalue()
