"""The robustness harness: every shipped example rebuilt under data that move — declines, flats,
zeros, no previous period, below target, a rank lost, a benchmark above, net increases turning
negative, random mixes — and the text of the document model, the DOCX and the PDF read for
contradictions. The checker itself is shown to find the issue's examples and the old wording."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from briefgen.config import load_config
from briefgen.errors import BriefgenError
from briefgen.fonts import resolve_fonts
from briefgen.pipeline import make_builder, make_document
from briefgen.writers import WriterOptions, writer_for
from scenarios import (
    COUNTIES,
    EXAMPLES,
    SCENARIOS,
    TOTAL_ROW_SHAPES,
    VARIANTS,
    Text,
    check_sentence,
    check_table,
    contradictions,
    document_text,
    docx_text,
    load_example,
    pdf_text,
    region_claims,
    scenario_data,
    write_total_row_bureau,
)
from support import C_NS, ROOT


@pytest.fixture(scope="module")
def examples():
    return [load_example(p, over) for p, over in VARIANTS]


def test_every_example_under_every_scenario(examples):
    built, found, refused = 0, [], []
    for ex in examples:
        for name in SCENARIOS:
            try:
                doc = make_document(ex.cfg, None, None, ds=scenario_data(ex, name))
            except BriefgenError as e:
                refused.append(f"{ex.name}/{name}：{e}")
                continue
            built += 1
            found += [f"{ex.name}/{name}：{c}" for c in contradictions(document_text(doc))]
    total = len(examples) * len(SCENARIOS)
    assert not refused, "\n".join(refused)
    assert built == total >= len(EXAMPLES) * 16
    assert not found, f"{len(found)} contradictions in {built} documents:\n" + "\n".join(found)


def _write(ex, name: str, out: Path) -> tuple[Path, Path]:
    """The example under a scenario written as DOCX and PDF (charts drawn as pictures: their
    axis labels, e.g. −19.4%, are figures, not words, and must not count as running text)."""
    cfg = copy.copy(ex.cfg)
    style = cfg.model.style
    style = style.model_copy(update={"chart": style.chart.model_copy(update={"mode": "image"})})
    cfg.model = cfg.model.model_copy(update={"style": style})
    chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base)
    doc = make_builder(cfg, out, chains, scenario_data(ex, name)).build()
    options = WriterOptions(style=style, fonts=chains, reference_docx=cfg.reference_docx)
    paths = out / f"{ex.name}-{name}.docx", out / f"{ex.name}-{name}.pdf"
    writer_for("docx", options).write(doc, paths[0])
    writer_for("pdf", options).write(doc, paths[1])
    return paths


@pytest.mark.parametrize("example,scenario,sentences", [
    ("yichang-2021", "down30", ["高新技术企业总数为600家，比上年下降6.3%", "高新技术企业净减40家，上年为净增119家",
                                "二、加快培育创新主体，高新技术企业总数600家", "（二）高新技术产业有所下降"]),
    ("yichang-2021", "flat", ["全市高新技术企业总数为640家，与上年持平", "研发投入强度与上年持平"]),
    ("tongji-2022-06", "down30", ["宜昌市主要经济指标有所回落", "规模以上工业增加值同比下降21.9%",
                                  "13个县市区均有所下降"]),
    ("tongji-2022-06", "flat", ["规模以上工业增加值与上年同期持平", "13个县市区均与上年同期持平"]),
    ("kejiju-county-2022-09", "down30", ["1—9月全市高新技术产业大幅下降", "高新技术产业增加值492.12亿元，同比下降23.3%",
                                         "降幅最小的是枝江市，同比下降11.9%。13个县市区均有所下降。"]),
    ("kejiju-county-2022-09", "no_previous", ["1—9月全市高新技术产业发展情况", "全市实现地区生产总值3853.11亿元；",
                                              "总量居首位的是当阳市（119.23亿元）。各县市区主要指标见表2。",
                                              "波动变化（见图1）"]),
    # A county's first year: its bar-and-line chart has amounts but no growth rates to draw.
    ("county(宜都市,2024-06)", "no_previous", ["截至2024年6月末，宜都市共有高新技术企业200家，在全市13个县市区中居第7位",
                                               "各县市区技术合同成交额及增速见图3"]),
])
def test_both_outputs_read_true_under_decline_and_flat(examples, example, scenario, sentences, tmp_path):
    ex = next(e for e in examples if e.name == example)
    docx_path, pdf_path = _write(ex, scenario, tmp_path)
    for text in (docx_text(docx_path), pdf_text(pdf_path)):
        assert contradictions(text) == []
        body = "".join(text.paragraphs).replace(" ", "")
        for s in sentences:
            assert s in body, (s, body[:400])


# --- the checker finds what it is for -----------------------------------------------------------

ISSUE_EXAMPLES = [
    "高新技术企业净增-40家，增量比上年扩大-133.6%。", "增长5.8%，高出全省平均水平-24.5个百分点。",
    "全年820家企业入库，超额完成全年目标的-12.5%。", "全市-3.4%，高于全市水平的县市区有4个。",
    "固定资产投资增速-3.4%。", "全市新增市场主体98430户，比上年持平。", "高新技术企业净增0家，持平，持平。",
    "研发投入强度提高到2.30%，比上年下降0.06个百分点。",
    "科技型中小企业入库数实现跨越式增长，全年820家企业入库，比上年下降16.7%。",
    "增长0.0%，与上年持平。", "比上年增长增长5%。", "高新技术企业净减40家，比上年增长5.0%。",
    "超额完成全年目标（为目标的87.5%）。", "通过率96.2%，，位居全省第一。",
]


@pytest.mark.parametrize("sentence", ISSUE_EXAMPLES)
def test_checker_finds_the_issue_examples(sentence):
    assert check_sentence(sentence), sentence


def test_checker_finds_heading_praise_milestones_and_tables():
    t = Text(title="", paragraphs=["全市高新技术企业总数为600家，比上年下降16.7%。"],
             headings=[("加快培育创新主体，高新技术企业突破850家", ""),
                       ("高新技术产业增势强劲", "全市高新技术产业增加值为611.87亿元，比上年下降5.8%"),
                       ("推动科技成果转化，技术合同成交额达201亿元", "")])
    found = contradictions(t)
    assert any("突破850家" in f for f in found) and any("标题赞语而首句下降" in f for f in found)
    assert any("201亿元" in f for f in found)
    rows = [["指标", "单位", "2021年", "2020年", "比上年增减"], ["净增数", "家", "-40", "119", "下降133.6%"],
            ["企业", "家", "640", "640", "增长0.0%"], ["产值", "亿元", "649.87", "649.61", "持平"],
            ["人数", "人", "90", "100", "增长10.0%"]]
    found = check_table(rows)
    assert {f.split("：")[0] for f in found} == {"表格 净增数", "表格 企业", "表格 产值", "表格 人数"}, found
    assert check_table([rows[0], ["企业", "家", "857", "640", "增长32.8%*"], ["比重", "%", "2.62", "2.36",
                                                                          "提高0.26个百分点"]]) == []


OLD_STYLE = """\
全市高新技术企业总数达到{{ hte }}，{{ hte.yoy | growth }}；净增{{ hte.net | num }}家，增量比上年扩大{{ hte_net.yoy | pct(1) }}。
科技型中小企业入库数实现跨越式增长，超额完成全年目标的{{ tsme.over | pct(1) }}。
高新技术产业增加值增长{{ hti.yoy | num(1) }}%，高出全省平均水平{{ (hti.yoy - hti_prov.value) | num(1) }}个百分点。
研发投入强度提高到{{ rd_intensity.value | pct(2) }}，比上年{{ rd_intensity.pp | pp }}。
"""


def test_old_wording_is_caught_under_the_same_scenarios(examples, tmp_path):
    """The harness is not vacuous: the seed's previous wording, rebuilt the same way, contradicts itself."""
    ex = next(e for e in examples if e.name == "yichang-2021")
    raw = yaml.safe_load(ex.path.read_text(encoding="utf-8"))
    raw["sections"] = [{"heading": "高新技术企业突破850家", "text": OLD_STYLE}]
    raw["data"] = [{"file": str(ROOT / "seeds" / "yichang-2021" / "data" / f)} for f in
                   ("indicators.csv", "innovation.yaml")]
    p = tmp_path / "old.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    old = load_example(p)
    found = {}
    for name in ("down30", "flat", "net_negative", "below_target", "bench_above"):
        doc = make_document(old.cfg, None, None, ds=scenario_data(old, name))
        found[name] = contradictions(document_text(doc))
    assert all(found.values()), found
    assert load_config(p).model.sections[0].heading.endswith("850家")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.parent.name if p.name == "briefing.yaml" else p.stem)
def test_shipped_templates_have_no_wording_warnings(path):
    """Every shipped template and example passes the linter (the only warnings left are about data)."""
    from briefgen.validate import validate

    report = validate(path)
    assert report.ok, report.errors
    assert [w for w in report.warnings if "公布值" not in w] == []


@pytest.mark.parametrize("label,at", TOTAL_ROW_SHAPES)
def test_total_row_is_never_ranked_counted_or_named(label, at, tmp_path):
    """A bureau workbook with a total row (全市 / 合计 / 宜昌市, top or bottom) and a declared region tree:
    under every scenario the phrases, ranking() and counties.j2 rank and count the 8 counties, never the city."""
    from briefgen.validate import validate

    cfg = write_total_row_bureau(tmp_path / "bureau", label, at)
    report = validate(cfg)
    assert report.ok, report.errors
    ex = load_example(cfg)
    found = []
    for name in SCENARIOS:
        t = document_text(make_document(ex.cfg, None, None, ds=scenario_data(ex, name)))
        found += [f"{name}：{c}" for c in contradictions(t) + region_claims(t.all)]
    assert not found, "\n".join(found)
    # The real build, read back from both outputs.
    docx_path, pdf_path = _write(ex, "original", tmp_path)
    for text in (docx_text(docx_path), pdf_text(pdf_path)):
        body = "".join(text.paragraphs).replace(" ", "")
        assert region_claims(body) == []
        for s in ("高新技术企业数居前两位的是夷陵区（120家）和宜都市（110家），末位是点军区（30家）",
                  "高新技术产业增加值8个县市区均实现增长，宜都市总量居首位",
                  "研发经费投入强度高于全市水平的县市区有4个",
                  "高新技术产业增加值总量居首位的是宜都市（61.2亿元）；增速最高的是枝江市，同比增长11.4%。"
                  "8个县市区均实现增长。各县市区主要指标见表1，高新技术产业增加值增速排位见图2。"):
            assert s in body, (s, body)
    table = docx_text(docx_path).tables[0]
    assert [r[0] for r in table[1:]] == ["全市", *COUNTIES]
    assert [r[3] for r in table[2:]] == ["1", "3", "6", "8", "7", "2", "4", "5"]  # ranks among the 8
    # The ranking charts, built as native Word charts, show the 8 counties.
    import docx
    from lxml import etree

    from briefgen.pipeline import build
    from support import docx_chart_parts

    result = build(cfg, tmp_path / "native")
    built = next(p for p in result.outputs if p.suffix == ".docx")
    parts = docx_chart_parts(docx.Document(str(built)))
    assert len(parts) == 2
    for part in parts:
        cats = etree.fromstring(part.blob).xpath("//c:cat//c:pt/c:v/text()", namespaces={"c": C_NS})
        assert sorted(cats) == sorted(COUNTIES), cats
    # `briefgen check` finds every printed count and ranking traced to the 8 counties' cells.
    from click.testing import CliRunner

    from briefgen.cli import main

    r = CliRunner().invoke(main, ["check", "--config", str(cfg), str(built)])
    assert r.exit_code == 0 and "核对通过" in r.output, r.output


def test_county_without_a_value_is_marked_in_the_ranking_chart(tmp_path):
    """点军区's current value written "—": the ranking row reads 无数据 in the PDF's vector chart and in
    the DOCX's native chart, and `validate` says so as a 说明."""
    import docx
    import pdfplumber
    from lxml import etree
    from openpyxl import load_workbook

    from briefgen.pipeline import build
    from briefgen.validate import validate
    from support import docx_chart_parts

    cfg = write_total_row_bureau(tmp_path / "bureau")
    book = tmp_path / "bureau" / "data" / "县市区指标.xlsx"
    wb = load_workbook(book)
    for row in wb.active.iter_rows(min_row=3):
        if row[0].value == "点军区" and row[1].value == "高新技术企业数":
            row[3].value = "—"
    wb.save(book)
    report = validate(cfg)
    assert report.ok, report.errors
    assert any("图1“各县市区高新技术企业数”中点军区没有本期数据，该行标“无数据”" in n for n in report.notes), report.notes
    result = build(cfg, tmp_path / "out")
    with pdfplumber.open(str(next(p for p in result.outputs if p.suffix == ".pdf"))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "点军区无数据" in text.replace(" ", "").replace("\n", "")
    part = docx_chart_parts(docx.Document(str(next(p for p in result.outputs if p.suffix == ".docx"))))[0]
    root = etree.fromstring(part.blob)
    ns = {"c": C_NS}
    cats = root.xpath("//c:cat//c:pt/c:v/text()", namespaces=ns)
    marked = [d for d in root.iterfind(".//c:dLbl", ns) if "无数据" in "".join(d.itertext())]
    assert len(marked) == 1 and cats[int(marked[0].find("c:idx", ns).get("val"))] == "点军区"
