"""The PDF writer (reportlab): our own Chinese line breaker on the GB/T 9704 grid."""

from briefgen.writers.pdf.writer import PdfWriter

__all__ = ["PdfWriter"]
