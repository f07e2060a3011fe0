"""Floating figures and tables in the PDF: text fills the page, the float opens the next one."""

from __future__ import annotations

import re

import pdfplumber
import pytest
from PIL import Image
from reportlab.platypus import Flowable, Frame, PageTemplate, Spacer

from briefgen.fonts import resolve_fonts
from briefgen.layout import MM, StyleSheet
from briefgen.model import DocMeta, Document, Figure, Heading, PageBreak, Paragraph, Run, Table
from briefgen.writers import WriterOptions, writer_for
from briefgen.writers.pdf.floats import FloatBlock, FloatingDocTemplate

TOP, BOTTOM = 37 * MM, (297 - 35) * MM


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    """A plain PNG, 15 × 9 cm at 200 dpi, standing in for a chart."""
    path = tmp_path_factory.mktemp("img") / "c.png"
    Image.new("RGB", (1181, 709), (40, 90, 160)).save(path, dpi=(200, 200))
    return path


def para(k: int, n: int = 4) -> Paragraph:
    """Body text of about `n` lines, tagged 段落k so it can be found in the PDF."""
    return Paragraph([Run(f"段落{k}。" + "全市科技创新工作稳步推进，主要指标较快增长" * (n * 28 // 21))])


def write(tmp_path, blocks) -> list[dict]:
    """Write a plain document; per page, where each tagged paragraph, figure and heading starts."""
    d = Document(DocMeta(title="浮动测试", organ="某局", date="2024年1月1日", kind="plain"), blocks=blocks)
    writer = writer_for("pdf", WriterOptions(StyleSheet(), resolve_fonts(None, system=False)))
    out = writer.write(d, tmp_path / "f.pdf")
    pages = []
    with pdfplumber.open(out) as pdf:
        for page in pdf.pages:
            text = re.sub(r"\s+", "", page.extract_text() or "")
            marks = {m: text.find(m) for m in re.findall(r"段落\d+|图\d+|表\d+|第[一二三]节", text)}
            bottoms = [c["bottom"] for c in page.chars if c["bottom"] <= BOTTOM + 2] + \
                [im["bottom"] for im in page.images]
            images = [im["top"] for im in page.images]
            pages.append({"text": text, "marks": marks, "images": images,
                          "fill": (max(bottoms) - TOP) / (BOTTOM - TOP) if bottoms else 0.0})
    return pages


def fig(n: int, path) -> Figure:
    return Figure(image=path, caption=f"测试图{n}", number=f"图{n}", source="数据来源：某局", width_cm=15, aspect=0.6)


def test_a_figure_that_does_not_fit_lets_text_fill_the_page(tmp_path, chart):
    # Three paragraphs fill most of page 1; the figure after the first would not fit below
    # the third, so paragraphs 2-4 come first and the figure opens page 2.
    blocks = [para(1, 5), para(2, 5), para(3, 5), fig(1, chart), para(4, 6), para(5, 3)]
    pages = write(tmp_path, blocks)
    first, second = pages[0], pages[1]
    assert "图1" not in first["marks"] and "图1" in second["marks"]
    assert "段落4" in first["marks"]  # text written after the figure filled page 1
    assert first["fill"] > 0.9
    assert second["images"] and second["images"][0] < TOP + 30  # at the top of page 2
    # Never before the text that refers to it.
    assert first["marks"]["段落3"] >= 0


def test_a_figure_that_fits_stays_in_place(tmp_path, chart):
    pages = write(tmp_path, [para(1, 3), fig(1, chart), para(2, 3)])
    marks = pages[0]["marks"]
    assert marks["段落1"] < marks["图1"] < marks["段落2"]


def test_floats_stay_in_their_section_and_keep_their_order(tmp_path, chart):
    """A heading first places the waiting figures; 图2 never comes before 图1."""
    blocks = [para(1, 6), para(2, 6), para(3, 4), fig(1, chart), fig(2, chart), para(4, 2),
              Heading("第二节", 1, "二、"), para(5, 3)]
    pages = write(tmp_path, blocks)
    flat = "".join(p["text"] for p in pages)
    assert flat.index("段落3") < flat.index("图1") < flat.index("图2") < flat.index("第二节")
    assert flat.index("段落4") < flat.index("第二节")
    assert "图1" not in pages[0]["marks"] and pages[1]["images"][0] < TOP + 30


def test_a_page_break_places_waiting_floats_first(tmp_path, chart):
    blocks = [para(1, 6), para(2, 6), para(3, 4), fig(1, chart), para(4, 2), PageBreak(), para(5, 2)]
    pages = write(tmp_path, blocks)
    flat = "".join(p["text"] for p in pages)
    assert flat.index("图1") < flat.index("段落5")
    five = next(i for i, p in enumerate(pages) if "段落5" in p["marks"])
    assert "图1" not in pages[five]["marks"]


def test_a_table_longer_than_a_page_is_set_in_place_and_splits(tmp_path):
    rows = [[f"地区{i:02d}", str(100 + i)] for i in range(70)]
    table = Table(header=["地区", "产值"], rows=rows, caption="长表", number="表1", align=["left", "right"])
    pages = write(tmp_path, [para(1, 3), table, para(2, 2)])
    assert "表1" in pages[0]["marks"]  # starts right after the text, not on a new page
    assert sum("地区" in p["text"] for p in pages) >= 2  # header repeated on the next page
    assert pages[1]["text"].startswith("续表1地区产值")  # and labelled as continued
    flat = "".join(p["text"] for p in pages)
    assert flat.index("地区69") < flat.index("段落2")


@pytest.mark.parametrize("seed", range(8))
def test_random_documents_keep_every_rule(tmp_path, chart, seed):
    """Random mixes of text, figures, tables and headings: nothing lost, floats in order,
    never before the text that precedes them, never past the next heading; no page ends with a
    heading (seeds 3 and 6 did before headings went with the floats under them)."""
    import random

    rnd = random.Random(seed)
    blocks: list = []
    k = f = t = h = 0
    for _ in range(rnd.randint(8, 16)):
        kind = rnd.choice("pppfth")
        if kind == "p":
            k += 1
            blocks.append(para(k, rnd.randint(1, 7)))
        elif kind == "f":
            f += 1
            blocks.append(fig(f, chart))
        elif kind == "t":
            t += 1
            rows = [[f"行{i}", str(i)] for i in range(rnd.choice([3, 9, 30]))]
            blocks.append(Table(header=["项目", "数值"], rows=rows, caption="测试表", number=f"表{t}",
                                source="数据来源：某局", align=["left", "right"]))
        else:
            h += 1
            blocks.append(Heading(f"第{'一二三'[(h - 1) % 3]}节", 1, f"{h}、"))
    pages = write(tmp_path, blocks)
    flat = "".join(p["text"] for p in pages)
    pos = {}
    for i, b in enumerate(blocks):
        tag = (f"段落{b.runs[0].text[2:b.runs[0].text.index('。')]}" if isinstance(b, Paragraph) else
               b.number if isinstance(b, (Figure, Table)) else f"{b.number}{b.text}")
        assert tag in flat, tag
        pos[i] = flat.index(tag)
    for i, b in enumerate(blocks):
        if isinstance(b, (Figure, Table)):
            before = [pos[j] for j in range(i) if isinstance(blocks[j], Paragraph)]
            assert not before or pos[i] > max(before)  # never before the text it follows
            nxt = next((j for j in range(i + 1, len(blocks)) if isinstance(blocks[j], Heading)), None)
            if nxt is not None:
                assert pos[i] < pos[nxt]  # stays in its section
    floats = [pos[i] for i, b in enumerate(blocks) if isinstance(b, Figure)]
    assert floats == sorted(floats)
    for p in pages[:-1]:  # no page ends with a heading
        body = re.sub(r"—\d+—$", "", p["text"])
        assert not any(body.endswith(f"{b.number}{b.text}") for b in blocks if isinstance(b, Heading)), body[-40:]


# --- headings stay with their floats; padding gives way; long tables split at a section end ---------


def table(n: int, rows: int) -> Table:
    return Table(header=["项目", "数值"], rows=[[f"行{i}", str(i)] for i in range(rows)], caption="测试表",
                 number=f"表{n}", source="数据来源：某局", align=["left", "right"])


def _page_of(pages: list[dict], mark: str) -> int:
    return next(i for i, p in enumerate(pages) if mark in p["marks"])


@pytest.mark.parametrize("lines", [12, 13])
def test_a_heading_right_above_a_float_goes_with_it(tmp_path, lines):
    """The table under 一、第一节 does not fit below the heading at the foot of page 1: the
    heading moves to page 2 with it instead of ending page 1 alone."""
    blocks = [para(1, lines), Heading("第一节", 1, "一、"), table(1, 4), Heading("第二节", 1, "二、"), para(2, 3)]
    pages = write(tmp_path, blocks)
    assert _page_of(pages, "第一节") == _page_of(pages, "表1") == 1
    text = pages[1]["text"]
    assert text.index("一、第一节") + len("一、第一节") == text.index("表1")  # the table right under it
    assert pages[0]["text"].rstrip("—1").endswith("较快增长")  # page 1 ends with the text before


def test_a_chain_of_headings_goes_with_the_figure_under_it(tmp_path, chart):
    blocks = [para(1, 8), Heading("第一节", 1, "一、"), Heading("第二节", 2, "（一）"), fig(1, chart), para(2, 3)]
    pages = write(tmp_path, blocks)
    assert _page_of(pages, "第一节") == _page_of(pages, "第二节") == _page_of(pages, "图1") == 1
    assert pages[1]["images"] and pages[1]["images"][0] < TOP + 3 * 29 + 5  # right under the two headings
    assert "段落2" in pages[1]["marks"]


def test_a_long_table_under_a_heading_starts_there(tmp_path):
    """A table of many rows under a heading that has room for its start splits there (续表)
    rather than take the heading to the next page and leave this one half empty."""
    pages = write(tmp_path, [para(1, 6), Heading("第一节", 1, "一、"), table(1, 18), para(2, 2)])
    assert _page_of(pages, "第一节") == _page_of(pages, "表1") == 0
    assert pages[1]["text"].startswith("续表1项目数值")
    assert pages[0]["fill"] > 0.9


def test_float_padding_gives_way_when_the_content_fits():
    """A block whose content fits is not pushed off the page by the rounding: the pad shrinks
    to whole lines, or, when not even those fit, to the rest of the page."""
    pitch = 28.95
    block = FloatBlock([Spacer(1, 192.3)], pitch)
    assert block.wrap(400, 1000)[1] == pytest.approx(7 * pitch)  # 192.3 + MIN_PAD → 7 lines
    assert block.wrap(400, 201.0)[1] == pytest.approx(201.0)  # 7 lines would not fit: the rest of the page
    assert block.wrap(400, 191.0)[1] > 191.0  # the content itself does not fit: it moves
    tight = FloatBlock([Spacer(1, 200.0)], pitch)  # 200 + MIN_PAD needs 8 lines, 200 alone 7
    assert tight.wrap(400, 210.0)[1] == pytest.approx(7 * pitch)  # still whole lines: text after stays on the grid


def test_a_float_that_just_fits_stays_on_its_page(tmp_path):
    """The document flow: a block 1.7 pt short of its rounded height after the text stays,
    and what follows starts at the top of the next page."""
    drawn: list[tuple[str, int, float]] = []

    class Mark(Flowable):
        def __init__(self, name: str, h: float):
            super().__init__()
            self.name, self.h = name, h

        def wrap(self, aw, ah):
            return aw, self.h

        def draw(self):
            drawn.append((self.name, self.canv.getPageNumber(), self.canv._currentMatrix[5]))

    frame = Frame(0, 0, 400, 600, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc = FloatingDocTemplate(str(tmp_path / "t.pdf"), pagesize=(400, 600),
                              pageTemplates=[PageTemplate(frames=[frame])])
    pitch = 28.95
    content = 192.3  # table 1 of the county example
    avail = 201.0
    story = [Mark("text", 600 - avail), FloatBlock([Mark("float", content)], pitch), Mark("after", pitch)]
    doc.build(story)
    pages = {name: page for name, page, _ in drawn}
    assert pages == {"text": 1, "float": 1, "after": 2}
    y_after = next(y for name, _, y in drawn if name == "after")
    assert y_after == pytest.approx(600 - pitch)  # the top line of page 2


def test_a_long_table_placed_at_the_end_of_its_section_splits(tmp_path, chart):
    """图1 and 表1 both wait for page 2 (the section ends before page 1 has room); 图1 opens it,
    and the long 表1 then starts under it and continues, rather than leave page 2 half empty."""
    blocks = [para(1, 12), fig(1, chart), table(1, 16), Heading("第二节", 1, "二、"), para(2, 3)]
    pages = write(tmp_path, blocks)
    assert _page_of(pages, "图1") == _page_of(pages, "表1") == 1
    assert pages[1]["fill"] > 0.9
    assert pages[2]["text"].startswith("续表1项目数值")
    flat = "".join(p["text"] for p in pages)
    assert flat.index("行15") < flat.index("第二节")
