"""The batch demo (seeds/batch-demo.yaml: 39 county briefings, DOCX + PDF, 4 charts each):
first run into an empty folder, then an unchanged rerun, as whole `briefgen batch` processes.

    python bench/batch_demo.py [--jobs N] [--cold-fonts]

Reports briefings per second over the whole process and sustained (between the
first and the last finished briefing, i.e. without process and pool start-up),
the rerun as a share of the first run, and the peak resident memory of each
worker process (ru_maxrss reported by the workers themselves). --cold-fonts
also runs once with empty font caches, as on a machine's very first batch.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from _common import DEMO, briefgen_cmd, child_env, parallel_scaling, print_machine, run


def _stats(out: Path) -> dict:
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    built = sorted(dt.datetime.fromisoformat(e["built"]) for e in man["outputs"].values())
    n = len(built)
    span = (built[-1] - built[0]).total_seconds() if n > 1 else 0.0
    return {"n": n, "sustained": (n - 1) / span if span > 0 else float("nan"),
            "worker_rss": man["last_run"].get("worker_peak_rss_mb"), "workers": man["last_run"].get("workers"),
            "job_seconds": sorted(e["seconds"] for e in man["outputs"].values())}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--cold-fonts", action="store_true")
    args = ap.parse_args()
    print_machine()
    print(f"CPU-bound scaling of {args.jobs} Python processes on this machine: "
          f"{parallel_scaling(args.jobs):.2f}x (ideal {args.jobs}x)")
    env = child_env()
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        tmp = Path(tmp)
        run(briefgen_cmd() + ["build", str(DEMO.parent / "batch-demo" / "county.yaml"), "--out", str(tmp / "w")],
            env)  # .pyc files and font caches, as after installation and a first build
        out = tmp / "out"
        cmd = briefgen_cmd() + ["batch", str(DEMO), "--out", str(out), "--jobs", str(args.jobs), "-q"]
        first, first_rss, _ = run(cmd, env)
        s = _stats(out)
        js = s["job_seconds"]
        print(f"first run: {s['n']} briefings in {first:.2f} s = {s['n'] / first:.2f} briefings/s whole process, "
              f"{s['sustained']:.2f}/s sustained; {s['workers']} workers; per briefing in a worker "
              f"median {js[len(js) // 2]:.2f} s")
        print(f"peak RSS per worker: {s['worker_rss']:.0f} MB (whole batch incl. parent: {first_rss:.0f} MB)")
        again, again_rss, _ = run(cmd, env)
        print(f"unchanged rerun: {again:.2f} s = {again / first * 100:.1f}% of the first run "
              f"(target < 5%), peak RSS {again_rss:.0f} MB")
        if args.cold_fonts:
            out2 = tmp / "out-cold"
            cold_env = child_env(XDG_CACHE_HOME=str(tmp / "empty-cache"))
            t, _m, _ = run(briefgen_cmd() + ["batch", str(DEMO), "--out", str(out2), "--jobs", str(args.jobs), "-q"],
                           cold_env)
            s2 = _stats(out2)
            print(f"first run with empty font caches: {t:.2f} s, peak RSS per worker {s2['worker_rss']:.0f} MB")


if __name__ == "__main__":
    main()
