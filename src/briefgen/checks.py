"""Plausibility checks on loaded data: warnings, never errors.

A value 100 times larger or smaller than the same indicator's other periods or
regions is almost always a unit mix-up (元 vs 万元) or a slipped decimal point.
The build goes on; the warning names indicator, region, period and file row.
"""

from __future__ import annotations

import bisect
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

    def check(ind: str, reg: str, per: str, v: float, med: float, what: str) -> None:
        if (ind, reg, per) in seen:
            return
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
        for i, (per, v, med) in enumerate(_others(items)):
            # With only two periods the later one is the newly entered, suspect value.
            if len(items) == 2 and i == 0:
                continue
            if med is not None:
                check(ind, reg, per, v, med, "其他时期")
    for (ind, per), items in by_period.items():
        if len(items) < 3:
            continue  # two regions: no way to tell which one is off
        for reg, v, med in _others(items):
            if med is not None:
                check(ind, reg, per, v, med, "其他地区")
    return out


def _others(items: list[tuple[str, float]]) -> list[tuple[str, float, float | None]]:
    """For each (name, value): the median of the absolute values of all the *other* values,
    or None when the others have a sign different from it (a net change says nothing about scale).

    One sort serves every value (O(n log n)); re-sorting the others for each value took
    92 % of the build time of a million-row table.
    """
    mags = sorted(abs(v) for _n, v in items)
    pos = sum(1 for _n, v in items if v > 0)
    neg = len(items) - pos
    m = len(mags) - 1  # how many others each value has
    out: list[tuple[str, float, float | None]] = []
    for name, v in items:
        if (v > 0 and neg) or (v < 0 and pos):
            out.append((name, v, None))
            continue
        k = bisect.bisect_left(mags, abs(v))  # one copy of |v| leaves the list at index k
        lo, hi = (m - 1) // 2, m // 2  # the middle of the others (the same index when m is odd)
        med = (mags[lo if lo < k else lo + 1] + mags[hi if hi < k else hi + 1]) / 2
        out.append((name, v, med))
    return out
