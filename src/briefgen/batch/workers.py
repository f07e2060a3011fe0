"""Worker processes: each loads the libraries and fonts once and builds many jobs.

A job's failure is a result, never an exception: the batch goes on.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
import time
import traceback
import warnings
from pathlib import Path
from typing import Any

from briefgen.batch.plan import Job
from briefgen.errors import BriefgenError
from briefgen.files import sha256_file
from briefgen.fonts import resolve_fonts
from briefgen.pipeline import Inputs, build
from briefgen.safety import quiet_unraisable, user_error
from briefgen.server.warm import WarmInputs
from briefgen.writers import WriterOptions
from briefgen.writers import prepare as prepare_writer

_IN_JOB = False
_IN_WORKER = False  # set in worker processes (worker_init), not in a batch run without workers
_JOBS_DONE = 0
SWEEP_EVERY = 50
# What the jobs of a batch share — the data, the template chain, the fonts — read once per
# worker (and reused only while their files are unchanged), as in the build server.
_INPUTS = WarmInputs()
_STARTS: Any = None  # queue of (pid, output) the parent reads to know which worker runs which job

DEFAULT_TIMEOUT = 600.0  # seconds one job may run; a briefing takes seconds, a million-row table under a minute
KILL_GRACE = 15.0  # after the timeout, seconds the parent waits for a worker to stop itself before killing it


class _Terminated(BaseException):
    """SIGTERM while building: unwind so the pipeline removes its temporaries, then exit."""


class _JobTimeout(BaseException):
    """The job ran past its time limit (SIGALRM): unwind so temporaries are removed."""


def _on_sigterm(signum: int, frame: Any) -> None:
    if _IN_JOB:
        raise _Terminated()
    os._exit(128 + signum)


def _on_alarm(signum: int, frame: Any) -> None:
    if _IN_JOB:
        raise _JobTimeout()


def _process_stamp(pid: int) -> str | None:
    """A token that changes when `pid` dies or is reused: its start time on Linux
    (None once it is gone or a zombie), elsewhere just whether it exists."""
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            return None
        return None if fields[0] in (b"Z", b"X") else fields[19].decode()  # state, starttime
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except OSError:
        pass  # exists, owned by someone else
    return "alive"


def _die_with(batch_pid: int | None) -> None:
    """End this worker when the batch process that started it dies (kill -9 of the batch).

    A worker blocks on its job queue forever otherwise: the fork server that forked
    it, and the queue's pipe, are kept alive by the workers themselves. A watchdog
    thread looks at the batch process every second and, once it is gone, sends this
    process SIGTERM (a job unwinds and removes its temporaries), then ends it if
    the job does not stop within KILL_GRACE seconds. On Linux the kernel also sends
    SIGTERM when the direct parent dies (PR_SET_PDEATHSIG).
    """
    if sys.platform.startswith("linux"):
        try:
            import ctypes  # only to reach prctl(2)

            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    parent = os.getppid()
    watched = batch_pid or parent
    stamp = _process_stamp(watched)

    def gone() -> bool:
        return os.getppid() != parent or _process_stamp(watched) != stamp

    def watch() -> None:
        while not gone():
            time.sleep(1.0)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(KILL_GRACE)
        os._exit(143)

    if stamp is None or gone():  # the batch died before we got here
        os._exit(143)
    threading.Thread(target=watch, name="briefgen-batch-watch", daemon=True).start()


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


def prime_caches(job: Job, templates: list[Path] | None, allow_paths: tuple[Path, ...] = ()) -> None:
    """Fill, in this process, the on-disk caches each worker's first job would fill — reportlab's
    parse of the PDF fonts — while the workers' fork server imports the libraries (the batch
    process waits for it anyway). Any problem is left for the job to report."""
    try:
        cfg = Inputs().config(job.config, list(job.overrides), templates or None, allow_paths)
        chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
        if "pdf" in job.formats:
            prepare_writer("pdf", WriterOptions(style=cfg.model.style, fonts=chains,
                                                reference_docx=cfg.reference_docx))
    except Exception:  # noqa: BLE001 - the job itself says what is wrong, in Chinese
        pass


def worker_init(cwd: str, env: dict[str, str], starts: Any = None, batch_pid: int | None = None) -> None:
    # A forkserver child starts with the server's cwd and environment, not ours.
    """Prepare a worker process: the parent's folder and BRIEFGEN_ settings, signals, warm imports,
    and an end when the parent dies."""
    global _STARTS, _IN_WORKER
    os.chdir(cwd)
    for k in [k for k in os.environ if k.startswith("BRIEFGEN_") and k not in env]:
        del os.environ[k]
    os.environ.update(env)
    _STARTS = starts
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    _die_with(batch_pid)
    quiet_unraisable()
    warm_up()
    gc.freeze()  # the libraries loaded for every job are never walked by the collector again
    _IN_WORKER = True


def _peak_rss_mb() -> float | None:
    try:
        import resource  # not on Windows
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_job(job: Job, root: str, templates: list[Path] | None = None, debug: bool = False,
            allow_paths: tuple[Path, ...] = (), timeout: float | None = None) -> dict[str, Any]:
    """Build one job; never raises for a job's own problems (failures are results).

    With `timeout` (seconds), a SIGALRM stops a job that runs longer; the parent
    kills a worker that does not stop by itself (see the runner).
    """
    global _IN_JOB

    t0 = time.perf_counter()
    rootp = Path(root)
    target = rootp / job.output
    res: dict[str, Any] = {"output": job.output, "pid": os.getpid()}
    if _STARTS is not None:
        try:
            _STARTS.put((os.getpid(), job.output))
        except (OSError, ValueError):
            pass
    alarm = bool(timeout) and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    old_alarm: Any = None
    if alarm:
        old_alarm = signal.signal(signal.SIGALRM, _on_alarm)
        signal.setitimer(signal.ITIMER_REAL, float(timeout or 0))
    _IN_JOB = True
    try:

        # Python warnings (e.g. glyphs missing from a font) go to the report, not to stderr.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build(job.config, target.parent, list(job.formats), list(job.overrides), templates or None,
                           allow_paths, inputs=_INPUTS)
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
    except _JobTimeout:
        res.update(ok=False, timeout=True, error=timeout_message(timeout or 0))
    except BriefgenError as e:
        res.update(ok=False, error=e.render(), errno=getattr(e, "errno", None))
    except Exception as e:  # noqa: BLE001 - isolate every job
        known = user_error(e)
        if known is not None:
            res.update(ok=False, error=known.render(), errno=getattr(known, "errno", None))
        else:
            res.update(ok=False, error=f"内部错误：{type(e).__name__}: {e}",
                       traceback=traceback.format_exc() if debug else None)
    finally:
        _IN_JOB = False
        if alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old_alarm)
    res["seconds"] = round(time.perf_counter() - t0, 3)
    res["peak_rss_mb"] = _peak_rss_mb()
    if _IN_WORKER:
        _settle()
    return res


def _settle() -> None:
    """After a job in a worker: the job's garbage is collected (a pass over what the job made:
    everything older is frozen), then what is still alive (the shared dataset, configs, fonts,
    warm caches) is frozen too, so the collector's full passes during the next jobs walk only
    what they make — a twentieth of a job's time otherwise. Every SWEEP_EVERY jobs everything
    is unfrozen and collected once, so that cycles kept alive by an evicted cache entry and
    freed later are not kept forever."""
    global _JOBS_DONE
    _JOBS_DONE += 1
    if _JOBS_DONE % SWEEP_EVERY == 0:
        gc.unfreeze()
    gc.collect()
    gc.freeze()


def timeout_message(seconds: float) -> str:
    """The failure reason of a job stopped by its time limit."""
    return (f"运行超过时限（{seconds:.0f}秒），已停止（可在任务文件中用 timeout: 或命令行 --timeout 调整时限；"
            "若数据和模板没有异常，请检查是否有无休止的循环）")
