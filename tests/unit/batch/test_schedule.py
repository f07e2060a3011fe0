"""Batch and scheduled runs: matrix expansion, relative periods, safe output names,
incremental reruns, failure isolation, kill-and-rerun, manifest, fake-clock schedules."""

import datetime as dt
import shutil
from pathlib import Path

import yaml

from briefgen.batch import load_plan
from support import ROOT

DEMO_DATA = ROOT / "seeds" / "batch-demo" / "data" / "county_monthly.csv"


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
