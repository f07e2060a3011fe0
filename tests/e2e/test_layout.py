"""GB/T 9704 layout read back from the files: geometry, grid, styles, page numbers, kinsoku."""

import re

import docx
import pdfplumber
import pytest
import yaml
from docx.oxml.ns import qn

from briefgen.layout import MM, balance_title, text_em
from briefgen.linebreak import CLOSING_MARKS, NO_LINE_END, NO_LINE_START, OPENING_MARKS
from briefgen.pipeline import build
from support import ROOT

# A long, punctuation-dense text so that kinsoku situations occur at many line ends.
PARA = ("全市高新技术产业增加值达到874.1亿元，同比增长32.7%，高出全省平均水平15.8个百分点；"
        "“高企培育在一线”活动扎实开展，全年申报397家、通过382家，通过率96.2%。"
        "科技型中小企业入库1172家（同比增长39.5%），超额完成全年目标的46.5%……"
        "《区域科技创新中心建设方案》印发实施，2021年12月21日湖北三峡实验室揭牌！")


CJK_ONLY = ("全市科技系统围绕区域科技创新中心建设目标，聚焦创新主体培育、创新平台建设、科技成果转化和创新生态优化，"
            "持续深化科技体制机制改革，推动创新链产业链资金链人才链深度融合，科技创新对经济社会发展的支撑引领作用更加凸显。") * 3


def _full(ch: str) -> bool:
    return ord(ch) > 0x2E80 or ch in "“”‘’—…"


@pytest.fixture(scope="module")
def long_doc(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("long")
    (tmp / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n", encoding="utf-8")
    # Rotations cut only between two ideographs, so no paragraph starts or ends inside 39.5% or “…”.
    cuts = [i for i in range(1, 120, 7) if all("\u4e00" <= PARA[j] <= "\u9fff" for j in (i - 1, i))]
    variants = [PARA[i:] + PARA[:i] for i in cuts]
    body = "\n\n".join([CJK_ONLY] + variants)
    cfg = {"name": "long", "form": "plain", "region": "宜昌市", "period": 2021,
           "meta": {"title": "版式测试", "organ": "某局", "date": "2022-01-05"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "长文", "text": body}]}
    p = tmp / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    build(p, tmp / "out")
    return tmp / "out"


def _lines(page):
    """Text lines of a PDF page: chars grouped by baseline, sorted left to right."""
    rows = {}
    for ch in page.chars:
        rows.setdefault(round(ch["bottom"], 1), []).append(ch)
    return [sorted(v, key=lambda c: c["x0"]) for _, v in sorted(rows.items())]


def test_pdf_page_size_and_text_block(long_doc):
    with pdfplumber.open(str(long_doc / "long.pdf")) as pdf:
        for page in pdf.pages:
            assert page.width == pytest.approx(210 * MM, abs=0.5)
            assert page.height == pytest.approx(297 * MM, abs=0.5)
            body = [c for c in page.chars if c["top"] < page.height - 35 * MM]
            assert min(c["x0"] for c in body) >= 28 * MM - 0.5  # 订口 28 mm
            # 版心 156 mm; a full-width closing mark ending a line may have its blank half
            # squeezed past the edge (标点挤压): its ink, in the left half, stays inside.
            assert max(c["x0"] + c["size"] / 2 if c["text"] in CLOSING_MARKS else c["x1"]
                       for c in body) <= (210 - 26) * MM + 0.5
            assert min(c["top"] for c in body) >= 37 * MM - 1  # 天头 37 mm


def test_pdf_22_lines_and_28_chars(long_doc):
    with pdfplumber.open(str(long_doc / "long.pdf")) as pdf:
        assert len(pdf.pages) >= 3
        page = pdf.pages[1]  # a page of running body text
        lines = [ln for ln in _lines(page) if ln[0]["top"] < page.height - 35 * MM]
        assert len(lines) == 22
        pitches = {round(b[0]["bottom"] - a[0]["bottom"], 1) for a, b in zip(lines, lines[1:])}
        assert pitches == {28.9} or pitches <= {28.9, 29.0}
        # A full line of pure Chinese text holds exactly 28 characters and fills the block.
        every = [ln for p in pdf.pages for ln in _lines(p) if ln[0]["top"] < p.height - 35 * MM]
        full = [ln for ln in every if all(_full(c["text"]) for c in ln) and len(ln) == 28]
        assert full, "expected some 28-character lines"
        for ln in full:
            assert ln[-1]["x1"] == pytest.approx((210 - 26) * MM, abs=0.8)
        assert len(full) >= 5
        # More than 28 only where punctuation was squeezed to half width (标点挤压).
        marks = OPENING_MARKS | CLOSING_MARKS
        assert all(len(ln) - sum(c["text"] in marks for c in ln) / 2 <= 28 or not all(_full(c["text"]) for c in ln)
                   for ln in every)
        assert any(len(ln) > 28 for ln in every), "compression lets a line take one more character"


def test_pdf_no_forbidden_line_start_or_end(long_doc):
    with pdfplumber.open(str(long_doc / "long.pdf")) as pdf:
        n = 0
        for page in pdf.pages:
            for ln in _lines(page):
                text = "".join(c["text"] for c in ln)
                if re.fullmatch(r"—\s*\d+\s*—", text):
                    continue
                n += 1
                assert text[0] not in NO_LINE_START, text
                assert text[-1] not in NO_LINE_END, text
        assert n > 40


def test_pdf_numbers_not_broken(long_doc):
    with pdfplumber.open(str(long_doc / "long.pdf")) as pdf:
        for page in pdf.pages:
            for ln in _lines(page):
                text = "".join(c["text"] for c in ln)
                assert not re.match(r"^[\d.%]+[^\d]", text) or not re.search(r"\d$", text)
                # a line never ends in the middle of 874.1 / 96.2% / 2021年
                assert not text.endswith(("874", "874.", "96.", "2021")), text


def test_pdf_page_numbers(long_doc):
    with pdfplumber.open(str(long_doc / "long.pdf")) as pdf:
        for i, page in enumerate(pdf.pages, start=1):
            foot = [c for c in page.chars if c["top"] > page.height - 35 * MM]
            text = "".join(c["text"] for c in sorted(foot, key=lambda c: c["x0"]))
            assert text.replace(" ", "") == f"—{i}—"
            digits = [c for c in foot if c["text"].isdigit()]
            assert digits[0]["size"] == pytest.approx(14, abs=0.1)  # 4号
            # 7 mm below the 版心 to the top of the digits (glyph box ± 1.5 mm)
            assert digits[0]["top"] == pytest.approx((297 - 35 + 7) * MM, abs=1.5 * MM)
            if i % 2:  # odd: right, one character in
                assert max(c["x1"] for c in foot) == pytest.approx((210 - 26) * MM - 14, abs=1.0)
            else:
                assert min(c["x0"] for c in foot) == pytest.approx(28 * MM + 14, abs=1.0)


def test_docx_geometry_grid_and_footers(seed_build):
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    sec = d.sections[0]
    assert round(sec.page_width.mm) == 210 and round(sec.page_height.mm) == 297
    assert round(sec.top_margin.mm) == 37 and round(sec.left_margin.mm) == 28
    assert round(sec.right_margin.mm) == 26 and round(sec.bottom_margin.mm) == 35
    grid = sec._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 28.95 pt: 22 lines
    assert d.settings.odd_and_even_pages_header_footer
    for footer, align in ((sec.footer, "right"), (sec.even_page_footer, "left")):
        xml = footer._element.xml
        assert "PAGE" in xml and "fldChar" in xml
        assert f'w:jc w:val="{align}"' in xml
        assert "— " in "".join(t.text or "" for t in footer._element.iter(qn("w:t")))


def _rfonts(style):
    return style.element.rPr.find(qn("w:rFonts"))


def test_docx_styles_fonts_and_sizes(seed_build):
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    expect = {"Normal": ("仿宋_GB2312", 16), "公文标题": ("方正小标宋简体", 22), "一级标题": ("黑体", 16),
              "二级标题": ("楷体_GB2312", 16), "三级标题": ("仿宋_GB2312", 16), "报头": ("方正小标宋简体", 42)}
    for name, (font, size) in expect.items():
        st = d.styles[name]
        rf = _rfonts(st)
        assert rf.get(qn("w:eastAsia")) == font, name
        assert rf.get(qn("w:ascii")) and rf.get(qn("w:hAnsi")) and rf.get(qn("w:cs"))
        assert rf.get(qn("w:hint")) == "eastAsia"
        assert st.font.size.pt == size, name
    normal = d.styles["Normal"].paragraph_format
    assert normal.line_spacing.pt == pytest.approx(28.95, abs=0.05)
    ind = d.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"  # two-character indent
    # 28 characters per line: 3号 styles are tightened by a quarter point
    sp = d.styles["Normal"].element.rPr.find(qn("w:spacing"))
    assert int(sp.get(qn("w:val"))) * 28 / 20 + 28 * 16 <= (210 - 28 - 26) * MM
    # docDefaults and theme: no Japanese fallback
    dd = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:rFonts"))
    assert dd.get(qn("w:eastAsia")) == "仿宋_GB2312" and dd.get(qn("w:eastAsiaTheme")) is None
    lang = d.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert lang.get(qn("w:eastAsia")) == "zh-CN"
    theme = [p for p in d.part.package.parts if p.partname.endswith("theme1.xml")][0].blob.decode()
    assert '<a:font script="Hans" typeface="宋体"/>' in theme


def test_docx_table_header_repeats_and_figure_keeps_caption(seed_build):
    _, out = seed_build
    d = docx.Document(str(out / "yichang-2021.docx"))
    t = d.tables[0]
    assert t.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert t.cell(0, 0).paragraphs[0].style.name == "表头"
    assert t.cell(1, 2).paragraphs[0].alignment == 2  # numbers right-aligned
    figures = 0
    for i, p in enumerate(d.paragraphs):
        if p._p.xpath(".//wp:inline"):  # a chart (the 报尾 box is anchored, not inline)
            figures += 1
            assert p.paragraph_format.keep_with_next
            assert re.match(r"图\d+", d.paragraphs[i + 1].text)
    assert figures == 4


def test_balanced_titles():
    t = "宜昌市科学技术局关于2021年度全市科技创新工作情况的报告"
    lines = balance_title(t, 20)
    assert "".join(lines) == t and len(lines) == 2
    assert lines == ["宜昌市科学技术局关于2021年度", "全市科技创新工作情况的报告"]
    assert all(text_em(x) <= 20 for x in lines)
    assert balance_title("短标题", 20) == ["短标题"]
    assert balance_title("甲\n乙", 20) == ["甲", "乙"]


def test_gongwen_example(tmp_path):
    out = tmp_path / "gw"
    build(ROOT / "seeds" / "yichang-2021-report" / "briefing.yaml", out)
    with pdfplumber.open(str(out / "yichang-2021-report.pdf")) as pdf:
        first = pdf.pages[0].extract_text()
        flat = re.sub(r"\s+", "", first)
        assert "宜昌市科学技术局文件" in flat and "宜科发〔2022〕3号" in flat and "签发人：" in flat
        assert "市人民政府：" in flat
        red = [c for c in pdf.pages[0].chars if c["text"] == "宜"][0]
        assert red["non_stroking_color"] and red["non_stroking_color"][0] > 0.8  # red masthead
        last = re.sub(r"\s+", "", pdf.pages[-1].extract_text())
        assert "抄送：省科技厅" in last and "2022年1月20日印发" in last
    d = docx.Document(str(out / "yichang-2021-report.docx"))
    texts = [p.text for p in d.paragraphs]
    assert "宜昌市科学技术局关于2021年度" in texts and "全市科技创新工作情况的报告" in texts
    assert "2022年1月20日" in texts


def test_docx_elements_in_schema_order(seed_build, tmp_path):
    """Word refuses files whose pPr/rPr/tcPr/trPr children are out of schema order."""
    import zipfile

    from lxml import etree

    from briefgen.writers.docx.oxml import _ORDER

    _, out = seed_build
    paths = [out / "yichang-2021.docx"]
    build(ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml", tmp_path, ["docx"])  # Word letterhead
    paths.append(tmp_path / "zhengwu-2022-15.docx")
    checked = 0
    for path in paths:
        with zipfile.ZipFile(path) as z:
            for part in ("word/document.xml", "word/styles.xml", "word/footer1.xml"):
                if part not in z.namelist():
                    continue
                root = etree.fromstring(z.read(part))
                for local, order in _ORDER.items():
                    for el in root.iter(qn(f"w:{local}")):
                        names = [c.tag.split("}")[1] for c in el if isinstance(c.tag, str)]
                        ranks = [order.index(n) for n in names if n in order]
                        assert ranks == sorted(ranks), (path.name, part, local, names)
                        checked += 1
    assert checked > 100


def test_pdf_long_table_splits_with_repeated_header(tmp_path):
    rows = "\n".join(f"产值,地区{i:02d},2021,{100 + i},亿元" for i in range(60))
    (tmp_path / "d.csv").write_text("指标,地区,时期,数值,单位\n" + rows + "\n", encoding="utf-8")
    cfg = {"name": "tbl", "form": "plain", "region": "地区00", "period": 2021,
           "meta": {"title": "长表测试", "organ": "某局"}, "data": [{"file": "d.csv"}], "metrics": {"v": "产值"},
           "sections": [{"heading": "各地区", "text": "见下表。",
                         "tables": [{"caption": "各地区产值", "kind": "regions", "columns": ["v"], "rank_by": "v",
                                     "units": "header"}]}]}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    build(p, tmp_path / "out", ["pdf"])
    with pdfplumber.open(str(tmp_path / "out" / "tbl.pdf")) as pdf:
        pages = [re.sub(r"\s+", "", pg.extract_text()) for pg in pdf.pages]
    assert len(pages) >= 2
    with_rows = [pg for pg in pages if "地区59" in pg or "地区00" in pg]
    assert len(with_rows) >= 2
    for pg in pages:
        if re.search(r"地区\d\d", pg):
            assert "产值（亿元）" in pg and "排名" in pg  # header repeated on every page the table crosses
    assert "地区00" in pages[0]  # the table starts on page 1 right after the text, not pushed to page 2
