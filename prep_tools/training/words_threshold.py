"""The ``auto`` threshold of figures the reader takes from their words alone
(``python -m prep_tools.training.words_threshold``).

A figure whose digits are scribbled over but whose amount in words is legible takes the
words' value (``capture_station.recognition.words``). Such figures are a population of
their own: the digit model's thresholds were chosen on figures read in digits and words
together. This chooses theirs on validation decks only (the validation writers: LetraMarcos
and MNIST-val, and the held-out npm handwriting families; never an evaluation writer), by
``calibrate.choose_words_threshold``, together with the share of an acta's figures whose
words may disagree with their digits for the acta's hand to count as one the model reads
(``words.hand_known``), and writes both into the words model's sidecar (``words_auto``,
``words_hand``), where the reader takes them from.

The decks (generated into ``--work`` when missing) have one figure in ten scribbled over,
as the conditions bench's ``digits-scribbled`` deck has: how sure such a figure can be
depends on how many others of its acta are uncertain too (two figures taken from the
words can be wrong by one each way and still add up; a first choice on decks with 30 %
scribbled found exactly that). Every other scanning option is the deck generator's
default mix. ``PREP_SHARED`` must name the shared folder (its ``handwriting/`` holds the
validation hand LetraMarcos).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from capture_station.recognition import words
from capture_station.recognition.digits import MODELS_DIR
from prep_tools.decks.deck import DeckOptions, generate_deck
from prep_tools.shared import require_shared
from prep_tools.training import sources
from prep_tools.training.calibrate import HAND_SHARES, choose_words_threshold

#: (folder, seed, npm families or None for the split's own writers); seeds used for nothing else
DECKS = (("val-words-10", 9600, None), ("val-words-fonts-10", 9700, sources.VAL_NPM_FONTS),
         ("val-words-10b", 9800, None), ("val-words-fonts-10b", 9900, sources.VAL_NPM_FONTS))
P_WORDS_ONLY = 0.1
REPORTED = (0.90, 0.95, 0.99)


def decks(work: Path, n: int, workers: int) -> list[Path]:
    out = []
    for name, seed, families in DECKS:
        d = work / name
        if not (d / "manifest.jsonl").exists():
            fonts = tuple(sources.val_fonts(work, families)) if families else ()
            generate_deck(d, n, seed, DeckOptions(split="val", p_words_only=P_WORDS_ONLY, writer_fonts=fonts),
                          workers=workers)
        out.append(d)
    return out


def at(rows: list[dict], thr: float, share: float) -> dict:
    """Figures taken from the words and fields of the whole decks ``auto`` at ``thr`` on
    the actas whose hand the words model reads (``words.hand_known`` with ``share``) or
    where the arithmetic pins them (``words.eligible``)."""
    fields = [f for r in rows for f in r["fields"]]
    taken = [f for f in fields if f.get("from_words") and f.get("checked", True)]
    auto = [f for r in rows for f in words.eligible(r["fields"], share)
            if f.get("checked", True) and f["confidence"] >= thr]
    rest = sum(f["auto"] for f in fields if not f.get("from_words"))
    return {"threshold": thr, "hand_share": share, "from_words": len(taken), "auto": len(auto),
            "wrong": sum(f["value"] != f["truth"] for f in auto),
            "fields_auto": round((rest + len(auto)) / max(1, len(fields)), 5)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--work", type=Path, default=Path("/tmp/prep-ocr-words-thr"))
    ap.add_argument("--n", type=int, default=1200, help="actas a deck")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--model", type=Path, default=MODELS_DIR / f"{words.MODEL_NAME}.json",
                    help="the words model's sidecar to write the threshold into")
    ap.add_argument("--from-rows", action="store_true",
                    help="choose again from the readings saved by the last run")
    ap.add_argument("--dry-run", action="store_true", help="print the choice, write nothing")
    a = ap.parse_args(argv)
    from prep_tools.bench.ocr import read_decks

    a.work.mkdir(parents=True, exist_ok=True)
    if not a.from_rows:
        require_shared("handwriting")  # without it the validation decks lose LetraMarcos
    ds = decks(a.work, a.n, a.workers)
    rows = read_decks(ds, a.work / "val-words-rows.json", a.from_rows, a.workers)
    thr, share, stats = choose_words_threshold(rows)
    table = [at(rows, t, s) for s in HAND_SHARES for t in sorted({*REPORTED, thr})]
    for line in table:
        print(json.dumps(line), flush=True)
    print(f"words_auto {thr} words_hand {share}: {json.dumps(stats)}", flush=True)
    if not a.dry_run:
        meta = json.loads(a.model.read_text(encoding="utf-8"))
        meta["words_auto"], meta["words_hand"] = thr, share
        meta["words_auto_choice"] = {"decks": [d.name for d in ds], "actas": len(rows),
                                     "p_words_only": P_WORDS_ONLY, **stats, "table": table}
        a.model.write_text(json.dumps(meta, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
