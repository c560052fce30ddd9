"""The reader under each scanning condition: ``prep bench ocr --conditions N``.

One small evaluation deck per condition (held-out writers only), each read in this one
warm process on one core; one line per condition: how many good scans were accepted
(or, for the truly bad ones, rejected, with their reasons), the share of fields read
``auto``, the accuracy of those, and ms per acta p50 / p95 (wall and CPU); where the deck
has figures whose digits are scribbled over but whose words are legible
(``digits-scribbled``), how many of them were read ``auto`` and how many of those right.
The 300-dpi
colour condition is compared with the 200-dpi one of the same run (the ratio of their
p50), which cancels out how busy the machine is.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from prep_tools.decks.deck import BAD_KINDS, DeckOptions, generate_deck, read_manifest
from prep_tools.shared import shared_dir

BASE = DeckOptions(split="eval", dpis=(200,), p_grey=0.0)

#: name -> deck options; every good condition changes one thing from the 200-dpi colour scan
CONDITIONS: dict[str, DeckOptions] = {
    "200dpi-colour": BASE,
    "200dpi-grey": replace(BASE, p_grey=1.0),
    "300dpi-colour": replace(BASE, dpis=(300,)),
    "300dpi-grey": replace(BASE, dpis=(300,), p_grey=1.0),
    "dark-backing": replace(BASE, backings=("dark",)),
    "dark-300dpi": replace(BASE, backings=("dark",), dpis=(300,)),
    "portrait": replace(BASE, p_quarter_turn=1.0),
    "portrait-dark": replace(BASE, p_quarter_turn=1.0, backings=("dark",)),
    "skew-6deg-dark": replace(BASE, max_rotation=6.0, backings=("dark",), whole_sheet=True),
    "jpeg-q35-55": replace(BASE, jpeg=(35, 56)),
    "ink-blue": replace(BASE, p_blue=1.0),
    "ink-black": replace(BASE, p_blue=0.0),
    **{f"bad-{k}": replace(BASE, bad=k, backings=("light", "dark")) for k in BAD_KINDS},
    # last, so that the seeds of the conditions above stay what they were
    "digits-scribbled": replace(BASE, p_words_only=0.1),
}


def deck_seed(seed: int, name: str) -> int:
    """A condition's deck seed: ``seed`` + 1000 × its place in ``CONDITIONS`` (the same
    whichever conditions a run reads)."""
    return seed + 1000 * list(CONDITIONS).index(name)


def _rows(deck: Path) -> list[dict]:
    from prep_tools.bench.ocr import run_deck

    return run_deck(deck, workers=1)


def summarise(name: str, rows: list[dict], cpu: bool = True) -> dict:
    bad = name.startswith("bad-")
    n = len(rows)
    ok = [r for r in rows if r["status"] == "ok"]
    fields = [f for r in ok for f in r["fields"]]
    auto = [f for f in fields if f["auto"]]
    right = sum(f["value"] == f["truth"] for f in auto)
    ms = np.array([r["ms"] for r in rows]) if rows else np.zeros(1)
    cms = np.array([r["cpu_ms"] for r in rows]) if rows else np.zeros(1)
    in_words = [f for f in fields if f.get("words_only")]
    reasons: dict[str, int] = {}
    for r in rows:
        if r["status"] != "ok":
            reasons[r["reason"]] = reasons.get(r["reason"], 0) + 1
    return {"condition": name, "n": n, "bad": bad,
            "accepted": len(ok) / max(1, n), "rejected": 1 - len(ok) / max(1, n),
            "qr": sum(r["qr_ok"] for r in ok) / max(1, len(ok)),
            "auto_rate": len(auto) / max(1, len(fields)),
            "auto_accuracy": right / max(1, len(auto)), "auto_errors": len(auto) - right,
            "ms_p50": float(np.percentile(ms, 50)), "ms_p95": float(np.percentile(ms, 95)),
            "cpu_p50": float(np.percentile(cms, 50)), "cpu_p95": float(np.percentile(cms, 95)),
            "reasons": reasons, "words_only": len(in_words),
            "words_only_auto": sum(f["auto"] for f in in_words),
            "words_only_right": sum(f["auto"] and f["value"] == f["truth"] for f in in_words)}


def line(s: dict) -> str:
    head = f"{s['condition']:16} n={s['n']:<4}"
    ms = f"ms p50/p95 {s['ms_p50']:4.0f}/{s['ms_p95']:4.0f} (CPU {s['cpu_p50']:4.0f}/{s['cpu_p95']:4.0f})"
    if s["bad"]:
        why = ", ".join(f"{k} {v}" for k, v in sorted(s["reasons"].items()))
        return f"{head} rejected {s['rejected']:7.2%}  {ms}  reasons: {why}"
    rej = (" rejected: " + ", ".join(f"{k} {v}" for k, v in sorted(s["reasons"].items()))
           if s["reasons"] else "")
    words = (f"  figures legible only in words {s['words_only']}: auto {s['words_only_auto']}, "
             f"right {s['words_only_right']}" if s.get("words_only") else "")
    return (f"{head} accepted {s['accepted']:7.2%}  auto {s['auto_rate']:6.2%}  "
            f"auto-acc {s['auto_accuracy']:8.3%} ({s['auto_errors']} err)  {ms}{rej}{words}")


def run(n: int, seed: int = 20240602, root: str | Path | None = None,
        only: tuple[str, ...] = (), workers: int = 1) -> list[dict]:
    """Build the missing decks (``root``/condition, ``n`` actas each, bad ones n/2) and read them."""
    import cv2

    cv2.setNumThreads(1)
    root = Path(root or f"/tmp/prep-ocr-conditions-{seed}-{n}")
    names = [c for c in CONDITIONS if not only or c in only]
    out = []
    for name in names:
        d = root / name
        size = n // 2 if name.startswith("bad-") else n
        if not (d / "manifest.jsonl").exists():
            generate_deck(d, size, deck_seed(seed, name), CONDITIONS[name], workers=workers)
        read_manifest(d / "manifest.jsonl")
        s = summarise(name, _rows(d))
        print(line(s), flush=True)
        out.append(s)
    by = {s["condition"]: s for s in out}
    if "300dpi-colour" in by and "200dpi-colour" in by:
        a, b = by["300dpi-colour"], by["200dpi-colour"]
        print(f"300 dpi colour vs 200 dpi colour, same run: p50 {a['ms_p50']:.0f} / {b['ms_p50']:.0f} ms "
              f"= ×{a['ms_p50'] / max(1e-9, b['ms_p50']):.2f}; CPU p50 ×"
              f"{a['cpu_p50'] / max(1e-9, b['cpu_p50']):.2f}")
    return out


def main(n: int, seed: int, root: str | None, only: tuple[str, ...], workers: int) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    t0 = time.time()
    print(f"conditions: {n} actas each (bad scans {n // 2}), seed {seed}, evaluation writers; "
          f"read in one warm process, one core", flush=True)
    if shared_dir("handwriting") is None or shared_dir("forms") is None:
        print("aviso: sin PREP_SHARED (handwriting/, forms/) los mazos se dibujan con dígitos MNIST y "
              "los formularios desde sus plantillas: cifras no comparables con RESULTS.md / warning: "
              "without PREP_SHARED the decks are drawn with MNIST digits and forms from their "
              "templates: figures not comparable with RESULTS.md", flush=True)
    run(n, seed, root, only, workers)
    print(f"(wall time {time.time() - t0:.0f} s)")
    return 0
