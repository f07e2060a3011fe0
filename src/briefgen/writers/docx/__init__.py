"""The DOCX writer (python-docx): named styles, the 版头/报头 and 版记/报尾, native tables."""

from briefgen.writers.docx.writer import DocxWriter

__all__ = ["DocxWriter"]
