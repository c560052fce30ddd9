"""Train the words-line CNN (PyTorch, CPU, training time only) and export it to ONNX.

    .venv/bin/pip install torch==2.13.0 onnx    # training only; never a runtime dependency
    .venv/bin/python -m prep_tools.training.train_words [--work /tmp/prep-ocr-train] [--n 150000]

1. Synthetic words lines: a blank acta form (each template, 150/200/300 dpi), one
   figure's words box, an amount written on it exactly as the deck generator writes it
   (``deck.draw_words``) in a font of the *train* split only: the eight train handwriting
   fonts and the npm ``@fontsource`` / Debian families of ``prep_tools/training/sources.py`` less
   every family held out for validation; with slant, pen width, ink fading, a small
   misregistration, blur, noise, uneven light, colour or grey, JPEG. 8 % of lines are
   empty (Sin dato), 6 % a scrawl (Ilegible).
2. Cuts the line out as the reader does (``words.extract``) and trains a CNN with four
   heads: what the line holds (number / nothing / scrawl) and the hundreds, tens and
   units digits of the number.
3. Reports the value read right per writer on the words lines of the validation decks
   (LetraMarcos, the held-out npm families; never the evaluation writers), exports
   ``<--out>/<--name>.onnx`` (input ``lines`` (N, 1, 32, 256), output ``logits`` (N, 33))
   and its sidecar. The reader's weight for the words (``words.combine``) is chosen
   afterwards on the validation decks, with the whole reader.
"""

from __future__ import annotations

import argparse
import json
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from capture_station.recognition import cells, words
from capture_station.recognition.templates import load_templates
from prep_tools.decks import deck
from prep_tools.decks import handwriting as hw
from prep_tools.decks.render import blank_form
from prep_tools.shared import require_shared
from prep_tools.training import augment, sources

DPIS = (150, 200, 300)
P_EMPTY, P_SCRAWL = 0.08, 0.06


def has_words(path: str) -> bool:
    """Whether a font draws the letters of amounts in words (accents included)."""
    try:
        missing = hw._font_glyph(path, "\u0378")  # an unassigned code point: the font's "no glyph"
        gs = [hw._font_glyph(path, ch) for ch in "aeioué ó".replace(" ", "")]
    except OSError:
        return False
    return all(g.shape != missing.shape or not np.array_equal(g, missing) for g in gs) \
        and all((g > 128).sum() >= 10 for g in gs)


def train_fonts(work: Path | None) -> tuple[list[str], list[str]]:
    """(train-split deck fonts, extra training fonts), all with the letters needed."""
    deck_fonts = [w.path for w in hw.writers("train") if w.kind == "font" and w.path]
    extra = [p for p in (sources.npm_fonts(work) if work else []) + sources.debian_fonts() if has_words(p)]
    return [p for p in deck_fonts if has_words(p)], extra


def sample_value(rng: np.random.Generator) -> int:
    u = rng.random()
    if u < 0.25:
        return int(rng.integers(0, 30))  # the words of their own (once, diecisiete, veintidós…)
    if u < 0.7:
        return int(rng.integers(0, 300))
    return int(rng.integers(0, 1000))


def _vary(m: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pen width (sized to the line's height, not its length) and ink fading."""
    import cv2

    k = int(round(rng.uniform(-0.8, 1.2) * m.shape[0] / 30))
    if k:
        ker = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(k) + 1, 2 * abs(k) + 1))
        thin = cv2.erode(m, ker) if k < 0 else None
        m = cv2.dilate(m, ker) if k > 0 else (thin if (thin > 0.3).sum() > 0.4 * (m > 0.3).sum() else m)
    if rng.random() < 0.3:
        m = augment.fade(m, rng)
    return m


def synth_line(rng: np.random.Generator, fonts: tuple[list[str], list[str]], forms,
               pages: dict) -> tuple[np.ndarray, list[int]]:
    """One synthetic words line as the reader would cut it, and its labels
    [kind, hundreds, tens, units] (digits −1 when the line holds no number)."""
    import cv2

    t, f = forms[int(rng.integers(len(forms)))]
    dpi = int(DPIS[int(rng.integers(len(DPIS)))])
    s = dpi / 72.0
    x, y, w, h = (c * s for c in f.words)
    X0, Y0 = max(0, int(x - 0.15 * w)), max(0, int(y - 0.8 * h))
    page = pages[(t.id, dpi)]
    crop = page[Y0: int(y + 1.8 * h), X0: int(x + 1.15 * w)].copy()
    rect = (x - X0, y - Y0, w, h)
    u = rng.random()
    deck_fonts, extra = fonts
    pool = deck_fonts if (rng.random() < 0.2 or not extra) else extra
    font = pool[int(rng.integers(len(pool)))]
    ink, opacity = deck._ink(rng), rng.uniform(0.7, 1.0)
    if u < P_EMPTY:
        label = [words.EMPTY, -1, -1, -1]
    elif u < P_EMPTY + P_SCRAWL:
        deck.draw_words(crop, rect, deck.ILEGIBLE, font, rng, ink, opacity)
        label = [words.SCRAWL, -1, -1, -1]
    else:
        v = sample_value(rng)
        deck.draw_words(crop, rect, v, font, rng, ink, opacity, vary=_vary)
        label = [words.NUMBER, v // 100, (v // 10) % 10, v % 10]
    img = crop.astype(np.float32)
    # uneven light, blur, noise, JPEG, as the deck's scan does to whole pages
    img *= 1.0 - rng.uniform(0, 0.08) + rng.uniform(-0.06, 0.06) * np.linspace(-1, 1, img.shape[1])[None, :, None]
    sig = rng.uniform(0, 1.0) * dpi / 200
    if sig > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sig)
    img += rng.normal(0, rng.uniform(0, 5), (*img.shape[:2], 1))
    img = np.clip(img, 0, 255).astype(np.uint8)
    bgr = cv2.cvtColor(img, cv2.COLOR_RGB2BGR)
    if rng.random() < 0.3:
        bgr = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY)
    _, enc = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(60, 96))])
    bgr = cv2.imdecode(enc, cv2.IMREAD_UNCHANGED)
    # a small misregistration, slant and scale of the cut
    cx, cy = rect[0] + w / 2, rect[1] + h / 2
    a, k = np.deg2rad(rng.uniform(-1.0, 1.0)), rng.uniform(0.96, 1.04)
    sh = rng.uniform(-0.2, 0.2)
    A = np.array([[k * np.cos(a), -np.sin(a) + sh, 0], [np.sin(a), k * np.cos(a), 0], [0, 0, 1]])
    T = np.array([[1, 0, cx + rng.uniform(-0.02, 0.02) * w], [0, 1, cy + rng.uniform(-0.08, 0.08) * h], [0, 0, 1]])
    C = np.array([[1, 0, -cx], [0, 1, -cy], [0, 0, 1]])
    H = T @ A @ C
    chan = cells.dropout_channel(bgr)
    patch = cells.region_patch(chan, H, rect, words.LINE_MARGIN, (words.LINE_W, words.LINE_H), words.LINE_WARP)
    return patch, label


def _chunk(args) -> tuple[np.ndarray, np.ndarray]:
    n, seed, fonts = args
    rng = np.random.default_rng(seed)
    forms = [(t, f) for t in load_templates() for f in t.fields if f.words is not None and len(f.cells) == 3]
    pages = {(t.id, dpi): blank_form(t.id, dpi) for t in load_templates() for dpi in DPIS}
    X = np.empty((n, words.LINE_H, words.LINE_W), np.uint8)
    Y = np.empty((n, 4), np.int64)
    for i in range(n):
        X[i], Y[i] = synth_line(rng, fonts, forms, pages)
    return X, Y


def synth_lines(n: int, seed: int, fonts, workers: int) -> tuple[np.ndarray, np.ndarray]:
    size = 10_000
    jobs = [(min(size, n - i), seed * 100_000 + i // size, fonts) for i in range(0, n, size)]
    with ProcessPoolExecutor(workers) as ex:
        parts = list(ex.map(_chunk, jobs))
    return np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def lines_from_deck(d: Path) -> tuple[np.ndarray, list[int | str], list[str]]:
    """The words lines of a generated deck, cut by the reader's registration: patches,
    true values, writers."""
    from prep_tools.training.train_digits import registered_pages

    X, V, W = [], [], []
    for rec, img, H, t in registered_pages(d):
        x, names = words.extract(img, H, t)
        X.append(x)
        V += [rec["fields"][n] for n in names]
        W += [rec["writer"]] * len(names)
    return np.concatenate(X), V, W


def build_model(widths=(16, 32, 64, 128), dense: int = 256):
    import torch.nn as nn

    layers, c = [], 1
    for i, w in enumerate(widths):
        layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(2)]
        c = w
        if i == len(widths) - 1:
            layers += [nn.Conv2d(c, c, 3, padding=1), nn.BatchNorm2d(c), nn.ReLU()]
    h, w_ = words.LINE_H >> len(widths), words.LINE_W >> len(widths)
    return nn.Sequential(*layers, nn.Flatten(), nn.Dropout(0.3), nn.Linear(c * h * w_, dense), nn.ReLU(),
                         nn.Dropout(0.3), nn.Linear(dense, words.N_OUT))


def loss_of(z, y, torch):
    ce = torch.nn.functional.cross_entropy
    loss = ce(z[:, :3], y[:, 0], label_smoothing=0.02)
    num = y[:, 0] == words.NUMBER
    if num.any():
        for i in range(3):
            loss = loss + ce(z[num, 3 + 10 * i: 13 + 10 * i], y[num, 1 + i], label_smoothing=0.02)
    return loss


def ink(X: np.ndarray) -> np.ndarray:
    return cells.normalise(X)


def predict(model, X: np.ndarray) -> np.ndarray:
    import torch

    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(X), 512):
            out.append(model(torch.from_numpy(X[i: i + 512])).numpy())
    return np.concatenate(out) if out else np.zeros((0, words.N_OUT), np.float32)


def value_accuracy(logits: np.ndarray, truth: list, writers: list[str]) -> dict[str, float]:
    best = [r.best() for r in words.line_readings(logits)]
    out: dict[str, list[int]] = {}
    for b, v, w in zip(best, truth, writers, strict=True):
        out.setdefault(w, []).append(b == v)
    res = {w: float(np.mean(x)) for w, x in sorted(out.items())}
    res["all"] = float(np.mean([b == v for b, v in zip(best, truth, strict=True)]))
    return res


def train(X, Y, epochs: int, seed: int, val=None, batch: int = 128):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    model = build_model()
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    n = len(X)
    steps = epochs * ((n + batch - 1) // batch)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    Yt = torch.from_numpy(Y)
    for ep in range(epochs):
        model.train()
        perm = np.random.default_rng(seed + ep).permutation(n)
        tot, t0 = 0.0, time.time()
        for i in range(0, n, batch):
            idx = perm[i: i + batch]
            xb = torch.from_numpy(ink(X[idx]))
            xb = torch.clamp(xb * torch.empty(len(idx), 1, 1, 1).uniform_(0.7, 1.2), 0, 1)
            loss = loss_of(model(xb), Yt[idx], torch)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += float(loss.detach()) * len(idx)
        msg = f"epoch {ep + 1}/{epochs} loss {tot / n:.4f} ({time.time() - t0:.0f} s)"
        if val is not None:
            msg += f"; validation lines read right: {value_accuracy(predict(model, val[0]), *val[1:])['all']:.2%}"
        print(msg, flush=True)
    return model


def export(model, path: Path) -> None:
    import torch

    model.eval()
    dummy = torch.zeros(1, 1, words.LINE_H, words.LINE_W)
    torch.onnx.export(model, dummy, str(path), input_names=["lines"], output_names=["logits"],
                      dynamic_axes={"lines": {0: "n"}, "logits": {0: "n"}}, opset_version=17, dynamo=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=Path("/tmp/prep-ocr-train"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/prep-ocr-train/words"))
    ap.add_argument("--name", default=words.MODEL_NAME)
    ap.add_argument("--n", type=int, default=150_000)
    ap.add_argument("--epochs", type=int, default=4)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--val", default="val,val-fonts,val-fonts2",
                    help="validation decks under --work whose words lines are reported")
    a = ap.parse_args(argv)
    require_shared("handwriting")  # the train split's handwriting fonts live there
    a.out.mkdir(parents=True, exist_ok=True)
    fonts = train_fonts(a.work)
    print(f"fonts: {len(fonts[0])} train-split, {len(fonts[1])} extra", flush=True)
    cache = a.work / f"words-{a.n}-{a.seed}-{len(fonts[1])}f.npz"
    t0 = time.time()
    if cache.exists():
        z = np.load(cache)
        X, Y = z["X"], z["Y"]
    else:
        X, Y = synth_lines(a.n, a.seed, fonts, a.workers)
        np.savez(cache, X=X, Y=Y)
    print(f"{len(X)} synthetic lines ({time.time() - t0:.0f} s)", flush=True)
    vals = [lines_from_deck(a.work / d) for d in a.val.split(",") if (a.work / d / "manifest.jsonl").exists()]
    val = (np.concatenate([v[0] for v in vals]), [x for v in vals for x in v[1]], [x for v in vals for x in v[2]]) \
        if vals else None
    model = train(X, Y, a.epochs, a.seed, val)
    onnx_path = a.out / f"{a.name}.onnx"
    export(model, onnx_path)
    meta = {"name": a.name, "weight": 0.5, "synthetic_lines": len(X), "epochs": a.epochs, "seed": a.seed,
            "fonts": {"train_split": len(fonts[0]), "extra": len(fonts[1])}}
    if val is not None:
        meta["validation_read_right"] = value_accuracy(predict(model, val[0]), *val[1:])
        print(json.dumps(meta["validation_read_right"], indent=1), flush=True)
    onnx_path.with_suffix(".json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {onnx_path}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
