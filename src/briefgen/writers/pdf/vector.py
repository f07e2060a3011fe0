"""Vector charts on the PDF page: a :class:`~briefgen.charts.vector.VectorChart` painted
with reportlab's path operators, its text set in the document's own embedded fonts.

The chart's labels are real text (searchable, copyable, sharp at any zoom) drawn
with the same face matplotlib measured them with (the chart font is the primary
face of the heading role, see ``pipeline``), so alignment is matplotlib's; glyphs
that face lacks fall back along the role's font chain like the body text does.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib import colors
from reportlab.pdfgen.canvas import FILL_NON_ZERO
from reportlab.platypus import Flowable

from briefgen.charts.vector import Label, Shape, VectorChart
from briefgen.writers.pdf.fonts import PdfFonts

__all__ = ["VectorFigure", "CHART_ROLE"]

# The font role whose primary face draws the charts (``pipeline.make_builder``).
CHART_ROLE = "heading1"

_CAPS = {"butt": 0, "round": 1, "projecting": 2}
_JOINS = {"miter": 0, "round": 1, "bevel": 2}


class VectorFigure(Flowable):
    """A vector chart scaled to ``width`` points, keeping its aspect ratio."""

    def __init__(self, chart: VectorChart, width: float, fonts: PdfFonts, role: str = CHART_ROLE):
        super().__init__()
        self.hAlign = "CENTER"  # as platypus centres the PNG of the image route
        self.chart = chart
        self.scale = width / chart.width
        self.width = width
        self.height = chart.height * self.scale
        self.fonts = fonts
        # Spans now: the writer registers its fonts (subsets) before anything is drawn.
        self.spans = {i: fonts.spans(it.text, role, it.size, it.color, it.bold)
                      for i, it in enumerate(chart.items) if isinstance(it, Label)}

    def wrap(self, aw: float, ah: float) -> tuple[float, float]:
        """The chart's printed size."""
        return self.width, self.height

    def draw(self) -> None:
        """Paint every shape and label in order, each clip set once per run of items sharing it."""
        c = self.canv
        c.saveState()
        c.scale(self.scale, self.scale)
        clip: Any = None
        clipped = False
        for i, it in enumerate(self.chart.items):
            want = (it.clip, it.clip_path if isinstance(it, Shape) else None)
            if want != clip:
                if clipped:
                    c.restoreState()
                clip, clipped = want, want != (None, None)
                if clipped:
                    c.saveState()
                    self._clip(*want)
            if isinstance(it, Shape):
                self._shape(it)
            else:
                self._label(it, self.spans[i])
        if clipped:
            c.restoreState()
        c.restoreState()

    def _clip(self, rect: Any, path: Any) -> None:
        c = self.canv
        if rect is not None:
            p = c.beginPath()
            p.rect(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1])
            c.clipPath(p, stroke=0, fill=0, fillMode=FILL_NON_ZERO)
        if path is not None:
            c.clipPath(self._path(path), stroke=0, fill=0, fillMode=FILL_NON_ZERO)

    def _path(self, ops: Any) -> Any:
        p = self.canv.beginPath()
        for op in ops:
            kind = op[0]
            if kind == "M":
                p.moveTo(op[1], op[2])
            elif kind == "L":
                p.lineTo(op[1], op[2])
            elif kind == "C":
                p.curveTo(*op[1:7])
            elif kind == "Z":
                p.close()
        return p

    def _shape(self, s: Shape) -> None:
        c = self.canv
        alpha = s.fill_alpha < 1 or s.stroke_alpha < 1
        if alpha:
            c.saveState()
        if s.fill is not None:
            c.setFillColor(colors.HexColor(s.fill))
            if s.fill_alpha < 1:
                c.setFillAlpha(s.fill_alpha)
        if s.stroke is not None:
            c.setStrokeColor(colors.HexColor(s.stroke))
            if s.stroke_alpha < 1:
                c.setStrokeAlpha(s.stroke_alpha)
            c.setLineWidth(s.width)
            c.setLineCap(_CAPS.get(s.cap, 0))
            c.setLineJoin(_JOINS.get(s.join, 0))
            if s.dash is not None:
                c.setDash(list(s.dash[1]), s.dash[0])
        c.drawPath(self._path(s.path), stroke=int(s.stroke is not None), fill=int(s.fill is not None),
                   fillMode=FILL_NON_ZERO)
        if s.stroke is not None and s.dash is not None:
            c.setDash([], 0)
        if alpha:
            c.restoreState()

    def _label(self, t: Label, spans: list[Any]) -> None:
        c = self.canv
        c.saveState()
        c.translate(t.x, t.y)
        if t.angle:
            c.rotate(t.angle)
        if t.alpha < 1:
            c.setFillAlpha(t.alpha)
        x = 0.0
        for span in spans:
            face, size, color, bold = span.style
            font = self.fonts.name(span.style)
            c.setFillColor(colors.HexColor(color))
            text = c.beginText(x, 0)
            text.setFont(font, size)
            if bold:
                # as ZhPara: CJK faces rarely have a bold weight, so a thin outline thickens it
                text.setTextRenderMode(2)
                c.setStrokeColor(colors.HexColor(color))
                c.setLineWidth(size * 0.03)
            text.textOut(span.text)
            c.drawText(text)
            x += self.fonts.measure(span.text, span.style)
        c.restoreState()
