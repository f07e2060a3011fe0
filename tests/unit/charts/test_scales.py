"""Axis arithmetic: nice steps, limits with room for labels, a right axis on the left grid."""

from __future__ import annotations

import itertools
import math

import pytest

from briefgen.charts.scales import aligned_axis, nice_limits, nice_steps, step_decimals


def test_nice_steps_ascend_from_the_minimum():
    assert list(itertools.islice(nice_steps(0.3), 5)) == pytest.approx([0.5, 1, 2, 2.5, 5])
    assert next(nice_steps(7)) == 10
    assert next(nice_steps(0)) > 0  # never a zero step


@pytest.mark.parametrize("step, d", [(1, 0), (20, 0), (2.5, 1), (0.2, 1), (0.25, 2), (0.005, 3),
                                     (0.000125, 6)])
def test_step_decimals(step, d):
    assert step_decimals(step) == d


def test_limits_snap_to_ticks_and_cover_the_data():
    lo, hi, step = nice_limits(3.2, 8.9, 0.0, 0.0, 5, zero=False)
    assert lo <= 3.2 and hi >= 8.9
    for x in (lo, hi):
        assert math.isclose(x / step, round(x / step), abs_tol=1e-9)
    assert round((hi - lo) / step) <= 6


def test_limits_pin_bars_at_zero_and_leave_room_for_labels():
    lo, hi, step = nice_limits(120, 181, 0.0, 0.0, 5, zero=True)
    assert lo == 0 and hi >= 181
    lo2, hi2, _ = nice_limits(120, 181, 0.0, 0.3, 5, zero=True)
    assert (181 - lo2) / (hi2 - lo2) <= 0.7 + 1e-9  # the top 30% stay free
    lo3, hi3, _ = nice_limits(-8.7, -3.4, 0.0, 0.0, 5, zero=True)
    assert hi3 == 0 and lo3 <= -8.7


def test_limits_of_a_single_value():
    lo, hi, _ = nice_limits(5, 5, 0, 0, 4, zero=False)
    assert lo < 5 < hi
    lo, hi, _ = nice_limits(0, 0, 0, 0, 4, zero=True)
    assert lo == 0 and hi > 0


def test_aligned_axis_shares_the_left_grid():
    start, step = aligned_axis(3.2, 8.5, 5, 0.1, 0.9, nonneg=True, strict=False)
    top = start + 5 * step
    assert start <= 3.2 and top >= 8.5 and start >= 0
    # the data sit inside the requested band of the axis
    assert (8.5 - start) / (top - start) <= 0.9 + 1e-9


def test_aligned_axis_strict_refuses_to_go_below_zero():
    assert aligned_axis(0.5, 8.5, 5, 0.8, 0.95, nonneg=True, strict=True) is None
    start, _ = aligned_axis(0.5, 8.5, 5, 0.8, 0.95, nonneg=True, strict=False)
    assert start == 0
