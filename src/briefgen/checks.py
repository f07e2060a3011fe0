"""Plausibility checks on loaded data: warnings, never errors.

A value 100 times larger or smaller than the same indicator's other periods or
regions is almost always a unit mix-up (元 vs 万元) or a slipped decimal point.
The build goes on; the warning names indicator, region, period and file row.
"""

from __future__ import annotations

import statistics
from collections import defaultdict

from briefgen import zh
from briefgen.data import Dataset

MAGNITUDE_FACTOR = 100.0
# Percentages, ranks and indices swing legitimately by orders of magnitude (0.2% vs 32.8%).
_SKIP_UNITS = {"%", "％", "‰", "个百分点", "百分点", "位", "名"}


def magnitude_warnings(ds: Dataset, *, aggregate_region: str | None = None,
                       factor: float = MAGNITUDE_FACTOR) -> list[str]:
    """Values `factor`× off the median of the same indicator's other periods (same region)
    or other regions (same period, the aggregate region left out: a city is rightly far
    above each county)."""
    by_region: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    by_period: dict[tuple[str, str], list[tuple[str, float]]] = defaultdict(list)
    for (ind, reg, per), obs in ds.obs.items():
        unit = ds.indicators[ind].unit if ind in ds.indicators else ""
        if obs.value is None or unit in _SKIP_UNITS or obs.value == 0:
            continue
        by_region[(ind, reg)].append((per, obs.value))
        if reg != (aggregate_region or ""):
            by_period[(ind, per)].append((reg, obs.value))

    out: list[str] = []
    seen: set[tuple[str, str, str]] = set()

    def check(ind: str, reg: str, per: str, v: float, others: list[float], what: str) -> None:
        if not others or (ind, reg, per) in seen:
            return
        # Mixed signs (a net change) say nothing about scale.
        if any((o > 0) != (v > 0) for o in others):
            return
        med = statistics.median(abs(o) for o in others)
        ratio = abs(v) / med if med else 0.0
        if ratio >= factor or (ratio and ratio <= 1 / factor):
            seen.add((ind, reg, per))
            obs = ds.get(ind, reg, per)
            place = f"（{obs.where}）" if obs is not None and obs.where else ""
            times = ratio if ratio >= 1 else 1 / ratio
            word = "大" if ratio >= 1 else "小"
            out.append(
                f"“{ind}”{reg}{per}的数值 {zh.num(v, thousands=True)} 比{what}（中位数 {zh.num(med, thousands=True)}）"
                f"{word}约{zh.num(times, 0, thousands=True)}倍，"
                f"请检查单位或小数点{place}"
            )

    for (ind, reg), items in by_region.items():
        if len(items) < 2:
            continue
        items.sort()
        for i, (per, v) in enumerate(items):
            # With only two periods the later one is the newly entered, suspect value.
            if len(items) == 2 and i == 0:
                continue
            others = [x for j, (_p, x) in enumerate(items) if j != i]
            check(ind, reg, per, v, others, "其他时期")
    for (ind, per), items in by_period.items():
        if len(items) < 3:
            continue  # two regions: no way to tell which one is off
        for i, (reg, v) in enumerate(items):
            others = [x for j, (_r, x) in enumerate(items) if j != i]
            check(ind, reg, per, v, others, "其他地区")
    return out
