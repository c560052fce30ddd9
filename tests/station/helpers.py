from __future__ import annotations

import itertools
import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from capture_station.operators import add_operator
from capture_station.recognition.deck import DeckOptions, generate_deck, read_manifest
from capture_station.station import Station, create_station

PASSPHRASE = "frase de prueba 2024"
PASSWORDS = {"ana": "ana-secreta-1", "beto": "beto-secreta-2", "caro": "caro-secreta-3",
             "dani": "dani-secreta-4"}
_ids = itertools.count(1)


@dataclass
class Deck:
    folder: Path
    records: list[dict]

    def path(self, rec: dict) -> Path:
        return self.folder / rec["image"]

    def truth(self, clave: str) -> dict:
        return next(r["fields"] for r in self.records if r["clave_acta"] == clave)

    def copy_to(self, dest: Path, n: int | None = None) -> list[dict]:
        dest.mkdir(parents=True, exist_ok=True)
        recs = self.records[:n] if n else self.records
        done = time.time() - 60  # as a scanner that finished writing a minute ago
        for r in recs:
            shutil.copy(self.path(r), dest / r["image"])
            os.utime(dest / r["image"], (done, done))
        return recs


def make_deck(folder: Path, n: int, seed: int) -> Deck:
    opts = DeckOptions(templates=("bcs2024-diploc", "bcs2024-ayun"), p_qr_damage=0.0,
                       p_upside_down=0.0)
    man = generate_deck(folder, n, seed=seed, opts=opts, workers=2)
    _, recs = read_manifest(man)
    # one acta per casilla and election: drop repeats the generator may draw
    seen, unique = set(), []
    for r in recs:
        if r["clave_acta"] not in seen:
            seen.add(r["clave_acta"])
            unique.append(r)
    return Deck(folder, unique)


def new_station(folder: Path, catalog, station_id: str | None = None,  # type: ignore[no-untyped-def]
                server: str = "") -> Station:
    sid = station_id or f"CATD-{next(_ids):02d}-{uuid.uuid4().hex[:6]}"
    create_station(folder, sid, "CATD de prueba", "CATD", catalog, PASSPHRASE, server)
    st = Station(folder, PASSPHRASE)
    add_operator(st.store, "ana", "Ana Supervisora", "supervisor", PASSWORDS["ana"])
    add_operator(st.store, "beto", "Beto Capturista", "captura", PASSWORDS["beto"])
    add_operator(st.store, "caro", "Caro Verificadora", "verificacion", PASSWORDS["caro"])
    add_operator(st.store, "dani", "Dani Digitaliza", "digitalizacion", PASSWORDS["dani"])
    return st


def entries(values: dict, fields: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for f in fields:
        v = values[f]
        out[f] = "I" if v == "Ilegible" else "S" if v == "Sin dato" else str(v)
    return out


def server_events(db: Path, station: str) -> list[tuple]:
    con = sqlite3.connect(str(db))
    try:
        return con.execute("SELECT seq, hash, kind, clave_acta FROM events WHERE station = ? "
                           "ORDER BY seq", (station,)).fetchall()
    finally:
        con.close()


def jsonl(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


@contextmanager
def tampering_proxy(upstream: str, mutate: Callable[[str, bytes], bytes]) -> Iterator[str]:
    """A man in the middle on loopback: relays GETs (with the X-Prep headers) to
    ``upstream`` and passes each answer's body through ``mutate(path, body)``."""
    import requests

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            fwd = {k: v for k, v in self.headers.items() if k.lower().startswith("x-prep")}
            r = requests.get(upstream + self.path, headers=fwd, timeout=30)
            body = mutate(self.path, r.content) if r.status_code == 200 else r.content
            self.send_response(r.status_code)
            self.send_header("Content-Type", r.headers.get("content-type", "application/json"))
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:  # type: ignore[no-untyped-def]
            pass

    proxy = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{proxy.server_port}"
    finally:
        proxy.shutdown()
        proxy.server_close()


def no_ocr_pipeline(station: Station):  # type: ignore[no-untyped-def]
    """The station's pipeline with the digit reading switched off: pages are
    identified and stored, and people do every capture."""
    from dataclasses import replace

    from capture_station.pipeline import Pipeline
    from capture_station.recognizer import read_page

    def no_ocr(data, cat):  # type: ignore[no-untyped-def]
        return replace(read_page(data, cat), fields={}, model_id=None)

    return Pipeline(station, recognizer=no_ocr)


def rescan_file(deck: Deck, rec: dict, path: Path, quality: int) -> Path:  # type: ignore[type-arg]
    """The same acta scanned again: its deck page re-encoded (other bytes, other hash)."""
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.open(deck.path(rec)).save(buf, "JPEG", quality=quality)
    path.write_bytes(buf.getvalue())
    return path
