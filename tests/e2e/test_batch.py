"""Batch and scheduled runs: matrix expansion, relative periods, safe output names,
incremental reruns, failure isolation, kill-and-rerun, manifest, fake-clock schedules."""

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
from briefgen.cli import main
from briefgen.errors import BriefgenError
from support import ROOT, docx_chart_parts

DEMO = ROOT / "seeds" / "batch-demo.yaml"


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
    assert "不存在县/2024-06/简报：" in out and "本地区名称“不存在县”不认识：数据中没有这个地区" in out
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
    assert len(docx_chart_parts(d)) == 4
    text = "".join(p.text for p in d.paragraphs)
    assert "猇亭区" in text and "示例数据（虚构）" in text
    pages = PdfReader(str(base) + ".pdf").pages
    assert sum(len(pg.images) for pg in pages) == 0  # vector charts
    assert sum(pg.extract_text().count("单位：") for pg in pages) >= 3


def _schedule(tmp_path: Path, runs: list[dict], **top) -> Path:
    jobs = _project(tmp_path, _matrix(["宜都市"], ["last-month"]))
    for r in runs:
        r.setdefault("jobs", jobs.name)
    p = tmp_path / "schedule.yaml"
    p.write_text(yaml.safe_dump({"runs": runs, **top}, allow_unicode=True), encoding="utf-8")
    return p


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


def test_summary_prints_the_output_folder_clean(tmp_path, monkeypatch):
    """`output: ../out/demo` in a jobs file under jobs/: the summary says out/demo, not jobs/../out/demo."""
    (tmp_path / "jobs").mkdir()
    jobs = _matrix(["宜都市"], ["2024-06"], formats=["docx"])
    jobs["output"] = "../out/demo"
    p = _project(tmp_path, jobs)
    moved = tmp_path / "jobs" / "jobs.yaml"
    cfg = yaml.safe_load(p.read_text(encoding="utf-8"))
    cfg["matrix"][0]["template"] = "../brief.yaml"
    moved.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "200")
    r = CliRunner().invoke(main, ["batch", "jobs/jobs.yaml"])
    assert r.exit_code == 0, r.output
    row = next(line for line in r.output.splitlines() if "任务" in line and "│" in line)
    assert row.split("│")[3].strip() == "out/demo", row
    assert ".." not in r.output
    # Outside the current folder: the absolute path, `..` resolved.
    monkeypatch.chdir(tmp_path / "jobs")
    from briefgen.cli.batch import shown_path

    assert shown_path(Path("../out/demo")) == str(tmp_path / "out" / "demo")
    assert shown_path(Path("../jobs")) == "."


def test_demo_dates_each_issue_on_the_next_months_first_working_day():
    """The demo's 编发日期 is {issue_date}: April's data go out on 6 May (劳动节 and a weekend first),
    May's on Monday 3 June, June's on Monday 1 July — not on the last day of the month they describe."""
    plan = load_plan(DEMO)
    dates = {j.period: next(o for o in j.overrides if o.startswith("meta.date=")) for j in plan.jobs}
    assert dates == {"2024-04": "meta.date=2024-05-06", "2024-05": "meta.date=2024-06-03",
                     "2024-06": "meta.date=2024-07-01"}
