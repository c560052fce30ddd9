"""What every service needs, built once by the app factory and passed down."""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from prep_core.catalog import Ambito, Catalog, ExpectedActa
from prep_core.events import Event
from prep_core.rowcache import RowCache
from prep_core.signing import KeyPair, b64, unb64
from sync_server.clock import Clock
from sync_server.config import Settings
from sync_server.db.store import Store
from sync_server.services.quota import ImageUsage
from sync_server.services.refusals import RefusalLog
from sync_server.services.throttle import LoginThrottle

if TYPE_CHECKING:
    from sync_server.services.kept import KeptStates

KEY_FORMAT = "prep-server-key/1"


@dataclass
class Context:
    settings: Settings
    store: Store
    clock: Clock
    catalog: Catalog
    key: KeyPair
    stats: Counter[str] = field(default_factory=Counter)
    # accepted events by hash: immutable, so re-derivation need not parse them again
    event_cache: dict[str, Event] = field(default_factory=dict)
    event_cache_size: int = 400_000
    logins: LoginThrottle = field(default_factory=LoginThrottle)
    # strangers' refused requests, summarized in the audit log (services/refusals.py)
    refusals: RefusalLog = field(default_factory=RefusalLog)
    # images per station for the quota (services/quota.py)
    image_usage: ImageUsage = field(default_factory=ImageUsage)
    # each election's published rows of the last cut, reused by the next one for the
    # actas whose state did not change (prep_core/rowcache.py); used under the write lock
    row_caches: dict[str, RowCache] = field(default_factory=dict)
    # every acta's state as of the last cut, caught up by the next one (services/kept.py);
    # used under the write lock
    kept: KeptStates | None = None

    def remember(self, evs: list[Event]) -> None:
        cache = self.event_cache
        over = len(cache) + len(evs) - self.event_cache_size
        if over > 0:  # forget the oldest quarter (dicts keep insertion order)
            for h in list(islice(cache, max(over, self.event_cache_size // 4))):
                del cache[h]
        for ev in evs:
            cache[ev.hash] = ev

    def now(self) -> int:
        return self.clock()

    @property
    def fingerprint(self) -> str:
        return self.catalog.fingerprint

    def acta(self, clave: str) -> ExpectedActa | None:
        return self.catalog.acta(clave)

    @cached_property
    def expected(self) -> dict[str, int]:
        """Expected actas per election."""
        counts = {e.id: self.catalog.expected_count(e.id) for e in self.catalog.elections}
        return {e: n for e, n in counts.items() if n}

    @cached_property
    def expected_by_demarcacion(self) -> dict[tuple[str, int], int]:
        return dict(
            Counter((a.election.id, a.id_demarcacion) for a in self.catalog.expected_actas())
        )

    def demarcacion_column(self, election_id: str) -> str:
        e = self.catalog.election(election_id)
        return "id_distrito" if e.ambito is Ambito.DISTRITO else "id_municipio"


def load_or_create_key(path: Path) -> KeyPair:
    """The server's Ed25519 key, kept in a 0600 file in the data folder."""
    if path.exists():
        doc = json.loads(path.read_text(encoding="utf-8"))
        if doc.get("format") != KEY_FORMAT:
            raise SystemExit(f"{path}: not a server key file")
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return KeyPair(Ed25519PrivateKey.from_private_bytes(unb64(doc["private_key"], "key")))
    kp = KeyPair.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"format": KEY_FORMAT, "private_key": b64(kp.private_bytes())}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    return kp
