"""Headings and claims from data: `when:` on sections, items, charts and tables; named `conditions:`
written once; `on_missing: skip | fallback | error`; figure and table references by number;
department grade tables; the table change column by measure; validate saying what was left out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from briefgen.batch import load_plan, run_batch
from briefgen.cli import main
from briefgen.config import load_config
from briefgen.errors import BriefgenError
from briefgen.pipeline import build, make_document
from briefgen.validate import validate
from support import ROOT

RISE = "指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n科小,2021,1172,家\n科小,2020,840,家\n"
FALL = "指标,时期,数值,单位\n高企,2021,600,家\n高企,2020,640,家\n科小,2021,820,家\n科小,2020,840,家\n"
FIRST = "指标,时期,数值,单位\n高企,2021,857,家\n科小,2021,1172,家\n"


def _config(tmp_path: Path, csv: str, **over) -> Path:
    (tmp_path / "d.csv").write_text(csv, encoding="utf-8")
    cfg = {
        "name": "x", "region": "宜昌市", "period": 2021, "meta": {"title": "测试", "organ": "某局"},
        "data": [{"file": "d.csv"}], "metrics": {"hte": {"indicator": "高企", "decimals": 0}, "tsme": "科小"},
        "conditions": {"growing": "all_rose([hte, tsme])"},
        "sections": [
            {"heading": "高新技术企业{{ hte | milestone(50) }}", "text": "总数{{ hte | reach }}{{ hte | change | lead }}。"},
            {"heading": "{{ '量质齐升' if growing else '培育情况' }}", "content": [
                {"text": "各类创新主体数量和质量同步提升。", "when": "growing"},
                {"text": "科技型中小企业入库{{ tsme }}{{ tsme | change | lead }}，主要指标见{{ table() }}，走势见{{ fig() }}。"},
                {"table": {"caption": "主要指标", "rows": ["hte", "tsme"]}},
                {"chart": {"type": "bar", "caption": "数量", "periods": [2020, 2021], "series": [{"metric": "hte"}]},
                 },
            ]},
            {"heading": "仅在下降时", "when": "fell(hte)", "text": "高新技术企业数量有所减少。"},
        ],
    }
    cfg.update(over)
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def _text(path: Path) -> str:
    return make_document(load_config(path), None, None).text()


def test_headings_and_claims_follow_the_data(tmp_path):
    up = _text(_config(tmp_path, RISE))
    assert "一、高新技术企业突破850家" in up and "二、量质齐升" in up and "各类创新主体数量和质量同步提升" in up
    assert "仅在下降时" not in up
    assert "主要指标见表1，走势见图1。" in up
    down = _text(_config(tmp_path, FALL))
    assert "一、高新技术企业600家" in down and "二、培育情况" in down and "同步提升" not in down
    assert "三、仅在下降时" in down and "总数为600家，比上年下降6.3%。" in down
    first = _text(_config(tmp_path, FIRST))
    assert "一、高新技术企业超过850家" in first and "总数达到857家。" in first and "科技型中小企业入库1172家，主要指标" in first


def test_a_condition_is_written_once_and_may_live_in_a_template(tmp_path):
    tdir = tmp_path / "templates" / "dept"
    tdir.mkdir(parents=True)
    (tdir / "template.yaml").write_text(yaml.safe_dump(
        {"extends": "base", "conditions": {"growing": "rose(hte)"},
         "phrases": {"grades": {"growth": [{"min": 30, "word": "快速增长"}, {"min": -30, "word": "平稳运行"},
                                           {"word": "明显回落"}]}}}, allow_unicode=True), encoding="utf-8")
    p = _config(tmp_path, RISE, template="dept", conditions={},
                sections=[{"heading": "高企{{ hte | grade }}", "text": "{% if growing %}增势良好。{% endif %}"}])
    text = _text(p)
    assert "一、高企快速增长" in text and "增势良好" in text


def test_bad_grade_table_and_bad_condition_are_named(tmp_path):
    p = _config(tmp_path, RISE, phrases={"grades": {"growth": [{"min": -5, "word": "小幅增长"}, {"word": "下降"}]}})
    with pytest.raises(BriefgenError, match=r"phrases\.grades\.growth\[0\].*表示上升"):
        _text(p)
    p = _config(tmp_path, RISE, conditions={"growing": "rose(hte"})
    with pytest.raises(BriefgenError, match="conditions.growing"):
        _text(p)


def _missing_section(tmp_path: Path, policy: dict) -> Path:
    sec = {"heading": "科技型中小企业", "text": "入库{{ tsme }}{{ tsme | change | lead }}。", **policy}
    csv = "指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n科小,2020,840,家\n"
    return _config(tmp_path, csv, sections=[{"heading": "高企", "text": "总数{{ hte }}。"}, sec,
                                            {"heading": "其他", "text": "其他工作。"}])


def test_on_missing_error_is_the_default_and_names_the_section(tmp_path):
    with pytest.raises(BriefgenError, match=r"sections\[1\].*缺少“科小”.*on_missing"):
        _text(_missing_section(tmp_path, {}))


def test_on_missing_skip_and_fallback(tmp_path):
    p = _missing_section(tmp_path, {"on_missing": "skip"})
    doc = make_document(load_config(p), None, None)
    assert "科技型中小企业" not in doc.text() and "二、其他" in doc.text()  # numbering closes the gap
    assert any("on_missing: skip" in w and "sections[1]" in w for w in doc.warnings)
    p = _missing_section(tmp_path, {"on_missing": "fallback", "fallback": "{{ period }}年数据暂缺。"})
    doc = make_document(load_config(p), None, None)
    assert "二、科技型中小企业\n2021年数据暂缺。\n三、其他" in doc.text()
    assert any("on_missing: fallback" in w for w in doc.warnings)
    with pytest.raises(BriefgenError, match="fallback"):
        _text(_missing_section(tmp_path, {"on_missing": "fallback"}))
    # A config-wide default, overridden per section.
    p = _missing_section(tmp_path, {})
    raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    raw["on_missing"] = "skip"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert "科技型中小企业" not in _text(p)


def test_batch_reports_skipped_sections_per_job(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(ROOT / "seeds" / "batch-demo" / "data" / "county_monthly.csv", tmp_path / "data" / "m.csv")
    cfg = {"name": "brief", "region": "宜都市", "period": "2024-06", "on_missing": "skip",
           "meta": {"title": "{{ region }}简报", "organ": "某局", "date": "2024-07-05"},
           "data": [{"file": "data/m.csv"}], "metrics": {"hte": {"indicator": "高新技术企业数", "decimals": 0}},
           "sections": [{"heading": "总体", "text": "{{ region }}共有高新技术企业{{ hte }}{{ hte | change | lead }}。"}]}
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    jobs = {"output": "out", "pattern": "{region}/{period}", "formats": ["docx"],
            "matrix": [{"template": "brief.yaml", "region": ["宜都市", "没有数据县"], "period": ["2024-06"]}]}
    (tmp_path / "jobs.yaml").write_text(yaml.safe_dump(jobs, allow_unicode=True), encoding="utf-8")
    report = run_batch(load_plan(tmp_path / "jobs.yaml"), workers=1)
    assert report.ok and len(report.built) == 2
    skipped = [w for w in report.warnings if "on_missing: skip" in w]
    assert len(skipped) == 1 and skipped[0].startswith("没有数据县/2024-06：")
    man = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert any("on_missing" in w for w in man["outputs"]["没有数据县/2024-06"]["warnings"])


def test_figure_and_table_numbers_follow_what_is_built(tmp_path):
    chart = {"type": "bar", "caption": "数量", "periods": [2020, 2021], "series": [{"metric": "hte"}]}
    p = _config(tmp_path, RISE, sections=[
        {"heading": "一", "text": "见{{ fig() }}。", "charts": [dict(chart, when="fell(hte)")]},
        {"heading": "二", "text": "见{{ fig() }}和{{ fig(2) }}，前文无图。", "charts": [chart, chart]},
        {"heading": "三", "text": "如{{ fig(0) }}所示，另见{{ table() }}。", "tables": [{"caption": "表", "rows": ["hte"]}]},
    ])
    text = _text(p)
    assert "见图1和图2，前文无图。" in text and "如图2所示，另见表1。" in text
    bad = _config(tmp_path, RISE, sections=[{"heading": "一", "text": "如{{ fig(0) }}所示。"}])
    with pytest.raises(BriefgenError, match="前面没有图"):
        _text(bad)


def test_table_change_column_by_measure(tmp_path):
    csv = ("指标,时期,数值,单位\n净增数,2021,217,家\n净增数,2020,119,家\n利润,2021,5,亿元\n利润,2020,-2,亿元\n"
           "比重,2021,2.62,%\n比重,2020,2.36,%\n增加值,2021,649.87,亿元\n增加值,2020,649.61,亿元\n"
           "企业,2021,857,家\n企业,2020,640,家\n")
    csv += "企业,2019,500,家\n"
    p = _config(tmp_path, csv, conditions={}, metrics={
        "n": "净增数", "profit": "利润", "share": {"indicator": "比重", "decimals": 2}, "v": "增加值",
        "hte": {"indicator": "企业", "decimals": 0}},
        sections=[{"heading": "表", "tables": [{"caption": "主要指标", "rows": ["n", "profit", "share", "v", "hte"]}]}])
    result = build(p, tmp_path / "out", ["docx"])
    d = docx.Document(str(tmp_path / "out" / "x.docx"))
    rows = {r.cells[0].text: r.cells[-1].text for r in d.tables[0].rows}
    assert rows == {"指标": "比上年增减", "净增数": "多增98家", "利润": "增加7亿元", "比重": "提高0.26个百分点",
                    "增加值": "增长0.04%", "企业": "增长33.9%"}
    assert result.document is not None


def test_published_growth_note_is_neutral(seed_build):
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    text = "".join(p.text for p in d.paragraphs)
    assert "带*的增速为统计部门公布数，公布数与两年数值直接计算结果因口径不同而不一致。" in text
    assert "可比价" not in text


def test_validate_says_which_comparisons_were_left_out(tmp_path):
    p = _config(tmp_path, FIRST)
    report = validate(p)
    assert report.ok
    assert any("sections[0].text" in n and "“高企”缺少2020年数据，已省略与上期的比较" in n for n in report.notes)
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 0 and "说明：" in r.output and "已省略与上期的比较" in r.output


def test_validate_lints_templates_with_lines(tmp_path):
    (tmp_path / "d.csv").write_text(RISE, encoding="utf-8")
    p = tmp_path / "b.yaml"
    p.write_text(
        "name: x\nregion: 宜昌市\nperiod: 2021\nmeta: {title: 测试, organ: 某局}\ndata: [{file: d.csv}]\n"
        "metrics: {hte: 高企}\nsections:\n"
        "  - heading: 高新技术产业增势强劲\n"  # line 8
        "    text: |\n"
        "      总数{{ hte }}，\n"  # line 10
        "      比上年增长{{ hte.yoy | pct(1) }}（详见下图）。\n",  # line 11
        encoding="utf-8")
    report = validate(p)
    assert report.ok  # wording problems are warnings; --strict makes them fail
    assert any(w.startswith(f"{p}:8：sections[0].heading：固定评价“增势强劲”") for w in report.warnings)
    assert any(w.startswith(f"{p}:11：sections[0].text：固定的“增长”后接可能为负的 hte.yoy") and "{{ hte | change }}" in w
               for w in report.warnings)
    assert any(w.startswith(f"{p}:11：") and "下图" in w and "fig()" in w for w in report.warnings)
    r = CliRunner().invoke(main, ["validate", str(p), "--strict"])
    assert r.exit_code == 1
