"""Batch and scheduled runs: matrix expansion, relative periods, safe output names,
incremental reruns, failure isolation, kill-and-rerun, manifest, fake-clock schedules."""

import datetime as dt
import shutil
from pathlib import Path

import pytest
import yaml

from briefgen.batch import load_plan
from briefgen.errors import BriefgenError
from support import ROOT

DEMO = ROOT / "seeds" / "batch-demo.yaml"


DEMO_DATA = ROOT / "seeds" / "batch-demo" / "data" / "county_monthly.csv"


COUNTIES = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市",
            "远安县", "兴山县", "秭归县", "长阳土家族自治县", "五峰土家族自治县"]


# A one-chart briefing over the demo data: enough to exercise the batch quickly.
SMALL = {
    "name": "brief", "region": "宜都市", "period": "2024-06",
    "meta": {"title": "{{ region }}科技简报", "organ": "某局", "date": "2024-07-05"},
    "data": [{"file": "data/county_monthly.csv"}],
    "metrics": {"hte": {"indicator": "高新技术企业数", "decimals": 0}},
    "sections": [{
        "heading": "总体情况",
        "text": "{{ region }}共有高新技术企业{{ hte }}，{{ hte.rank | rank_phrase('全市') }}。",
        "charts": [{"type": "hbar_rank", "caption": "各县市区高新技术企业数", "x": "regions",
                    "sort": "desc", "series": [{"metric": "hte"}]}],
    }],
}


def _project(tmp_path: Path, jobs: dict, config: dict | None = None) -> Path:
    (tmp_path / "data").mkdir(exist_ok=True)
    shutil.copy(DEMO_DATA, tmp_path / "data" / "county_monthly.csv")
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(config or SMALL, allow_unicode=True), encoding="utf-8")
    p = tmp_path / "jobs.yaml"
    p.write_text(yaml.safe_dump(jobs, allow_unicode=True), encoding="utf-8")
    return p


def _matrix(regions, periods, **extra) -> dict:
    m = {"template": "brief.yaml", "name": "简报", "region": regions, "period": periods}
    m.update(extra)
    return {"output": "out", "pattern": "{region}/{period}/{name}", "matrix": [m]}


def test_matrix_expansion_and_overrides(tmp_path):
    jobs = _project(tmp_path, _matrix(["宜都市", "猇亭区"], ["last-month", "year-to-date"],
                                      vars={"meta.issue": "{month}", "meta.date": "{period_end}"}))
    plan = load_plan(jobs, as_of=dt.date(2024, 7, 3))
    outs = [j.output for j in plan.jobs]
    assert outs == ["宜都市/2024-06/简报", "猇亭区/2024-06/简报", "宜都市/2024-01~06/简报", "猇亭区/2024-01~06/简报"]
    assert plan.out == tmp_path / "out"
    ov = plan.jobs[1].overrides
    assert 'region="猇亭区"' in ov and 'period="2024-06"' in ov
    assert "meta.issue=6" in ov and "meta.date=2024-06-30" in ov and 'name="简报"' in ov


def test_demo_jobs_file():
    plan = load_plan(DEMO)
    assert len(plan.jobs) >= 24
    assert {j.region for j in plan.jobs} == set(COUNTIES)
    cfg = yaml.safe_load(plan.jobs[0].config.read_text(encoding="utf-8"))
    charts = [c for s in cfg["sections"] for c in s.get("charts", [])]
    assert {c["type"] for c in charts} == {"bar", "bar_line", "hbar_rank", "donut"}
    assert "示例数据（虚构）" in DEMO_DATA.read_text(encoding="utf-8").splitlines()[1]


def test_output_names_sanitized(tmp_path):
    jobs = _project(tmp_path, _matrix(["a/b", "CON", 'x:y*"z', "..a"], ["2024-06"]))
    outs = [j.output for j in load_plan(jobs).jobs]
    assert outs == ["a_b/2024-06/简报", "_CON/2024-06/简报", "x_y__z/2024-06/简报", "..a/2024-06/简报"]


def test_bad_plans(tmp_path):
    with pytest.raises(BriefgenError, match="不能是"):
        load_plan(_project(tmp_path, _matrix([".."], ["2024-06"])))
    with pytest.raises(BriefgenError, match="同名"):
        load_plan(_project(tmp_path, _matrix(["宜都市", "猇亭区"], ["2024-06"], pattern="{name}")))
    with pytest.raises(BriefgenError, match="占位符“{county}”"):
        load_plan(_project(tmp_path, _matrix(["宜都市"], ["2024-06"], pattern="{county}/{name}")))
    with pytest.raises(BriefgenError, match="不能包含“..”"):
        load_plan(_project(tmp_path, _matrix(["宜都市"], ["2024-06"], pattern="../{region}")))
    with pytest.raises(BriefgenError, match="不认识的键"):
        load_plan(_project(tmp_path, {"matrix": [{"template": "brief.yaml", "regions": ["宜都市"]}]}))


def test_regions_from_data(tmp_path):
    jobs = _project(tmp_path, _matrix({"from_data": True, "exclude": ["宜都市"]}, ["2024-06"]))
    regions = [j.region for j in load_plan(jobs).jobs]
    assert len(regions) == 12 and "宜都市" not in regions and "猇亭区" in regions
