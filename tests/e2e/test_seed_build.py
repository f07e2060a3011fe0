"""The 宜昌 2021 seed: every figure of the article's statistical parts in both outputs."""

import functools
import re

import docx
import pdfplumber
import pytest
from docx.oxml.ns import qn

from support import docx_chart_parts, squash

# Figures of the source article's statistical parts (rankings, 创新布局, 创新主体,
# 高新技术产业, 研发投入, 创新平台, 成果转化, 创新环境), as they must read in the output.
# Short figures are anchored to their context so that "2家" cannot be satisfied by "382家".
# The article's "提高0.62个百分点" on an amount in 亿元 has no stated meaning and is left out.
ARTICLE_FIGURES = [
    # city rankings
    "288个", "第55位", "78个", "第45位", "上升8位", "第68位",
    # 创新布局
    "49个", "190亿元", "7个县市区", "19个", "36.8%", "位居全省第一",
    # 创新主体
    "397家", "382家", "96.2%", "净增217家", "82.4%", "857家", "32.8%", "1172家", "39.5%", "46.5%", "瞪羚企业入库29家", "9家高新技术企业",
    # 高新技术产业
    "874.1亿元", "净增224.49亿元", "32.7%", "15.8个百分点", "17.40%", "2.16个百分点",
    # 研发投入
    "111.68亿元", "2.62%", "提高0.26个百分点", "2.77%",
    # 创新平台
    "6.6亿元", "2021年12月21日", "5个研究方向", "14项", "1000万元", "50家", "24家", "国家级创业孵化器1家", "省级星创天地2家", "省级企业技术中心4家",
    "省级工程研究中心2家", "22家", "38家",
    # 成果转化
    "6家省级中试基地", "3家省级技术转移示范机构", "15个创新团队", "10个项目", "29个项目", "5000余份", "201亿元",
    # 创新环境
    "75亿元", "8位院士", "4.5亿元", "55个", "72笔", "2.1亿元", "4个团队", "5场次",
]

HEADINGS = [
    "一、完善区域创新布局", "二、加快培育创新主体", "（一）高新技术企业量质齐升", "（二）高新技术产业增势强劲",
    "（三）研发投入持续加大", "三、着力打造创新平台", "四、推动科技成果转化", "五、持续优化创新环境", "六、深化思想破冰",
]


@functools.lru_cache(maxsize=None)
def _docx_text(path):
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts.extend(c.text for c in row.cells)
    # The 报尾 sits in a text box pinned to the foot of the last page.
    for box in d.element.body.iter(qn("w:txbxContent")):
        parts.extend("".join(t.text for t in p.iter(qn("w:t"))) for p in box.iter(qn("w:p")))
    return d, "\n".join(parts)


@functools.lru_cache(maxsize=None)
def _pdf_text(path):
    with pdfplumber.open(str(path)) as pdf:
        return pdf, [p.extract_text() or "" for p in pdf.pages], sum(len(p.images) for p in pdf.pages)


def _body(pages):
    """All pages' text without the page numbers, so sentences run across page breaks."""
    return squash("".join(re.sub(r"^—\s*\d+\s*—$", "", p, flags=re.M) for p in pages))


def test_outputs_exist(seed_build):
    result, out = seed_build
    assert sorted(p.name for p in result.outputs) == ["yichang-2021.docx", "yichang-2021.pdf"]
    assert not list(out.glob("*.part")), "no temporary files may be left behind"


def test_published_vs_computed_warnings(seed_build):
    result, _ = seed_build
    joined = "\n".join(result.warnings)
    assert "32.8%" in joined and "33.9%" in joined  # 高企: 217 / 640 = 33.9%, article says 32.8%
    assert "32.7%" in joined  # 高新技术产业增加值 at comparable prices


@pytest.mark.parametrize("fig", ARTICLE_FIGURES)
def test_every_figure_in_docx(seed_build, fig):
    _, out = seed_build
    _, text = _docx_text(out / "yichang-2021.docx")
    assert fig in squash(text)


@pytest.mark.parametrize("fig", ARTICLE_FIGURES)
def test_every_figure_in_pdf(seed_build, fig):
    _, out = seed_build
    _, pages, _ = _pdf_text(out / "yichang-2021.pdf")
    assert fig in _body(pages)


def test_docx_structure(seed_build):
    _, out = seed_build
    d, text = _docx_text(out / "yichang-2021.docx")
    flat = squash(text)
    for h in HEADINGS:
        assert h in flat
    assert "科技工作简报" in flat and "第1期（总第86期）" in flat
    assert len(docx_chart_parts(d)) == 4  # native charts (chart.mode: native)
    assert len(d.tables) >= 1
    assert "表12021年宜昌市主要科技创新指标" in flat
    assert "（共印80份）" in flat
    # headings use the named styles
    styles = {p.style.name for p in d.paragraphs if p.text.startswith(("一、", "二、"))}
    assert styles == {"一级标题"}
    styles2 = {p.style.name for p in d.paragraphs if p.text.startswith("（一）")}
    assert styles2 == {"二级标题"}


def test_pdf_structure(seed_build):
    _, out = seed_build
    pdf, pages, images = _pdf_text(out / "yichang-2021.pdf")
    flat = squash("".join(pages))
    for h in HEADINGS:
        assert h in flat
    assert images == 0  # the charts are vector graphics, their labels text
    assert "单位：家" in flat and "科技型中小企业" in flat and "省级中试基地" in flat
    assert "表1" in flat and "图4" in flat
    assert "高新技术企业总数" in flat  # table row
    assert "报：市委" in flat and "（共印80份）" in squash(pages[-1])
    assert squash(pages[0]).startswith("科技工作简报")
    # page numbers "— n —" on every page
    for i, p in enumerate(pages, start=1):
        assert f"—{i}—" in squash(p)


def test_pdf_fonts_embedded(seed_build):
    from pypdf import PdfReader

    _, out = seed_build
    reader = PdfReader(str(out / "yichang-2021.pdf"))
    fonts = set()
    for page in reader.pages:
        res = page["/Resources"]
        for f in (res.get("/Font") or {}).values():
            f = f.get_object()
            fonts.add((f["/BaseFont"], "/FontDescriptor" in f and any(
                k in f["/FontDescriptor"] for k in ("/FontFile2", "/FontFile3", "/FontFile"))))
    cjk = [f for f in fonts if "+" in f[0]]
    assert cjk and all(embedded for _, embedded in cjk)


def test_fresh_machine_pdf_complete(seed_build_fresh):
    """With no system fonts, the bundled fonts still give the complete text."""
    _, out = seed_build_fresh
    _, pages, images = _pdf_text(out / "yichang-2021.pdf")
    flat = _body(pages)
    for fig in ARTICLE_FIGURES:
        assert fig in flat
    assert images == 0 and "合计60家" in flat  # vector charts, their text set in the pip font
    from pypdf import PdfReader

    names = set()
    for page in PdfReader(str(out / "yichang-2021.pdf")).pages:
        for f in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(f.get_object()["/BaseFont"]))
    faces = {n.split("+", 1)[1] for n in names}
    assert all("+" in n for n in names), names  # only embedded subsets
    assert faces == {"ZhuqueFangsong-Regular", "BriefgenHei-Medium", "BriefgenSong-Black", "BriefgenKai-Regular"}


def test_table_marks_published_growth(seed_build):
    """857 / 640 is +33.9%: the table shows the published 32.8% with a * and says why."""
    _, out = seed_build
    d, text = _docx_text(out / "yichang-2021.docx")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in d.tables[0].rows}
    assert rows["高新技术企业总数"][-1] == "增长32.8%*"
    assert rows["科技型中小企业入库数"][-1] == "增长39.5%"  # 1172 / 840 reproduces 39.5%: no mark
    assert "带*的增速为统计部门公布数" in squash(text)
