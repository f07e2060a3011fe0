"""The run: plan → skip what is up to date → build the rest in workers → manifest."""

from __future__ import annotations

import fnmatch
import os
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
from briefgen.batch.workers import default_workers, pool_context, run_job, worker_init
from briefgen.errors import BriefgenError


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

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


def run_batch(plan: Plan, *, workers: int | None = None, force: bool = False, only: Iterable[str] = (),
              debug: bool = False, on_event: Callable[[str, dict[str, Any]], None] | None = None,
              dry_run: bool = False) -> Report:
    """Build every job of `plan` that is out of date; see the module docstring."""
    t0 = time.perf_counter()
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
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BriefgenError(f"无法创建输出目录：{e.strerror}", where=str(root)) from None
    lock = FolderLock(root)
    lock.acquire()
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
        inputs = Inputs(plan.templates, stamps)
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
                _record_failure(report, manifest, job, f"内部错误：{type(e).__name__}: {e}", emit)
        n = max(1, min(workers or default_workers(), len(runnable) or 1))
        report.workers = n if runnable else 0

        def done(job: Job, res: dict[str, Any]) -> None:
            if res.get("peak_rss_mb") is not None:
                report.worker_peak_rss_mb = max(report.worker_peak_rss_mb or 0.0, res["peak_rss_mb"])
            if not res.get("ok"):
                _record_failure(report, manifest, job, res.get("error") or "未知错误", emit, res.get("traceback"))
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
        try:
            if n == 1 or len(runnable) <= 1:
                for job in runnable:
                    emit("start", {"job": job})
                    done(job, run_job(job, str(root), plan.templates, debug))
            else:
                _run_pool(runnable, root, plan.templates, n, debug, done, emit)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            if old_term is not None:
                signal.signal(signal.SIGTERM, old_term)
            manifest.data["last_run"] = {
                "finished": now_iso(), "jobs": len(jobs), "built": len(report.built),
                "skipped": len(report.skipped), "failed": len(report.failed),
                "interrupted": report.interrupted, "seconds": round(time.perf_counter() - t0, 3),
                "workers": report.workers, "worker_peak_rss_mb": report.worker_peak_rss_mb,
                "failures": [{"output": f["output"], "reason": f["reason"]} for f in report.failed],
            }
            manifest.save(force=True)
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


def _run_pool(jobs: list[Job], root: Path, templates: list[Path], n: int, debug: bool,
              done: Callable[[Job, dict[str, Any]], None], emit: Callable[[str, dict[str, Any]], None]) -> None:

    env = {k: v for k, v in os.environ.items() if k.startswith("BRIEFGEN_")}
    pending = list(reversed(jobs))  # pop() from the end keeps the file order
    retries: dict[str, int] = {}
    while pending:
        ex = ProcessPoolExecutor(max_workers=min(n, len(pending)), mp_context=pool_context(),
                                 initializer=worker_init, initargs=(os.getcwd(), env))
        running: dict[Any, Job] = {}
        broken = False
        try:
            # Keep at most 2 jobs per worker queued so an interrupt cancels the rest at once.
            while pending or running:
                while pending and len(running) < 2 * n:
                    job = pending.pop()
                    emit("start", {"job": job})
                    running[ex.submit(run_job, job, str(root), templates, debug)] = job
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in finished:
                    job = running.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        retries[job.output] = retries.get(job.output, 0) + 1
                        if retries[job.output] > 1:
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
                        retries[job.output] = retries.get(job.output, 0) + 1
                        pending.append(job)
                    running.clear()
                    break
        except BaseException:
            _stop_pool(ex)
            raise
        else:
            ex.shutdown(wait=True)
        if not broken:
            break


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
