"""The self-contained bundles (docs/INSTALL.md), built from the committed HEAD and run
as on a clean workstation: copied outside the source tree, a bare environment
(``env -i`` with PATH, HOME, LANG), no network (a network namespace of their own).

Opt-in, as it builds both bundles (about 3 minutes of two cores each):
    PREP_BUNDLE_TEST=1 python -m pytest tests/installer
or, with bundles already built by ``installer/build-bundle.sh PROGRAM OUT``:
    PREP_BUNDLES=OUT python -m pytest tests/installer
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from prep_core.codehash import code_hash, comments, parse_list
from prep_io.codehash import installed_list

ROOT = Path(__file__).resolve().parents[2]
PREBUILT = os.environ.get("PREP_BUNDLES", "")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (PREBUILT or os.environ.get("PREP_BUNDLE_TEST")),
        reason="builds the bundles: PREP_BUNDLE_TEST=1 or PREP_BUNDLES=DIR",
    ),
]


def offline(cmd: list[str]) -> list[str]:
    """``cmd`` in a network namespace of its own, loopback up (no other network)."""
    return ["unshare", "-n", "--", "sh", "-c", 'ip link set lo up && exec "$0" "$@"', *cmd]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:  # type: ignore[no-untyped-def]
    if subprocess.run(offline(["true"]), capture_output=True).returncode != 0:
        pytest.skip("no network namespaces here (unshare -n needs root or user namespaces)")
    if PREBUILT:
        return Path(PREBUILT)
    out = tmp_path_factory.mktemp("bundles")
    for program in ("station", "server"):
        subprocess.run(
            ["bash", str(ROOT / "installer" / "build-bundle.sh"), program, str(out)],
            env=dict(os.environ, PREP_PYTHON=sys.executable),
            check=True,
            timeout=1800,
        )
    return out


def installed(built: Path, program: str, where: Path) -> tuple[Path, Path]:
    """The bundle as its Debian package installs it (unpacked under ``where``, outside
    the source tree), and the release manifest the package puts beside it."""
    deb = next(built.glob(f"prep-abierto-{program}_*_amd64.deb"))
    subprocess.run(["dpkg-deb", "-x", str(deb), str(where / "root")], check=True)
    opt = where / "root" / "opt" / "prep-abierto"
    return opt / f"prep-{program}", next(opt.glob(f"prep-{program}-*.sha256"))


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    home.mkdir(parents=True, exist_ok=True)
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def test_station_bundle_opens_and_reads_an_acta_offline(built: Path, tmp_path: Path) -> None:
    bundle, _ = installed(built, "station", tmp_path)
    run_dir = tmp_path / "elsewhere"
    r = subprocess.run(
        offline([str(bundle / "prep-station"), "--self-test", "--data", str(run_dir / "data")]),
        cwd=tmp_path,
        env=clean_env(run_dir, QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout.splitlines()[0])
    assert report["ok"] and report["window"] and report["status"] == "guardada"
    assert report["actas_in_catalog"] > 2000 and report["digit_model"] and report["words_model"]
    assert report["qr_reader"] == "zbar"  # the bundled libzbar, not the fallback
    if Path("/usr/lib/x86_64-linux-gnu/libsane.so.1").exists():  # the system's SANE
        assert report["sane"] == "SANE disponible", report["sane"]
    # the shipped sample acta, read as its .json says
    assert report["clave_acta"] == report["expected_clave"]
    assert report["fields_right"] >= 0.9 * report["fields_total"] > 0
    # nothing written into the bundle (sources are never compiled beside themselves)
    assert not list(bundle.rglob("__pycache__"))


def test_server_bundle_answers_health_and_takes_a_cut_offline(built: Path, tmp_path: Path) -> None:
    bundle, _ = installed(built, "server", tmp_path)
    work = tmp_path / "srv"
    work.mkdir()
    catalog = bundle / "_internal" / "resources" / "catalogs" / "bcs-2024"
    r = subprocess.run(
        offline(
            [
                sys.executable,
                str(Path(__file__).parent / "server_probe.py"),
                str(bundle),
                str(catalog),
                str(work),
            ]
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout.splitlines()[-1])
    assert out.get("health") == 200, out
    assert out["login"] and out["cut_status"] == 200, out
    assert {c["election_id"] for c in out["cuts"]} >= {"DIP_LOC", "AYUN"}, out


@pytest.mark.parametrize("program", ["station", "server"])
def test_manifest_matches_and_names_a_changed_file(
    built: Path, tmp_path: Path, program: str
) -> None:
    bundle, manifest = installed(built, program, tmp_path)
    text = manifest.read_text()
    assert text == next(built.glob(f"prep-{program}-*.sha256")).read_text()
    listed = parse_list(text)
    assert len(listed) == sum(1 for p in bundle.rglob("*") if p.is_file())
    # the bundle carries the code the auditors hash: the same code hash as the source
    source = built / f"work-{program}" / "src"
    assert comments(text)["prep-abierto code hash"] == code_hash(installed_list(source))

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            offline([str(bundle / "prep"), "integrity", "--check", str(manifest)]),
            cwd=tmp_path,
            env=clean_env(tmp_path / "home"),
            capture_output=True,
            text=True,
            timeout=300,
        )

    r = check()
    assert r.returncode == 0 and "paquete íntegro / bundle intact" in r.stdout, r.stdout + r.stderr
    counting = bundle / "_internal" / "prep_core" / "counting.py"
    counting.write_text(counting.read_text() + "\n# changed\n")
    (bundle / "_internal" / "prep_core" / "__pycache__").mkdir()
    (bundle / "_internal" / "prep_core" / "__pycache__" / "counting.cpython-311.pyc").write_bytes(
        b"x"
    )
    r = check()
    assert r.returncode == 1
    assert "_internal/prep_core/counting.py: difiere / differs" in r.stdout
    assert (
        "_internal/prep_core/__pycache__/counting.cpython-311.pyc: no está en la lista" in r.stdout
    )
