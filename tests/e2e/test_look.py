"""The official look on a bare machine, read back from the PDFs of all four examples.

Built with ``BRIEFGEN_NO_SYSTEM_FONTS=1`` (only the fonts shipped with briefgen):
one typeface per role, no unembedded font objects, metadata, spacing of justified
lines (widest gap between two characters), how full each page is, and source notes.
"""

from __future__ import annotations

import os
import re

import pdfplumber
import pytest
from pypdf import PdfReader

from briefgen.layout import MM
from briefgen.linebreak import CLOSING_MARKS, OPENING_MARKS
from briefgen.model import Figure, Heading, Paragraph, Table
from briefgen.pipeline import build
from support import ROOT, squash

EXAMPLES = ["yichang-2021", "yichang-2021-report", "tongji-2022-06", "zhengwu-2022-15"]
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
            result = build(ROOT / "seeds" / name / "briefing.yaml", out / name, ["pdf"])
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


def page_fill(pdf_path) -> list[tuple[float, str]]:
    """Per page: the share of the 版心 height used, and the first line of body-size text."""
    out = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            ys = [c["bottom"] for c in page.chars if c["bottom"] <= BOTTOM + 2]
            ys += [im["bottom"] for im in page.images]
            ys += [r["bottom"] for r in page.rects + page.lines if r["bottom"] <= BOTTOM + 2]
            fill = (max(ys) - TOP) / (BOTTOM - TOP) if ys else 0.0
            body = [ln for ln in _lines(page) if ln[0]["size"] == 16 and TOP - 2 <= ln[0]["top"] <= BOTTOM]
            out.append((fill, _text(body[0]) if body else ""))
    return out


@pytest.mark.parametrize("name", EXAMPLES)
def test_no_page_ends_a_third_empty(examples, name):
    """Figures and tables float: a page ends more than a third empty only where a section,
    a page break or the text ends (the next body-size line on the next page is a heading)."""
    d, pdf_path = examples[name]
    headings = [squash(b.full_text) for b in d.blocks if isinstance(b, Heading)]
    pages = page_fill(pdf_path)
    for k, (fill, _) in enumerate(pages[:-1]):
        if fill >= 2 / 3:
            continue
        following = next((first for _, first in pages[k + 1:] if first), "")
        ends_text = all(not first or not any(first in t for t in _justified_texts(d)) for _, first in pages[k + 1:])
        assert ends_text or any(h.startswith(following[:6]) for h in headings), (k + 1, fill, following)


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
