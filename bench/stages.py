"""Where one seed build spends its time, stage by stage (CPU-bound wall ms), in a fresh process.

    python bench/stages.py [--rounds 5] [--config CONFIG] [--charts drawn|cached]

Each round is a new Python process that times, in order: importing the libraries the
build path needs (briefgen's pipeline, then the two writers, then matplotlib when
charts are drawn), loading and validating the config, resolving fonts, reading the
data, building the document (metrics, templates, charts), the DOCX writer, the PDF
writer; then the same build again in that process ("second build", what a warm
server or batch worker pays). The medians over the rounds are printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import SEED, child_env

CHILD = r"""
import json, os, sys, tempfile, time
from pathlib import Path
t = {}
def mark(name, t0):
    t[name] = (time.perf_counter() - t0) * 1000
    return time.perf_counter()
config, draw = sys.argv[1], sys.argv[2] == "drawn"
t0 = time.perf_counter()
from briefgen import pipeline
from briefgen.config import load_config
from briefgen.data import load_dataset
from briefgen.fonts import resolve_fonts
from briefgen.writers import WriterOptions, writer_for
t0 = mark("import pipeline", t0)
import briefgen.writers.docx, briefgen.writers.pdf  # noqa
t0 = mark("import writers", t0)
if draw:
    import briefgen.charts.render  # noqa
    t0 = mark("import matplotlib", t0)
out = Path(tempfile.mkdtemp())
def one(sfx):
    t0 = time.perf_counter()
    cfg = load_config(config)
    t0 = mark("config" + sfx, t0)
    m = cfg.model
    chains = resolve_fonts(m.fonts or None, base_dir=cfg.base, where=str(cfg.path))
    t0 = mark("fonts" + sfx, t0)
    ds = load_dataset(cfg)
    t0 = mark("data" + sfx, t0)
    with tempfile.TemporaryDirectory() as tmp:
        doc = pipeline.make_document(cfg, Path(tmp), chains, ds=ds)
        t0 = mark("document+charts" + sfx, t0)
        opts = WriterOptions(style=m.style, fonts=chains, reference_docx=cfg.reference_docx)
        writer_for("docx", opts).write(doc, out / "x.docx")
        t0 = mark("docx" + sfx, t0)
        writer_for("pdf", opts).write(doc, out / "x.pdf")
        t0 = mark("pdf" + sfx, t0)
one("")
t1 = time.perf_counter()
one(" (2nd)")
t["second build"] = (time.perf_counter() - t1) * 1000
print(json.dumps(t))
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--config", type=Path, default=SEED)
    ap.add_argument("--charts", choices=("drawn", "cached"), default="drawn")
    args = ap.parse_args()
    print(stage_table(args.config, args.rounds, args.charts))


def stage_table(config: Path, rounds: int, charts: str = "drawn") -> str:
    """The medians of `rounds` fresh processes, one line a stage."""
    env = child_env(BRIEFGEN_CHART_CACHE="0" if charts == "drawn" else "1")
    runs: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "stages_child.py"
        script.write_text(CHILD)
        cmd = [sys.executable, str(script), str(config), charts]
        subprocess.run(cmd, env=env, check=True, capture_output=True)  # .pyc and caches
        for _ in range(rounds):
            p = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True, cwd=os.getcwd())
            runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    lines = [f"# stages of one build in a fresh process, charts {charts}; median ms of {rounds} processes"]
    for key in runs[0]:
        vals = [r[key] for r in runs if key in r]
        lines.append(f"{key:28s} {statistics.median(vals):8.1f}")
    first = [sum(v for k, v in r.items() if "(2nd)" not in k and k != "second build") for r in runs]
    lines.append(f"{'sum (first build)':28s} {statistics.median(first):8.1f}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
