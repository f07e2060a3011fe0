"""The seed's four charts as each route makes them: native Word charts holding the seed's
data (read back from the DOCX and its workbooks), drawn by LibreOffice; vector charts
whose labels are text in briefgen's PDF; and PNG pictures with ``chart.mode: image``."""

import io
import os
import shutil
import subprocess

import docx
import openpyxl
import pdfplumber
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from support import SEED, docx_chart_parts, squash

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
      "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}

# The seed's data as its charts must hold them (data/*.csv; the ranking sorted as drawn).
SEED_CHARTS = [
    ("barChart", ["2020年", "2021年"], [("高新技术企业", [640, 857]), ("科技型中小企业", [840, 1172])]),
    ("barChart+lineChart", ["2020年", "2021年"],
     [("高新技术产业增加值", [649.61, 874.1]), ("占GDP比重", [15.24, 17.4])]),
    ("barChart", ["省级中试基地", "省级企业技术中心", "省级技术转移示范机构", "省级星创天地", "省级工程研究中心",
                  "国家级创业孵化器"], [("2021年全市新增省级以上创新平台", [6, 4, 3, 2, 2, 1])]),
    ("doughnutChart", ["国家级", "省级"], [("全市国家级和省级孵化载体构成", [22, 38])]),
]


def _series(root):
    """(name, categories, values) of every series, in workbook column order."""
    out = []
    for ser in root.findall(".//c:plotArea/*/c:ser", NS):
        col = ser.findtext("c:tx/c:strRef/c:f", namespaces=NS).split("$")[1]
        name = ser.findtext("c:tx//c:v", namespaces=NS)
        cats = [pt.findtext("c:v", namespaces=NS) for pt in ser.findall("c:cat//c:pt", NS)]
        vals = {int(pt.get("idx")): float(pt.findtext("c:v", namespaces=NS)) for pt in ser.findall("c:val//c:pt", NS)}
        n = int(ser.find("c:val//c:ptCount", NS).get("val"))
        out.append((col, name, cats, [vals.get(i) for i in range(n)]))
    return [x[1:] for x in sorted(out)]


def _plot_kinds(root) -> str:
    plot = root.find("c:chart/c:plotArea", NS)
    return "+".join(etree.QName(el).localname for el in plot if etree.QName(el).localname.endswith("Chart"))


def test_docx_charts_hold_the_seed_data(seed_build):
    result, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    parts = docx_chart_parts(d)
    assert len(parts) == len(SEED_CHARTS)
    figures = [b for b in result.document.blocks if type(b).__name__ == "Figure"]
    for part, fig, (kinds, cats, series) in zip(parts, figures, SEED_CHARTS):
        root = etree.fromstring(part.blob)
        assert _plot_kinds(root) == kinds
        got = _series(root)
        assert [(name, c) for name, c, _v in got[:len(series)]] == [(name, cats) for name, _v in series]
        for (_n, _c, vals), (_name, want) in zip(got, series):
            assert vals == pytest.approx(want, abs=0.005)  # the share is computed: 15.2439… prints 15.24
        # the document model's spec is what the chart was built from
        assert fig.spec is not None and sorted(fig.spec.categories) == sorted(cats)
        # 编辑数据: the embedded workbook holds the same table
        xlsx = next(r.target_part for r in part.rels.values() if r.reltype == RT.PACKAGE)
        ws = openpyxl.load_workbook(io.BytesIO(xlsx.blob)).worksheets[0]
        assert [ws.cell(row=2 + j, column=1).value for j in range(len(cats))] == cats
        for i, (name, want) in enumerate(series):
            assert ws.cell(row=1, column=2 + i).value == name
            assert [ws.cell(row=2 + j, column=2 + i).value for j in range(len(cats))] == pytest.approx(want, abs=0.005)
        # Chinese text names an East Asian font (the 黑体 of the charts' role)
        assert {ea.get("typeface") for ea in root.iter(f"{{{NS['a']}}}ea")} == {"黑体"}
    bar_line = etree.fromstring(parts[1].blob)
    titles = ["".join(t.itertext()) for t in bar_line.findall(".//c:valAx/c:title", NS)]
    assert titles == ["单位：亿元", "单位：%"]
    donut = etree.fromstring(parts[3].blob)
    assert donut.findtext("c:chart/c:title//c:v", namespaces=NS) == "合计\n60家"


def test_docx_charts_carry_the_png_as_fallback(seed_build):
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    alts = d.element.body.findall(".//mc:AlternateContent", NS)
    assert len(alts) == 4
    for alt in alts:
        assert alt.find("mc:Choice", NS).get("Requires") == "w14"
        assert alt.find("mc:Choice//c:chart", NS) is not None
        assert alt.find("mc:Fallback//{*}blip", NS) is not None


def test_pdf_chart_labels_are_text_inside_the_figure(seed_build):
    _, out = seed_build
    with pdfplumber.open(str(out / "yichang-2021.pdf")) as pdf:
        for page in pdf.pages:
            words = page.extract_words()
            caption = next((w for w in words if w["text"].startswith("图1")), None)
            if caption is None:
                continue
            labels: dict = {}
            for w in words:  # top to bottom: the first of each is 图1's (图2 may share the page, below)
                if w["text"] in ("1172", "857", "640", "840", "2021年"):
                    labels.setdefault(w["text"], w)
            assert set(labels) == {"1172", "857", "640", "840", "2021年"}
            # drawn in the chart, above its caption, each as its own glyph run
            assert all(w["bottom"] < caption["top"] for w in labels.values())
            assert not page.images
            break
        else:
            pytest.fail("图1 not found")


def _soffice_pdf(path, outdir):
    env = dict(os.environ, SAL_USE_VCLPLUGIN="svp")
    profile = (outdir / "lo-profile").as_uri()
    subprocess.run(["soffice", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(outdir), str(path)], check=True, capture_output=True, timeout=180, env=env)
    return outdir / (path.stem + ".pdf")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_libreoffice_draws_the_seed_charts(seed_build, tmp_path):
    """LibreOffice takes the charts, not their fallback pictures, and draws every one."""
    _, out = seed_build
    pdf = _soffice_pdf(out / "yichang-2021.docx", tmp_path)
    with pdfplumber.open(str(pdf)) as doc:
        images = sum(len(p.images) for p in doc.pages)
        words = [w["text"] for p in doc.pages for w in p.extract_words()]
    assert images == 0
    # Text only the charts print (this machine lacks Chinese fonts: numbers are what
    # LibreOffice's PDF gives back): axis ticks of 图1 and 图2, labels of 图2 and 图4, …
    for label in ("1400", "17.5", "15.24%", "36.7%", "63.3%"):
        assert label in words, label
    # … and 图3's six values in rank order
    numbers = [w for w in words if w[:1].isdigit()]
    assert any(numbers[k:k + 6] == ["6", "4", "3", "2", "2", "1"] for k in range(len(numbers)))


def test_image_route(tmp_path):
    """chart.mode: image puts the PNGs in both formats, as before native charts."""
    from briefgen.pipeline import build

    build(SEED, tmp_path, overrides=["style.chart.mode=image"])
    d = docx.Document(str(tmp_path / "yichang-2021.docx"))
    assert len(d.inline_shapes) == 4 and docx_chart_parts(d) == []
    with pdfplumber.open(str(tmp_path / "yichang-2021.pdf")) as pdf:
        assert sum(len(p.images) for p in pdf.pages) == 4
        assert "单位：家" not in squash("".join(p.extract_text() or "" for p in pdf.pages))


def test_native_without_fallback(tmp_path):
    from briefgen.pipeline import build

    build(SEED, tmp_path, formats=["docx"], overrides=["style.chart.fallback=false"])
    d = docx.Document(str(tmp_path / "yichang-2021.docx"))
    assert len(docx_chart_parts(d)) == 4
    assert d.element.body.findall(".//mc:AlternateContent", NS) == []
    assert not [r for r in d.part.rels.values() if r.reltype == RT.IMAGE]
