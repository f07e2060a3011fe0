"""What the audit costs: the seed built with and without ``--audit`` (whole ``briefgen build``
processes, DOCX + PDF, warm caches), interleaved so both see the same machine load.
Target (issue #15): the audit adds at most 10 % to the seed's build time.

    python bench/audit_overhead.py [--rounds 15] [--baseline-src DIR] [--append]

``--baseline-src`` times a source tree of the code before provenance tracking too (e.g.
``git archive <commit> src | tar -x -C /tmp/base``), to show what carrying provenance costs a build
that writes no audit. ``--append`` adds the results to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import tempfile
from pathlib import Path

from _common import ROOT, SEED, child_env, machine, med, run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--baseline-src", type=Path, default=None,
                    help="a src/ folder of briefgen before this change, run with the same Python")
    ap.add_argument("--append", action="store_true", help="append the results to bench/RESULTS.md")
    args = ap.parse_args()
    m = machine()
    lines = ["machine: " + "; ".join(f"{k}={v}" for k, v in m.items() if v)]
    with tempfile.TemporaryDirectory(prefix="bench-audit-") as tmp:
        t = Path(tmp)
        env = child_env()
        cmd = [sys.executable, "-m", "briefgen", "build", str(SEED), "--out"]
        variants = {"build": (cmd + [str(t / "plain")], env),
                    "build --audit": (cmd + [str(t / "audit"), "--audit"], env)}
        if args.baseline_src is not None:
            base_env = child_env(PYTHONPATH=str(args.baseline_src.resolve()))
            variants["build, code before #15"] = (cmd + [str(t / "base")], base_env)
        for c, e in variants.values():
            run(c, e)  # .pyc files, font and chart caches
        times: dict[str, list[float]] = {k: [] for k in variants}
        rss: dict[str, list[float]] = {k: [] for k in variants}
        names = list(variants)
        for i in range(args.rounds):
            order = names if i % 2 == 0 else names[::-1]  # neither always runs first
            for k in order:
                c, e = variants[k]
                s, mb, _ = run(c, e)
                times[k].append(s)
                rss[k].append(mb)
        audit = t / "audit" / "yichang-2021.audit.xlsx"
        size = audit.stat().st_size if audit.is_file() else 0
    plain, audited = med(times["build"]), med(times["build --audit"])
    for k in names:
        xs = times[k]
        lines.append(f"{k:<24} median {med(xs):.3f} s (min {min(xs):.3f}, max {max(xs):.3f}), "
                     f"peak RSS {max(rss[k]):.0f} MB, {args.rounds} rounds")
    per_round = [a / p - 1 for a, p in zip(times["build --audit"], times["build"])]
    lines.append(f"audit overhead: {audited / plain - 1:+.1%} (median of medians; per round "
                 f"{min(per_round):+.1%} … {max(per_round):+.1%}); target <= +10 %; workbook {size / 1024:.1f} KB")
    if args.baseline_src is not None:
        base = med(times["build, code before #15"])
        lines.append(f"provenance carried in every build (no audit) vs the code before: {plain / base - 1:+.1%}")
    print("\n".join(lines))
    if args.append:
        with open(ROOT / "bench" / "RESULTS.md", "a", encoding="utf-8") as fh:
            fh.write(f"\n# Audit overhead (issue #15), {_dt.date.today().isoformat()}\n\n"
                     f"`python bench/audit_overhead.py --rounds {args.rounds}"
                     f"{' --baseline-src …' if args.baseline_src else ''}`: the seed "
                     f"(`seeds/yichang-2021`, DOCX + PDF) as whole `python -m briefgen build` processes, warm caches, "
                     f"interleaved.\n\n```\n" + "\n".join(lines) + "\n```\n")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
