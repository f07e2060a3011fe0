"""Worker processes freeze what outlives a job, and sweep now and then (issue #14)."""

from __future__ import annotations

import gc
import weakref

from briefgen.batch import workers


class _Node:
    """A cycle the reference counts alone never free."""

    def __init__(self) -> None:
        self.me = self


def test_settle_freezes_and_sweeps_now_and_then(monkeypatch):
    monkeypatch.setattr(workers, "_JOBS_DONE", 0)
    try:
        node = _Node()
        gone = weakref.ref(node)
        workers._settle()  # alive after a job: frozen
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert gone() is not None  # frozen cycles are not walked
        for _ in range(workers.SWEEP_EVERY - 1):
            workers._settle()
        assert gone() is None  # the periodic sweep frees it
    finally:
        gc.unfreeze()
