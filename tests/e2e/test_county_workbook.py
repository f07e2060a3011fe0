"""The county workbook example: built from the bureau's workbook as it is, read back from the DOCX
and PDF; `briefgen inspect` on it and on a workbook of another shape; its sentences stay true
when the counties fall instead of grow."""

import functools
import re
import shutil
import subprocess
import sys

import docx
import pdfplumber
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from briefgen.cli import main
from briefgen.config import load_config
from briefgen.pipeline import build, make_document
from support import ROOT, docx_chart_parts, squash

SEED = ROOT / "seeds" / "kejiju-county-2022-09"
BOOK = SEED / "data" / "2022年1-9月县市区主要指标.xlsx"


@functools.lru_cache(maxsize=None)
def _built(out: str):
    result = build(SEED / "briefing.yaml", out)
    d = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    with pdfplumber.open(str(next(p for p in result.outputs if p.suffix == ".pdf"))) as pdf:
        pages = [p.extract_text() or "" for p in pdf.pages]
        images = sum(len(p.images) for p in pdf.pages)
    return result, d, pages, images


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return _built(str(tmp_path_factory.mktemp("county")))


def test_builds_from_the_workbook_as_it_is(built):
    result, d, pages, images = built
    assert not result.warnings, result.warnings
    text = squash("\n".join(p.text for p in d.paragraphs))
    # 全市 totals with growth: nobody summed the counties by hand.
    assert "2022年1—9月，全市实现地区生产总值3853.11亿元，同比增长7.2%" in text
    assert "占地区生产总值的比重为18.25%，同比提高0.39个百分点" in text
    # The sentence about the top county and how many grew or fell, with references by number.
    assert "总量居首位的是当阳市（119.23亿元）；增速最高的是枝江市，同比增长25.9%。" in text
    assert "13个县市区中11个增长、2个下降。各县市区主要指标见表2，高新技术产业增加值增速排位见图1。" in text
    assert "分月看，全市各月技术合同成交额波动变化（见图2），8月最高（9.54亿元），1月最低（4.80亿元）。" in text
    assert squash(d.paragraphs[0].text + "".join(p.text for p in d.paragraphs[1:8])).count("1—9月全市高新技术产业稳步增长") == 1
    # The ranking chart and the monthly line chart: native Word charts, vector drawings in the PDF.
    assert len(docx_chart_parts(d)) == 2 and images == 0
    body = squash("".join(pages))
    for s in ("全市实现地区生产总值3853.11亿元", "11个增长、2个下降", "图12022年1—9月各县市区高新技术产业增加值增速",
              "图22022年1—9月全市技术合同成交额（当月）"):
        assert s in body


def test_county_table_has_growth_and_a_total_row(built):
    _r, d, pages, _i = built
    t = d.tables[1]
    head = [c.text.replace("\n", "") for c in t.rows[0].cells]
    assert head == ["地区", "地区生产总值（亿元）", "增速（%）", "高新技术产业增加值（亿元）", "增速（%）", "位次",
                    "占GDP比重（%）", "增减百分点"]
    rows = [[c.text for c in r.cells] for r in t.rows[1:]]
    assert rows[0][:3] == ["全市", "3853.11", "7.2"] and rows[0][5] == ""
    assert len(rows) == 14 and rows[12][0] == "长阳土家族自治县"
    assert any(v.startswith("\u2212") for r in rows for v in r) and not any(v.startswith("-") for r in rows for v in r)
    # In the PDF the longest county name stays on one line of its cell.
    assert any(line.startswith("长阳土家族自治县") for p in pages for line in p.splitlines())


def test_county_table_headers_break_between_words(built):
    _r, d, _p, _i = built
    heads = [c.text for c in d.tables[1].rows[0].cells]
    assert any("\n" in h for h in heads)
    for h in heads:
        for line in h.split("\n"):
            assert line.count("（") == line.count("）") and line not in ("生", "总值", "加值")


def test_committed_workbook_is_what_make_data_writes(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    (tmp_path / "seed" / "data" / BOOK.name).unlink()
    subprocess.run([sys.executable, str(tmp_path / "seed" / "make_data.py")], check=True, capture_output=True)
    fresh = load_workbook(tmp_path / "seed" / "data" / BOOK.name)
    committed = load_workbook(BOOK)
    assert fresh.sheetnames == committed.sheetnames == ["县市区", "全市月度"]
    for name in fresh.sheetnames:
        assert [list(r) for r in fresh[name].iter_rows(values_only=True)] == \
            [list(r) for r in committed[name].iter_rows(values_only=True)]
        assert sorted(map(str, fresh[name].merged_cells.ranges)) == sorted(map(str, committed[name].merged_cells.ranges))
    assert "示例数据（虚构）" in str(committed["县市区"]["A2"].value)


def test_inspect_says_how_the_workbook_is_read():
    r = CliRunner().invoke(main, ["inspect", str(BOOK)])
    assert r.exit_code == 0, r.output
    out = r.output
    for s in ("【工作表“县市区”】", "地区×指标，时期分列", "第3—4行为2行表头（含合并单元格）", "G列“备注”：备注列",
              "时期（2个）：2021年1—9月（累计，2021-01~09）、2022年1—9月（累计，2022-01~09）", "注释行",
              "【工作表“全市月度”】", "D列“（无表头）”：没有表头（空列）", "2022年1月（当月，2022-01）",
              "地区（13个）", "数值：104个，公布的增速、排名等39个", "data:", "metrics:", "regions:"):
        assert s in out, s


def test_inspect_snippet_pastes_into_a_config_that_builds(tmp_path):
    """A second workbook in another shape (the clerk's: county and indicator per row, periods across,
    a note column; months down on a second sheet): inspect → paste → build."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "分县"
    ws.append(["县市区", "指标", "单位", "2021年1-9月", "2022年1-9月", "备注"])
    figures = {"夷陵区": (100.0, 110.0), "西陵区": (90.0, 85.5), "宜都市": (50.0, 56.0)}
    for c, (a, b) in figures.items():
        ws.append([c, "规模以上工业增加值", "亿元", a, b, "注：本表为快报数" if c == "夷陵区" else None])
    ws2 = wb.create_sheet("月度")
    ws2.append(["2022年宜昌市月度数据"])
    ws2.merge_cells("A1:C1")
    ws2.append(["月份", "工业用电量（亿千瓦时）", "说明"])
    for m in range(1, 10):
        ws2.append([f"{m}月", 3 + m / 10, None])
    (tmp_path / "data").mkdir()
    wb.save(tmp_path / "data" / "报表.xlsx")

    r = CliRunner().invoke(main, ["inspect", str(tmp_path / "data" / "报表.xlsx")])
    assert r.exit_code == 0, r.output
    snippet = r.output.split("请按实际位置修改）：\n", 1)[1]
    cfg = yaml.safe_load(snippet)
    assert cfg["period"] == "2022年1—9月" and cfg["metrics"]["industry"]["indicator"] == "规模以上工业增加值"
    for src in cfg["data"]:
        src["file"] = re.sub(r"^.*[/\\]data[/\\]", "data/", src["file"])
    cfg["region"] = "宜昌市"
    cfg["regions"] = {"宜昌市": cfg["regions"].popitem()[1]}
    cfg.update(name="t", meta={"title": "测试"}, sections=[{
        "heading": "总体", "text": "全市规模以上工业增加值{{ industry }}，{{ industry.yoy | growth }}。",
        "tables": [{"caption": "分县", "kind": "regions", "columns": [{"metric": "industry", "show": ["value", "yoy"]}],
                    "total": "top"}]}])
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    doc = make_document(load_config(p), None, None)
    assert "全市规模以上工业增加值251.5亿元，同比增长4.8%。" in doc.text()  # 110 + 85.5 + 56 over 240


def test_sentences_stay_true_when_every_county_falls(tmp_path):
    shutil.copytree(SEED, tmp_path / "seed")
    path = tmp_path / "seed" / "data" / BOOK.name
    wb = load_workbook(path)
    ws = wb["县市区"]
    for row in ws.iter_rows(min_row=5):
        if row[1].value == "高新技术产业增加值":
            row[3].value = round(row[4].value * 0.95, 2)
            row[5].value = -5.0
    wb.save(path)
    doc = make_document(load_config(tmp_path / "seed" / "briefing.yaml"), None, None)
    text = doc.text()
    assert doc.meta.title == "1—9月全市高新技术产业有所下降"
    assert "高新技术产业增加值609.56亿元，同比下降5.0%，占地区生产总值的比重为15.82%，同比降低2.04个百分点" in text
    # Every county fell by the same 5.0 %: none is singled out as falling least.
    assert "分县市区看，高新技术产业增加值总量居首位的是当阳市（104.76亿元）。13个县市区均有所下降。" in text
    assert "个增长" not in text and "增速最高" not in text and "降幅" not in text


def test_inspect_starter_config_builds_as_it_is(tmp_path, monkeypatch):
    """From a county workbook to a first build: inspect, paste the snippet, build — nothing else."""
    shutil.copytree(SEED / "data", tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["inspect", f"data/{BOOK.name}"])
    assert r.exit_code == 0, r.output
    (tmp_path / "b.yaml").write_text(r.output.split("请按实际位置修改）：\n", 1)[1], encoding="utf-8")
    result = build(tmp_path / "b.yaml", tmp_path / "out")
    # The one thing only the clerk knows is asked for, with its line; nothing of the starter is printed.
    assert [w.split("：", 1)[1] for w in result.warnings] == [
        "meta.organ：没有填写编发单位，报头中的单位名将空着；请填写，如 宜昌市科学技术局"], result.warnings
    assert result.warnings[0].startswith(f"{tmp_path / 'b.yaml'}:5：")
    text = squash(result.document.text())
    assert "2022年1—9月，全市地区生产总值3853.11亿元，同比增长7.2%。" in text
    assert "宜昌市3853.117.2" in text  # the total row of the starter table: value and growth
    assert result.document.meta.title == "2022年1—9月主要指标情况"
    d = docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx")))
    printed = "".join(p.text for p in d.paragraphs)
    assert "请填写" not in printed and "本市" not in printed
    # The starter passes the wording linter: `validate` warns about the organ only.
    from briefgen.validate import validate

    report = validate(tmp_path / "b.yaml")
    assert report.ok and [w.split("：", 1)[1] for w in report.warnings] == [w.split("：", 1)[1] for w in result.warnings]


def test_chart_categories():
    from briefgen.figures import chart_spec
    from briefgen.pipeline import make_builder

    cfg = load_config(SEED / "briefing.yaml")
    b = make_builder(cfg, None, None)
    ranking, monthly = cfg.model.sections[1].charts[0], cfg.model.sections[2].charts[0]
    spec = chart_spec(b.book, ranking)
    assert spec.categories[0] == "夷陵区" and "宜昌市" not in spec.categories and len(spec.categories) == 13
    assert chart_spec(b.book, monthly).categories == [f"{m}月" for m in range(1, 10)]  # the year said once, in the caption
