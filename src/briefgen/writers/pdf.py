"""PDF writer: document model → reportlab, set on the GB/T 9704 grid.

Paragraphs are broken by our own Chinese line breaker (`linebreak`) and drawn
cluster by cluster, so justification spreads the slack between characters and
kinsoku rules hold; platypus still does page flow, tables and keep-with-next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.platypus import (
    BaseDocTemplate, CondPageBreak, Flowable, Frame, KeepTogether, PageBreak as RLPageBreak,
    PageTemplate, Spacer, Table as RLTable, TableStyle,
)

from briefgen import fonts as fontmod
from briefgen.layout import MM, Geometry, balance_title, element, geometry, signature_indents
from briefgen.linebreak import Line, Span, break_paragraph
from briefgen.model import Document, Figure, Heading, PageBreak, Paragraph, Table
from briefgen.writers.pdfimage import PngImage, binary_streams
from briefgen.safety import clean_text, make_pdf_text_extractable


# Face → reportlab font name for the document being built. Filled by
# PdfFonts.register() once the whole story is known, read when measuring/drawing.
_NAMES: dict[Any, str] = {}


class PdfFonts:
    """Role → font chain; records every character each face must draw.

    CFF faces are converted to a TrueType subset of exactly the characters used,
    so registration waits until the whole story has been built.
    """

    def __init__(self, chains: dict[str, Any]):
        self.chains = chains
        self.used: dict[Any, set[str]] = {}

    def chain(self, role: str) -> Any:
        return self.chains.get(role) or self.chains["body"]

    def spans(self, text: str, role: str, size: float, color: str, bold: bool = False) -> list[Span]:
        """Split text by the face that has each character (per-character fallback)."""
        out = []
        # Same text as the DOCX: control characters are dropped, never drawn as boxes.
        for part, face in self.chain(role).split(clean_text(text)):
            if part:
                self.used.setdefault(face, set()).update(part)
                out.append(Span(part, (face, size, color, bold)))
        return out

    def register(self) -> None:
        _NAMES.clear()
        for face, chars in self.used.items():
            _NAMES[face] = fontmod.reportlab_font(face, "".join(sorted(chars)))
            # Characters no font has (emoji) still copy and search as themselves.
            make_pdf_text_extractable(_NAMES[face], "".join(chars))


def _measure(text: str, style: tuple) -> float:
    return pdfmetrics.stringWidth(text, _NAMES[style[0]], style[1])


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

    def __init__(self, spans: list[Span], e: dict[str, Any], pitch: float, *, tracking: float = 0.0,
                 lines: list[Line] | None = None, keep_next: bool = False, space_before: float = 0.0,
                 first_indent: float | None = None, right_indent: float = 0.0, left_indent: float = 0.0):
        super().__init__()
        self.spans = spans
        self.e = e
        self.pitch = pitch
        self.tracking = tracking
        self.lines = lines
        self.keepWithNext = keep_next
        self.space_before = space_before
        # An indent of n characters is n grid cells: size plus tracking each.
        self.first_indent = (e["size"] + tracking) * e.get("indent", 0) if first_indent is None else first_indent
        self.right_indent = right_indent
        self.left_indent = left_indent
        self._width = 0.0

    def _break(self, width: float) -> list[Line]:
        if self.lines is not None and abs(width - self._width) < 0.01:
            return self.lines
        inner = width - self.right_indent - self.left_indent
        lines = break_paragraph(
            self.spans, inner, _measure, first_indent=self.first_indent, tracking=self.tracking,
            justify=self.e.get("align", "justify") == "justify",
        )
        self.lines, self._width = lines, width
        return lines

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        lines = self._break(aw)
        self.width = aw
        self.height = self.space_before + max(1, len(lines)) * self.pitch
        return aw, self.height

    def split(self, aw: float, ah: float) -> list[Flowable]:
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
        head = ZhPara(self.spans, self.e, self.pitch, tracking=self.tracking, lines=lines[:fit],
                      space_before=self.space_before, first_indent=self.first_indent,
                      right_indent=self.right_indent, left_indent=self.left_indent)
        tail = ZhPara(self.spans, self.e, self.pitch, tracking=self.tracking, lines=lines[fit:],
                      keep_next=self.keepWithNext, first_indent=0, right_indent=self.right_indent,
                      left_indent=self.left_indent)
        head._width = tail._width = aw
        return [head, tail]

    def draw(self) -> None:
        c = self.canv
        size = self.e["size"]
        align = self.e.get("align", "justify")
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
                font = _NAMES[face]
                c.setFillColor(colors.HexColor(color))
                if bold:
                    # CJK fonts rarely have a bold face: fake it with a thin stroke.
                    t = c.beginText(shift + x, baseline)
                    t.setFont(font, fsize)
                    t.setCharSpace(space)
                    t.setTextRenderMode(2)
                    c.setStrokeColor(colors.HexColor(color))
                    c.setLineWidth(fsize * 0.03)
                    t.textOut(text)
                    c.drawText(t)
                else:
                    c.setFont(font, fsize)
                    c.drawString(shift + x, baseline, text, charSpace=space)


class Rule(Flowable):
    """A horizontal rule across the text block (red separator, 版记 lines)."""

    def __init__(self, color: str, thickness: float, space_before: float = 0.0, space_after: float = 0.0):
        super().__init__()
        self.color, self.thickness = color, thickness
        self.space_before, self.space_after = space_before, space_after

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        self.width = aw
        return aw, self.space_before + self.thickness + self.space_after

    def draw(self) -> None:
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
        h = self._content_height(aw)
        self.width = aw
        frame = getattr(self, "_frame", None)
        self._alone = bool(frame is not None and getattr(frame, "_atTop", False))
        # Take the rest of the page so the block lands on its bottom edge.
        self.height = max(h, ah) if h <= ah else h
        return aw, self.height

    def draw(self) -> None:
        if self._alone and self.alone_pages is not None:
            self.alone_pages.add(self.canv.getPageNumber())
        y = self._content_height(self.width)
        for p, (_, h) in zip(self.parts, self._sizes):
            y -= h
            p.drawOn(self.canv, 0, y)


class PdfWriter:
    def __init__(self, style: dict[str, Any], chains: dict[str, Any]):
        self.style = style
        self.geo: Geometry = geometry(style)
        self.chains = chains

    # -- helpers -------------------------------------------------------------
    def _para(self, text: str, key: str, *, bold: bool = False, **kw: Any) -> ZhPara:
        e = element(self.style, key)
        spans = self.fonts.spans(text, e["font"], e["size"], e["color"], bold or e.get("bold", False))
        pitch = e.get("line_pitch", self.geo.line_pitch)
        tracking = self._tracking(e["size"])
        return ZhPara(spans, e, pitch, tracking=tracking, keep_next=bool(e.get("keep_next")), **kw)

    def _tracking(self, size: float) -> float:
        """Tighten 3号 text so exactly `chars` characters fill a line (448 pt > 442.2 pt)."""
        body = element(self.style, "body")["size"]
        if abs(size - body) > 0.01:
            return 0.0
        return (self.geo.text_width - self.geo.chars * body) / self.geo.chars

    def _runs_para(self, p: Paragraph) -> ZhPara:
        key = p.style if p.style in self.style["elements"] else "body"
        e = element(self.style, key)
        spans: list[Span] = []
        for r in p.runs:
            role = r.role or e["font"]
            spans += self.fonts.spans(r.text, role, e["size"], e["color"], r.bold or e.get("bold", False))
        if p.align:
            e = {**e, "align": p.align}
        return ZhPara(spans, e, e.get("line_pitch", self.geo.line_pitch), tracking=self._tracking(e["size"]))

    # -- page furniture ------------------------------------------------------
    def _page_number(self, canvas: Any, doc: Any) -> None:
        n = canvas.getPageNumber()
        if n in self.unnumbered:
            return
        e = element(self.style, "page_number")
        size = e["size"]
        text = f"— {n} —"
        spans = self.fonts.spans(text, e["font"], size, e["color"])
        width = sum(_measure(s.text, s.style) for s in spans)
        g = self.geo
        # 7 mm below the 版心 to the top of the digits; odd right, even left, 空一字.
        y = g.bottom - g.footer_gap - size * 0.88
        x = g.width - g.right - size - width if n % 2 == 1 else g.left + size
        canvas.saveState()
        for s in spans:
            canvas.setFont(_NAMES[s.style[0]], size)
            canvas.setFillColor(colors.HexColor(e["color"]))
            canvas.drawString(x, y, s.text)
            x += _measure(s.text, s.style)
        canvas.restoreState()

    # -- blocks ----------------------------------------------------------------
    def _masthead(self, d: Document) -> list[Flowable]:
        m = d.meta
        out: list[Flowable] = []
        red = self.style["colors"]["red"]
        pitch = self.geo.line_pitch
        if m.classification:
            out.append(self._para(m.classification, "classification"))
        if m.kind == "jianbao":
            e = element(self.style, "masthead")
            text = m.masthead or "工作简报"
            size = min(e["size"], self.geo.text_width / max(1, len(text)) * 0.85)
            mh = ZhPara(self.fonts.spans(text, e["font"], size, e["color"]), {**e, "size": size},
                        size * 1.5, space_before=pitch)
            out.append(mh)
            out.append(self._para(m.issue_line, "issue_no"))
            out.append(self._organ_line(m.organ, m.date))
            out.append(Rule(red, 2.0, 0, pitch * 0.6))
        elif m.kind == "gongwen":
            e = element(self.style, "masthead")
            text = m.masthead or f"{m.organ}文件"
            size = min(e["size"], self.geo.text_width / max(1, len(text)) * 0.9)
            out.append(Spacer(1, 35 * MM))
            out.append(ZhPara(self.fonts.spans(text, e["font"], size, e["color"]), {**e, "size": size}, size * 1.3))
            out.append(Spacer(1, pitch * 2))
            if m.signer:
                e = element(self.style, "doc_no")
                size = e["size"]
                left = ZhPara(self.fonts.spans(m.doc_no, e["font"], size, e["color"]), {**e, "align": "left"},
                              pitch, first_indent=0, left_indent=size)
                right = ZhPara(self.fonts.spans("签发人：", e["font"], size, e["color"])
                               + self.fonts.spans(m.signer, "heading2", size, e["color"]),
                               {**e, "align": "right"}, pitch, first_indent=0, right_indent=size)
                out.append(self._two_cols(left, right))
            else:
                out.append(self._para(m.doc_no, "doc_no"))
            out.append(Rule(red, 1.0, 4 * MM, pitch))
        return out

    def _organ_line(self, left: str, right: str) -> Flowable:
        e = element(self.style, "organ_line")
        lp = ZhPara(self.fonts.spans(left, e["font"], e["size"], e["color"]), {**e, "align": "left"},
                    self.geo.line_pitch, first_indent=0)
        rp = ZhPara(self.fonts.spans(right, e["font"], e["size"], e["color"]), {**e, "align": "right"},
                    self.geo.line_pitch, first_indent=0)
        return self._two_cols(lp, rp)

    def _two_cols(self, lp: Flowable, rp: Flowable) -> Flowable:
        t = RLTable([[lp, rp]], colWidths=[self.geo.text_width / 2] * 2)
        t.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
        return t

    def _title(self, d: Document) -> list[Flowable]:
        m = d.meta
        out: list[Flowable] = []
        size = element(self.style, "title")["size"]
        for line in balance_title(m.title, self.geo.text_width / size):
            out.append(self._para(line, "title", first_indent=0))
        if m.subtitle:
            out.append(self._para(m.subtitle, "subtitle", first_indent=0))
        out.append(Spacer(1, self.geo.line_pitch))
        if m.recipients:
            out.append(self._para(m.recipients_line, "recipients"))
        return out

    def _cell(self, text: str, key: str, align: str) -> ZhPara:
        e = {**element(self.style, key), "align": align, "indent": 0}
        spans = self.fonts.spans(text, e["font"], e["size"], e["color"])
        return ZhPara(spans, e, e["size"] * 1.45, first_indent=0)

    def _table(self, t: Table) -> list[Flowable]:
        cap = self._para(f"{t.number}  {t.caption}".strip(), "caption", first_indent=0)
        # The table may split across pages (header row repeated); only its caption,
        # head and first rows must stay together, so no KeepTogether around it all.
        cap.keepWithNext = False
        data = [[self._cell(h, "table_head", "center") for h in t.header]]
        for row in t.rows:
            data.append([self._cell(v, "table_cell", t.align[j] if j < len(t.align) else "left")
                         for j, v in enumerate(row)])
        widths = t.col_widths or [1.0] * len(t.header)
        total = sum(widths)
        col_w = [self.geo.text_width * w / total for w in widths]
        table = RLTable(data, colWidths=col_w, repeatRows=1)
        ts = self.style.get("table") or {}
        extra = [("BACKGROUND", (0, 0), (-1, 0), colors.HexColor(ts["header_fill"]))] if ts.get("header_fill") else []
        table.setStyle(TableStyle(extra + [
            ("GRID", (0, 0), (-1, -1), float(ts.get("border", 0.6)), colors.HexColor(ts.get("border_color", "#000000"))),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4), ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        out: list[Flowable] = [CondPageBreak(self.geo.line_pitch * 4.5), cap]
        if t.unit_note:
            out.append(self._para(t.unit_note, "table_note", first_indent=0))
        out.append(table)
        if t.source:
            out.append(self._para(t.source, "table_note", first_indent=0))
        out.append(Spacer(1, self.geo.line_pitch * 0.5))
        return out

    def _figure(self, f: Figure) -> list[Flowable]:
        w = min(self.geo.text_width, f.width_cm * 10 * MM)
        img = PngImage(f.image, width=w, height=w * f.aspect)
        parts: list[Flowable] = [img, self._para(f"{f.number}  {f.caption}".strip(), "caption", first_indent=0)]
        if f.source:
            parts.append(self._para(f.source, "figure_note", first_indent=0))
        parts.append(Spacer(1, self.geo.line_pitch * 0.3))
        return [KeepTogether(parts)]

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
            size = element(self.style, "signature")["size"]
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
        size = element(self.style, "distribution")["size"]
        rows: list[Flowable] = []
        for text, align in m.end_lines():
            if align == "split":
                left_text, right_text = text.split("\t", 1)
                left = self._para(left_text, "distribution", first_indent=0)
                right = self._para(right_text, "distribution", first_indent=0)
                right.e = {**right.e, "align": "right"}
                t = RLTable([[left, right]], colWidths=[self.geo.text_width / 2 - size] * 2)
                t.setStyle(TableStyle([(k, (0, 0), (-1, -1), 0) for k in
                                       ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")]))
                t.hAlign = "CENTER"
                rows.append(t)
            else:
                p = self._para(text, "distribution", first_indent=0, left_indent=size, right_indent=size)
                p.e = {**p.e, "align": align}
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

    # -- document ----------------------------------------------------------------
    def write(self, d: Document, out: Path) -> Path:
        g = self.geo
        self.fonts = PdfFonts(self.chains)
        # Page numbers are drawn while pages are laid out: their glyphs must be known now.
        pn = element(self.style, "page_number")
        self.fonts.spans("— 0123456789 —", pn["font"], pn["size"], pn["color"])
        self.unnumbered: set[int] = set()
        story: list[Flowable] = []
        story += self._masthead(d)
        story += self._title(d)
        for i, b in enumerate(d.blocks):
            if isinstance(b, Heading):
                key = f"heading{min(b.level, 4)}"
                # A heading (and any headings right under it) needs two lines of text below it.
                chain = 1
                while i + chain < len(d.blocks) and isinstance(d.blocks[i + chain], Heading):
                    chain += 1
                story.append(CondPageBreak(g.line_pitch * (chain + 2)))
                para = self._para(b.full_text, key)
                para.keepWithNext = False
                story.append(para)
            elif isinstance(b, Paragraph):
                story.append(self._runs_para(b))
            elif isinstance(b, Table):
                story += self._table(b)
            elif isinstance(b, Figure):
                story += self._figure(b)
            elif isinstance(b, PageBreak):
                story.append(RLPageBreak())
        lead = None
        if d.meta.kind == "gongwen" and story and isinstance(story[-1], ZhPara):
            # No page may hold only the 署名 and date: the last body paragraph goes with them.
            lead = story.pop()
        story += self._closing(d, lead)
        frame = Frame(g.left, g.bottom, g.text_width, g.text_height, leftPadding=0, rightPadding=0,
                      topPadding=0, bottomPadding=0, id="body")
        doc = BaseDocTemplate(
            str(out), pagesize=(g.width, g.height), leftMargin=g.left, rightMargin=g.right,
            topMargin=g.top, bottomMargin=g.bottom, title=d.meta.title, author=d.meta.organ,
            subject=d.meta.masthead or d.meta.title, creator="briefgen", lang="zh-CN",
            pageTemplates=[PageTemplate(id="page", frames=[frame], onPageEnd=self._page_number)],
        )
        self.fonts.register()
        # Start the canvas in one of our fonts so no unembedded Helvetica is referenced.
        doc.initialFontName = next(iter(_NAMES.values()))
        with binary_streams():
            doc.build(story)
        return out
