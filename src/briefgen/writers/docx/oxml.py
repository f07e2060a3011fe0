"""WordprocessingML details python-docx leaves to us: schema child order, fonts for all
four scripts, language, paragraph borders, the PAGE field, grid snapping and the text box
pinned to the foot of the page."""

from __future__ import annotations

import os
import time
from typing import Any

from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

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


def set_lang(rpr: Any) -> None:
    """Languages of a run properties element: en-US, zh-CN East Asian, ar-SA bidi."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = put(rpr, OxmlElement("w:lang"))
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:bidi"), "ar-SA")




def add_border(ppr: Any, color: str, size_eighths: int = 12, where: str = "bottom") -> None:
    """A paragraph border line (报头 red rule, 版记 rules) on side `where` of a pPr."""
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = put(ppr, OxmlElement("w:pBdr"))
    b = OxmlElement(f"w:{where}")
    b.set(qn("w:val"), "single")
    b.set(qn("w:sz"), str(size_eighths))
    b.set(qn("w:space"), "1")
    b.set(qn("w:color"), color.lstrip("#").upper())
    bdr.append(b)


def page_field(r: Any) -> None:
    """Fill a run (``w:r``) with a PAGE field showing 1 until Word updates it."""
    for tag, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        if tag:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), tag)
            r.append(fc)
        elif text == " PAGE ":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            r.append(t)


def no_grid_snap(ppr: Any) -> None:
    """Keep a paragraph off the document's line grid (table cells, pictures, 版记): on a
    28.95 pt grid Word would round every small line up to a whole grid line."""
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    put(ppr, el)


_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
_WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def bottom_text_box(shape_id: int, width_emu: int, height_emu: int, name: str) -> tuple[Any, Any]:
    """A run holding a borderless text box pinned to the bottom of the page's text area
    (DrawingML anchor, "top and bottom" wrapping, text aligned to the box's bottom).

    Returns ``(run, content)``: add the run to a paragraph (its anchor: the box sits on
    the page where that paragraph is) and append ``w:p`` elements to ``content``
    (``w:txbxContent``). Word, WPS and LibreOffice all place it at the foot of the
    page; a framed paragraph (``w:framePr``) loses its rules in LibreOffice and a
    floating table (``w:tblpPr``) stays in the text flow there.
    """
    xml = f"""<w:r xmlns:w="{_W}" xmlns:wp="{_WP}" xmlns:a="{_A}" xmlns:wps="{_WPS}"><w:drawing>
<wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" relativeHeight="251659264" behindDoc="0"
 locked="0" layoutInCell="1" allowOverlap="0">
<wp:simplePos x="0" y="0"/>
<wp:positionH relativeFrom="margin"><wp:align>center</wp:align></wp:positionH>
<wp:positionV relativeFrom="margin"><wp:align>bottom</wp:align></wp:positionV>
<wp:extent cx="{width_emu}" cy="{height_emu}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>
<wp:wrapTopAndBottom/><wp:docPr id="{shape_id}" name="{name}"/><wp:cNvGraphicFramePr/>
<a:graphic><a:graphicData uri="{_WPS}"><wps:wsp><wps:cNvSpPr txBox="1"/>
<wps:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="{width_emu}" cy="{height_emu}"/></a:xfrm>
<a:prstGeom prst="rect"><a:avLst/></a:prstGeom><a:noFill/><a:ln><a:noFill/></a:ln></wps:spPr>
<wps:txbx><w:txbxContent/></wps:txbx>
<wps:bodyPr rot="0" vert="horz" wrap="square" lIns="0" tIns="0" rIns="0" bIns="0" anchor="b" anchorCtr="0">
<a:noAutofit/></wps:bodyPr></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></w:r>"""
    run = parse_xml(xml.replace("\n", ""))
    return run, run.find(".//" + qn("w:txbxContent"))


def source_date() -> tuple[int, int, int, int, int, int] | None:
    """The time of ``SOURCE_DATE_EPOCH`` (reproducible builds: same input, same bytes), else None."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw.isdigit():
        return None
    t = time.gmtime(max(int(raw), 315532800))  # a zip cannot date anything before 1980
    return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec)
