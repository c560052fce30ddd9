"""Bad input through the real ``prep`` command: a clear message naming the
place, exit status 2, no traceback, nothing changed."""

from __future__ import annotations

import base64
import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from prep_core.events import EventLog, Kind
from prep_core.signing import KeyPair
from prep_demo.demo import demo_catalog
from prep_io.files import save_catalog


def prep(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "prep_cli.main", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()


def assert_clean_error(r: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    for n in needles:
        assert n in r.stderr


def test_bad_catalog_rows(tmp_path):
    save_catalog(demo_catalog(30, seed=1), tmp_path)
    csv_path = tmp_path / "casillas.csv"
    lines = csv_path.read_text().splitlines()
    lines[4] = lines[4].replace(",1,", ",-1,", 1)
    csv_path.write_text("\n".join(lines) + "\n")
    before = digest(tmp_path)
    r = prep("catalog", "validate", str(tmp_path))
    assert_clean_error(r, "casillas.csv", "fila 5")
    assert digest(tmp_path) == before


def test_good_catalog_prints_its_fingerprint(tmp_path):
    cat = demo_catalog(30, seed=1)
    save_catalog(cat, tmp_path)
    r = prep("catalog", "validate", str(tmp_path))
    assert r.returncode == 0 and json.loads(r.stdout)["fingerprint"] == cat.fingerprint


def test_unreadable_csv(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"\x00\x01\x02" * 100)
    assert_clean_error(prep("figures", str(f), "--json"), "x.csv", "binario")


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["1|1|2|338|1|B|0|1", "--layout", "ID_ESTADO|COLOR|SECCION"], "formato de QR desconocido"),
        (["1|1|2|338"], "el QR tiene 4 campos"),
    ],
)
def test_unknown_qr_layout_and_bad_payload(args, needle):
    assert_clean_error(prep("qr", *args), needle)


def test_bad_signature_in_a_batch(tmp_path):
    kp = KeyPair.generate()
    log = EventLog("CATD01", kp, "c" * 64)
    events = [log.append(Kind.ACOPIO, "030001B01006", 1000 + i, "op").to_wire() for i in range(3)]
    pub = base64.b64encode(kp.public_bytes).decode()
    batch = tmp_path / "lote.json"
    batch.write_text(json.dumps({"station": "CATD01", "events": events}))
    ok = prep("events", "verify", str(batch), "--public-key", pub)
    assert ok.returncode == 0 and "3 eventos verificados" in ok.stdout
    sig = bytearray(base64.b64decode(events[1]["sig"]))
    sig[0] ^= 1
    events[1]["sig"] = base64.b64encode(bytes(sig)).decode()
    batch.write_text(json.dumps({"station": "CATD01", "events": events}))
    before = batch.read_bytes()
    assert_clean_error(
        prep("events", "verify", str(batch), "--public-key", pub),
        "lote.json",
        "seq 2: firma inválida",
    )
    assert batch.read_bytes() == before
    other = base64.b64encode(KeyPair.generate().public_bytes).decode()
    assert_clean_error(prep("events", "verify", str(batch), "--public-key", other), "firma")
    batch.write_text("{no es json")
    assert_clean_error(prep("events", "verify", str(batch), "--public-key", pub), "no es un lote")
