"""``prep-station --self-test ACTA``: the installed station checked end to end (the
bundles' test runs the same command from a bundle, tests/installer)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def self_test(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-m", "capture_station.app", "--self-test", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_self_test_reads_an_acta_and_opens_the_window(deck, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rec = deck.records[0]
    r = self_test(str(deck.path(rec)), "--data", str(tmp_path / "d"), cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout.splitlines()[0])
    assert report["ok"] and report["window"] and report["status"] == "guardada"
    assert report["clave_acta"] == rec["clave_acta"] and report["digit_model"]
    right = sum(report["fields"].get(k) == v for k, v in rec["fields"].items())
    assert right >= 0.8 * len(rec["fields"]), report["fields"]
    assert (tmp_path / "d" / "estacion" / "station.db").exists()


def test_self_test_without_an_acta_reads_the_shipped_sample_as_its_file_says(
    tmp_path: Path,
) -> None:
    r = self_test(cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout.splitlines()[0])
    assert report["clave_acta"] == report["expected_clave"]
    assert report["fields_right"] >= 0.9 * report["fields_total"] > 0


def test_self_test_fails_plainly_on_a_page_that_is_not_an_acta(tmp_path: Path) -> None:
    blank = tmp_path / "blanca.png"
    blank.write_bytes(b"not an image")
    r = self_test(str(blank), cwd=tmp_path)
    assert r.returncode == 1 and "AUTOPRUEBA FALLIDA / SELF-TEST FAILED" in r.stdout
    assert json.loads(r.stdout.splitlines()[0])["status"] == "rechazada"
    r = self_test(str(tmp_path / "no-existe.jpg"), cwd=tmp_path)
    assert r.returncode == 2 and "no se puede leer el acta de prueba" in r.stdout
