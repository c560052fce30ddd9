"""SANE scanners through python-sane (Linux): flatbed or automatic document
feeder, resolution and colour mode. Pages are encoded once (JPEG or PNG) and
those bytes are what gets hashed and stored."""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Iterator

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

    def _set(self, dev, name: str, value) -> None:  # type: ignore[no-untyped-def]
        with contextlib.suppress(Exception):  # the device lacks this option: keep its default
            setattr(dev, name, value)

    def scan(self, device: str, settings: ScanSettings,
             cancel: threading.Event | None = None) -> Iterator[Page]:
        try:
            sane = _sane()
            dev = sane.open(device)
        except ImportError:
            raise SourceError("falta python-sane", "python-sane missing", where="SANE") from None
        except Exception as exc:
            raise SourceError(f"no se puede abrir el escáner {device}: {exc}",
                              f"cannot open scanner {device}: {exc}", where="SANE") from None
        try:
            self._set(dev, "mode", settings.mode)
            self._set(dev, "resolution", settings.resolution)
            if settings.batch:
                for feeder in ("Automatic Document Feeder", "ADF", "ADF Front", "ADF Duplex"):
                    try:
                        dev.source = feeder
                        break
                    except Exception:
                        continue
            n = 0
            if settings.batch:
                it = dev.multi_scan()
                while n < settings.max_pages:
                    if cancel is not None and cancel.is_set():
                        break
                    try:
                        image = next(it)
                    except StopIteration:
                        break
                    except Exception as exc:  # feeder empty or jam
                        if n == 0:
                            raise SourceError(f"el escáner no entregó páginas: {exc}",
                                              f"the scanner gave no pages: {exc}",
                                              where=device) from None
                        break
                    n += 1
                    yield Page(encode(image, settings), f"{device} página {n}", f"sane:{device}")
            else:
                image = dev.scan()
                yield Page(encode(image, settings), f"{device} página 1", f"sane:{device}")
        finally:
            with contextlib.suppress(Exception):
                dev.close()
