"""Benchmark the label against the acta: ``prep bench identity [DECK]``.

A deck of the project's forms (the ones with a section 1 the reader knows) where a share
of the actas carry a neighbour's label (``p_swap``) and a share have no label and a key
typed by hand with a slip (``p_typed``), read with the demo catalog. Reports:

- swaps caught: a neighbour's label read from the QR and ``agrees`` false (the station
  holds the acta for a supervisor);
- typed slips caught: the slip is outside the catalog (the station refuses it at once)
  or, weighed against the writing, ``agrees`` false;
- false alarms: good actas (their own label) with ``agrees`` false;
- unread: ``agrees`` null (the sección could not be read; the acta goes on by its label).

Evaluation writers by default (``--split eval``: never used to choose anything);
``--split val`` is where the threshold ``identity.AGREE`` was chosen (the log-midpoint
of the gap between wrong labels' and right labels' shares).
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

LOCAL = ("bcs2024-diploc", "bcs2024-ayun")


def _read_one(args: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    import cv2

    from capture_station.recognition.reader import read_acta
    from prep_core.labels import identity_of

    cv2.setNumThreads(1)
    deck, rec = args
    cat = _catalog()
    data = (Path(deck) / rec["image"]).read_bytes()
    kind = "swap" if rec.get("swap") else "typed" if rec.get("typed") else "good"
    row: dict[str, Any] = {"image": rec["image"], "kind": kind, "writer": rec["writer"],
                           "template": rec["template"]}
    label = None
    if kind == "typed":
        acta = cat.acta(rec["typed"])
        if acta is None:  # refused by the catalog before any reading
            row.update(agrees=False, by="catalog", ms=0.0, status="ok")
            return row
        label = identity_of(acta)
    r = read_acta(data, cat, label=label)
    ident = r.identity or {}
    row.update(status=r.status, ms=r.ms, agrees=ident.get("agrees"), share=ident.get("share"),
               qr_ok=r.qr == rec["qr"] if kind != "typed" else None, by="writing",
               written=ident.get("written"), truth=rec.get("written"))
    return row


_CAT = None


def _catalog():  # type: ignore[no-untyped-def]
    global _CAT
    if _CAT is None:
        from prep_demo.demo import demo_catalog

        _CAT = demo_catalog()
    return _CAT


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def rate(sel: list[dict[str, Any]], pred) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        n = len(sel)
        k = sum(1 for r in sel if pred(r))
        return {"n": n, "k": k, "rate": k / n if n else 0.0}

    ok = [r for r in rows if r.get("status") == "ok"]
    good = [r for r in ok if r["kind"] == "good" and r.get("qr_ok")]
    swaps = [r for r in ok if r["kind"] == "swap" and r.get("qr_ok")]
    typed = [r for r in ok if r["kind"] == "typed"]
    ms = sorted(r["ms"] for r in ok if r.get("by") == "writing")
    return {
        "actas": len(rows),
        "rejected": len(rows) - len(ok),
        "label_unread": sum(1 for r in ok if r["kind"] != "typed" and not r.get("qr_ok")),
        "swaps_caught": rate(swaps, lambda r: r["agrees"] is False),
        "swaps_unread": rate(swaps, lambda r: r["agrees"] is None),
        "typed_caught": rate(typed, lambda r: r["agrees"] is False),
        "typed_by_catalog": rate(typed, lambda r: r.get("by") == "catalog"),
        "false_alarms": rate(good, lambda r: r["agrees"] is False),
        "good_unread": rate(good, lambda r: r["agrees"] is None),
        "ms_p50": ms[len(ms) // 2] if ms else 0.0,
        "ms_p95": ms[int(len(ms) * 0.95)] if ms else 0.0,
    }


def format_report(s: dict[str, Any], deck: str, head: dict[str, Any]) -> str:
    def pct(d: dict[str, Any]) -> str:
        return f"{d['k']}/{d['n']} ({d['rate']:.2%})"

    return "\n".join([
        f"deck {deck}: {s['actas']} actas, split {head.get('split')}, writers "
        f"{', '.join(head.get('writers', []))}",
        f"  swaps caught (neighbour's label, agrees=false): {pct(s['swaps_caught'])}   "
        f"target >= 99%",
        f"  swaps unread (agrees=null):                     {pct(s['swaps_unread'])}",
        f"  typed slips caught (catalog or writing):        {pct(s['typed_caught'])}  "
        f"of them by the catalog: {s['typed_by_catalog']['k']}",
        f"  false alarms on good actas (agrees=false):      {pct(s['false_alarms'])}   "
        f"target <= 0.5%",
        f"  good actas unread (agrees=null):                {pct(s['good_unread'])}",
        f"  rejected pages: {s['rejected']}, labels unread: {s['label_unread']}; "
        f"whole reading ms p50 {s['ms_p50']:.0f} p95 {s['ms_p95']:.0f}",
    ])


def bench_main(deck: str | None, *, n: int = 600, seed: int = 20241206, split: str = "eval",
               p_swap: float = 0.3, p_typed: float = 0.1, workers: int = 1,
               json_out: str | None = None) -> int:
    from prep_tools.decks.deck import DeckOptions, generate_deck, read_manifest

    d = Path(deck or f"/tmp/prep-identity-deck-{split}-{seed}-{n}")
    if not (d / "manifest.jsonl").exists():
        print(f"generating deck {d} ({n} actas, seed {seed}, {split} writers)…", flush=True)
        generate_deck(d, n, seed, DeckOptions(split=split, templates=LOCAL, p_swap=p_swap,
                                              p_typed=p_typed), workers=max(1, workers))
    head, recs = read_manifest(d / "manifest.jsonl")
    t0 = time.time()
    jobs = [(str(d), r) for r in recs]
    if workers > 1:
        _catalog()
        with ProcessPoolExecutor(workers) as ex:
            rows = list(ex.map(_read_one, jobs, chunksize=4))
    else:
        from capture_station.recognition.reader import prepare

        prepare()
        rows = [_read_one(j) for j in jobs]
    s = summarise(rows)
    print(format_report(s, str(d), head))
    print(f"(bench wall time {time.time() - t0:.0f} s, workers={workers}, "
          f"load {os.getloadavg()[0]:.1f})")
    missed = [r for r in rows if r["kind"] == "swap" and r.get("qr_ok") and r["agrees"] is not False]
    alarms = [r for r in rows if r["kind"] == "good" and r["agrees"] is False]
    for r in (missed + alarms)[:12]:
        print(f"  {r['kind']:5} {r['image']} {r['writer']}: written {r.get('written')} "
              f"truth {r.get('truth')} agrees {r['agrees']} share {r.get('share')}")
    if json_out:
        Path(json_out).write_text(json.dumps({"summary": s, "deck": head, "rows": rows},
                                             default=str), encoding="utf-8")
    return 0
