"""The named paragraph styles of a briefgen DOCX (正文, 一级标题, 报头 …), page setup and the
line grid: a user restyles the whole document in Word by editing one style."""

from __future__ import annotations

import functools
import hashlib
import json
import math
import re
from importlib import metadata
from pathlib import Path
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.oxml import serialize_part_xml
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles import BabelFish

from briefgen import __version__
from briefgen.files import atomic_write, cache_dir
from briefgen.layout import StyleSheet, hex_rgb
from briefgen.writers.docx.oxml import no_grid_snap, put, set_fonts, set_lang

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


class DocxStyles:
    """Creates the named styles and page setup of a document from the style sheet.

    With a Word letterhead (`base`), the letterhead's own styles and page setup win,
    as with Pandoc's reference-doc.
    """

    def __init__(self, style: StyleSheet, base: Any = None):
        self.style = style
        self.geo = style.geometry
        self.base = base

    def font_name(self, role: str) -> str:
        """The East Asian font name the DOCX uses for a role."""
        return self.style.font_names.for_role(role)

    def _fix_defaults(self, doc: Any) -> None:
        """docDefaults and theme: no text may fall back to a Japanese theme font."""
        styles_el = doc.styles.element
        rpr_default = styles_el.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
        if rpr_default is not None:
            set_fonts(rpr_default, self.font_name("body"), self.style.font_names.latin)
            set_lang(rpr_default)
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
                xml = xml.replace('<a:font script="Jpan"',
                                  '<a:font script="Hans" typeface="宋体"/><a:font script="Jpan"', 2)
                rel._blob = xml.encode("utf-8")

    def _para_style(self, doc: Any, key: str) -> Any:
        name, outline = STYLE_NAMES[key]
        e = self.style.element(key)
        styles = doc.styles
        # One XPath query instead of wrapping all ~160 built-in styles in Python objects.
        if styles.element.get_by_name(BabelFish.ui2internal(name)) is not None:
            st = styles[name]
            if self.base is not None:
                # A department letterhead's own styles win, as with Pandoc's reference-doc,
                # except that body text gets our first-line indent unless it sets its own.
                if key == "body":
                    self._letterhead_body_indent(doc, st, e.indent, e.size)
                return st
        else:
            st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
            st.base_style = styles["Normal"]
            st.quick_style = True
        f = st.font
        f.size = Pt(e.size)
        f.bold = e.bold
        f.color.rgb = RGBColor(*hex_rgb(e.color))
        set_fonts(st.element, self.font_name(e.font), self.style.font_names.latin)
        tw = self.tracking_twips(e.size)
        if tw:
            rpr = st.element.get_or_add_rPr()
            sp = OxmlElement("w:spacing")
            sp.set(qn("w:val"), str(tw))
            put(rpr, sp)
        pf = st.paragraph_format
        pf.alignment = ALIGN[e.align]
        pitch = e.line_pitch or self.geo.line_pitch
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(pitch)
        pf.space_before = Pt(0)
        pf.space_after = Pt(0)
        indent = e.indent
        # Indent in characters (w:firstLineChars) so it follows the font size in Word.
        ppr = st.element.get_or_add_pPr()
        ind = ppr.find(qn("w:ind"))
        if ind is None:
            ind = put(ppr, OxmlElement("w:ind"))
        ind.set(qn("w:firstLineChars"), str(int(indent * 100)))
        ind.set(qn("w:firstLine"), str(int(indent * e.size * 20)))
        if e.right_indent:
            ind.set(qn("w:rightChars"), str(int(e.right_indent * 100)))
            ind.set(qn("w:right"), str(int(e.right_indent * e.size * 20)))
        if e.keep_next:
            pf.keep_with_next = True
        if key in ("table_head", "table_cell"):
            no_grid_snap(ppr)  # rows as tall as their text, not two grid lines
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

    @staticmethod
    def _letterhead_body_indent(doc: Any, st: Any, indent: float, size: float) -> None:
        """Give a letterhead's body style (Normal) our first-line indent if it has none.

        The letterhead's own paragraphs (its 红头) are pinned to no indent first, so they
        look exactly as the department drew them.
        """
        ppr = st.element.get_or_add_pPr()
        if ppr.find(qn("w:ind")) is not None or not indent:
            return
        for p in doc.element.body.iterchildren(qn("w:p")):
            p_ppr = p.get_or_add_pPr()
            style = p_ppr.find(qn("w:pStyle"))
            if p_ppr.find(qn("w:ind")) is None and (style is None or style.get(qn("w:val")) == st.style_id):
                zero = OxmlElement("w:ind")
                zero.set(qn("w:firstLineChars"), "0")
                zero.set(qn("w:firstLine"), "0")
                put(p_ppr, zero)
        ind = put(ppr, OxmlElement("w:ind"))
        ind.set(qn("w:firstLineChars"), str(int(indent * 100)))
        ind.set(qn("w:firstLine"), str(int(indent * size * 20)))

    def setup(self, doc: Any) -> None:
        """Styles, docDefaults, theme fonts, page size, margins and line grid of `doc`.

        Without a letterhead the styles part and theme come out the same for the same style
        sheet: they are made once, then taken from memory or the disk cache (:func:`_prepared`).
        """
        self.style_ids: dict[str, str | None] = {}
        prepared = _prepared(self.style) if self.base is None else None
        if prepared is not None and _restore(doc, prepared):
            self.style_ids = dict(prepared["ids"])
        else:
            if self.base is None:
                self._fix_defaults(doc)
            for key in STYLE_NAMES:
                self._para_style(doc, key)
            if self.base is None:
                _store(self.style, doc)
        if self.base is not None:
            return  # the letterhead's page setup, grid and margins stay as they are
        sec = doc.sections[0]
        p = self.style.page
        sec.page_width, sec.page_height = Mm(p.width), Mm(p.height)
        sec.top_margin, sec.bottom_margin = Mm(p.top), Mm(p.bottom)
        sec.left_margin, sec.right_margin = Mm(p.left), Mm(p.right)
        sec.header_distance = Mm(15)
        # Page number's top edge sits footer_gap below the 版心: footer distance is
        # measured from the page edge to the footer's bottom.
        num_size = self.style.element("page_number").size
        sec.footer_distance = Mm(p.bottom - p.footer_gap) - Pt(num_size * 1.2)
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
        """The style sheet's tracking (:meth:`StyleSheet.tracking`) in Word's 1/20 pt, rounded down
        so 28 characters never overflow the line."""
        return math.floor(self.style.tracking(size) * 20)



# -- prepared styles parts -------------------------------------------------------------------
# python-docx's template holds ~160 styles; adding ours through its API costs tens of
# milliseconds a document. The finished styles.xml (and theme) depend only on the style sheet,
# python-docx's version and this module, so they are kept by that key: in memory, and on disk
# for the next process (lxml parses them back in a few milliseconds).

_PREPARED: dict[str, dict[str, Any]] = {}


def _key(style: StyleSheet) -> str:
    h = hashlib.sha256()
    h.update(style.model_dump_json().encode())
    h.update(f"|{_docx_version()}|{__version__}|".encode())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()[:40]


@functools.lru_cache(maxsize=1)
def _docx_version() -> str:
    try:
        return metadata.version("python-docx")
    except metadata.PackageNotFoundError:
        return "?"


def _theme_part(doc: Any) -> Any:
    for part in doc.part.package.parts:
        if part.partname.endswith("theme1.xml"):
            return part
    return None


def _prepared(style: StyleSheet) -> dict[str, Any] | None:
    key = _key(style)
    hit = _PREPARED.get(key)
    if hit is not None:
        return hit
    try:
        raw = (cache_dir() / "docx-styles" / f"{key}.json").read_bytes()
        data = json.loads(raw)
        hit = {"styles": data["styles"].encode("utf-8"), "theme": data["theme"].encode("utf-8"),
               "ids": {str(k): v for k, v in data["ids"].items()}, "key": key}
    except (OSError, ValueError, KeyError, AttributeError, TypeError):
        return None  # missing or damaged: made again and stored whole
    _PREPARED[key] = hit
    return hit


def _restore(doc: Any, prepared: dict[str, Any]) -> bool:
    theme = _theme_part(doc)
    if theme is None:
        return False
    doc.part._styles_part._element = parse_xml(prepared["styles"])
    theme._blob = prepared["theme"]
    return True


def _store(style: StyleSheet, doc: Any) -> None:
    theme = _theme_part(doc)
    if theme is None:
        return
    styles_xml = serialize_part_xml(doc.part._styles_part.element)
    ids = {name: doc.part.get_style_id(name, WD_STYLE_TYPE.PARAGRAPH) for name, _ in STYLE_NAMES.values()}
    key = _key(style)
    _PREPARED[key] = {"styles": styles_xml, "theme": bytes(theme.blob), "ids": ids, "key": key}
    data = {"styles": styles_xml.decode("utf-8"), "theme": bytes(theme.blob).decode("utf-8"), "ids": ids}
    atomic_write(cache_dir() / "docx-styles" / f"{key}.json", json.dumps(data, ensure_ascii=False).encode("utf-8"),
                 best_effort=True)
