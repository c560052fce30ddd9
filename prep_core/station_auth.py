"""Signed requests (``prep-request/1``): an enrolled station proves who it is on a
read request by signing the station id, the time and the request target with its
Ed25519 key. The server checks the signature against the key it approved and
refuses a request whose time is outside a freshness window.

The station sends three headers: ``X-Prep-Station`` (its id), ``X-Prep-At``
(milliseconds since the epoch, UTC) and ``X-Prep-Signature`` (base64 Ed25519
signature of :func:`request_message`).
"""

from __future__ import annotations

from prep_core.events import canonical
from prep_core.signing import KeyPair, b64

REQUEST_FORMAT = "prep-request/1"
HEADER_STATION = "X-Prep-Station"
HEADER_AT = "X-Prep-At"
HEADER_SIGNATURE = "X-Prep-Signature"
FRESHNESS_MS = 5 * 60 * 1000  # clocks of a station and the server may differ this much


def request_message(station: str, at: int, method: str, target: str) -> bytes:
    """What is signed: ``target`` is the path with its query string (``/a/b?x=1``)."""
    return canonical(
        {
            "format": REQUEST_FORMAT,
            "station": station,
            "at": at,
            "method": method.upper(),
            "target": target,
        }
    )


def signed_headers(key: KeyPair, station: str, at: int, method: str, target: str) -> dict[str, str]:
    sig = key.sign(request_message(station, at, method, target))
    return {HEADER_STATION: station, HEADER_AT: str(at), HEADER_SIGNATURE: b64(sig)}


def is_fresh(at: int, now: int, window_ms: int = FRESHNESS_MS) -> bool:
    return abs(now - at) <= window_ms
