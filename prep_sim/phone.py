"""A PREP Casilla phone: it enrolls with a code for the role CASILLA and sends, for
some actas, a photo taken at the casilla before the paper reaches the CATD: the image
(a signed upload naming its signed ``digitalizacion``, origen CASILLA, MOVIL) and
the event in a batch. What the server refuses or cannot take (down) is sent again."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from typing import Any

import cv2
import numpy as np
import requests

from prep_core.events import EventLog, Kind, SignedEvent, canonical, digitalizacion
from prep_core.signing import KeyPair, b64
from prep_core.station_auth import signed_headers

ENROLL_FORMAT = "prep-enrollment/1"


def now_ms() -> int:
    return int(time.time() * 1000)


def photo_of(sheet: bytes) -> bytes:
    """The sheet as a phone sees it: smaller, grey, another JPEG."""
    img = cv2.imdecode(np.frombuffer(sheet, np.uint8), cv2.IMREAD_GRAYSCALE)
    img = cv2.resize(img, None, fx=0.85, fy=0.85, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 80])
    return buf.tobytes() if ok else sheet


class Phone:
    def __init__(self, url: str, catalog: str, code: str, station: str = "CASILLA01") -> None:
        self.url, self.station = url, station
        self.key = KeyPair.generate()
        self.log = EventLog(station, self.key, catalog)
        self.http = requests.Session()
        self.http.trust_env = False
        self.unsent: list[tuple[SignedEvent, bytes]] = []
        self.sent = self.retries = 0
        doc = {"station": station, "public_key": b64(self.key.public_bytes), "role": "CASILLA",
               "name": "PREP Casilla (simulacro)", "at": now_ms()}
        sig = self.key.sign(canonical({"format": ENROLL_FORMAT, **doc}))
        r = self.http.post(url + "/api/v1/stations/enroll", json={**doc, "sig": b64(sig), "code": code},
                           timeout=30)
        r.raise_for_status()

    def take(self, clave: str, qr: str, sheet: bytes) -> None:
        data = photo_of(sheet)
        sha = hashlib.sha256(data).hexdigest()
        se = self.log.append(Kind.DIGITALIZACION, clave, now_ms(), "funcionario",
                             digitalizacion(sha, "CASILLA", qr))
        self.unsent.append((se, data))
        self.flush()

    def flush(self) -> None:
        while self.unsent:
            se, data = self.unsent[0]
            try:
                self._send(se, data)
            except requests.RequestException:
                self.retries += 1
                return
            self.unsent.pop(0)
            self.sent += 1

    def _send(self, se: SignedEvent, data: bytes) -> None:
        sha = se.event.payload["image"]
        target = f"/api/v1/images/{sha}"
        headers: dict[str, Any] = signed_headers(self.key, self.station, now_ms(), "PUT", target)
        headers["Content-Type"] = "application/octet-stream"
        headers["X-PREP-Event"] = base64.b64encode(
            json.dumps(se.to_wire(), separators=(",", ":")).encode()).decode()
        r = self.http.put(self.url + target, data=data, headers=headers, timeout=30)
        if r.status_code not in (200, 201):
            raise requests.HTTPError(f"image {r.status_code}: {r.text[:200]}")
        r = self.http.post(self.url + "/api/v1/batches",
                           json={"station": self.station, "events": [se.to_wire()]}, timeout=30)
        if r.status_code != 200:
            raise requests.HTTPError(f"batch {r.status_code}: {r.text[:200]}")
