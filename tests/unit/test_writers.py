"""The writer registry and the writers' contract: every block type known, unknown ones refused."""

from dataclasses import dataclass

import pytest

from briefgen.errors import BriefgenError
from briefgen.layout import StyleSheet
from briefgen.model import DocMeta, Document, Paragraph, Run
from briefgen.writers import FORMATS, REGISTRY, WriterOptions, parse_formats, writer_for


@dataclass
class Mystery:
    """A block type no writer knows."""

    text: str = "?"


def test_formats_come_from_the_registry():
    assert FORMATS == tuple(REGISTRY) == ("docx", "pdf")
    assert parse_formats("PDF, docx") == ["pdf", "docx"]
    assert parse_formats("") == ["docx", "pdf"]
    with pytest.raises(BriefgenError, match="不支持的输出格式：odt"):
        parse_formats("odt")


@pytest.mark.parametrize("fmt", FORMATS)
def test_unknown_block_is_an_error_not_skipped(fmt, tmp_path):
    from briefgen.fonts import resolve_fonts

    doc = Document(DocMeta(title="标题", organ="某局", date="2024年1月1日"),
                   blocks=[Paragraph([Run("正文。")]), Mystery()])  # type: ignore[list-item]
    writer = writer_for(fmt, WriterOptions(StyleSheet(), resolve_fonts(None, system=False)))
    with pytest.raises(TypeError, match="Mystery"):
        writer.write(doc, tmp_path / f"x.{fmt}")
