"""Scans as real scanners make them: the sheet on a black backing, a quarter or half turn
round, skewed; and the truly bad ones still refused, each with its reason."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import cv2
import numpy as np
import pytest

from capture_station.recognition import words
from capture_station.recognition.reader import read_acta
from capture_station.recognition.sheet import find_sheet
from prep_tools.decks.deck import DeckOptions, make_acta

LOCAL = ("bcs2024-diploc", "bcs2024-ayun")
GOOD = DeckOptions(split="eval", dpis=(150,), templates=LOCAL, p_upside_down=0.0, p_grey=0.0,
                   p_qr_damage=0.0, max_rotation=1.0)


def _jpeg(img: np.ndarray, q: int = 90) -> bytes:
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, q])
    assert ok
    return buf.tobytes()


def _on_backing(img: np.ndarray, level: int, angle: float = 0.0, pad: float = 0.06) -> np.ndarray:
    """The scan laid on a backing of grey ``level``, turned ``angle`` degrees."""
    h, w = img.shape[:2]
    p = int(pad * max(h, w))
    M = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    M[0, 2] += p
    M[1, 2] += p
    return cv2.warpAffine(img, M, (w + 2 * p, h + 2 * p), borderValue=(level,) * 3)


@pytest.fixture(scope="module")
def acta():
    return make_acta(3, 11, GOOD)


TURNS = {0: None, 90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180,
         270: cv2.ROTATE_90_COUNTERCLOCKWISE}


@contextmanager
def _registrations() -> Iterator[list]:  # type: ignore[type-arg]
    """The registrations the reader makes while the block runs, in order."""
    from capture_station.recognition import reader

    regs = []
    real = reader.register

    def spy(*a, **kw):  # type: ignore[no-untyped-def]
        out = real(*a, **kw)
        regs.append(out[0])
        return out

    reader.register = spy
    try:
        yield regs
    finally:
        reader.register = real


@pytest.mark.parametrize("turn", sorted(TURNS))
@pytest.mark.parametrize("backing,angle", [(None, 0.0), (12, 4.0), (40, -3.0)])
def test_good_scan_is_read_at_any_turn_and_backing(acta, turn, backing, angle):
    img, rec = acta
    if backing is not None:
        img = _on_backing(img, backing, angle)
    if TURNS[turn] is not None:
        img = cv2.rotate(img, TURNS[turn])
    r = read_acta(_jpeg(img))
    assert r.ok, (turn, backing, angle, r.reason, r.quality and r.quality.metrics)
    assert r.qr == rec["qr"] and r.template == rec["template"]
    assert r.rotated == (90 if turn in (90, 270) else 0)
    assert r.upside_down == (turn in (90, 180))  # the reader turns a portrait scan clockwise
    right = sum(r.fields[n]["value"] == v for n, v in rec["fields"].items())
    assert right >= len(rec["fields"]) - 1


def test_sheet_is_found_against_a_dark_backing(acta):
    img, _ = acta
    grey = cv2.cvtColor(_on_backing(img, 10, 5.0, pad=0.1), cv2.COLOR_RGB2GRAY)
    small = cv2.resize(grey, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    sh = find_sheet(small)
    assert sh.backing == "dark" and not sh.touches_edge and not sh.portrait
    assert abs(sh.aspect - img.shape[1] / img.shape[0]) < 0.03
    tl, tr = sh.corners[0], sh.corners[1]
    assert abs(np.degrees(np.arctan2(tr[1] - tl[1], tr[0] - tl[0])) + 5.0) < 0.5
    assert find_sheet(cv2.resize(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY), None, fx=0.4, fy=0.4)).backing \
        == "none"


def test_generated_dark_backing_and_portrait_scans_are_read():
    opts = replace(GOOD, backings=("dark",), p_quarter_turn=1.0, max_rotation=3.0)
    for i in range(2):
        img, rec = make_acta(i, 21, opts)
        assert rec["backing"] == "dark" and rec["quarter_turn"] in (90, 270)
        assert img.shape[0] > img.shape[1]
        r = read_acta(_jpeg(img))
        assert r.ok and r.qr == rec["qr"], r.reason


@pytest.mark.parametrize("kind,codes", [
    ("blank", {"blank"}),
    ("black", {"too_dark"}),
    ("streaks", {"streaks"}),
    ("half", {"partial", "no_fiducials"}),
])
@pytest.mark.parametrize("backing", ["light", "dark"])
def test_truly_bad_scans_are_still_refused(kind, codes, backing):
    opts = replace(GOOD, bad=kind, backings=(backing,))
    for i in range(2):
        img, rec = make_acta(i, 31, opts)
        assert rec["bad"] == kind
        r = read_acta(_jpeg(img))
        assert not r.ok and r.reason is not None and r.reason.code in codes, (kind, backing, r.reason)
        assert r.reason.es and r.reason.en


def test_half_page_on_a_dark_backing_says_part_is_missing(acta):
    img, _ = acta
    half = img[: img.shape[0] // 2]
    r = read_acta(_jpeg(_on_backing(half, 15, 2.0, pad=0.2)))
    assert not r.ok and r.reason.code == "partial"
    assert "falta parte" in r.reason.es


def test_streak_on_a_skewed_sheet_over_a_dark_backing(acta):
    img, _ = acta
    scan = _on_backing(img, 15, 3.0)
    x = scan.shape[1] // 2
    scan[:, x: x + 6] = 30
    r = read_acta(_jpeg(scan))
    assert not r.ok and r.reason.code == "streaks"


def test_figures_legible_only_in_words_take_the_words_value():
    """Digits scribbled over, amount in words legible: the figure's reading is the words'
    number (``from_words``), put before a person unless the words model's own threshold
    (``words_auto``) lets it through on an acta whose hand the words model is seen to
    read (``hand``); never an ``auto`` Ilegible while the words say a number."""
    opts = replace(GOOD, p_words_only=0.3, dpis=(200,))
    img, rec = make_acta(0, 41, opts)
    scribbled = rec["words_only"]
    assert scribbled and all(rec["cells"][n] == "xxx" for n in scribbled)
    assert all(isinstance(rec["fields"][n], int) for n in scribbled)
    r = read_acta(_jpeg(img))
    assert r.ok, r.reason
    wrong = [(n, f["value"], rec["fields"][n]) for n, f in r.fields.items()
             if f["auto"] and f["value"] != rec["fields"][n]]
    assert not wrong
    taken = [n for n in scribbled if r.fields[n].get("from_words")]
    assert len(taken) >= len(scribbled) // 2, [(n, r.fields[n]) for n in scribbled]
    assert sum(r.fields[n]["value"] == rec["fields"][n] for n in taken) >= len(taken) - 1
    wm = words.load_words_model()
    assert all(r.fields[n]["auto"] == (wm.words_auto < 1 and r.fields[n]["confidence"] >= wm.words_auto
                                       and (words.hand_known(*r.fields[n]["hand"], wm.words_hand)
                                            or r.fields[n]["pinned"]))
               for n in taken)


def test_words_only_figures_do_not_change_the_figures_drawn():
    """The option takes no extra random draw: a seed's figures are the same with it, and
    the decks of earlier runs (made without it) are written again unchanged."""
    _, ra = make_acta(5, 13, GOOD)
    _, rb = make_acta(5, 13, replace(GOOD, p_words_only=0.5))
    assert "words_only" not in ra and rb["words_only"]
    assert ra["fields"] == rb["fields"] and ra["qr"] == rb["qr"] and ra["writer"] == rb["writer"]


@pytest.mark.parametrize("turn", [90, 270])
def test_a_portrait_scan_is_registered_as_the_same_page_scanned_turned(acta, turn):
    """A page scanned a quarter turn round is read as the reader turns it (a quarter turn
    clockwise): its cells are cut where they are on that turned page scanned directly, not
    a pixel or two off along the reversed axis (a shift no upright or upside-down scan has)."""
    img, _ = acta
    portrait = cv2.rotate(cv2.cvtColor(img, cv2.COLOR_RGB2BGR), TURNS[turn])
    turned = cv2.rotate(portrait, cv2.ROTATE_90_CLOCKWISE)
    with _registrations() as regs:
        r_t = read_acta(cv2.imencode(".png", turned)[1].tobytes())
        r_p = read_acta(cv2.imencode(".png", portrait)[1].tobytes())
    assert r_t.ok and r_p.ok and r_p.rotated == 90 and r_t.upside_down == r_p.upside_down
    reg_t, reg_p = regs
    t = reg_t.template
    pts = np.array([[x * t.page_w, y * t.page_h, 1.0] for x in (0.2, 0.5, 0.8) for y in (0.2, 0.8)]).T
    a = reg_t.H @ pts
    a = a[:2] / a[2]
    b = reg_p.H @ pts
    b = b[:2] / b[2]
    # a pixel (x, y) of the page turned clockwise is the portrait scan's (y, h - 1 - x)
    want = np.array([a[1], portrait.shape[0] - 1 - a[0]])
    assert np.abs(b - want).max() < 0.3, np.round(b - want, 2)


def test_the_same_page_at_any_turn_is_cut_at_the_same_place(acta):
    """Registration maps pixel centres, each axis by its own factor: the same page scanned
    upright, upside down or a quarter turn round has its cells cut at the same place (the
    small page's points divided by one scale put them 0.5 / k - 0.5 px up and left, a
    shift that turns with the page: about a pixel apart at 150 dpi between turns)."""
    img, _ = acta
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    h, w = bgr.shape[:2]
    back = {0: lambda x, y: (x, y), 90: lambda x, y: (y, h - 1 - x),
            180: lambda x, y: (w - 1 - x, h - 1 - y), 270: lambda x, y: (w - 1 - y, x)}
    with _registrations() as regs:
        for turn in sorted(TURNS):
            im = bgr if TURNS[turn] is None else cv2.rotate(bgr, TURNS[turn])
            assert read_acta(cv2.imencode(".png", im)[1].tobytes()).ok
    t = regs[0].template
    pts = np.array([[c[0] + c[2] / 2, c[1] + c[3] / 2, 1.0] for f in t.fields for c in f.cells]).T
    where = []
    for turn, reg in zip(sorted(TURNS), regs, strict=True):
        p = reg.H @ pts
        where.append(np.array(back[turn](p[0] / p[2], p[1] / p[2])))
    spread = np.ptp(np.stack(where), axis=0).max()
    assert spread < 0.35, np.round(spread, 2)


def _marks(img: np.ndarray) -> np.ndarray:
    from capture_station.recognition.register import find_fiducials

    pts = find_fiducials(cv2.cvtColor(img, cv2.COLOR_RGB2GRAY))
    assert pts is not None
    return pts


def test_a_corner_mark_cut_by_the_scan_edge_is_completed_from_the_other_three(acta):
    """A sheet fed turned 3° with its top-right mark half off the scan (a light lid: no
    sheet edge to find) is read as the whole scan is; the mark is completed from the other
    three, the page being a rectangle."""
    img, rec = acta
    turned = _on_backing(img, 245, 3.0)
    tl, tr = _marks(turned)[:2]
    assert tl[1] - tr[1] > 60  # the right side rises
    cut = turned[int(tr[1]):]
    whole, r = read_acta(_jpeg(turned)), read_acta(_jpeg(cut))
    assert whole.ok and r.ok, r.reason
    assert r.qr == rec["qr"] and r.template == rec["template"]
    assert {n: f["value"] for n, f in r.fields.items()} == {n: f["value"] for n, f in whole.fields.items()}


@pytest.mark.parametrize("how", ["inside", "gone"])
def test_a_missing_corner_mark_is_not_made_up(acta, how):
    """A mark missing from inside the scan (torn, covered) or wholly off it is not
    completed: the scan is refused, not read from three marks."""
    img, _ = acta
    turned = _on_backing(img, 245, 3.0)
    tr = _marks(turned)[1]
    side = 80
    if how == "inside":
        x, y = int(tr[0]), int(tr[1])
        turned = turned.copy()
        turned[y - side // 2: y + side // 2, x - side // 2: x + side // 2] = 245
    else:
        turned = turned[int(tr[1]) + side:]
    r = read_acta(_jpeg(turned))
    assert not r.ok and r.reason.code in ("no_fiducials", "page_size", "partial"), r.reason


def test_fourth_at_edge_completes_only_a_rectangle_cut_at_the_edge():
    from capture_station.recognition.register import fourth_at_edge

    tl, tr, bl, br = (50.0, 12.0), (950.0, 2.0), (60.0, 612.0), (960.0, 602.0)
    got = fourth_at_edge([tl, None, bl, br], 20.0, 1000, 640)
    assert got is not None and np.allclose(got[1], tr)
    assert fourth_at_edge([tl, tr, bl, None], 20.0, 1000, 640) is None  # BR well inside the scan
    assert fourth_at_edge([tl, None, None, br], 20.0, 1000, 640) is None  # two missing
    sheared = (120.0, 612.0)  # the three make no right angle
    assert fourth_at_edge([tl, None, sheared, br], 20.0, 1000, 640) is None
    # TR at y −15, more than half a mark off the scan: none of it was there to be cut
    assert fourth_at_edge([(50.0, -5.0), None, (60.0, 595.0), (960.0, 585.0)], 20.0, 1000, 640) is None
    assert fourth_at_edge([(50.0, 5.0), None, (60.0, 605.0), (960.0, 595.0)], 20.0, 1000, 640) is not None


def test_a_registration_that_leaves_a_cell_off_the_scan_is_partial():
    from capture_station.recognition.register import covers, homography
    from capture_station.recognition.templates import template_by_id

    t = template_by_id("bcs2024-ayun")
    s = 150 / 72
    pts = np.array(t.fiducials) * s
    h, w = int(t.page_h * s), int(t.page_w * s)
    assert covers(homography(t, pts, False), t, (h, w))
    low_x = min(x for x, _y, _w, _h in (c for f in t.fields for c in f.cells))
    moved = pts - [low_x * s + 5, 0]  # the page slid left: its leftmost cell off the scan
    assert not covers(homography(t, moved, False), t, (h, w))
