"""Worker processes collect a job's garbage, freeze what outlives it, and sweep now and then (issue #14)."""

from __future__ import annotations

import gc
import weakref

from briefgen.batch import workers


class _Node:
    """A cycle the reference counts alone never free."""

    def __init__(self) -> None:
        self.me = self


def test_settle_collects_the_jobs_garbage_and_freezes_the_rest(monkeypatch):
    monkeypatch.setattr(workers, "_JOBS_DONE", 0)
    try:
        garbage, kept = _Node(), _Node()
        gone_garbage, gone_kept = weakref.ref(garbage), weakref.ref(kept)
        del garbage  # the job's own garbage: freed by the settling, never frozen (it used to leak 9 MB a job)
        workers._settle()
        assert gone_garbage() is None
        assert gc.get_freeze_count() > 0  # what is alive after a job is set aside
        del kept
        gc.collect()
        assert gone_kept() is not None  # frozen cycles are not walked
        for _ in range(workers.SWEEP_EVERY - 1):
            workers._settle()
        assert gone_kept() is None  # the periodic sweep frees it
    finally:
        gc.unfreeze()
