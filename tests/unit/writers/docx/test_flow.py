"""Page flow in the DOCX as far as Word's own flow goes: a heading (or a chain of headings) right
above a table or figure keeps with it, so Word never ends a page with the heading alone."""

from __future__ import annotations

import docx
import pytest
from PIL import Image

from briefgen.fonts import resolve_fonts
from briefgen.layout import StyleSheet
from briefgen.model import DocMeta, Document, Figure, Heading, Paragraph, Run, Table
from briefgen.writers import WriterOptions, writer_for
from support import docx_keep_chain


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    out = tmp_path_factory.mktemp("flow")
    png = out / "c.png"
    Image.new("RGB", (600, 360), (40, 90, 160)).save(png, dpi=(200, 200))
    blocks = [
        Paragraph([Run("正文。" * 40)]),
        Heading("主要指标", 1, "一、"),
        Table(header=["项目", "数值"], rows=[["甲", "1"], ["乙", "2"]], caption="测试表", number="表1",
              source="数据来源：某局", align=["left", "right"]),
        Heading("各县市区", 1, "二、"),
        Heading("增速排位", 2, "（一）"),
        Figure(image=png, caption="测试图", number="图1", source="数据来源：某局", width_cm=15, aspect=0.6),
        Paragraph([Run("正文。" * 10)]),
    ]
    d = Document(DocMeta(title="测试", organ="某局", date="2024年1月1日", kind="plain"), blocks=blocks)
    writer = writer_for("docx", WriterOptions(StyleSheet(), resolve_fonts(None, system=False)))
    return docx.Document(str(writer.write(d, out / "f.docx")))


def test_a_heading_keeps_with_the_table_under_it(written):
    chain = docx_keep_chain(written, "一、主要指标")
    assert [t.replace(" ", "") for t, _ in chain] == ["一、主要指标", "表1测试表", "table"]
    assert all(keep for _, keep in chain), chain


def test_a_chain_of_headings_keeps_with_the_figure_under_it(written):
    chain = docx_keep_chain(written, "二、各县市区")
    assert [t for t, _ in chain[:2]] == ["二、各县市区", "（一）增速排位"] and chain[-1][0] == "drawing"
    assert all(keep for _, keep in chain), chain


def test_text_after_a_float_does_not_keep_with_it(written):
    """Only the way down to the float keeps: the paragraph after it flows freely."""
    last = written.paragraphs[-1]
    assert last.text.startswith("正文") and not last.paragraph_format.keep_with_next
