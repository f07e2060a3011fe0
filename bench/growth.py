"""Does the cost grow linearly with the work? Region tables of 250–4,000 rows and 1–80 charts.

    python bench/growth.py [--rows 250,500,1000,2000,4000] [--charts 1,10,40,80] [--rounds 3] [--no-soffice]

Each size is a generated project (a long-form CSV, one regions table or a section of bar
charts) built as a whole `briefgen build` process (DOCX + PDF, every chart drawn:
BRIEFGEN_CHART_CACHE=0), median of `--rounds`; LibreOffice converts each DOCX in the same
run. Prints the time, the ratio to soffice and the growth factor against the previous size
(linear: the size factor, e.g. 2.0 from 1,000 to 2,000 rows). tests/unit/writers/docx/
test_table_growth.py guards the DOCX table path at test size.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import yaml
from _common import briefgen_cmd, child_env, med, print_machine, run, soffice


def make_project(folder: Path, regions: int = 12, charts: int = 0, table: bool = True) -> Path:
    """A briefing over `regions` counties with one regions table (all of them) and `charts` bar charts."""
    folder.mkdir(parents=True, exist_ok=True)
    names = [f"县{r:04d}" for r in range(regions)]
    with open(folder / "data.csv", "w", encoding="utf-8") as fh:
        fh.write("指标,地区,时期,数值,单位\n")
        for ind, unit in (("营业收入", "亿元"), ("企业数", "家"), ("研发强度", "%")):
            totals = [0.0, 0.0]
            for r, reg in enumerate(names):
                base = 50 + (r * 37) % 400 + len(ind)
                fh.write(f"{ind},{reg},2022,{base:.1f},{unit}\n")
                fh.write(f"{ind},{reg},2023,{base * (0.9 + (r % 7) / 20):.1f},{unit}\n")
                totals[0] += base
                totals[1] += base * (0.9 + (r % 7) / 20)
            # The briefing's own region (全市) has figures too: a build refuses a home region
            # the data do not know.
            k = len(names) if unit == "%" else 1
            fh.write(f"{ind},全市,2022,{totals[0] / k:.1f},{unit}\n")
            fh.write(f"{ind},全市,2023,{totals[1] / k:.1f},{unit}\n")
    section: dict = {"heading": "各县情况", "text": "{{ region }}{{ period }}年各县主要指标如下。"}
    if table:
        section["tables"] = [{"caption": "各县主要指标", "kind": "regions", "rows": names,
                              "columns": [{"metric": "rev", "show": ["value", "yoy", "rank"]},
                                          {"metric": "firms", "show": ["value", "yoy"]}, "rd"]}]
    if charts:
        section["charts"] = [{"type": "bar", "caption": f"各县营业收入（{k + 1}）", "x": "regions",
                              "regions": [names[(k + j) % regions] for j in range(min(8, regions))],
                              "series": [{"metric": "rev"}]} for k in range(charts)]
    cfg = {"name": "growth", "region": "全市", "period": 2023,
           "meta": {"title": "{{ period }}年各县指标", "organ": "某统计局", "date": "2024-02-05"},
           "data": [{"file": "data.csv"}],
           "metrics": {"rev": {"indicator": "营业收入", "decimals": 1}, "firms": {"indicator": "企业数"},
                       "rd": {"indicator": "研发强度", "decimals": 2}},
           "peers": names, "sections": [section]}
    path = folder / "briefing.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _series(label: str, sizes: list[int], make, rounds: int, use_lo: bool, tmp: Path) -> None:
    env = child_env(BRIEFGEN_CHART_CACHE="0")
    so = soffice() if use_lo else None
    print(f"\n# {label}: whole `briefgen build` (DOCX+PDF), median of {rounds}")
    print(f"{'size':>6} {'briefgen':>9} {'soffice':>8} {'ratio':>6} {'growth':>7} {'size x':>6}")
    prev: tuple[int, float] | None = None
    for n in sizes:
        folder = tmp / f"{label}-{n}"
        cfg = make(folder, n)
        cmd = [*briefgen_cmd(), "build", str(cfg), "--out", str(folder / "out")]
        run(cmd, env)
        walls = [run(cmd, env)[0] for _ in range(rounds)]
        lo_t = float("nan")
        if so:
            lo = [so, f"-env:UserInstallation={(tmp / 'lo-profile').as_uri()}", "--headless", "--convert-to",
                  "pdf", "--outdir", str(folder / "lo"), str(folder / "out" / "growth.docx")]
            run(lo, env)
            lo_t = med([run(lo, env)[0] for _ in range(rounds)])
        t = med(walls)
        growth = f"{t / prev[1]:.2f}" if prev else "-"
        size_x = f"{n / prev[0]:.1f}" if prev else "-"
        print(f"{n:>6} {t:>8.2f}s {lo_t:>7.2f}s {t / lo_t:>6.2f} {growth:>7} {size_x:>6}", flush=True)
        prev = (n, t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="250,500,1000,2000,4000")
    ap.add_argument("--charts", default="1,10,40,80")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-soffice", action="store_true")
    args = ap.parse_args()
    print_machine()
    with tempfile.TemporaryDirectory(prefix="bench-growth-") as tmp:
        t = Path(tmp)
        if args.rows:
            _series("regions table rows", [int(x) for x in args.rows.split(",")],
                    lambda f, n: make_project(f, regions=n), args.rounds, not args.no_soffice, t)
        if args.charts:
            _series("charts", [int(x) for x in args.charts.split(",")],
                    lambda f, n: make_project(f, regions=12, charts=n, table=False), args.rounds,
                    not args.no_soffice, t)


if __name__ == "__main__":
    main()
