"""Derived figures: growth, net, share, pp, rank (ties), target completion, CAGR, reconciliation."""

import math

import pytest

from briefgen.config import MetricCfg
from briefgen.data import Dataset, Obs
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook, cagr_pct, competition_rank, growth_pct, share_pct
from briefgen.periods import shift_year
from briefgen.zh import round_to as round_half_up


def test_growth_pct_edges():
    assert growth_pct(110, 100) == pytest.approx(10.0)
    assert growth_pct(90, 100) == pytest.approx(-10.0)
    assert growth_pct(100, 100) == 0.0
    assert growth_pct(100, None) is None
    assert growth_pct(None, 100) is None
    assert growth_pct(100, 0) is None  # division by zero → no growth, not a crash


def test_share_and_cagr():
    assert share_pct(874.1, 5022.69) == pytest.approx(17.403, abs=1e-3)
    assert share_pct(1, 0) is None
    assert cagr_pct(100, 121, 2) == pytest.approx(10.0)
    assert cagr_pct(0, 121, 2) is None
    assert cagr_pct(100, 121, 0) is None


def test_competition_rank_ties():
    r = competition_rank({"甲": 10, "乙": 20, "丙": 20, "丁": 5, "戊": None})
    assert r == {"乙": 1, "丙": 1, "甲": 3, "丁": 4}
    low = competition_rank({"甲": 3, "乙": 1, "丙": 1}, higher_is_better=False)
    assert low == {"乙": 1, "丙": 1, "甲": 3}


def test_round_half_up_decimal_not_binary():
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(32.85, 1) == 32.9
    assert round_half_up(-2.5, 0) == -3.0


def test_shift_year():
    assert shift_year("2021") == "2020"
    assert shift_year("2021-03") == "2020-03"
    assert shift_year("2021Q1") == "2020Q1"
    with pytest.raises(BriefgenError):
        shift_year("上年")


def _book(rows, metrics, region="宜昌市", period="2021"):
    ds = Dataset()
    for ind, reg, per, val, unit, pub in rows:
        ds.add(ind, reg, per, Obs(val, pub or {}), unit=unit)
    cat = {k: MetricCfg(**v) for k, v in metrics.items()}
    return MetricBook(ds, cat, region=region, period=period, label="test.yaml")


def test_published_growth_wins_with_warning():
    # The seed's case: 高企 net +217 on 640 is +33.9%, the article says 32.8%.
    b = _book([("高企", "宜昌市", "2021", 857, "家", {"yoy": 32.8}), ("高企", "宜昌市", "2020", 640, "家", None)],
              {"hte": {"indicator": "高企"}})
    mv = b.value("hte")
    assert mv.yoy == 32.8
    assert mv.net == 217
    assert len(b.warnings) == 1 and "32.8" in b.warnings[0] and "33.9" in b.warnings[0]


def test_published_growth_consistent_no_warning():
    b = _book([("净增", "宜昌市", "2021", 217, "家", {"yoy": 82.4}), ("净增", "宜昌市", "2020", 119, "家", None)],
              {"n": {"indicator": "净增"}})
    assert b.value("n").yoy == 82.4
    assert b.warnings == []


def test_missing_previous_period_is_a_clear_error():
    b = _book([("x", "宜昌市", "2021", 5, "个", None)], {"x": {"indicator": "x"}})
    with pytest.raises(BriefgenError, match="2020"):
        b.value("x").yoy
    with pytest.raises(BriefgenError, match="上期"):
        b.value("x").prev


def test_zero_previous_growth_error():
    b = _book([("x", "宜昌市", "2021", 5, "个", None), ("x", "宜昌市", "2020", 0, "个", None)], {"x": {"indicator": "x"}})
    with pytest.raises(BriefgenError, match="上期为零"):
        b.value("x").yoy
    assert b.value("x").net == 5


def test_formula_share_pp_and_target():
    b = _book([
        ("增加值", "宜昌市", "2021", 874.1, "亿元", None), ("增加值", "宜昌市", "2020", 649.61, "亿元", None),
        ("GDP", "宜昌市", "2021", 5022.69, "亿元", None), ("GDP", "宜昌市", "2020", 4261.42, "亿元", None),
        ("入库", "宜昌市", "2021", 1172, "家", None), ("目标", "宜昌市", "2021", 800, "家", None),
    ], {
        "hti": {"indicator": "增加值"}, "gdp": {"indicator": "GDP"},
        "share": {"name": "占比", "formula": "hti / gdp * 100", "unit": "%", "decimals": 2},
        "tsme": {"indicator": "入库", "target": "tgt"}, "tgt": {"indicator": "目标"},
    })
    share = b.value("share")
    assert round_half_up(share.value, 2) == 17.40
    assert round_half_up(share.pp, 2) == 2.16
    assert str(share) == "17.40%"
    assert b.value("hti").share_of("gdp") == pytest.approx(share.value)
    tsme = b.value("tsme")
    assert round_half_up(tsme.completion, 1) == 146.5
    assert round_half_up(tsme.over, 1) == 46.5


def test_formula_division_by_zero_gives_missing_not_crash():
    b = _book([("a", "宜昌市", "2021", 1, "", None), ("b", "宜昌市", "2021", 0, "", None)],
              {"a": {"indicator": "a"}, "b": {"indicator": "b"}, "r": {"formula": "a / b"}})
    assert not b.value("r").available
    with pytest.raises(BriefgenError, match="缺少"):
        b.value("r").value


def test_formula_cycle_detected():
    b = _book([("a", "宜昌市", "2021", 1, "", None)], {"a": {"indicator": "a"}, "x": {"formula": "y + 1"}, "y": {"formula": "x + 1"}})
    with pytest.raises(BriefgenError, match="循环"):
        b.value("x").value


def test_rank_among_regions_and_rank_change():
    rows = []
    for reg, v21, v20 in [("甲", 10, 30), ("乙", 20, 20), ("丙", 20, 10), ("丁", 5, 40)]:
        rows += [("数", reg, "2021", v21, "家", None), ("数", reg, "2020", v20, "家", None)]
    b = _book(rows, {"n": {"indicator": "数"}}, region="丙")
    mv = b.value("n")
    assert mv.rank == 1 and mv.rank_of == 4
    assert mv.rank_prev == 4
    assert mv.rank_change == 3
    assert b.value("n", "甲").rank == 3


def test_published_rank_and_change():
    b = _book([("排名", "宜昌市", "2021", 45, "位", {"rank": 45, "rank_prev": 53, "rank_of": 78})],
              {"r": {"indicator": "排名", "higher_is_better": False}})
    mv = b.value("r")
    assert (mv.rank, mv.rank_prev, mv.rank_change, mv.rank_of) == (45, 53, 8, 78)


def test_unknown_metric_suggests_close_names():
    b = _book([("高新技术企业数", "宜昌市", "2021", 1, "家", None)], {"hte": {"indicator": "高新技术企业数"}})
    with pytest.raises(BriefgenError) as e:
        b.value("hte_totl")
    assert "hte" in str(e.value)


def test_scale_to_display_unit():
    b = _book([("收入", "宜昌市", "2021", 1234567, "万元", None)], {"inc": {"indicator": "收入", "scale_to": "亿元", "decimals": 2}})
    mv = b.value("inc")
    assert math.isclose(mv.value, 123.4567)
    assert str(mv) == "123.46亿元"


def test_cagr_metric():
    b = _book([("x", "宜昌市", "2019", 100, "", None), ("x", "宜昌市", "2021", 121, "", None)], {"x": {"indicator": "x"}})
    assert b.value("x").cagr("2019") == pytest.approx(10.0)


def test_negative_base_has_no_growth_rate():
    assert growth_pct(-50, -100) is None
    assert growth_pct(50, -100) is None
