"""The common canvas every chart kind draws on: figure geometry in points, text
measurement, colour policy, and the bands around the plot (title, legend, units, source)."""

from __future__ import annotations

import math
import re
from typing import Any

from matplotlib.colors import to_rgb
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from briefgen.charts.policy import highlight, palette, plain_colors, series_colors
from briefgen.charts.spec import ChartSpec, Series
from briefgen.charts.text import Measure
from briefgen.charts.theme import (
    FS_LEGEND,
    FS_SOURCE,
    FS_TITLE,
    FS_UNIT,
    MUTED,
    PAD,
    TEXT,
)

__all__ = ["Canvas", "ink_on"]

LegendEntry = tuple[str, Any]  # (label, matplotlib handle)


def ink_on(color: str | None) -> str:
    """Text colour readable on the fill ``color``: white on dark, near-black on light or none."""
    if color is None:
        return TEXT
    r, g, b = to_rgb(color)
    return TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"


class Canvas:
    """A figure at its printed size ``W`` × ``H`` points for ``spec``, with the
    measurer, colours and highlighted category (``hl``, None if absent) the kinds share.

    The bands are drawn top-down by the kind, which then places its axes in what
    is left: ``top_band`` and ``bottom_band`` return the points they took.
    """

    def __init__(self, spec: ChartSpec, fig):
        self.spec = spec
        self.fig = fig
        self.m = Measure(fig)
        self.W = spec.width_cm / 2.54 * 72
        self.H = spec.height_cm / 2.54 * 72
        self.colors = palette(spec)
        self.hl = highlight(spec)

    def fx(self, pt: float) -> float:
        """Points across as a figure fraction."""
        return pt / self.W

    def fy(self, pt: float) -> float:
        """Points up as a figure fraction."""
        return pt / self.H

    # -- colours ---------------------------------------------------------------
    def base_color(self) -> str:
        """First palette colour that is not the accent, for single-colour bars."""
        return self.plain_colors()[0]

    def plain_colors(self) -> list[str]:
        """The palette without the accent (kept for emphasis), unless nothing else is left."""
        return plain_colors(self.spec)

    def series_colors(self, kinds: list[str]) -> list[str]:
        """One colour per series of the given kinds ("bar" | "line"), see :func:`policy.series_colors`."""
        return series_colors(self.spec, kinds)

    # -- bands: title, legend, units, source -----------------------------------
    def legend_entries(self, series: list[tuple[Series, str, str]]) -> list[LegendEntry]:
        """Legend handles for (series, kind, colour) triples: a patch for bars, a marked line for lines."""
        out = []
        for s, kind, color in series:
            h: Any
            if kind == "bar":
                h = Patch(facecolor=color, edgecolor="none")
            else:
                h = Line2D([], [], color=color, lw=1.8, marker="o", markersize=4.5,
                           markeredgecolor="white", markeredgewidth=0.6)
            out.append((s.name, h))
        return out

    def top_band(self, legend: list[LegendEntry], units: tuple[str, str]) -> float:
        """Draw title, legend (if two entries or more) and the (left, right) unit
        labels at the top; return the height used (pt)."""
        m, spec = self.m, self.spec
        y = PAD
        if spec.show_title and spec.title:
            self.fig.text(0.5, 1 - self.fy(y), spec.title, ha="center", va="top",
                          fontsize=FS_TITLE, color=TEXT)
            y += m.glyph_h(FS_TITLE) + 5
        unit_l = f"单位：{units[0]}" if units[0] else ""
        unit_r = f"单位：{units[1]}" if units[1] else ""
        uw = max(m.width(unit_l, FS_UNIT), m.width(unit_r, FS_UNIT))
        uh = m.glyph_h(FS_UNIT) if (unit_l or unit_r) else 0.0
        if len(legend) < 2:
            self._units(unit_l, unit_r, y)
            return y + uh + (3 if uh else 0)
        ncol, rows, lw = self._legend_shape(legend)
        if rows > 1:
            # matplotlib fills columns first; reorder so rows read in series order
            legend = [legend[r * ncol + c] for c in range(ncol) for r in range(rows)
                      if r * ncol + c < len(legend)]
        lh = rows * m.glyph_h(FS_LEGEND) + (rows - 1) * 0.4 * FS_LEGEND
        same_row = rows == 1 and (not uh or lw <= self.W - 2 * (uw + 10 + PAD))
        self.fig.legend(
            [h for _, h in legend], [n for n, _ in legend], loc="upper center",
            bbox_to_anchor=(0.5, 1 - self.fy(y)), ncols=ncol,
            frameon=False, fontsize=FS_LEGEND, handlelength=1.6, handleheight=0.7,
            handletextpad=0.4, columnspacing=1.5, borderpad=0.0, borderaxespad=0.0,
            labelspacing=0.4,
        )
        if same_row:
            self._units(unit_l, unit_r, y)
            return y + max(lh, uh) + 3
        # units go on their own row under the legend, right above the plot
        self._units(unit_l, unit_r, y + lh + 4)
        return y + lh + 4 + uh + (3 if uh else 0)

    def _legend_shape(self, legend: list[LegendEntry]) -> tuple[int, int, float]:
        """(columns, rows, width) of the widest legend layout that fits the figure."""
        m = self.m
        ws = [(1.6 + 0.4) * FS_LEGEND + m.width(n, FS_LEGEND) for n, _ in legend]
        gap = 1.5 * FS_LEGEND
        for ncol in range(len(ws), 0, -1):
            rows = math.ceil(len(ws) / ncol)
            colw = [max(ws[c::ncol]) for c in range(ncol)]
            total = sum(colw) + gap * (ncol - 1)
            if total <= self.W - 2 * PAD or ncol == 1:
                return ncol, rows, total
        raise AssertionError("unreachable")

    def _units(self, left: str, right: str, y: float) -> None:
        if left:
            self.fig.text(self.fx(PAD), 1 - self.fy(y), left, ha="left", va="top",
                          fontsize=FS_UNIT, color=MUTED)
        if right:
            self.fig.text(1 - self.fx(PAD), 1 - self.fy(y), right, ha="right", va="top",
                          fontsize=FS_UNIT, color=MUTED)

    def bottom_band(self) -> float:
        """Draw the source line if the spec asks for it; return the height used (pt)."""
        spec = self.spec
        if not (spec.source_in_image and spec.source):
            return PAD
        text = spec.source.strip()
        if not re.match(r"^(数据|资料)?来源", text):
            text = "数据来源：" + text
        self.fig.text(self.fx(PAD), self.fy(PAD), text, ha="left", va="bottom",
                      fontsize=FS_SOURCE, color=MUTED)
        return PAD + self.m.glyph_h(FS_SOURCE) + 9
