"""Read one acta image: quality, QR identity, template, every figure with a confidence.

:func:`read_acta` never raises on a bad image: the returned :class:`Reading` has
``status`` ``"ok"`` or ``"rejected"`` and a ``reason`` (Spanish first, English beside).
Time and memory are bounded: dimensions are checked from the file header before any
decoding, and large pages are decoded at reduced resolution.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from capture_station.recognition import cells, qrread, words
from capture_station.recognition.digits import DigitModel, load_model
from capture_station.recognition.fields import decode_field, read_fields
from capture_station.recognition.identity import WrittenReading, compare, read_written
from capture_station.recognition.quality import REASONS, Quality, Reason, assess, to_quality_size
from capture_station.recognition.register import Registration, covers, homography, register, to_full
from capture_station.recognition.sheet import Sheet, find_sheet, whiten_backing
from capture_station.recognition.templates import Template, load_templates
from capture_station.recognition.words import load_words_model

MAX_BYTES = 80 * 1024 * 1024
MIN_SIDE = 400
MAX_SIDE = 12_000
MAX_PIXELS = 60_000_000
REDUCE_ABOVE = 4_600  # long side in px: decode JPEGs at half size above this (≈ >270 dpi)
MIN_FINGERPRINT = 0.7
PARTIAL_ASPECT = 0.2  # a sheet whose long/short ratio is this far from every form's is cut short


@dataclass
class Reading:
    status: str = "rejected"
    reason: Reason | None = None
    quality: Quality | None = None
    qr: str | None = None
    qr_method: str = ""
    clave_acta: str | None = None
    template: str | None = None
    election: str | None = None
    upside_down: bool | None = None
    rotated: int = 0  # degrees the scan was turned clockwise before reading (a portrait scan)
    fields: dict = field(default_factory=dict)
    checks: list = field(default_factory=list)
    ms: float = 0.0
    size: tuple[int, int] | None = None
    # the label (QR, or a key typed by hand) against section 1's writing (``identity.py``)
    identity: dict | None = None
    written: WrittenReading | None = None

    def agrees(self) -> bool | None:
        return self.identity.get("agrees") if self.identity else None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def to_json(self) -> dict:
        return {
            "status": self.status,
            "reason": self.reason.to_json() if self.reason else None,
            "quality": self.quality.to_json() if self.quality else {"ok": False, "reasons": [
                self.reason.to_json()] if self.reason else [], "metrics": {}},
            "qr": self.qr,
            "qr_method": self.qr_method or None,
            "clave_acta": self.clave_acta,
            "template": self.template,
            "election": self.election,
            "upside_down": self.upside_down,
            "rotated": self.rotated,
            "fields": self.fields,
            "checks": self.checks,
            "identity": self.identity,
            "ms": round(self.ms, 1),
        }


# --------------------------------------------------------------------------- loading
def _truncated(data: bytes, fmt: str | None) -> bool:
    tail = data.rstrip(b"\x00\r\n ")
    if fmt == "JPEG":
        return not tail.endswith(b"\xff\xd9")
    if fmt == "PNG":
        return b"IEND" not in data[-64:]
    return False


def load_image(data: bytes) -> tuple[np.ndarray | None, Reason | None, tuple[int, int] | None]:
    """Decode an image after checking its header; (image BGR or grey, reason, (w, h))."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_BYTES:
        return None, REASONS["too_large"], None
    try:
        with Image.open(io.BytesIO(data)) as im:  # lazy: reads the header only
            w, h = im.size
            fmt = im.format
    except Image.DecompressionBombError:
        return None, REASONS["too_large"], None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return None, REASONS["not_image"], None
    except Exception:
        return None, REASONS["not_image"], None
    if min(w, h) < MIN_SIDE:
        return None, REASONS["too_small"], (w, h)
    if max(w, h) > MAX_SIDE or w * h > MAX_PIXELS:
        return None, REASONS["too_large"], (w, h)
    if _truncated(data, fmt):
        return None, REASONS["truncated"], (w, h)
    buf = np.frombuffer(data, np.uint8)
    flag = cv2.IMREAD_COLOR
    if fmt == "JPEG" and max(w, h) > REDUCE_ABOVE:
        flag = cv2.IMREAD_REDUCED_COLOR_2
    img = cv2.imdecode(buf, flag)
    if img is None:
        try:
            with Image.open(io.BytesIO(data)) as im:
                img = cv2.cvtColor(np.asarray(im.convert("RGB")), cv2.COLOR_RGB2BGR)
        except Exception:
            return None, REASONS["truncated"], (w, h)
    if img.ndim == 3:
        s = img[::16, ::16].astype(np.int16)
        if np.abs(s[:, :, 0] - s[:, :, 2]).mean() < 2 and np.abs(s[:, :, 1] - s[:, :, 2]).mean() < 2:
            img = img[:, :, 1].copy()
    return img, None, (w, h)


# --------------------------------------------------------------------------- main
def prepare() -> None:
    """Load (and warm) what every reading needs: templates, the digit and words models.
    Called once before the first image, so that no acta's time includes loading."""
    load_templates()
    load_model()
    load_words_model()


def read_acta(source: bytes | str | Path, catalog=None, templates: list[Template] | None = None,
              model: DigitModel | None = None, label=None) -> Reading:
    """``label``: a ``QrIdentity`` typed by hand, compared with the acta's writing instead
    of the QR's."""
    t0 = time.perf_counter()
    r = Reading()
    try:
        _read(source, catalog, templates, model, r, label)
    except MemoryError:
        r.status, r.reason = "rejected", REASONS["too_large"]
    except Exception as exc:  # never crash on an image: report and go on
        r.status, r.reason = "rejected", Reason("internal", f"{REASONS['internal'].es}: {exc!r}",
                                                f"{REASONS['internal'].en}: {exc!r}")
    r.ms = (time.perf_counter() - t0) * 1000
    return r


def _read(source, catalog, templates, model, r: Reading, label=None) -> None:
    if isinstance(source, (str, Path)):
        p = Path(source)
        try:
            if p.stat().st_size > MAX_BYTES:
                r.reason = REASONS["too_large"]
                return
            data = p.read_bytes()
        except OSError as exc:
            r.reason = Reason("not_found", f"no se puede abrir el archivo: {exc.strerror}",
                              f"cannot open the file: {exc.strerror}")
            return
    else:
        data = bytes(source)
    img, reason, size = load_image(data)
    r.size = size
    if img is None:
        r.reason = reason
        return
    all_t = list(templates or load_templates())
    gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    small = to_quality_size(gray)
    unturned = small.shape
    sh = find_sheet(small)
    if sh.portrait and not any(t.page_h > t.page_w for t in all_t):
        # a portrait scan of a landscape form: the small page is turned a quarter round
        # (upside down is found later); the full page is not, its registration is mapped back
        small = cv2.rotate(small, cv2.ROTATE_90_CLOCKWISE)
        sh = find_sheet(small)
        r.rotated = 90
    r.quality = assess(small, sh.mask(small.shape) if sh.backing != "none" else None)
    r.quality.metrics["backing_dark"] = float(sh.backing == "dark")
    if r.quality.ok and _partial(sh, all_t):
        r.quality.ok = False
        r.quality.reasons.append(REASONS["partial"])
    if not r.quality.ok:
        r.reason = r.quality.reasons[0]
        return
    reg, code = register(whiten_backing(small, sh), gray.shape[::-1] if r.rotated else gray.shape,
                         all_t)
    if reg is not None and r.rotated:
        reg = _unturn(reg, unturned, gray.shape)
    if reg is None:
        r.quality.ok = False
        r.quality.reasons.append(REASONS[code])
        r.reason = REASONS[code]
        r.qr, r.qr_method = qrread.read_page(gray)
        _identity(r, catalog)
        return
    r.upside_down = reg.upside_down
    r.qr, r.qr_method = qrread.read_label(gray, reg.H, reg.template)
    if r.qr is None:
        r.qr, r.qr_method = qrread.read_page(gray)
    ident, expected = _identity(r, catalog)

    # choose the template: catalog election, else the QR's acta type, else the page itself
    t: Template | None = None
    if expected is not None:
        cands = [x for x in all_t if x.election == expected.election.id]
        if not cands:
            r.reason = REASONS["unknown_form"]
            return
        t = max(cands, key=lambda x: reg.scores.get(x.id, -1))
    elif ident is not None:
        cands = [x for x in all_t if ident.tipo_acta in x.tipo_acta
                 and x.id_tipo_candidatura == ident.id_tipo_candidatura]
        if cands:
            t = max(cands, key=lambda x: reg.scores.get(x.id, -1))
    if t is None:
        t = reg.template
        # forms sharing a layout (same corner marks, near-equal fingerprints): the printed number
        close = [x for x in all_t if reg.scores.get(x.id, -1) > reg.score - 0.05]
        if len(close) > 1:
            from capture_station.recognition.printed import best_by_number

            t = best_by_number(gray, reg.H, close) or t
    if reg.scores.get(t.id, -1) < MIN_FINGERPRINT:
        r.reason = REASONS["unknown_form"]
        return
    if catalog is not None:
        elections = {e.id for e in catalog.elections}
        if t.election not in elections:
            r.template, r.reason = t.id, REASONS["other_election"]
            return
        if ident is not None and expected is None:
            r.checks.append({"code": "fuera_catalogo", "ok": False, **REASONS["fuera_catalogo"].to_json()})
    r.template, r.election = t.id, t.election
    H = reg.H if t.id == reg.template.id else reg.for_template(t)
    if not covers(H, t, gray.shape):
        r.reason = REASONS["partial"]
        return

    model = model or load_model()
    if model is None:
        r.reason = REASONS["no_model"]
        return
    chan = cells.dropout_channel(img)  # once for the cells and the words lines
    x, _keys = cells.extract(chan, H, t)
    probs, feats = model.read(x)
    readings, per_cell, i = {}, {}, 0
    per_feat: dict | None = {} if feats is not None else None
    for f in t.fields:
        per_cell[f.name] = probs[i: i + len(f.cells)]
        if per_feat is not None:
            per_feat[f.name] = feats[i: i + len(f.cells)]
        readings[f.name] = decode_field(per_cell[f.name])
        i += len(f.cells)
    wm = load_words_model()
    in_words, from_words = _read_words(wm, chan, H, t, per_cell, readings)
    r.fields, checks = read_fields(t, readings, *model.thresholds(wm.name if wm else None),
                                   per_cell, per_feat)
    words.check_words(r.fields, in_words, from_words, *((wm.words_auto, wm.words_hand) if wm else
                                                         (words.WORDS_AUTO, words.WORDS_HAND)), checks)
    r.checks.extend(checks)
    r.written = read_written(chan, H, t, model)
    r.identity = compare(r.written, label if label is not None else ident, catalog)
    r.status = "ok"


def _unturn(reg: Registration, small_shape: tuple[int, ...],
            full_shape: tuple[int, ...]) -> Registration:
    """A registration found on the small page turned 90° clockwise, in the unturned full
    page's pixels: a pixel (x', y') of the turned small page is the unturned small page's
    (y', hs - 1 - x'), which :func:`register.to_full` takes to the full page like any
    page's points (pixel centres, each axis its own factor), so that the cells are cut
    where the same page scanned upright would have them cut."""
    assert reg.small_points is not None
    turned = reg.small_points
    hs = small_shape[0]
    small = np.stack([turned[:, 1], hs - 1 - turned[:, 0]], axis=1)
    reg.points = to_full(small, small_shape, full_shape)
    reg.H = homography(reg.template, reg.points, reg.upside_down)
    return reg


def _partial(sh: Sheet, templates: list[Template]) -> bool:
    """A whole sheet seen against the backing whose shape is no acta's: part of it is missing."""
    if sh.backing == "none" or sh.touches_edge or not templates:
        return False
    aspects = [max(t.page_w, t.page_h) / min(t.page_w, t.page_h) for t in templates]
    return all(abs(sh.aspect / a - 1) > PARTIAL_ASPECT for a in aspects)


def _read_words(wm, img, H, t: Template, per_cell: dict, readings: dict) -> tuple[dict, set[str]]:
    """Joins each figure's words line, when the words model ``wm`` is there, to its cells'
    readings (``words.figure_readings``, in place); returns what each line says on its own
    (value, probability) and the figures whose value is their words' alone. An acta with
    a figure whose cells are unreadable has every words line read steadily
    (``words.steady_lines``)."""
    if wm is None:
        return {}, set()
    x, names = words.extract(img, H, t)
    said, from_words = {}, set()
    lines = wm.read(x, steady=words.steady_lines([readings[n] for n in names]))
    for n, line in zip(names, lines, strict=True):
        readings[n], alone = words.figure_readings(per_cell[n], readings[n], line, wm.weight)
        if alone:
            from_words.add(n)
        said[n] = line.sure()
    return said, from_words


def _identity(r: Reading, catalog):
    if r.qr is None:
        r.checks.append({"code": "qr_unreadable", "ok": False, **REASONS["qr_unreadable"].to_json()})
        return None, None
    try:
        from prep_core.qr import INE_LAYOUT, parse_qr

        layout = INE_LAYOUT
        ident = parse_qr(r.qr, layout)
    except ValueError as exc:
        r.checks.append({"code": "qr_invalid", "ok": False, "es": f"{REASONS['qr_invalid'].es}: "
                         f"{getattr(exc, 'message_es', exc)}", "en": f"{REASONS['qr_invalid'].en}: "
                         f"{getattr(exc, 'message_en', exc)}"})
        return None, None
    r.clave_acta = ident.clave_acta
    expected = catalog.match_qr(ident) if catalog is not None else None
    return ident, expected
