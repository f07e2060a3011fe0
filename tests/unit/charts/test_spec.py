"""Chart specs: bad specs fail in Chinese, and the spec side never loads matplotlib."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from briefgen.charts import ChartSpec, Series, validate_spec
from briefgen.charts.spec import normalized, present, where_label
from briefgen.errors import BriefgenError

from .samples import BAD, HAN


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_rejects_bad_specs(case):
    make, fragment = BAD[case]
    with pytest.raises(BriefgenError) as exc:
        validate_spec(make(), where="charts[0]")
    err = exc.value
    assert fragment in err.message
    assert HAN.search(err.message)
    assert err.where == "charts[0]"


def test_validate_accepts_gaps_and_where_defaults():
    validate_spec(ChartSpec("line", ["甲", "乙", "丙"], [Series("值", [1.0, None, 2.0])]))
    with pytest.raises(BriefgenError) as exc:
        validate_spec(ChartSpec("bar", [], [], title="图名"))
    assert "图名" in exc.value.where


def test_where_label_and_present():
    assert where_label(ChartSpec("bar", ["甲"], [], title="图名")) == "图表“图名”"
    assert where_label(ChartSpec("bar", ["甲"], [])) == "图表"
    assert where_label(ChartSpec("bar", ["甲"], [], title="图名"), "charts[1]") == "charts[1]"
    assert [present(v) for v in (None, float("nan"), Decimal("NaN"), 0, "两")] == \
        [False, False, False, True, True]


def test_normalized_gives_floats_and_strings_without_touching_the_original():
    spec = ChartSpec("bar", [2021, 2022], [Series("值", [Decimal("1.5"), float("nan")])], highlight=2022)
    out = normalized(spec)
    assert out.categories == ["2021", "2022"] and out.highlight == "2022"
    assert out.series[0].values == [1.5, None] and type(out.series[0].values[0]) is float
    assert spec.series[0].values[0] == Decimal("1.5")


def test_spec_side_does_not_load_matplotlib():
    # The builder validates every chart, and a cache hit must stay matplotlib-free.
    code = (
        "import sys\n"
        "from briefgen.charts import ACCENT, CHART_TYPES, PALETTE, ChartSpec, Series, validate_spec\n"
        "import briefgen.charts.cache, briefgen.charts.numfmt, briefgen.charts.scales\n"
        "import briefgen.charts.placement, briefgen.pipeline\n"
        "validate_spec(ChartSpec('bar', ['甲'], [Series('值', [1])], palette=['#1F4E79']))\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib loaded'\n"
        "from briefgen.charts import render_chart, default_font_path, register_font\n"
        "import briefgen.charts.render as r\n"
        "assert render_chart is r.render_chart and register_font is r.register_font\n"
        "assert 'matplotlib' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_unknown_attribute_is_an_attribute_error():
    import briefgen.charts

    with pytest.raises(AttributeError):
        briefgen.charts.no_such_name  # noqa: B018
