"""Native DOCX charts: every chart type round-trips through python-docx with its data,
workbook and Chinese fonts, and LibreOffice draws it (skipped without soffice)."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm
from lxml import etree

from briefgen.charts import ChartSpec, Series
from briefgen.writers.docx.charts import _ORDER, CT_CHART, add_chart, chart_part_xml

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS = {"c": C, "a": A, "r": R, "wp": WP, "mc": MC,
      "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
      "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture"}
FONT = "黑体"
DISTRICTS = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区"]
YEARS = [f"{y}年" for y in range(2019, 2024)]


def value_series() -> Series:
    return Series("高新技术产业增加值（亿元）", [312.5, 268.4, 190.2, 45.7, 120.3], unit="亿元",
                  decimals=1)


def share_series() -> Series:
    return Series("占GDP比重（%）", [21.3, 18.2, None, 9.8, 24.1], kind="line", axis="right",
                  unit="%", decimals=1)


SPECS = {
    "bar": lambda: ChartSpec("bar", DISTRICTS, [value_series()], unit="亿元", highlight="西陵区",
                             title="各区高新技术产业增加值"),
    "bar_grouped": lambda: ChartSpec(
        "bar", ["第一季度", "第二季度", "第三季度", "第四季度"],
        [Series("2022年", [120, 135, 150, 170]), Series("2023年", [130, None, 168, 181])],
        unit="亿元", title="分季度增加值"),
    "line": lambda: ChartSpec(
        "line", [f"{m}月" for m in range(1, 7)],
        [Series("规上工业增加值增速", [5.2, 6.1, 4.8, -1.2, None, 6.0], unit="%", decimals=1),
         Series("固定资产投资增速", [4.0, 4.5, 5.1, 3.9, 3.3, 3.8], unit="%", decimals=1)],
        unit="%", target=5.0, title="增速"),
    "bar_line": lambda: ChartSpec("bar_line", DISTRICTS, [value_series(), share_series()],
                                  unit="亿元", unit2="%", title="高新技术产业增加值及占GDP比重"),
    "hbar_rank": lambda: ChartSpec(
        "hbar_rank", DISTRICTS, [Series("增速", [6.2, 5.8, 7.5, None, 6.9], unit="%", decimals=1)],
        highlight="西陵区", sort="desc", rank_numbers=True, title="各区增速排名"),
    "pie": lambda: ChartSpec("pie", ["第一产业", "第二产业", "第三产业"],
                             [Series("增加值", [412.3, 2381.5, 3012.8], unit="亿元")],
                             highlight="第二产业", title="三次产业结构"),
    "donut": lambda: ChartSpec(
        "donut", ["国有企业", "集体企业", "股份制企业", "外商投资企业", "私营企业", "其他"],
        [Series("企业数", [52, 11, 330, 25, 1210, None], unit="家")], title="企业构成"),
    "stacked_bar": lambda: ChartSpec(
        "stacked_bar", YEARS,
        [Series("第一产业", [410, 432, 451, 470, 488]), Series("第二产业", [3210, 3302, None, 3801, 4012]),
         Series("第三产业", [4503, 4722, 5215, 5605, 6034])], unit="亿元", title="三次产业增加值"),
}

# A number each chart prints as a data label: proof that LibreOffice drew it.
LABELS = {"bar": "312.5", "bar_grouped": "181", "line": "6.1%", "bar_line": "24.1%",
          "hbar_rank": "7.5%", "pie": "51.9%", "donut": "74.3%", "stacked_bar": "10534"}


def expected(spec: ChartSpec) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """Categories and series as the chart must hold them (hbar_rank in rank order)."""
    if spec.type != "hbar_rank":
        return list(spec.categories), [(s.name, list(s.values)) for s in spec.series]
    s = spec.series[0]
    rows = sorted([(c, v) for c, v in zip(spec.categories, s.values) if v is not None],
                  key=lambda cv: -cv[1])
    rows += [(c, v) for c, v in zip(spec.categories, s.values) if v is None]
    names = [f"{k + 1}  {c}" if v is not None else c for k, (c, v) in enumerate(rows)]
    return names, [(s.name, [v for _c, v in rows])]


def build(path: Path, names: list[str], fallback: Path | None = None) -> Path:
    doc = Document()
    for k, name in enumerate(names):
        spec = SPECS[name]()
        doc.add_paragraph(name)
        add_chart(doc, doc.add_paragraph(), spec, width_emu=Cm(15), height_emu=Cm(8),
                  east_asia_font=FONT, fallback_png=fallback)
        if k < len(names) - 1:
            doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    doc.save(path)
    return path


def charts(path: Path) -> list[tuple[object, etree._Element]]:
    """(chart part, parsed chartSpace) in document order, after reopening the file."""
    doc = Document(path)
    part = doc.part
    out = []
    for ref in doc.element.body.iter(f"{{{C}}}chart"):
        chart_part = part.related_parts[ref.get(f"{{{R}}}id")]
        out.append((chart_part, etree.fromstring(chart_part.blob)))
    return out


def ser_data(ser) -> tuple[str, list[str], list[float | None]]:
    name = ser.findtext("c:tx//c:v", namespaces=NS)
    cats = [pt.findtext("c:v", namespaces=NS) for pt in ser.findall("c:cat//c:pt", NS)]
    count = int(ser.find("c:val//c:ptCount", NS).get("val"))
    vals: list[float | None] = [None] * count
    for pt in ser.findall("c:val//c:pt", NS):
        vals[int(pt.get("idx"))] = float(pt.findtext("c:v", namespaces=NS))
    return name, cats, vals


def column(ser) -> str:
    """The workbook column of a series: "B" for Sheet1!$B$1."""
    return ser.findtext("c:tx/c:strRef/c:f", namespaces=NS).split("$")[1]


def all_sers(root) -> list:
    """Series in workbook (spec) order; c:idx follows the drawing order instead."""
    sers = root.findall(".//c:plotArea/*/c:ser", NS)
    return sorted(sers, key=lambda s: (len(column(s)), column(s)))


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("docxchart") / "charts.docx", list(SPECS))


@pytest.mark.parametrize("name", list(SPECS))
def test_round_trip_data(built, name):
    k = list(SPECS).index(name)
    chart_part, root = charts(built)[k]
    spec = SPECS[name]()
    cats, series = expected(spec)
    assert chart_part.content_type == CT_CHART
    assert str(chart_part.partname) == f"/word/charts/chart{k + 1}.xml"
    sers = all_sers(root)
    assert len(sers) >= len(series)
    for ser, (sname, values) in zip(sers, series):
        got_name, got_cats, got_vals = ser_data(ser)
        assert got_name == sname
        assert got_cats == cats
        assert got_vals == pytest.approx(values) if None not in values else got_vals == values

    # the embedded workbook holds the same table (Word's 编辑数据)
    xlsx_rels = [r for r in chart_part.rels.values() if r.reltype == RT.PACKAGE]
    assert len(xlsx_rels) == 1
    xlsx_part = xlsx_rels[0].target_part
    assert str(xlsx_part.partname) == f"/word/embeddings/Microsoft_Excel_Sheet{k + 1}.xlsx"
    ext = root.find("c:externalData", NS)
    assert ext.get(f"{{{R}}}id") == xlsx_rels[0].rId
    assert ext.find("c:autoUpdate", NS).get("val") == "0"
    ws = openpyxl.load_workbook(io.BytesIO(xlsx_part.blob)).worksheets[0]
    assert [ws.cell(row=2 + j, column=1).value for j in range(len(cats))] == cats
    for i, (sname, values) in enumerate(series):
        assert ws.cell(row=1, column=2 + i).value == sname
        got = [ws.cell(row=2 + j, column=2 + i).value for j in range(len(cats))]
        assert got == values

    if name == "donut":
        # the one title is the total in the hole, linked to a workbook formula that follows edits
        title = root.find("c:chart/c:title", NS)
        assert title.findtext("c:tx/c:strRef/c:f", namespaces=NS) == "Sheet1!$D$2"
        assert title.findtext(".//c:v", namespaces=NS) == "合计\n1628家"  # the missing 其他 left out
        assert title.find("c:overlay", NS).get("val") == "1"
        assert ws["D2"].value == '="合计"&CHAR(10)&TEXT(SUMIF(B2:B7,">0"),"0")&"家"'
    else:
        # no title: the document prints the caption, LibreOffice must not invent one
        assert root.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"
        assert root.find("c:chart/c:title", NS) is None
    assert root.find("c:txPr//a:ea", NS).get("typeface") == FONT
    assert all(ea.get("typeface") == FONT for ea in root.iter(f"{{{A}}}ea"))


@pytest.mark.parametrize("name", list(SPECS))
def test_chart_type_elements(built, name):
    root = charts(built)[list(SPECS).index(name)][1]
    plot = root.find("c:chart/c:plotArea", NS)
    kinds = [etree.QName(el).localname for el in plot if etree.QName(el).localname.endswith("Chart")]
    if name in ("bar", "bar_grouped"):
        assert kinds == ["barChart"]
        assert plot.find("c:barChart/c:barDir", NS).get("val") == "col"
        assert plot.find("c:barChart/c:grouping", NS).get("val") == "clustered"
    elif name == "line":
        assert kinds == ["lineChart"]
        # the target is a dashed line of its own, left out of the legend
        target = all_sers(root)[-1]
        assert target.findtext("c:tx//c:v", namespaces=NS) == "目标值"
        assert target.find("c:spPr/a:ln/a:prstDash", NS) is not None
    elif name == "bar_line":
        assert kinds == ["barChart", "lineChart"]
        ax_ids = [a.get("val") for a in plot.findall("c:lineChart/c:axId", NS)]
        val_ax = [v for v in plot.findall("c:valAx", NS) if v.find("c:axId", NS).get("val") in ax_ids]
        assert len(val_ax) == 1 and val_ax[0].find("c:crosses", NS).get("val") == "max"
        cat_ax = [c for c in plot.findall("c:catAx", NS) if c.find("c:axId", NS).get("val") in ax_ids]
        assert cat_ax[0].find("c:delete", NS).get("val") == "1"
        assert len(plot.findall("c:valAx", NS)) == 2
        titles = ["".join(t.itertext()) for t in plot.findall("c:valAx/c:title", NS)]
        assert titles == ["单位：亿元", "单位：%"]
    elif name == "hbar_rank":
        assert kinds == ["barChart"]
        assert plot.find("c:barChart/c:barDir", NS).get("val") == "bar"
        assert plot.find("c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"
        # the highlighted district (ranked 4th) is drawn in the accent colour
        dpt = plot.find("c:barChart/c:ser/c:dPt", NS)
        assert dpt.find("c:idx", NS).get("val") == "3"
        assert dpt.find("c:spPr//a:srgbClr", NS).get("val") == "C00000"
    elif name == "pie":
        assert kinds == ["pieChart"]
        assert len(plot.findall("c:pieChart/c:ser/c:dPt", NS)) == 3
    elif name == "donut":
        assert kinds == ["doughnutChart"]
        assert int(plot.find("c:doughnutChart/c:holeSize", NS).get("val")) > 10
    elif name == "stacked_bar":
        assert kinds == ["barChart", "lineChart"]  # the line carries the stack totals
        assert plot.find("c:barChart/c:grouping", NS).get("val") == "stacked"
        assert plot.find("c:barChart/c:overlap", NS).get("val") == "100"
        total = all_sers(root)[-1]
        assert total.findtext("c:tx//c:v", namespaces=NS) == "合计"
        assert ser_data(total)[2] == [8123, 8456, 5215 + 451, 9876, 10534]


def test_labels_units_and_legend(built):
    roots = {n: r for n, (_p, r) in zip(SPECS, charts(built))}
    bar = roots["bar"]
    assert bar.find(".//c:ser/c:dLbls/c:numFmt", NS).get("formatCode") == "0.0"
    assert bar.find("c:chart/c:legend", NS) is None  # one series: no legend
    assert "".join(bar.find(".//c:valAx/c:title", NS).itertext()) == "单位：亿元"
    line = roots["line"]
    assert line.find(".//c:ser/c:dLbls/c:numFmt", NS).get("formatCode") == '0.0"%"'
    assert line.find(".//c:ser/c:dLbls/c:dLblPos", NS).get("val") == "t"
    # a right-axis line over labelled bars puts its values below its points, clear of the bars' values
    bl_line = [x for x in all_sers(roots["bar_line"]) if x.getparent().tag.endswith("lineChart")][0]
    assert bl_line.find("c:dLbls/c:dLblPos", NS).get("val") == "b"
    legend = line.find("c:chart/c:legend", NS)
    assert legend.find("c:legendPos", NS).get("val") == "t"
    deleted = {e.find("c:idx", NS).get("val") for e in legend.findall("c:legendEntry", NS)}
    assert deleted == {"2"}
    pie = roots["pie"]
    assert pie.find(".//c:ser/c:dLbls/c:showPercent", NS).get("val") == "1"
    # the missing slice of the donut has no label
    donut_lbls = roots["donut"].findall(".//c:ser/c:dLbls/c:dLbl", NS)
    assert any(d.find("c:idx", NS).get("val") == "5" and d.find("c:delete", NS) is not None
               for d in donut_lbls)


def test_line_before_bars_and_hidden_legend_entries(tmp_path):
    """Series listed line-first still map to their data; the legend hides the
    totals carrier by its position in drawing order."""
    spec = ChartSpec(
        "stacked_bar", YEARS,
        [Series("增长速度", [6.8, 3.2, 8.5, 4.1, 5.6], kind="line", unit="%", decimals=1),
         Series("第一产业", [410, 432, 451, 470, 488]), Series("第二产业", [3210, 3302, 3655, 3801, 4012])],
        unit="亿元", target=9000)
    doc = Document()
    add_chart(doc, doc.add_paragraph(), spec, width_emu=Cm(15), height_emu=Cm(8),
              east_asia_font=FONT)
    doc.save(tmp_path / "order.docx")
    root = charts(tmp_path / "order.docx")[0][1]
    sers = all_sers(root)
    for ser, s in zip(sers, spec.series):
        assert ser_data(ser)[0] == s.name and ser_data(ser)[2] == s.values
    drawn = root.findall(".//c:plotArea/*/c:ser", NS)
    assert [int(x.find("c:idx", NS).get("val")) for x in drawn] == list(range(len(drawn)))
    names = [x.findtext("c:tx//c:v", namespaces=NS) for x in drawn]
    # bars, then lines on the left axis (totals, target), then the right-axis line
    assert names == ["第一产业", "第二产业", "合计", "目标值", "增长速度"]
    legend = root.find("c:chart/c:legend", NS)
    hidden = [int(e.find("c:idx", NS).get("val")) for e in legend.findall("c:legendEntry", NS)]
    assert hidden == [2, 3]
    right = [v for v in root.findall(".//c:valAx", NS) if v.find("c:crosses", NS).get("val") == "max"]
    assert len(right) == 1


def test_children_in_schema_order(built):
    """Word refuses a chart whose elements are out of the schema's order."""
    for _part, root in charts(built):
        for el in root.iter():
            if not isinstance(el.tag, str) or etree.QName(el).namespace != C:
                continue
            order = _ORDER.get(etree.QName(el).localname)
            if not order:
                continue
            names = [etree.QName(ch).localname for ch in el if isinstance(ch.tag, str)]
            # "*" stands for the plots and axes of a plotArea
            ranks = [order.index(n) if n in order else order.index("*") for n in names
                     if n in order or "*" in order]
            assert ranks == sorted(ranks), (etree.QName(el).localname, names)


def test_inline_drawing(built):
    doc = Document(built)
    inlines = doc.element.body.findall(".//wp:inline", NS)
    assert len(inlines) == len(SPECS)
    ids = [i.find("wp:docPr", NS).get("id") for i in inlines]
    assert len(set(ids)) == len(ids)
    descr = [i.find("wp:docPr", NS).get("descr") for i in inlines]
    assert descr == [SPECS[n]().title for n in SPECS]
    for inline in inlines:
        gd = inline.find("a:graphic/a:graphicData", NS)
        assert gd.get("uri") == C
        assert inline.find("wp:extent", NS).get("cx") == str(Cm(15))
        rid = gd.find("c:chart", NS).get(f"{{{R}}}id")
        assert doc.part.rels[rid].reltype == RT.CHART


def test_chart_part_xml_standalone():
    xml, xlsx = chart_part_xml(SPECS["bar_line"](), east_asia_font="仿宋_GB2312")
    root = etree.fromstring(xml)
    assert etree.QName(root).localname == "chartSpace"
    assert root.find("c:txPr//a:ea", NS).get("typeface") == "仿宋_GB2312"
    assert root.find("c:txPr//a:latin", NS).get("typeface") == "Times New Roman"
    assert xlsx[:2] == b"PK"
    # bars take the first palette colour, the line the accent
    fills = [s.find("c:spPr/a:solidFill/a:srgbClr", NS) for s in all_sers(root)]
    assert fills[0].get("val") == "1F4E79"
    assert all_sers(root)[1].find("c:spPr/a:ln//a:srgbClr", NS).get("val") == "C00000"


def test_total_formula_in_workbook(built):
    chart_part, _root = charts(built)[list(SPECS).index("stacked_bar")]
    xlsx = next(r.target_part for r in chart_part.rels.values() if r.reltype == RT.PACKAGE)
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.blob)).worksheets[0]
    assert ws.cell(row=1, column=5).value == "合计"
    assert ws.cell(row=2, column=5).value == "=SUM(B2,C2,D2)"


def test_fallback_picture(tmp_path):
    png = tmp_path / "fallback.png"
    from PIL import Image

    Image.new("RGB", (20, 10), "white").save(png)
    path = build(tmp_path / "fb.docx", ["bar", "pie"], fallback=png)
    doc = Document(path)
    alts = doc.element.body.findall(".//mc:AlternateContent", NS)
    assert len(alts) == 2
    for alt in alts:
        assert alt.find("mc:Choice", NS).get("Requires") == "w14"
        assert alt.find("mc:Choice//c:chart", NS) is not None
        blip = alt.find("mc:Fallback//pic:pic//a:blip", NS)
        assert doc.part.rels[blip.get(f"{{{R}}}embed")].reltype == RT.IMAGE
    ids = [d.get("id") for d in doc.element.body.iter(f"{{{WP}}}docPr")]
    assert len(ids) == 4 and len(set(ids)) == 4
    assert len(charts(path)) == 2


# --------------------------------------------------------------------------
# LibreOffice draws the charts


def _soffice_pdf(docx: Path, outdir: Path) -> Path:
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(outdir), str(docx)],
                   check=True, capture_output=True, timeout=180, env=env)
    pdf = outdir / (docx.stem + ".pdf")
    assert pdf.is_file()
    return pdf


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_draws_every_chart(tmp_path):
    import pdfplumber

    names = list(SPECS)
    path = build(tmp_path / "lo.docx", names)
    pdf = _soffice_pdf(path, tmp_path)
    with pdfplumber.open(pdf) as doc:
        pages = [p.extract_text() or "" for p in doc.pages]
    assert len(pages) == len(names)
    for name, text in zip(names, pages):
        assert LABELS[name] in text.replace(" ", ""), (name, text)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_takes_the_chart_not_the_fallback(tmp_path):
    import pdfplumber
    from PIL import Image

    png = tmp_path / "fallback.png"
    Image.new("RGB", (40, 20), "white").save(png)
    pdf = _soffice_pdf(build(tmp_path / "fb.docx", ["bar"], fallback=png), tmp_path)
    with pdfplumber.open(pdf) as doc:
        page = doc.pages[0]
        assert "312.5" in (page.extract_text() or "")
        assert not page.images


def test_same_colours_as_the_drawn_chart(tmp_path):
    """The template's palette and the accent rules reach the Word chart as they reach the drawing."""
    from briefgen.charts.render import render_chart
    from briefgen.charts.vector import Shape, VectorChart

    spec = SPECS["bar_line"]()
    spec.palette = ["#2F5597", "#8FAADC", "#7F7F7F"]
    spec.highlight = None
    root = etree.fromstring(chart_part_xml(spec, east_asia_font=FONT)[0])
    bar = all_sers(root)[0].find("c:spPr/a:solidFill/a:srgbClr", NS).get("val")
    line = all_sers(root)[1].find("c:spPr/a:ln//a:srgbClr", NS).get("val")
    assert (bar, line) == ("2F5597", "C00000")
    render_chart(spec, None, vector=tmp_path / "v.vec.json")
    shapes = [s for s in VectorChart.load(tmp_path / "v.vec.json").items if isinstance(s, Shape)]
    assert f"#{bar}" in {s.fill for s in shapes} and f"#{line}" in {s.stroke for s in shapes}


def test_ranking_ties_and_gaps_as_drawn():
    """Ties share a rank, a missing value goes last without one, as in the drawing."""
    spec = ChartSpec("hbar_rank", ["甲", "乙", "丙", "丁"], [Series("增速", [3.5, None, 4.1, 3.5], unit="%")],
                     sort="desc", rank_numbers=True, highlight="丁")
    root = etree.fromstring(chart_part_xml(spec, east_asia_font=FONT)[0])
    name, cats, vals = ser_data(all_sers(root)[0])
    assert cats == ["1  丙", "2  甲", "2  丁", "乙"] and vals == [4.1, 3.5, 3.5, None]
    dpt = root.find(".//c:ser/c:dPt", NS)
    assert dpt.find("c:idx", NS).get("val") == "2"  # 丁, drawn in the accent


@pytest.mark.parametrize("labels", [True, False])
def test_ranking_row_without_a_value_says_so(labels):
    """A county whose value is missing: its row reads 无数据 at the bar (a zero-length bar carries the
    label; the workbook cell stays empty), with or without value labels."""
    spec = ChartSpec("hbar_rank", ["甲", "乙", "丙"], [Series("数", [120.0, None, 95.0], unit="家")],
                     sort="desc", labels=labels)
    root = etree.fromstring(chart_part_xml(spec, east_asia_font=FONT)[0])
    _name, cats, vals = ser_data(all_sers(root)[0])
    assert cats == ["甲", "丙", "乙"] and vals == [120.0, 95.0, None]
    assert root.find(".//c:dispBlanksAs", NS).get("val") == "zero"
    custom = [(d.find("c:idx", NS).get("val"), "".join(d.itertext()).strip())
              for d in root.iterfind(".//c:ser/c:dLbls/c:dLbl", NS) if d.find("c:tx", NS) is not None]
    assert custom == [("2", "无数据")]
    dl = root.find(".//c:ser/c:dLbls", NS)
    assert dl.find("c:showVal", NS).get("val") == ("1" if labels else "0")
    # Every value present: blanks stay gaps and no label is added.
    full = ChartSpec("hbar_rank", ["甲", "乙"], [Series("数", [1.0, 2.0], unit="家")], sort="desc")
    root = etree.fromstring(chart_part_xml(full, east_asia_font=FONT)[0])
    assert root.find(".//c:dispBlanksAs", NS).get("val") == "gap" and root.find(".//c:dLbl/c:tx", NS) is None
