"""The site's pages rendered and written by worker processes.

At INE size a cut's site is some 345,000 pages (an acta page per acta, a casilla
page per casilla, a page per sección): rendering them is CPU work under Python's
global lock. Done in the server's own process it takes one core for minutes and
slows ingest meanwhile. :class:`Pages` hands them in batches to a pool of worker
processes (``spawn``: nothing of the server's threads or connections is copied),
each rendering with the same templates and writing the files into the cut's
folder under construction; the server's process only builds each page's values
and records the SHA-256 the workers return. The bytes are those of the inline
renderer (a test compares every file). A batch whose worker fails is rendered
again inline, so a broken pool costs time, never a page.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from jinja2 import Environment

from sync_server.publication.writer import FolderWriter, write_file

BATCH = 250  # pages per task
AHEAD = 4  # batches in flight per worker: bounds the memory of pages waiting
Page = tuple[str, str, dict[str, Any]]  # (path in the cut's folder, template, values)

_POOLS: dict[int, ProcessPoolExecutor] = {}  # by size: kept for the next cut


def render(env: Environment, template: str, values: dict[str, Any]) -> bytes:
    return env.get_template(template).render(**values).encode("utf-8")


def _render_batch(base: str, pages: list[Page]) -> list[tuple[str, str]]:
    """In a worker: render and write each page; return each one's SHA-256."""
    from sync_server.publication.site import ENV

    out = []
    for rel, template, values in pages:
        data = render(ENV, template, values)
        write_file(os.path.join(base, rel), data)
        out.append((rel, hashlib.sha256(data).hexdigest()))
    return out


def _pool(workers: int) -> ProcessPoolExecutor:
    pool = _POOLS.get(workers)
    if pool is None:
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        _POOLS[workers] = pool
    return pool


class Pages:
    """Render and write pages into ``out``, inline (``workers`` 0 or 1) or in
    worker processes; :meth:`finish` waits for every page and records its hash in
    ``out.hashes``."""

    def __init__(self, out: FolderWriter, env: Environment, workers: int = 0) -> None:
        self.out, self.env, self.workers = out, env, workers
        self.pool = _pool(workers) if workers > 1 else None
        self.batch: list[Page] = []
        self.pending: deque[tuple[Future[list[tuple[str, str]]], list[Page]]] = deque()

    def put(self, rel: str, template: str, values: dict[str, Any]) -> None:
        if self.pool is None:
            self.out.put(rel, render(self.env, template, values))
            return
        self.out.ensure_dir(rel)
        self.batch.append((rel, template, values))
        if len(self.batch) >= BATCH:
            self._submit()

    def finish(self) -> None:
        self._submit()
        while self.pending:
            self._collect()

    def _submit(self) -> None:
        if not self.batch:
            return
        assert self.pool is not None
        batch, self.batch = self.batch, []
        try:
            future = self.pool.submit(_render_batch, str(self.out.base), batch)
        except RuntimeError:  # the pool is broken or shut down: render here
            self._inline(batch)
            return
        self.pending.append((future, batch))
        while len(self.pending) > AHEAD * self.workers:
            self._collect()

    def _collect(self) -> None:
        future, batch = self.pending.popleft()
        try:
            done = future.result()
        except Exception:  # a worker died (BrokenProcessPool) or failed: render here
            _POOLS.pop(self.workers, None)
            self._inline(batch)
            return
        self.out.hashes.update(done)

    def _inline(self, batch: list[Page]) -> None:
        for rel, template, values in batch:
            self.out.put(rel, render(self.env, template, values))
