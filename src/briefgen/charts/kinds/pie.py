"""Pie and donut charts: shares of one series, labelled beside their slices or in a legend."""

from __future__ import annotations

import math

from briefgen.charts.canvas import Canvas
from briefgen.charts.numfmt import fmt, series_decimals
from briefgen.charts.policy import slice_colors
from briefgen.charts.spec import present
from briefgen.charts.text import Measure
from briefgen.charts.theme import FS_LABEL, FS_LEGEND, PAD, SPINE, TEXT

__all__ = ["draw"]

Item = tuple[str, float]  # (category, value)


def draw(c: Canvas) -> None:
    """Draw a pie (or, for type "donut", a ring with the total inside) of the spec's one series."""
    spec, m = c.spec, c.m
    s = spec.series[0]
    items: list[Item] = [(cat, v) for cat, v in zip(spec.categories, s.values) if present(v) and v > 0]
    total = sum(v for _c, v in items)
    dp = s.decimals if (s.decimals is not None and s.unit in ("%", "％")) else 1
    texts = [f"{cat} {fmt(v / total * 100, dp, '%')}" for cat, v in items]

    top = c.top_band([], ("", ""))
    bottom = c.bottom_band()
    ah = c.H - top - bottom
    fs = _label_size(m, items, total, ah)
    aw = c.W - 2 * PAD
    legend_w = 0.0
    if not spec.labels:
        legend_w = max(m.width(cat, FS_LEGEND) for cat, _ in items) + 2.2 * FS_LEGEND + 8
    lab_w = max(m.width(t, fs) for t in texts) if spec.labels else 0.0
    lh = m.line_h(fs)
    # radius: fit the height, and leave room beside the pie for the widest label
    r = min(ah / 2 - 4, (aw - 2 * legend_w) / 2)
    if spec.labels:
        r = min(ah / 2 - lh / 2 - 2, ((aw / 2) - lab_w - 12) / 1.18)
    r = max(r, 20.0)

    ax = c.fig.add_axes((c.fx(PAD), c.fy(bottom), c.fx(aw), c.fy(ah)))
    ax.set_axis_off()
    cx = -legend_w / 2 if legend_w else 0.0
    colors = slice_colors(spec, [cat for cat, _ in items], c.hl)
    explode = [0.04 if cat == c.hl else 0.0 for cat, _ in items]
    donut = spec.type == "donut"
    wedges, *_ = ax.pie(
        [v for _c, v in items], colors=colors, startangle=90, counterclock=False,
        radius=r, center=(cx, 0), explode=explode, normalize=True,
        wedgeprops=dict(linewidth=1.0, edgecolor="white", width=r * 0.42 if donut else None),
    )
    ax.set_xlim(-aw / 2, aw / 2)
    ax.set_ylim(-ah / 2, ah / 2)
    ax.set_aspect("equal", adjustable="box")
    if donut and spec.labels and s.unit not in ("%", "％"):
        unit = s.unit or spec.unit
        ax.text(cx, 0, f"合计\n{fmt(total, series_decimals(s))}{unit}", ha="center", va="center",
                fontsize=FS_LABEL, color=TEXT, linespacing=1.4)
    if spec.labels:
        _slice_labels(c, ax, wedges, texts, items, r, cx, ah, fs)
    else:
        ax.legend(wedges, [cat for cat, _ in items], loc="center left",
                  bbox_to_anchor=((aw - legend_w + 4) / aw, 0.5), frameon=False,
                  fontsize=FS_LEGEND, handlelength=1.2, handleheight=0.9)


def _label_size(m: Measure, items: list[Item], total: float, ah: float) -> float:
    """Font size of the slice labels: they stack on the side of their slice, so
    shrink them (not below 8 pt) while the more crowded side overflows ``ah``."""
    per_side, cum = {1: 0, -1: 0}, 0.0
    for _c, v in items:
        mid = math.radians(90 - 360 * (cum + v / 2) / total)
        per_side[1 if math.cos(mid) >= 0 else -1] += 1
        cum += v
    fs = FS_LABEL
    while fs > 8.0 and max(per_side.values()) * m.line_h(fs) * 1.02 > ah:
        fs -= 0.5
    return fs


def _slice_labels(c: Canvas, ax, wedges, texts: list[str], items: list[Item], r: float,
                  cx: float, ah: float, fs: float) -> None:
    """Labels outside the pie with leader lines, pushed apart so none overlap."""
    lh = c.m.line_h(fs)
    gap = lh * 1.02
    half = ah / 2 - lh / 2
    sides: dict[int, list[list[float]]] = {1: [], -1: []}
    for k, w in enumerate(wedges):
        ang = math.radians((w.theta1 + w.theta2) / 2)
        ca, sa = math.cos(ang), math.sin(ang)
        ox, oy = w.center
        side = 1 if ca >= 0 else -1
        y = (r * 1.12) * sa + oy
        sides[side].append([y, k, ox + r * ca, oy + r * sa, ca, sa])
    for side, lst in sides.items():
        if not lst:
            continue
        lst.sort(key=lambda e: e[0])
        lst[0][0] = max(lst[0][0], -half)
        for a, b in zip(lst, lst[1:]):
            b[0] = max(b[0], a[0] + gap)
        lst[-1][0] = min(lst[-1][0], half)
        for b, a in zip(reversed(lst[:-1]), reversed(lst[1:])):
            b[0] = min(b[0], a[0] - gap)
        for y, kf, px, py, ca, _sa in lst:
            k = int(kf)
            ex = cx + r * 1.06 * ca
            x_text = cx + side * r * 1.18
            ax.plot([px, ex, x_text], [py, y, y], color=SPINE, lw=0.6, zorder=1,
                    solid_capstyle="butt")
            cat = items[k][0]
            ax.text(x_text + side * 3, y, texts[k], ha="left" if side > 0 else "right",
                    va="center", fontsize=fs, color=c.spec.accent if cat == c.hl else TEXT)
