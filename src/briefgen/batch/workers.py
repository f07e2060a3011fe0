"""Worker processes: each loads the libraries and fonts once and builds many jobs.

A job's failure is a result, never an exception: the batch goes on.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from briefgen.batch.incremental import sha256_file
from briefgen.batch.plan import Job
from briefgen.errors import BriefgenError
from briefgen.fonts import resolve_fonts
from briefgen.pipeline import build

_IN_JOB = False


class _Terminated(BaseException):
    """SIGTERM while building: unwind so the pipeline removes its temporaries, then exit."""


def _on_sigterm(signum: int, frame: Any) -> None:
    if _IN_JOB:
        raise _Terminated()
    os._exit(128 + signum)


def warm_up() -> None:
    """Load everything a build needs once per process, so each job pays only for itself."""
    # Imported here, not at module level: loading them is this function's whole job.
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    import briefgen.builder  # noqa: F401
    import briefgen.charts.render  # noqa: F401
    import briefgen.pipeline  # noqa: F401
    import briefgen.writers.docx  # noqa: F401
    import briefgen.writers.pdf  # noqa: F401

    try:
        resolve_fonts(None)
    except BriefgenError:
        pass  # the job will report it


def worker_init(cwd: str, env: dict[str, str]) -> None:
    # A forkserver child starts with the server's cwd and environment, not ours.
    """Prepare a worker process: the parent's folder and BRIEFGEN_ settings, signals, warm imports."""
    os.chdir(cwd)
    for k in [k for k in os.environ if k.startswith("BRIEFGEN_") and k not in env]:
        del os.environ[k]
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    warm_up()


def _peak_rss_mb() -> float | None:
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_job(job: Job, root: str, templates: list[Path] | None = None, debug: bool = False) -> dict[str, Any]:
    """Build one job; never raises for a job's own problems (failures are results)."""
    global _IN_JOB

    t0 = time.perf_counter()
    rootp = Path(root)
    target = rootp / job.output
    res: dict[str, Any] = {"output": job.output, "pid": os.getpid()}
    _IN_JOB = True
    try:

        # Python warnings (e.g. glyphs missing from a font) go to the report, not to stderr.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build(job.config, target.parent, list(job.formats), list(job.overrides), templates or None)
        files = {}
        for p in result.outputs:
            # The audit workbook (<name>.audit.xlsx) is listed as "audit" beside the formats.
            fmt = "audit" if result.audit is not None and p == result.audit else p.suffix.lstrip(".").lower()
            files[fmt] = {"path": Path(os.path.relpath(p, rootp)).as_posix(), "sha256": sha256_file(p),
                          "size": p.stat().st_size}
        extra = [str(w.message) for w in caught if str(w.message) not in result.warnings]
        res.update(ok=True, files=files, warnings=list(result.warnings) + list(dict.fromkeys(extra)))
    except _Terminated:
        os._exit(143)
    except BriefgenError as e:
        res.update(ok=False, error=e.render())
    except Exception as e:  # noqa: BLE001 - isolate every job

        res.update(ok=False, error=f"内部错误：{type(e).__name__}: {e}",
                   traceback=traceback.format_exc() if debug else None)
    finally:
        _IN_JOB = False
    res["seconds"] = round(time.perf_counter() - t0, 3)
    res["peak_rss_mb"] = _peak_rss_mb()
    return res


def pool_context():
    """A forkserver context that preloads the heavy libraries (spawn where there is no forkserver)."""

    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Imported once in the fork server; every worker forked from it starts warm.
        ctx.set_forkserver_preload(["briefgen.batch.workers", "briefgen.pipeline", "briefgen.charts.render",
                                    "matplotlib.figure", "matplotlib.backends.backend_agg",
                                    "briefgen.writers.docx", "briefgen.writers.pdf", "briefgen.builder"])
        return ctx
    return mp.get_context("spawn")


def default_workers() -> int:
    """The number of processors this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
