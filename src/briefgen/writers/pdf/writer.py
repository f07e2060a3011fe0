"""PDF writer: document model → reportlab, set on the GB/T 9704 grid.

Paragraphs are broken by our own Chinese line breaker (`linebreak`) and drawn
cluster by cluster, so justification spreads the slack between characters and
kinsoku rules hold; platypus still does page flow, tables and keep-with-next,
and figures and tables float (:mod:`.floats`).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    PageBreak as RLPageBreak,
)

from briefgen.charts.vector import VectorChart
from briefgen.layout import MM, Elements, Geometry, balance_title, signature_indents
from briefgen.linebreak import Span
from briefgen.model import Document, Figure, Heading, PageBreak, Paragraph, Table
from briefgen.writers import WriterOptions, chart_ready, unknown_block
from briefgen.writers.pdf.floats import Barrier, FloatBlock, FloatingDocTemplate, SectionBreak
from briefgen.writers.pdf.flowables import BottomBlock, GridTable, Rule, ZhPara
from briefgen.writers.pdf.fonts import PdfFonts
from briefgen.writers.pdf.images import PngImage, binary_streams
from briefgen.writers.pdf.vector import VectorFigure


class PdfWriter:
    """Writes a :class:`Document` as a PDF on the GB/T 9704 grid (see the module docstring)."""

    def __init__(self, options: WriterOptions):
        self.options = options
        self.style = options.style
        self.geo: Geometry = self.style.geometry
        self.chains = options.fonts
        self.fonts = PdfFonts(self.chains)
        self.unnumbered: set[int] = set()

    # -- helpers -------------------------------------------------------------
    def _para(self, text: str, key: str, *, bold: bool = False, **kw: Any) -> ZhPara:
        e = self.style.element(key)
        spans = self.fonts.spans(text, e.font, e.size, e.color, bold or e.bold)
        pitch = e.line_pitch or self.geo.line_pitch
        tracking = self._tracking(e.size)
        return ZhPara(self.fonts, spans, e, pitch, tracking=tracking, keep_next=e.keep_next, **kw)

    def _tracking(self, size: float) -> float:
        return self.style.tracking(size)

    def _runs_para(self, p: Paragraph) -> ZhPara:
        key = p.style if p.style in Elements.model_fields else "body"
        e = self.style.element(key)
        spans: list[Span] = []
        for r in p.runs:
            role = r.role or e.font
            spans += self.fonts.spans(r.text, role, e.size, e.color, r.bold or e.bold)
        if p.align:
            e = e.model_copy(update={"align": p.align})
        return ZhPara(self.fonts, spans, e, e.line_pitch or self.geo.line_pitch, tracking=self._tracking(e.size))

    # -- page furniture ------------------------------------------------------
    def _page_number(self, canvas: Any, doc: Any) -> None:
        n = canvas.getPageNumber()
        if n in self.unnumbered:
            return
        e = self.style.element("page_number")
        size = e.size
        text = f"— {n} —"
        spans = self.fonts.spans(text, e.font, size, e.color)
        width = sum(self.fonts.measure(s.text, s.style) for s in spans)
        g = self.geo
        # 7 mm below the 版心 to the top of the digits; odd right, even left, 空一字.
        y = g.bottom - g.footer_gap - size * 0.88
        x = g.width - g.right - size - width if n % 2 == 1 else g.left + size
        canvas.saveState()
        for s in spans:
            canvas.setFont(self.fonts.name(s.style), size)
            canvas.setFillColor(colors.HexColor(e.color))
            canvas.drawString(x, y, s.text)
            x += self.fonts.measure(s.text, s.style)
        canvas.restoreState()

    # -- blocks ----------------------------------------------------------------
    def _masthead(self, d: Document) -> list[Flowable]:
        m = d.meta
        out: list[Flowable] = []
        red = self.style.colors["red"]
        pitch = self.geo.line_pitch
        if m.classification:
            out.append(self._para(m.classification, "classification"))
        if m.kind == "jianbao":
            e = self.style.element("masthead")
            text = m.masthead
            size = min(e.size, self.geo.text_width / max(1, len(text)) * 0.85)
            mh = ZhPara(self.fonts, self.fonts.spans(text, e.font, size, e.color), e.model_copy(update={"size": size}),
                        size * 1.5, space_before=pitch)
            out.append(mh)
            out.append(self._para(m.issue_line, "issue_no"))
            out.append(self._organ_line(m.organ, m.date))
            out.append(Rule(red, 2.0, 0, pitch * 0.6))
        elif m.kind == "gongwen":
            e = self.style.element("masthead")
            text = m.masthead
            size = min(e.size, self.geo.text_width / max(1, len(text)) * 0.9)
            out.append(Spacer(1, 35 * MM))
            out.append(ZhPara(self.fonts, self.fonts.spans(text, e.font, size, e.color),
                              e.model_copy(update={"size": size}), size * 1.3))
            out.append(Spacer(1, pitch * 2))
            if m.signer:
                e = self.style.element("doc_no")
                size = e.size
                left = ZhPara(self.fonts, self.fonts.spans(m.doc_no, e.font, size, e.color),
                              e.model_copy(update={"align": "left"}),
                              pitch, first_indent=0, left_indent=size)
                right = ZhPara(self.fonts, self.fonts.spans("签发人：", e.font, size, e.color)
                               + self.fonts.spans(m.signer, "heading2", size, e.color),
                               e.model_copy(update={"align": "right"}), pitch, first_indent=0, right_indent=size)
                out.append(self._two_cols(left, right))
            else:
                out.append(self._para(m.doc_no, "doc_no"))
            out.append(Rule(red, 1.0, 4 * MM, pitch))
        return out

    def _organ_line(self, left: str, right: str) -> Flowable:
        e = self.style.element("organ_line")
        lp = ZhPara(self.fonts, self.fonts.spans(left, e.font, e.size, e.color), e.model_copy(update={"align": "left"}),
                    self.geo.line_pitch, first_indent=0)
        rp = ZhPara(self.fonts, self.fonts.spans(right, e.font, e.size, e.color),
                    e.model_copy(update={"align": "right"}),
                    self.geo.line_pitch, first_indent=0)
        return self._two_cols(lp, rp)

    def _two_cols(self, lp: Flowable, rp: Flowable) -> Flowable:
        t = GridTable([[lp, rp]], colWidths=[self.geo.text_width / 2] * 2)
        t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        return t

    def _title(self, d: Document) -> list[Flowable]:
        m = d.meta
        out: list[Flowable] = []
        size = self.style.element("title").size
        for line in balance_title(m.title, self.geo.text_width / size):
            out.append(self._para(line, "title", first_indent=0))
        if m.subtitle:
            out.append(self._para(m.subtitle, "subtitle", first_indent=0))
        out.append(Spacer(1, self.geo.line_pitch))
        if m.recipients:
            out.append(self._para(m.recipients_line, "recipients"))
        return out

    def _cell(self, text: str, key: str, align: str, scale: float = 1.0) -> ZhPara:
        e = self.style.element(key)
        e = e.model_copy(update={"align": align, "indent": 0, "size": e.size * scale})
        spans = self.fonts.spans(text, e.font, e.size, e.color)
        return ZhPara(self.fonts, spans, e, e.size * 1.45, first_indent=0)

    def _table(self, t: Table) -> list[Flowable]:
        cap = self._para(t.caption_line, "caption", first_indent=0)
        cap.keepWithNext = False
        # A wide table set smaller (see briefgen.tables): head and cells alike.
        scale = t.size / self.style.element("table_cell").size if t.size else 1.0
        data = [[self._cell(h, "table_head", "center", scale) for h in t.header]]
        for row in t.rows:
            data.append([self._cell(v, "table_cell", t.align[j] if j < len(t.align) else "left", scale)
                         for j, v in enumerate(row)])
        widths = t.col_widths or [1.0] * len(t.header)
        total = sum(widths)
        col_w = [self.geo.text_width * w / total for w in widths]
        table = GridTable(data, colWidths=col_w, repeatRows=1)
        # "续表1" above each part carried over; made now so its characters are registered.
        cont = self._para(t.continued_line, "caption", first_indent=0)
        table.continued = lambda: copy.copy(cont)
        ts = self.style.table
        extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ts.header_fill))] if ts.header_fill else []
        table.setStyle(TableStyle(extra + [
            ("GRID", (0, 0), (-1, -1), float(ts.border), colors.HexColor(ts.border_color)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        parts: list[Flowable] = [cap]
        if t.unit_note:
            parts.append(self._para(t.unit_note, "table_note", first_indent=0))
        parts.append(table)
        if t.source:
            parts.append(self._para(t.source, "table_note", first_indent=0))
        # Floats like a figure; a table taller than a page (or a long one at the end of its
        # section) is set in place and splits, header row repeated, starting here only if
        # its caption, head and first rows fit.
        return [FloatBlock(parts, self.geo.line_pitch, lead=[CondPageBreak(self.geo.line_pitch * 4.5)],
                           rows=len(t.rows))]

    def _figure_image(self, f: Figure, width: float) -> Flowable:
        """The chart itself, `width` wide: vector graphics with its text in the document's
        fonts (``chart.mode: native``, when drawn), else the PNG."""
        chart_ready(self.options, f.vector if self.style.chart.mode == "native" and f.vector else f.image)
        if self.style.chart.mode == "native" and f.vector is not None:
            return VectorFigure(VectorChart.load(f.vector), width, self.fonts)
        return PngImage(f.image, width=width, height=width * f.aspect)

    def _figure(self, f: Figure) -> list[Flowable]:
        w = min(self.geo.text_width, f.width_cm * 10 * MM)
        parts: list[Flowable] = [self._figure_image(f, w), self._para(f.caption_line, "caption", first_indent=0)]
        if f.source:
            parts.append(self._para(f.source, "figure_note", first_indent=0))
        return [FloatBlock(parts, self.geo.line_pitch)]

    def _closing(self, d: Document, lead: Flowable | None = None) -> list[Flowable]:
        m = d.meta
        out: list[Flowable] = []
        if lead is not None and (m.attachments or m.kind != "gongwen"):
            out.append(lead)
            lead = None
        if m.attachments:
            out.append(Spacer(1, self.geo.line_pitch))
            out += [self._para(line, "attachment") for line in m.attachment_lines()]
        if m.kind == "gongwen":
            sig_ind, date_ind = signature_indents(m.signature, m.date)
            size = self.style.element("signature").size
            sig = ([lead] if lead is not None else []) + [Spacer(1, self.geo.line_pitch),
                   self._para(m.signature, "signature", first_indent=0, right_indent=sig_ind * size),
                   self._para(m.date, "date", first_indent=0, right_indent=date_ind * size)]
            if m.postscript:
                sig.append(self._para(m.postscript_line, "postscript"))
            out.append(KeepTogether(sig))
        out += self._end_block(d)
        return out

    def _end_block(self, d: Document) -> list[Flowable]:
        m = d.meta
        size = self.style.element("distribution").size
        rows: list[Flowable] = []
        for text, align in m.end_lines():
            if align == "split":
                left_text, right_text = text.split("\t", 1)
                left = self._para(left_text, "distribution", first_indent=0)
                right = self._para(right_text, "distribution", first_indent=0)
                right.e = right.e.model_copy(update={"align": "right"})
                t = GridTable([[left, right]], colWidths=[self.geo.text_width / 2 - size] * 2)
                t.setStyle(TableStyle([(k, (0, 0), (-1, -1), 0) for k in
                                       ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]))
                t.hAlign = "CENTER"
                rows.append(t)
            else:
                p = self._para(text, "distribution", first_indent=0, left_indent=size, right_indent=size)
                p.e = p.e.model_copy(update={"align": align})
                rows.append(p)
        if not rows:
            return []
        parts: list[Flowable] = [Rule("#000000", 1.0, 0, 2)]
        for i, r in enumerate(rows):
            parts.append(r)
            if m.kind == "gongwen" and i < len(rows) - 1:
                parts.append(Rule("#000000", 0.7, 1, 1))
        parts.append(Rule("#000000", 1.0, 2, 0))
        return [BottomBlock(parts, self.unnumbered if m.kind == "gongwen" else None)]

    # -- body blocks -------------------------------------------------------------
    def _heading(self, h: Heading, following: int) -> list[Flowable]:
        # A heading (and any headings right under it) needs two lines of text below it.
        para = self._para(h.full_text, f"heading{min(h.level, 4)}")
        para.keepWithNext = False
        brk = SectionBreak(self.geo.line_pitch * (following + 2), h.level)
        para.section_break = brk  # checked again when floats open the page above the heading
        return [brk, para]

    def _body(self, d: Document) -> list[Flowable]:
        story: list[Flowable] = []
        blocks = d.blocks
        for i, b in enumerate(blocks):
            if isinstance(b, Heading):
                chain = 1
                while i + chain < len(blocks) and isinstance(blocks[i + chain], Heading):
                    chain += 1
                story += self._heading(b, chain)
            elif isinstance(b, Paragraph):
                story.append(self._runs_para(b))
            elif isinstance(b, Table):
                story += self._table(b)
            elif isinstance(b, Figure):
                story += self._figure(b)
            elif isinstance(b, PageBreak):
                story.append(RLPageBreak())
            else:
                raise unknown_block(self, b)
        return story

    # -- document ----------------------------------------------------------------
    def write(self, d: Document, out: Path) -> Path:
        """Write `d` to `out` (a PDF) and return `out`."""
        g = self.geo
        self.fonts = PdfFonts(self.chains)
        self.unnumbered = set()
        # Page numbers are drawn while pages are laid out: their glyphs must be known now.
        pn = self.style.element("page_number")
        self.fonts.spans("— 0123456789 —", pn.font, pn.size, pn.color)
        story: list[Flowable] = [*self._masthead(d), *self._title(d), *self._body(d)]
        lead = None
        last = d.blocks[-1] if d.blocks else None
        if isinstance(last, Paragraph) and last.keep_with_next:
            # Kept with what follows (the 署名 block, see the builder).
            lead = story.pop()
        story.append(Barrier())  # floats still waiting go before the closing
        story += self._closing(d, lead)
        frame = Frame(g.left, g.bottom, g.text_width, g.text_height, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body")
        doc = FloatingDocTemplate(
            str(out), pagesize=(g.width, g.height), leftMargin=g.left, rightMargin=g.right,
            topMargin=g.top, bottomMargin=g.bottom, title=d.meta.title, author=d.meta.organ,
            subject=d.meta.masthead or d.meta.title, creator="briefgen", lang="zh-CN",
            pageTemplates=[PageTemplate(id="page", frames=[frame], onPageEnd=self._page_number)],
        )
        self.fonts.register()
        # Start the canvas in one of our fonts so no unembedded Helvetica is referenced.
        doc.initialFontName = next(iter(self.fonts.names.values()))
        with binary_streams():
            doc.build(story)
        return out
