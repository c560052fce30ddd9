"""The rows kept from one cut to the next (prep_core/rowcache.py): a cut built with
the previous cut's rows is byte for byte the cut built from nothing, and an acta
whose state changed never keeps its old row."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from prep_core.catalog import Catalog
from prep_core.counting import SinActaCause
from prep_core.derive import ActaState, Image, Status
from prep_core.publication import Cut, build_cut
from prep_core.rowcache import RowCache
from prep_core.values import Mark
from prep_io.layouts import find_layout

from . import published_fixture as fixture

DATA = Path(__file__).parent / "data"
GOLDEN_INE = DATA / "golden-DIP_LOC.csv"
GOLDEN_IEEM = DATA / "golden-DIP_LOC-ieem-2024.csv"
LATER = fixture.CUT_TIME + timedelta(minutes=5)


def _cut(cat: Catalog, states: list[ActaState], cache: RowCache | None = None) -> Cut:
    return build_cut(cat, "DIP_LOC", states, LATER, cache=cache)


def _same(a: Cut, b: Cut) -> None:
    assert a.csv_bytes == b.csv_bytes
    assert a.figures == b.figures
    assert dict(a.votes) == dict(b.votes)
    assert a.rows == b.rows


def test_a_cut_from_kept_rows_is_the_golden_file():
    cat, states = fixture.catalog_and_states()
    cache = RowCache()
    first = build_cut(cat, "DIP_LOC", states, fixture.CUT_TIME, cache=cache)
    assert cache.built == len(first.rows) and cache.reused == 0
    again = build_cut(cat, "DIP_LOC", fixture.catalog_and_states()[1], fixture.CUT_TIME,
                      cache=cache)
    assert cache.reused == len(first.rows) and cache.built == 0
    assert first.csv_bytes == again.csv_bytes == GOLDEN_INE.read_bytes()


def test_another_catalog_does_not_reuse_the_rows_of_the_first():
    cat, states = fixture.catalog_and_states()
    cache = RowCache()
    _cut(cat, states, cache)
    _cut(fixture.catalog(), states, cache)  # equal, but another object: a new scope
    assert cache.reused == 0


def test_another_layout_does_not_reuse_the_rows_of_the_first():
    cat, states = fixture.catalog_and_states()
    cache = RowCache()
    build_cut(cat, "DIP_LOC", states, fixture.CUT_TIME, cache=cache)
    ieem = build_cut(cat, "DIP_LOC", states, fixture.CUT_TIME, cache=cache,
                     layout=find_layout("ieem-2024"))
    assert cache.reused == 0
    assert ieem.csv_bytes == GOLDEN_IEEM.read_bytes()


def _reading(st: ActaState, **changes: object) -> ActaState:
    return dataclasses.replace(st, reading={**(st.reading or {}), **changes})


OTHER_IMAGE = Image("cd" * 32, "CASILLA", "MOVIL", "Acta PREP", fixture.T0, None)
VOTE = "PAN"


def _changes() -> dict[str, Callable[[ActaState], ActaState]]:
    return {
        "a vote": lambda st: _reading(st, **{VOTE: 77}),
        "a vote becomes Ilegible": lambda st: _reading(st, **{VOTE: Mark.ILEGIBLE}),
        "a figure": lambda st: _reading(st, TOTAL_PERSONAS_VOTARON=199),
        "the total asentado": lambda st: _reading(st, TOTAL_VOTOS_ASENTADO=204),
        "a field disappears": lambda st: dataclasses.replace(
            st, reading={k: v for k, v in (st.reading or {}).items() if k != VOTE}),
        "the image": lambda st: dataclasses.replace(st, reading_image=OTHER_IMAGE),
        "the acopio time": lambda st: dataclasses.replace(
            st, fecha_acopio=(st.fecha_acopio or 0) + 1_000),
        "the capture time": lambda st: dataclasses.replace(
            st, fecha_captura=(st.fecha_captura or 0) + 1_000),
        "the verification time": lambda st: dataclasses.replace(
            st, fecha_verificacion=(st.fecha_verificacion or 0) + 1_000),
        "the cotejo": lambda st: dataclasses.replace(st, cotejada=3),
        "Sin acta": lambda st: dataclasses.replace(
            st, status=Status.SIN_ACTA, sin_acta=SinActaCause.SIN_SOBRE),
        "no longer published": lambda st: dataclasses.replace(st, status=Status.DISCREPANCIA),
    }


@pytest.mark.parametrize("what", list(_changes()))
def test_a_changed_acta_never_keeps_its_old_row(what):
    cat, states = fixture.catalog_and_states()
    cache = RowCache()
    before = build_cut(cat, "DIP_LOC", states, fixture.CUT_TIME, cache=cache)
    changed = list(states)
    changed[0] = _changes()[what](states[0])
    kept = _cut(cat, changed, cache)
    fresh = _cut(cat, changed)
    _same(kept, fresh)
    assert cache.built <= 1 and cache.reused == len(before.rows) - 1
    old = [r for r in before.rows if r.key and r.key.clave_acta(r.tipo_acta) == states[0].clave_acta]
    assert old and old[0] not in kept.rows


def test_a_sin_acta_cause_change_is_published():
    cat, states = fixture.catalog_and_states()
    i = next(i for i, s in enumerate(states) if s.status is Status.SIN_ACTA)
    cache = RowCache()
    build_cut(cat, "DIP_LOC", states, fixture.CUT_TIME, cache=cache)
    changed = list(states)
    changed[i] = dataclasses.replace(states[i], sin_acta=SinActaCause.PAQUETE_NO_ENTREGADO)
    kept = _cut(cat, changed, cache)
    _same(kept, _cut(cat, changed))
    assert b"Sin acta(1)" in kept.csv_bytes and b"Sin acta(2)" not in kept.csv_bytes


def test_an_acta_that_arrives_or_leaves_between_cuts():
    cat, states = fixture.catalog_and_states()
    cache = RowCache()
    _cut(cat, states[:3], cache)
    grown = _cut(cat, states, cache)  # the rest arrive
    _same(grown, _cut(cat, states))
    shrunk = _cut(cat, states[2:], cache)  # the first two leave (a new event undid them)
    _same(shrunk, _cut(cat, states[2:]))


def test_an_images_code_that_arrives_later_reaches_the_next_cut():
    """Under a SHA-512 layout the code comes from the image's bytes, which can reach the
    server after the event that names them: the row kept without it is built again."""
    cat, states = fixture.catalog_and_states()
    ieem = find_layout("ieem-2024")
    cache = RowCache()
    before = build_cut(cat, "DIP_LOC", states, LATER, layout=ieem, integrity={}, cache=cache)
    codes = {st.reading_image.sha256: "ab" * 64 for st in states if st.reading_image}
    assert codes
    after = build_cut(cat, "DIP_LOC", states, LATER, layout=ieem, integrity=codes, cache=cache)
    fresh = build_cut(cat, "DIP_LOC", states, LATER, layout=ieem, integrity=codes)
    _same(after, fresh)
    assert b"ab" * 64 in after.csv_bytes and b"ab" * 64 not in before.csv_bytes
