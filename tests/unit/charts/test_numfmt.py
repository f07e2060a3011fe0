"""Chart labels round like the briefing text (briefgen.zh), not like f"{v:.1f}"."""

from __future__ import annotations

import pytest

from briefgen import zh
from briefgen.charts import ChartSpec, Series
from briefgen.charts.numfmt import auto_decimals, fmt, series_decimals


def test_874_05_reads_as_in_the_text():
    assert f"{874.05:.1f}" == "874.0"  # the binary value, rounded half to even
    assert fmt(874.05, 1) == zh.num(874.05, 1) == "874.1"


@pytest.mark.parametrize("v, d, unit, text", [
    (2.675, 2, "", "2.68"),
    (5.25, 1, "%", "5.3%"),
    (-3.4, 1, "%", "\u22123.4%"),  # the minus sign (U+2212), as the text and tables print it
    (-0.04, 1, "", "0.0"),  # never "-0.0"
    (-0.0, 0, "", "0"),
    (1.5, 1, "‰", "1.5‰"),
    (1.5, 1, "％", "1.5％"),
    (874.05, 1, "亿元", "874.1"),  # a named unit is shown once, as 单位：…
    (10534.2, 0, "", "10534"),  # no thousands separator on a chart
])
def test_fmt(v, d, unit, text):
    assert fmt(v, d, unit) == text


def test_decimals_of_a_series():
    assert auto_decimals([1.0, 2.0, 3.0]) == 0
    assert auto_decimals([0.25, 0.5]) == 2
    assert auto_decimals([1.25, 30.0]) == 1
    assert series_decimals(Series("值", [1.25, None], decimals=3)) == 3
    assert series_decimals(Series("值", [1.25, None])) == 1
    assert series_decimals(Series("值", [None])) == 0


def test_bar_label_of_874_05():
    from briefgen.charts.kinds.cartesian_layout import Plotted, kind_of, value_labels

    spec = ChartSpec("bar", ["宜昌市", "襄阳市"], [Series("值", [874.05, None], unit="亿元", decimals=1)])
    s = spec.series[0]
    labels = value_labels([Plotted(s, kind_of(spec, s), "#1F4E79", "left")])
    assert labels == {(0, 0): "874.1"}
