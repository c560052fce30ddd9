"""Events whose canonical bytes and hash are computed once.

Ingest and derivation ask each event for its hash many times. When the domain
:class:`~prep_core.events.Event` caches them itself (``_encoded`` and ``hash``
as cached properties) it is used as is; otherwise this subclass caches them.
Events read back from the database take the stored canonical body and hash as
they are (both were checked at ingest).
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any

from prep_core.events import Event, Kind

CORE_CACHES = isinstance(Event.__dict__.get("_encoded"), cached_property) and isinstance(
    Event.__dict__.get("hash"), cached_property
)


class FastEvent(Event):
    @cached_property
    def _encoded(self) -> bytes:
        return Event.encode(self)

    def encode(self) -> bytes:
        return self._encoded

    @cached_property
    def hash(self) -> str:
        return hashlib.sha256(self._encoded).hexdigest()


def from_stored(body: str, digest: str | None = None) -> Event:
    """Rebuild an event from its stored canonical body (validated at ingest)."""
    b = json.loads(body)
    cls = Event if CORE_CACHES else FastEvent
    ev = cls(
        b["station"],
        b["seq"],
        b["prev"],
        Kind(b["kind"]),
        b["acta"],
        b["at"],
        b["operator"],
        b["catalog"],
        b["payload"],
    )
    ev.__dict__["_encoded"] = body.encode()
    if digest is not None:
        ev.__dict__["hash"] = digest
    return ev


def trusted_event(body: dict[str, Any], encoded: bytes, digest: str) -> Event:
    """An event from a wire body already validated (and encoded) by a checker."""
    cls = Event if CORE_CACHES else FastEvent
    ev = cls(
        body["station"],
        body["seq"],
        body["prev"],
        Kind(body["kind"]),
        body["acta"],
        body["at"],
        body["operator"],
        body["catalog"],
        body["payload"],
    )
    ev.__dict__["_encoded"] = encoded
    ev.__dict__["hash"] = digest
    return ev
