"""Benchmark the reader on a test deck: ``prep bench ocr [DECK]``.

Reports QR read rate; field accuracy overall and over ``auto`` fields; auto rate;
whole-acta exact rate; p50/p95 ms per acta (one core); and the same figures for a
Tesseract digit baseline on the same cells (OMP_THREAD_LIMIT=1).
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

os.environ.setdefault("OMP_THREAD_LIMIT", "1")



def _single_thread() -> None:
    import cv2

    cv2.setNumThreads(1)


def _read_one(args):
    deck, rec, with_tess = args
    from capture_station.recognition.reader import read_acta

    _single_thread()
    data = (Path(deck) / rec["image"]).read_bytes()
    c0 = time.process_time()
    r = read_acta(data)
    cpu_ms = (time.process_time() - c0) * 1000
    row = {"image": rec["image"], "dpi": rec["dpi"], "template": rec["template"],
           "writer": rec["writer"], "ms": r.ms, "cpu_ms": cpu_ms, "status": r.status,
           "reason": r.reason.code if r.reason else None,
           "qr_ok": r.qr == rec["qr"], "template_ok": r.template == rec["template"],
           "fields": []}
    for name, truth in rec["fields"].items():
        f = r.fields.get(name)
        row["fields"].append({"name": name, "truth": truth,
                              "value": f["value"] if f else None,
                              "confidence": f["confidence"] if f else 0.0,
                              "checked": bool(f and f.get("checked", True)),
                              "auto": bool(f and f["auto"]),
                              "from_words": bool(f and f.get("from_words")),
                              "pinned": bool(f and f.get("pinned")),
                              "words": f.get("words") if f else None,
                              "words_confidence": f.get("words_confidence", 0.0) if f else 0.0,
                              "words_only": name in rec.get("words_only", ())})
    if with_tess:
        row["tesseract"] = tesseract_fields(data, rec)
    return row


def run_deck(deck: str | Path, *, limit: int | None = None, with_tesseract: bool = False,
             tess_limit: int = 200, workers: int = 1) -> list[dict]:
    from prep_tools.decks.deck import read_manifest

    deck = Path(deck)
    _, recs = read_manifest(deck / "manifest.jsonl")
    recs = recs[:limit] if limit else recs
    jobs = [(str(deck), rec, with_tesseract and i < tess_limit) for i, rec in enumerate(recs)]
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            return list(ex.map(_read_one, jobs, chunksize=4))
    return [_read_one(j) for j in jobs]


def read_decks(decks: list[Path], saved: Path, reuse: bool = False, workers: int = 1) -> list[dict]:
    """Every deck's rows (``run_deck``), kept in ``saved``; with ``reuse``, the rows a
    previous run kept there, not read again."""
    if reuse and saved.exists():
        return json.loads(saved.read_text(encoding="utf-8"))
    rows = [r for d in decks for r in run_deck(d, workers=workers)]
    saved.write_text(json.dumps(rows, default=str), encoding="utf-8")
    return rows


# --------------------------------------------------------------------------- tesseract
def tesseract_fields(data: bytes, rec: dict) -> dict:
    """Baseline: Tesseract (digits whitelist) on the same three cells of every field.

    All strips of an acta go into one image (one Tesseract call per acta, psm 6); words
    are mapped back to fields by their vertical position.
    """
    import cv2
    import pytesseract

    from capture_station.recognition.cells import dropout_channel
    from capture_station.recognition.quality import to_quality_size
    from capture_station.recognition.reader import load_image
    from capture_station.recognition.register import register
    from capture_station.recognition.templates import template_by_id

    t0 = time.perf_counter()
    img, _, _ = load_image(data)
    out = {"values": {}, "ms": 0.0}
    if img is None:
        return out
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    small = to_quality_size(gray)
    t = template_by_id(rec["template"])
    reg, _ = register(small, gray.shape, [t])
    if reg is None:
        return out
    chan = dropout_channel(img)
    S = 3.0  # px per pt
    strips, gap = [], 24
    for f in t.fields:
        x0 = f.cells[0][0] - 2
        y0 = min(c[1] for c in f.cells) - 2
        x1 = f.cells[-1][0] + f.cells[-1][2] + 2
        y1 = max(c[1] + c[3] for c in f.cells) + 2
        T = np.array([[1 / S, 0, x0], [0, 1 / S, y0], [0, 0, 1]], float)
        size = (round((x1 - x0) * S), round((y1 - y0) * S))
        s = cv2.warpPerspective(chan, reg.H @ T, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                                borderValue=255)
        _, b = cv2.threshold(s, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        if s.std() < 12:  # nothing written: Otsu would amplify paper noise
            b = np.full_like(s, 255)
        strips.append(b)
    w = max(s.shape[1] for s in strips)
    spans, y = [], gap
    canvas_parts = [np.full((gap, w + 2 * gap), 255, np.uint8)]
    for s in strips:
        pad = np.full((s.shape[0], w + 2 * gap), 255, np.uint8)
        pad[:, gap: gap + s.shape[1]] = s
        canvas_parts += [pad, np.full((gap, w + 2 * gap), 255, np.uint8)]
        spans.append((y, y + s.shape[0]))
        y += s.shape[0] + gap
    canvas = np.vstack(canvas_parts)
    d = pytesseract.image_to_data(canvas, config="--psm 6 -c tessedit_char_whitelist=0123456789",
                                  output_type=pytesseract.Output.DICT)
    texts = {i: "" for i in range(len(strips))}
    for txt, top, h in zip(d["text"], d["top"], d["height"], strict=True):
        txt = "".join(ch for ch in txt if ch.isdigit())
        if not txt:
            continue
        cy = top + h / 2
        for i, (a, b) in enumerate(spans):
            if a - gap / 2 <= cy <= b + gap / 2:
                texts[i] += txt
                break
    for i, f in enumerate(t.fields):
        s = texts[i]
        out["values"][f.name] = int(s) if s and len(s) <= 3 else ("Sin dato" if not s else "Ilegible")
    out["ms"] = (time.perf_counter() - t0) * 1000
    return out


# --------------------------------------------------------------------------- metrics
def summarise(rows: list[dict], threshold_override: float | None = None) -> dict:
    n = len(rows)
    fields = [f for r in rows for f in r["fields"]]
    nf = len(fields)
    correct = [f["value"] == f["truth"] for f in fields]
    auto = [f["auto"] if threshold_override is None else f["confidence"] >= threshold_override
            for f in fields]
    n_auto = sum(auto)
    auto_ok = sum(c for c, a in zip(correct, auto, strict=True) if a)
    exact = 0
    k = 0
    for r in rows:
        m = len(r["fields"])
        exact += all(correct[k: k + m])
        k += m
    ms = np.array([r["ms"] for r in rows]) if rows else np.zeros(1)
    ms200 = np.array([r["ms"] for r in rows if r["dpi"] == 200]) if rows else np.zeros(0)
    out = {
        "actas": n,
        "fields": nf,
        "read_ok": sum(r["status"] == "ok" for r in rows) / max(1, n),
        "qr_read_rate": sum(r["qr_ok"] for r in rows) / max(1, n),
        "template_ok": sum(r["template_ok"] for r in rows) / max(1, n),
        "field_accuracy": sum(correct) / max(1, nf),
        "auto_rate": n_auto / max(1, nf),
        "auto_accuracy": auto_ok / max(1, n_auto),
        "auto_errors": n_auto - auto_ok,
        "acta_exact": exact / max(1, n),
        "ms_p50": float(np.percentile(ms, 50)),
        "ms_p95": float(np.percentile(ms, 95)),
        "ms_max": float(ms.max()),
    }
    cpu = np.array([r.get("cpu_ms", r["ms"]) for r in rows]) if rows else np.zeros(1)
    out["cpu_ms_p50"] = float(np.percentile(cpu, 50))
    out["cpu_ms_p95"] = float(np.percentile(cpu, 95))
    if len(ms200):
        out["ms_p50_200dpi"] = float(np.percentile(ms200, 50))
        out["ms_p95_200dpi"] = float(np.percentile(ms200, 95))
    tess = [r for r in rows if "tesseract" in r]
    if tess:
        tc, tn, tex = 0, 0, 0
        for r in tess:
            ok_all = True
            for f in r["fields"]:
                v = r["tesseract"]["values"].get(f["name"])
                tn += 1
                tc += v == f["truth"]
                ok_all &= v == f["truth"]
            tex += ok_all
        tms = np.array([r["tesseract"]["ms"] for r in tess])
        out["tesseract"] = {"actas": len(tess), "field_accuracy": tc / max(1, tn),
                            "acta_exact": tex / len(tess), "auto_rate": 0.0,
                            "ms_p50": float(np.percentile(tms, 50)),
                            "ms_p95": float(np.percentile(tms, 95))}
    return out


def by_group(rows: list[dict], key: str) -> dict:
    groups: dict[str, list] = {}
    for r in rows:
        groups.setdefault(str(r[key]), []).append(r)
    return {k: summarise(v) for k, v in sorted(groups.items())}


def format_report(s: dict, deck: str, head: dict | None = None) -> str:
    lines = [f"deck: {deck}" + (f" (n={head.get('n')}, seed={head.get('seed')}, split={head.get('split')}, "
                                f"writers={','.join(head.get('writers', []))})" if head else "")]
    lines.append(f"actas {s['actas']}  fields {s['fields']}  read ok {s['read_ok']:.2%}  "
                 f"template ok {s['template_ok']:.2%}")
    lines.append(f"{'':28}{'CNN (this reader)':>20}{'Tesseract baseline':>22}")
    t = s.get("tesseract", {})

    def row(label, a, b):
        lines.append(f"{label:28}{a:>20}{b:>22}")

    row("QR read rate", f"{s['qr_read_rate']:.2%}", "-")
    row("field accuracy (all)", f"{s['field_accuracy']:.3%}",
        f"{t['field_accuracy']:.3%}" if t else "n/a")
    row("auto rate", f"{s['auto_rate']:.2%}", "0% (no confidence)" if t else "n/a")
    row("accuracy of auto fields", f"{s['auto_accuracy']:.3%} ({s['auto_errors']} err)", "-")
    row("whole-acta exact", f"{s['acta_exact']:.2%}", f"{t['acta_exact']:.2%}" if t else "n/a")
    row("ms per acta p50 / p95", f"{s['ms_p50']:.0f} / {s['ms_p95']:.0f}",
        f"{t['ms_p50']:.0f} / {t['ms_p95']:.0f}" if t else "n/a")
    row("CPU ms per acta p50 / p95", f"{s['cpu_ms_p50']:.0f} / {s['cpu_ms_p95']:.0f}", "")
    if "ms_p50_200dpi" in s:
        row("ms at 200 dpi p50 / p95", f"{s['ms_p50_200dpi']:.0f} / {s['ms_p95_200dpi']:.0f}", "")
    if t:
        lines.append(f"(Tesseract on the first {t['actas']} actas: same registered cells, digits "
                     f"whitelist, psm 6, OMP_THREAD_LIMIT=1; ms = strip building + Tesseract)")
    return "\n".join(lines)


def bench_main(deck: str | None, *, n: int = 1000, seed: int = 20240602, limit: int | None = None,
               tess_limit: int = 200, no_tesseract: bool = False, workers: int = 1,
               json_out: str | None = None, dpi: str = "200") -> int:
    from prep_tools.decks.deck import DeckOptions, generate_deck, read_manifest

    if deck is None:
        deck = f"/tmp/prep-ocr-deck-{seed}-{n}"
    d = Path(deck)
    if not (d / "manifest.jsonl").exists():
        print(f"generating deck {d} ({n} actas, seed {seed}, eval writers)…", flush=True)
        generate_deck(d, n, seed, DeckOptions(split="eval", dpis=tuple(int(x) for x in dpi.split(","))),
                      workers=os.cpu_count() or 1)
    head, _ = read_manifest(d / "manifest.jsonl")
    t0 = time.time()
    rows = run_deck(d, limit=limit, with_tesseract=not no_tesseract, tess_limit=tess_limit,
                    workers=workers)
    s = summarise(rows)
    print(format_report(s, str(d), head))
    print(f"(bench wall time {time.time() - t0:.0f} s, workers={workers}, cv2 and onnxruntime 1 thread)")
    fails = {}
    for r in rows:
        if r["status"] != "ok":
            fails[r["reason"]] = fails.get(r["reason"], 0) + 1
    if fails:
        print("rejected:", fails)
    for key in ("template", "writer", "dpi"):
        g = by_group(rows, key)
        print(f"by {key}: " + "; ".join(
            f"{k}: acc {v['field_accuracy']:.3%} auto {v['auto_rate']:.1%} auto-acc {v['auto_accuracy']:.3%}"
            for k, v in g.items()))
    if json_out:
        Path(json_out).write_text(json.dumps({"summary": s, "deck": head, "rows": rows}, default=str),
                                  encoding="utf-8")
    return 0
