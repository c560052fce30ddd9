"""Training-only handwriting sources beyond the deck writers (never used at run time).

- Handwriting fonts from the npm registry (``@fontsource/*`` packages, SIL OFL / Apache),
  every weight of their latin subset (``.woff``, which FreeType reads). Installed with
  ``npm install --prefix WORK/fonts`` on first use.
- Handwriting fonts from Debian packages (``apt-get install`` them; missing ones are
  skipped with a note).
- scikit-learn's ``load_digits`` (1,797 8×8 digits by 43 people), upsampled.

Eight of the npm families (VAL_NPM_FONTS) are held out of training as extra validation
writers. None of the others is an evaluation or validation writer: those are the LetraCielo, LetraEstrella,
LetraLuis, LetraOmar (eval) and LetraMarcos (val) fonts of ../shared/handwriting and
MNIST 350–499, all handled by ``capture_station.recognition.handwriting``.
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
)
# Held out of training: validation writers (one per family, regular weight) for choosing
# the ``auto`` threshold across more than one font writer.
VAL_NPM_FONTS = ("architects-daughter", "cedarville-cursive", "gochi-hand", "homemade-apple",
                 "indie-flower", "nanum-pen-script", "reenie-beanie", "sue-ellen-francisco")
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
    """Training font files: NPM_FONTS less VAL_NPM_FONTS, all latin weights, installed
    under ``work/fonts``."""
    mods = _npm_install(work, NPM_FONTS)
    out = []
    for n in NPM_FONTS:
        if n not in VAL_NPM_FONTS:
            out += sorted(str(p) for p in (mods / n / "files").glob(f"{n}-latin-[0-9]*-normal.woff"))
    return out


def val_fonts(work: Path) -> list[str]:
    """Validation font files: the regular weight of each VAL_NPM_FONTS family."""
    mods = _npm_install(work, VAL_NPM_FONTS)
    paths = [mods / n / "files" / f"{n}-latin-400-normal.woff" for n in VAL_NPM_FONTS]
    return [str(p) for p in paths if p.exists()]


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
