"""Garbage collection for a server process that holds large, long-lived data.

The server keeps the catalog (about a million objects for a federal election)
and a cache of accepted events in memory for its whole life. CPython's cyclic
collector re-examines all of them on every full collection: measured on ingest
(``prep bench ingest``, 40,000 casillas), collections took 45 % of the ingesting
process's CPU, with single pauses of up to 14 s, while they found almost
nothing to free (the server makes few reference cycles; reference counting
frees the rest at once).

:func:`settle` runs one full collection, moves every object alive at that point
out of the collector's sight (:func:`gc.freeze`: they are still freed by
reference counting when they die) and makes collections rarer. It is called
once the app is built, before serving.
"""

from __future__ import annotations

import gc

# gen 0 every 20,000 net allocations (CPython's default is 700); gen 1 and 2 after
# 20 of the younger one. Chosen with the ingest benchmark (see benchmarks/RESULTS.md).
THRESHOLDS = (20_000, 20, 20)


def settle(thresholds: tuple[int, int, int] = THRESHOLDS) -> None:
    """Collect once, freeze what is alive, and space out later collections."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*thresholds)
