"""Measure digitalización throughput: pages/min through the whole pipeline
(read, quality gate, QR, duplicates, atomic image write, signed events, fsync).

    python -m prep_tools.bench.pipeline FOLDER_OF_IMAGES [--work DIR]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from capture_station.operators import add_operator
from capture_station.pipeline import Pipeline
from capture_station.sources import FileImport
from capture_station.sources.folder import IMAGE_EXT
from capture_station.station import Station, create_station
from prep_demo.demo import demo_catalog


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", type=Path)
    ap.add_argument("--work", type=Path, default=None)
    a = ap.parse_args(argv)
    work = a.work or Path(tempfile.mkdtemp(prefix="prep-measure-"))
    shutil.rmtree(work / "st", ignore_errors=True)
    create_station(work / "st", "MEDIDA", "medición", "CATD", demo_catalog(), "frase de medición")
    st = Station(work / "st", "frase de medición")
    add_operator(st.store, "medida", "Medición", "supervisor", "medicion-123")
    files = sorted(p for p in a.folder.iterdir() if p.suffix.lower() in IMAGE_EXT)
    pipe = Pipeline(st)
    pipe.process(next(FileImport(files[:1]).pages()), "medida")  # warm up (model, templates)
    t0 = time.perf_counter()
    results = [pipe.process(p, "medida") for p in FileImport(files[1:]).pages()]
    dt = time.perf_counter() - t0
    st.close()
    n = len(results)
    by: dict[str, int] = {}
    for r in results:
        by[r.status] = by.get(r.status, 0) + 1
    print(f"{n} páginas en {dt:.2f} s: {n / dt * 60:.0f} páginas/min "
          f"({dt / max(n, 1) * 1000:.0f} ms/página) {by}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
