"""Helpers for the server tests: stations, enrollment, batches, a live uvicorn."""

from __future__ import annotations

import socket
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import uvicorn

from prep_core.catalog import Catalog
from prep_core.events import SignedEvent
from prep_core.signing import KeyPair, b64
from sync_server.app import create_app
from sync_server.config import Settings
from sync_server.db.store import Store
from sync_server.services import enrollment_codes, stations, users
from sync_server.services.context import Context
from sync_server.services.stations import enrollment_message

ADMIN, PASSWORD = "coordinadora", "contraseña-de-prueba"


def enrollment(
    station: str, key: KeyPair, role: str = "CATD", at: int = 1, code: str | None = None
) -> dict[str, Any]:
    """A signed enrollment request; with ``code``, as a station sends it online."""
    doc: dict[str, Any] = {
        "station": station,
        "public_key": b64(key.public_bytes),
        "role": role,
        "name": f"Estación {station}",
        "at": at,
    }
    doc["sig"] = b64(key.sign(enrollment_message(doc)))
    if code is not None:
        doc["code"] = code
    return doc


def issue_code(ctx: Context, role: str = "CATD", scope: Any = None, label: str = "") -> str:
    """A one-time enrollment code, as a coordinator issues it in the console."""
    return str(enrollment_codes.issue(ctx, role, label or f"prueba {role}", scope, ADMIN)["code"])


def enroll_all(ctx: Context, keys: dict[str, KeyPair], approve: bool = True) -> None:
    """Each station enrolled with a code of its own (approved at once); with
    ``approve=False``, its request only, pending (as brought on USB)."""
    for name, key in keys.items():
        role = role_of(name)
        if approve:
            enrollment_codes.enroll(ctx, enrollment(name, key, role, code=issue_code(ctx, role)))
        else:
            stations.request_enrollment(ctx, enrollment(name, key, role))


def role_of(name: str) -> str:
    """The role of a test station, by its name (CCV01, CASILLA01, else CATD)."""
    return next((r for r in ("CCV", "CASILLA") if name.startswith(r)), "CATD")


def batch(
    station: str, events: Sequence[SignedEvent], images: dict[str, bytes] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {"station": station, "events": [se.to_wire() for se in events]}
    if images:
        doc["images"] = {k: b64(v) for k, v in images.items()}
    return doc


def images_for(events: Sequence[SignedEvent], all_images: dict[str, bytes]) -> dict[str, bytes]:
    return {
        se.event.payload["image"]: all_images[se.event.payload["image"]]
        for se in events
        if se.event.kind.value == "digitalizacion"
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Live:
    url: str
    app: Any
    store: Store

    @property
    def ctx(self) -> Context:
        ctx: Context = self.app.state.ctx
        return ctx

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)


class Clock:
    def __init__(self, start: int = 1_717_400_000_000) -> None:
        self.t = start

    def __call__(self) -> int:
        self.t += 1
        return self.t


@contextmanager
def live_server(db_url: str, catalog: Catalog, tmp: Path, **settings: Any) -> Iterator[Live]:
    """The app on a real uvicorn bound to loopback, in a thread."""
    s = Settings(database_url=db_url, data_dir=tmp / "data", **settings)
    store = Store(db_url)
    app = create_app(s, store, Clock(), catalog=catalog)
    users.create_user(app.state.ctx, ADMIN, PASSWORD, role="coordinador")
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            proxy_headers=False,  # as prep-server: forwarded-for only via --trusted-proxy
        )
    )
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", app, store)
    finally:
        server.should_exit = True
        t.join(10)
        store.dispose()


def readings_for(catalog: Catalog, clave: str, base: int) -> dict[str, int]:
    """Plausible figures for ``clave``: ``base + i`` in its first six vote fields (the
    first shifted by the acta's own key), small ones in the rest. No two actas alike and
    no more votes than a casilla allows: either raises an alarm (services/alarms.py)."""
    e = catalog.acta(clave).election  # type: ignore[union-attr]
    own = zlib.crc32(clave.encode()) % 40
    return {f: base + i + (own if i == 0 else 0) if i < 6 else i % 3
            for i, f in enumerate(e.vote_fields)}


def conflict_night(
    catalog: Catalog,
    *,
    conflict: bool = True,
    n: int = 1,
    names: tuple[str, str, str] = ("CATD01", "CCV01", "CCV02"),
    election: str = "DIP_LOC",
) -> Any:
    """Stations whose captures put ``n`` actas in conflict (two verified readings
    differ) or in discrepancy (two captures differ, no third)."""
    import hashlib

    from prep_core.events import EventLog, Kind, digitalizacion
    from prep_demo.sim import Night

    keys = {s: KeyPair.generate() for s in names}
    logs = {s: EventLog(s, keys[s], catalog.fingerprint) for s in names}
    out: dict[str, list[SignedEvent]] = {s: [] for s in names}
    imgs: dict[str, bytes] = {}
    t = 1_717_380_000_000
    for a in catalog.expected_actas(election)[:n]:
        clave = a.clave_acta
        data = acta_png(clave)
        sha = hashlib.sha256(data).hexdigest()
        imgs[sha] = data
        c = logs[names[0]]
        out[names[0]].append(c.append(Kind.ACOPIO, clave, t, "acopio1", {}))
        out[names[0]].append(c.append(Kind.DIGITALIZACION, clave, t + 1, "dig1", digitalizacion(sha)))
        x, y = readings_for(catalog, clave, 10), readings_for(catalog, clave, 20)
        plan = [(names[1], "operator:a", x), (names[2], "operator:b", y if not conflict else x)]
        if conflict:
            plan += [(names[1], "operator:c", y), (names[2], "operator:d", y)]
        for i, (st, src, vals) in enumerate(plan):
            out[st].append(
                logs[st].append(
                    Kind.CAPTURA,
                    clave,
                    t + 10 + i,
                    src.split(":")[-1],  # the operator the label names signs it
                    {"source": src, "image": sha, "values": vals},
                )
            )
        t += 1000
    return Night(keys, out, imgs)


def acta_png(clave: str, values: dict[str, int] | None = None) -> bytes:
    """A small synthetic acta image (PNG) naming its CLAVE_ACTA, with ``values``
    written in when given (else eight placeholder lines)."""
    import io

    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return f"imagen {clave}".encode()
    rows = list((values or {f"PARTIDO {i + 1}": 10 + i for i in range(8)}).items())
    img = Image.new("RGB", (340, 46 + 21 * len(rows)), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((4, 4, 335, img.height - 5), outline="black", width=2)
    d.text((14, 12), f"ACTA PREP (SINTETICA)  {clave}", fill="black")
    for i, (name, v) in enumerate(rows):
        y = 36 + i * 21
        d.line((14, y + 16, 326, y + 16), fill="#999999")
        d.text((14, y), name, fill="black")
        d.text((260, y), str(v), fill="#1a3aa8")
    buf = io.BytesIO()
    img.save(buf, "PNG")
    return buf.getvalue()


def event_header(se: SignedEvent) -> str:
    """``X-PREP-Event``: base64 of the signed event's wire JSON."""
    import base64
    import json

    return base64.b64encode(json.dumps(se.to_wire()).encode()).decode()


def upload(
    live: Live,
    station: str,
    key: KeyPair,
    sha: str,
    data: bytes,
    event: SignedEvent | None = None,
) -> httpx.Response:
    """``PUT /api/v1/images/{sha}`` as a station sends it: signed, naming its event."""
    from prep_core.station_auth import signed_headers

    target = f"/api/v1/images/{sha}"
    headers = signed_headers(key, station, live.ctx.now(), "PUT", target)
    headers["Content-Type"] = "application/octet-stream"
    if event is not None:
        headers["X-PREP-Event"] = event_header(event)
    with live.client() as c:
        return c.put(target, content=data, headers=headers)


def digitalizacion_of(events: Sequence[SignedEvent], sha: str) -> SignedEvent:
    return next(
        se
        for se in events
        if se.event.kind.value == "digitalizacion" and se.event.payload["image"] == sha
    )


def wait_healthy(proc: Any, port: int, timeout_s: float = 60) -> httpx.Response:
    """The /health answer of a ``prep-server`` process started by a test; fails the
    test with the server's stderr when it exits or does not answer in time."""
    import subprocess

    import pytest

    assert isinstance(proc, subprocess.Popen)
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
        except httpx.HTTPError:
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"prep-server did not start: {proc.stderr.read() if proc.stderr else ''}")
            time.sleep(0.2)
