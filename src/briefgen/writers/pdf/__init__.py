"""The PDF writer (reportlab): our own Chinese line breaker on the GB/T 9704 grid."""

from typing import Any

from briefgen.writers.pdf.fonts import reportlab_font
from briefgen.writers.pdf.writer import PdfWriter

__all__ = ["PdfWriter", "prepare"]


def prepare(options: Any) -> None:
    """Parse the TrueType faces the roles start with (reportlab registers each once per process):
    done while the charts are being drawn elsewhere. Registering a face writes nothing into a PDF."""
    for chain in options.fonts.values():
        face = getattr(chain, "primary", None)
        if face is not None and not face.is_cff:
            try:
                reportlab_font(face)
            except Exception:  # noqa: BLE001 - the writer reports a bad font when it uses it
                pass
