"""``prep bench ingest``: verified events per second into SQLite and PostgreSQL,
beside the raw Ed25519 verification rate measured in the same run.

The events come from :mod:`prep_demo.sim` (CATD and CCV stations, ~5 signed
events per acta). Ingest goes through the real service (parse, verify, chain,
store, re-derive, receipt) in batches, as the API does, without HTTP.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prep_core.signing import verify
from prep_demo.demo import demo_catalog
from prep_demo.sim import Night, simulate_events, simulate_readings


@dataclass
class Result:
    backend: str
    events: int
    actas: int
    seconds: float
    cpu: float = 0.0  # CPU seconds of the ingesting process (verification workers apart)
    gc_seconds: float = 0.0  # of which in the garbage collector
    gc_longest: float = 0.0  # the longest single collection
    durability: str = ""  # the commit setting in force (Store.durability)

    @property
    def events_per_s(self) -> float:
        return self.events / self.seconds

    @property
    def actas_per_s(self) -> float:
        return self.actas / self.seconds


def make_night(
    casillas: int, elections: tuple[str, ...], seed: int = 7, *, with_readings: bool = False,
    rates: Mapping[str, float] | None = None,
) -> Any:
    """(catalog, night, actas), and the simulated papers with ``with_readings``
    (``rates``: the papers' faults, see :func:`prep_demo.sim.simulate_readings`)."""
    catalog = demo_catalog(casillas)
    readings = []
    for e in elections:
        readings += simulate_readings(catalog, e, seed=seed, rates=rates)
    night = simulate_events(catalog, readings, catd=8, ccv=4, seed=seed, with_images=True)
    if with_readings:
        return catalog, night, len(readings), readings
    return catalog, night, len(readings)


def raw_verify_rate(night: Night, limit: int = 20_000) -> float:
    """Signatures per second with ``prep_core.signing.verify`` (OpenSSL), one core."""
    items = _signed(night, limit)
    t = time.perf_counter()
    for pk, sig, msg in items:
        verify(pk, sig, msg)
    return len(items) / (time.perf_counter() - t)


def server_verify_rate(night: Night, limit: int = 20_000) -> float:
    """The same with the server's verifier (one key parsed per batch), one core."""
    from sync_server.services.ed25519 import verifier

    items = _signed(night, limit)
    checks = {pk: verifier(pk) for pk, _, _ in items}
    t = time.perf_counter()
    for pk, sig, msg in items:
        checks[pk](sig, msg)
    return len(items) / (time.perf_counter() - t)


def _signed(night: Night, limit: int) -> list[tuple[bytes, bytes, bytes]]:
    return [
        (night.keys[se.event.station].public_bytes, se.signature, se.event.encode())
        for evs in night.events.values()
        for se in evs
    ][:limit]


def ingest_into(
    url: str,
    catalog: Any,
    night: Night,
    actas: int,
    batch_size: int,
    backend: str,
    threads: int = 2,
    after: Any = None,
    hold: float = 0.0,
) -> Result:
    """Ingest the night into a fresh database at ``url``; ``after(ctx, rest)``, when
    given, runs on the loaded server context before it is closed. ``hold``: the
    share of the batches (the last ones) kept out of the timed ingest; ``rest()``
    delivers them (and returns its seconds), for what happens between two cuts."""
    from prep_core.signing import b64
    from sync_server.config import Settings
    from sync_server.db.store import Store
    from sync_server.heap import settle
    from sync_server.services import ingest, stations
    from sync_server.services.context import Context, load_or_create_key
    from sync_server.services.resolutions import ensure_server_station
    from sync_server.services.stations import enrollment_message

    tmp = Path(tempfile.mkdtemp(prefix="prep-bench-"))
    store = Store(url)
    store.migrate()
    durability = store.durability()
    ctx = Context(
        Settings(database_url=url, data_dir=tmp),
        store,
        night_clock(night),
        catalog,
        load_or_create_key(tmp / "key.json"),
    )
    ensure_server_station(ctx)
    for name, key in night.keys.items():
        doc = {
            "station": name,
            "public_key": b64(key.public_bytes),
            "role": next((r for r in ("CCV", "CASILLA") if name.startswith(r)), "CATD"),
            "name": name,
            "at": 0,
        }
        doc["sig"] = b64(key.sign(enrollment_message(doc)))
        stations.request_enrollment(ctx, doc)
        stations.decide(ctx, name, True, "bench")
    plan: list[dict[str, Any]] = []  # batches interleaved across stations, as they would arrive
    cursors = {n: 0 for n in night.events}
    while any(cursors[n] < len(evs) for n, evs in night.events.items()):
        for n, evs in night.events.items():
            i = cursors[n]
            if i < len(evs):
                part = evs[i : i + batch_size]
                imgs = {
                    se.event.payload["image"]: b64(night.images[se.event.payload["image"]])
                    for se in part
                    if se.event.kind.value == "digitalizacion"
                }
                plan.append({"station": n, "events": [se.to_wire() for se in part], "images": imgs})
                cursors[n] = i + batch_size
    kept = plan[len(plan) - int(len(plan) * hold) :] if hold else []
    plan = plan[: len(plan) - len(kept)]
    n_events = sum(len(b["events"]) for b in plan)
    settle()  # as prep-server does once it is set up
    meter = GcMeter()
    gc.callbacks.append(meter)
    t, cpu = time.perf_counter(), time.process_time()
    if threads <= 1:
        for doc in plan:
            ingest.ingest(ctx, doc)
    else:  # as concurrent requests: one batch is verified while another merges
        deliver(plan, lambda d: ingest.ingest(ctx, d), threads)
    seconds = time.perf_counter() - t
    cpu = time.process_time() - cpu
    gc.callbacks.remove(meter)
    if after is not None:

        def rest() -> float:
            t = time.perf_counter()
            deliver(kept, lambda d: ingest.ingest(ctx, d), threads)
            return time.perf_counter() - t

        after(ctx, rest)
    store.dispose()
    return Result(backend, n_events, actas, seconds, cpu, meter.total, meter.longest, durability)


def night_clock(night: Night) -> Any:
    """The server's clock on the simulated night: a minute after its last event,
    so every event falls inside the window the server accepts (the clock rules
    are the same as on election night; only the date is the night's)."""
    last = max(se.event.at for evs in night.events.values() for se in evs)
    return lambda: last + 60_000


class GcMeter:
    """A ``gc.callbacks`` entry adding up the time spent in collections."""

    def __init__(self) -> None:
        self.total = self.longest = self._start = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._start = time.perf_counter()
            return
        took = time.perf_counter() - self._start
        self.total += took
        self.longest = max(self.longest, took)


def deliver(plan: list[dict[str, Any]], send: Any, threads: int) -> None:
    """Send the batches as stations do: each station one batch at a time, in its
    order (a batch sent before the previous one is in would be a chain gap);
    different stations at the same time."""
    last: dict[str, Future[Any]] = {}
    with ThreadPoolExecutor(threads) as pool:
        sent = []
        for doc in plan:
            prev = last.get(doc["station"])
            if prev is not None:
                prev.result()
            last[doc["station"]] = pool.submit(send, doc)
            sent.append(last[doc["station"]])
        for f in sent:
            f.result()


@contextmanager
def postgres() -> Iterator[str | None]:
    try:
        from prep_tools.bench.pg import running_cluster
    except ImportError:
        yield None
        return
    with running_cluster() as cluster:
        yield None if cluster is None else cluster.new_database()


def run(
    casillas: int,
    elections: tuple[str, ...],
    batch_size: int,
    backends: list[str],
    out: Any = sys.stdout,
    threads: int = 2,
) -> list[Result]:
    t0 = time.perf_counter()
    catalog, night, actas = make_night(casillas, elections)
    n = sum(len(v) for v in night.events.values())
    print(
        f"catálogo / catalog: {casillas} casillas, {actas} actas, {n} signed events "
        f"(generated in {time.perf_counter() - t0:.1f} s)",
        file=out,
    )
    rate = raw_verify_rate(night)
    with suppress(OSError):
        load = Path("/proc/loadavg").read_text().split()[0]
        print(f"load average: {load} (other work on the machine slows every figure)", file=out)
    from sync_server.services.ed25519 import BACKEND

    print(f"Ed25519 verify (raw, 1 core):      {rate:10,.0f} /s  (OpenSSL)", file=out)
    srate = server_verify_rate(night)
    print(f"Ed25519 verify (server, 1 core):   {srate:10,.0f} /s  ({BACKEND})", file=out)
    results = []
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as d:
                r = ingest_into(
                    f"sqlite:///{d}/bench.db", catalog, night, actas, batch_size, backend, threads
                )
        else:
            with postgres() as url:
                if url is None:
                    print("postgresql: skipped (binaries absent)", file=out)
                    continue
                r = ingest_into(url, catalog, night, actas, batch_size, backend, threads)
        results.append(r)
        print(
            f"{backend:<10} ingest+derive:         {r.events_per_s:10,.0f} verified events/s  "
            f"{r.actas_per_s:8,.0f} actas/s  ({r.events:,} events, {r.actas:,} actas "
            f"in {r.seconds:.1f} s, {r.cpu:.1f} s CPU in the main process, "
            f"{r.gc_seconds:.1f} s of it collecting garbage, longest pause "
            f"{r.gc_longest * 1000:.0f} ms; "
            f"{r.events_per_s / srate:.0%} of the server's 1-core verify rate)",
            file=out,
        )
        print(
            f"{backend:<10} durable ingest:        {r.events_per_s:10,.0f} events/s with "
            f"{r.durability}, beside {rate:,.0f}/s raw verify (same run)",
            file=out,
        )
    return results


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--casillas",
        type=int,
        default=20_000,
        help="catalog size (170648 for a whole federal election)",
    )
    p.add_argument("--elections", default="DIP_LOC", help="comma-separated election ids")
    p.add_argument("--batch", type=int, default=500, help="events per batch")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--threads", type=int, default=2, help="concurrent batches (as requests)")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench_ingest", description=__doc__)
    add_arguments(p)
    a = p.parse_args(argv)
    run(
        a.casillas, tuple(a.elections.split(",")), a.batch, a.backends.split(","), threads=a.threads
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
