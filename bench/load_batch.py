"""Load test: a 500-job batch (issue #13).

    python bench/load_batch.py [--jobs N] [--count 500] [--keep DIR]

The batch demo's county briefing (DOCX + PDF, four charts) for 13 counties × 6
months under several names, 500 jobs in all, built by one `briefgen batch` process
with every chart drawn (BRIEFGEN_CHART_CACHE=0). The whole process tree is
sampled from /proc every 0.2 s: the peak resident memory of each process (the
batch, the fork server, every worker) and of the tree as a whole. Target: every
worker under 300 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from _common import ROOT, briefgen_cmd, child_env, print_machine
from _procs import run_sampled

REGIONS = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市", "远安县", "兴山县",
           "秭归县", "长阳土家族自治县", "五峰土家族自治县"]
PERIODS = ["2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"]


def make_jobs(folder: Path, count: int) -> Path:
    """Copy the demo briefing and data into `folder` and write a jobs file of `count` jobs."""
    shutil.copytree(ROOT / "seeds" / "batch-demo", folder / "batch-demo", dirs_exist_ok=True)
    matrix = []
    left, k = count, 0
    while left > 0:
        per_name = len(REGIONS) * len(PERIODS)
        if left >= per_name:
            regions, periods = REGIONS, PERIODS
        else:
            periods = PERIODS[: max(1, left // len(REGIONS))]
            regions = REGIONS[: min(len(REGIONS), left // len(periods))]
        matrix.append({"template": "batch-demo/county.yaml", "name": f"县域科技创新简报{k}", "region": regions,
                       "period": periods, "vars": {"meta.issue": "{month}", "meta.date": "{period_end}"}})
        left -= len(regions) * len(periods)
        k += 1
    jobs = {"output": "out", "pattern": "{region}/{period}/{name}", "formats": ["docx", "pdf"], "matrix": matrix}
    path = folder / "jobs.yaml"
    path.write_text(yaml.safe_dump(jobs, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--count", type=int, default=500)
    ap.add_argument("--keep", type=Path)
    args = ap.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="briefgen-batch-load-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        jobs = make_jobs(folder, args.count)
        cmd = [*briefgen_cmd(), "batch", str(jobs), "-j", str(args.jobs), "-q", "--force"]
        wall, code, sampler, err = run_sampled(cmd, env=child_env(BRIEFGEN_CHART_CACHE="0"), cwd=folder,
                                               interval=0.2)
        man = json.loads((folder / "out" / "manifest.json").read_text(encoding="utf-8"))
        last = man["last_run"]
        print(f"{last['jobs']} jobs: built {last['built']}, failed {last['failed']}, exit {code}, "
              f"{wall:.0f} s = {last['built'] / wall:.2f} briefings/s with {last['workers']} workers")
        mb = {pid: rss / 2**20 for pid, rss in sampler.peaks.items()}
        root = sampler.root
        workers = {pid: v for pid, v in mb.items() if pid != root and sampler.names[pid] != "resource tracker"}
        print(f"peak RSS: batch process {mb.get(root, 0):.0f} MB; "
              f"fork server and workers: {', '.join(f'{v:.0f}' for v in sorted(workers.values()))} MB; "
              f"largest {max(workers.values(), default=0):.0f} MB (target < 300 MB); "
              f"whole tree at its peak {sampler.peak_total / 2**20:.0f} MB")
        print(f"workers' own ru_maxrss (manifest): {last.get('worker_peak_rss_mb'):.0f} MB")
        if code not in (0, 1):
            print(err)


if __name__ == "__main__":
    main()
