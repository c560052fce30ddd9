"""The site rendered by worker processes is the site rendered inline, byte for byte
(sync_server/publication/pages.py); a worker that dies costs time, never a page."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from prep_core.derive import derive_actas
from prep_core.publication import Cut, build_cut
from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings
from sync_server.publication import pages
from sync_server.publication.site import SiteInput, generate_site
from sync_server.publication.writer import FolderWriter


@pytest.fixture(scope="module")
def small_cut() -> Cut:
    catalog = demo_catalog(300)
    readings = simulate_readings(catalog, "DIP_LOC", progress=0.9)
    night = simulate_events(catalog, readings, catd=2, ccv=1, sign=False)
    states = list(derive_actas(night.all_events()).values())
    return build_cut(catalog, "DIP_LOC", states, datetime(2024, 6, 3, 8, tzinfo=UTC))


def _site(cut: Cut, folder: Path, workers: int) -> tuple[dict[str, str], dict[str, tuple]]:
    out = FolderWriter(folder)
    keys = generate_site(
        SiteInput(cuts=[cut], corte="20240603_0200", final=False,
                  downloads={"DIP_LOC": {"zip": "x.zip", "csv": "DIP_LOC.csv"}}, images={},
                  server_fingerprint="f" * 64, code_hash="c" * 64, workers=workers),
        out,
    )
    return out.hashes, keys


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_workers_write_the_same_site(small_cut, tmp_path) -> None:
    inline, inline_keys = _site(small_cut, tmp_path / "inline", 0)
    pooled, pooled_keys = _site(small_cut, tmp_path / "pooled", 2)
    assert len(inline) > 600  # acta, casilla and sección pages
    assert pooled == inline and pooled_keys == inline_keys
    files = _files(tmp_path / "pooled")
    assert files == _files(tmp_path / "inline")
    assert set(files) == set(pooled)
    for rel in ("index.html", next(k for k in pooled if k.startswith("actas/"))):
        assert os.stat(tmp_path / "pooled" / rel).st_mode & 0o777 == 0o644  # nginx reads it


def _dies(base: str, batch: list) -> list:  # type: ignore[type-arg]
    os._exit(3)  # a worker killed in the middle of a batch


def test_a_dead_worker_costs_no_page(small_cut, tmp_path, monkeypatch) -> None:
    inline, _ = _site(small_cut, tmp_path / "inline", 0)
    monkeypatch.setattr(pages, "_render_batch", _dies)
    monkeypatch.setattr(pages, "_POOLS", {})
    pooled, _ = _site(small_cut, tmp_path / "pooled", 2)
    assert pooled == inline
    assert _files(tmp_path / "pooled") == _files(tmp_path / "inline")
