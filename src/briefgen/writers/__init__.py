"""Writers: each turns the neutral :class:`~briefgen.model.Document` into one file format.

A writer is a folder of its own (``writers/docx/``, ``writers/pdf/``) holding every
detail of its format, and one line in :data:`REGISTRY`. Writers are imported only
when a format is asked for, so a DOCX-only build never loads reportlab.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Protocol

from briefgen.errors import BriefgenError

if TYPE_CHECKING:
    from briefgen.layout import StyleSheet
    from briefgen.model import Document

# format → "module:class"; the order is the default output order.
REGISTRY: dict[str, str] = {
    "docx": "briefgen.writers.docx:DocxWriter",
    "pdf": "briefgen.writers.pdf:PdfWriter",
}
FORMATS: tuple[str, ...] = tuple(REGISTRY)


@dataclass
class WriterOptions:
    """What every writer may use besides the document: the style sheet, the fonts
    resolved per role (:func:`briefgen.fonts.resolve_fonts`), and a Word letterhead.

    ``chart_ready``, when given, is called with a chart file's path before a writer reads it:
    the charts may still be being drawn in another process, and the writer sets the text
    before each chart meanwhile (see :mod:`briefgen.charts.helper`)."""

    style: "StyleSheet"
    fonts: dict[str, Any] = field(default_factory=dict)
    reference_docx: Path | None = None
    chart_ready: Callable[[Path], None] | None = None


def chart_ready(options: WriterOptions, *paths: Path | None) -> None:
    """Wait, if the pipeline asks for it, until the chart files `paths` are drawn."""
    if options.chart_ready is not None:
        for p in paths:
            if p is not None:
                options.chart_ready(p)


class Writer(Protocol):
    """Writes a document to `out` in one format and returns the path written."""

    def __init__(self, options: WriterOptions) -> None: ...

    def write(self, doc: "Document", out: Path) -> Path:
        """Write `doc` to `out` and return `out`."""
        ...


def parse_formats(text: str | None) -> list[str]:
    """"docx,pdf" → ["docx", "pdf"]; empty → every format; unknown names are an error."""
    if not text:
        return list(FORMATS)
    fmts = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in fmts if f not in REGISTRY]
    if bad:
        raise BriefgenError(f"不支持的输出格式：{'、'.join(bad)}（支持：{'、'.join(FORMATS)}）")
    return fmts


def writer_for(fmt: str, options: WriterOptions) -> Writer:
    """A new writer for format `fmt` (imported on first use)."""
    try:
        target = REGISTRY[fmt]
    except KeyError:
        raise BriefgenError(f"不支持的输出格式：{fmt}（支持：{'、'.join(FORMATS)}）") from None
    module, _, name = target.partition(":")
    cls = getattr(importlib.import_module(module), name)
    writer: Writer = cls(options)
    return writer


def prepare(fmt: str, options: WriterOptions) -> None:
    """Let the writer of `fmt` load what its first document needs (fonts, templates), if it has
    such a step: the pipeline calls it while charts are drawn in another process."""
    module = importlib.import_module(REGISTRY[fmt].partition(":")[0])
    step = getattr(module, "prepare", None)
    if step is not None:
        step(options)


def unknown_block(writer: object, block: object) -> TypeError:
    """The error a writer raises for a block type it does not know (a programming error)."""
    return TypeError(f"{type(writer).__name__} 不支持文档块类型 {type(block).__name__}")
