"""Requests refused before anyone was authenticated (unknown or unapproved
stations, signatures that do not verify, enrollment without a valid code):
counted in memory (``ctx.stats``, ``/metrics``) and summarized in the audit
log at most once a minute per kind, so that junk never takes the write lock
per request nor pushes real entries out of the log view.

The first refusal of a kind writes a summary at once; later ones within the
minute are only counted, and the next refusal after it writes one summary of
all of them (``count``, ``since``, ``until`` and how many of each error code).
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sync_server.services import audit

if TYPE_CHECKING:
    from sync_server.services.context import Context

WINDOW_MS = 60_000
KINDS = ("batch", "enrollment", "signed_request")
ACTION = "requests_refused"


@dataclass
class _Pending:
    count: int = 0
    since: int = 0
    codes: Counter[str] = field(default_factory=Counter)


@dataclass
class RefusalLog:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: dict[str, _Pending] = field(default_factory=dict)
    last_summary: dict[str, int] = field(default_factory=dict)  # kind -> when written

    def note(self, kind: str, code: str, now: int) -> _Pending | None:
        """Count one refusal; the refusals to summarize now, if a summary is due."""
        with self.lock:
            p = self.pending.setdefault(kind, _Pending(since=now))
            if p.count == 0:
                p.since = now
            p.count += 1
            p.codes[code] += 1
            last = self.last_summary.get(kind)
            if last is not None and now - last < WINDOW_MS:
                return None
            self.last_summary[kind] = now
            self.pending[kind] = _Pending()
            return p


def refused(ctx: Context, kind: str, code: str) -> None:
    """Count a stranger's refused request of ``kind`` (refusing it is the caller's)."""
    ctx.stats[f"refused_{kind}"] += 1
    now = ctx.now()
    due = ctx.refusals.note(kind, code, now)
    if due is None:
        return
    with ctx.store.write() as conn:
        audit.append(
            conn,
            now,
            "server",
            ACTION,
            {
                "kind": kind,
                "count": due.count,
                "since": due.since,
                "until": now,
                "codes": dict(sorted(due.codes.most_common(10))),
            },
        )
