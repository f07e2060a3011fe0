"""Batch and scheduled runs: matrix expansion, relative periods, safe output names,
incremental reruns, failure isolation, kill-and-rerun, manifest, fake-clock schedules."""

import datetime as dt
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.batch import load_plan, run_batch
from briefgen.batch.lock import FolderLock
from briefgen.batch.plan import period_fields
from briefgen.periods import resolve as resolve_period
from briefgen.zh import period_label
from briefgen.cli import main
from briefgen.errors import BriefgenError
from conftest import ROOT

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


def _valid_outputs(root: Path) -> tuple[int, int]:
    """Open every DOCX and PDF under root; no temporary left behind."""
    import docx
    from pypdf import PdfReader

    assert not [p for p in root.rglob("*.part")], "half-written temporaries left behind"
    docs = sorted(root.rglob("*.docx"))
    pdfs = sorted(root.rglob("*.pdf"))
    for p in docs:
        assert docx.Document(str(p)).paragraphs
    for p in pdfs:
        r = PdfReader(str(p))
        assert len(r.pages) >= 1 and r.pages[0].extract_text()
    return len(docs), len(pdfs)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize("as_of, token, code, slug, label", [
    ("2024-01-01", "last-month", "2023-12", "2023-12", "2023年12月"),
    ("2024-01-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-01-15", "last-year", "2023", "2023", "2023年"),
    ("2024-01-15", "year-to-date", "2023-12", "2023-01~12", "2023年1—12月"),
    ("2024-02-01", "year-to-date", "2024-01", "2024-01~01", "2024年1月"),
    ("2024-03-31", "last-month", "2024-02", "2024-02", "2024年2月"),
    ("2024-03-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-04-01", "last-quarter", "2024Q1", "2024Q1", "2024年第一季度"),
    ("2024-04-01", "year-to-date", "2024-03", "2024-01~03", "2024年1—3月"),
    ("2024-12-31", "last-quarter", "2024Q3", "2024Q3", "2024年第三季度"),
    ("2024-12-31", "last-year", "2023", "2023", "2023年"),
    ("2024-02-10", "last-month-2", "2023-11", "2023-11", "2023年11月"),
    ("2024-02-10", "last-quarter-1", "2023Q3", "2023Q3", "2023年第三季度"),
    ("2024-02-10", "LAST-MONTH", "2024-01", "2024-01", "2024年1月"),
])
def test_relative_periods(as_of, token, code, slug, label):
    p = resolve_period(token, dt.date.fromisoformat(as_of))
    assert (p.code, p.slug, period_label(p)) == (code, slug, label)


def test_explicit_periods():
    day = dt.date(2024, 5, 1)
    assert resolve_period(2023, day).code == "2023"
    assert resolve_period("2024Q2", day).end == dt.date(2024, 6, 30)
    assert resolve_period(dt.date(2024, 2, 9), day).code == "2024-02"
    assert period_fields(resolve_period("2024-02", day))["month"] == 2
    assert period_fields(resolve_period("2024H1", day))["period_label"] == "2024年上半年"


@pytest.mark.parametrize("bad", ["last-week", "year-to-date-1", "", None])
def test_bad_periods(bad):
    with pytest.raises(BriefgenError) as e:
        resolve_period(bad, dt.date(2024, 5, 1))
    assert "时期" in str(e.value)


# --------------------------------------------------------------------------- planning


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


# --------------------------------------------------------------------------- running


def test_build_skip_force_and_manifest(tmp_path):
    jobs = _project(tmp_path, _matrix(["宜都市", "猇亭区"], ["2024-06"]))
    plan = load_plan(jobs)
    first = run_batch(plan, workers=1)
    assert first.ok and len(first.built) == 2 and not first.skipped
    assert _valid_outputs(plan.out) == (2, 2)

    man = json.loads((plan.out / "manifest.json").read_text(encoding="utf-8"))
    entry = man["outputs"]["猇亭区/2024-06/简报"]
    assert entry["job"]["region"] == "猇亭区" and entry["job"]["period"] == "2024-06"
    assert str(tmp_path / "brief.yaml") in entry["inputs"]
    assert str(tmp_path / "data" / "county_monthly.csv") in entry["inputs"]
    assert all(len(v["sha256"]) == 64 for v in entry["inputs"].values())
    assert entry["fonts"] and man["environment"]["briefgen"]
    pdf = entry["files"]["pdf"]
    assert pdf["path"] == "猇亭区/2024-06/简报.pdf"
    import hashlib
    assert hashlib.sha256((plan.out / pdf["path"]).read_bytes()).hexdigest() == pdf["sha256"]
    assert man["last_run"]["built"] == 2 and man["last_run"]["failed"] == 0

    t0 = time.perf_counter()
    again = run_batch(load_plan(jobs), workers=1)
    assert again.ok and not again.built and len(again.skipped) == 2
    assert time.perf_counter() - t0 < 2.0

    # Same content, new mtime (e.g. a git checkout): still skipped.
    os.utime(tmp_path / "data" / "county_monthly.csv")
    assert len(run_batch(load_plan(jobs), workers=1).skipped) == 2

    forced = run_batch(load_plan(jobs), workers=1, force=True, only=["宜都市/*"])
    assert [b["output"] for b in forced.built] == ["宜都市/2024-06/简报"]

    # A changed template rebuilds; a deleted output is rebuilt alone.
    cfg = yaml.safe_load((tmp_path / "brief.yaml").read_text(encoding="utf-8"))
    cfg["meta"]["organ"] = "另一个局"
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    assert len(run_batch(load_plan(jobs), workers=1).built) == 2
    (plan.out / "宜都市" / "2024-06" / "简报.docx").unlink()
    redo = run_batch(load_plan(jobs), workers=1)
    assert [b["output"] for b in redo.built] == ["宜都市/2024-06/简报"] and len(redo.skipped) == 1


def test_broken_job_fails_alone(tmp_path):
    jobs = _matrix(["宜都市", "不存在县"], ["2024-06"])
    bad = dict(SMALL, data=[{"file": "data/broken.csv"}])
    jobs["jobs"] = [{"config": "broken.yaml", "output": "坏数据/简报"}]
    p = _project(tmp_path, jobs)
    (tmp_path / "data" / "broken.csv").write_text("指标,地区,时期,数值,单位\n高新技术企业数,宜都市,2024-06,一百,家\n",
                                                  encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "briefgen", "batch", str(p), "-j", "2"], capture_output=True,
                       text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "失败的任务" in out and "不存在县/2024-06/简报" in out and "坏数据/简报" in out
    # Each failure says why, in the line printed when it failed.
    assert "不存在县/2024-06/简报：" in out and "缺少“高新技术企业数”不存在县2024-06的数据" in out
    assert "坏数据/简报：" in out and "“一百”" in out
    assert "Traceback" not in out + r.stderr
    assert _valid_outputs(tmp_path / "out") == (1, 1)
    man = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert list(man["outputs"]) == ["宜都市/2024-06/简报"]
    assert {f["output"] for f in man["last_run"]["failures"]} == {"不存在县/2024-06/简报", "坏数据/简报"}


def test_kill_halfway_and_rerun(tmp_path):
    regions = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市"]
    p = _project(tmp_path, _matrix(regions, ["2024-06"]))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "briefgen", "batch", str(p), "-j", "2", "-q"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while not list(out.rglob("*.pdf")) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, mid-write
        proc.wait()
    done_before = len(list(out.rglob("*.pdf")))
    assert done_before < len(regions), "the batch finished before it could be killed"
    r = subprocess.run(cmd[:-1], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert _valid_outputs(out) == (len(regions), len(regions))
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(man["outputs"]) == len(regions)


def test_second_run_on_same_folder_is_refused(tmp_path):
    plan = load_plan(_project(tmp_path, _matrix(["宜都市"], ["2024-06"])))
    plan.out.mkdir(parents=True)
    with FolderLock(plan.out):
        with pytest.raises(BriefgenError, match="另一个批量任务"):
            run_batch(plan, workers=1)


def test_dry_run_lists_without_writing(tmp_path):
    p = _project(tmp_path, _matrix(["宜都市", "猇亭区"], ["2024-05", "2024-06"]))
    r = CliRunner().invoke(main, ["batch", str(p), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "生成  猇亭区/2024-05/简报" in r.output and "共 4 份" in r.output
    assert not (tmp_path / "out").exists()


def test_demo_job_has_four_charts(tmp_path):
    plan = load_plan(DEMO, out=tmp_path / "demo")
    report = run_batch(plan, workers=1, only=["猇亭区/2024-06/*"])
    assert report.ok and len(report.built) == 1, report.failed
    import docx
    from pypdf import PdfReader

    base = tmp_path / "demo" / "猇亭区" / "2024-06" / "县域科技创新简报"
    d = docx.Document(str(base) + ".docx")
    assert len(d.inline_shapes) == 4
    text = "".join(p.text for p in d.paragraphs)
    assert "猇亭区" in text and "示例数据（虚构）" in text
    assert sum(len(pg.images) for pg in PdfReader(str(base) + ".pdf").pages) == 4


# --------------------------------------------------------------------------- schedule


def _schedule(tmp_path: Path, runs: list[dict], **top) -> Path:
    jobs = _project(tmp_path, _matrix(["宜都市"], ["last-month"]))
    for r in runs:
        r.setdefault("jobs", jobs.name)
    p = tmp_path / "schedule.yaml"
    p.write_text(yaml.safe_dump({"runs": runs, **top}, allow_unicode=True), encoding="utf-8")
    return p


def test_schedule_fake_clock(tmp_path):
    from briefgen.batch.schedule import FakeClock, load_schedule, run_schedule

    sched = load_schedule(_schedule(tmp_path, [
        {"name": "月报", "cron": "0 6 1 * *"},
        {"name": "首个工作日", "cron": "30 7 1-10 * *", "first_workday": True,
         "holidays": ["2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-07"]},
    ]))
    calls = []

    class R:
        built, skipped, failed, interrupted, out, exit_code = [], [], [], False, tmp_path, 0

    def runner(plan, **kw):
        calls.append((plan.as_of, plan.jobs[0].output, kw))
        return R()

    clock = FakeClock(dt.datetime(2024, 5, 31, 23, 0))
    assert run_schedule(sched, clock, max_runs=4, runner=runner) == 0
    # 2024-06-01 is a Saturday: the first working day of June is Monday the 3rd.
    assert [c[0] for c in calls] == [dt.date(2024, 6, 1), dt.date(2024, 6, 3), dt.date(2024, 7, 1),
                                     dt.date(2024, 7, 1)]
    assert calls[0][1] == "宜都市/2024-05/简报"  # last-month against the run date

    calls.clear()
    clock = FakeClock(dt.datetime(2024, 9, 30, 12, 0))
    run_schedule(sched, clock, max_runs=2, runner=runner)
    assert [c[0] for c in calls] == [dt.date(2024, 10, 1), dt.date(2024, 10, 8)]  # 10-05/06 weekend


def test_schedule_makes_up_a_missed_run_once(tmp_path):
    from briefgen.batch.schedule import FakeClock, load_schedule, run_schedule

    sched = load_schedule(_schedule(tmp_path, [{"name": "月报", "cron": "0 6 1 * *"}]))
    calls = []

    class R:
        built, skipped, failed, interrupted, out, exit_code = [], [], [], False, tmp_path, 0

    class Sleepy(FakeClock):
        def sleep_until(self, t):  # the machine sleeps until mid-August
            self.t = max(self.t, dt.datetime(2024, 8, 15, 9, 0))

    run_schedule(sched, Sleepy(dt.datetime(2024, 6, 20)), max_runs=1,
                 runner=lambda plan, **kw: calls.append(plan.as_of) or R())
    assert calls == [dt.date(2024, 8, 1)]


def test_demo_schedule_and_monthly_jobs():
    from briefgen.batch.schedule import FakeClock, load_schedule, upcoming

    sched = load_schedule(ROOT / "seeds" / "schedule-demo.yaml")
    times = [t.date() for t, _e in upcoming(sched, FakeClock(dt.datetime(2024, 6, 30, 12), sched.tz).now(), 4)]
    assert times == [dt.date(2024, 7, 1), dt.date(2024, 8, 1), dt.date(2024, 9, 2), dt.date(2024, 10, 8)]
    plan = load_plan(ROOT / "seeds" / "batch-monthly.yaml", as_of=dt.date(2024, 7, 1))
    assert len(plan.jobs) == 13 and {j.fields["period_code"] for j in plan.jobs} == {"2024-06"}


def test_schedule_cli(tmp_path):
    p = _schedule(tmp_path, [{"name": "月报", "cron": "0 6 1 * *", "only": ["不匹配/*"]}],
                  log="logs/schedule.log", timezone="Asia/Shanghai")
    r = CliRunner().invoke(main, ["schedule", str(p), "--now", "2024-05-31T23:00", "--list", "2"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == ["2024-06-01 06:00:00+08:00  月报", "2024-07-01 06:00:00+08:00  月报"]
    r = CliRunner().invoke(main, ["schedule", str(p), "--now", "2024-05-31T23:00", "--max-runs", "1"])
    assert r.exit_code == 0, r.output
    log = (tmp_path / "logs" / "schedule.log").read_text(encoding="utf-8")
    assert "开始运行“月报”" in log and "统计基准日 2024-06-01" in log and "完成：生成 0 份" in log
    r = CliRunner().invoke(main, ["schedule", str(p), "--now", "2024-05-31T23:00"])
    assert r.exit_code == 1 and "--max-runs" in r.output
    bad = _schedule(tmp_path, [{"cron": "0 6 31 2 * *x"}])
    r = CliRunner().invoke(main, ["schedule", str(bad), "--once"])
    assert r.exit_code == 1 and "cron 表达式" in r.output
