"""SANE scanners through python-sane (Linux): flatbed or automatic document
feeder, resolution and colour mode. Pages are encoded once (JPEG or PNG) and
those bytes are what gets hashed and stored."""

from __future__ import annotations

import contextlib
import io
import multiprocessing
import threading
from collections.abc import Callable, Iterator

from capture_station.sources.base import Page, ScannerSource, ScanSettings, SourceError

_INIT = threading.Lock()
_initialized = False


def _sane():  # type: ignore[no-untyped-def]
    global _initialized
    import sane

    with _INIT:
        if not _initialized:
            sane.init()
            _initialized = True
    return sane


def encode(image, settings: ScanSettings) -> bytes:  # type: ignore[no-untyped-def]
    buf = io.BytesIO()
    if settings.image_format.upper() == "PNG":
        image.save(buf, "PNG", dpi=(settings.resolution, settings.resolution))
    else:
        image.convert("RGB" if image.mode not in ("L", "RGB") else image.mode).save(
            buf, "JPEG", quality=settings.jpeg_quality,
            dpi=(settings.resolution, settings.resolution))
    return buf.getvalue()


class SaneSource(ScannerSource):
    name = "SANE"

    def __init__(self, child: Callable[..., None] | None = None) -> None:
        # what runs in the child process (a top-level function, as ``spawn`` needs)
        self.child = child or _scan_child

    def available(self) -> tuple[bool, str]:
        try:
            _sane()
        except ImportError:
            return False, "SANE: falta python-sane (pip install python-sane; requiere libsane-dev)"
        except Exception as exc:
            return False, f"SANE no disponible: {exc}"
        return True, "SANE disponible"

    def devices(self) -> list[tuple[str, str]]:
        try:
            return [(d[0], f"{d[1]} {d[2]} ({d[3]})") for d in _sane().get_devices()]
        except Exception:
            return []

    def scan(self, device: str, settings: ScanSettings,
             cancel: threading.Event | None = None) -> Iterator[Page]:
        """Pages from a child process that drives the scanner: a driver that hangs
        or crashes (they do) is stopped after ``settings.page_timeout_s`` of silence
        and cannot take the station down with it."""
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=self.child, args=(device, settings, child),
                           name="prep-sane", daemon=True)
        proc.start()
        child.close()
        n = 0
        try:
            while True:
                waited = 0.0
                while not parent.poll(0.1):
                    waited += 0.1
                    if cancel is not None and cancel.is_set():
                        return
                    if not proc.is_alive() and not parent.poll(0):
                        raise SourceError("el escáner se detuvo sin terminar el lote",
                                          "the scanner stopped before the end of the batch",
                                          where=device)
                    if waited >= settings.page_timeout_s:
                        raise SourceError(
                            f"el escáner no respondió en {settings.page_timeout_s:g} s; "
                            "revíselo y vuelva a escanear",
                            f"the scanner did not answer in {settings.page_timeout_s:g} s; "
                            "check it and scan again", where=device)
                try:
                    msg = parent.recv()
                except EOFError:
                    raise SourceError("el escáner se detuvo sin terminar el lote",
                                      "the scanner stopped before the end of the batch",
                                      where=device) from None
                if msg[0] == "page":
                    n += 1
                    yield Page(msg[1], f"{device} página {n}", f"sane:{device}")
                elif msg[0] == "error":
                    raise SourceError(msg[1], msg[2], where=msg[3])
                else:
                    return
        finally:
            parent.close()
            if proc.is_alive():
                proc.kill()
            proc.join(10)


def _scan_child(device: str, settings: ScanSettings, conn) -> None:  # type: ignore[no-untyped-def]
    """In the child process: open the device, send each page's encoded bytes."""
    try:
        for data in _scan_pages(device, settings):
            conn.send(("page", data))
        conn.send(("done",))
    except SourceError as exc:
        conn.send(("error", exc.message_es, exc.message_en, exc.where))
    finally:
        conn.close()


def _set(dev, name: str, value) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(Exception):  # the device lacks this option: keep its default
        setattr(dev, name, value)


def _scan_pages(device: str, settings: ScanSettings) -> Iterator[bytes]:
    try:
        sane = _sane()
        dev = sane.open(device)
    except ImportError:
        raise SourceError("falta python-sane", "python-sane missing", where="SANE") from None
    except Exception as exc:
        raise SourceError(f"no se puede abrir el escáner {device}: {exc}",
                          f"cannot open scanner {device}: {exc}", where="SANE") from None
    try:
        _set(dev, "mode", settings.mode)
        _set(dev, "resolution", settings.resolution)
        for name, value in settings.options:
            _set(dev, name.replace("-", "_"), value)
        if not settings.batch:
            yield encode(dev.scan(), settings)
            return
        for feeder in ("Automatic Document Feeder", "ADF", "ADF Front", "ADF Duplex"):
            try:
                dev.source = feeder
                break
            except Exception:
                continue
        it = dev.multi_scan()
        n = 0
        while n < settings.max_pages:
            try:
                image = next(it)
            except StopIteration:
                break
            except Exception as exc:  # feeder empty or jam
                if n == 0:
                    raise SourceError(f"el escáner no entregó páginas: {exc}",
                                      f"the scanner gave no pages: {exc}", where=device) from None
                break
            n += 1
            yield encode(image, settings)
    finally:
        with contextlib.suppress(Exception):
            dev.close()
