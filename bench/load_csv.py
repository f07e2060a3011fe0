"""Load test: one briefing over a 1,000,000-row CSV (issue #13).

    python bench/load_csv.py [--rows 1000000] [--keep DIR]

50 indicators × 200 regions × 100 months in long form, a briefing for one
region's latest month with three metrics, a ranking table and a 12-month chart,
built as a whole `briefgen build` process (DOCX + PDF). Reports wall time and the
peak resident memory of the process tree, sampled from /proc every 0.1 s, plus
ru_maxrss from os.wait4 as a cross-check. Target: under 60 s and under 1 GB.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import yaml
from _common import briefgen_cmd, child_env, print_machine, run
from _procs import run_sampled

INDICATORS = 50
REGIONS = 200


def make_project(folder: Path, rows: int) -> Path:
    """Write data.csv (`rows` rows) and briefing.yaml into `folder`; return the config."""
    months = max(1, rows // (INDICATORS * REGIONS))
    periods = [f"{2000 + (m // 12)}-{m % 12 + 1:02d}" for m in range(months)]
    regions = [f"县{r:03d}" for r in range(REGIONS)]
    with open(folder / "data.csv", "w", encoding="utf-8", newline="") as fh:
        fh.write("指标,地区,时期,数值,单位\n")
        for i in range(INDICATORS):
            unit = "亿元" if i % 2 else "家"
            name = f"指标{i:02d}"
            lines = []
            for r, reg in enumerate(regions):
                base = 100 + 7 * r + 13 * i
                for m, per in enumerate(periods):
                    lines.append(f"{name},{reg},{per},{base + m * 0.5 + (r * m) % 7:.1f},{unit}\n")
            fh.writelines(lines)
    last = periods[-1]
    cfg = {
        "name": "load-1m", "region": regions[0], "period": last,
        "meta": {"title": "{{ region }}{{ period }}主要指标简报", "organ": "某统计局", "date": "2024-05-05"},
        "data": [{"file": "data.csv"}],
        "metrics": {"a": {"indicator": "指标00", "decimals": 0}, "b": {"indicator": "指标01", "decimals": 1},
                    "c": {"indicator": "指标02", "decimals": 0}},
        "sections": [{
            "heading": "总体情况",
            "text": "{{ region }}{{ a.name }}{{ a }}，{{ b.name }}{{ b }}，{{ c.name }}{{ c }}。",
            "tables": [{"caption": "各县指标", "kind": "regions", "rows": regions[:12], "columns": ["a", "b", "c"]}],
            "charts": [{"type": "line", "caption": "近12个月走势", "periods": periods[-12:],
                        "series": [{"metric": "a"}]}],
        }],
    }
    path = folder / "briefing.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--keep", type=Path, help="write the project here instead of a temporary folder")
    args = ap.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="briefgen-load-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        cfg = make_project(folder, args.rows)
        size = (folder / "data.csv").stat().st_size / 1e6
        n = sum(1 for _ in open(folder / "data.csv", encoding="utf-8")) - 1
        print(f"data.csv: {n} rows, {size:.0f} MB")
        cmd = [*briefgen_cmd(), "build", str(cfg), "--out", str(folder / "out")]
        wall, code, sampler, err = run_sampled(cmd, env=child_env(), cwd=folder)
        if code != 0:
            raise SystemExit(f"build failed ({code}):\n{err}")
        peak = sampler.peak_total / 2**20
        print(f"briefgen build (DOCX+PDF): {wall:.1f} s, peak RSS of the process tree {peak:.0f} MB "
              f"(target: < 60 s, < 1024 MB)")
        wall2, rss2, _code = run([*briefgen_cmd(), "validate", str(cfg)], env=child_env(), cwd=folder)
        print(f"briefgen validate: {wall2:.1f} s, peak RSS {rss2:.0f} MB (os.wait4)")


if __name__ == "__main__":
    main()
