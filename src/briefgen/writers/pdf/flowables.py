"""reportlab flowables for Chinese text on the GB/T 9704 grid: paragraphs broken by our own
line breaker, rules, and the block pinned to the foot of the last page (报尾 / 版记).

Each follows platypus' contract: ``wrap`` says how much room it needs, ``split``
divides it across pages, ``draw`` paints it on ``self.canv``.
"""

from __future__ import annotations

from typing import Callable

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import Flowable
from reportlab.platypus import Table as RLTable

from briefgen.layout import ElementStyle
from briefgen.linebreak import Line, Span, break_paragraph
from briefgen.writers.pdf.fonts import PdfFonts

#: The widest space justification may leave between two characters, in ems (tracking included).
MAX_GAP_EM = 0.24


def _runs(items: list, tracking: float):
    """Merge evenly spaced single characters of one style into one text run.

    A justified line spreads its slack as equal gaps, so a run of characters is
    exactly one drawString with charSpace = tracking + gap: a tenth of the PDF
    operators of drawing each character alone, same positions.
    """
    run: list = []
    gap = 0.0

    def flush():
        if run:
            yield run[0].x, "".join(i.text for i in run), run[0].style, tracking + (gap if len(run) > 1 else 0.0)

    for item in items:
        if not item.text.strip():
            yield from flush()
            run, gap = [], 0.0
            continue
        if run and len(item.text) == 1 and len(run[-1].text) == 1 and item.style == run[-1].style:
            prev = run[-1]
            g = item.x - (prev.x + prev.width + tracking)
            if len(run) == 1 or abs(g - gap) < 0.005:
                gap = g
                run.append(item)
                continue
        yield from flush()
        run, gap = [item], 0.0
        if len(item.text) > 1:  # a Latin word keeps its own (tracking-only) spacing
            yield from flush()
            run = []
    yield from flush()


class ZhPara(Flowable):
    """A paragraph broken into grid lines; splits between lines across pages."""

    #: For a heading: the conditional break before it (see :mod:`.floats`).
    section_break: Flowable | None = None

    def __init__(self, fonts: PdfFonts, spans: list[Span], e: ElementStyle, pitch: float, *,
                 tracking: float = 0.0, lines: list[Line] | None = None, keep_next: bool = False,
                 space_before: float = 0.0, first_indent: float | None = None, right_indent: float = 0.0,
                 left_indent: float = 0.0):
        super().__init__()
        self.fonts = fonts
        self.spans = spans
        self.e = e
        self.pitch = pitch
        self.tracking = tracking
        self.lines = lines
        self.keepWithNext = keep_next
        self.space_before = space_before
        # An indent of n characters is n grid cells: size plus tracking each.
        self.first_indent = (e.size + tracking) * e.indent if first_indent is None else first_indent
        self.right_indent = right_indent
        self.left_indent = left_indent
        self._width = 0.0

    def _break(self, width: float) -> list[Line]:
        if self.lines is not None and abs(width - self._width) < 0.01:
            return self.lines
        inner = width - self.right_indent - self.left_indent
        lines = break_paragraph(
            self.spans, inner, self.fonts.measure, first_indent=self.first_indent, tracking=self.tracking,
            justify=self.e.align == "justify", blanks=self.fonts.blanks,
            # No gap between characters wider than a quarter em (tracking included).
            max_stretch=MAX_GAP_EM * self.e.size - self.tracking,
        )
        self.lines, self._width = lines, width
        return lines

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """Break into lines for width `aw`; the height is whole grid lines."""
        lines = self._break(aw)
        self.width = aw
        self.height = self.space_before + max(1, len(lines)) * self.pitch
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Split between lines to fill height `ah`, never leaving one line alone."""
        lines = self._break(aw)
        fit = int((ah - self.space_before + 1e-6) // self.pitch)
        if fit <= 0 or fit >= len(lines):
            return []
        # No single line left alone at the top of the next page, nor at the bottom of this one.
        if len(lines) - fit == 1:
            fit -= 1
        if fit < 2 and len(lines) > 2:
            return []
        if fit <= 0:
            return []
        head = ZhPara(self.fonts, self.spans, self.e, self.pitch, tracking=self.tracking, lines=lines[:fit],
                      space_before=self.space_before, first_indent=self.first_indent,
                      right_indent=self.right_indent, left_indent=self.left_indent)
        tail = ZhPara(self.fonts, self.spans, self.e, self.pitch, tracking=self.tracking, lines=lines[fit:],
                      keep_next=self.keepWithNext, first_indent=0, right_indent=self.right_indent,
                      left_indent=self.left_indent)
        head._width = tail._width = aw
        return [head, tail]

    def draw(self) -> None:
        """Draw each line's runs at their positions."""
        c = self.canv
        size = self.e.size
        align = self.e.align
        top = self.height - self.space_before
        for i, line in enumerate(self.lines or []):
            # Centre the glyphs' em box vertically in the line pitch.
            baseline = top - i * self.pitch - (self.pitch - size) / 2 - size * 0.88
            shift = self.left_indent
            if align in ("center", "right"):
                used = line.natural
                slack = (self.width - self.left_indent - self.right_indent) - used
                shift += slack / 2 if align == "center" else slack
            for x, text, style, space in _runs(line.items, self.tracking):
                face, fsize, color, bold = style
                font = self.fonts.name(style)
                c.setFillColor(colors.HexColor(color))
                if bold:
                    c.setStrokeColor(colors.HexColor(color))
                    c.setLineWidth(fsize * 0.03)
                for dx, part in _subset_parts(c, font, fsize, text, space):
                    if bold:
                        # CJK fonts rarely have a bold face: fake it with a thin stroke.
                        t = c.beginText(shift + x + dx, baseline)
                        t.setFont(font, fsize)
                        t.setCharSpace(space)
                        t.setTextRenderMode(2)
                        t.textOut(part)
                        c.drawText(t)
                    else:
                        c.setFont(font, fsize)
                        c.drawString(shift + x + dx, baseline, part, charSpace=space)


def _subset_parts(canv, font: str, size: float, text: str, space: float) -> list[tuple[float, str]]:
    """`text` cut where reportlab switches to another 256-glyph subset of the font, with each
    part's offset: one text object per part, so that every reader positions the characters
    alike (pdfminer/pdfplumber drop the character spacing after the last glyph of a string)."""
    rl_font = pdfmetrics.getFont(font)
    if not getattr(rl_font, "_dynamicFont", False) or len(text) < 2:
        return [(0.0, text)]
    out: list[tuple[float, str]] = []
    pos = 0
    dx = 0.0
    for _, chunk in rl_font.splitString(text, canv._doc):
        part = text[pos:pos + len(chunk)]
        out.append((dx, part))
        dx += rl_font.stringWidth(part, size) + space * len(part)
        pos += len(chunk)
    if pos < len(text):  # never expected: splitString maps one character to one byte
        out.append((dx, text[pos:]))
    return out


class GridTable(RLTable):
    """A reportlab table of flowable cells that never names reportlab's default font.

    Its cells hold :class:`ZhPara` flowables, so the cell font is never used; but
    reportlab selects it anyway (Helvetica unless told), which would leave an
    unembedded font object in the PDF. Cells take the canvas's current font, one
    of the document's own embedded faces.
    """

    #: Makes the line drawn above every part carried over to a later page ("续表1").
    continued: Callable[[], Flowable] | None = None

    def split(self, aw: float, ah: float) -> list[Flowable]:
        """Split between rows as reportlab does; the carried-over part gets its "续表" line."""
        parts = super().split(aw, ah)
        if len(parts) == 2 and self.continued is not None:
            head, tail = parts
            tail.continued = self.continued
            line = self.continued()
            line.keepWithNext = True  # never alone at the foot of a page
            return [head, line, tail]
        return parts

    def draw(self) -> None:
        """Point every cell style at the canvas's font, then draw as usual."""
        font = self.canv._fontname
        for row in self._cellStyles:
            for cell_style in row:
                cell_style.fontname = font
        super().draw()


class Rule(Flowable):
    """A horizontal rule across the text block (red separator, 版记 lines)."""

    def __init__(self, color: str, thickness: float, space_before: float = 0.0, space_after: float = 0.0):
        super().__init__()
        self.color, self.thickness = color, thickness
        self.space_before, self.space_after = space_before, space_after

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """The rule's width and its height with the spaces around it."""
        self.width = aw
        return aw, self.space_before + self.thickness + self.space_after

    def draw(self) -> None:
        """Draw the line."""
        c = self.canv
        c.setStrokeColor(colors.HexColor(self.color))
        c.setLineWidth(self.thickness)
        y = self.space_after + self.thickness / 2
        c.line(0, y, self.width, y)


class BottomBlock(Flowable):
    """Flowables pinned to the bottom of the current page's 版心 (报尾 / 版记).

    `alone_pages` collects the page numbers where the block is the only content,
    which GB/T 9704 §7.5 leaves without a page number.
    """

    def __init__(self, parts: list[Flowable], alone_pages: set[int] | None = None):
        super().__init__()
        self.parts = parts
        self.alone_pages = alone_pages
        self._alone = False
        self._sizes: list[tuple[float, float]] = []

    def _content_height(self, aw: float) -> float:
        self._sizes = [p.wrap(aw, 10_000) for p in self.parts]
        return sum(h for _, h in self._sizes)

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """Take the rest of the page so the content sits on its bottom edge."""
        h = self._content_height(aw)
        self.width = aw
        frame = getattr(self, "_frame", None)
        self._alone = bool(frame is not None and getattr(frame, "_atTop", False))
        # Take the rest of the page so the block lands on its bottom edge.
        self.height = max(h, ah) if h <= ah else h
        return aw, self.height

    def draw(self) -> None:
        """Draw the parts from the bottom up."""
        if self._alone and self.alone_pages is not None:
            self.alone_pages.add(self.canv.getPageNumber())
        y = self._content_height(self.width)
        for p, (_, h) in zip(self.parts, self._sizes):
            y -= h
            p.drawOn(self.canv, 0, y)
