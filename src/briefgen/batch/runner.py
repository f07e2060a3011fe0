"""The run: plan → skip what is up to date → build the rest in workers → manifest."""

from __future__ import annotations

import fnmatch
import os
import queue
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from briefgen.batch.incremental import (
    Inputs,
    ManifestWriter,
    Stamps,
    environment,
    job_key,
    now_iso,
    read_manifest,
    up_to_date,
)
from briefgen.batch.lock import FolderLock, clean_partials
from briefgen.batch.plan import Job, Plan
from briefgen.batch.pool import default_workers, pool_context
from briefgen.batch.workers import (
    DEFAULT_TIMEOUT,
    KILL_GRACE,
    prime_caches,
    run_job,
    timeout_message,
    worker_init,
)
from briefgen.errors import BriefgenError
from briefgen.files import DISK_FAULTS, FileFault, os_error
from briefgen.safety import user_error


@dataclass
class Report:
    """What a batch run did: built, skipped and failed jobs, time and memory."""

    out: Path
    total: int = 0
    built: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    worker_peak_rss_mb: float | None = None
    interrupted: bool = False
    cleaned: int = 0
    not_run: list[str] = field(default_factory=list)  # stopped before they ran (the disk is full)
    manifest_error: str | None = None  # the manifest could not be written

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted and not self.manifest_error

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (0 if self.ok else 1)


def run_batch(plan: Plan, *, workers: int | None = None, force: bool = False, only: Iterable[str] = (),
              debug: bool = False, on_event: Callable[[str, dict[str, Any]], None] | None = None,
              dry_run: bool = False, timeout: float | None = None, pool_starting: bool = False) -> Report:
    """Build every job of `plan` that is out of date; see the module docstring.

    A job running longer than `timeout` seconds (else the jobs file's ``timeout:``,
    else DEFAULT_TIMEOUT) is stopped and reported as failed. When the output disk is
    full or read-only, the jobs not yet run are reported as not run. `pool_starting`: the workers'
    fork server was started already (:func:`briefgen.batch.pool.start_early`); the disk caches
    of the first job are filled meanwhile.
    """
    t0 = time.perf_counter()
    limit = timeout or plan.timeout or DEFAULT_TIMEOUT
    root = plan.out
    report = Report(out=root)
    emit = on_event or (lambda kind, data: None)
    patterns = [p for p in only if p]
    jobs = [j for j in plan.jobs if not patterns or any(fnmatch.fnmatchcase(j.output, p) for p in patterns)]
    report.total = len(jobs)
    if dry_run:
        # Read-only: no folder, no lock, nothing cleaned.
        env = environment(plan.templates or None)
        outputs = read_manifest(root).get("outputs") or {}
        stamps = Stamps()
        for job in jobs:
            if not force and up_to_date(job, outputs.get(job.output), root, stamps, env):
                report.skipped.append(job.output)
            else:
                report.built.append({"output": job.output, "planned": True})
        report.seconds = time.perf_counter() - t0
        return report
    lock = FolderLock(root)
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError as e:
        err = os_error(e, root, "创建输出目录")
        raise BriefgenError(f"{err.message}，全部{len(jobs)}个任务均未运行", where=err.where, hint=err.hint) from None
    except FileFault as e:
        raise BriefgenError(f"{e.message}，全部{len(jobs)}个任务均未运行", where=e.where, hint=e.hint) from None
    try:
        report.cleaned = clean_partials(root)
        env = environment(plan.templates or None)
        manifest = ManifestWriter(root, plan, env)
        stamps = Stamps()
        todo: list[Job] = []
        for job in jobs:
            if not force and up_to_date(job, manifest.outputs.get(job.output), root, stamps, env):
                report.skipped.append(job.output)
            else:
                todo.append(job)
        emit("plan", {"total": len(jobs), "todo": len(todo), "skipped": len(report.skipped)})
        inputs = Inputs(plan.templates, stamps, plan.allow_paths)
        records: dict[str, tuple[dict[str, Any], str]] = {}
        runnable: list[Job] = []
        for job in todo:
            try:
                rec = inputs.record(job)  # hashed before the build: a change during it shows up next run
                records[job.output] = (rec, job_key(job, rec, env))
                runnable.append(job)
            except BriefgenError as e:
                _record_failure(report, manifest, job, e.render(), emit)
            except Exception as e:  # noqa: BLE001 - one bad config must not stop the batch
                known = user_error(e)
                _record_failure(report, manifest, job,
                                known.render() if known else f"内部错误：{type(e).__name__}: {e}", emit)
        n = max(1, min(workers or default_workers(), len(runnable) or 1))
        report.workers = n if runnable else 0
        finished: set[str] = set()
        disk_fault: list[str] = []  # why later jobs are not run: the output disk is full or read-only

        def done(job: Job, res: dict[str, Any]) -> None:
            finished.add(job.output)
            if res.get("peak_rss_mb") is not None:
                report.worker_peak_rss_mb = max(report.worker_peak_rss_mb or 0.0, res["peak_rss_mb"])
            if not res.get("ok"):
                _record_failure(report, manifest, job, res.get("error") or "未知错误", emit, res.get("traceback"))
                if res.get("errno") in DISK_FAULTS and not disk_fault:
                    disk_fault.append(res.get("error") or "")
                return
            rec, key = records[job.output]
            manifest.outputs[job.output] = {
                "job": {**job.params(), "name": job.name, "region": job.region,
                        "period": job.fields.get("period_code", "")},
                "key": key, "inputs": rec["inputs"], "fonts": rec["fonts"], "files": res.get("files", {}),
                "built": now_iso(), "seconds": res.get("seconds"), "warnings": res.get("warnings", []),
            }
            manifest.dirty = True
            report.built.append(res)
            report.warnings += [f"{job.output}：{w}" for w in res.get("warnings", [])]
            emit("done", {"job": job, "result": res})
            manifest.save()

        old_term = None
        if hasattr(signal, "SIGTERM") and _is_main_thread():
            old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
        stop = lambda: bool(disk_fault)  # noqa: E731 - read by the loops below
        try:
            if n == 1 or len(runnable) <= 1:
                for job in runnable:
                    if stop():
                        break
                    emit("start", {"job": job})
                    done(job, run_job(job, str(root), plan.templates, debug, plan.allow_paths, limit))
            else:
                if pool_starting:
                    prime_caches(runnable[0], plan.templates, plan.allow_paths)
                _run_pool(runnable, root, plan, n, debug, done, emit, limit, stop)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            if old_term is not None:
                signal.signal(signal.SIGTERM, old_term)
            if disk_fault and not report.interrupted:
                # Every later write to that disk would fail the same way: say so for each job left.
                for job in runnable:
                    if job.output not in finished:
                        report.not_run.append(job.output)
                        _record_failure(report, manifest, job, f"未运行：前面的任务写入失败（{disk_fault[0]}）", emit)
            manifest.data["last_run"] = {
                "finished": now_iso(), "jobs": len(jobs), "built": len(report.built),
                "skipped": len(report.skipped), "failed": len(report.failed),
                "interrupted": report.interrupted, "seconds": round(time.perf_counter() - t0, 3),
                "workers": report.workers, "worker_peak_rss_mb": report.worker_peak_rss_mb,
                "failures": [{"output": f["output"], "reason": f["reason"]} for f in report.failed],
                "not_run": list(report.not_run),
            }
            manifest.save(force=True)
            if manifest.error is not None:
                report.manifest_error = manifest.error.render()
    finally:
        lock.release()
        report.seconds = time.perf_counter() - t0
    return report


def _is_main_thread() -> bool:

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _record_failure(report: Report, manifest: ManifestWriter, job: Job, reason: str,
                    emit: Callable[[str, dict[str, Any]], None], tb: str | None = None) -> None:
    # The old files (if any) were built from other inputs: forget them so the next run retries.
    if manifest.outputs.pop(job.output, None) is not None:
        manifest.dirty = True
    entry = {"output": job.output, "reason": reason, "config": str(job.config)}
    if tb:
        entry["traceback"] = tb
    report.failed.append(entry)
    emit("failed", {"job": job, "reason": reason})


def _run_pool(jobs: list[Job], root: Path, plan: Plan, n: int, debug: bool,
              done: Callable[[Job, dict[str, Any]], None], emit: Callable[[str, dict[str, Any]], None],
              timeout: float, stop: Callable[[], bool]) -> None:
    """Build `jobs` in `n` worker processes; a worker whose job outlives `timeout` is killed."""
    env = {k: v for k, v in os.environ.items() if k.startswith("BRIEFGEN_")}
    ctx = pool_context()
    starts = ctx.Queue()  # (pid, output) as each worker starts a job
    pending = list(reversed(jobs))  # pop() from the end keeps the file order
    retries: dict[str, int] = {}
    while pending and not stop():
        _drain(starts, {})  # starts reported by a pool that broke are stale
        ex = ProcessPoolExecutor(max_workers=min(n, len(pending)), mp_context=ctx,
                                 initializer=worker_init, initargs=(os.getcwd(), env, starts, os.getpid()))
        running: dict[Any, Job] = {}
        started: dict[str, tuple[int, float]] = {}  # output → (pid, when it started)
        timed_out: set[str] = set()
        broken = False
        try:
            # Keep at most 2 jobs per worker queued so an interrupt cancels the rest at once.
            while (pending and not stop()) or running:
                while pending and not stop() and len(running) < 2 * n:
                    job = pending.pop()
                    emit("start", {"job": job})
                    fut = ex.submit(run_job, job, str(root), plan.templates, debug, plan.allow_paths, timeout)
                    running[fut] = job
                finished, _ = wait(list(running), timeout=1.0, return_when=FIRST_COMPLETED)
                _drain(starts, started)
                _kill_overdue(running.values(), started, timeout, timed_out)
                for fut in finished:
                    job = running.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        if job.output in timed_out:
                            done(job, {"ok": False, "output": job.output, "timeout": True,
                                       "error": timeout_message(timeout)})
                            continue
                        if not timed_out:  # our own kill does not count against the others
                            retries[job.output] = retries.get(job.output, 0) + 1
                        if retries.get(job.output, 0) > 1:
                            done(job, {"ok": False, "output": job.output,
                                       "error": "工作进程意外退出（可能内存不足或被系统终止）"})
                        else:
                            pending.append(job)
                        continue
                    except Exception as e:  # noqa: BLE001 - e.g. an unpicklable result
                        res = {"ok": False, "output": job.output, "error": f"内部错误：{type(e).__name__}: {e}"}
                    done(job, res)
                if broken:
                    # The pool is unusable: requeue what was in flight and start a fresh one.
                    for job in running.values():
                        if job.output in timed_out:
                            done(job, {"ok": False, "output": job.output, "timeout": True,
                                       "error": timeout_message(timeout)})
                            continue
                        if not timed_out:
                            retries[job.output] = retries.get(job.output, 0) + 1
                        pending.append(job)
                    running.clear()
                    break
        except BaseException:
            _stop_pool(ex)
            raise
        else:
            if broken:
                _stop_pool(ex)
            else:
                ex.shutdown(wait=True)
        if not broken:
            break


def _drain(starts: Any, started: dict[str, tuple[int, float]]) -> None:
    """Read which worker started which job since the last look."""
    while True:
        try:
            pid, output = starts.get_nowait()
        except (queue.Empty, OSError, ValueError, EOFError):
            return
        started[output] = (pid, time.monotonic())


def _kill_overdue(jobs: Iterable[Job], started: dict[str, tuple[int, float]], timeout: float,
                  timed_out: set[str]) -> None:
    """Kill the worker of a job that ran past its timeout and did not stop itself
    (stuck in a C call that no signal interrupts)."""
    now = time.monotonic()
    for job in jobs:
        hit = started.get(job.output)
        if hit is None or job.output in timed_out or now - hit[1] < timeout + KILL_GRACE:
            continue
        timed_out.add(job.output)
        try:
            os.kill(hit[0], getattr(signal, "SIGKILL", signal.SIGTERM))
        except OSError:
            pass


def _stop_pool(ex: Any) -> None:
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()  # SIGTERM: a worker mid-build unwinds and removes its temporaries
        except Exception:  # noqa: BLE001
            pass
    for p in procs:
        p.join(timeout=5)
