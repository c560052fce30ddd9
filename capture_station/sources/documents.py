"""Files as scanner software writes them: one acta per page.

A JPEG, PNG, BMP, WebP or single-page TIFF is one page, its bytes untouched. A
multi-page TIFF gives one image per page: PNG (lossless) for black-and-white and
grey pages, JPEG quality 95 for colour ones. A PDF gives, for each page, the scanner's
own image when the page is one picture (a JPEG is taken out byte for byte with poppler's
``pdfimages``; another encoding as PNG, lossless), or the page drawn at 300 dpi
(``pdftoppm``, JPEG 95) otherwise. The bytes of each page are what the station hashes,
stores, reads and publishes.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MAX_PAGES = 500  # a file with more pages is cut here (a feeder holds fewer)
PDF_DPI = 300  # pages that are not one picture are drawn at this resolution
TIMEOUT_S = 120.0  # poppler on one page


@dataclass(frozen=True)
class Part:
    data: bytes
    label: str  # "" for a one-page file, else "p. 3"


def is_pdf(data: bytes) -> bool:
    return data[:5] == b"%PDF-"


def is_tiff(data: bytes) -> bool:
    return data[:4] in (b"II*\x00", b"MM\x00*")


def split(data: bytes) -> list[Part]:
    """The pages of a file's bytes (the file itself when it is one page, or when it
    cannot be split: the reader then says what is wrong with it)."""
    try:
        if is_pdf(data):
            parts = pdf_pages(data)
        elif is_tiff(data):
            parts = tiff_pages(data)
        else:
            parts = []
    except (OSError, ValueError, subprocess.SubprocessError):
        parts = []
    return parts or [Part(data, "")]


# --------------------------------------------------------------------------- TIFF
def tiff_pages(data: bytes) -> list[Part]:
    from PIL import Image, ImageSequence

    with Image.open(io.BytesIO(data)) as im:
        if getattr(im, "n_frames", 1) <= 1:
            return [Part(data, "")]
        out = []
        for i, frame in enumerate(ImageSequence.Iterator(im)):
            if i >= MAX_PAGES:
                break
            out.append(Part(encode(frame), f"p. {i + 1}"))
        return out


def encode(frame) -> bytes:  # type: ignore[no-untyped-def]
    """One page of a TIFF as a file of its own: PNG for 1-bit and grey, JPEG 95 for colour."""
    buf = io.BytesIO()
    dpi = frame.info.get("dpi")
    extra = {"dpi": tuple(round(float(d)) for d in dpi)} if dpi else {}
    if frame.mode in ("1", "L", "I;16", "P"):
        (frame if frame.mode in ("1", "L") else frame.convert("L")).save(buf, "PNG", **extra)
    else:
        frame.convert("RGB").save(buf, "JPEG", quality=95, subsampling=0, **extra)
    return buf.getvalue()


# --------------------------------------------------------------------------- PDF
def poppler_available() -> bool:
    return all(shutil.which(t) for t in ("pdfimages", "pdftoppm", "pdfinfo"))


def _run(args: list[str]) -> str:
    return subprocess.run(args, check=True, capture_output=True, timeout=TIMEOUT_S,
                          text=True, encoding="utf-8", errors="replace").stdout


def _images_per_page(pdf: Path) -> dict[int, list[str]]:
    """page → encodings of its pictures (``pdfimages -list``; masks left out)."""
    out: dict[int, list[str]] = {}
    for row in _run(["pdfimages", "-list", str(pdf)]).splitlines()[2:]:
        cols = row.split()
        if len(cols) > 8 and cols[0].isdigit() and cols[2] == "image":
            out.setdefault(int(cols[0]), []).append(cols[8])
    return out


def pdf_pages(data: bytes) -> list[Part]:
    if not poppler_available():
        raise OSError("poppler-utils (pdfimages, pdftoppm) is not installed")
    with tempfile.TemporaryDirectory(prefix="prep-pdf-") as tmp:
        pdf = Path(tmp) / "in.pdf"
        pdf.write_bytes(data)
        n = 0
        for line in _run(["pdfinfo", str(pdf)]).splitlines():
            if line.startswith("Pages:"):
                n = int(line.split()[1])
        pics = _images_per_page(pdf)
        out = []
        for p in range(1, min(n, MAX_PAGES) + 1):
            label = f"p. {p}" if n > 1 else ""
            out.append(Part(_pdf_page(pdf, p, pics.get(p, []), Path(tmp)), label))
        return out


def _pdf_page(pdf: Path, p: int, encodings: list[str], tmp: Path) -> bytes:
    prefix = tmp / f"p{p}"
    if len(encodings) == 1:  # a scanned page: its one picture, as the scanner made it
        fmt = "-j" if encodings[0] == "jpeg" else "-png"
        _run(["pdfimages", fmt, "-f", str(p), "-l", str(p), str(pdf), str(prefix)])
        got = sorted(tmp.glob(f"p{p}-*"))
        if len(got) == 1 and got[0].suffix in (".jpg", ".png"):
            return got[0].read_bytes()
        for g in got:
            g.unlink()
    _run(["pdftoppm", "-f", str(p), "-l", str(p), "-r", str(PDF_DPI), "-jpeg", "-jpegopt",
          "quality=95", "-singlefile", str(pdf), str(prefix)])
    return prefix.with_suffix(".jpg").read_bytes()
