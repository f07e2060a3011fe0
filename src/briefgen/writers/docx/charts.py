"""Native Word charts (DrawingML ``c:chartSpace``) that staff can edit in Word (编辑数据).

python-pptx writes the chart XML skeleton and the embedded workbook (through
xlsxwriter); this module then styles the tree with lxml so the chart looks like
the matplotlib drawing of the same :class:`~briefgen.charts.spec.ChartSpec`
(palette, highlight, data labels, 单位 label, East Asian fonts), and inserts it
into a python-docx document as a chart part related to its workbook. Which
series goes on which axis, its colour and the ranking order come from
``briefgen.charts.policy``, the rules the drawn charts follow.

Choices that differ from the drawn chart on purpose:

* Axis scales are left to Word/LibreOffice. Fixed limits would clip bars once
  staff enter larger numbers through 编辑数据, so the right axis of a bar+line
  chart does not share the left axis' grid lines as in the drawing.
* 单位 is the value axis title, pinned to the top corner; the plot area is laid
  out by hand below it (and the legend) so no column is lost to the title.
* Stack totals are an invisible line series "合计" whose workbook cells are
  =SUM formulas, so they follow edited data. A target line is a dashed series.
  The donut's centre total is a title whose text is a workbook formula too.
* Label placement is decided once from estimated text widths (no font metrics
  here); the applications never move labels out of each other's way.
* A category axis has one text style for all its labels: the highlighted
  category's name cannot turn red as in the drawing (a single-series chart
  still shows its bar in the accent colour).
"""

from __future__ import annotations

import datetime
import math
import re
from copy import deepcopy
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from docx.opc.part import Part, XmlPart
from docx.oxml import parse_xml
from docx.text.paragraph import Paragraph
from lxml import etree

from briefgen.charts import policy, theme
from briefgen.charts.numfmt import PER_UNITS, fmt, series_decimals
from briefgen.charts.policy import (
    MISSING_TEXT,
    axis_of,
    highlight,
    kind_of,
    palette,
    plain_colors,
    rank_names,
    ranked,
    series_colors,
    shared_unit,
)
from briefgen.charts.spec import ChartSpec, Series, normalized
from briefgen.errors import BriefgenError
from briefgen.writers.docx.oxml import source_date

__all__ = ["chart_part_xml", "add_chart", "CT_CHART", "CHART_ROLE"]

# The font role of chart text: the drawn charts use its face (``pipeline.make_builder``).
CHART_ROLE = "heading1"

CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RT_CHART = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
RT_PACKAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
CHART_URI = NS["c"]
NS_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"

# The drawn charts' colours (RRGGBB) and printed sizes (pt).
TEXT = theme.TEXT.lstrip("#")
MUTED = theme.MUTED.lstrip("#")
GRID = theme.GRID.lstrip("#")
SPINE = theme.SPINE.lstrip("#")
WHITE = "FFFFFF"
FS_LABEL = theme.FS_LABEL  # category labels, legend (五号)
FS_UNIT = theme.FS_UNIT
FS_TICK = theme.FS_TICK  # value axis (小五)
FS_DATA = theme.FS_DATA
FS_SEGMENT = 8.0  # values inside stacked segments
PAD = theme.PAD  # outer margin
EMU_PT = 12700
TOTAL_NAME = "合计"
# Workbook cells of the donut's centre total (right of the one data column).
CENTRE_HEAD, CENTRE_CELL, CENTRE_REF = "D1", "D2", "Sheet1!$D$2"

# Axis ids: any distinct unsigned ints; Word keeps them as written.
AX_CAT, AX_VAL, AX_CAT2, AX_VAL2 = "500000001", "500000002", "500000003", "500000004"


def q(tag: str) -> str:
    """Clark name for ``prefix:local``."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


# --------------------------------------------------------------------------
# schema order: Word rejects a chart whose children are out of the order of
# ECMA-376's dml-chart.xsd, so every element is inserted at its schema place.

_ORDER: dict[str, list[str]] = {
    "chartSpace": ["date1904", "lang", "roundedCorners", "AlternateContent", "style", "clrMapOvr",
                   "pivotSource", "protection", "chart", "spPr", "txPr", "externalData",
                   "printSettings", "userShapes", "extLst"],
    "chart": ["title", "autoTitleDeleted", "pivotFmts", "view3D", "floor", "sideWall", "backWall",
              "plotArea", "legend", "plotVisOnly", "dispBlanksAs", "showDLblsOverMax", "extLst"],
    "barChart": ["barDir", "grouping", "varyColors", "ser", "dLbls", "gapWidth", "overlap",
                 "serLines", "axId", "extLst"],
    "lineChart": ["grouping", "varyColors", "ser", "dLbls", "dropLines", "hiLowLines",
                  "upDownBars", "marker", "smooth", "axId", "extLst"],
    "pieChart": ["varyColors", "ser", "dLbls", "firstSliceAng", "extLst"],
    "doughnutChart": ["varyColors", "ser", "dLbls", "firstSliceAng", "holeSize", "extLst"],
    # union of CT_BarSer, CT_LineSer and CT_PieSer (their orders agree)
    "ser": ["idx", "order", "tx", "spPr", "invertIfNegative", "pictureOptions", "marker",
            "explosion", "dPt", "dLbls", "trendline", "errBars", "cat", "val", "shape", "smooth",
            "extLst"],
    "dPt": ["idx", "invertIfNegative", "marker", "bubble3D", "explosion", "spPr", "pictureOptions",
            "extLst"],
    "dLbls": ["dLbl", "delete", "numFmt", "spPr", "txPr", "dLblPos", "showLegendKey", "showVal",
              "showCatName", "showSerName", "showPercent", "showBubbleSize", "separator",
              "showLeaderLines", "leaderLines", "extLst"],
    "dLbl": ["idx", "delete", "layout", "tx", "numFmt", "spPr", "txPr", "dLblPos", "showLegendKey",
             "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize", "separator",
             "extLst"],
    "catAx": ["axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title",
              "numFmt", "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx",
              "crosses", "crossesAt", "auto", "lblAlgn", "lblOffset", "tickLblSkip",
              "tickMarkSkip", "noMultiLvlLbl", "extLst"],
    "valAx": ["axId", "scaling", "delete", "axPos", "majorGridlines", "minorGridlines", "title",
              "numFmt", "majorTickMark", "minorTickMark", "tickLblPos", "spPr", "txPr", "crossAx",
              "crosses", "crossesAt", "crossBetween", "majorUnit", "minorUnit", "dispUnits",
              "extLst"],
    "scaling": ["logBase", "orientation", "max", "min", "extLst"],
    "legend": ["legendPos", "legendEntry", "layout", "overlay", "spPr", "txPr", "extLst"],
    "legendEntry": ["idx", "delete", "txPr", "extLst"],
    "title": ["tx", "layout", "overlay", "spPr", "txPr", "extLst"],
    "marker": ["symbol", "size", "spPr", "extLst"],
    # "*": the plots and axes, which are placed explicitly
    "plotArea": ["layout", "*", "dTable", "spPr", "extLst"],
}


def _rank(order: list[str], name: str) -> int | None:
    if name in order:
        return order.index(name)
    return order.index("*") if "*" in order else None


def _local(el) -> str:
    return etree.QName(el).localname


def _child(parent, tag: str, **attrs):
    """The ``c:`` child ``tag`` of ``parent``, created at its schema position if absent.

    Keyword ``val`` etc. set attributes (values are str()-ed).
    """
    el = parent.find(q(tag))
    if el is None:
        el = etree.Element(q(tag))
        _insert(parent, el)
    for k, v in attrs.items():
        el.set(k, str(v))
    return el


def _replace(parent, el):
    """Put ``el`` in ``parent`` in place of a child of the same tag, else at its schema place."""
    old = parent.find(el.tag)
    if old is not None:
        old.addprevious(el)
        parent.remove(old)
    else:
        _insert(parent, el)
    return el


def _insert(parent, el) -> None:
    order = _ORDER[_local(parent)]
    rank = _rank(order, _local(el))
    if rank is None:
        parent.append(el)
        return
    for sib in parent:
        if not isinstance(sib.tag, str):
            continue
        srank = _rank(order, _local(sib))
        if srank is not None and srank > rank:
            sib.addprevious(el)
            return
    parent.append(el)


def E(tag: str, *children, **attrs):
    """Build an element: ``E("c:idx", val=0)``; ``text=`` sets the text."""
    text = attrs.pop("text", None)
    el = etree.Element(q(tag))
    for k, v in attrs.items():
        el.set(k, str(v))
    for c in children:
        if c is not None:
            el.append(c)
    if text is not None:
        el.text = text
    return el


# --------------------------------------------------------------------------
# drawing properties


_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _rgb(color: str) -> str:
    """``RRGGBB`` for ``#RGB``/``#RRGGBB``/``#RRGGBBAA`` (alpha dropped: charts print opaque)."""
    m = _HEX.fullmatch(str(color).strip())
    if not m:
        # matplotlib names ("navy") are valid for the PNG, but there is no
        # matplotlib here to translate them
        raise BriefgenError(f"颜色“{color}”无法用于可编辑图表",
                            hint="请使用 #RRGGBB 形式")
    c = m.group(1)
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return c[:6].upper()


def _solid(color: str):
    return E("a:solidFill", E("a:srgbClr", val=_rgb(color)))


def _ln(color: str | None, width_pt: float = 0.75, dash: str | None = None, cap: str | None = None):
    if color is None:
        return E("a:ln", E("a:noFill"))
    ln = E("a:ln", _solid(color), w=int(round(width_pt * EMU_PT)))
    if cap:
        ln.set("cap", cap)
    if dash:
        ln.append(E("a:prstDash", val=dash))
    ln.append(E("a:round"))
    return ln


def _spPr(fill: str | None = None, line=None, no_fill: bool = False):
    sp = E("c:spPr")
    if fill is not None:
        sp.append(_solid(fill))
    elif no_fill:
        sp.append(E("a:noFill"))
    if line is not None:
        sp.append(line)
    return sp


@dataclass(frozen=True)
class _Fonts:
    east_asia: str
    latin: str

    def rpr(self, tag: str, size: float, color: str = TEXT, bold: bool = False):
        """``a:defRPr`` / ``a:rPr`` naming the Latin and the East Asian typeface."""
        el = E(tag, sz=int(round(size * 100)), b=int(bold))
        if tag == "a:rPr":  # the run's language picks the East Asian font for its text
            el.set("lang", "zh-CN")
            el.set("altLang", "en-US")
        el.append(_solid(color))
        el.append(E("a:latin", typeface=self.latin))
        el.append(E("a:ea", typeface=self.east_asia))
        el.append(E("a:cs", typeface=self.latin))
        return el

    def txPr(self, size: float, color: str = TEXT, rot: int | None = None, wrap: bool = True):
        body = E("a:bodyPr")
        if not wrap:
            body.set("wrap", "none")
        if rot is not None:
            body.set("rot", str(rot))
            body.set("vert", "horz")
        return E("c:txPr", body, E("a:lstStyle"),
                 E("a:p", E("a:pPr", self.rpr("a:defRPr", size, color)),
                   E("a:endParaRPr", lang="zh-CN")))

    def rich(self, text: str, size: float, color: str):
        """``c:tx/c:rich`` holding ``text`` upright."""
        return E("c:tx", E("c:rich", E("a:bodyPr", rot=0, vert="horz"), E("a:lstStyle"),
                           E("a:p", E("a:pPr", self.rpr("a:defRPr", size, color)),
                             E("a:r", self.rpr("a:rPr", size, color), E("a:t", text=text)))))


def _text_w(text: str, size: float) -> float:
    """Rough printed width in pt: CJK glyphs 1 em, digits 0.5 em, other Latin ~0.55 em
    (no font metrics here)."""
    return sum(size if ord(ch) > 0x2E80 else (0.5 if ch in "0123456789.,-" else 0.55) * size
               for ch in text)


def _glyph_h(size: float) -> float:
    return size * 1.17


# --------------------------------------------------------------------------
# what to plot: the PNG's rules for order, colours, axes and decimals


def _number_format(decimals: int, unit: str = "") -> str:
    """Excel format for data labels: as the PNG prints them (``%`` only appended, never x100)."""
    fmt = "0" if decimals <= 0 else "0." + "0" * decimals
    if unit in PER_UNITS:
        fmt += f'"{unit}"'
    return fmt


@dataclass
class _Ser:
    name: str
    values: list[float | None]
    kind: str  # "bar" | "line"
    axis: str  # "left" | "right"
    color: str
    fmt: str  # number format of labels and workbook cells
    role: str = "data"  # "data" | "total" (stack totals) | "target" (reference line)
    unit: str = ""


@dataclass
class _Plan:
    categories: list[str]
    series: list[_Ser]
    highlight: str | None
    unit: str
    unit2: str
    palette: list[str]
    centre: tuple[str, str] | None = None  # donut: (workbook formula, its text) of 合计 in the hole


def _plot_table(spec: ChartSpec) -> _Plan:
    """Categories and series as the native chart holds them (hbar_rank sorted, extras added).

    ``spec`` is normalized: str categories, float or None values.
    """
    pal = palette(spec)
    plain = plain_colors(spec)
    cats = list(spec.categories)
    hl = highlight(spec)
    if spec.type == "hbar_rank":
        items = ranked(spec)
        names = rank_names(items) if spec.rank_numbers else [c for c, _v in items]
        s = spec.series[0]
        shown = names[[c for c, _v in items].index(hl)] if hl is not None else None
        ser = [_Ser(s.name, [v for _c, v in items], "bar", "left", plain[0],
                    _number_format(series_decimals(s), s.unit), unit=s.unit)]
        return _Plan(names, ser, shown, spec.unit or s.unit, "", pal)

    kinds = [kind_of(spec, s) for s in spec.series]
    colors = series_colors(spec, kinds)
    out = [_Ser(s.name, list(s.values), k, axis_of(spec, s), c,
                _number_format(series_decimals(s), s.unit), unit=s.unit)
           for s, k, c in zip(spec.series, kinds, colors)]

    def shared(axis: str) -> str:
        return shared_unit([s for s in spec.series if axis_of(spec, s) == axis])

    unit = spec.unit if spec.type in ("pie", "donut") else (spec.unit or shared("left"))
    has_right = any(s.axis == "right" for s in out)
    unit2 = (spec.unit2 or shared("right")) if has_right else ""
    if spec.type == "stacked_bar" and spec.labels:
        bars = [s for s in spec.series if kind_of(spec, s) == "bar"]
        d = max(series_decimals(s) for s in bars)
        u = bars[0].unit if len({s.unit for s in bars}) == 1 else ""
        totals: list[float | None] = []
        for j in range(len(cats)):
            vs = [v for v in (s.values[j] for s in bars) if v is not None]
            totals.append(round(sum(vs), 10) if vs else None)
        out.append(_Ser(TOTAL_NAME, totals, "line", "left", TEXT, _number_format(d, u), "total"))
    if spec.target is not None and spec.type in ("bar", "line", "bar_line", "stacked_bar"):
        d = max(series_decimals(s) for s in spec.series)
        out.append(_Ser(spec.target_label or "目标值", [float(spec.target)] * len(cats), "line",
                        "left", spec.accent, _number_format(d, spec.unit), "target"))
    plan = _Plan(cats, out, hl, unit, unit2, pal)
    s0 = spec.series[0]
    if spec.type == "donut" and spec.labels and s0.unit not in ("%", "％"):
        plan.centre = _centre_total(s0, s0.unit or spec.unit, len(cats))
    return plan


def _centre_total(s: Series, unit: str, n: int) -> tuple[str, str]:
    """The donut's 合计 as the drawing prints it, and as a workbook formula that
    follows edited data: ``="合计"&CHAR(10)&TEXT(SUM(B2:Bn),"0")&"家"``."""
    d = series_decimals(s)
    total = sum(v for v in s.values if v is not None and v > 0)
    text = f"合计\n{fmt(total, d)}{unit}"
    code = "0" if d <= 0 else "0." + "0" * d
    quoted = unit.replace('"', '""')
    formula = f'="合计"&CHAR(10)&TEXT(SUMIF(B2:B{n + 1},">0"),"{code}")&"{quoted}"'
    return formula, text


# --------------------------------------------------------------------------
# chart XML


def _chart_data(plan: _Plan, formulas: bool = False):
    # local: python-pptx (~0.07 s to import) loads only for a document with a native chart
    from pptx.chart.data import CategoryChartData

    cd = CategoryChartData(number_format="General")
    cd.categories = plan.categories
    n = len(plan.categories)
    bars = [i for i, s in enumerate(plan.series) if s.role == "data" and s.kind == "bar"]
    for s in plan.series:
        values: list[Any] = list(s.values)
        if formulas and s.role == "total":
            # Edited bars must move the total: the workbook sums them, the chart
            # XML keeps the numbers (xlsxwriter takes "=..." strings as formulas).
            cols = [_col_letter(2 + i) for i in bars]
            values = [f"=SUM({','.join(f'{c}{r + 2}' for c in cols)})" for r in range(n)]
        cd.add_series(s.name, values, number_format=s.fmt)
    return cd


def _col_letter(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _skeleton(xl_type, cd):
    # local: python-pptx (~0.07 s to import) loads only for a document with a native chart
    from pptx.chart.xmlwriter import ChartXmlWriter

    xml = ChartXmlWriter(xl_type, cd).xml
    return etree.fromstring(xml.encode("utf-8"))


def _sers(plot) -> dict[int, Any]:
    return {int(s.find(q("c:idx")).get("val")): s for s in plot.findall(q("c:ser"))}


def _set_axids(plot, cat: str, val: str) -> None:
    for a in plot.findall(q("c:axId")):
        plot.remove(a)
    _insert(plot, E("c:axId", val=cat))
    _insert(plot, E("c:axId", val=val))


def _build_tree(spec: ChartSpec, plan: _Plan):
    """python-pptx's chartSpace for the spec, with combination plots assembled."""
    # local: python-pptx (~0.07 s to import) loads only for a document with a native chart
    from pptx.enum.chart import XL_CHART_TYPE as XL

    cd = _chart_data(plan)
    t = spec.type
    if t not in ("bar", "line", "bar_line", "hbar_rank", "pie", "donut", "stacked_bar"):
        raise BriefgenError(f"未知的图表类型“{t}”")
    if t in ("pie", "donut"):
        return _skeleton(XL.PIE if t == "pie" else XL.DOUGHNUT, cd)
    if t == "hbar_rank":
        return _skeleton(XL.BAR_CLUSTERED, cd)

    kinds = {(s.kind, s.axis) for s in plan.series}
    has_bars = any(k == "bar" for k, _ in kinds)
    bar_type = XL.COLUMN_STACKED if t == "stacked_bar" else XL.COLUMN_CLUSTERED
    root = _skeleton(bar_type if has_bars else XL.LINE_MARKERS, cd)
    plot_area = root.find(f"{q('c:chart')}/{q('c:plotArea')}")
    base_plot = plot_area.find(q("c:barChart" if has_bars else "c:lineChart"))
    # One python-pptx skeleton per plot kind; each plot keeps its own series.
    templates = {"bar": base_plot} if has_bars else {"line": base_plot}
    if has_bars and any(k == "line" for k, _ in kinds):
        line_root = _skeleton(XL.LINE_MARKERS, cd)
        templates["line"] = line_root.find(f"{q('c:chart')}/{q('c:plotArea')}/{q('c:lineChart')}")
    templates = {k: deepcopy(v) for k, v in templates.items()}
    cat_ax = plot_area.find(q("c:catAx"))
    val_ax = plot_area.find(q("c:valAx"))
    for el in list(plot_area):
        if _local(el) in ("barChart", "lineChart", "catAx", "valAx"):
            plot_area.remove(el)

    # bars before lines so lines are drawn on top; the primary axis pair first
    anchor = plot_area.find(q("c:layout"))
    pos = 0 if anchor is None else list(plot_area).index(anchor) + 1
    for kind, axis in (("bar", "left"), ("bar", "right"), ("line", "left"), ("line", "right")):
        members = [i for i, s in enumerate(plan.series) if (s.kind, s.axis) == (kind, axis)]
        if not members:
            continue
        plot = deepcopy(templates[kind])
        for idx, ser in _sers(plot).items():
            if idx not in members:
                plot.remove(ser)
        if axis == "right":
            _set_axids(plot, AX_CAT2, AX_VAL2)
        else:
            _set_axids(plot, AX_CAT, AX_VAL)
        plot_area.insert(pos, plot)
        pos += 1
    for ax, (aid, cross) in ((cat_ax, (AX_CAT, AX_VAL)), (val_ax, (AX_VAL, AX_CAT))):
        _child(ax, "c:axId", val=aid)
        _child(ax, "c:crossAx", val=cross)
        plot_area.insert(pos, ax)
        pos += 1
    if any(s.axis == "right" for s in plan.series):
        cat2, val2 = deepcopy(cat_ax), deepcopy(val_ax)
        _child(cat2, "c:axId", val=AX_CAT2)
        _child(cat2, "c:crossAx", val=AX_VAL2)
        _child(cat2, "c:delete", val=1)
        _child(val2, "c:axId", val=AX_VAL2)
        _child(val2, "c:crossAx", val=AX_CAT2)
        _child(val2, "c:axPos", val="r")
        # crosses max puts the secondary value axis at the right edge
        _child(val2, "c:crosses", val="max")
        mg = val2.find(q("c:majorGridlines"))
        if mg is not None:
            val2.remove(mg)
        plot_area.insert(pos, cat2)
        plot_area.insert(pos + 1, val2)
    return root


def chart_part_xml(spec: ChartSpec, *, east_asia_font: str,
                   latin_font: str = "Times New Roman") -> tuple[bytes, bytes]:
    """The chart part XML (``c:chartSpace``) and its embedded workbook (xlsx) for ``spec``.

    ``spec`` should have passed ``briefgen.charts.validate_spec``; its palette (the
    template's) or else the theme's colours are used. Missing values (None/NaN)
    stay gaps. hbar_rank rows are stored sorted as drawn.
    """
    spec = normalized(spec)
    plan = _plot_table(spec)
    fonts = _Fonts(east_asia_font, latin_font)
    root = _build_tree(spec, plan)
    _style(root, spec, plan, fonts)
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return xml, _workbook(plan)


def _workbook(plan: _Plan) -> bytes:
    """The embedded workbook: python-pptx's table of the chart data, plus the cell
    holding the donut's centre total."""
    # local: python-pptx (~0.07 s to import) loads only for a document with a native chart
    from pptx.chart.xlsx import CategoryWorkbookWriter

    centre = plan.centre
    stamp = source_date()

    class _Writer(CategoryWorkbookWriter):
        def _populate_worksheet(self, workbook: Any, worksheet: Any) -> None:
            super()._populate_worksheet(workbook, worksheet)
            if stamp is not None:  # reproducible builds: the workbook's creation time too
                workbook.set_properties({"created": datetime.datetime(*stamp)})
            if centre is not None:
                worksheet.write(CENTRE_HEAD, "图中合计")
                # the result is stored too: readers that do not recalculate show it
                worksheet.write_formula(CENTRE_CELL, centre[0], None, centre[1])

    return bytes(_Writer(_chart_data(plan, formulas=True)).xlsx_blob)


# --------------------------------------------------------------------------
# styling


def _style(root, spec: ChartSpec, plan: _Plan, fonts: _Fonts) -> None:
    chart = root.find(q("c:chart"))
    plot_area = chart.find(q("c:plotArea"))
    _child(root, "c:lang", val="zh-CN")
    _child(root, "c:roundedCorners", val=0)  # absent means rounded in Word
    # No chart title: the document prints the caption; LibreOffice would
    # otherwise invent one from a lone series name.
    t = chart.find(q("c:title"))
    if t is not None:
        chart.remove(t)
    _child(chart, "c:autoTitleDeleted", val=1)
    _child(chart, "c:plotVisOnly", val=1)
    # A ranking row without a value is a zero-length bar, so that its 无数据 label has a point to sit on.
    blanks = "zero" if spec.type == "hbar_rank" and any(v is None for v in plan.series[0].values) else "gap"
    _child(chart, "c:dispBlanksAs", val=blanks)
    _replace(root, _spPr(fill=WHITE, line=_ln(None)))
    _replace(root, fonts.txPr(FS_TICK))
    sp = plot_area.find(q("c:spPr"))
    if sp is None:
        plot_area.append(_spPr(no_fill=True, line=_ln(None)))
    frame = _frame(spec, plan)

    if spec.type in ("pie", "donut"):
        _style_pie(chart, plot_area, spec, plan, fonts, frame)
    else:
        # The plot (with its axis labels) fills the chart below the band that
        # holds 单位 and the legend, as in the PNG; left to itself the
        # application would give the unit title a column of its own.
        top = frame.top
        _replace(plot_area, _manual_layout(PAD / frame.W, top / frame.H, 1 - 2 * PAD / frame.W,
                                           1 - (top + PAD) / frame.H, target="outer"))
        _style_axes(plot_area, spec, plan, fonts, frame)
        _style_plots(plot_area, spec, plan, fonts, frame)

    # Number the series in drawing order: LibreOffice reads a legendEntry idx
    # as the entry's position, Excel as the series idx; this makes them agree.
    renumber: dict[int, int] = {}
    for k, ser in enumerate(plot_area.iterfind(f"*/{q('c:ser')}")):
        renumber[int(ser.find(q("c:idx")).get("val"))] = k
        ser.find(q("c:idx")).set("val", str(k))
        ser.find(q("c:order")).set("val", str(k))
    legend = chart.find(q("c:legend"))
    if legend is not None:
        chart.remove(legend)
    if frame.legend:
        legend = E("c:legend", E("c:legendPos", val="r" if spec.type in ("pie", "donut") else "t"))
        hidden = sorted(renumber[i] for i, s in enumerate(plan.series) if s.role != "data")
        for k in hidden:  # totals and the target explain themselves
            legend.append(E("c:legendEntry", E("c:idx", val=k), E("c:delete", val=1)))
        legend.append(E("c:overlay", val=0))
        legend.append(fonts.txPr(FS_LABEL))
        _insert(chart, legend)


@dataclass
class _Frame:
    """Chart size (pt) and the top band: where 单位 and the legend go."""

    W: float
    H: float
    legend: bool
    top: float  # pt above the plot rectangle
    unit_y: float  # pt from the top to the 单位 labels


def _frame(spec: ChartSpec, plan: _Plan) -> _Frame:
    W = spec.width_cm / 2.54 * 72
    H = spec.height_cm / 2.54 * 72
    data = [s for s in plan.series if s.role == "data"]
    pie = spec.type in ("pie", "donut")
    legend = (pie and not spec.labels) or (not pie and spec.type != "hbar_rank" and len(data) > 1)
    if pie:
        return _Frame(W, H, legend, PAD, PAD)
    units = [f"单位：{u}" for u in (plan.unit, plan.unit2) if u]
    uh = _glyph_h(FS_UNIT) if units else 0.0
    uw = max((_text_w(u, FS_UNIT) for u in units), default=0.0)
    if not legend:
        return _Frame(W, H, False, PAD + uh + (3 if uh else 0), PAD)
    widths = [2.0 * FS_LABEL + _text_w(s.name, FS_LABEL) for s in data]
    lw = sum(widths) + 1.5 * FS_LABEL * (len(widths) - 1)
    rows = max(1, math.ceil(lw / (W - 2 * PAD)))
    lh = rows * _glyph_h(FS_LABEL) + (rows - 1) * 0.4 * FS_LABEL + 4  # +4: the apps' padding
    if rows == 1 and (not uh or lw <= W - 2 * (uw + 10 + PAD)):
        return _Frame(W, H, True, PAD + max(lh, uh) + 3, PAD)
    # units go on their own row under the legend, right above the plot
    return _Frame(W, H, True, PAD + lh + 4 + uh + 3, PAD + lh + 4)


def _manual_layout(x: float, y: float, w: float | None = None, h: float | None = None,
                   target: str | None = None, mode: str = "edge"):
    ml = E("c:manualLayout")
    if target:
        ml.append(E("c:layoutTarget", val=target))
    ml.append(E("c:xMode", val=mode))
    ml.append(E("c:yMode", val=mode))
    ml.append(E("c:x", val=f"{x:.4f}"))
    ml.append(E("c:y", val=f"{y:.4f}"))
    if w is not None:
        ml.append(E("c:w", val=f"{max(w, 0.05):.4f}"))
        ml.append(E("c:h", val=f"{max(h or 0.0, 0.05):.4f}"))
    return E("c:layout", ml)


def _axis_title(fonts: _Fonts, text: str, x: float, y: float):
    """``单位：…`` as an upright axis title pinned to a corner of the chart."""
    return E("c:title", fonts.rich(text, FS_UNIT, MUTED), _manual_layout(x, y),
             E("c:overlay", val=0))


def _style_axes(plot_area, spec: ChartSpec, plan: _Plan, fonts: _Fonts, frame: _Frame) -> None:
    hbar = spec.type == "hbar_rank"
    n = len(plan.categories)
    for ax in plot_area.findall(q("c:catAx")):
        if ax.find(q("c:delete")).get("val") == "1":
            continue
        _child(ax, "c:majorTickMark", val="none")
        _child(ax, "c:minorTickMark", val="none")
        # "low" keeps category names at the plot's edge when values go negative
        _child(ax, "c:tickLblPos", val="low")
        _replace(ax, _spPr(line=_ln(SPINE, 0.8)))
        size = FS_LABEL
        if hbar:
            # rows shrink the names as in the PNG (never below 7 pt)
            row = (spec.height_cm / 2.54 * 72 - 12) / max(n, 1)
            size = max(7.0, min(FS_LABEL, row * 0.85))
            _child(_child(ax, "c:scaling"), "c:orientation", val="maxMin")  # rank 1 on top
        rot = None
        if not hbar:
            rot, size = _cat_labels(plan, frame)
        _replace(ax, fonts.txPr(size, rot=rot))
        _child(ax, "c:noMultiLvlLbl", val=0)
    for ax in plot_area.findall(q("c:valAx")):
        right = ax.find(q("c:axId")).get("val") == AX_VAL2
        _child(ax, "c:majorTickMark", val="none")
        _child(ax, "c:minorTickMark", val="none")
        _child(ax, "c:tickLblPos", val="nextTo")
        _replace(ax, E("c:numFmt", formatCode="General", sourceLinked=0))
        _replace(ax, _spPr(line=_ln(None)))
        _replace(ax, fonts.txPr(FS_TICK))
        _child(ax, "c:crossBetween", val="between")
        if not right:
            mg = _child(ax, "c:majorGridlines")
            for old in list(mg):
                mg.remove(old)
            mg.append(_spPr(line=_ln(GRID, 0.6)))
        unit = plan.unit2 if right else plan.unit
        if unit:
            text = f"单位：{unit}"
            x = (frame.W - PAD - _text_w(text, FS_UNIT) - 2) if right else PAD
            title = _axis_title(fonts, text, x / frame.W, frame.unit_y / frame.H)
            # hbar_rank hides its value axis, whose title would go with it
            _replace(plot_area.find(q("c:catAx")) if hbar else ax, title)
        if hbar:
            if spec.labels:
                # the PNG shows no value axis when every bar carries its value
                _child(ax, "c:delete", val=1)
                mg = ax.find(q("c:majorGridlines"))
                if mg is not None:
                    ax.remove(mg)
            else:
                _child(ax, "c:crosses", val="max")  # at the bottom, under the last rank


def _cat_labels(plan: _Plan, frame: _Frame) -> tuple[int | None, float]:
    """Category label angle and size as the PNG picks them: upright (the
    application wraps them) when every name fits in at most three lines of two
    or more characters, at 10.5 or else 9 pt; otherwise 45 degrees. An angle of
    None leaves a crowded axis to the application."""
    slot = (frame.W - 2 * PAD - 24) / max(len(plan.categories), 1)
    if slot < _glyph_h(FS_LABEL) + 2:
        return None, FS_TICK
    for size in (FS_LABEL, 9.0):
        ok = True
        for c in plan.categories:
            lines = math.ceil(_text_w(c, size) / max(slot - 3, 1.0))
            if lines > 3 or (lines > 1 and len(c) / lines < 2):
                ok = False
                break
        if ok:
            return 0, size
    return -2700000, FS_LABEL


def _bar_geometry(spec: ChartSpec, plan: _Plan, nbars: int) -> tuple[int, int]:
    """gapWidth and overlap (%) matching the PNG's bar widths."""
    if spec.type == "hbar_rank":
        return (61 if len(plan.categories) > 1 else 150), 0
    if spec.type == "stacked_bar" or nbars == 1:
        group, per = 0.55, 0.55
        overlap = 100 if spec.type == "stacked_bar" else 0
    else:
        group = 0.7 if nbars == 2 else 0.8
        per = group / nbars
        overlap = -9  # the PNG draws grouped bars at 92% of their slot
    # a lone bar should not fill the plot: at most ~42 pt wide (as the PNG)
    plot_w = spec.width_cm / 2.54 * 72 - 50
    slot = plot_w / max(len(plan.categories), 1)
    if per * slot > 42:
        per = 42 / slot
        group = per * (1 if overlap == 100 else nbars)
    gap = (1 - group) / per * 100
    return int(round(min(500, max(0, gap)))), overlap


def _label_text(v: float, fmt: str) -> str:
    d = fmt.split(".")[1].count("0") if "." in fmt else 0
    suffix = fmt.split('"')[1] if '"' in fmt else ""
    return f"{v:.{d}f}{suffix}"


def _dlbls(fonts: _Fonts, fmt: str, pos: str | None, size: float = FS_DATA, color: str = TEXT,
           rot: int | None = None, box: bool = False, **show):
    """``c:dLbls`` showing values formatted as ``fmt`` at ``pos``."""
    el = E("c:dLbls", E("c:numFmt", formatCode=fmt, sourceLinked=0),
           _spPr(fill=WHITE) if box else _spPr(no_fill=True, line=_ln(None)),
           fonts.txPr(size, color, rot=rot, wrap=False))
    if pos:
        el.append(E("c:dLblPos", val=pos))
    flags = dict(showLegendKey=0, showVal=1, showCatName=0, showSerName=0, showPercent=0,
                 showBubbleSize=0)
    flags.update({k: int(v) for k, v in show.items() if k in flags})
    for k, v in flags.items():
        el.append(E(f"c:{k}", val=v))
    if "separator" in show:
        el.append(E("c:separator", text=show["separator"]))
    if "showLeaderLines" in show:
        el.append(E("c:showLeaderLines", val=int(show["showLeaderLines"])))
        el.append(E("c:leaderLines", _spPr(line=_ln(SPINE, 0.6))))
    return el


def _dlbl(idx: int, template, *, delete: bool = False, color: str | None = None, fonts=None,
          size: float = FS_DATA, show=None):
    """A per-point ``c:dLbl`` copying ``template`` (a ``c:dLbls``), optionally recoloured."""
    if delete:
        return E("c:dLbl", E("c:idx", val=idx), E("c:delete", val=1))
    el = E("c:dLbl", E("c:idx", val=idx))
    for child in template:
        name = _local(child)
        if name in ("dLbl", "showLeaderLines", "leaderLines", "delete"):
            continue
        el.append(deepcopy(child))
    if color is not None:
        _replace(el, fonts.txPr(size, color, wrap=False))
    for k, v in (show or {}).items():
        _child(el, f"c:{k}", val=int(v))
    return el


def _ink_on(color: str) -> str:
    c = _rgb(color)
    r, g, b = (int(c[i:i + 2], 16) / 255 for i in (0, 2, 4))
    return TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else WHITE


def _style_plots(plot_area, spec: ChartSpec, plan: _Plan, fonts: _Fonts, frame: _Frame) -> None:
    hl_idx = plan.categories.index(plan.highlight) if plan.highlight is not None else None
    data_bars = [s for s in plan.series if s.kind == "bar" and s.role == "data"]
    single_bar = len([s for s in plan.series if s.role == "data"]) == 1 and len(data_bars) == 1
    for plot in plot_area:
        name = _local(plot)
        if name not in ("barChart", "lineChart"):
            continue
        _child(plot, "c:varyColors", val=0)
        if name == "barChart":
            nb = 1 if spec.type == "stacked_bar" else len(plot.findall(q("c:ser")))
            gap, overlap = _bar_geometry(spec, plan, nb)
            _child(plot, "c:gapWidth", val=gap)
            _child(plot, "c:overlap", val=overlap)
        else:
            _child(plot, "c:marker", val=1)
        for ser in plot.findall(q("c:ser")):
            i = int(ser.find(q("c:idx")).get("val"))
            s = plan.series[i]
            if name == "barChart":
                _style_bar_ser(ser, spec, plan, s, fonts, hl_idx if single_bar else None, nb, frame)
            else:
                _style_line_ser(ser, spec, s, fonts, _line_label_spots(plan, i), _line_label_pos(spec, plan, s))


def _line_label_spots(plan: _Plan, i: int) -> dict[int, str]:
    """Label positions differing from "above": where lines on one axis meet, the
    lowest point's label goes below and middle ones to the right, so labels of
    neighbouring lines do not cover each other (the apps never move them)."""
    me = plan.series[i]
    peers = [k for k, s in enumerate(plan.series)
             if s.kind == "line" and s.role == "data" and s.axis == me.axis]
    if me.role != "data" or len(peers) < 2:
        return {}
    out = {}
    for j, v in enumerate(me.values):
        if v is None:
            continue
        col = sorted((plan.series[k].values[j], k) for k in peers
                     if plan.series[k].values[j] is not None)
        if len(col) < 2:
            continue
        rank = [k for _v, k in col].index(i)
        if rank == 0:
            out[j] = "b"
        elif rank < len(col) - 1:
            out[j] = "r"
    return out


def _style_bar_ser(ser, spec, plan: _Plan, s: _Ser, fonts: _Fonts, hl_idx, nbars: int,
                   frame: _Frame) -> None:
    _replace(ser, _spPr(fill=s.color, line=_ln(None)))
    _child(ser, "c:invertIfNegative", val=0)
    accent = spec.accent
    if hl_idx is not None:
        _insert(ser, E("c:dPt", E("c:idx", val=hl_idx), E("c:invertIfNegative", val=0),
                       E("c:bubble3D", val=0), _spPr(fill=accent, line=_ln(None))))
    missing = [j for j, v in enumerate(s.values) if v is None] if spec.type == "hbar_rank" else []
    if not spec.labels:
        if missing:  # only the 无数据 labels
            _replace(ser, _missing_labels(_dlbls(fonts, s.fmt, "outEnd", showVal=0), missing, fonts))
        return
    if spec.type == "stacked_bar":
        # segment values inside, in ink that reads on the fill, as the PNG
        dl = _dlbls(fonts, s.fmt, "ctr", FS_SEGMENT, _ink_on(s.color))
        # A value that does not fit its segment is left out, as the PNG does;
        # the scale is the application's, so the top is guessed from the totals.
        tot = next((t for t in plan.series if t.role == "total"), None)
        top = max([v for v in (tot.values if tot else []) if v is not None] + [0.0]) * 1.15
        plot_h = frame.H - frame.top - PAD - _glyph_h(FS_LABEL) - 10
        bar_w = (frame.W - 2 * PAD - 40) / max(len(plan.categories), 1) * 0.55
        for j, v in enumerate(s.values):
            if v is None or top <= 0:
                continue
            if abs(v) / top * plot_h < _glyph_h(FS_SEGMENT) + 3 or \
                    _text_w(_label_text(v, s.fmt), FS_SEGMENT) > bar_w - 2:
                dl.insert(len(dl.findall(q("c:dLbl"))), _dlbl(j, dl, delete=True))
    else:
        rot, size = None, FS_DATA
        if spec.type != "hbar_rank":
            # As the PNG: 9 pt, else 8 pt, else turned upright when still too wide.
            texts = [_label_text(v, s.fmt) for v in s.values if v is not None]
            slot = (frame.W - 40) / max(len(plan.categories), 1)
            room = slot - 3 if nbars == 1 else slot * 0.8 / nbars + 1
            fits = [fs for fs in (FS_DATA, 8.0)
                    if max((_text_w(t, fs) for t in texts), default=0) <= room]
            if fits:
                size = fits[0]
            else:
                rot, size = -5400000, 8.0
        dl = _dlbls(fonts, s.fmt, "outEnd", size, TEXT, rot=rot)
        if spec.type == "hbar_rank" and hl_idx is not None:
            dl.insert(0, _dlbl(hl_idx, dl, color=accent, fonts=fonts))
        _missing_labels(dl, missing, fonts)
    _replace(ser, dl)


def _missing_labels(dl, missing: list[int], fonts: _Fonts):
    """``dl`` with a label reading 无数据 (muted, as the drawing) at each point in `missing`."""
    for j in missing:
        el = _dlbl(j, dl, color=MUTED, fonts=fonts, show={"showVal": 1})
        _insert(el, fonts.rich(MISSING_TEXT, FS_DATA, MUTED))
        dl.insert(len(dl.findall(q("c:dLbl"))), el)
    return dl


def _line_label_pos(spec: ChartSpec, plan: _Plan, s: _Ser) -> str:
    """Where a line's values go: above the points, except for a right-axis line over
    labelled bars. The applications scale both axes to fill the plot, so the tallest
    bar and the highest point (both growing, typically in the last period) meet near
    the top, where a label above the point would cover the bar's own value."""
    labelled_bars = spec.labels and any(x.kind == "bar" and x.role == "data" for x in plan.series)
    return "b" if labelled_bars and s.axis == "right" else "t"


def _style_line_ser(ser, spec, s: _Ser, fonts: _Fonts, spots: dict[int, str], pos: str = "t") -> None:
    if s.role == "total":
        # invisible carrier of the stack totals, labelled above each stack
        _replace(ser, _spPr(line=_ln(None)))
        _replace(ser, E("c:marker", E("c:symbol", val="none")))
        _replace(ser, _dlbls(fonts, s.fmt, "t", FS_DATA, TEXT))
        _child(ser, "c:smooth", val=0)
        return
    if s.role == "target":
        _replace(ser, _spPr(line=_ln(s.color, 1.0, dash="dash")))
        _replace(ser, E("c:marker", E("c:symbol", val="none")))
        # one label, at the right end, as "目标值 5.0"
        n = len(s.values)
        tmpl = _dlbls(fonts, s.fmt, "t", FS_DATA, s.color, box=True, showSerName=1, separator=" ")
        dl = E("c:dLbls", *[_dlbl(j, tmpl, delete=True) for j in range(n - 1)])
        dl.append(_dlbl(n - 1, tmpl))
        for child in tmpl:
            if _local(child) in ("numFmt", "spPr", "txPr"):
                continue
            dl.append(deepcopy(child))
        _child(dl, "c:showVal", val=0)
        _child(dl, "c:showSerName", val=0)
        _replace(ser, dl)
        _child(ser, "c:smooth", val=0)
        return
    _replace(ser, _spPr(line=_ln(s.color, 1.8, cap="rnd")))
    _replace(ser, E("c:marker", E("c:symbol", val="circle"), E("c:size", val=5),
                    _spPr(fill=s.color, line=_ln(WHITE, 0.6))))
    if spec.labels:
        # beside the point (see _line_label_pos) on a white ground, in the line's colour, as the PNG
        dl = _dlbls(fonts, s.fmt, pos, FS_DATA, s.color, box=True)
        for k, (j, spot) in enumerate(sorted(spots.items())):
            pt = _dlbl(j, dl)
            _child(pt, "c:dLblPos", val=spot)
            dl.insert(k, pt)
        _replace(ser, dl)
    _child(ser, "c:smooth", val=0)


def _pie_colors(spec: ChartSpec, plan: _Plan, items: list[int]) -> dict[int, str]:
    """Slice colours as the PNG (the accent only for the highlight, first and last differ);
    slices the PNG leaves out (missing, zero) keep a plain colour for when data are entered."""
    drawn = policy.slice_colors(spec, [plan.categories[j] for j in items], plan.highlight)
    colors = dict(zip(items, drawn))
    plain = plain_colors(spec)
    for j in range(len(plan.categories)):
        colors.setdefault(j, plain[j % len(plain)])
    return colors


@dataclass
class _PieLayout:
    r: float  # radius, pt
    cx: float
    cy: float
    fs: float  # label size
    labels: dict[int, tuple[float, float, float]]  # slice -> label centre x, y (pt), mid angle


def _pie_layout(frame: _Frame, values: dict[int, float], items: list[int],
                texts: dict[int, str]) -> _PieLayout:
    """The PNG's pie geometry: radius leaving room for outside labels, labels
    stacked on the side of their slice and pushed apart so none overlap."""
    W, H = frame.W, frame.H
    ah, aw = H - 2 * PAD, W - 2 * PAD
    total = sum(values[j] for j in items)
    mids, cum = {}, 0.0
    for j in items:
        mids[j] = math.radians(90 - 360 * (cum + values[j] / 2) / total)
        cum += values[j]
    per_side = {1: 0, -1: 0}
    for a in mids.values():
        per_side[1 if math.cos(a) >= 0 else -1] += 1
    fs = FS_LABEL
    while fs > 8.0 and max(per_side.values()) * _glyph_h(fs) * 1.2 * 1.02 > ah:
        fs -= 0.5
    lh = _glyph_h(fs) * 1.2
    lab_w = max(_text_w(t, fs) for t in texts.values())
    r = max(20.0, min(ah / 2 - lh / 2 - 2, (aw / 2 - lab_w - 12) / 1.18))
    cx, cy = W / 2, H / 2
    gap, half = lh * 1.02, ah / 2 - lh / 2
    sides: dict[int, list[list[float]]] = {1: [], -1: []}
    for j, a in mids.items():
        sides[1 if math.cos(a) >= 0 else -1].append([r * 1.12 * math.sin(a), j])
    labels = {}
    for side, lst in sides.items():
        if not lst:
            continue
        lst.sort()
        lst[0][0] = max(lst[0][0], -half)
        for below, above in zip(lst, lst[1:]):
            above[0] = max(above[0], below[0] + gap)
        lst[-1][0] = min(lst[-1][0], half)
        for below, above in zip(reversed(lst[:-1]), reversed(lst[1:])):
            below[0] = min(below[0], above[0] - gap)
        for y, jf in lst:
            j = int(jf)
            w = _text_w(texts[j], fs)
            x = cx + side * (r * 1.18 + 3 + w / 2)
            labels[j] = (x, cy - y, mids[j])
    return _PieLayout(r, cx, cy, fs, labels)


def _style_pie(chart, plot_area, spec: ChartSpec, plan: _Plan, fonts: _Fonts,
               frame: _Frame) -> None:
    donut = spec.type == "donut"
    plot = plot_area.find(q("c:doughnutChart" if donut else "c:pieChart"))
    _child(plot, "c:varyColors", val=1)
    _child(plot, "c:firstSliceAng", val=0)  # from 12 o'clock, clockwise, as the PNG
    hole = 58  # the PNG's ring is 42% of the radius wide
    if donut:
        _child(plot, "c:holeSize", val=hole)
    dl = plot.find(q("c:dLbls"))
    if dl is not None:
        plot.remove(dl)
    ser = plot.find(q("c:ser"))
    s = plan.series[0]
    src = spec.series[0]
    items = [j for j, v in enumerate(s.values) if v is not None and v > 0]
    colors = _pie_colors(spec, plan, items)
    hl = plan.categories.index(plan.highlight) if plan.highlight else None
    _replace(ser, _spPr(line=_ln(WHITE, 1.0)))
    for j in range(len(plan.categories)):
        pt = E("c:dPt", E("c:idx", val=j), E("c:bubble3D", val=0))
        pt.append(_spPr(fill=colors[j], line=_ln(WHITE, 1.0)))
        _insert(ser, pt)
    if not spec.labels or not items:
        return
    dp = src.decimals if (src.decimals is not None and src.unit in ("%", "％")) else 1
    pct = _number_format(dp) + "%"
    vals = {j: float(s.values[j] or 0.0) for j in items}
    total = sum(vals.values())
    texts = {j: f"{plan.categories[j]} {vals[j] / total * 100:.{dp}f}%" for j in items}
    lay = _pie_layout(frame, vals, items, texts)
    W, H = frame.W, frame.H
    # The pie's square is fixed so the label offsets below land where computed.
    _replace(plot_area, _manual_layout((lay.cx - lay.r) / W, (lay.cy - lay.r) / H,
                                       2 * lay.r / W, 2 * lay.r / H, target="inner"))
    # Doughnut charts take no label position (Word rejects dLblPos there): its
    # labels start at the middle of the ring and are moved out from there; the
    # pie's start just outside the edge, where the apps agree well enough.
    tmpl = _dlbls(fonts, pct, None if donut else "outEnd", lay.fs, TEXT, showVal=0, showCatName=1,
                  showPercent=1, separator=" ", showLeaderLines=1)
    points = []
    for j in range(len(plan.categories)):
        if j not in items:
            points.append(_dlbl(j, tmpl, delete=True))  # no "0.0%" for a missing slice
            continue
        pt = _dlbl(j, tmpl, color=spec.accent if j == hl else None, fonts=fonts, size=lay.fs)
        if donut:
            x, y, a = lay.labels[j]
            r0 = lay.r * (1 + hole / 100) / 2
            dx = (x - (lay.cx + r0 * math.cos(a))) / W
            dy = (y - (lay.cy - r0 * math.sin(a))) / H
            _replace(pt, E("c:layout", E("c:manualLayout", E("c:x", val=f"{dx:.4f}"),
                                         E("c:y", val=f"{dy:.4f}"))))
        points.append(pt)
    for k, el in enumerate(points):
        tmpl.insert(k, el)
    _replace(ser, tmpl)
    if donut and plan.centre is not None:
        _centre_title(chart, fonts, plan.centre[1], lay, frame)


def _centre_title(chart: Any, fonts: _Fonts, text: str, lay: _PieLayout, frame: _Frame) -> None:
    """合计 in the donut's hole: a chart title overlaying the plot, its text linked to
    the workbook cell that sums the data, so an edit moves it too."""
    lines = text.split("\n")
    w = max(_text_w(line, FS_LABEL) for line in lines) + 8
    h = len(lines) * FS_LABEL * 1.4 + 6
    title = E("c:title",
              E("c:tx", E("c:strRef", E("c:f", text=CENTRE_REF),
                          E("c:strCache", E("c:ptCount", val=1),
                            E("c:pt", E("c:v", text=text), idx=0)))),
              _manual_layout((lay.cx - w / 2) / frame.W, (lay.cy - h / 2) / frame.H),
              E("c:overlay", val=1), fonts.txPr(FS_LABEL))
    _replace(chart, title)
    _child(chart, "c:autoTitleDeleted", val=0)


# --------------------------------------------------------------------------
# DOCX insertion


def _story_part(document, target):
    part = getattr(target, "part", None)
    return part if part is not None else document.part


def _next_docpr_id(document, part) -> int:
    """A ``wp:docPr`` id unused in the body and in the story holding the chart."""
    ids = {document.part.next_id}
    if part is not document.part and hasattr(part, "next_id"):
        ids.add(part.next_id)
    return max(ids)


def add_chart(document: Any, paragraph_or_run: Any, spec: ChartSpec, *, width_emu: int, height_emu: int,
              east_asia_font: str, latin_font: str = "Times New Roman",
              fallback_png: Path | None = None) -> Any:
    """Insert ``spec`` as an editable native chart, inline, into a python-docx document.

    ``paragraph_or_run``: a python-docx Paragraph (a new run is added) or Run.
    Adds ``/word/charts/chartN.xml`` related from the story part holding the
    paragraph, and its workbook ``/word/embeddings/Microsoft_Excel_SheetN.xlsx``
    (Word's 编辑数据). The caption (``spec.title``) becomes the alt text.
    With ``fallback_png`` the chart goes into ``mc:AlternateContent``: the chart
    as the choice for consumers that know Word 2010's namespace (``w14``; Word
    2010+ and LibreOffice take it), the picture as the fallback for the rest.
    Returns the chart part.
    """
    run = paragraph_or_run
    if isinstance(run, Paragraph):
        run = run.add_run()
    part = _story_part(document, run)
    package = part.package
    # The layout heuristics (label rotation, bar width) use the printed size.
    sized = replace(spec, width_cm=width_emu / 360000, height_cm=height_emu / 360000)
    xml, xlsx = chart_part_xml(sized, east_asia_font=east_asia_font, latin_font=latin_font)
    chart_el = etree.fromstring(xml)
    chart_part = XmlPart(package.next_partname("/word/charts/chart%d.xml"), CT_CHART, chart_el,
                         package)
    rid = part.relate_to(chart_part, RT_CHART)
    # named after the chart part is related, so next_partname sees the chart's workbook numbers
    xlsx_part = Part(package.next_partname("/word/embeddings/Microsoft_Excel_Sheet%d.xlsx"),
                     CT_XLSX, xlsx, package)
    xrid = chart_part.relate_to(xlsx_part, RT_PACKAGE)
    ext = _child(chart_el, "c:externalData")
    ext.set(q("r:id"), xrid)
    for old in list(ext):
        ext.remove(old)
    ext.append(E("c:autoUpdate", val=0))  # embedded data: nothing to refresh from

    doc_id = _next_docpr_id(document, part)
    descr = (spec.title or "").strip()
    inline = parse_xml(
        f'<wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{NS["wp"]}" '
        f'xmlns:a="{NS["a"]}" xmlns:c="{NS["c"]}" xmlns:r="{NS["r"]}">'
        f'<wp:extent cx="{int(width_emu)}" cy="{int(height_emu)}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{doc_id}" name="Chart {doc_id}"/>'
        "<wp:cNvGraphicFramePr/>"
        f'<a:graphic><a:graphicData uri="{CHART_URI}"><c:chart r:id="{rid}"/></a:graphicData>'
        "</a:graphic></wp:inline>")
    if descr:
        inline.find(q("wp:docPr")).set("descr", descr)  # attribute: no escaping worries
    drawing = parse_xml(f'<w:drawing xmlns:w="{NS["w"]}"/>')
    drawing.append(inline)
    if fallback_png is None:
        run._r.append(drawing)
        return chart_part
    # Requires="c" would be the natural gate, but LibreOffice takes a choice
    # only for wps/wpg/w14 and would then show the picture instead of the chart.
    pic = part.new_pic_inline(str(fallback_png), width_emu, height_emu)
    pic_pr = pic.find(q("wp:docPr"))
    # the chart's drawing is not in the tree yet, so next_id could not see its id
    pic_pr.set("id", str(max(doc_id + 1, int(pic_pr.get("id")))))
    if descr:
        pic_pr.set("descr", descr)
    alt = parse_xml(
        f'<mc:AlternateContent xmlns:mc="{NS["mc"]}" xmlns:w14="{NS_W14}">'
        '<mc:Choice Requires="w14"/><mc:Fallback/></mc:AlternateContent>')
    alt[0].append(drawing)
    fallback = parse_xml(f'<w:drawing xmlns:w="{NS["w"]}"/>')
    fallback.append(pic)
    alt[1].append(fallback)
    run._r.append(alt)
    return chart_part
