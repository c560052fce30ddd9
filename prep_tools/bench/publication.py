"""Publication at INE size: one cut of 170,648 actas (DIP_LOC), its zips, CSV,
signed manifest and site, written the way the server writes them (images not
copied). ``python -m prep_tools.bench.publication [CASILLAS]``."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from prep_core.derive import derive_actas
from prep_core.publication import build_cut
from prep_core.signing import KeyPair
from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings


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


def main(casillas: int = 170_648) -> None:
    from sync_server.services import publish as pub

    catalog = demo_catalog(casillas)
    readings = simulate_readings(catalog, "DIP_LOC", progress=0.97)
    night = simulate_events(catalog, readings, catd=19, ccv=2, sign=False)
    states = list(derive_actas(night.all_events()).values())
    gc.collect()
    gc.freeze()
    t0 = time.perf_counter()
    cut = build_cut(catalog, "DIP_LOC", states, datetime(2024, 6, 3, 8, tzinfo=UTC))
    _ = cut.csv_bytes
    t_cut = time.perf_counter() - t0
    loads = [os.getloadavg()[0]]  # the 1-minute load average beside each figure
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        workers = int(os.environ.get("PREP_SITE_WORKERS") or os.cpu_count() or 1)
        ctx = SimpleNamespace(key=KeyPair.generate(), catalog=catalog,
                              settings=SimpleNamespace(site_workers=workers))
        pub._publish_images = lambda ctx, shas, root: ({}, 0)  # images not copied
        times = {}
        real_site = pub.generate_site

        def timed_site(inp, out):  # type: ignore[no-untyped-def]
            t, c = time.perf_counter(), time.process_time()
            keys = real_site(inp, out)
            times["site"] = time.perf_counter() - t
            times["site_cpu"] = time.process_time() - c  # this process's, workers aside
            times["workers"] = inp.workers
            return keys

        pub.generate_site = timed_site
        t1 = time.perf_counter()
        latest = pub.publish(ctx, [cut], root, None)  # type: ignore[arg-type]
        total = time.perf_counter() - t1
        loads.append(os.getloadavg()[0])
        files = sum(1 for _ in (root / "cortes" / latest["corte"]).rglob("*"))
        disk1 = disk_bytes(root)
        # the next cut, five minutes later, 2 % of the actas changed (not yet published)
        later = build_cut(catalog, "DIP_LOC", states[: len(states) * 98 // 100],
                          datetime(2024, 6, 3, 8, 5, tzinfo=UTC))
        first_site, first_cpu = times["site"], times["site_cpu"]
        t2 = time.perf_counter()
        pub.publish(ctx, [later], root, None)  # type: ignore[arg-type]
        total2 = time.perf_counter() - t2
        disk2 = disk_bytes(root)
        loads.append(os.getloadavg()[0])
        print(f"actas esperadas {len(catalog.expected_actas('DIP_LOC')):,}, filas {len(cut.rows):,}")
        print(f"corte (cifras + CSV): {t_cut:.1f} s; con la publicación sin el sitio: "
              f"{t_cut + total - first_site:.1f} s (objetivo ≤ 10 s)")
        print(f"publicación (zips, CSV, sitio, manifiesto firmado, sync, cambio): {total:.1f} s")
        print(f"  de ella, el sitio: {first_site:.1f} s ({times['workers']} procesos de páginas; "
              f"CPU del proceso del servidor en el sitio {first_cpu:.1f} s); sin el sitio: "
              f"{total - first_site:.1f} s; archivos del corte: {files:,}")
        print(f"el corte siguiente (2 % de las actas cambia; las páginas iguales se enlazan): "
              f"{total2:.1f} s, el sitio {times['site']:.1f} s")
        print(f"disco: el primer corte {disk1 / 2**20:,.0f} MiB; el siguiente añade "
              f"{(disk2 - disk1) / 2**20:,.0f} MiB (páginas iguales enlazadas, no copiadas)")
        print("carga (promedio de 1 min) / load average: tras el corte {:.2f}, tras su "
              "publicación {:.2f}, tras la siguiente {:.2f}".format(*loads), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 170_648)
