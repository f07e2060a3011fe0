"""The official look on a bare machine, read back from the files of all five examples.

Built with ``BRIEFGEN_NO_SYSTEM_FONTS=1`` (only the fonts shipped with briefgen). PDF:
one typeface per role, no unembedded font objects, metadata, spacing of justified
lines (widest gap between two characters), how full each page is, and source notes.
DOCX: the 报尾/版记 pinned to the foot of the last page, table rows off the line grid,
figures and tables kept with their captions, and a Word letterhead with our footers.
"""

from __future__ import annotations

import os
import re
import shutil

import docx
import pdfplumber
import pytest
import yaml
from docx.oxml.ns import qn
from pypdf import PdfReader

from briefgen import linebreak
from briefgen.fonts import resolve_fonts
from briefgen.layout import MM, StyleSheet
from briefgen.linebreak import CLOSING_MARKS, OPENING_MARKS
from briefgen.model import DocMeta, Document, Figure, Heading, PageBreak, Paragraph, Run, Table
from briefgen.pipeline import build
from briefgen.writers import WriterOptions, writer_for
from briefgen.writers.pdf import floats, flowables
from briefgen.writers.pdf.floats import SPLIT_ROWS
from support import ROOT, docx_keep_chain, squash

EXAMPLES = ["yichang-2021", "yichang-2021-report", "tongji-2022-06", "zhengwu-2022-15", "kejiju-county-2022-09"]
TOP, BOTTOM = 37 * MM, (297 - 35) * MM  # the 版心, from the page top


@pytest.fixture(scope="module")
def examples(tmp_path_factory):
    """Every example built once as on a fresh server: {name: (document, pdf path)}."""
    out = tmp_path_factory.mktemp("look")
    old = os.environ.get("BRIEFGEN_NO_SYSTEM_FONTS")
    os.environ["BRIEFGEN_NO_SYSTEM_FONTS"] = "1"
    try:
        built = {}
        for name in EXAMPLES:
            result = build(ROOT / "seeds" / name / "briefing.yaml", out / name)
            built[name] = (result.document, out / name / f"{name}.pdf")
        return built
    finally:
        if old is None:
            os.environ.pop("BRIEFGEN_NO_SYSTEM_FONTS", None)
        else:
            os.environ["BRIEFGEN_NO_SYSTEM_FONTS"] = old


def _lines(page) -> list[list[dict]]:
    """Characters grouped by baseline, left to right, top to bottom."""
    rows: dict[float, list[dict]] = {}
    for c in page.chars:
        if c["text"].strip():
            rows.setdefault(round(c["matrix"][5], 1), []).append(c)
    return [sorted(v, key=lambda c: c["x0"]) for _, v in sorted(rows.items(), reverse=True)]


def _text(line: list[dict]) -> str:
    return "".join(c["text"] for c in line)


def _face(c: dict) -> str:
    return c["fontname"].split("+", 1)[-1]


@pytest.mark.parametrize("name", EXAMPLES)
def test_one_typeface_per_role(examples, name):
    """Song title, 仿宋 body, 黑体 level-1 and 楷体 level-2 headings from the bundled fonts."""
    d, pdf_path = examples[name]
    want = {1: "BriefgenHei-Medium", 2: "BriefgenKai-Regular"}
    with pdfplumber.open(pdf_path) as pdf:
        lines = [ln for page in pdf.pages for ln in _lines(page)]
    faces_of: dict[str, set[str]] = {}
    for ln in lines:
        faces_of.setdefault(_text(ln), set()).update(_face(c) for c in ln if c["text"] not in "0123456789.%")
    title = squash(d.meta.title)
    assert any(t in title and f == {"BriefgenSong-Black"} for t, f in faces_of.items() if len(t) >= 4), title
    headings = [b for b in d.blocks if isinstance(b, Heading) and b.level in want]
    assert headings
    for h in headings:
        hits = [f for t, f in faces_of.items() if t.startswith(squash(h.full_text)[:8])]
        assert hits and hits[0] == {want[h.level]}, (h.full_text, hits)
    body = [squash(b.text) for b in d.blocks if isinstance(b, Paragraph) and not any(r.role for r in b.runs)]
    heads = [squash(h.full_text) for h in d.blocks if isinstance(h, Heading)]
    body_faces = [f for t, f in faces_of.items()
                  if len(t) > 12 and any(t in p for p in body) and not any(t in h for h in heads)]
    assert body_faces and all(f <= {"ZhuqueFangsong-Regular"} for f in body_faces), body_faces


@pytest.mark.parametrize("name", EXAMPLES)
def test_fonts_embedded_and_metadata(examples, name):
    """pdffonts would list only embedded subsets; title, author, subject and zh-CN are set."""
    d, pdf_path = examples[name]
    reader = PdfReader(str(pdf_path))
    fonts = {}
    for page in reader.pages:
        for ref in (page["/Resources"].get("/Font") or {}).values():
            font = ref.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert len(fonts) >= 3
    for base, font in fonts.items():
        assert re.fullmatch(r"/[A-Z]{6}\+\S+", base), base  # a subset, never a standard font
        assert "/FontFile2" in font["/FontDescriptor"].get_object(), base
    meta = reader.metadata
    assert meta.title == d.meta.title and meta.author == d.meta.organ
    assert meta.subject == (d.meta.masthead or d.meta.title)
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def _justified_texts(d) -> list[str]:
    return [squash(b.text if isinstance(b, Paragraph) else b.full_text)
            for b in d.blocks if isinstance(b, (Paragraph, Heading))]


def widest_gap(d, pdf_path) -> tuple[float, str]:
    """The widest space between two characters on any line of running text, in ems."""
    texts = _justified_texts(d)
    worst = (0.0, "")
    with pdfplumber.open(pdf_path) as pdf:
        for pno, page in enumerate(pdf.pages, 1):
            for ln in _lines(page):
                text = _text(ln)
                if len(text) < 4 or not any(text in t for t in texts):
                    continue
                for a, b in zip(ln, ln[1:]):
                    gap = (b["x0"] - a["x1"]) / a["size"]
                    if gap > worst[0]:
                        worst = (gap, f"page {pno}: {a['text']}|{b['text']} in {text}")
    return worst


@pytest.mark.parametrize("name", EXAMPLES)
def test_widest_gap_under_quarter_em(examples, name):
    """Justification never letter-spaces a line: punctuation is squeezed first, gaps are capped."""
    gap, where = widest_gap(*examples[name])
    assert gap < 0.25, where


def _ideograph(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def isolated_marks(d, pdf_path) -> tuple[list[float], list[str]]:
    """Every "，、；：" set between an ideograph and an ideograph or digit inside a line of body
    text: its advance (to the next character) in ems; and every non-final line of a justified
    body paragraph that does not end at the right edge of the 版心."""
    texts = _justified_texts(d)
    edge = (210 - 26) * MM
    advances, ragged = [], []
    with pdfplumber.open(pdf_path) as pdf:
        for pno, page in enumerate(pdf.pages, 1):
            lines = [ln for ln in _frame_lines(page) if abs(ln[0]["size"] - 16) < 0.05]
            for i, ln in enumerate(lines):
                text = _text(ln)
                for a, b, c in zip(ln, ln[1:], ln[2:]):
                    if b["text"] in "，、；：" and _ideograph(a["text"]) and (
                            _ideograph(c["text"]) or c["text"].isdigit()):
                        advances.append((c["x0"] - b["x0"]) / b["size"])
                # A line that runs on into the next line of the same paragraph ends flush.
                nxt = _text(lines[i + 1]) if i + 1 < len(lines) else ""
                if nxt and any(text + nxt in t for t in texts) and not any(t.endswith(text) for t in texts):
                    last = ln[-1]
                    over = last["size"] / 2 if last["text"] in CLOSING_MARKS else 0.0  # its blank squeezed
                    if not edge - 0.8 <= last["x1"] <= edge + over + 0.8:
                        ragged.append(f"page {pno}: {text} ends at {last['x1'] - edge:+.1f} pt")
    return advances, ragged


@pytest.mark.parametrize("name", EXAMPLES)
def test_isolated_commas_keep_their_width_and_lines_end_flush(examples, name):
    """A comma or 顿号 between two characters is never squeezed to look like a Latin comma: a line
    too long moves a character down and spreads its slack instead, or squeezes a mark at its end;
    and every line of running text but a paragraph's last still ends at the right margin."""
    advances, ragged = isolated_marks(*examples[name])
    cell = (16 + (156 * MM - 28 * 16) / 28) / 16  # a grid cell, in ems
    assert advances and min(advances) >= 0.97 * cell, sorted(advances)[:5]
    assert ragged == []
    if name == "yichang-2021":
        assert len(advances) >= 60  # the seed sets many (30 of them were squeezed before)


def test_flush_and_comma_checks_find_what_they_are_for(tmp_path, monkeypatch):
    """The checks are not vacuous: with compression of isolated marks as cheap as it used to be,
    the seed squeezes commas inside its lines; with the margin moved in, lines end short."""
    monkeypatch.setattr(linebreak, "_COST_MID_SQUEEZE", 0.0)
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    result = build(ROOT / "seeds" / "yichang-2021" / "briefing.yaml", tmp_path)
    advances, ragged = isolated_marks(result.document, tmp_path / "yichang-2021.pdf")
    assert min(advances) < 0.8 and ragged == []
    monkeypatch.setattr(flowables, "break_paragraph",
                        lambda spans, width, *a, **kw: linebreak.break_paragraph(spans, width - 20, *a, **kw))
    result = build(ROOT / "seeds" / "yichang-2021" / "briefing.yaml", tmp_path / "short")
    _, ragged = isolated_marks(result.document, tmp_path / "short" / "yichang-2021.pdf")
    assert len(ragged) > 20


def _frame_lines(page) -> list[list[dict]]:
    """The lines of text inside the 版心 (the page number left out), top to bottom."""
    return [ln for ln in _lines(page) if TOP - 2 <= ln[0]["top"] <= BOTTOM]


def page_fill(pdf_path) -> list[tuple[float, str]]:
    """Per page: the share of the 版心 height used, and the first line of text on it (any size:
    a chart's or a table's text counts)."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            ys = [c["bottom"] for c in page.chars if c["bottom"] <= BOTTOM + 2]
            ys += [im["bottom"] for im in page.images]
            ys += [r["bottom"] for r in page.rects + page.lines if r["bottom"] <= BOTTOM + 2]
            fill = (max(ys) - TOP) / (BOTTOM - TOP) if ys else 0.0
            lines = _frame_lines(page)
            out.append((fill, _text(lines[0]) if lines else ""))
    return out


def opening_float(page, captions: dict[str, str]) -> tuple[str, float] | None:
    """The figure or table a page opens with: its number and how tall it is (a figure down to its
    source note, a table down to the notes under its last row); None when the page opens with
    text. `captions` maps each caption line (squashed) to its number; a chart's own labels
    are passed over."""
    lines = _frame_lines(page)
    for i, ln in enumerate(lines):
        number = next((n for c, n in captions.items() if c.startswith(_text(ln))), None)
        if number and abs(ln[0]["size"] - 14) < 0.05:  # a caption (14 pt)
            if number.startswith("表"):
                grids = [t.bbox for t in page.find_tables() if t.bbox[1] >= ln[0]["top"]]
                if i != 0 or not grids:
                    return None
                bottom = grids[0][3]
                for below in lines[i + 1:]:  # the notes under the table
                    if below[0]["top"] >= bottom - 1 and below[0]["top"] - bottom < 20 and below[0]["size"] < 14:
                        bottom = max(c["bottom"] for c in below)
                return number, bottom - TOP
            below = lines[i + 1] if i + 1 < len(lines) and lines[i + 1][0]["size"] < 14 else ln
            return number, max(c["bottom"] for c in below) - TOP
        if abs(ln[0]["size"] - 16) < 0.05:
            return None  # text or a heading (16 pt) comes first
    return None


def page_fill_faults(d, pdf_path) -> list[str]:
    """Where the page flow leaves a page worse than it must: a page that ends with a heading, and
    a page more than a third empty that is followed neither by a new (level-1) section, what follows a page
    break, nor the end of the text — unless the next page opens with a figure or short table too
    tall for the space left (a table of SPLIT_ROWS rows or more should have started there)."""
    headings = [squash(b.full_text) for b in d.blocks if isinstance(b, Heading)]
    # Only a level-1 heading ends a float's section: under a lower one text fills the page.
    sections = [squash(b.full_text) for b in d.blocks if isinstance(b, Heading) and b.level <= floats.FLUSH_LEVEL]
    after_break = [squash(b.text) for a, b in zip(d.blocks, d.blocks[1:])
                   if isinstance(a, PageBreak) and isinstance(b, Paragraph)]
    rows = {b.number: len(b.rows) for b in d.blocks if isinstance(b, Table)}
    captions = {squash(b.caption_line): b.number for b in d.blocks if isinstance(b, (Figure, Table))}
    body = [t for t in _justified_texts(d) if t not in headings]
    faults = []
    with pdfplumber.open(pdf_path) as pdf:
        fills = page_fill(pdf_path)
        for k, page in enumerate(pdf.pages[:-1]):
            lines = _frame_lines(page)
            last = _text(lines[-1]) if lines else ""
            if last and any(h.endswith(last) for h in headings) and not any(t.endswith(last) for t in body):
                faults.append(f"page {k + 1} ends with the heading {last!r}")
            fill, top = fills[k][0], fills[k + 1][1]
            if fill >= 2 / 3:
                continue
            if top and any(t.startswith(top) for t in sections + after_break):
                continue  # a section or a page break ends here
            later = squash("".join(p.extract_text() or "" for p in pdf.pages[k + 1:]))
            if not any(t[:12] in later for t in body):
                continue  # the text ends here
            opener = opening_float(pdf.pages[k + 1], captions)
            free = (1 - fill) * (BOTTOM - TOP)
            if opener and opener[1] > free and rows.get(opener[0], 0) < SPLIT_ROWS:
                continue  # it could not have been set here
            faults.append(f"page {k + 1} is {fill:.0%} full; page {k + 2} opens with {top!r} ({opener})")
    return faults


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_page_ends_a_third_empty(examples, name):
    """Figures and tables float, headings go with the floats under them and long tables split:
    no page ends with a heading, and a page ends more than a third empty only where a section,
    a page break or the text ends, or before a figure that could not be set there."""
    assert page_fill_faults(*examples[name]) == []


def test_page_fill_check_finds_what_it_is_for(tmp_path, monkeypatch):
    """The check is not vacuous: laid out without floating (each figure and table set where it
    comes, moved whole when it does not fit), a heading is stranded at the foot of page 1 and
    page 2 is left half empty before a long table."""
    from PIL import Image

    from briefgen.fonts import resolve_fonts
    from briefgen.layout import StyleSheet
    from briefgen.model import DocMeta, Document, Run
    from briefgen.writers import WriterOptions, writer_for
    from briefgen.writers.pdf import floats

    png = tmp_path / "c.png"
    Image.new("RGB", (1181, 709), (40, 90, 160)).save(png, dpi=(200, 200))

    def para(n: int) -> Paragraph:
        return Paragraph([Run("全市科技创新工作稳步推进，主要指标较快增长" * (n * 4 // 3))])

    def table(n: int, rows: int) -> Table:
        return Table(header=["项目", "数值"], rows=[[f"行{i}", str(i)] for i in range(rows)], caption="测试表",
                     number=f"表{n}", source="数据来源：某局", align=["left", "right"])

    blocks = [para(13), Heading("第一节", 1, "一、"), table(1, 4), para(5),
              Figure(image=png, caption="测试图", number="图1", source="数据来源：某局", width_cm=15, aspect=0.6),
              table(2, 16), Heading("第二节", 1, "二、"), para(3)]
    d = Document(DocMeta(title="测试", organ="某局", date="2024年1月1日", kind="plain"), blocks=blocks)
    writer = writer_for("pdf", WriterOptions(StyleSheet(), resolve_fonts(None, system=False)))
    monkeypatch.setattr(floats.FloatingDocTemplate, "filterFlowables", floats.BaseDocTemplate.filterFlowables)
    faults = page_fill_faults(d, writer.write(d, tmp_path / "t.pdf"))
    assert any("ends with the heading '一、第一节'" in f for f in faults), faults
    assert any("opens with '表2" in f for f in faults), faults
    monkeypatch.undo()  # and with floats, headings kept with them and long tables split: none
    assert page_fill_faults(d, writer.write(d, tmp_path / "t.pdf")) == []


def _plain_doc(blocks: list) -> Document:
    return Document(DocMeta(title="测试", organ="某局", date="2024年1月1日", kind="plain"), blocks=blocks)


def _filler(n: int) -> Paragraph:
    return Paragraph([Run("全市科技创新工作稳步推进，主要指标较快增长" * (n * 4 // 3))])


def _chart_png(tmp_path):
    from PIL import Image  # only these tests draw a stand-in chart

    png = tmp_path / "c.png"
    Image.new("RGB", (1181, 709), (40, 90, 160)).save(png, dpi=(200, 200))
    return png


def _pdf_writer():
    return writer_for("pdf", WriterOptions(StyleSheet(), resolve_fonts(None, system=False)))


def _page_of(pdf_path, text: str) -> int:
    with pdfplumber.open(pdf_path) as pdf:
        return next(k for k, page in enumerate(pdf.pages) if text in squash(page.extract_text() or ""))


def test_text_under_a_subheading_fills_the_page_a_float_leaves(tmp_path, monkeypatch):
    """A table that does not fit under the sentence that refers to it waits for the next page
    while the text under the next （一） heading fills this one; a level-1 heading still ends
    the float's section. Before, the page ended there half empty."""
    table = Table(header=["项目", "数值"], rows=[[f"行{i}", str(i)] for i in range(6)], caption="测试表",
                  number="表1", source="数据来源：某局", align=["left", "right"])
    d = _plain_doc([_filler(8), Heading("第一节", 1, "一、"), _filler(3), table, Heading("小节", 2, "（一）"),
                    _filler(9), Heading("第二节", 1, "二、"), _filler(3)])
    out = _pdf_writer().write(d, tmp_path / "t.pdf")
    assert page_fill_faults(d, out) == []
    fills = page_fill(out)
    assert _page_of(out, "（一）小节") == 0 and fills[0][0] > 0.9
    assert fills[1][1].startswith("表1")  # the table opens the next page
    assert _page_of(out, "二、第二节") >= 1
    monkeypatch.setattr(floats, "FLUSH_LEVEL", 2)  # (一) ends the section too: the old way
    out = _pdf_writer().write(d, tmp_path / "old.pdf")
    assert page_fill(out)[0][0] < 0.7 and _page_of(out, "（一）小节") == 1


def test_a_heading_below_floats_that_open_a_page_keeps_two_lines(tmp_path, monkeypatch):
    """Two figures wait while a （一） heading ends the page; on the next page they go first, and
    the heading is checked again below them: it moves on rather than end that page alone."""
    png = _chart_png(tmp_path)

    def fig(n: int) -> Figure:
        return Figure(image=png, caption="测试图", number=f"图{n}", source="数据来源：某局", width_cm=15, aspect=0.5)

    d = _plain_doc([_filler(18), fig(1), fig(2), Heading("小节", 2, "（一）"), _filler(5),
                    Heading("第二节", 1, "二、"), _filler(3)])
    out = _pdf_writer().write(d, tmp_path / "t.pdf")
    assert page_fill_faults(d, out) == []
    assert _page_of(out, "图2测试图") == 1 and _page_of(out, "（一）小节") == 2
    monkeypatch.setattr(flowables.ZhPara, "section_break", property(lambda s: None, lambda s, v: None))
    out = _pdf_writer().write(d, tmp_path / "old.pdf")
    assert page_fill_faults(d, out) == ["page 2 ends with the heading '（一）小节'"]


def test_source_notes_keep_company(examples):
    """A wrapped source note never leaves a single short word alone on its last line."""
    marks = OPENING_MARKS | CLOSING_MARKS | set("，。、；：")
    wrapped = 0
    for d, pdf_path in examples.values():
        notes = [squash(b.source) for b in d.blocks if isinstance(b, (Figure, Table)) and b.source]
        with pdfplumber.open(pdf_path) as pdf:
            small = [_text(ln) for page in pdf.pages for ln in _lines(page) if ln[0]["size"] == 12]
        for note in notes:
            # The consecutive small-text lines that spell the note.
            runs = [small[i:j] for i in range(len(small)) for j in range(i + 1, min(len(small), i + 6) + 1)
                    if "".join(small[i:j]) == note]
            assert runs, note
            parts = runs[0]
            if len(parts) >= 2:
                wrapped += 1
                assert len([c for c in parts[-1] if c not in marks]) >= 3, (note, parts)
    assert wrapped  # the examples do wrap notes


# --- DOCX ------------------------------------------------------------------------------

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"


@pytest.mark.parametrize("name", EXAMPLES)
def test_docx_end_block_at_the_foot_of_the_last_page(examples, name):
    """The 报尾/版记 lines sit in a text box anchored to the bottom of the text area by the
    document's last paragraph, between a rule above and a rule below."""
    d, pdf_path = examples[name]
    doc = docx.Document(str(pdf_path.with_suffix(".docx")))
    body = doc.element.body
    anchors = body.findall(".//" + WP + "anchor")
    assert len(anchors) == 1
    anchor = anchors[0]
    last_p = [el for el in body if el.tag == qn("w:p")][-1]
    assert anchor in list(last_p.iter(WP + "anchor"))  # on the page of the last paragraph
    pos_v = anchor.find(WP + "positionV")
    assert pos_v.get("relativeFrom") == "margin" and pos_v.find(WP + "align").text == "bottom"
    assert anchor.find(WP + "wrapTopAndBottom") is not None
    box = anchor.find(".//" + qn("w:txbxContent"))
    lines = [p for p in box.iter(qn("w:p"))]
    texts = ["".join(t.text for t in p.iter(qn("w:t"))) for p in lines]
    want = [t.replace("\t", "") for t, _ in d.meta.end_lines()]
    assert texts == want
    assert lines[0].find(".//" + qn("w:pBdr") + "/" + qn("w:top")) is not None
    assert lines[-1].find(".//" + qn("w:pBdr") + "/" + qn("w:bottom")) is not None
    # Nothing of it is left in the running text.
    assert not any(p.text in want for p in doc.paragraphs if p.text)
    # The box is as wide as the text block and tall enough for every line.
    ext = anchor.find(WP + "extent")
    sec = doc.sections[-1]
    assert int(ext.get("cx")) == sec.page_width - sec.left_margin - sec.right_margin
    assert int(ext.get("cy")) >= len(want) * 28.95 * 12700


@pytest.mark.parametrize("name", EXAMPLES)
def test_docx_headings_keep_with_the_float_under_them(examples, name):
    """In Word a heading right above a table or figure keeps with it: every paragraph from the
    heading to the table's first row (or to the chart's paragraph) keeps with the next, so Word
    moves them to the next page together rather than end a page with the heading."""
    d, pdf_path = examples[name]
    doc = docx.Document(str(pdf_path.with_suffix(".docx")))
    pinned = [h for h, b in zip(d.blocks, d.blocks[1:]) if isinstance(h, Heading) and isinstance(b, (Table, Figure))]
    if name == "kejiju-county-2022-09":
        assert pinned  # 一、全市主要指标 over 表1
    for h in pinned:
        chain = docx_keep_chain(doc, h.full_text)
        assert chain[-1][0] in ("table", "drawing") and all(keep for _, keep in chain), chain


def test_docx_tables_off_the_grid_and_kept_whole(examples):
    """Cell text is not snapped to the 28.95 pt grid; every row keeps with the next, the
    last one with the source note, so a table moves to the next page whole."""
    d, pdf_path = examples["yichang-2021"]
    doc = docx.Document(str(pdf_path.with_suffix(".docx")))
    for name in ("表头", "表格文字"):
        snap = doc.styles[name].element.pPr.find(qn("w:snapToGrid"))
        assert snap is not None and snap.get(qn("w:val")) == "0"
    assert doc.sections[0]._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "lines"
    table = doc.tables[0]
    for row in table.rows:
        assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in row.cells)
    caption = table._tbl.getprevious()
    while caption is not None and not "".join(caption.itertext()).startswith("表1"):
        caption = caption.getprevious()
    assert caption is not None and caption.find(".//" + qn("w:keepNext")) is not None
    assert not any(br.get(qn("w:type")) == "page" for br in doc.element.body.iter(qn("w:br")))


def _footer_text(part) -> str:
    return "".join(t.text for t in part._element.iter(qn("w:t")))


def test_docx_letterhead_keeps_its_first_page_with_our_footers_and_indent(examples, tmp_path):
    """政务信息 on the office's Word letterhead: its red header lines are kept as drawn,
    the page numbers are ours ("— 1 —", odd right, even left) and body text is indented."""
    _, pdf_path = examples["zhengwu-2022-15"]
    doc = docx.Document(str(pdf_path.with_suffix(".docx")))
    paras = doc.paragraphs
    assert [p.text for p in paras[:2]] == ["宜昌市人民政府办公室", "政 务 信 息"]
    for p in paras[:2]:
        assert p.paragraph_format.first_line_indent == 0 and p.alignment == 1  # centred, unindented
    normal = doc.styles["Normal"].element.pPr.find(qn("w:ind"))
    assert normal.get(qn("w:firstLineChars")) == "200"
    body = [p for p in paras if p.text.startswith("2021年，全市新增市场主体")]
    assert body and body[0].style.name == "Normal" and body[0].paragraph_format.first_line_indent is None
    sec = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer
    for part, align in ((sec.footer, 2), (sec.even_page_footer, 0)):
        assert _footer_text(part).replace(" ", "") == "—1—"
        assert part.paragraphs[0].alignment == align
        assert "PAGE" in part._element.xml
    assert "第" not in _footer_text(sec.footer)

    # A template may keep the letterhead's own footer.
    cfg = yaml.safe_load((ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml").read_text(encoding="utf-8"))
    cfg["style"] = {"page": {"letterhead_footer": True}}
    cfg["data"] = [{"file": str(ROOT / "seeds" / "zhengwu-2022-15" / "data" / "items.yaml")}]
    path = tmp_path / "keep.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    shutil.copytree(ROOT / "seeds" / "zhengwu-2022-15" / "templates", tmp_path / "templates")  # its macros
    build(path, tmp_path / "out", ["docx"])
    kept = docx.Document(str(tmp_path / "out" / "zhengwu-2022-15.docx"))
    assert "宜昌市人民政府办公室编" in _footer_text(kept.sections[0].footer)
