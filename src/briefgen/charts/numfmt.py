"""Numbers as a chart prints them, through the same rounding as the briefing's text.

A value must read the same in a sentence and on the chart beside it, so every
label and tick goes through ``briefgen.zh.num`` (ROUND_HALF_UP on the decimal
form a reader sees: 874.05 → "874.1"), never through ``f"{v:.1f}"``, which
rounds the binary value half to even (874.05 → "874.0").
"""

from __future__ import annotations

from collections.abc import Sequence

from briefgen import zh
from briefgen.charts.spec import Series, present

__all__ = ["PER_UNITS", "fmt", "auto_decimals", "series_decimals"]

# Units that belong to the number itself; any other unit is shown once, as 单位：….
PER_UNITS = ("%", "％", "‰")


def fmt(v: float, decimals: int, unit: str = "") -> str:
    """``v`` rounded to ``decimals`` places as the text would print it, never "-0.0";
    a percent or per-mille ``unit`` is appended, any other unit is not."""
    s = zh.num(v, decimals)  # the minus sign "−" for negatives, like the text and tables
    if unit in PER_UNITS:
        s += unit
    return s


def auto_decimals(values: Sequence[float]) -> int:
    """Places for values that set none: 0 for whole numbers, 2 below 1, else 1."""
    if all(float(v).is_integer() for v in values):
        return 0
    return 2 if max(abs(v) for v in values) < 1 else 1


def series_decimals(s: Series) -> int:
    """Places for a series' data labels: its own ``decimals``, else guessed from its values."""
    if s.decimals is not None:
        return s.decimals
    vals = [v for v in s.values if present(v)]
    return auto_decimals(vals) if vals else 0
