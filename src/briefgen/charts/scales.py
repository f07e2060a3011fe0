"""Axis arithmetic, pure math: nice tick steps, axis limits, and a right axis that
shares the left axis' grid lines."""

from __future__ import annotations

import math
from collections.abc import Iterator

__all__ = ["step_decimals", "nice_steps", "nice_limits", "aligned_axis"]


def step_decimals(step: float) -> int:
    """Decimal places a tick step needs (2.5 → 1, 20 → 0), at most 6."""
    for d in range(0, 7):
        if abs(round(step * 10 ** d) - step * 10 ** d) < 1e-6 * max(1.0, step * 10 ** d):
            return d
    return 6


def nice_steps(smin: float) -> Iterator[float]:
    """Nice tick steps (1, 2, 2.5, 5 × 10^k) not below ``smin``, ascending, without end."""
    smin = max(smin, 1e-12)
    e = math.floor(math.log10(smin)) - 1
    while True:
        for m in (1, 2, 2.5, 5):
            s = m * 10.0 ** e
            if s >= smin * (1 - 1e-9):
                yield s
        e += 1


def nice_limits(lo: float, hi: float, f_lo: float, f_hi: float, nbins: int,
                zero: bool) -> tuple[float, float, float]:
    """Axis (low, high, step) snapped to nice ticks for data in [lo, hi], at most
    ``nbins`` + 1 intervals, leaving the axes fractions f_lo below and f_hi above
    the data free for labels.

    ``zero`` pins the baseline of bars at 0 when the data do not cross it.
    """
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        if lo == 0:
            f_lo = 0.0
        if hi == 0:
            f_hi = 0.0
    if hi - lo <= 0:
        mag = abs(hi) or 1.0
        lo, hi = (lo - 0.5 * mag, hi + 0.5 * mag) if not zero else (lo, lo + mag)
    free = max(0.2, 1.0 - f_lo - f_hi)
    span = (hi - lo) / free
    lo_t, hi_t = lo - f_lo * span, hi + f_hi * span
    for step in nice_steps((hi_t - lo_t) / nbins):
        a = math.floor(lo_t / step + 1e-9) * step
        b = math.ceil(hi_t / step - 1e-9) * step
        if round((b - a) / step) <= nbins + 1:
            return a, b, step
    raise AssertionError("unreachable")


def aligned_axis(lo: float, hi: float, n: int, f_lo: float, f_hi: float, nonneg: bool,
                 strict: bool) -> tuple[float, float] | None:
    """Right axis (start, step) whose ``n`` intervals share the left axis' grid lines.

    The data [lo, hi] should fall in the axes fractions [f_lo, f_hi]. ``nonneg``
    keeps the axis from reaching below zero for data that never do; with
    ``strict`` the lower fraction must hold too, else None.
    """
    band = max(0.05, f_hi - f_lo)
    spread = max(hi - lo, 0.02 * max(abs(lo), abs(hi)), 1e-9)
    for step in nice_steps(spread / (band * n)):
        start = math.floor((lo - f_lo * n * step) / step + 1e-9) * step
        if nonneg and start < 0:
            if strict:
                return None
            start = 0.0
        if start + f_hi * n * step >= hi - 1e-9 * step:
            return start, step
    raise AssertionError("unreachable")
