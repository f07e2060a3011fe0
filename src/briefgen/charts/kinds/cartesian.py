"""Cartesian charts (bar, line, bar_line, stacked_bar): categories along x, values
on a left and, when needed, a right axis sharing its grid lines.

The layout is decided first (``cartesian_layout``), then axes, lines and bars are
drawn, and last the data labels are placed greedily so none collide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from briefgen.charts.canvas import Canvas, ink_on
from briefgen.charts.kinds.cartesian_layout import (
    Plotted,
    axis_of,
    kind_of,
    label_mode,
    shared_unit,
    stack_base,
    stack_totals,
    total_labels,
    value_labels,
    y_limits,
)
from briefgen.charts.numfmt import fmt, series_decimals
from briefgen.charts.placement import Box, Placer
from briefgen.charts.scales import step_decimals
from briefgen.charts.spec import present
from briefgen.charts.text import XLabels, fit_xlabels
from briefgen.charts.theme import FS_DATA, FS_TICK, GRID, HIGHLIGHT_BAND, PAD, SPINE, TEXT

__all__ = ["draw"]

MAX_BAR = 42.0  # pt (~1.5 cm): a lone bar should not fill the plot


def draw(c: Canvas) -> None:
    """Draw a bar, line, bar_line or stacked_bar chart of ``c.spec`` on ``c``."""
    _Cartesian(c).draw()


@dataclass
class _Layout:
    """Where the plot sits (pt) once tick and category labels are measured."""

    left: float  # margin left of the plot
    aw: float  # plot width
    ah: float  # plot height
    slot: float  # width per category
    bw: float  # bar width, as a fraction of the slot
    xl: XLabels
    mode: dict[str, Any]  # label_mode()
    lim: dict[str, Any]  # y_limits()


# (axes, x, value, label, colour, bar box, inside a stack?)
_BarJob = tuple[Any, float, float, str, str, Box, bool]


class _Cartesian:
    def __init__(self, c: Canvas):
        self.c, self.spec, self.m = c, c.spec, c.m
        spec = c.spec
        self.n = len(spec.categories)
        self.stacked = spec.type == "stacked_bar"
        colors = c.series_colors([kind_of(spec, s) for s in spec.series])
        self.ser = [Plotted(s, kind_of(spec, s), colors[i], axis_of(spec, s))
                    for i, s in enumerate(spec.series)]
        self.bars = [p for p in self.ser if p.kind == "bar"]
        self.single_bar = len(self.ser) == 1 and self.ser[0].kind == "bar"
        self.has_right = any(p.axis == "right" for p in self.ser)
        self.nb = 1 if self.stacked else max(1, len(self.bars))  # bars side by side per slot
        self.labels = value_labels(self.ser)
        # Per category sums of the stacked bars (empty when the bars stand side by side).
        self.stack_tot = stack_totals(self.ser, self.n) if self.stacked else []
        self.tot_labels = total_labels(self.bars, self.stack_tot) if self.stacked else {}
        self.slot = self.ah = 0.0  # set by draw(), used by _pt()

    def draw(self) -> None:
        top = self._top_band()
        bottom = self.c.bottom_band()
        lay = self._layout(top, bottom)
        self.slot, self.ah = lay.slot, lay.ah
        ax, ax2 = self._axes(lay, bottom)
        self._x_axis(ax, lay.xl)
        placer = Placer(lay.aw, lay.ah)
        # Lines are registered first so that every label, bar or line, can
        # keep clear of them.
        drawn = self._lines(ax, ax2, placer)
        bar_jobs = self._bars(ax, ax2, placer, lay.bw)
        self._data_labels(ax, lay.mode, placer, drawn, bar_jobs)

    def _top_band(self) -> float:
        spec, ser = self.spec, self.ser
        units = (spec.unit or shared_unit([p.series for p in ser if p.axis == "left"]),
                 (spec.unit2 or shared_unit([p.series for p in ser if p.axis == "right"]))
                 if self.has_right else "")
        legend = (self.c.legend_entries([(p.series, p.kind, p.color) for p in ser])
                  if len(ser) >= 2 else [])
        top = self.c.top_band(legend, units)
        return top + self.m.glyph_h(FS_TICK) / 2 + 1  # the top tick label rises above the plot

    def _layout(self, top: float, bottom: float) -> _Layout:
        """Settle the plot's margins.

        The plot width depends on the tick labels, which depend on the limits,
        which depend on the plot height left by the category labels: start from
        a guess and settle in a couple of rounds.
        """
        c, m = self.c, self.m
        group = 0.55 if self.nb == 1 else (0.7 if self.nb == 2 else 0.8)
        bw0 = group / self.nb
        widest = max(self.labels.values(), key=len, default="0")
        left_pt = PAD + m.width(widest, FS_TICK) + 5
        right_pt = left_pt if self.has_right else PAD + 2
        for _ in range(3):
            aw = c.W - left_pt - right_pt
            slot = aw / self.n
            xl = fit_xlabels(m, self.spec.categories, slot)
            ah = c.H - top - bottom - xl.height - 5
            bw = min(bw0, MAX_BAR / slot)
            mode = label_mode(m, self.spec.labels, self.labels, self.ser, slot * bw, slot,
                              self.stacked, self.tot_labels)
            lim = y_limits(m, self.ser, self.labels, ah, mode, self.stacked, self.stack_tot,
                           self.spec.target)
            new_l = max(PAD + lim["lw"] + 5, xl.overhang - slot / 2 + PAD)
            new_r = (PAD + lim["rw"] + 5) if self.has_right else PAD + 2
            if abs(new_l - left_pt) < 0.5 and abs(new_r - right_pt) < 0.5:
                break
            left_pt, right_pt = new_l, new_r
        # after three rounds without settling, the last margins stand with the
        # labels measured for the round before
        aw = c.W - left_pt - right_pt
        slot = aw / self.n
        return _Layout(left_pt, aw, ah, slot, min(bw0, MAX_BAR / slot), xl, mode, lim)

    def _axes(self, lay: _Layout, bottom: float):
        """The left axes and, if any series is on the right, its twin; value ticks and grid."""
        c = self.c
        ax = c.fig.add_axes((c.fx(lay.left), c.fy(bottom + lay.xl.height + 5),
                             c.fx(lay.aw), c.fy(lay.ah)))
        ax2 = ax.twinx() if self.has_right else None
        for a in (ax, ax2):
            if a is None:
                continue
            a.set_facecolor("none")
            for side in ("top", "right", "left"):
                a.spines[side].set_visible(False)
            a.spines["bottom"].set_visible(a is ax)
            a.spines["bottom"].set_color(SPINE)
            a.spines["bottom"].set_linewidth(0.8)
            a.tick_params(axis="y", length=0, labelsize=FS_TICK, pad=4, colors=TEXT)
            a.set_xlim(-0.5, self.n - 0.5)
        lo, hi, step = lay.lim["left"]
        ax.set_ylim(lo, hi)
        ticks = [lo + k * step for k in range(round((hi - lo) / step) + 1)]
        ax.set_yticks(ticks, [fmt(t, step_decimals(step)) for t in ticks])
        ax.yaxis.grid(True, color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        if lo < 0 < hi:
            ax.axhline(0, color=SPINE, lw=0.8, zorder=1.5)
        if ax2 is not None and lay.lim["right"] is None:
            # Nothing to show on the right (e.g. no growth rates without a previous period):
            # the axis stays, unlabelled, so the left series still draw.
            ax2.set_ylim(0, 1)
            ax2.set_yticks([])
            ax2.tick_params(axis="x", length=0, labelbottom=False)
        elif ax2 is not None:
            r0, rstep = lay.lim["right"]
            nint = len(ticks) - 1
            rt = [r0 + k * rstep for k in range(nint + 1)]
            ax2.set_ylim(r0, r0 + nint * rstep)
            ax2.set_yticks(rt, [fmt(t, step_decimals(rstep)) for t in rt])
            ax2.tick_params(axis="x", length=0, labelbottom=False)
        return ax, ax2

    def _x_axis(self, ax, xl: XLabels) -> None:
        """Category labels, and the highlighted category in the accent colour."""
        ax.set_xticks(range(self.n), xl.texts, fontsize=xl.fontsize, rotation=xl.rotation,
                      ha="right" if xl.rotation == 45 else "center",
                      rotation_mode="anchor" if xl.rotation == 45 else "default",
                      linespacing=1.2)
        ax.tick_params(axis="x", length=0, pad=5)
        hl = self.c.hl
        if hl is not None:
            j = self.spec.categories.index(hl)
            ax.get_xticklabels()[j].set_color(self.spec.accent)
            if not self.single_bar:
                ax.axvspan(j - 0.5, j + 0.5, color=HIGHLIGHT_BAND, zorder=0, lw=0)

    def _pt(self, a, x: float, v: float) -> tuple[float, float]:
        """Data (x, v) on axes ``a`` in points from the plot's lower left corner."""
        y0, y1 = a.get_ylim()
        return (x + 0.5) * self.slot, (v - y0) / (y1 - y0) * self.ah

    def _data_y(self, a, y_pt: float) -> float:
        lo, hi = a.get_ylim()
        return lo + y_pt / self.ah * (hi - lo)

    def _rect_pt(self, a, r) -> Box:
        x0, y0 = self._pt(a, r.get_x(), r.get_y())
        x1, y1 = self._pt(a, r.get_x() + r.get_width(), r.get_y() + r.get_height())
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    # -- series ----------------------------------------------------------------
    def _lines(self, ax, ax2, placer: Placer) -> list[tuple[int, Any, list]]:
        """Draw the line series; register their segments and points with ``placer``.
        Returns (series index, axes, point per category or None) per line."""
        n = self.n
        drawn = []
        for i, p in enumerate(self.ser):
            if p.kind != "line":
                continue
            s = p.series
            a = ax2 if p.axis == "right" else ax
            ys = [v if present(v) else float("nan") for v in s.values]
            a.plot(range(n), ys, color=p.color, lw=1.8, marker="o", markersize=4.5,
                   markeredgecolor="white", markeredgewidth=0.6, zorder=3,
                   solid_capstyle="round", clip_on=False)
            pts = [self._pt(a, j, v) if present(v) else None for j, v in enumerate(s.values)]
            for u, w in zip(pts, pts[1:]):
                if u and w:
                    placer.segs.append((u, w))
            for u in pts:
                if u:
                    placer.marks.append((u[0] - 3, u[1] - 3, u[0] + 3, u[1] + 3))
            drawn.append((i, a, pts))
        return drawn

    def _bars(self, ax, ax2, placer: Placer, bw: float) -> list[_BarJob]:
        """Draw the bar series (side by side, or stacked); register them with ``placer``.
        Returns the labels the bars ask for."""
        spec, n, nb, stacked = self.spec, self.n, self.nb, self.stacked
        cats = spec.categories
        k = 0
        jobs: list[_BarJob] = []
        for i, p in enumerate(self.ser):
            if p.kind != "bar":
                continue
            s = p.series
            a = ax2 if p.axis == "right" else ax
            off = 0.0 if stacked else (k - (nb - 1) / 2) * bw
            k += 1
            xs = [j + off for j in range(n)]
            vals = [v if present(v) else 0.0 for v in s.values]
            colors = [spec.accent if (self.single_bar and self.c.hl == cats[j]) else p.color
                      for j in range(n)]
            if stacked:
                bottoms = [stack_base(self.ser, i, j) for j in range(n)]
                rects = a.bar(xs, vals, bw, bottom=bottoms, color=colors, lw=0, zorder=2)
            else:
                rects = a.bar(xs, vals, bw * 0.92 if nb > 1 else bw, color=colors, lw=0, zorder=2)
            for j, r in enumerate(rects):
                v = s.values[j]
                if not present(v):
                    continue
                box = self._rect_pt(a, r)
                placer.bars.append(box)
                t = self.labels.get((i, j))
                if spec.labels and t is not None:
                    jobs.append((a, xs[j], v, t, colors[j], box, stacked))
        return jobs

    # -- data labels -----------------------------------------------------------
    def _data_labels(self, ax, mode: dict[str, Any], placer: Placer, drawn, bar_jobs: list[_BarJob]) -> None:
        """Labels by priority: bar values and totals, the target, line values,
        and last the segments of stacked bars, which give way when crowded."""
        spec = self.spec
        if spec.labels and mode["bar"]:
            for a, x, v, t, color, box, inner in bar_jobs:
                if not inner:
                    self._bar_label(a, x, v, t, mode["bar"], placer, color, box)
            if self.stacked:
                for j, t in self.tot_labels.items():
                    pos, neg, _ = self.stack_tot[j]
                    v = pos if pos + neg >= 0 else neg
                    self._bar_label(ax, j, v, t, mode["bar"], placer, None, None)
        if spec.target is not None:
            self._target_line(ax, spec.target, placer, self._pt(ax, 0, spec.target)[1])
        if mode["line"]:
            for i, a, pts in drawn:
                self._line_labels(a, i, pts, mode, placer)
        for a, x, v, t, color, box, inner in bar_jobs:
            if inner:
                self._inner_label(a, x, v, t, color, box, placer)

    def _bar_label(self, a, x, v, text, mode, placer: Placer, color, box) -> None:
        """Value label outside the bar end, or just inside it when a line crosses there."""
        rot, fs = mode
        m = self.m
        w, h = m.width(text, fs), m.glyph_h(fs)
        if rot:
            w, h = h, w
        px, py = self._pt(a, x, v)
        up = v >= 0
        sign = 1 if up else -1
        out_box = (px - w / 2, py + 2, px + w / 2, py + 2 + h) if up else \
            (px - w / 2, py - 2 - h, px + w / 2, py - 2)
        boxes = [out_box]
        if box is not None and box[3] - box[1] >= h + 6:
            boxes.append((px - w / 2, py - 3 - h, px + w / 2, py - 3) if up else
                         (px - w / 2, py + 3, px + w / 2, py + 3 + h))
        k = placer.choose(boxes, force=True)
        if k == 0:
            a.annotate(text, (x, v), xytext=(0, 2 * sign), textcoords="offset points",
                       ha="center", va="bottom" if up else "top", rotation=rot, fontsize=fs,
                       color=TEXT, zorder=4, annotation_clip=False)
        else:
            a.annotate(text, (x, v), xytext=(0, -3 * sign), textcoords="offset points",
                       ha="center", va="top" if up else "bottom", rotation=rot, fontsize=fs,
                       color=ink_on(color), zorder=4, annotation_clip=False)

    def _inner_label(self, a, x, v, text, color, box, placer: Placer) -> None:
        """Segment value in the middle of a stacked segment, when it fits."""
        fs = 8.0
        w, h = self.m.width(text, fs), self.m.glyph_h(fs)
        x0, y0, x1, y1 = box
        if y1 - y0 < h + 2 or w > x1 - x0 - 2:
            return
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if placer.choose([(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)]) is None:
            return
        a.text(x, self._data_y(a, cy), text, ha="center", va="center", fontsize=fs,
               color=ink_on(color), zorder=4)

    def _line_labels(self, a, i: int, pts, mode, placer: Placer) -> None:
        """Values of line ``i`` beside its points, where a free spot is found."""
        p = self.ser[i]
        s, color = p.series, p.color
        fs = mode["line"]
        m = self.m
        idx = [j for j in range(len(pts)) if pts[j] is not None]
        order = idx
        if mode["thin"]:
            vals = [v for v in (s.values[j] for j in idx) if present(v)]
            order = list(dict.fromkeys([idx[-1], idx[vals.index(max(vals))],
                                        idx[vals.index(min(vals))], idx[0]]))
        h = m.glyph_h(fs) + 1
        for j in order:
            t = self.labels.get((i, j))
            if t is None:
                continue
            w = m.width(t, fs) + 2
            px, py = pts[j]
            # above, below, then beside the point on either diagonal
            spots = [(0, 5), (0, -5), (w / 2 + 2, 3), (-(w / 2 + 2), 3),
                     (w / 2 + 2, -3), (-(w / 2 + 2), -3)]
            boxes = [(px + dx - w / 2, py + dy, px + dx + w / 2, py + dy + h) if dy > 0 else
                     (px + dx - w / 2, py + dy - h, px + dx + w / 2, py + dy) for dx, dy in spots]
            k = placer.choose(boxes)
            if k is None:
                continue  # no free spot: a missing label beats an unreadable one
            dx, dy = spots[k]
            a.annotate(t, (j, s.values[j]), xytext=(dx, dy + (0.5 if dy > 0 else -0.5)),
                       textcoords="offset points", ha="center", va="bottom" if dy > 0 else "top",
                       fontsize=fs, color=color, zorder=5, annotation_clip=False,
                       bbox=dict(boxstyle="square,pad=0.12", fc="white", ec="none", alpha=1.0))

    def _target_line(self, ax, target: float, placer: Placer, y: float) -> None:
        """Dashed reference line at ``target`` (``y`` pt up), labelled at a free end."""
        spec, m = self.spec, self.m
        d = max((series_decimals(s) for s in spec.series), default=0)
        text = f"{spec.target_label} {fmt(target, d, spec.unit)}".strip()
        ax.axhline(target, color=spec.accent, lw=1.0, ls=(0, (4, 3)), zorder=3.5)
        w, h = m.width(text, FS_DATA) + 2, m.glyph_h(FS_DATA) + 1
        W = placer.w
        boxes = [(W - 2 - w, y + 2, W - 2, y + 2 + h), (W - 2 - w, y - 2 - h, W - 2, y - 2),
                 (2, y + 2, 2 + w, y + 2 + h), (2, y - 2 - h, 2 + w, y - 2)]
        k = placer.choose(boxes, force=True)
        right, up = k in (0, 1), k in (0, 2)
        ax.annotate(text, (1.0 if right else 0.0, target), xycoords=("axes fraction", "data"),
                    xytext=(-2 if right else 2, 2 if up else -2), textcoords="offset points",
                    ha="right" if right else "left", va="bottom" if up else "top",
                    fontsize=FS_DATA, color=spec.accent, zorder=5,
                    bbox=dict(boxstyle="square,pad=0.12", fc="white", ec="none", alpha=1.0))
