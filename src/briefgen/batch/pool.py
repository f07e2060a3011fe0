"""The worker pool's start method, and starting its fork server early.

Workers are forked from a fork server that has imported the heavy libraries once
(matplotlib, reportlab, python-docx, the pipeline): ~0.75 s before the first job can
start. On a batch's first run `briefgen batch` starts that server before it imports the
pipeline and reads the plan itself, so both happen at once on two processors.

The standard library and PyYAML only: importing this module must stay cheap.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from multiprocessing import forkserver
from pathlib import Path
from typing import Any

import yaml

__all__ = ["PRELOAD", "pool_context", "default_workers", "start_early"]

# Imported once in the fork server; every worker forked from it starts warm.
PRELOAD = ["briefgen.batch.workers", "briefgen.pipeline", "briefgen.charts.render", "matplotlib.figure",
           "matplotlib.backends.backend_agg", "briefgen.writers.docx", "briefgen.writers.pdf", "briefgen.builder"]


def pool_context() -> Any:
    """A forkserver context that preloads the heavy libraries (spawn where there is no forkserver)."""
    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


def default_workers() -> int:
    """The number of processors this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _output_folder(jobs_file: Path, out: Path | None) -> Path | None:
    """The batch's output folder as :func:`briefgen.batch.plan.load_plan` decides it, read
    with the YAML parser alone; None when the file cannot be read (the plan will say why)."""
    if out is not None:
        return out
    try:
        top = yaml.load(jobs_file.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # noqa: BLE001 - any problem is the plan's to report, in Chinese
        return None
    if not isinstance(top, dict):
        return None
    if top.get("output"):
        q = Path(str(top["output"]))
        return q if q.is_absolute() else jobs_file.resolve().parent / q
    return Path("output") / jobs_file.stem


def start_early(jobs_file: Path, out: Path | None, workers: int | None, force: bool) -> bool:
    """Start the pool's fork server now when this run will surely need it: more than one
    worker, and nothing built before in the output folder (no manifest) or ``--force``.
    A rerun that finds everything up to date must not pay for a server it never uses."""
    if (workers or default_workers()) < 2 or "forkserver" not in mp.get_all_start_methods():
        return False
    folder = _output_folder(jobs_file, out)
    if folder is None or (not force and (folder / "manifest.json").exists()):
        return False
    pool_context()
    forkserver.ensure_running()
    return True
