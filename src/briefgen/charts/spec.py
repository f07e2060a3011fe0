"""What a chart shows: the ``ChartSpec`` and ``Series`` dataclasses and their validation.

Nothing here loads matplotlib, so the builder can make and check specs, and the
cache can key them, without paying for the drawing side.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, TypeGuard

from briefgen.charts.theme import ACCENT
from briefgen.errors import BriefgenError

__all__ = [
    "CHART_TYPES", "SERIES_KINDS", "AXES", "Series", "ChartSpec",
    "validate_spec", "normalized", "present", "where_label",
]

CHART_TYPES = ("bar", "line", "bar_line", "hbar_rank", "pie", "donut", "stacked_bar")
SERIES_KINDS = ("bar", "line")
AXES = ("left", "right")


@dataclass
class Series:
    """One data series: values aligned with the chart's categories, plus how to draw and label them."""

    name: str  # legend label
    values: list[float | None]  # aligned with categories; None = missing (gap, no label)
    kind: str = "bar"  # "bar" | "line"
    axis: str = "left"  # "left" | "right"
    unit: str = ""  # "亿元", "%", "家"
    decimals: int | None = None  # data labels; None = 0 for integers, else 1


@dataclass
class ChartSpec:
    """Everything a chart's pixels depend on, apart from the font: type, data, text, size."""

    type: str  # one of CHART_TYPES
    categories: list[str]
    series: list[Series]
    title: str = ""  # the document prints the caption; drawn only if show_title
    show_title: bool = False
    unit: str = ""  # left axis unit, shown as 单位：… at the top left
    unit2: str = ""  # right axis unit
    source: str = ""  # drawn under the plot only if source_in_image
    source_in_image: bool = False
    labels: bool = True  # data labels
    highlight: str | None = None  # category drawn in the accent colour; ignored if absent
    palette: list[str] | None = None
    width_cm: float = 15.0
    height_cm: float = 8.0
    dpi: int = 200
    sort: str | None = None  # hbar_rank: "desc" | "asc"
    target: float | None = None  # reference line
    target_label: str = "目标值"
    rank_numbers: bool = False  # hbar_rank: prefix 1, 2, 3 … to the category names
    accent: str = ACCENT


def where_label(spec: ChartSpec, where: str = "") -> str:
    """The place an error or warning names: ``where`` if given, else the chart's title."""
    if where:
        return where
    return f"图表“{spec.title}”" if spec.title else "图表"


def present(v: Any) -> TypeGuard[float]:
    """Whether a value is drawn: None and NaN (of any numeric type) are gaps."""
    if v is None:
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return True  # not a number at all: validation names it


def normalized(spec: ChartSpec) -> ChartSpec:
    """A copy with str categories and float/None values, so drawing never meets Decimal or NaN."""
    def num(v):
        if v is None:
            return None
        f = float(v)
        return None if math.isnan(f) else f

    return replace(spec, categories=[str(c) for c in spec.categories],
                   series=[replace(s, values=[num(v) for v in s.values]) for s in spec.series],
                   highlight=None if spec.highlight is None else str(spec.highlight))


def validate_spec(spec: ChartSpec, where: str = "") -> None:
    """Raise BriefgenError (in Chinese, naming ``where``) for a chart that cannot be drawn sensibly."""
    w = where_label(spec, where)
    if spec.type not in CHART_TYPES:
        raise BriefgenError(f"未知的图表类型“{spec.type}”", where=w,
                            hint="可用类型：" + "、".join(CHART_TYPES))
    if not spec.categories:
        raise BriefgenError("图表没有类别（横轴标签为空）", where=w)
    if not spec.series:
        raise BriefgenError("图表没有数据系列", where=w)
    for i, s in enumerate(spec.series):
        _validate_series(s, i, len(spec.categories), w)
    if not any(present(v) for s in spec.series for v in s.values):
        raise BriefgenError("图表没有任何有效数值（全部缺失）", where=w)
    _validate_type_rules(spec, w)
    _validate_layout(spec, w)


def _validate_series(s: Series, i: int, n: int, w: str) -> None:
    label = f"数据系列“{s.name}”" if s.name else f"第{i + 1}个数据系列"
    if s.kind not in SERIES_KINDS:
        raise BriefgenError(f"{label}的类型“{s.kind}”无效", where=w, hint="只能是 bar 或 line")
    if s.axis not in AXES:
        raise BriefgenError(f"{label}的坐标轴“{s.axis}”无效", where=w, hint="只能是 left 或 right")
    if len(s.values) != n:
        raise BriefgenError(f"{label}有 {len(s.values)} 个数值，与 {n} 个类别不一致", where=w)
    for j, v in enumerate(s.values):
        if v is None:
            continue
        if not _is_number(v):
            raise BriefgenError(f"{label}的第{j + 1}个数值“{v}”不是数字", where=w)
        if math.isinf(float(v)):
            raise BriefgenError(f"{label}的第{j + 1}个数值为无穷大", where=w)
    if s.decimals is not None and not (0 <= s.decimals <= 6):
        raise BriefgenError(f"{label}的小数位数 {s.decimals} 超出范围", where=w, hint="应为 0～6")


def _validate_type_rules(spec: ChartSpec, w: str) -> None:
    """What one chart type asks of its series: one series for pies and rankings, and so on."""
    if spec.type in ("pie", "donut", "hbar_rank") and len(spec.series) != 1:
        name = "饼图" if spec.type != "hbar_rank" else "排名条形图"
        raise BriefgenError(f"{name}只能有一个数据系列，现有 {len(spec.series)} 个", where=w)
    if spec.type in ("pie", "donut"):
        vals = [float(v) for v in spec.series[0].values if present(v)]
        neg = [str(spec.categories[j]) for j, v in enumerate(spec.series[0].values)
               if present(v) and v < 0]
        if neg:
            raise BriefgenError("饼图不能有负值：" + "、".join(neg), where=w, hint="改用柱形图或条形图")
        if sum(vals) <= 0:
            raise BriefgenError("饼图的数值合计为零", where=w)
    if spec.type == "bar_line":
        kinds = {s.kind for s in spec.series}
        if kinds != {"bar", "line"}:
            raise BriefgenError("柱线组合图需要至少一个柱形系列和一个折线系列", where=w,
                                hint="为折线系列设置 kind: line")
    if spec.type == "stacked_bar" and not any(s.kind == "bar" for s in spec.series):
        raise BriefgenError("堆积柱形图至少需要一个柱形系列", where=w)
    if spec.sort not in (None, "desc", "asc"):
        raise BriefgenError(f"排序方式“{spec.sort}”无效", where=w, hint="只能是 desc 或 asc")


def _validate_layout(spec: ChartSpec, w: str) -> None:
    """Size, resolution, target line and colours."""
    if not (2.0 <= spec.width_cm <= 60.0) or not (2.0 <= spec.height_cm <= 60.0):
        raise BriefgenError(f"图表尺寸 {spec.width_cm}×{spec.height_cm} 厘米不合理", where=w,
                            hint="宽、高应在 2～60 厘米之间")
    if not (50 <= spec.dpi <= 1200):
        raise BriefgenError(f"分辨率 {spec.dpi} dpi 不合理", where=w, hint="应在 50～1200 之间")
    if spec.target is not None and (not _is_number(spec.target) or not math.isfinite(spec.target)):
        raise BriefgenError(f"目标值“{spec.target}”不是有效数字", where=w)
    if spec.palette is not None or spec.accent != ACCENT:
        for c in [*(spec.palette or []), spec.accent]:
            if not isinstance(c, str) or not _color_ok(c):
                raise BriefgenError(f"颜色“{c}”无效", where=w, hint="请使用 #RRGGBB 形式")
        if spec.palette is not None and not spec.palette:
            raise BriefgenError("调色板为空", where=w)


def _is_number(v: Any) -> bool:
    # numbers.Real covers numpy scalars; Decimal is welcome too (a database may return it)
    return isinstance(v, (numbers.Real, Decimal)) and not isinstance(v, bool)


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _color_ok(c: str) -> bool:
    # #RRGGBB needs no matplotlib: validating a template palette must not load it
    # when every chart comes from the cache.
    if _HEX.fullmatch(c):
        return True
    from matplotlib.colors import is_color_like  # local: only named colours need matplotlib

    return is_color_like(c)
