"""The station's status and its USB exchanges, for the status screen (plain Python).

What the screen shows (actas per state, pages per state, the last hour's work, pages
with problems, approval and the last receipt) is read here in one call; the files the
coordinator carries by USB (pending batches, the enrollment request, an approval, the
server's receipts) are written and read here. The screen only shows the result.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from capture_station import actas
from capture_station.storage.db import Store
from capture_station.sync.approval import approval, import_approval
from capture_station.sync.client import (
    enrollment_request,
    export_pending,
    last_receipt,
    pending_count,
    refused_code,
)
from capture_station.sync.decisions import import_receipts_file
from prep_core.derive import Status
from prep_io.files import write_atomic

HOUR_MS = 3_600_000
PROBLEM_PAGES = 50


@dataclass(frozen=True)
class ProblemPage:
    name: str
    status: str
    message: str
    message_en: str | None


@dataclass(frozen=True)
class StationStatus:
    actas: Counter[Status]
    pending_events: int
    pages: dict[str, int]  # page status → count
    pages_last_hour: int
    captures_last_hour: int  # people's captures and verifications, not the reader's
    problems: list[ProblemPage]  # most recent first
    approval: dict[str, Any] | None  # an approval imported from a file
    last_receipt: dict[str, Any] | None
    code_refused: bool = False  # the server refused the enrollment code given


def station_status(store: Store, now_ms: int | None = None) -> StationStatus:
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    hour = now_ms - HOUR_MS
    pages = {str(k): int(v) for k, v in store.q("SELECT status, COUNT(*) FROM pages GROUP BY status")}
    n_pages = store.one("SELECT COUNT(*) FROM pages WHERE at > ?", hour)
    n_caps = store.one("SELECT COUNT(*) FROM events WHERE kind IN ('captura','verificacion') "
                       "AND operator != 'ocr' AND at > ?", hour)
    problems = [ProblemPage(r["name"], r["status"], r["message"], r["message_en"])
                for r in store.q("SELECT name, status, message, message_en FROM pages "
                                 "WHERE status NOT IN ('guardada','identificada') "
                                 "ORDER BY id DESC LIMIT ?", PROBLEM_PAGES)]
    return StationStatus(
        actas=Counter(s.status for s in actas.all_states(store).values()),
        pending_events=pending_count(store),
        pages=pages,
        pages_last_hour=int(n_pages[0]) if n_pages else 0,
        captures_last_hour=int(n_caps[0]) if n_caps else 0,
        problems=problems,
        approval=approval(store),
        last_receipt=last_receipt(store),
        code_refused=bool(refused_code(store)),
    )


def export_pending_file(station: Any, path: Path) -> int:
    """The pending batches into ``path`` (for the server's USB import); the number of events."""
    doc = export_pending(station, station.store)
    write_atomic(path, json.dumps(doc).encode())
    return sum(len(b["events"]) for b in doc["batches"])


def export_enrollment_file(station: Any, path: Path) -> None:
    write_atomic(path, json.dumps(enrollment_request(station), indent=1).encode())


def import_approval_file(station: Any, path: Path) -> dict[str, Any]:
    """An approval file from the console; raises ValueError/OSError when it is not JSON,
    StationError when it does not approve this station."""
    doc = json.loads(path.read_bytes())
    return import_approval(station, station.store, doc)


def import_receipts_from(station: Any, path: Path) -> tuple[int, int]:
    """The server's receipts file: (receipts imported, new decisions of the server)."""
    return import_receipts_file(station, station.store, json.loads(path.read_text("utf-8")))
