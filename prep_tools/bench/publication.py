"""Publication at INE size: one cut of 170,648 actas (DIP_LOC), its zips, CSV,
signed manifest and site, written the way the server writes them (images not
copied), then the next cut with 2 % of the actas corrected, built from the rows
the first one kept (prep_core/rowcache.py). Wall and CPU time and the share of
each phase. ``python -m prep_tools.bench.publication [CASILLAS]``."""

from __future__ import annotations

import gc
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from prep_core.derive import ActaState, derive_actas
from prep_core.publication import build_cut
from prep_core.rowcache import RowCache
from prep_core.signing import KeyPair
from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings
from sync_server.publication.writer import FolderWriter


def disk_bytes(root: Path) -> int:
    """Bytes on disk under ``root``, each file once however many links it has."""
    seen: set[int] = set()
    total = 0
    for p in root.rglob("*"):
        st = p.lstat()
        if st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_blocks * 512
    return total


class Phases:
    """Wall seconds per phase of a publication: the server's own functions, timed
    (until :meth:`restore`, or the end of a ``with`` block)."""

    def __init__(self, pub: Any) -> None:
        self.t: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self._saved: list[tuple[Any, str, Any]] = []
        for mod, name, label in (
            (pub, "package_zip", "zip"),
            (pub, "signed_manifest_bytes", "manifest"),
            (pub, "_publish_images", "images"),
            (pub, "generate_site", "site"),
            (pub, "_switch", "switch"),
            (FolderWriter, "sync", "sync"),
        ):
            self._saved.append((mod, name, getattr(mod, name)))
            setattr(mod, name, self.timed(getattr(mod, name), label))

    def __enter__(self) -> Phases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        for mod, name, fn in reversed(self._saved):
            setattr(mod, name, fn)
        self._saved.clear()

    def timed(self, fn: Any, label: str) -> Any:
        def run(*a: Any, **kw: Any) -> Any:
            t, c = time.perf_counter(), time.process_time()
            try:
                return fn(*a, **kw)
            finally:
                self.t[label] = self.t.get(label, 0.0) + time.perf_counter() - t
                self.cpu[label] = self.cpu.get(label, 0.0) + time.process_time() - c

        return run

    def reset(self) -> None:
        self.t.clear()
        self.cpu.clear()


def changed(states: list[ActaState], every: int = 50) -> list[ActaState]:
    """One acta in ``every`` corrected (its first vote one more): 2 % by default."""
    out = []
    for i, st in enumerate(states):
        if i % every == 0 and st.reading:
            first = next(k for k, v in st.reading.items() if isinstance(v, int))
            st = replace(st, reading={**st.reading, first: int(st.reading[first]) + 1})
        out.append(st)
    return out


def one_cut(ctx: Any, root: Path, catalog: Any, states: list[ActaState], when: datetime,
            cache: RowCache, phases: Phases) -> dict[str, Any]:
    """Build and publish one cut the way the server does; wall and CPU per phase."""
    from sync_server.services import publish as pub

    phases.reset()
    load = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    cut = build_cut(catalog, "DIP_LOC", states, when, cache=cache)
    _ = cut.csv_bytes, cut.csv_sha256
    t_cut, c_cut = time.perf_counter() - t0, time.process_time() - c0
    t1, c1 = time.perf_counter(), time.process_time()
    latest = pub.publish(ctx, [cut], root, None)
    t_pub, c_pub = time.perf_counter() - t1, time.process_time() - c1
    site, site_cpu = phases.t["site"], phases.cpu["site"]
    files = t_pub - site
    return {
        "cut": cut, "latest": latest, "load": load, "built": cache.built,
        "reused": cache.reused, "t_cut": t_cut, "c_cut": c_cut, "t_files": files,
        "c_files": c_pub - site_cpu, "t_site": site, "c_site": site_cpu,
        "total": t_cut + files, "cpu": c_cut + c_pub - site_cpu,
        "phases": {k: v for k, v in phases.t.items() if k != "site"},
        "load_after": os.getloadavg()[0],
    }


def report(label: str, r: dict[str, Any], workers: int) -> None:
    total = r["total"]
    shares = {"filas y CSV": r["t_cut"], **r["phases"]}
    shares["resto (CSV, zip y páginas al disco, SHA256SUMS, hashes)"] = total - sum(shares.values())
    print(f"{label}: {total:.1f} s (CPU {r['cpu']:.1f} s; objetivo ≤ 10 s), carga {r['load']:.1f}"
          f" → {r['load_after']:.1f}; filas construidas {r['built']:,}, reutilizadas "
          f"{r['reused']:,}")
    print("  " + "; ".join(f"{k} {v:.2f} s ({v / total:.0%})" for k, v in shares.items()))
    print(f"  el sitio: {r['t_site']:.1f} s ({workers} procesos de páginas; CPU del proceso "
          f"del servidor {r['c_site']:.1f} s)", flush=True)


def main(casillas: int = 170_648) -> None:
    from sync_server.services import publish as pub

    catalog = demo_catalog(casillas)
    readings = simulate_readings(catalog, "DIP_LOC", progress=0.97)
    night = simulate_events(catalog, readings, catd=19, ccv=2, sign=False)
    states = list(derive_actas(night.all_events()).values())
    later_states = changed(states)
    del readings, night
    gc.collect()
    gc.freeze()
    rss0 = rss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workers = int(os.environ.get("PREP_SITE_WORKERS") or os.cpu_count() or 1)
        ctx = SimpleNamespace(key=KeyPair.generate(), catalog=catalog,
                              settings=SimpleNamespace(site_workers=workers))
        pub._publish_images = lambda ctx, shas, root: ({}, 0)  # images not copied
        phases = Phases(pub)
        cache = RowCache()
        first = one_cut(ctx, root, catalog, states, datetime(2024, 6, 3, 8, tzinfo=UTC),
                        cache, phases)
        files = sum(1 for _ in (root / "cortes" / first["latest"]["corte"]).rglob("*"))
        disk1 = disk_bytes(root)
        rss1 = rss_mib()
        # the next cut, five minutes later: 2 % of the actas corrected
        nxt = one_cut(ctx, root, catalog, later_states, datetime(2024, 6, 3, 8, 5, tzinfo=UTC),
                      cache, phases)
        disk2 = disk_bytes(root)
        print(f"actas esperadas {len(catalog.expected_actas('DIP_LOC')):,}, filas "
              f"{len(first['cut'].rows):,}, CSV {len(first['cut'].csv_bytes) / 2**20:.0f} MiB, "
              f"archivos del corte {files:,}")
        report("el primer corte tras arrancar el servidor (ninguna fila guardada)", first, workers)
        report("el corte siguiente (2 % de las actas corregidas; las demás filas guardadas)",
               nxt, workers)
        print(f"disco: el primer corte {disk1 / 2**20:,.0f} MiB; el siguiente añade "
              f"{(disk2 - disk1) / 2**20:,.0f} MiB (páginas iguales enlazadas, no copiadas)")
        print(f"memoria del proceso (RSS): {rss0:,.0f} MiB con los estados de la noche; "
              f"{rss1:,.0f} MiB tras el primer corte; pico {_peak_mib():,.0f} MiB")
        print(f"memoria de las filas guardadas entre dos cortes: {kept_mib(catalog, states):,.0f} "
              "MiB (tracemalloc, sin los estados)", flush=True)


def kept_mib(catalog: Any, states: list[ActaState]) -> float:
    """What the rows kept between two cuts hold: traced memory after a cut whose
    own objects are gone (its CSV and rows but the cache's)."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    cache = RowCache()
    build_cut(catalog, "DIP_LOC", states, datetime(2024, 6, 3, 8, 10, tzinfo=UTC), cache=cache)
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    return held / 2**20


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 170_648)
