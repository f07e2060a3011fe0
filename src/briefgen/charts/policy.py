"""The decisions every rendering of a chart shares, whether matplotlib draws it (PNG,
vector) or a writer builds it natively (Word charts): which kind and axis each series
takes, its colour, the highlighted category, the order and numbering of ranking rows.

Kept free of matplotlib so the DOCX writer's native charts follow the same rules
as the drawn ones and never drift from them.
"""

from __future__ import annotations

from briefgen.charts.spec import ChartSpec, Series, present
from briefgen.charts.theme import PALETTE

__all__ = [
    "kind_of", "axis_of", "shared_unit", "palette", "plain_colors", "series_colors", "slice_colors",
    "highlight", "ranked", "rank_names", "MISSING_TEXT",
]

Item = tuple[str, float | None]  # (category, value or None if missing)

#: Written at the bar of a ranking row whose value is missing: an empty row would read as zero
#: or as a drawing fault.
MISSING_TEXT = "无数据"


def kind_of(spec: ChartSpec, s: Series) -> str:
    """How a series is drawn: the chart type decides for bar and line charts, the series otherwise."""
    if spec.type == "bar":
        return "bar"
    if spec.type == "line":
        return "line"
    return s.kind


def axis_of(spec: ChartSpec, s: Series) -> str:
    """Series axis; a line whose unit differs from the bars' goes right by itself."""
    if all(x.axis == "right" for x in spec.series):
        return "left"  # a lone right axis would leave the left one empty
    if s.axis == "right":
        return "right"
    if spec.type in ("bar_line", "stacked_bar") and s.kind == "line":
        bar_units = {b.unit for b in spec.series if b.kind == "bar"}
        if s.unit and bar_units and s.unit not in bar_units:
            return "right"
    return "left"


def shared_unit(series: list[Series]) -> str:
    """The unit all the series share, else ""."""
    units = {s.unit for s in series}
    return units.pop() if len(units) == 1 else ""


def palette(spec: ChartSpec) -> list[str]:
    """The chart's colours: the template's palette if it gave one, else the theme's."""
    return list(spec.palette) if spec.palette else list(PALETTE)


def plain_colors(spec: ChartSpec) -> list[str]:
    """The palette without the accent (kept for emphasis), unless nothing else is left."""
    colors = palette(spec)
    accent = spec.accent.lower()
    return [c for c in colors if c.lower() != accent] or colors


def series_colors(spec: ChartSpec, kinds: list[str]) -> list[str]:
    """One colour per series of the given kinds ("bar" | "line").

    Bars never take the accent, which marks the highlight and the line of a
    bar+line chart; a chart of lines only uses the palette as given.
    """
    colors = palette(spec)
    if spec.type == "line":
        return [colors[i % len(colors)] for i in range(len(kinds))]
    plain = plain_colors(spec)
    nbar = sum(k == "bar" for k in kinds)
    bar_cols = [plain[i % len(plain)] for i in range(nbar)]
    line_pool = [spec.accent] + [c for c in plain if c not in bar_cols] + plain
    out, b, n_line = [], 0, 0
    for k in kinds:
        if k == "bar":
            out.append(bar_cols[b])
            b += 1
        else:
            out.append(line_pool[n_line % len(line_pool)])
            n_line += 1
    return out


def slice_colors(spec: ChartSpec, cats: list[str], hl: str | None) -> list[str]:
    """Palette colours for pie slices in order; the accent only for the highlighted one."""
    pal = plain_colors(spec)
    colors, k = [], 0
    for cat in cats:
        if cat == hl:
            colors.append(spec.accent)
        else:
            colors.append(pal[k % len(pal)])
            k += 1
    if len(cats) > 2 and colors[0] == colors[-1] and len(pal) > 2:
        # the last slice touches the first
        colors[-1] = next(col for col in pal if col not in (colors[0], colors[-2]))
    return colors


def highlight(spec: ChartSpec) -> str | None:
    """The highlighted category, None when the spec names none or one it does not have."""
    return spec.highlight if spec.highlight in spec.categories else None


def ranked(spec: ChartSpec) -> list[Item]:
    """(category, value) of a ranking's one series in drawing order: sorted if asked, missing values last."""
    s = spec.series[0]
    items: list[Item] = [(cat, v if present(v) else None) for cat, v in zip(spec.categories, s.values)]
    if not spec.sort:
        return items
    drawn: list[tuple[str, float]] = [(cat, v) for cat, v in items if v is not None]
    missing: list[Item] = [(cat, None) for cat, v in items if v is None]
    drawn.sort(key=lambda cv: cv[1], reverse=spec.sort == "desc")
    return [*drawn, *missing]


def rank_names(items: list[Item]) -> list[str]:
    """Category names prefixed with their rank; ties share a rank, as statistical
    rankings do, and a missing value has none."""
    ranks, prev, r = [], None, 0
    for k, (_c, v) in enumerate(items):
        if v is None:
            ranks.append("")
            continue
        if v != prev:
            r, prev = k + 1, v
        ranks.append(str(r))
    return [f"{r}  {cat}" if r else cat for r, (cat, _v) in zip(ranks, items)]
