"""Files as scanner software writes them, in the watched folder and in file import:
multi-page TIFF and PDF give one acta per page, JPEG and PNG one each; every stored
image is the exact bytes that were hashed."""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from capture_station.pipeline import STORED, Pipeline
from capture_station.sources import FileImport, WatchedFolder
from capture_station.sources.documents import poppler_available, split
from capture_station.storage.images import sha256

needs_poppler = pytest.mark.skipif(not poppler_available(), reason="poppler-utils not installed")


def scanner_pdf(jpegs: list[bytes], extra_text_page: bool = False) -> bytes:
    """A PDF as scanner software writes it: one page per scan, each page one JPEG image
    (DCTDecode) filling it; optionally a last page of drawn text (no picture)."""
    objs: list[bytes] = []
    kids = []
    n_pages = len(jpegs) + (1 if extra_text_page else 0)
    # 1 catalog, 2 pages; then per page: page, content, image
    for i, jpg in enumerate(jpegs):
        with Image.open(io.BytesIO(jpg)) as im:
            w, h = im.size
            mode = im.mode
        pw, ph = w * 72 / 200, h * 72 / 200
        base = 3 + 3 * i
        kids.append(f"{base} 0 R")
        content = f"q {pw:.2f} 0 0 {ph:.2f} 0 0 cm /Im0 Do Q".encode()
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.2f} {ph:.2f}] "
                    f"/Resources << /XObject << /Im0 {base + 2} 0 R >> >> /Contents {base + 1} 0 R >>"
                    .encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        cs = "/DeviceGray" if mode == "L" else "/DeviceRGB"
        objs.append(f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {cs} "
                    f"/BitsPerComponent 8 /Filter /DCTDecode /Length {len(jpg)} >>\nstream\n".encode()
                    + jpg + b"\nendstream")
    if extra_text_page:
        base = 3 + 3 * len(jpegs)
        kids.append(f"{base} 0 R")
        content = b"BT /F1 24 Tf 72 500 Td (Acta escaneada como texto) Tj ET"
        objs.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font "
                    f"<< /F1 {base + 2} 0 R >> >> /Contents {base + 1} 0 R >>".encode())
        objs.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
        objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {n_pages} >>".encode()]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for k, body in enumerate(head + objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % k + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
    for o in offsets:
        out.write(b"%010d 00000 n \n" % o)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(offsets) + 1, xref))
    return out.getvalue()


def multipage_tiff(images: list[Image.Image], compression: str) -> bytes:
    buf = io.BytesIO()
    images[0].save(buf, "TIFF", save_all=True, append_images=images[1:], compression=compression,
                   dpi=(200, 200))
    return buf.getvalue()


def _settled(p: Path) -> None:
    done = time.time() - 60
    os.utime(p, (done, done))


def _check_stored(station, results, recs) -> None:
    assert [r.status for r in results] == [STORED] * len(recs), [r.text() for r in results]
    assert [r.clave_acta for r in results] == [r["clave_acta"] for r in recs]
    for r in results:
        data = station.images.get(r.sha256)
        assert sha256(data) == r.sha256  # the stored bytes are the ones hashed


def _jpegs(deck, recs) -> list[bytes]:
    return [deck.path(r).read_bytes() for r in recs]


@needs_poppler
def test_pdf_in_the_watched_folder_gives_one_acta_per_page(station, deck, tmp_path):
    recs = deck.records[:3]
    jpegs = _jpegs(deck, recs)
    folder = tmp_path / "inbox"
    folder.mkdir()
    pdf = folder / "lote-001.pdf"
    pdf.write_bytes(scanner_pdf(jpegs))
    _settled(pdf)
    wf = WatchedFolder(folder, settle_s=0)
    pipe = Pipeline(station)
    results = []
    pages = list(wf.pages())
    assert [p.data for p in pages] == jpegs  # the scanner's own JPEGs, byte for byte
    assert [p.name for p in pages] == ["lote-001.pdf p. 1", "lote-001.pdf p. 2", "lote-001.pdf p. 3"]
    assert len({p.source_key for p in pages}) == 3
    for i, page in enumerate(pages):
        r = pipe.process(page, "dani")
        wf.done(page, r.stored)
        results.append(r)
        assert pdf.exists() == (i < 2)  # moved only after its last page
    _check_stored(station, results, recs)
    assert [r.sha256 for r in results] == [sha256(j) for j in jpegs]
    assert (folder / "procesadas" / "lote-001.pdf").exists()
    # the station stopped before moving it: seen again, every page is a repeat
    again = [pipe.process(p, "dani").status for p in FileImport([folder / "procesadas" / "lote-001.pdf"]).pages()]
    assert again == ["imagen_repetida"] * 3


@needs_poppler
def test_pdf_page_without_a_picture_is_drawn_at_300_dpi():
    parts = split(scanner_pdf([_small_jpeg()], extra_text_page=True))
    assert len(parts) == 2 and parts[0].data == _small_jpeg()
    with Image.open(io.BytesIO(parts[1].data)) as im:
        assert im.format == "JPEG"
        assert abs(im.size[0] - 842 * 300 / 72) <= 1 and abs(im.size[1] - 595 * 300 / 72) <= 1


def test_a_damaged_pdf_is_one_page_the_reader_refuses(station, tmp_path):
    f = tmp_path / "roto.pdf"
    f.write_bytes(b"%PDF-1.4\n1 0 obj << >> endobj\n")
    pages = list(FileImport([f]).pages())
    assert len(pages) == 1 and pages[0].data == f.read_bytes()
    r = Pipeline(station).process(pages[0], "dani")
    assert not r.stored and "no es una imagen" in r.message_es


def _small_jpeg() -> bytes:
    img = np.full((600, 900, 3), 240, np.uint8)
    cv2.putText(img, "PREP", (100, 300), cv2.FONT_HERSHEY_SIMPLEX, 4, (20, 20, 120), 8)
    return cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 90])[1].tobytes()


@pytest.mark.parametrize("mode,compression,fmt", [("RGB", "tiff_lzw", "JPEG"), ("L", "tiff_lzw", "PNG"),
                                                  ("RGB", "jpeg", "JPEG")])
def test_multipage_tiff_in_file_import_gives_one_acta_per_page(station, deck, tmp_path, mode,
                                                               compression, fmt):
    recs = deck.records[3:5]
    ims = [Image.open(deck.path(r)).convert(mode) for r in recs]
    tif = tmp_path / "lote.tif"
    tif.write_bytes(multipage_tiff(ims, compression))
    pages = list(FileImport([tif]).pages())
    assert [(p.part, p.parts) for p in pages] == [(0, 2), (1, 2)]
    for p, im in zip(pages, ims, strict=True):
        with Image.open(io.BytesIO(p.data)) as got:
            assert got.format == fmt and got.size == im.size
    pipe = Pipeline(station)
    results = [pipe.process(p, "dani") for p in pages]
    _check_stored(station, results, recs)


def test_multipage_tiff_in_the_watched_folder_moves_after_its_last_page(station, deck, tmp_path):
    recs = deck.records[5:7]
    folder = tmp_path / "inbox"
    folder.mkdir()
    tif = folder / "escaneo.tiff"
    tif.write_bytes(multipage_tiff([Image.open(deck.path(r)) for r in recs], "tiff_lzw"))
    _settled(tif)
    wf = WatchedFolder(folder, settle_s=0)
    pipe = Pipeline(station)
    pages = list(wf.pages())
    assert len(pages) == 2
    r0 = pipe.process(pages[0], "dani")
    wf.done(pages[0], r0.stored)
    assert tif.exists()
    bad = pages[1].__class__(b"not an image", pages[1].name, "folder", pages[1].source_key,
                             pages[1].path, 1, 2)
    r1 = pipe.process(bad, "dani")
    wf.done(bad, r1.stored)
    assert r0.status == STORED and not r1.stored
    assert (folder / "rechazadas" / "escaneo.tiff").exists()  # one page of it was refused


@pytest.mark.parametrize("ext", [".jpg", ".png", ".tif"])
def test_single_page_files_keep_their_bytes(station, deck, tmp_path, ext):
    rec = deck.records[7]
    img = cv2.imread(str(deck.path(rec)))
    ok, buf = cv2.imencode(ext, img)
    assert ok
    f = tmp_path / f"acta{ext}"
    f.write_bytes(buf.tobytes())
    for source in (FileImport([f]), WatchedFolder(tmp_path, settle_s=0)):
        _settled(f)
        pages = [p for p in source.pages() if p.path == str(f)]
        assert len(pages) == 1 and pages[0].data == f.read_bytes() and pages[0].parts == 1
    r = Pipeline(station).process(pages[0], "dani")
    _check_stored(station, [r], [rec])
    assert r.sha256 == sha256(f.read_bytes())
