"""Batch runs: a jobs file → many briefings, built in parallel, incrementally and safely.

A jobs file lists briefings explicitly (`jobs:`) or as a matrix (`matrix:`
template × region × period). Each job is an ordinary briefing config plus
`--set`-style overrides (region, period, name and any `vars`), built by
:func:`briefgen.pipeline.build` in a worker process that keeps matplotlib,
reportlab, python-docx and the fonts loaded across jobs.

Safety model:

* every output file is written by the pipeline to a temporary file and renamed
  into place, so a killed run never leaves a half-written document;
* ``manifest.json`` (rewritten atomically, at most once a second and at the end)
  records each finished job with the hashes of all its inputs; a job whose
  inputs are unchanged and whose outputs exist is skipped on the next run;
* one run at a time per output folder: an OS lock (``flock``/``msvcrt``) on
  ``.briefgen-batch.lock``, released by the OS even if the process is killed,
  so there are no stale locks; leftover ``.*.part`` temporaries of a killed run
  are removed by the next run while it holds the lock.

The package's names load on first use (PEP 562), so that ``briefgen.batch.pool`` can
start the workers' fork server before the pipeline is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from briefgen.batch.plan import Job, Plan, load_plan
    from briefgen.batch.runner import Report, run_batch

__all__ = ["Job", "Plan", "Report", "load_plan", "run_batch"]
_FROM = {"Job": "plan", "Plan": "plan", "load_plan": "plan", "Report": "runner", "run_batch": "runner"}


def __getattr__(name: str) -> Any:
    """``from briefgen.batch import run_batch`` and the like, imported when first asked for."""
    if name not in _FROM:
        raise AttributeError(f"module 'briefgen.batch' has no attribute {name!r}")
    return getattr(importlib.import_module(f"briefgen.batch.{_FROM[name]}"), name)
