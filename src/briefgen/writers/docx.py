"""DOCX writer: document model → python-docx, with named styles Word and WPS understand.

Everything is set through named paragraph styles (a user restyles the whole
document in Word by editing 正文 or 一级标题), and every font names all four
scripts because python-docx's `font.name` sets only the Latin ones.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from docx import Document as new_docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.styles import BabelFish

from briefgen.errors import BriefgenError
from briefgen.layout import MM, balance_title, element, geometry, hex_rgb, signature_indents
from briefgen.model import Document, Figure, Heading, PageBreak, Paragraph, Table
from briefgen.safety import clean_text

ALIGN = {
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}

# Element → (style name shown in Word, outline level or None)
STYLE_NAMES = {
    "body": ("Normal", None),
    "masthead": ("报头", None),
    "issue_no": ("期号", None),
    "organ_line": ("编发单位", None),
    "doc_no": ("发文字号", None),
    "classification": ("密级", None),
    "title": ("公文标题", 0),
    "subtitle": ("副标题", None),
    "recipients": ("主送机关", None),
    "heading1": ("一级标题", 0),
    "heading2": ("二级标题", 1),
    "heading3": ("三级标题", 2),
    "heading4": ("四级标题", 3),
    "caption": ("图表标题", None),
    "table_head": ("表头", None),
    "table_cell": ("表格文字", None),
    "table_note": ("表注", None),
    "figure_note": ("图注", None),
    "attachment": ("附件说明", None),
    "signature": ("署名", None),
    "date": ("成文日期", None),
    "postscript": ("附注", None),
    "distribution": ("版记", None),
    "page_number": ("页码", None),
}


# OOXML requires children in schema order; Word rejects a file that breaks it
# even where LibreOffice is lenient.
_ORDER = {
    "pPr": ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
            "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
            "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
            "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
            "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
            "sectPr", "pPrChange"],
    "rPr": ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
            "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
            "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
            "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath"],
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden"],
}


def put(parent: Any, child: Any) -> Any:
    """Insert `child` into a pPr/rPr/tcPr/trPr at its schema position, replacing a same-named one."""
    local = parent.tag.split("}")[1]
    order = _ORDER[local]
    name = child.tag.split("}")[1]
    old = parent.find(child.tag)
    if old is not None:
        parent.remove(old)
    rank = order.index(name)
    for i, existing in enumerate(parent):
        other = existing.tag.split("}")[1] if "}" in str(existing.tag) else ""
        if other in order and order.index(other) > rank:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def set_fonts(rpr_parent: Any, east_asia: str, latin: str) -> None:
    """Name the font for all four scripts, with the East Asian hint for ambiguous punctuation."""
    rpr = rpr_parent.get_or_add_rPr() if hasattr(rpr_parent, "get_or_add_rPr") else rpr_parent
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)
    rfonts.set(qn("w:hint"), "eastAsia")


def _set_lang(rpr: Any) -> None:
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = put(rpr, OxmlElement("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")


def _open_reference(path: Path) -> Any:
    """A .docx as is; a .dotx re-labelled as a document (python-docx refuses templates)."""
    if path.suffix.lower() != ".dotx":
        return str(path)
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"wordprocessingml.template.main+xml", b"wordprocessingml.document.main+xml")
            zout.writestr(item, data)
    buf.seek(0)
    return buf


class DocxWriter:
    def __init__(self, style: dict[str, Any], base: Path | None = None):
        self.style = style
        self.geo = geometry(style)
        self.base = base

    # -- styles --------------------------------------------------------------
    def _font_name(self, role: str) -> str:
        names = self.style["font_names"]
        return names.get(role) or names["body"]

    def _fix_defaults(self, doc: Any) -> None:
        """docDefaults and theme: no text may fall back to a Japanese theme font."""
        styles_el = doc.styles.element
        rpr_default = styles_el.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr_default is not None:
            set_fonts(rpr_default, self._font_name("body"), self.style["font_names"]["latin"])
            _set_lang(rpr_default)
            sz = rpr_default.find(qn("w:sz"))
            if sz is None:
                sz = put(rpr_default, OxmlElement("w:sz"))
            sz.set(qn("w:val"), "32")
        # The theme's East Asian font slot is empty/Japanese in python-docx's template.
        for rel in doc.part.package.parts:
            if rel.partname.endswith("theme1.xml"):
                xml = rel.blob.decode("utf-8")
                xml = re.sub(r'<a:ea typeface="[^"]*"/>', '<a:ea typeface="宋体"/>', xml)
                xml = re.sub(r'<a:font script="Hans" typeface="[^"]*"/>', "", xml)
                xml = xml.replace('<a:font script="Jpan"', '<a:font script="Hans" typeface="宋体"/><a:font script="Jpan"', 2)
                rel._blob = xml.encode("utf-8")

    def _para_style(self, doc: Any, key: str) -> Any:
        name, outline = STYLE_NAMES[key]
        e = element(self.style, key)
        styles = doc.styles
        # One XPath query instead of wrapping all ~160 built-in styles in Python objects.
        if styles.element.get_by_name(BabelFish.ui2internal(name)) is not None:
            st = styles[name]
            if self.base is not None:
                # A department letterhead's own styles win, as with Pandoc's reference-doc.
                return st
        else:
            st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = styles["Normal"]
            st.quick_style = True
        f = st.font
        f.size = Pt(e["size"])
        f.bold = bool(e.get("bold"))
        f.color.rgb = RGBColor(*hex_rgb(e["color"]))
        set_fonts(st.element, self._font_name(e["font"]), self.style["font_names"]["latin"])
        tw = self.tracking_twips(e["size"])
        if tw:
            rpr = st.element.get_or_add_rPr()
            sp = OxmlElement("w:spacing")
            sp.set(qn("w:val"), str(tw))
            put(rpr, sp)
        pf = st.paragraph_format
        pf.alignment = ALIGN[e.get("align", "justify")]
        pitch = e.get("line_pitch", self.geo.line_pitch)
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(pitch)
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        indent = e.get("indent", 0)
        # Indent in characters (w:firstLineChars) so it follows the font size in Word.
        ppr = st.element.get_or_add_pPr()
        ind = ppr.find(qn("w:ind"))
        if ind is None:
            ind = put(ppr, OxmlElement("w:ind"))
        ind.set(qn("w:firstLineChars"), str(int(indent * 100)))
        ind.set(qn("w:firstLine"), str(int(indent * e["size"] * 20)))
        if e.get("right_indent"):
            ind.set(qn("w:rightChars"), str(int(e["right_indent"] * 100)))
            ind.set(qn("w:right"), str(int(e["right_indent"] * e["size"] * 20)))
        if e.get("keep_next"):
            pf.keep_with_next = True
        if key == "body":
            # No automatic CJK/Latin gaps: digits stay on the character grid, as in the PDF.
            for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
                el = OxmlElement(tag)
                el.set(qn("w:val"), "0")
                put(ppr, el)
        pf.widow_control = True
        if outline is not None:
            ol = OxmlElement("w:outlineLvl")
            ol.set(qn("w:val"), str(outline))
            put(ppr, ol)
        return st

    def _setup(self, doc: Any) -> None:
        if self.base is None:
            self._fix_defaults(doc)
        for key in STYLE_NAMES:
            self._para_style(doc, key)
        if self.base is not None:
            return  # the letterhead's page setup, grid and margins stay as they are
        sec = doc.sections[0]
        p = self.style["page"]
        sec.page_width, sec.page_height = Mm(p["width"]), Mm(p["height"])
        sec.top_margin, sec.bottom_margin = Mm(p["top"]), Mm(p["bottom"])
        sec.left_margin, sec.right_margin = Mm(p["left"]), Mm(p["right"])
        sec.header_distance = Mm(15)
        # Page number's top edge sits footer_gap below the 版心: footer distance is
        # measured from the page edge to the footer's bottom.
        num_size = element(self.style, "page_number")["size"]
        sec.footer_distance = Mm(p["bottom"] - p["footer_gap"]) - Pt(num_size * 1.2)
        self._doc_grid(sec)

    def _doc_grid(self, sec: Any) -> None:
        """22 lines per page through an exact line pitch on a line grid.

        A character grid (linesAndChars with a negative charSpace) gives 28
        characters in Word but LibreOffice then puts each 16 pt character into
        two 15.8 pt cells; tightening the 3号 styles by a quarter point fits
        28 characters per line in Word, WPS and LibreOffice alike.
        """
        sectpr = sec._sectPr
        grid = sectpr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            sectpr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(self.geo.line_pitch * 20)))
        grid.attrib.pop(qn("w:charSpace"), None)

    def tracking_twips(self, size: float) -> int:
        """Character spacing (1/20 pt) that fits `chars` body characters in the text width.

        Only text of the body size sits on the 28-character grid; a 42 pt 报头
        tightened by the same rule would have its characters overlap.
        """
        if abs(size - element(self.style, "body")["size"]) > 0.01:
            return 0
        extra = self.geo.text_width / self.geo.chars - size
        return math.floor(extra * 20) if extra < 0 else 0

    # -- footers -------------------------------------------------------------
    def _page_number_footer(self, footer: Any, align: str) -> None:
        para = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        para.style = footer.part.document.styles["页码"] if hasattr(footer.part, "document") else para.style
        para.alignment = ALIGN[align]
        pf = para.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        size = element(self.style, "page_number")["size"]
        # 空一字: one character of the page-number size from the edge.
        if align == "right":
            pf.right_indent = Pt(size)
        else:
            pf.left_indent = Pt(size)
        pf.first_line_indent = Pt(0)
        self._run(para, "— ", "song", size)
        run = para.add_run()
        for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            if tag:
                fc = OxmlElement("w:fldChar")
                fc.set(qn("w:fldCharType"), tag)
                run._r.append(fc)
            elif text == " PAGE ":
                it = OxmlElement("w:instrText")
                it.set(qn("xml:space"), "preserve")
                it.text = text
                run._r.append(it)
            else:
                t = OxmlElement("w:t")
                t.text = text
                run._r.append(t)
        self._font_run(run, "song", size)
        self._run(para, " —", "song", size)

    def _footers(self, doc: Any) -> None:
        if self.base is not None:
            sec = doc.sections[-1]
            if any(p.text.strip() for p in sec.footer.paragraphs) or "fldChar" in sec.footer._element.xml \
                    or "fldSimple" in sec.footer._element.xml:
                return  # the letterhead brings its own footer / page numbers
        doc.settings.odd_and_even_pages_header_footer = True
        sec = doc.sections[0]
        self._page_number_footer(sec.footer, "right")
        self._page_number_footer(sec.even_page_footer, "left")

    # -- content ---------------------------------------------------------------
    def _font_run(self, run: Any, role: str, size: float, color: str | None = None, bold: bool = False) -> None:
        run.font.size = Pt(size)
        if bold:
            run.font.bold = True
        if color:
            run.font.color.rgb = RGBColor(*hex_rgb(color))
        set_fonts(run._r, self._font_name(role), self.style["font_names"]["latin"])

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
        ppr = para._p.get_or_add_pPr()
        bdr = ppr.find(qn("w:pBdr"))
        if bdr is None:
            bdr = put(ppr, OxmlElement("w:pBdr"))
        b = OxmlElement(f"w:{where}")
        b.set(qn("w:val"), "single")
        b.set(qn("w:sz"), str(size_eighths))
        b.set(qn("w:space"), "1")
        b.set(qn("w:color"), color.lstrip("#").upper())
        bdr.append(b)

    @staticmethod
    def _text_width(doc: Any) -> Emu:
        sec = doc.sections[-1]
        return Emu(sec.page_width - sec.left_margin - sec.right_margin)

    def _masthead(self, doc: Any, d: Document, letterhead: bool = False) -> None:
        """报头 / 版头. Under a Word letterhead (its own fixed 红头) only the
        variable lines — 期号, 编发单位 and date, the red rule — are added."""
        m = d.meta
        red = self.style["colors"]["red"]
        if m.classification:
            self._para(doc, "classification", m.classification)
        if m.kind == "jianbao":
            if not letterhead:
                mh = self._para(doc, "masthead", m.masthead or "工作简报")
                mh.paragraph_format.space_before = Pt(self.geo.line_pitch)
                mh.paragraph_format.line_spacing = Pt(element(self.style, "masthead")["size"] * 1.4)
            self._para(doc, "issue_no", m.issue_line)
            line = self._para(doc, "organ_line")
            line.paragraph_format.tab_stops.add_tab_stop(self._text_width(doc), WD_TAB_ALIGNMENT.RIGHT)
            self._run(line, m.organ)
            self._run(line, "\t" + m.date)
            self._rule(line, red, 18)
            self._para(doc, "body")
        elif m.kind == "gongwen" and not letterhead:
            mh = self._para(doc, "masthead", m.masthead or f"{m.organ}文件")
            # 发文机关标志 top edge 35 mm below the 版心 top.
            mh.paragraph_format.space_before = Mm(35) - Pt(element(self.style, "masthead")["size"] * 0.2)
            mh.paragraph_format.line_spacing = Pt(element(self.style, "masthead")["size"] * 1.2)
            self._para(doc, "body")
            self._para(doc, "body")
            if m.signer:
                # 上行文: 发文字号 left and 签发人 right, each one character in.
                size = element(self.style, "doc_no")["size"]
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
        size = element(self.style, "title")["size"]
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
        for r in p.runs:
            if r.role:
                self._run(para, r.text, r.role, element(self.style, key)["size"], bold=r.bold)
            else:
                self._run(para, r.text, bold=r.bold)

    def _table(self, doc: Any, t: Table) -> None:
        cap = self._para(doc, "caption", f"{t.number}  {t.caption}".strip())
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
        for j, w in enumerate(widths):
            width = Emu(int(self.geo.text_width * 12700 * w / total))
            grid_cols[j].set(qn("w:w"), str(int(width.pt * 20)))
            for cell in table.columns[j].cells:
                cell.width = width
        # Repeat the header row on every page the table crosses.
        trpr = table.rows[0]._tr.get_or_add_trPr()
        th = OxmlElement("w:tblHeader")
        th.set(qn("w:val"), "true")
        put(trpr, th)
        ts = self.style.get("table") or {}
        # Cells fetched a row at a time: table.cell() rebuilds the whole grid on every call.
        head_cells = table.rows[0].cells
        for j, text in enumerate(t.header):
            self._cell(head_cells[j], text, "table_head", "center")
            if ts.get("header_fill"):
                shd = OxmlElement("w:shd")
                shd.set(qn("w:val"), "clear")
                shd.set(qn("w:color"), "auto")
                shd.set(qn("w:fill"), ts["header_fill"].lstrip("#").upper())
                put(head_cells[j]._tc.get_or_add_tcPr(), shd)
        for i, row in enumerate(t.rows, start=1):
            cant = OxmlElement("w:cantSplit")
            put(table.rows[i]._tr.get_or_add_trPr(), cant)
            cells = table.rows[i].cells
            for j, text in enumerate(row):
                align = t.align[j] if j < len(t.align) else "left"
                self._cell(cells[j], text, "table_cell", align)
        if t.source:
            self._para(doc, "table_note", t.source)
        self._para(doc, "body")

    def _cell(self, cell: Any, text: str, key: str, align: str) -> None:
        from docx.enum.table import WD_ALIGN_VERTICAL

        para = cell.paragraphs[0]
        self._set_style(para, STYLE_NAMES[key][0])
        para.alignment = ALIGN[align]
        pf = para.paragraph_format
        pf.first_line_indent = Pt(0)
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        para.paragraph_format.space_before = Pt(3)
        para.paragraph_format.space_after = Pt(3)
        cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
        self._run(para, text)

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
        width = min(self.geo.text_width, f.width_cm * 10 * MM)
        para.add_run().add_picture(str(f.image), width=Emu(int(width * 12700)))
        cap = self._para(doc, "caption", f"{f.number}  {f.caption}".strip())
        if f.source:
            cap.paragraph_format.keep_with_next = True
            self._para(doc, "figure_note", f.source)

    def _closing(self, doc: Any, d: Document) -> None:
        m = d.meta
        if m.attachments:
            self._para(doc, "body")
            for line in m.attachment_lines():
                self._para(doc, "attachment", line)
        if m.kind == "gongwen":
            self._para(doc, "body").paragraph_format.keep_with_next = True
            sig_ind, date_ind = signature_indents(m.signature, m.date)
            size = element(self.style, "signature")["size"]
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
        """报尾 / 版记 between rules, kept together after the body.

        Not a bottom-anchored frame: LibreOffice drops the rules of a bordered
        frame and places it at random; plain ruled paragraphs look the same in
        Word, WPS and LibreOffice, and the PDF pins the block to the page bottom.
        """
        lines = d.meta.end_lines()
        if not lines:
            return
        size = element(self.style, "distribution")["size"]
        self._para(doc, "body").paragraph_format.keep_with_next = True
        for i, (text, align) in enumerate(lines):
            para = self._para(doc, "distribution")
            pf = para.paragraph_format
            pf.first_line_indent = Pt(0)
            pf.left_indent = Pt(size)
            pf.right_indent = Pt(size)
            pf.line_spacing = Pt(self.geo.line_pitch)
            pf.keep_with_next = i < len(lines) - 1
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

    @staticmethod
    def _has_body(doc: Any) -> bool:
        """True when the letterhead already carries content (its own 红头) in the body."""
        body = doc.element.body
        return any(p.text.strip() for p in doc.paragraphs) or body.find(qn("w:tbl")) is not None \
            or bool(body.xpath(".//w:drawing"))

    def write(self, d: Document, out: Path) -> Path:
        if self.base is not None:
            try:
                doc = new_docx(_open_reference(self.base))
            except Exception as e:  # noqa: BLE001 - python-docx raises several kinds for a bad file
                raise BriefgenError(f"无法打开 Word 信笺文件：{e}", where=str(self.base),
                                    hint="应为 .docx 或 .dotx 文件") from None
        else:
            doc = new_docx()
        self._style_ids: dict[str, str | None] = {}  # style ids belong to one document
        self._setup(doc)
        self._footers(doc)
        self._masthead(doc, d, letterhead=self._has_body(doc))
        self._title(doc, d)
        for b in d.blocks:
            if isinstance(b, Heading):
                self._heading(doc, b)
            elif isinstance(b, Paragraph):
                self._paragraph(doc, b)
            elif isinstance(b, Table):
                self._table(doc, b)
            elif isinstance(b, Figure):
                self._figure(doc, b)
            elif isinstance(b, PageBreak):
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        if d.meta.kind == "gongwen" and doc.paragraphs:
            # No page may hold only the 署名 and date: the last body paragraph goes with them.
            doc.paragraphs[-1].paragraph_format.keep_with_next = True
        self._closing(doc, d)
        core = doc.core_properties
        # Core properties are limited to 255 characters.
        core.title = clean_text(d.meta.title)[:255]
        core.author = clean_text(d.meta.organ)[:255]
        core.language = "zh-CN"
        doc.save(str(out))
        return out
