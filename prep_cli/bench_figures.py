"""``prep bench figures``: time ``prep figures`` on a whole INE-size election."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from prep_cli.core_commands import gc_paused


def build_database(casillas: int, out: Path) -> Path:
    from prep_core.derive import derive_actas
    from prep_core.publication import build_cut
    from prep_demo.demo import demo_catalog
    from prep_demo.sim import simulate_events, simulate_readings

    catalog = demo_catalog(casillas)
    readings = simulate_readings(catalog, "DIP_LOC", progress=0.97)
    night = simulate_events(catalog, readings, catd=19, ccv=2, sign=False)
    states = derive_actas(night.all_events())
    cut = build_cut(catalog, "DIP_LOC", states.values(), datetime(2024, 6, 3, 8, tzinfo=UTC))
    path = out / "DIP_LOC.csv"
    path.write_bytes(cut.csv_bytes)
    return path


def run(casillas: int, repeat: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        with gc_paused():
            path = build_database(casillas, Path(tmp))
        print(
            f"base generada / database built: {casillas:,} actas esperadas, "
            f"{path.stat().st_size / 1e6:.1f} MB in {time.perf_counter() - t0:.1f} s"
        )
        times: list[float] = []
        for _ in range(repeat):
            t = time.perf_counter()
            rc = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "prep_cli.main",
                    "figures",
                    str(path),
                    "--especial-ballots",
                    "1000",
                    "--json",
                ],
                stdout=subprocess.DEVNULL,
                check=False,
            ).returncode
            times.append(time.perf_counter() - t)
            assert rc == 0
        print(
            f"prep figures: median {statistics.median(times):.3f} s, "
            f"min {min(times):.3f} s over {repeat} runs ({casillas:,} actas)"
        )
    return 0
