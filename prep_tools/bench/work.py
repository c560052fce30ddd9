"""How long the server takes to build a CCV's work list (``GET /api/v1/work``),
without HTTP, on a night where the CATDs have scanned and read (OCR) every acta
and no CCV has captured yet: every acta is a candidate.

    python -m prep_tools.bench.work [--casillas 20000] [--limit 50] [--repeat 20]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from prep_tools.bench.ingest import ingest_into, make_night


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--casillas", type=int, default=20_000)
    ap.add_argument("--limit", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=20)
    a = ap.parse_args(argv)
    from sync_server.config import Settings
    from sync_server.db.store import Store
    from sync_server.services import work
    from sync_server.services.context import Context, load_or_create_key

    catalog, night, actas = make_night(a.casillas, ("DIP_LOC",))
    catd = replace(night, events={n: e for n, e in night.events.items() if n.startswith("CATD")})
    with tempfile.TemporaryDirectory() as d:
        url = f"sqlite:///{d}/bench.db"
        r = ingest_into(url, catalog, catd, actas, 500, "sqlite")
        print(f"{actas} actas, {r.events} CATD events ingested in {r.seconds:.1f} s")
        store = Store(url)
        ctx = Context(Settings(database_url=url), store, lambda: time.time_ns() // 1_000_000,
                      catalog, load_or_create_key(Path(d) / "key.json"))
        times = []
        for _ in range(a.repeat):
            t = time.perf_counter()
            items = work.work_items(ctx, "CCV01", a.limit)["items"]
            times.append(time.perf_counter() - t)
        store.dispose()
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"work list of {len(items)} items: median {statistics.median(times) * 1000:.1f} ms, "
          f"max {max(times) * 1000:.1f} ms over {a.repeat} requests (load average {load})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
