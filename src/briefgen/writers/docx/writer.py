"""DOCX writer: document model → python-docx, with named styles Word and WPS understand.

Everything is set through named paragraph styles (a user restyles the whole
document in Word by editing 正文 or 一级标题), and every font names all four
scripts because python-docx's `font.name` sets only the Latin ones.
"""

from __future__ import annotations

import copy
import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from briefgen.errors import BriefgenError
from briefgen.layout import MM, balance_title, hex_rgb, signature_indents
from briefgen.model import Document, Figure, Heading, PageBreak, Paragraph, Table
from briefgen.safety import clean_text
from briefgen.writers import WriterOptions, chart_ready, unknown_block
from briefgen.writers.docx.charts import CHART_ROLE, add_chart
from briefgen.writers.docx.oxml import (
    add_border,
    bottom_text_box,
    no_grid_snap,
    page_field,
    put,
    set_fonts,
    source_date,
)
from briefgen.writers.docx.styles import ALIGN, STYLE_NAMES, DocxStyles

_P = qn("w:p")
_RUN_TEXT = f"{qn('w:r')}/{qn('w:t')}"
_BREAKS = re.compile(r"[\t\r\n]")  # python-docx turns these into <w:tab/> and <w:br/>


def _has_story(part: Any) -> bool:
    """Whether a header or footer shows anything (text, a field or a drawing)."""
    if part.is_linked_to_previous:
        return False
    xml = part._element.xml
    return any(p.text.strip() for p in part.paragraphs) or any(k in xml for k in ("fldChar", "fldSimple", "drawing"))


def _clear_story(part: Any) -> None:
    """Empty a header or footer."""
    for child in list(part._element):
        part._element.remove(child)


def _open_reference(path: Path) -> Any:
    """A .docx as is; a .dotx re-labelled as a document (python-docx refuses templates)."""
    if path.suffix.lower() != ".dotx":
        return str(path)

    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.template.main+xml", b"wordprocessingml.document.main+xml")
            zout.writestr(item, data)
    buf.seek(0)
    return buf


_STYLE_IDS: dict[tuple, dict[str, str | None]] = {}


def _styles_key(base: Path | None) -> tuple:
    if base is None:
        return ()
    try:
        st = os.stat(base)
    except OSError:
        return (str(base),)
    return (os.path.realpath(base), st.st_size, st.st_mtime_ns, st.st_ino)


class DocxWriter:
    """Writes a :class:`Document` as a .docx laid out after GB/T 9704 (see the module docstring)."""

    def __init__(self, options: WriterOptions):
        self.options = options
        self.style = options.style
        self.geo = self.style.geometry
        self.base = options.reference_docx
        self.styles = DocxStyles(self.style, self.base)

    def _font_name(self, role: str) -> str:
        return self.styles.font_name(role)

    # -- footers -------------------------------------------------------------
    def _page_number_footer(self, footer: Any, align: str) -> None:
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.style = footer.part.document.styles["页码"] if hasattr(footer.part, "document") else para.style
        para.alignment = ALIGN[align]
        pf = para.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        size = self.style.element("page_number").size
        # 空一字: one character of the page-number size from the edge.
        if align == "right":
            pf.right_indent = Pt(size)
        else:
            pf.left_indent = Pt(size)
        pf.first_line_indent = Pt(0)
        self._run(para, "— ", "song", size)
        run = para.add_run()
        page_field(run._r)
        self._font_run(run, "song", size)
        self._run(para, " —", "song", size)

    def _footers(self, doc: Any) -> None:
        """"— 1 —" page numbers, odd pages right and even pages left (GB/T 9704 §7.5).

        A Word letterhead keeps its own first page (a different first-page header and
        footer, if it has one) and its headers; its running footer is replaced by ours
        unless the template keeps it (``style.page.letterhead_footer``).
        """
        sec = doc.sections[-1]
        if self.base is not None:
            if self.style.page.letterhead_footer and _has_story(sec.footer):
                return  # the template keeps the letterhead's own footer / page numbers
            sec.footer.is_linked_to_previous = False
            _clear_story(sec.footer)
            header = sec.header
            if _has_story(header) and not _has_story(sec.even_page_header):
                if "r:id" in header._element.xml or "r:embed" in header._element.xml:
                    # A header with pictures cannot be copied to the even pages: one footer,
                    # page numbers on the right.
                    self._page_number_footer(sec.footer, "right")
                    return
                for child in header._element:
                    sec.even_page_header._element.append(copy.deepcopy(child))
        doc.settings.odd_and_even_pages_header_footer = True
        self._page_number_footer(sec.footer, "right")
        self._page_number_footer(sec.even_page_footer, "left")

    # -- content ---------------------------------------------------------------
    def _font_run(self, run: Any, role: str, size: float, color: str | None = None, bold: bool = False) -> None:
        run.font.size = Pt(size)
        if bold:
            run.font.bold = True
        if color:
            run.font.color.rgb = RGBColor(*hex_rgb(color))
        set_fonts(run._r, self._font_name(role), self.style.font_names.latin)

    def _run(self, para: Any, text: str, role: str | None = None, size: float | None = None,
             bold: bool = False, color: str | None = None) -> Any:
        # XML cannot hold control characters: python-docx would raise on them.
        run = para.add_run(clean_text(text))
        if role:
            self._font_run(run, role, size or 16, color, bold)
        else:
            if bold:
                run.font.bold = True
            # Punctuation such as “” … — needs the East Asian hint even in styled runs.
            rpr = run._r.get_or_add_rPr()
            rf = OxmlElement("w:rFonts")
            rf.set(qn("w:hint"), "eastAsia")
            rpr.insert(0, rf)
        return run

    def _set_style(self, para: Any, name: str) -> None:
        """`para.style = name`, with the style id looked up once per document: python-docx
        scans every style (twice) on each assignment, which dominated table-heavy writes."""
        cache = self.__dict__.setdefault("_style_ids", {})
        if name not in cache:
            cache[name] = para.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH)
        para._p.style = cache[name]

    def _para(self, doc: Any, key: str, text: str = "", **kw: Any) -> Any:
        para = doc.add_paragraph()
        self._set_style(para, STYLE_NAMES[key][0])
        if text:
            self._run(para, text, **kw)
        return para

    def _rule(self, para: Any, color: str, size_eighths: int = 12, where: str = "bottom") -> None:
        add_border(para._p.get_or_add_pPr(), color, size_eighths, where)

    @staticmethod
    def _text_width(doc: Any) -> Emu:
        sec = doc.sections[-1]
        return Emu(sec.page_width - sec.left_margin - sec.right_margin)

    def _masthead(self, doc: Any, d: Document, letterhead: bool = False) -> None:
        """报头 / 版头. Under a Word letterhead (its own fixed 红头) only the
        variable lines — 期号, 编发单位 and date, the red rule — are added."""
        m = d.meta
        red = self.style.colors["red"]
        if m.classification:
            self._para(doc, "classification", m.classification)
        if m.kind == "jianbao":
            if not letterhead:
                mh = self._para(doc, "masthead", m.masthead)
                mh.paragraph_format.space_before = Pt(self.geo.line_pitch)
                mh.paragraph_format.line_spacing = Pt(self.style.element("masthead").size * 1.4)
            self._para(doc, "issue_no", m.issue_line)
            line = self._para(doc, "organ_line")
            line.paragraph_format.tab_stops.add_tab_stop(self._text_width(doc), WD_TAB_ALIGNMENT.RIGHT)
            self._run(line, m.organ)
            self._run(line, "\t" + m.date)
            self._rule(line, red, 18)
            self._para(doc, "body")
        elif m.kind == "gongwen" and not letterhead:
            mh = self._para(doc, "masthead", m.masthead)
            # 发文机关标志 top edge 35 mm below the 版心 top.
            mh.paragraph_format.space_before = Mm(35) - Pt(self.style.element("masthead").size * 0.2)
            mh.paragraph_format.line_spacing = Pt(self.style.element("masthead").size * 1.2)
            self._para(doc, "body")
            self._para(doc, "body")
            if m.signer:
                # 上行文: 发文字号 left and 签发人 right, each one character in.
                size = self.style.element("doc_no").size
                dn = self._para(doc, "doc_no")
                dn.alignment = WD_ALIGN_PARAGRAPH.LEFT
                dn.paragraph_format.left_indent = Pt(size)
                dn.paragraph_format.tab_stops.add_tab_stop(
                    Emu(int((self.geo.text_width - 2 * size) * 12700)), WD_TAB_ALIGNMENT.RIGHT)
                self._run(dn, m.doc_no + "\t签发人：")
                self._run(dn, m.signer, "heading2", size)
            else:
                dn = self._para(doc, "doc_no", m.doc_no)
            self._rule(dn, red, 12)
            self._para(doc, "body")

    def _title(self, doc: Any, d: Document) -> None:
        m = d.meta
        size = self.style.element("title").size
        for line in balance_title(m.title, self.geo.text_width / size):
            self._para(doc, "title", line)
        if m.subtitle:
            self._para(doc, "subtitle", m.subtitle)
        if m.kind == "gongwen" or m.recipients:
            self._para(doc, "body")
        if m.recipients:
            self._para(doc, "recipients", m.recipients_line)
        elif m.kind != "gongwen":
            self._para(doc, "body")

    def _heading(self, doc: Any, h: Heading) -> None:
        key = f"heading{min(h.level, 4)}"
        para = self._para(doc, key)
        self._run(para, h.full_text)

    def _paragraph(self, doc: Any, p: Paragraph) -> None:
        key = p.style if p.style in STYLE_NAMES else "body"
        para = self._para(doc, key)
        if p.align:
            para.alignment = ALIGN[p.align]
        if p.keep_with_next:
            para.paragraph_format.keep_with_next = True
        for r in p.runs:
            if r.role:
                self._run(para, r.text, r.role, self.style.element(key).size, bold=r.bold)
            else:
                self._run(para, r.text, bold=r.bold)

    def _table(self, doc: Any, t: Table) -> None:
        cap = self._para(doc, "caption", t.caption_line)
        cap.paragraph_format.keep_with_next = True
        if t.unit_note:
            un = self._para(doc, "table_note", t.unit_note)
            un.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            un.paragraph_format.keep_with_next = True
        table = doc.add_table(rows=1 + len(t.rows), cols=len(t.header))
        table.style = doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        widths = t.col_widths or [1.0] * len(t.header)
        total = sum(widths)
        table.autofit = False
        # Both tblGrid and every tcW: Word reads one, LibreOffice the other.
        grid_cols = table._tbl.tblGrid.findall(qn("w:gridCol"))
        col_widths = [Emu(int(self.geo.text_width * 12700 * w / total)) for w in widths]
        for j, width in enumerate(col_widths):
            grid_cols[j].set(qn("w:w"), str(int(width.pt * 20)))
        # The rows fetched once: python-docx's `table.rows[i]` builds the list of all rows on every call,
        # and `table.columns[j].cells` the whole grid on every call.
        doc_rows = list(table.rows)
        for r in doc_rows:
            for cell, width in zip(r.cells, col_widths):
                cell.width = width
        # Repeat the header row on every page the table crosses.
        trpr = doc_rows[0]._tr.get_or_add_trPr()
        th = OxmlElement("w:tblHeader")
        th.set(qn("w:val"), "true")
        put(trpr, th)
        ts = self.style.table
        # Cells fetched a row at a time: table.cell() rebuilds the whole grid on every call.
        head_cells = doc_rows[0].cells
        # A wide table set smaller (see briefgen.tables): head and cells alike.
        scale = t.size / self.style.element("table_cell").size if t.size else 1.0
        head_size = self.style.element("table_head").size * scale if t.size else None
        cell_size = t.size
        for j, text in enumerate(t.header):
            self._cell(head_cells[j], text, "table_head", "center", keep_next=bool(t.rows) or bool(t.source),
                       size=head_size)
            if ts.header_fill:
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), ts.header_fill.lstrip("#").upper())
                put(head_cells[j]._tc.get_or_add_tcPr(), shd)
        for i, row in enumerate(t.rows, start=1):
            cant = OxmlElement("w:cantSplit")
            put(doc_rows[i]._tr.get_or_add_trPr(), cant)
            cells = doc_rows[i].cells
            # Every row keeps with the next (the last with the source note): Word then moves
            # a table that does not fit to the next page whole, with its caption; one longer
            # than a page still breaks between rows, header repeated.
            keep = i < len(t.rows) or bool(t.source)
            for j, text in enumerate(row):
                align = t.align[j] if j < len(t.align) else "left"
                self._cell(cells[j], text, "table_cell", align, keep_next=keep, size=cell_size)
        if t.source:
            self._para(doc, "table_note", t.source)
        self._para(doc, "body")

    def _cell(self, cell: Any, text: str, key: str, align: str, keep_next: bool = False,
              size: float | None = None) -> None:
        text = clean_text(text)
        look = (key, align, keep_next, size)
        plain = bool(text) and text.strip() == text and not _BREAKS.search(text)
        proto = self._cell_protos.get(look) if plain else None
        if proto is not None:
            # A copy of the first cell of this look with its text replaced: the same XML as
            # setting style, alignment and spacing again, in a fraction of the time.
            p = copy.deepcopy(proto)
            p.find(_RUN_TEXT).text = text
            tc = cell._tc
            tc.replace(tc.find(_P), p)
            cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
            return
        para = cell.paragraphs[0]
        self._set_style(para, STYLE_NAMES[key][0])
        para.alignment = ALIGN[align]
        pf = para.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.space_before = Pt(3)
        para.paragraph_format.space_after = Pt(3)
        if keep_next:
            pf.keep_with_next = True
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        run = self._run(para, text)
        if size is not None:
            run.font.size = Pt(size)
        if plain:
            self._cell_protos.setdefault(look, copy.deepcopy(para._p))

    def _figure_drawing(self, doc: Any, para: Any, f: Figure, width: float) -> None:
        """The chart in `para`, `width` pt wide: with ``chart.mode: native`` a Word chart
        holding its data (编辑数据), the PNG as its fallback picture; else the PNG."""
        emu = int(width * 12700)
        look = self.style.chart
        chart_ready(self.options, f.image)
        if look.mode == "native" and f.spec is not None:
            fallback = f.image if look.fallback and f.image.is_file() else None
            # Digits and Latin letters in the chart's own 黑体 too, as the drawn chart sets them.
            font = self._font_name(CHART_ROLE)
            add_chart(doc, para, f.spec, width_emu=emu, height_emu=int(emu * f.aspect),
                      east_asia_font=font, latin_font=font, fallback_png=fallback)
            return
        para.add_run().add_picture(str(f.image), width=Emu(emu))

    def _figure(self, doc: Any, f: Figure) -> None:
        para = doc.add_paragraph(style="Normal")
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        pf = para.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        pf.keep_with_next = True
        ppr = para._p.get_or_add_pPr()
        ind = ppr.find(qn("w:ind"))
        if ind is not None:
            ind.set(qn("w:firstLineChars"), "0")
            ind.set(qn("w:firstLine"), "0")
        no_grid_snap(ppr)
        width = min(self.geo.text_width, f.width_cm * 10 * MM)
        self._figure_drawing(doc, para, f, width)
        # Picture, caption and note stay together; Word moves them to the next page as one.
        cap = self._para(doc, "caption", f.caption_line)
        if f.source:
            cap.paragraph_format.keep_with_next = True
            self._para(doc, "figure_note", f.source)

    def _page_break(self, doc: Any, b: PageBreak) -> None:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def _closing(self, doc: Any, d: Document) -> None:
        m = d.meta
        if m.attachments:
            self._para(doc, "body")
            for line in m.attachment_lines():
                self._para(doc, "attachment", line)
        if m.kind == "gongwen":
            self._para(doc, "body").paragraph_format.keep_with_next = True
            sig_ind, date_ind = signature_indents(m.signature, m.date)
            size = self.style.element("signature").size
            for key, text, ind in (("signature", m.signature, sig_ind), ("date", m.date, date_ind)):
                para = self._para(doc, key, text)
                para.paragraph_format.right_indent = Pt(ind * size)
                para.paragraph_format.keep_with_next = key == "signature"
            if m.postscript:
                self._para(doc, "postscript", m.postscript_line)
            self._end_block(doc, d)
        elif m.kind == "jianbao":
            self._end_block(doc, d)

    def _end_block(self, doc: Any, d: Document) -> None:
        """报尾 / 版记 between rules, pinned to the foot of the last page (GB/T 9704 §7.4).

        The ruled lines sit in a borderless text box anchored to the bottom of the text
        area by an empty paragraph at the very end: Word, WPS and LibreOffice place it at
        the foot of the page holding that paragraph, and move it (with its anchor) to a
        new page when the text leaves no room for it.
        """
        lines = d.meta.end_lines()
        if not lines:
            return
        size = self.style.element("distribution").size
        pitch = self.geo.line_pitch
        paras = []
        for i, (text, align) in enumerate(lines):
            para = self._para(doc, "distribution")
            pf = para.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.left_indent = Pt(size)
            pf.right_indent = Pt(size)
            pf.line_spacing = Pt(pitch)
            no_grid_snap(para._p.get_or_add_pPr())
            if align == "right":
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            elif align == "split":
                pf.tab_stops.add_tab_stop(Emu(self._text_width(doc) - Pt(2 * size)), WD_TAB_ALIGNMENT.RIGHT)
            self._run(para, text)
            if i == 0:
                self._rule(para, "#000000", 8, "top")
            if i == len(lines) - 1:
                self._rule(para, "#000000", 8, "bottom")
            elif d.meta.kind == "gongwen":
                self._rule(para, "#000000", 4, "bottom")
            paras.append(para)
        # Lines on the exact pitch, plus room for the rules and their spacing.
        height = Pt(len(lines) * pitch + 3 * (len(lines) + 1) + 4)
        ids = [int(v) for v in doc.element.body.xpath(".//wp:docPr/@id") if str(v).isdigit()]
        run, content = bottom_text_box(max(ids, default=0) + 1, int(self._text_width(doc)), int(height),
                                       STYLE_NAMES["distribution"][0])
        anchor = doc.add_paragraph()
        apf = anchor.paragraph_format
        apf.first_line_indent = Pt(0)
        apf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        apf.line_spacing = Pt(1)  # the anchor itself takes (almost) no room
        no_grid_snap(anchor._p.get_or_add_pPr())
        anchor._p.append(run)
        for para in paras:
            content.append(para._p)  # moved out of the body into the box

    @staticmethod
    def _has_body(doc: Any) -> bool:
        """True when the letterhead already carries content (its own 红头) in the body."""
        body = doc.element.body
        return any(p.text.strip() for p in doc.paragraphs) or body.find(qn("w:tbl")) is not None \
            or bool(body.xpath(".//w:drawing"))

    def write(self, d: Document, out: Path) -> Path:
        """Write `d` to `out` (a .docx) and return `out`."""
        if self.base is not None:
            try:
                doc = new_docx(_open_reference(self.base))
            except Exception as e:  # noqa: BLE001 - python-docx raises several kinds for a bad file
                raise BriefgenError(f"无法打开 Word 信笺文件：{e}", where=str(self.base),
                                    hint="应为 .docx 或 .dotx 文件") from None
        else:
            doc = new_docx()
        # Style ids belong to the styles part: the same for every document made from python-docx's
        # template (ours are named from their names), else per letterhead file as it is now.
        self._style_ids = _STYLE_IDS.setdefault(_styles_key(self.base), {})
        self._cell_protos: dict[tuple[str, str, bool, float | None], Any] = {}  # finished cell paragraphs, by look
        self.styles.setup(doc)
        for name, sid in self.styles.style_ids.items():  # known with a prepared styles part
            self._style_ids.setdefault(name, sid)
        self._footers(doc)
        self._masthead(doc, d, letterhead=self._has_body(doc))
        self._title(doc, d)
        handlers = {Heading: self._heading, Paragraph: self._paragraph, Table: self._table,
                    Figure: self._figure, PageBreak: self._page_break}
        for b in d.blocks:
            handler = handlers.get(type(b))
            if handler is None:
                raise unknown_block(self, b)
            handler(doc, b)  # type: ignore[operator]
        self._closing(doc, d)
        core = doc.core_properties
        # Core properties are limited to 255 characters.
        core.title = clean_text(d.meta.title)[:255]
        core.author = clean_text(d.meta.organ)[:255]
        core.subject = clean_text(d.meta.masthead or d.meta.title)[:255]
        core.language = "zh-CN"
        doc.save(str(out))
        stamp = source_date()
        if stamp is not None:
            _restamp(out, stamp)
        return out


def _restamp(path: Path, stamp: tuple[int, int, int, int, int, int]) -> None:
    """Give every member of the zip at `path` the same time (python-docx stamps them with now)."""
    with zipfile.ZipFile(path) as zin:
        members = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in members:
            fixed = zipfile.ZipInfo(info.filename, stamp)
            fixed.compress_type = info.compress_type
            fixed.external_attr = info.external_attr
            zout.writestr(fixed, data)
