"""The phrase vocabulary: every phrase for a rise, a fall, no change and a missing previous value,
and properties that hold for any figures (no signed number after a direction word, 持平 never
after 比, nothing but an empty string without data)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefgen import phrases as P
from briefgen import zh
from briefgen.errors import BriefgenError

from .phrase_data import book, metric

# --- change of a level, a ratio, a growth rate, a net increase --------------------------------

CHANGE_CASES = [
    # kind, cur, prev, period, expected
    ("level", 857, 640, "2021", "比上年增长33.9%"),
    ("level", 600, 640, "2021", "比上年下降6.3%"),
    ("level", 640, 640, "2021", "与上年持平"),
    ("level", 857, None, "2021", ""),
    ("level", 200, 184, "2024-06", "同比增长8.7%"),
    ("level", 184, 184, "2024-06", "与上年同期持平"),
    ("amount", 874.1, 649.61, "2021", "比上年增长34.6%"),
    ("amount", 5.0, -2.0, "2021", "比上年增加7亿元"),  # no growth rate from a negative base
    ("amount", -1.5, 2.0, "2021", "比上年减少3.5亿元"),  # nor for a value that changed sign
    ("ratio", 2.62, 2.36, "2021", "比上年提高0.26个百分点"),
    ("ratio", 2.30, 2.36, "2021", "比上年降低0.06个百分点"),
    ("ratio", 2.36, 2.36, "2021", "与上年持平"),
    ("ratio", 2.62, None, "2021", ""),
    ("growth", 11.6, None, "2022-06", "同比增长11.6%"),
    ("growth", -3.4, None, "2022-06", "同比下降3.4%"),
    ("growth", 0.0, None, "2022-06", "与上年同期持平"),
    ("net", 217, 119, "2021", "比上年多增98家"),
    ("net", 100, 119, "2021", "比上年少增19家"),
    ("net", -40, -10, "2021", "比上年多减30家"),
    ("net", -5, -10, "2021", "比上年少减5家"),
    ("net", -40, 119, "2021", "上年为净增119家"),
    ("net", 30, -10, "2021", "上年为净减10家"),
    ("net", 119, 119, "2021", "与上年持平"),
    ("net", 217, None, "2021", ""),
]


@pytest.mark.parametrize("kind,cur,prev,period,text", CHANGE_CASES)
def test_change(kind, cur, prev, period, text):
    assert P.change(metric(kind, cur, prev, period=period, decimals=2 if kind == "ratio" else None)) == text


def test_change_options():
    hte = metric("level", 857, 640, published={"yoy": 32.8, "net": 217})
    assert P.change(hte) == "比上年增长32.8%"  # the published figure wins
    assert P.change(hte, prefix="") == "增长32.8%"
    assert P.change(hte, with_net=True) == "比上年净增217家，增长32.8%"
    assert P.change(metric("level", 600, 640), with_net=True) == "比上年净减40家，下降6.3%"
    assert P.change(metric("amount", 611.87, 649.61), with_net=True) == "比上年减少37.74亿元，下降5.8%"
    assert P.change(metric("level", 2500, 1000), times=True) == "比上年增长1.5倍"
    assert P.change(metric("level", 1500, 1000), times=True) == "比上年增长50.0%"
    assert P.change(metric("level", 640, 640), prefix="") == "持平"
    assert P.change(metric("level", 640, 640), prefix="比上年") == "与上年持平"
    assert P.change(metric("net", 217, 119, published={"yoy": 82.4}), rate=True) == "比上年多增98家、增长82.4%"
    assert P.change(metric("net", -40, 119), rate=True) == "上年为净增119家"


def test_change_between_different_values_is_never_plain_flat():
    """649.87 against 649.61 is +0.04 %: one more decimal, never 持平 beside two different figures."""
    assert P.change(metric("amount", 649.87, 649.61)) == "比上年增长0.04%"
    assert P.change(metric("amount", 649.612, 649.61)) == "与上年基本持平"
    assert P.direction(metric("amount", 649.612, 649.61)) == "flat"


def test_comparison_words_follow_the_period():
    assert P.change(metric("level", 10, 8, period="2022Q2")) == "同比增长25.0%"
    b = book({("x", "甲", "2022-06"): 10, ("x", "甲", "2022-05"): 8}, {"k": {"indicator": "x"}}, region="甲",
             period="2022-06", previous="2022-05", units={"x": "家"})
    assert P.change(b.value("k")) == "比上月增长25.0%"
    b = book({("x", "甲", "2022-06"): 8, ("x", "甲", "2022-05"): 8}, {"k": {"indicator": "x"}}, region="甲",
             period="2022-06", previous="2022-05", units={"x": "家"})
    assert P.change(b.value("k")) == "与上月持平"


def test_numbers_keep_the_zh_behaviour():
    assert P.change(217, "家") == "增加217家" and P.change(-3, "家") == "减少3家" and P.change(0) == "持平"
    assert P.net(217, "家") == "净增217家"


# --- net, reach, state ------------------------------------------------------------------------

@pytest.mark.parametrize("kind,cur,prev,text", [
    ("level", 857, 640, "净增217家"),
    ("level", 600, 640, "净减40家"),
    ("amount", 611.87, 649.61, "减少37.74亿元"),  # an amount falls by 减少, not 净减
    ("amount", 874.1, 649.61, "净增224.49亿元"),
    ("level", 640, 640, "与上年持平"),
    ("level", 857, None, ""),
    ("net", 217, 119, "净增217家"),
    ("net", -40, 119, "净减40家"),
    ("net", 0, 119, "与上年持平"),
])
def test_net(kind, cur, prev, text):
    assert P.net(metric(kind, cur, prev)) == text


@pytest.mark.parametrize("kind,cur,prev,reach,state", [
    ("ratio", 2.62, 2.36, "达到2.62%", "为2.62%，比上年提高0.26个百分点"),
    ("ratio", 2.30, 2.36, "降至2.30%", "为2.30%，比上年降低0.06个百分点"),
    ("ratio", 2.36, 2.36, "为2.36%", "为2.36%，与上年持平"),
    ("ratio", 2.62, None, "达到2.62%", "为2.62%"),
    ("level", 857, 640, "达到857家", "为857家，比上年增长33.9%"),
    ("level", 600, 640, "为600家", "为600家，比上年下降6.3%"),
    ("growth", -3.4, None, "下降3.4%", "下降3.4%"),
    ("growth", 0.0, None, "与上年持平", "与上年持平"),
])
def test_reach_and_state(kind, cur, prev, reach, state):
    m = metric(kind, cur, prev, decimals=2 if kind == "ratio" else None)
    assert P.reach(m) == reach
    assert P.state(m) == state


def test_reach_without_a_value_is_missing_data():
    with pytest.raises(BriefgenError, match="缺少"):
        P.reach(metric("level", None, 640))


def test_net_change_of_a_level_needs_two_earlier_periods():
    b = book({("企业数", "宜昌市", "2021"): 857, ("企业数", "宜昌市", "2020"): 640, ("企业数", "宜昌市", "2019"): 521},
             {"hte": {"indicator": "企业数"}}, units={"企业数": "家"})
    assert P.net_change(b.value("hte")) == "比上年多增98家"
    b = book({("企业数", "宜昌市", "2021"): 857, ("企业数", "宜昌市", "2020"): 640},
             {"hte": {"indicator": "企业数"}}, units={"企业数": "家"})
    assert P.net_change(b.value("hte")) == ""


# --- benchmarks, earlier growth, targets --------------------------------------------------------

def _bench(city_cur, city_prev, prov):
    return book({("增加值", "宜昌市", "2021"): city_cur, ("增加值", "宜昌市", "2020"): city_prev,
                 ("增加值增速", "湖北省", "2021"): prov},
                {"hti": {"indicator": "增加值"}, "prov": {"indicator": "增加值增速", "region": "湖北省", "decimals": 1}},
                units={"增加值": "亿元", "增加值增速": "%"})


@pytest.mark.parametrize("cur,prov,text", [
    (874.1, 16.9, "高出全省平均水平17.7个百分点"),
    (874.1, 40.0, "低于全省平均水平5.4个百分点"),
    (874.1, 34.6, "与全省平均水平持平"),
    (None, 16.9, ""),
])
def test_gap_growth_against_a_benchmark(cur, prov, text):
    b = _bench(cur if cur is not None else 1.0, 649.61, prov)
    hti = b.value("hti") if cur is not None else b.value("hti", period="2030")
    assert P.gap(hti, b.value("prov"), "全省平均水平") == text


def test_gap_numbers_and_times():
    assert P.gap(2.62, 2.40, "全国平均水平") == "高出全国平均水平0.2个百分点"
    assert P.gap(2.62, 2.40, "全国平均水平", 2) == "高出全国平均水平0.22个百分点"
    assert P.gap(None, 2.40, "全国") == "" and P.gap(2.4, None, "全国") == ""
    assert P.gap(300, 200, "全省", by="times") == "是全省的1.5倍"
    assert P.gap(170, 200, "全省", by="times") == "相当于全省的85.0%"
    with pytest.raises(BriefgenError):
        P.gap(1, 2, "x", by="倍")


def _monthly(june, may, *, kind="growth"):
    return book({("增速", "宜昌市", "2022-06"): june, ("增速", "宜昌市", "2022-05"): may},
                {"g": {"indicator": "增速", "decimals": 1}}, period="2022-06", units={"增速": "%"}).value("g")


@pytest.mark.parametrize("june,may,text", [
    (11.6, 11.3, "增速比1—5月加快0.3个百分点"),
    (10.2, 10.6, "增速比1—5月回落0.4个百分点"),
    (10.2, 10.2, "增速与1—5月持平"),
    (-2.0, -3.5, "降幅比1—5月收窄1.5个百分点"),
    (-4.0, -3.5, "降幅比1—5月扩大0.5个百分点"),
    (1.5, -2.0, "增速比1—5月加快3.5个百分点，由降转增"),
    (-0.5, 1.2, "增速比1—5月回落1.7个百分点，由增转降"),
    (11.6, None, ""),
])
def test_accel(june, may, text):
    if may is None:
        m = book({("增速", "宜昌市", "2022-06"): june}, {"g": {"indicator": "增速", "decimals": 1}},
                 period="2022-06", units={"增速": "%"}).value("g")
    else:
        m = _monthly(june, may)
    assert P.accel(m) == text


def test_accel_range_style_and_first_month():
    assert P.accel(_monthly(11.6, 11.3), style="range") == "增幅比1—5月扩大0.3个百分点"
    jan = book({("增速", "宜昌市", "2022-01"): 5.0}, {"g": {"indicator": "增速"}}, period="2022-01",
               units={"增速": "%"}).value("g")
    assert P.accel(jan) == ""  # nothing earlier in the year to compare with


@pytest.mark.parametrize("cur,goal,period,style,text", [
    (700, 800, "2021", "share", "完成全年目标的87.5%"),
    (800, 800, "2021", "share", "完成全年目标"),
    (1172, 800, "2021", "share", "超额完成全年目标（为目标的146.5%）"),
    (1172, 800, "2021", "over", "超额46.5%完成全年目标"),
    (700, 800, "2021", "over", "完成全年目标的87.5%"),
    (624, 800, "2022-09", "share", "完成全年目标的78.0%，快于序时进度3.0个百分点"),
    (560, 800, "2022-09", "share", "完成全年目标的70.0%，慢于序时进度5.0个百分点"),
    (600, 800, "2022-09", "share", "完成全年目标的75.0%，与序时进度持平"),
    (840, 800, "2022Q3", "share", "提前完成全年目标（为目标的105.0%）"),
])
def test_target(cur, goal, period, style, text):
    assert P.target(metric("level", cur, None, period=period, target=goal), style=style) == text


def test_target_without_data_and_numbers():
    assert P.target(metric("level", None, None, target=800)) == ""
    assert P.target(87.5) == "完成全年目标的87.5%" and P.target(None) == ""
    assert P.target(78.0, period="2022-09") == "完成全年目标的78.0%，快于序时进度3.0个百分点"


# --- ranks ----------------------------------------------------------------------------------

def _ranked(rank, rank_prev=None):
    pub = {"rank": rank, **({"rank_prev": rank_prev} if rank_prev is not None else {})}
    return metric("level", 45, None, published=pub)


@pytest.mark.parametrize("rank,prev,prefix,text", [
    (45, 53, None, "比上年上升8位"),
    (58, 53, None, "比上年下降5位"),
    (53, 53, None, "与上年持平"),
    (45, None, None, ""),
    (45, 53, "较上年度", "较上年度上升8位"),
    (53, 53, "较上年度", "与上年度持平"),
])
def test_rank_move(rank, prev, prefix, text):
    assert P.rank_move(_ranked(rank, prev), prefix) == text


def test_rank_move_numbers():
    assert P.rank_move(8) == "上升8位" and P.rank_move(-3) == "下降3位" and P.rank_move(0) == "持平"
    assert P.rank_move(0, "较上年度") == "与上年度持平" and P.rank_move(None) == ""


@pytest.mark.parametrize("rank,scope,top,text", [
    (1, "全省", None, "位居全省第一"), (5, "全省", None, "居全省第5位"), (2, "全省", 3, "居全省前三"),
    (4, "全市", 3, "居全市第4位"), (1, "", 3, "位居第一"),
])
def test_place(rank, scope, top, text):
    assert P.place(rank, scope, top=top) == text
    assert P.place(_ranked(rank), scope, top=top) == text


def test_place_without_rank_and_single_region():
    assert P.place(None) == "" and P.place(metric("level", 1, None)) == ""  # one region ranks nothing


# --- across regions -----------------------------------------------------------------------------

COUNTIES = ["夷陵区", "西陵区", "当阳市", "秭归县"]


def _counties(values: dict[str, float], prev: dict[str, float] | None = None, *, kind="growth", city=None):
    ind = "增速" if kind == "growth" else "企业数"
    data = {(ind, r, "2022-06"): v for r, v in values.items()}
    data.update({(ind, r, "2021-06"): v for r, v in (prev or {}).items()})
    if city is not None:
        data[(ind, "宜昌市", "2022-06")] = city
    m = {"indicator": ind, "decimals": 1} if kind == "growth" else {"indicator": ind}
    return book(data, {"m": m}, period="2022-06", peers=list(values),
                units={ind: "%" if kind == "growth" else "家"}).value("m")


def test_regions_count_and_lists():
    m = _counties({"夷陵区": 14.4, "西陵区": -3.4, "当阳市": 15.1, "秭归县": 0.0}, city=11.6)
    assert P.regions_count(m) == "4个县市区中2个增长、1个下降、1个持平"
    assert P.top_regions(m, 2) == "当阳市（增长15.1%）和夷陵区（增长14.4%）"
    assert P.bottom_regions(m) == "西陵区（下降3.4%）"
    assert P.leader(m) == "当阳市"
    assert P.above(m) == "高于全市水平的县市区有2个" and P.above_count(m) == 2
    assert P.regions_count(_counties(dict.fromkeys(COUNTIES, 5.0))) == "4个县市区均实现增长"
    assert P.regions_count(_counties(dict.fromkeys(COUNTIES, -5.0)), "乡镇") == "4个乡镇均有所下降"
    assert P.regions_count(_counties(dict.fromkeys(COUNTIES, 0.0))) == "4个县市区均与上年同期持平"
    same = _counties(dict.fromkeys(COUNTIES, 5.0))
    assert P.top_regions(same) == "" and P.bottom_regions(same) == ""  # no first or last among equals


def test_regions_of_levels_and_missing():
    m = _counties({"夷陵区": 230, "西陵区": 180, "当阳市": 150, "秭归县": 90},
                  {"夷陵区": 200, "西陵区": 190, "当阳市": 150}, kind="level")
    assert P.regions_count(m) == "3个县市区中1个增长、1个下降、1个持平"  # 秭归县 has no previous value
    assert P.top_regions(m, 1) == "夷陵区（230家）"
    none = book({("x", "甲", "2022-06"): None}, {"m": {"indicator": "x"}}, period="2022-06", peers=["甲", "乙"])
    assert P.regions_count(none.value("m")) == "" and P.top_regions(none.value("m")) == ""
    assert P.above(m) == ""  # no value for the reference region


def test_above_extremes():
    m = _counties({"夷陵区": 14.4, "西陵区": 13.0}, city=20.0)
    assert P.above(m) == "没有高于全市水平的县市区"
    m = _counties({"夷陵区": 14.4, "西陵区": 13.0}, city=1.0)
    assert P.above(m) == "各县市区均高于全市水平"


# --- across a series --------------------------------------------------------------------------

def _series(values, kind="growth"):
    data = {("增速", "宜昌市", f"2022-{m:02d}"): v for m, v in enumerate(values, start=1) if v is not None}
    return book(data, {"g": {"indicator": "增速", "decimals": 1}}, period=f"2022-{len(values):02d}",
                units={"增速": "%"}).value("g")


@pytest.mark.parametrize("values,shape", [
    ([10.1, 10.4, 10.7, 11.0, 11.3, 11.6], "逐月回升"),
    ([12.2, 11.8, 11.4, 11.0, 10.6, 10.2], "持续回落"),
    ([5.0, 6.0, 7.0, 6.5, 6.0, 5.5], "先升后降"),
    ([7.0, 6.0, 5.0, 5.5, 6.0, 6.5], "先降后升"),
    ([5.0, 6.0, 5.0, 6.0, 5.0, 6.0], "波动变化"),
    ([5.0, 5.0, 5.0, 5.0], "保持平稳"),
    ([5.0, 5.0, 6.0, 7.0], "总体回升"),
    ([5.0, 6.0], ""),
])
def test_trend(values, shape):
    assert P.trend(_series(values)) == shape


def test_peak_trough_streak():
    m = _series([5.0, 6.0, 7.0, 6.5, 6.0, 5.5])
    assert P.peak(m) == "3月最高（增长7.0%）" and P.trough(m) == "1月最低（增长5.0%）"
    assert P.streak(m) == "连续6个月保持增长"
    assert P.streak(_series([3.0, -1.0, -2.0, -0.5])) == "连续3个月下降"
    assert P.streak(_series([3.0, -1.0, 2.0])) == ""  # one month is not a streak
    assert P.peak(_series([5.0])) == ""


# --- grades, milestones, words by direction ---------------------------------------------------

@pytest.mark.parametrize("cur,text", [
    (1300, "大幅增长"), (1100, "较快增长"), (1040, "稳步增长"), (1010, "小幅增长"), (1000, "基本持平"),
    (998, "基本持平"), (980, "小幅下降"), (950, "有所下降"), (800, "大幅下降"), (None, ""),
])
def test_grade_default(cur, text):
    assert P.grade(metric("level", 1000 if cur is None else cur, None if cur is None else 1000)) == text


def test_grade_settings_and_ratios():
    assert P.grade(metric("ratio", 2.62, 2.36, decimals=2)) == "有所提高"
    custom = P.PhraseSettings(grades={**P.DEFAULT_GRADES, "growth": [(15.0, "快速增长"), (-15.0, "平稳运行"),
                                                                      (None, "明显回落")]})
    with P.using(custom):
        assert P.grade(metric("level", 1200, 1000)) == "快速增长"
        assert P.grade(metric("level", 1100, 1000)) == "平稳运行"
    assert P.grade(12.0) == "较快增长" and P.grade(-0.3, "pp") == "有所降低"


@pytest.mark.parametrize("table,message", [
    ([(5.0, "增长"), (-1.0, "下降"), (None, "大幅下降")], "表示下降"),
    ([(-1.0, "小幅增长"), (None, "下降")], "表示上升"),
    ([(5.0, "增长"), (1.0, "基本持平"), (None, "下降")], "不包含零"),
    ([(5.0, "增长"), (6.0, "更快增长"), (None, "下降")], "从高到低"),
    ([(5.0, "增长"), (-5.0, "下降")], "最后一级"),
    ([(5.0, "增长"), (None, "其他"), (None, "下降")], "只有最后一级"),
    ([], "不能为空"),
])
def test_grade_tables_are_checked(table, message):
    with pytest.raises(BriefgenError, match=message):
        P.check_grades(table, "growth", "phrases.grades.growth")
    P.check_grades(P.DEFAULT_GRADES["growth"], "growth", "x")
    P.check_grades(P.DEFAULT_GRADES["pp"], "pp", "x")


@pytest.mark.parametrize("cur,prev,text", [
    (857, 640, "突破850家"), (870, 860, "达到870家"), (857, 900, "857家"), (850, 800, "达到850家"),
    (857, None, "超过850家"), (40, 30, "达到40家"), (600, 640, "600家"),
])
def test_milestone(cur, prev, text):
    assert P.milestone(metric("level", cur, prev, decimals=0), 50) == text


def test_by_direction_and_conditions():
    up, down, flat, missing = (metric("level", 857, 640), metric("level", 600, 640), metric("level", 640, 640),
                               metric("level", 857, None))
    words = ("持续加大", "有所回落", "保持稳定", "稳步推进")
    assert [P.by_direction(m, *words) for m in (up, down, flat, missing)] == list(words)
    assert P.rose(up) and not P.rose(down) and P.fell(down) and P.steady(flat) and not P.rose(missing)
    assert P.rose(up, 30) and not P.rose(up, 40) and P.fell(down, 5) and not P.fell(down, 10)
    assert P.all_rose([up, up]) and not P.all_rose([up, flat]) and not P.all_rose([])
    assert P.any_fell([up, down]) and P.all_fell([down]) and P.any_rose([down, up])
    rank = metric("level", 45, 53, higher_is_better=False)
    assert P.improved(rank) and not P.worsened(rank) and P.worsened(down) and P.improved(up)


def test_higher_lower_in_top_topic():
    b = _bench(874.1, 649.61, 16.9)
    assert P.higher(b.value("hti"), b.value("prov")) and not P.lower(b.value("hti"), b.value("prov"))
    assert P.in_top(_ranked(1)) and P.in_top(_ranked(3), 3) and not P.in_top(_ranked(4), 3)
    assert not P.in_top(metric("level", 1, None))
    assert P.topic(metric("growth", 1.0, None)) == "规模以上工业增加值"
    assert P.topic(metric("level", 1, None)) == "高新技术企业数"


def test_clauses_and_lead():
    assert P.clauses("净增217家", "", None, "比上年多增98家") == "净增217家，比上年多增98家"
    assert P.clauses("", "") == "" and P.clauses("a", "b", sep="；") == "a；b"
    assert P.lead("比上年增长32.8%") == "，比上年增长32.8%" and P.lead("") == "" and P.lead(None) == ""
    assert P.lead("位居全省第一", "，增速") == "，增速位居全省第一"


def test_omitted_comparisons_are_collected():
    with P.collecting() as notes:
        assert P.change(metric("level", 857, None)) == ""
        assert P.change(metric("level", 857, 640)) != ""
    assert notes == ["“高新技术企业数”缺少2020年数据，已省略与上期的比较"]
    assert P.change(metric("level", 857, None)) == ""  # outside collecting: nothing recorded, no error


# --- properties over any figures ---------------------------------------------------------------

FIGURE = st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False).map(lambda v: zh.round_to(v, 2)),
                   st.integers(-500, 5000).map(float))
NEGATIVE_AFTER_WORD = re.compile(r"(增长|下降|提高|降低|增加|减少|净增|净减|多增|少增|多减|少减|高出|低于|上升)-?[-−]")
ZERO_AS_CHANGE = re.compile(r"(增长|下降|提高|降低|增加|减少|净增|净减|多增|少增|多减|少减|高出|低于|加快|回落)"
                            r"0(\.0+)?(%|个百分点|家|亿元|倍)")


def _sane(text: str) -> None:
    assert not NEGATIVE_AFTER_WORD.search(text), text
    assert not re.search(r"(?<![\d.])-\d", text), text
    assert not ZERO_AS_CHANGE.search(text), text
    assert not re.search(r"比[^，。；与]{0,6}持平", text), text
    assert "None" not in text and "nan" not in text


@settings(max_examples=300, deadline=None)
@given(kind=st.sampled_from(["level", "amount", "ratio", "growth", "net"]), cur=FIGURE, prev=FIGURE)
def test_change_words_agree_with_the_figures(kind, cur, prev):
    assume(cur is not None)
    m = metric(kind, cur, prev, decimals=2 if kind == "ratio" else None)
    for text in (P.change(m), P.change(m, with_net=True), P.net(m), P.grade(m), P.state(m), P.reach(m)):
        _sane(text)
    text = P.change(m)
    if kind == "net":
        # A net increase's change compares it with last period's (多增/少增), not its sign.
        assert text == "" if prev is None else re.match(r"比上年(多增|少增|多减|少减)|上年为|与上年持平", text), text
        return
    d = P.direction(m)
    if d is None:
        assert text == ""
    elif d == "flat":
        assert text.endswith("持平")
    elif d == "up":
        assert re.match(r"比上年(增长|提高|增加|多增|少减)|上年为净减", text), text
    else:
        assert re.match(r"比上年(下降|降低|减少|少增|多减)|上年为净增", text), text


@settings(max_examples=200, deadline=None)
@given(a=FIGURE, b=FIGURE, decimals=st.integers(0, 3))
def test_gap_words_agree(a, b, decimals):
    text = P.gap(a, b, "全省", decimals)
    _sane(text)
    if a is None or b is None:
        assert text == ""
    else:
        diff = zh.round_to(a - b, decimals)
        assert text.startswith("高出" if diff > 0 else "低于" if diff < 0 else "与全省持平")


@settings(max_examples=200, deadline=None)
@given(june=st.floats(-50, 50).map(lambda v: zh.round_to(v, 1)), may=st.floats(-50, 50).map(lambda v: zh.round_to(v, 1)))
def test_accel_words_agree(june, may):
    text = P.accel(_monthly(june, may))
    _sane(text)
    if june < 0 and may < 0:
        assert text.startswith("降幅")
    elif june == may:
        assert text.endswith("持平")
    else:
        assert ("加快" in text) == (june > may), text


@settings(max_examples=200, deadline=None)
@given(cur=st.floats(0, 5000).map(lambda v: zh.round_to(v, 1)), goal=st.floats(1, 5000).map(lambda v: zh.round_to(v, 0)),
       month=st.integers(1, 12))
def test_target_words_agree(cur, goal, month):
    assume(goal >= 1)
    for period in ("2021", f"2022-{month:02d}"):
        text = P.target(metric("level", cur, None, period=period, target=goal))
        _sane(text)
        c = zh.round_to(cur / goal * 100, 1)
        assert ("超额" in text or "提前" in text) == (c > 100 or (c >= 100 and period != "2021")), text


@settings(max_examples=200, deadline=None)
@given(cur=st.floats(0, 5000).map(lambda v: zh.round_to(v, 0)), prev=st.one_of(st.none(), st.floats(0, 5000).map(
    lambda v: zh.round_to(v, 0))), step=st.sampled_from([10, 50, 100]))
def test_milestone_never_claims_more_than_the_value(cur, prev, step):
    text = P.milestone(metric("level", cur, prev, decimals=0), step)
    m = re.match(r"(突破|超过)(\d+)家", text)
    if m:
        assert float(m.group(2)) < cur
        if m.group(1) == "突破":
            assert prev is not None and prev < float(m.group(2))


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.floats(-30, 30).map(lambda v: zh.round_to(v, 1)), min_size=3, max_size=12))
def test_trend_words_agree(values):
    shape = P.trend(_series(values))
    steps = [(b > a) - (b < a) for a, b in zip(values, values[1:])]
    if shape == "逐月回升":
        assert all(s > 0 for s in steps)
    if shape == "持续回落":
        assert all(s < 0 for s in steps)
    if shape == "保持平稳":
        assert all(s == 0 for s in steps)
    assert shape  # three or more values always get a shape


def test_zh_growth_never_says_bi_shang_nian_chi_ping():
    assert zh.growth(0, prefix="比上年") == "与上年持平"
    assert zh.growth(0.04, prefix="较上年") == "与上年持平"
    assert zh.growth(0) == "同比持平" and zh.growth(0, prefix="") == "持平"
    assert zh.growth(3.1, prefix="比上年") == "比上年增长3.1%"


def test_a_negative_level_reads_with_fu():
    """A loss is 负1.5亿元 in prose: the minus sign zh.num writes is "−", which must still count as negative."""
    from briefgen.config import MetricCfg
    from briefgen.data import Dataset, Obs
    from briefgen.metrics import MetricBook

    ds = Dataset()
    ds.add("利润", "全市", "2021", Obs(-1.5))
    ds.add("利润", "全市", "2020", Obs(2.0))
    book = MetricBook(ds, {"p": MetricCfg(indicator="利润", unit="亿元")}, region="全市", period="2021")
    assert P.state(book.value("p")) == "为负1.5亿元，比上年减少3.5亿元"
    assert P.reach(book.value("p")) == "为负1.5亿元"
