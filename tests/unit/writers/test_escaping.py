"""Any Unicode text goes through both writers and comes back out the same.

Random text — XML specials, quotes, CJK, emoji, characters no font has,
control characters — is put into a paragraph, a heading and a table cell of
the document model, written as DOCX and PDF and read back with python-docx and
pdfplumber. What comes out equals what went in, after whitespace is ignored
(PDF extraction has no spaces, only positions) and after the characters no
document format can hold (control characters, U+FFFE/U+FFFF) are dropped.

Left out of the random alphabet, with the reason:
* combining marks and format characters (zero-width joiner, BOM, bidi
  controls): they have no advance width, so pdfplumber cannot tell their order
  from position and may swap them with a neighbour; they are written fine.
* surrogates, unassigned code points: not text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.layout import resolve_style
from briefgen.model import DocMeta, Document, Heading, Paragraph, Run, Table
from briefgen.safety import clean_text
from briefgen.writers import WriterOptions

L, R = "«左»", "«右»"  # markers around the random text

pieces = st.one_of(
    st.characters(categories=("L", "N", "P", "S", "Zs")),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),  # CJK
    st.sampled_from(list("<>&\"'“”‘’—…、。，；：\t\n\r") + ["&amp;", "<w:t>", "]]>", "\\", "%", "{{"]),
    st.sampled_from(["😀", "👍🏻", "🇨🇳", "𠀾", "𪚥", "\U0010fffd", "\ue000"]),  # astral, private use
    st.sampled_from(["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff"]),
)
texts = st.lists(pieces, min_size=1, max_size=40).map("".join)


def squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def style():
    return resolve_style()


@pytest.fixture(scope="module")
def chains():
    from briefgen.fonts import resolve_fonts

    # Only the font pip installs: the same on every machine, and fast.
    return resolve_fonts(None, system=False)


def _doc(text: str) -> Document:
    wrapped = f"{L}{text}{R}"
    return Document(
        meta=DocMeta(title="转义测试", organ="", date="", kind="plain"),
        blocks=[
            Paragraph([Run(L), Run(text, bold=True), Run(R)]),
            Heading(wrapped, 1, "一、"),
            Table(header=["项目", "内容"], rows=[["文本", wrapped]]),
        ],
    )


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    import pdfplumber

    # Characters in drawing order: layout heuristics play no part.
    with pdfplumber.open(str(path)) as pdf:
        return "".join(c["text"] for page in pdf.pages for c in page.chars)


SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=texts)
def test_random_text_round_trips_through_docx(tmp_path, style, text):
    from briefgen.writers.docx import DocxWriter

    out = tmp_path / "t.docx"
    DocxWriter(WriterOptions(style)).write(_doc(text), out)
    got = squash(_docx_text(out))
    want = squash(f"{L}{clean_text(text)}{R}")
    assert got.count(want) == 3, (want, got)


@SETTINGS
@given(text=texts)
def test_random_text_round_trips_through_pdf(tmp_path, style, chains, text):
    from briefgen.writers.pdf import PdfWriter

    out = tmp_path / "t.pdf"
    PdfWriter(WriterOptions(style, chains)).write(_doc(text), out)
    got = squash(_pdf_text(out))
    want = squash(f"{L}{clean_text(text)}{R}")
    assert got.count(want) == 3, (want, got)


def test_characters_without_a_glyph_keep_their_text_in_the_pdf(tmp_path, style, chains):
    """Emoji and CJK Extension B have no glyph in the bundled font: drawn as a box, extracted as themselves."""
    from briefgen.writers.pdf import PdfWriter

    body = chains["body"]
    text = "表情😀👍🇨🇳生僻字𠀾𪚥"
    assert not all(f.has_char("😀") for f in body.faces)  # really a character without a glyph
    out = tmp_path / "e.pdf"
    PdfWriter(WriterOptions(style, chains)).write(_doc(text), out)
    assert squash(_pdf_text(out)).count(f"{L}{text}{R}") == 3


def test_control_characters_are_dropped_identically(tmp_path, style, chains):
    from briefgen.writers.docx import DocxWriter
    from briefgen.writers.pdf import PdfWriter

    text = "甲\x00乙\x07丙\x0b丁\x1f戊\x7f己\x85庚\ufffe辛"
    DocxWriter(WriterOptions(style)).write(_doc(text), tmp_path / "c.docx")
    PdfWriter(WriterOptions(style, chains)).write(_doc(text), tmp_path / "c.pdf")
    assert f"{L}甲乙丙丁戊己庚辛{R}" in squash(_docx_text(tmp_path / "c.docx"))
    assert f"{L}甲乙丙丁戊己庚辛{R}" in squash(_pdf_text(tmp_path / "c.pdf"))


def test_overlong_title_fits_docx_properties(tmp_path, style):
    from briefgen.writers.docx import DocxWriter

    doc = _doc("x")
    doc.meta.title = "很长的标题" * 100
    DocxWriter(WriterOptions(style)).write(doc, tmp_path / "t.docx")
    import docx

    assert len(docx.Document(str(tmp_path / "t.docx")).core_properties.title) == 255
