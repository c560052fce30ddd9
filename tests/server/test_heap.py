"""The server's garbage-collection settings (sync_server/heap.py)."""

import gc

from sync_server.heap import THRESHOLDS, settle


def test_settle_freezes_live_objects_and_spaces_out_collections():
    before = gc.get_threshold()
    try:
        keep = [[i] for i in range(1000)]
        settle()
        assert gc.get_freeze_count() >= len(keep)
        assert gc.get_threshold() == THRESHOLDS
        # frozen objects still die by reference counting
        cycle: list[object] = []
        cycle.append(cycle)
        del cycle
        assert gc.collect() >= 1  # a new cycle is still collected
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
