"""Signature checks on several cores, and chain linking of already-verified events.

``check_wires`` validates every event of a batch and checks its signature
(``services/ed25519.py``), in worker processes when the batch is large
(verification and validation are the largest costs of ingest). Linking then
uses :func:`prep_core.events.link_chain` (``link`` here), which has the
semantics of ``check_chain`` without verifying again.
"""

from __future__ import annotations

import base64
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from prep_core.errors import PrepError
from prep_core.events import signed_from_wire
from sync_server.services.ed25519 import verifier

PARALLEL_FROM = 256  # smaller batches are verified inline
_pool: Executor | None = None
_pool_pid = 0


@dataclass(frozen=True)
class Checked:
    """One wire event after checking: its canonical bytes, hash and signature,
    whether the signature verifies, or why the event is malformed."""

    encoded: bytes = b""
    digest: str = ""
    signature: bytes = b""
    signature_ok: bool = False
    error: tuple[str, str] | None = None


def _check_chunk(public: bytes, wires: list[Any], start: int) -> list[Checked]:
    verify = verifier(public)
    out = []
    for n, w in enumerate(wires):
        try:
            se = signed_from_wire(w, where=f"events[{start + n}]")
        except PrepError as exc:
            out.append(Checked(error=(exc.message_es, exc.message_en)))
            continue
        enc = se.event.encode()
        out.append(Checked(enc, se.hash, se.signature, verify(se.signature, enc)))
    return out


def check_wires(public: bytes, wires: list[Any], workers: int) -> list[Checked]:
    """Validate every wire event (``signed_from_wire``) and verify its signature,
    in worker processes when the batch is large."""
    if workers <= 1 or len(wires) < PARALLEL_FROM:
        return _check_chunk(public, wires, 0)
    size = -(-len(wires) // (workers * 2))
    starts = list(range(0, len(wires), size))
    chunks = [wires[i : i + size] for i in starts]
    out: list[Checked] = []
    for part in _executor(workers).map(_check_chunk, [public] * len(chunks), chunks, starts):
        out.extend(part)
    return out


def _bad_stored(public: bytes, items: list[tuple[str, str]]) -> list[int]:
    """Indices of the stored (signature base64, canonical body) pairs whose
    signature does not verify under ``public``."""
    verify = verifier(public)
    bad = []
    for n, (sig, body) in enumerate(items):
        try:
            raw = base64.b64decode(sig, validate=True)
        except (ValueError, TypeError):
            bad.append(n)
            continue
        if not verify(raw, body.encode()):
            bad.append(n)
    return bad


def bad_signatures(public: bytes, items: list[tuple[str, str]], workers: int) -> list[int]:
    """``_bad_stored`` for many stored events of one station, on several cores."""
    if workers <= 1 or len(items) < PARALLEL_FROM:
        return _bad_stored(public, items)
    size = -(-len(items) // (workers * 2))
    starts = list(range(0, len(items), size))
    chunks = [items[i : i + size] for i in starts]
    out: list[int] = []
    for start, bad in zip(
        starts, _executor(workers).map(_bad_stored, [public] * len(chunks), chunks), strict=True
    ):
        out.extend(start + n for n in bad)
    return out


def _executor(workers: int) -> Executor:
    global _pool, _pool_pid
    if _pool is None or _pool_pid != os.getpid():
        ctx = multiprocessing.get_context("forkserver")
        _pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        _pool_pid = os.getpid()
    return _pool


def shutdown_pool() -> None:
    """Stop the worker processes (at server shutdown); the next large batch starts
    a new pool."""
    global _pool
    pool, _pool = _pool, None
    if pool is not None and _pool_pid == os.getpid():
        pool.shutdown(wait=True, cancel_futures=True)


def default_workers() -> int:
    return min(4, os.cpu_count() or 1)
