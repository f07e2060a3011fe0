"""Layout decisions for the cartesian charts, made before anything is drawn: which
axis and kind each series takes, its value labels, how labels fit, and the limits
of both value axes. Text is measured, never drawn."""

from __future__ import annotations

from typing import Any, NamedTuple

from briefgen.charts.numfmt import fmt, series_decimals
from briefgen.charts.policy import axis_of, kind_of, shared_unit
from briefgen.charts.scales import aligned_axis, nice_limits, step_decimals
from briefgen.charts.spec import Series, present
from briefgen.charts.text import Measure
from briefgen.charts.theme import FS_DATA, FS_TICK

__all__ = [
    "Plotted", "kind_of", "axis_of", "shared_unit", "value_labels", "stack_totals", "stack_base",
    "total_labels", "label_mode", "y_limits",
]

Labels = dict[tuple[int, int], str]  # (series index, category index) → text
StackTotal = tuple[float, float, bool]  # (sum of positives, sum of negatives, any value)


class Plotted(NamedTuple):
    """A series as it is drawn: its kind, colour and axis settled."""

    series: Series
    kind: str  # "bar" | "line"
    color: str
    axis: str  # "left" | "right"


def value_labels(ser: list[Plotted]) -> Labels:
    """The data label of every present value."""
    out = {}
    for i, p in enumerate(ser):
        d = series_decimals(p.series)
        for j, v in enumerate(p.series.values):
            if present(v):
                out[(i, j)] = fmt(v, d, p.series.unit)
    return out


def stack_totals(ser: list[Plotted], n: int) -> list[StackTotal]:
    """Per category, the bars' positive and negative sums and whether any bar has a value."""
    out = []
    for j in range(n):
        pos = neg = 0.0
        any_ = False
        for p in ser:
            v = p.series.values[j]
            if p.kind == "bar" and present(v):
                any_ = True
                if v >= 0:
                    pos += v
                else:
                    neg += v
        out.append((pos, neg, any_))
    return out


def stack_base(ser: list[Plotted], i: int, j: int) -> float:
    """Where bar ``i`` of category ``j`` starts: on the earlier bars of the same sign."""
    raw = ser[i].series.values[j]
    v = raw if present(raw) else 0.0
    base = 0.0
    for p in ser[:i]:
        w = p.series.values[j]
        if p.kind == "bar" and present(w) and (w >= 0) == (v >= 0):
            base += w
    return base


def total_labels(bars: list[Plotted], totals: list[StackTotal]) -> dict[int, str]:
    """The net total printed above each stack that has a value, by category index."""
    d = max((series_decimals(p.series) for p in bars), default=0)
    unit = bars[0].series.unit if len({p.series.unit for p in bars}) == 1 else ""
    return {j: fmt(pos + neg, d, unit) for j, (pos, neg, any_) in enumerate(totals) if any_}


def label_mode(m: Measure, enabled: bool, labels: Labels, ser: list[Plotted], bar_pt: float,
               slot: float, stacked: bool, tot_labels: dict[int, str]) -> dict[str, Any]:
    """How data labels fit bars ``bar_pt`` wide in slots ``slot`` wide:
    {"bar": (rotation, size) or None, "line": size or None, "thin": label only some line points}."""
    mode: dict[str, Any] = {"bar": None, "line": None, "thin": False}
    if not enabled:
        return mode
    bar_texts = (list(tot_labels.values()) if stacked else
                 [t for (i, _j), t in labels.items() if ser[i].kind == "bar"])
    nbars = sum(1 for p in ser if p.kind == "bar")
    # neighbours in a group stand one bar apart, single bars one slot apart
    room = slot - 3 if (stacked or nbars == 1) else bar_pt + 1
    if bar_texts:
        for fs in (FS_DATA, 8.0):
            if max(m.width(t, fs) for t in bar_texts) <= room:
                mode["bar"] = (0, fs)
                break
        else:
            if m.glyph_h(8.0) <= room + 1:
                mode["bar"] = (90, 8.0)
    line_texts = [t for (i, _j), t in labels.items() if ser[i].kind == "line"]
    if line_texts:
        for fs in (FS_DATA, 8.0):
            if max(m.width(t, fs) for t in line_texts) <= slot - 3:
                mode["line"] = fs
                break
        else:
            mode["line"] = 8.0
            mode["thin"] = True  # label only first, last, highest and lowest
    return mode


def _values(ser: list[Plotted], axis: str, kind: str | None = None) -> list[float]:
    out: list[float] = []
    for p in ser:
        if p.axis == axis and (kind is None or p.kind == kind):
            out += [v for v in p.series.values if present(v)]
    return out


def _with_tick_widths(m: Measure, left: tuple[float, float, float],
                      right: tuple[float, float] | None) -> dict[str, Any]:
    """The limits, with the width of each axis' widest tick label ("lw", "rw")."""
    lo, hi, step = left
    nint = round((hi - lo) / step)
    d = step_decimals(step)
    out = {"left": left, "right": right, "rw": 0.0,
           "lw": max(m.width(fmt(lo + k * step, d), FS_TICK) for k in range(nint + 1))}
    if right:
        r0, rstep = right
        rd = step_decimals(rstep)
        out["rw"] = max(m.width(fmt(r0 + k * rstep, rd), FS_TICK) for k in range(nint + 1))
    return out


def y_limits(m: Measure, ser: list[Plotted], labels: Labels, ah: float, mode: dict[str, Any],
             stacked: bool, stack_tot: list[StackTotal], target: float | None) -> dict[str, Any]:
    """Both axes' limits for a plot ``ah`` points high, leaving room for the labels of ``mode``:
    {"left": (lo, hi, step), "right": (start, step) or None, "lw"/"rw": tick label widths}.
    The right axis reuses the left grid lines."""
    nbins = max(3, min(6, int(ah // 32)))
    lab_h = m.glyph_h(FS_DATA) + 4
    bar_pad = 0.0
    if mode["bar"]:
        rot, fs = mode["bar"]
        if rot:
            texts = [t for (i, _j), t in labels.items() if ser[i].kind == "bar"]
            bar_pad = max(m.width(t, fs) for t in texts) + 4
        else:
            bar_pad = lab_h
    line_pad = (lab_h + 4) if mode["line"] else 6.0

    left_bars = _values(ser, "left", "bar")
    if stacked and left_bars:
        left_bars = [p for p, _n, a in stack_tot if a] + [q for _p, q, a in stack_tot if a]
    left_lines = _values(ser, "left", "line")
    right_vals = _values(ser, "right")
    right_bars = _values(ser, "right", "bar")
    lv = left_bars + left_lines + ([target] if target is not None else [])
    f_hi = max(bar_pad if left_bars else 0, line_pad if left_lines else 0) / ah
    f_lo = (line_pad / ah) if left_lines else 0.0
    if any(v < 0 for v in left_bars):
        f_lo = max(f_lo, bar_pad / ah)

    if not right_vals:
        return _with_tick_widths(m, nice_limits(min(lv), max(lv), f_lo, f_hi, nbins, zero=bool(left_bars)),
                                 None)
    rlo, rhi = min(right_vals), max(right_vals)
    nonneg = rlo >= 0
    if left_bars and not right_bars and nonneg:
        # Bars kept low so the line and its labels run above them, when
        # that needs no right axis reaching below zero.
        left = nice_limits(min(lv), max(lv), f_lo, max(f_hi, 0.36), nbins, zero=True)
        lo, hi, step = left
        f_bar = (max(max(left_bars), 0) - lo) / (hi - lo) + bar_pad / ah
        right = aligned_axis(rlo, rhi, round((hi - lo) / step), min(f_bar + 0.04, 0.8),
                             1 - line_pad / ah, nonneg=True, strict=True)
        if right is not None:
            return _with_tick_widths(m, left, right)
    left = nice_limits(min(lv or [0.0]), max(lv or [0.0]), f_lo, f_hi, nbins, zero=bool(left_bars))
    lo, hi, step = left
    nint = round((hi - lo) / step)
    if right_bars:
        right = aligned_axis(min(rlo, 0.0), max(rhi, 0.0), nint, 0.0, 1 - bar_pad / ah,
                             nonneg=nonneg, strict=False)
    else:
        right = aligned_axis(rlo, rhi, nint, line_pad / ah, 1 - line_pad / ah,
                             nonneg=nonneg, strict=False)
    return _with_tick_widths(m, left, right)
