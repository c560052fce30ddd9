"""The same page read upright and a quarter turn round: are its cells cut alike?

``python -m prep_tools.bench.turns --n 20 --seed 51517 --split val``

Each acta of a portrait-on-dark-backing deck (the ``portrait-dark`` condition of
``conditions.py``, in the writers of ``--split``) is also turned back upright, which is
pixel for pixel the ``dark-backing`` scan of the same page; both are JPEG-encoded at the
deck's quality and read. Per acta: how far apart the two readings cut the cells (the
cells' centres mapped into the upright page, px) and how different the 32×32 patches the
digit model sees are (mean and 99th percentile of |difference| in ink density, 0..1; JPEG
alone makes about 0.01 / 0.06), and the figures whose value or ``auto`` differ.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from dataclasses import replace

import cv2
import numpy as np

from capture_station.recognition import cells, reader
from prep_tools.bench.conditions import CONDITIONS
from prep_tools.decks.deck import make_acta

UPRIGHT = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 270: cv2.ROTATE_90_CLOCKWISE}


@contextmanager
def cut_cells():
    """Collects (patches, homography) of every ``cells.extract`` the reader makes."""
    seen: list[tuple[np.ndarray, np.ndarray]] = []
    real = cells.extract

    def spy(img, H, t):
        out = real(img, H, t)
        seen.append((out[0], H.copy()))
        return out

    cells.extract = spy
    try:
        yield seen
    finally:
        cells.extract = real


def _read(img: np.ndarray, q: int):
    bgr = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, q])[1].tobytes()
    with cut_cells() as seen:
        r = reader.read_acta(data)
    return r, (seen[0] if seen and r.ok else None)


def compare(i: int, seed: int, split: str) -> dict:
    opts = replace(CONDITIONS["portrait-dark"], split=split)
    img, rec = make_acta(i, seed, opts)
    q = int(np.random.default_rng([seed, i, 99]).integers(*opts.jpeg))
    upright = cv2.rotate(img, UPRIGHT[rec["quarter_turn"]])
    (ru, cu), (rp, cp) = _read(upright, q), _read(img, q)
    out = {"acta": i, "writer": rec["writer"], "turn": rec["quarter_turn"]}
    if cu is None or cp is None:
        return {**out, "read": False}
    from capture_station.recognition.templates import template_by_id

    t = template_by_id(rec["template"])
    pts = np.array([[x + w / 2, y + h / 2, 1.0] for f in t.fields for x, y, w, h in f.cells]).T
    a = cu[1] @ pts
    b = cp[1] @ pts
    a, b = a[:2] / a[2], b[:2] / b[2]
    h, w = upright.shape[:2]
    # a pixel (x, y) of the portrait scan is the upright page's ...
    back = np.array([b[1], h - 1 - b[0]]) if rec["quarter_turn"] == 90 else np.array([w - 1 - b[1], b[0]])
    d = np.abs(cu[0] - cp[0])
    differ = [n for n in ru.fields if (ru.fields[n]["value"], ru.fields[n]["auto"])
              != (rp.fields[n]["value"], rp.fields[n]["auto"])]
    return {**out, "read": True, "cut_px": float(np.hypot(*(a - back)).max()),
            "patch_mean": float(d.mean()), "patch_p99": float(np.percentile(d, 99)),
            "figures_differ": differ, "figures": len(ru.fields)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--seed", type=int, default=51517)
    ap.add_argument("--split", choices=("val", "eval"), default="val")
    a = ap.parse_args(argv)
    cv2.setNumThreads(1)
    reader.prepare()
    rows = [compare(i, a.seed, a.split) for i in range(a.n)]
    for r in rows:
        if not r["read"]:
            print(f"acta {r['acta']}: not read")
            continue
        print(f"acta {r['acta']:3d} {r['writer']:12} turn {r['turn']:3d}  cells cut {r['cut_px']:.2f} px apart  "
              f"patches |diff| mean {r['patch_mean']:.4f} p99 {r['patch_p99']:.3f}  "
              f"figures read differently: {len(r['figures_differ'])}")
    ok = [r for r in rows if r["read"]]
    if ok:
        print(f"{len(ok)} actas: cells cut at most {max(r['cut_px'] for r in ok):.2f} px apart; patch |diff| "
              f"mean {np.mean([r['patch_mean'] for r in ok]):.4f}, p99 {np.mean([r['patch_p99'] for r in ok]):.3f}; "
              f"figures read differently {sum(len(r['figures_differ']) for r in ok)} of "
              f"{sum(r['figures'] for r in ok)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
