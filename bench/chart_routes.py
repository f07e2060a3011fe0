"""Native/vector charts against the PNG route (issue #16).

Measures, for the seed (4 charts):
  * whole-process `briefgen build` time (DOCX+PDF) with `style.chart.mode` native and image,
    every chart drawn (BRIEFGEN_CHART_CACHE=0) and with a warm chart cache;
  * per-chart drawing time in one process: PNG only, vector only, both from one layout;
  * output sizes, DOCX and PDF, for native (with and without the PNG fallback) and image.

    python bench/chart_routes.py [--rounds 7]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import SEED, briefgen_cmd, child_env, med, print_machine, run

ROUTES = {
    "native": ["--set", "style.chart.mode=native"],
    "native, no fallback": ["--set", "style.chart.mode=native", "--set", "style.chart.fallback=false"],
    "image": ["--set", "style.chart.mode=image"],
}


def builds(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"
        for cached in (False, True):
            label = "warm chart cache" if cached else "BRIEFGEN_CHART_CACHE=0 (every chart drawn)"
            print(f"\n# whole-process seed build, {label}; median of {rounds} (min-max)")
            env = child_env(XDG_CACHE_HOME=str(cache), BRIEFGEN_CHART_CACHE="1" if cached else "0")
            for name, extra in ROUTES.items():
                out = Path(tmp) / name.replace(" ", "_").replace(",", "")
                cmd = [*briefgen_cmd(), "build", str(SEED), "--out", str(out), *extra]
                run(cmd, env=env)  # warm-up: font caches, .pyc, and (cached) the charts
                walls = [run(cmd, env=env)[0] for _ in range(rounds)]
                docx = next(out.glob("*.docx")).stat().st_size
                pdf = next(out.glob("*.pdf")).stat().st_size
                print(f"{name:22s} {med(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f})   "
                      f"DOCX {docx / 1024:6.1f} KB   PDF {pdf / 1024:6.1f} KB")


def per_chart(rounds: int) -> None:
    sys.path.insert(0, str(SEED.parents[2] / "src"))
    from briefgen.config import load_config
    from briefgen.fonts import resolve_fonts
    from briefgen.pipeline import make_builder

    cfg = load_config(SEED)
    chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
    specs: list = []
    builder = make_builder(cfg, Path(tempfile.mkdtemp()), chains)
    builder.render_chart = lambda spec, out: specs.append(spec)  # collect the specs only
    builder.build()
    face = (chains.get("heading1") or chains["body"]).primary
    from briefgen.charts.render import render_chart

    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        render_chart(specs[0], t / "warm.png", face.path, face.index, vector=t / "warm.vec.json")
        print(f"\n# per chart, in one process (seed font {face.path.name}); median of {rounds} per chart")
        for label, png, vec in (("PNG 200 dpi", True, False), ("vector", False, True), ("both, one layout", True, True)):
            times = []
            for spec in specs:
                for _ in range(rounds):
                    t0 = time.perf_counter()
                    render_chart(spec, t / "c.png" if png else None, face.path, face.index,
                                 vector=t / "c.vec.json" if vec else None)
                    times.append(time.perf_counter() - t0)
            print(f"{label:18s} {med(times) * 1000:6.1f} ms per chart")
        sizes = []
        for i, spec in enumerate(specs):
            render_chart(spec, t / f"{i}.png", face.path, face.index, vector=t / f"{i}.vec.json")
            sizes.append(((t / f"{i}.png").stat().st_size, (t / f"{i}.vec.json").stat().st_size))
        print("files per chart (PNG / vector JSON): " +
              ", ".join(f"{p / 1024:.0f}/{v / 1024:.0f} KB" for p, v in sizes))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    print_machine()
    builds(args.rounds)
    per_chart(args.rounds)


if __name__ == "__main__":
    main()
