"""The DOCX writer (python-docx): named styles, the 版头/报头 and 版记/报尾, native tables."""

from typing import Any

from briefgen.writers.docx.writer import DocxWriter

__all__ = ["DocxWriter", "prepare"]


def prepare(options: Any) -> None:
    """Load now what the first document would load on its way (python-docx's template, and
    python-pptx for native charts): done while the charts are being drawn elsewhere."""
    from docx import Document  # already loaded with the writer: no cost to import here

    Document()
    if options.style.chart.mode == "native":
        import pptx.chart.xlsx  # noqa: F401  # local: python-pptx only for documents with native charts
