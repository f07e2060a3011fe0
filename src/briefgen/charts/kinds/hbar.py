"""Ranking bars (hbar_rank): one series as horizontal bars, optionally sorted and numbered."""

from __future__ import annotations

import math
import warnings

from briefgen.charts.canvas import Canvas
from briefgen.charts.numfmt import fmt, series_decimals
from briefgen.charts.policy import MISSING_TEXT, rank_names, ranked
from briefgen.charts.scales import nice_limits, step_decimals
from briefgen.charts.spec import where_label
from briefgen.charts.text import wrap
from briefgen.charts.theme import FS_DATA, FS_LABEL, FS_TICK, GRID, MUTED, PAD, SPINE, TEXT
from briefgen.errors import BriefgenWarning

__all__ = ["draw"]

Item = tuple[str, float | None]  # (category, value or None if missing)


def draw(c: Canvas) -> None:
    """Draw the spec's one series as horizontal bars, first item on top, with the
    values beside the bars (or, without labels, on an x axis)."""
    spec, m = c.spec, c.m
    s = spec.series[0]
    d = series_decimals(s)
    items = ranked(spec)
    n = len(items)
    names = rank_names(items) if spec.rank_numbers else [cat for cat, _ in items]

    top = c.top_band([], (spec.unit or s.unit, ""))
    bottom = c.bottom_band()
    show_axis = not spec.labels
    xtick_h = (m.line_h(FS_TICK) + 4) if show_axis else 2
    ah = c.H - top - bottom - xtick_h
    row = ah / n
    fs = max(7.0, min(FS_LABEL, row * 0.85))
    if fs < 9.0:
        need = (c.H - ah + n * 13.0) / 72 * 2.54
        # stacklevel 4: past kinds.draw and render_chart, to the caller of render_chart
        warnings.warn(BriefgenWarning(
            f"{where_label(spec)}：排名条形图有 {n} 个类别，文字已缩小到 {fs:.1f} 磅，"
            f"建议把图高设为 {math.ceil(need)} 厘米以上"), stacklevel=4)
    maxw = c.W * 0.38
    if max(m.width(name, fs) for name in names) > maxw:
        names = [name if m.width(name, fs) <= maxw else (wrap(m, name, fs, maxw, 2) or name)
                 for name in names]
    left_pt = PAD + max(m.width(name, fs) for name in names) + 6
    vals = [v for _c, v in items if v is not None]
    texts = [fmt(v, d, s.unit) for v in vals]
    fsd = max(7.0, min(FS_DATA, row * 0.8))
    lab_w = (max(m.width(t, fsd) for t in texts) + 6) if spec.labels else 0.0
    right_pt = PAD + 2
    aw = c.W - left_pt - right_pt
    lv = vals + ([spec.target] if spec.target is not None else [])
    lo, hi = min(min(lv), 0.0), max(max(lv), 0.0)
    xlo, xhi, step = _x_range(lo, hi, lab_w, aw, spec.labels)

    ax = c.fig.add_axes((c.fx(left_pt), c.fy(bottom + xtick_h), c.fx(aw), c.fy(ah)))
    _frame(ax, lo < 0)
    _value_axis(ax, n, (xlo, xhi, step), show_axis)
    ax.set_yticks(range(n), names, fontsize=fs)
    ax.tick_params(axis="y", length=0, pad=5)
    base = c.base_color()
    colors = [spec.accent if cat == c.hl else base for cat, _ in items]
    bh = 0.62 if n > 1 else 0.4
    ax.barh(list(range(n)), [v if v is not None else 0 for _c, v in items], bh, color=colors, lw=0,
            zorder=2)
    _labels(c, ax, items, d, fsd)


def _labels(c: Canvas, ax, items: list[Item], d: int, fsd: float) -> None:
    """The highlighted name in the accent colour, values at the bar ends (size ``fsd``,
    ``d`` places), 无数据 where a value is missing, and the target line with its value."""
    spec = c.spec
    unit = spec.series[0].unit
    for j, (cat, v) in enumerate(items):
        if cat == c.hl:
            ax.get_yticklabels()[j].set_color(spec.accent)
        if v is None:  # said even without value labels: an empty row would look like zero
            ax.annotate(MISSING_TEXT, (0, j), xytext=(3, 0), textcoords="offset points", ha="left",
                        va="center", fontsize=fsd, color=MUTED, annotation_clip=False)
        elif spec.labels:
            ax.annotate(fmt(v, d, unit), (v, j), xytext=(3 if v >= 0 else -3, 0),
                        textcoords="offset points", ha="left" if v >= 0 else "right",
                        va="center", fontsize=fsd,
                        color=spec.accent if cat == c.hl else TEXT, annotation_clip=False)
    if spec.target is not None:
        ax.axvline(spec.target, color=spec.accent, lw=1.0, ls=(0, (4, 3)), zorder=3)
        ax.annotate(f"{spec.target_label} {fmt(spec.target, d, unit)}".strip(),
                    (spec.target, 0.0), xycoords=("data", "axes fraction"), xytext=(3, 2),
                    textcoords="offset points", ha="left", va="bottom", fontsize=FS_DATA,
                    color=spec.accent,
                    bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85))


def _x_range(lo: float, hi: float, lab_w: float, aw: float, labels: bool) -> tuple[float, float, float]:
    """(low, high, tick step) of the value axis ``aw`` points wide for data in [lo, hi],
    with ``lab_w`` points free beyond the bar ends for value labels."""
    f_hi = lab_w / aw if hi > 0 else 0.0
    f_lo = lab_w / aw if lo < 0 else 0.0
    nb = max(3, min(6, int(aw // 60)))
    xlo, xhi, step = nice_limits(lo, hi, f_lo, f_hi, nb, zero=True)
    if labels:
        # without an axis the plot only needs room for the labels, not whole ticks
        span = (hi - lo) / max(0.2, 1 - f_lo - f_hi)
        xlo, xhi = lo - f_lo * span, hi + f_hi * span
        if xhi == xlo:
            xhi = xlo + 1
    return xlo, xhi, step


def _value_axis(ax, n: int, limits: tuple[float, float, float], show: bool) -> None:
    """Limits of both axes (first item on top); value ticks and grid only if ``show``."""
    xlo, xhi, step = limits
    ax.set_xlim(xlo, xhi)
    ax.set_ylim(n - 0.5, -0.5)
    if show:
        ticks = [xlo + k * step for k in range(round((xhi - xlo) / step) + 1)]
        ax.set_xticks(ticks, [fmt(t, step_decimals(step)) for t in ticks])
        ax.xaxis.grid(True, color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        ax.tick_params(axis="x", length=0, labelsize=FS_TICK)
    else:
        ax.set_xticks([])


def _frame(ax, negative: bool) -> None:
    """Only a left axis line, or, when bars grow both ways, a line at zero."""
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color(SPINE)
    ax.spines["left"].set_linewidth(0.8)
    if negative:
        # the bars grow from zero, so that is where the axis line belongs
        ax.spines["left"].set_visible(False)
        ax.axvline(0, color=SPINE, lw=0.8, zorder=2.5)
