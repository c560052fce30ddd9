"""The audit log: every server action appended to a hash-chained table.

Entry hash = SHA-256 of the canonical JSON of ``{seq, at, actor, action,
detail, prev}``; ``prev`` is the previous entry's hash (64 zeros first).
:func:`verify_audit` recomputes the chain (``prep audit verify``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from sync_server.db.tables import audit_log

GENESIS = "0" * 64


def _canonical(doc: Any) -> bytes:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(seq: int, at: int, actor: str, action: str, detail: str, prev: str) -> str:
    doc = {"seq": seq, "at": at, "actor": actor, "action": action, "detail": detail, "prev": prev}
    return hashlib.sha256(_canonical(doc)).hexdigest()


def append(conn: Connection, at: int, actor: str, action: str, detail: Mapping[str, Any]) -> int:
    """Append one entry inside the caller's (write) transaction; return its seq."""
    last = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (last.seq + 1, last.hash) if last else (1, GENESIS)
    text = _canonical(dict(detail)).decode()
    conn.execute(
        audit_log.insert().values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            detail=text,
            prev=prev,
            hash=entry_hash(seq, at, actor, action, text, prev),
        )
    )
    return seq


@dataclass(frozen=True)
class AuditCheck:
    entries: int
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def verify_audit(conn: Connection) -> AuditCheck:
    errors: list[str] = []
    prev, expected_seq, n = GENESIS, 1, 0
    for row in conn.execute(select(audit_log).order_by(audit_log.c.seq)):
        n += 1
        if row.seq != expected_seq:
            errors.append(f"seq {row.seq}: falta la entrada {expected_seq} / missing entry")
        if row.prev != prev:
            errors.append(f"seq {row.seq}: no enlaza con la anterior / chain link broken")
        h = entry_hash(row.seq, row.at, row.actor, row.action, row.detail, row.prev)
        if h != row.hash:
            errors.append(f"seq {row.seq}: hash alterado / entry altered")
        prev, expected_seq = row.hash, row.seq + 1
    return AuditCheck(n, tuple(errors))


def recent(conn: Connection, limit: int = 100, before: int | None = None) -> list[dict[str, Any]]:
    q = select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)
    if before is not None:
        q = q.where(audit_log.c.seq < before)
    return [
        {
            "seq": r.seq,
            "at": r.at,
            "actor": r.actor,
            "action": r.action,
            "detail": json.loads(r.detail),
            "hash": r.hash,
        }
        for r in conn.execute(q)
    ]
