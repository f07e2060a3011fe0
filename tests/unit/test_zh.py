"""Tests for briefgen.zh: Chinese number and phrasing filters."""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from briefgen import zh
from briefgen.errors import BriefgenError
from briefgen.zh import (
    FILTERS,
    ZhFormatError,
    change,
    cn_digits,
    cn_int,
    cn_ordinal,
    cn_year,
    date_cn,
    growth,
    issue_cn,
    join_cn,
    month_cn,
    net,
    num,
    pct,
    period_cn,
    pp,
    qty,
    rank,
    rank_change,
    rank_phrase,
    scale,
    times,
    total_issue_cn,
)

finite_floats = st.floats(allow_nan=False, allow_infinity=False)
decimals_st = st.integers(min_value=0, max_value=4)


def expected_round(x: float, d: int) -> Decimal:
    """Reference: half-up on the human-readable decimal form (repr), not the binary value."""
    dec = Decimal(repr(x))
    ctx = Context(prec=max(28, dec.adjusted() + d + 3))
    return dec.quantize(Decimal(1).scaleb(-d), rounding=ROUND_HALF_UP, context=ctx)


# --------------------------------------------------------------------------- num / pct / qty


@pytest.mark.parametrize(
    "x, d, out",
    [
        (874.1, None, "874.1"),
        (874, None, "874"),
        (857.0, None, "857"),
        (0.1 + 0.2, None, "0.3"),
        (1 / 3, None, "0.3333"),
        (2.675, 2, "2.68"),
        (0.125, 2, "0.13"),
        (1.005, 2, "1.01"),
        (32.85, 1, "32.9"),
        (-2.5, 0, "\u22123"),
        (2.5, 0, "3"),
        (-32.85, 1, "\u221232.9"),
        (874.1, 2, "874.10"),
        (5, 1, "5.0"),
        (Decimal("2.675"), 2, "2.68"),
        (Decimal("874.10"), None, "874.1"),
        (Fraction(1, 8), 2, "0.13"),
        ("12.5", None, "12.5"),
        (" 12.55 ", 1, "12.6"),
        (0, 2, "0.00"),
    ],
)
def test_num(x, d, out):
    assert num(x, d) == out


@pytest.mark.parametrize("x, d", [(-0.0, None), (-0.0, 2), (-0.04, 1), (-0.4, 0), (-0.00001, None), (Decimal("-0"), 0)])
def test_num_negative_zero(x, d):
    assert not num(x, d).startswith(("-", "\u2212"))
    assert Decimal(num(x, d)) == 0


def test_num_thousands_and_big():
    assert num(12345.6, thousands=True) == "12,345.6"
    assert num(1234567890, thousands=True) == "1,234,567,890"
    assert num(-1234567.891, 2, thousands=True) == "\u22121,234,567.89"  # the minus sign, not a hyphen
    assert num(999, thousands=True) == "999"
    assert num(10**20) == "100000000000000000000"
    assert num(1e20) == "100000000000000000000"
    assert num(1.5e300, 0).startswith("15")
    assert num(123456789012345678, 1) == "123456789012345678.0"
    assert num(5e-324) == "0"


def test_pct_qty_times():
    assert pct(96.2) == "96.2%"
    assert pct(96.25) == "96.3%"
    assert pct("96.2", 2) == "96.20%"
    assert pct(-0.01) == "0.0%"
    assert qty(874.1, "亿元") == "874.1亿元"
    assert qty(857, "家") == "857家"
    assert qty(12345.6, "万元", thousands=True) == "12,345.6万元"
    assert qty(3.14159, "吨", 2) == "3.14吨"
    assert qty(5) == "5"
    assert times(2.5) == "2.5倍"
    assert times(2.45) == "2.5倍"
    assert times(3, 0) == "3倍"


@pytest.mark.parametrize(
    "bad",
    [float("nan"), float("inf"), float("-inf"), Decimal("NaN"), Decimal("Infinity"), True, False, None, "abc", [1], object()],
)
def test_invalid_numbers_raise_chinese_error(bad):
    with pytest.raises(ZhFormatError) as info:
        num(bad)
    msg = str(info.value)
    assert re.search(r"[\u4e00-\u9fff]", msg)
    if isinstance(bad, (float, Decimal, bool)) or bad is None or bad == "abc":
        assert str(bad).lower().replace("infinity", "inf") in msg.lower().replace("infinity", "inf")


@pytest.mark.parametrize("fn", [growth, change, pp, times, cn_int, rank_change])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), True, "x", [1]])
def test_invalid_numbers_everywhere(fn, bad):
    with pytest.raises(ZhFormatError):
        fn(bad)


def test_strings_only_accepted_by_plain_formatters():
    assert num("12.5") == "12.5"
    with pytest.raises(ZhFormatError):
        growth("12.5")
    with pytest.raises(ZhFormatError):
        num("nan")
    with pytest.raises(ZhFormatError):
        num("inf")


def test_error_class():
    assert issubclass(ZhFormatError, ValueError)
    assert issubclass(ZhFormatError, BriefgenError)
    with pytest.raises(ValueError):
        num(float("nan"))


@pytest.mark.parametrize("d", [-1, 1.5, True, "2", 99])
def test_bad_decimals(d):
    with pytest.raises(ZhFormatError, match="小数位数"):
        num(1.0, d)


# --------------------------------------------------------------------------- scale


def test_scale():
    assert scale(1234567, "万元", "亿元") == Decimal("123.4567")
    assert num(scale(1234567, "万元", "亿元")) == "123.4567"
    assert scale(87_410_000_000, "元", "亿元") == Decimal("874.1")
    assert scale(874.1, "亿元", "元") == 87_410_000_000
    assert isinstance(scale(874.1, "亿元", "万元"), float)
    assert scale(874.1, "亿元", "万元") == 8_741_000.0
    assert scale(1, "万亿元", "亿元") == 10_000
    assert scale(2500, "千元", "万元") == Decimal("250")
    assert scale(3, "百万元", "万元") == 300
    assert scale(12345, "人", "万人") == Decimal("1.2345")
    assert scale(1.5, "万个", "个") == 15000.0
    assert scale(3, "万户", "户") == 30000
    assert scale(20000, "吨", "万吨") == 2
    assert scale(7, "元", "元") == 7
    assert scale(5, "万", "") == 50000
    # A base unit that itself starts with a prefix character.
    assert scale(3, "万千瓦时", "千瓦时") == 30000
    assert scale(Decimal("0.1"), "元", "万亿元") == Decimal("1E-13")


def test_scale_float_no_noise():
    assert scale(0.1, "亿元", "万元") == 1000.0
    assert num(scale(123.4567, "万元", "亿元")) == "0.0123"
    assert repr(scale(1234567.0, "万元", "亿元")) == "123.4567"


@pytest.mark.parametrize("a, b", [("万元", "万人"), ("元", "人"), ("亿元", "吨"), ("家", "户"), ("元", "")])
def test_scale_invalid_units(a, b):
    with pytest.raises(ZhFormatError) as info:
        scale(1, a, b)
    assert a in str(info.value) and b in str(info.value)


def test_scale_bad_value():
    with pytest.raises(ZhFormatError):
        scale(float("nan"), "元", "万元")
    with pytest.raises(ZhFormatError):
        scale(1, None, "万元")


# --------------------------------------------------------------------------- growth / change / net / pp


@pytest.mark.parametrize(
    "x, kw, out",
    [
        (32.8, {}, "同比增长32.8%"),
        (-3.1, {}, "同比下降3.1%"),
        (0, {}, "同比持平"),
        (0.04, {}, "同比持平"),
        (-0.04, {}, "同比持平"),
        (-0.05, {}, "同比下降0.1%"),
        (0.04, {"decimals": 2}, "同比增长0.04%"),
        (32.85, {}, "同比增长32.9%"),
        (-32.85, {}, "同比下降32.9%"),
        (5, {}, "同比增长5.0%"),
        (5, {"decimals": None}, "同比增长5%"),
        (32.8, {"prefix": ""}, "增长32.8%"),
        (0, {"prefix": ""}, "持平"),
        (-2, {"prefix": "环比"}, "环比下降2.0%"),
        (12.3, {"prefix": "比上年", "up": "提高", "down": "回落", "flat": "基本持平"}, "比上年提高12.3%"),
        (-2.675, {"decimals": 2}, "同比下降2.68%"),
        (1e300, {"decimals": 0}, "同比增长1" + "0" * 300 + "%"),
    ],
)
def test_growth(x, kw, out):
    assert growth(x, **kw) == out


def test_growth_none():
    with pytest.raises(ZhFormatError, match="缺少上期数据"):
        growth(None)


def test_change_net():
    assert change(217, "家") == "增加217家"
    assert change(-3, "个") == "减少3个"
    assert change(0, "个") == "持平"
    assert change(0.00001) == "持平"
    assert change(-1.25, "万元", 1) == "减少1.3万元"
    assert change(12.5, "亿元") == "增加12.5亿元"
    assert change(5, "人", up="新增", down="减员") == "新增5人"
    assert net(217, "家") == "净增217家"
    assert net(-3, "家") == "净减3家"
    assert net(0, "家") == "持平"
    with pytest.raises(ZhFormatError):
        change(None)


def test_pp():
    assert pp(2.16) == "提高2.16个百分点"
    assert pp(-0.5, 1) == "下降0.5个百分点"
    assert pp(-0.5) == "下降0.50个百分点"
    assert pp(0.26) == "提高0.26个百分点"
    assert pp(0.004) == "持平"
    assert pp(0.005) == "提高0.01个百分点"
    assert pp(-0.005) == "下降0.01个百分点"
    assert pp(1.005) == "提高1.01个百分点"
    assert pp(3, up="上升") == "上升3.00个百分点"
    with pytest.raises(ZhFormatError):
        pp(None)


# --------------------------------------------------------------------------- Chinese numerals


@pytest.mark.parametrize(
    "n, out",
    [
        (0, "零"),
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (12, "十二"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (1100, "一千一百"),
        (10000, "一万"),
        (10001, "一万零一"),
        (10010, "一万零一十"),
        (10100, "一万零一百"),
        (11000, "一万一千"),
        (100000, "十万"),
        (150000, "十五万"),
        (1_100_000, "一百一十万"),
        (20_000_000, "二千万"),
        (100_000_000, "一亿"),
        (100_000_001, "一亿零一"),
        (100_001_000, "一亿零一千"),
        (101_000_000, "一亿零一百万"),
        (120_000_000, "一亿二千万"),
        (1_000_000_000, "十亿"),
        (10**12, "一万亿"),
        (12 * 10**11, "一万二千亿"),
        (10**12 + 1, "一万亿零一"),
        (10**16 - 1, "九千九百九十九万九千九百九十九亿九千九百九十九万九千九百九十九"),
        (-5, "负五"),
        (-10, "负十"),
        (12.0, "十二"),
        (Decimal("105"), "一百零五"),
    ],
)
def test_cn_int(n, out):
    assert cn_int(n) == out


def test_cn_int_upper():
    assert cn_int(10, upper=True) == "壹拾"
    assert cn_int(105, upper=True) == "壹佰零伍"
    assert cn_int(120_000_000, upper=True) == "壹亿贰仟万"
    assert cn_int(0, upper=True) == "零"
    assert cn_int(-3, upper=True) == "负叁"


@pytest.mark.parametrize("bad", [1.5, 10**16, -(10**16), float("nan"), True, "12", None])
def test_cn_int_invalid(bad):
    with pytest.raises(ZhFormatError):
        cn_int(bad)


def test_cn_digits_year_ordinal():
    assert cn_digits(2021) == "二〇二一"
    assert cn_digits(0) == "〇"
    assert cn_digits("2000") == "二〇〇〇"
    assert cn_digits("007") == "〇〇七"
    assert cn_year(2021) == "二〇二一年"
    assert cn_year("2021") == "二〇二一年"
    assert cn_ordinal(1) == "第一"
    assert cn_ordinal(12) == "第十二"
    assert cn_ordinal(110) == "第一百一十"
    for bad in (-1, 1.5, "20a"):
        with pytest.raises(ZhFormatError):
            cn_digits(bad)
    for bad in (0, -1, 1.5):
        with pytest.raises(ZhFormatError):
            cn_ordinal(bad)


# --------------------------------------------------------------------------- dates and periods


def test_date_cn():
    assert date_cn(date(2021, 12, 21)) == "2021年12月21日"
    assert date_cn(date(2021, 3, 5)) == "2021年3月5日"
    assert date_cn(datetime(2021, 3, 5, 10, 30)) == "2021年3月5日"
    assert date_cn("2021-12-21") == "2021年12月21日"
    assert date_cn("2021-03-05") == "2021年3月5日"
    assert date_cn("2021-03-05T08:00:00") == "2021年3月5日"
    assert date_cn("2021/3/5") == "2021年3月5日"
    assert date_cn("2021-12-21", style="cn") == "二〇二一年十二月二十一日"
    assert date_cn(date(2020, 10, 10), style="cn") == "二〇二〇年十月十日"
    assert date_cn(date(2021, 1, 1), style="cn") == "二〇二一年一月一日"


@pytest.mark.parametrize("bad", ["2021-13-01", "2021-02-30", "yesterday", "", 20211221, None])
def test_date_cn_invalid(bad):
    with pytest.raises(ZhFormatError) as info:
        date_cn(bad)
    assert str(bad) in str(info.value)


def test_date_cn_bad_style():
    with pytest.raises(ZhFormatError):
        date_cn("2021-12-21", style="roman")


def test_month_cn():
    assert month_cn("2021-03") == "2021年3月"
    assert month_cn("2021M03") == "2021年3月"
    assert month_cn("2021-12") == "2021年12月"
    assert month_cn(date(2021, 3, 9)) == "2021年3月"
    assert month_cn("2021-03", style="cn") == "二〇二一年三月"
    for bad in ("2021-13", "2021", "March"):
        with pytest.raises(ZhFormatError):
            month_cn(bad)


@pytest.mark.parametrize(
    "p, out",
    [
        ("2021", "2021年"),
        (2021, "2021年"),
        ("2021-03", "2021年3月"),
        ("2021M03", "2021年3月"),
        ("2021m3", "2021年3月"),
        ("2021-12", "2021年12月"),
        ("2021Q1", "2021年第一季度"),
        ("2021-Q4", "2021年第四季度"),
        ("2021q2", "2021年第二季度"),
        ("2021H1", "2021年上半年"),
        ("2021-H2", "2021年下半年"),
        ("2021-12-21", "2021年12月21日"),
        (date(2021, 12, 21), "2021年12月21日"),
        (" 2021Q3 ", "2021年第三季度"),
    ],
)
def test_period_cn(p, out):
    assert period_cn(p) == out


def test_period_cn_style():
    assert period_cn("2021Q1", style="cn") == "二〇二一年第一季度"
    assert period_cn("2021-03", style="cn") == "二〇二一年三月"


@pytest.mark.parametrize("bad", ["2021Q5", "2021H3", "2021-13", "21", "2021-01~2021-06", "", "abc", 21, 2021.5, None])
def test_period_cn_invalid(bad):
    with pytest.raises(ZhFormatError) as info:
        period_cn(bad)
    assert str(bad) in str(info.value)


# --------------------------------------------------------------------------- ranks, lists, issues


def test_rank():
    assert rank(55) == "第55位"
    assert rank(55, style="cn") == "第五十五位"
    assert rank(1, style="cn") == "第一位"
    assert rank(3, unit="名") == "第3名"
    assert rank(3, unit="") == "第3"
    for bad in (0, -1, 1.5, None):
        with pytest.raises(ZhFormatError):
            rank(bad)


def test_rank_phrase():
    assert rank_phrase(1) == "位居全省第一"
    assert rank_phrase(3) == "位居全省第三"
    assert rank_phrase(10) == "位居全省第十"
    assert rank_phrase(11) == "位居全省第11位"
    assert rank_phrase(55) == "位居全省第55位"
    assert rank_phrase(2, scope="全市") == "位居全市第二"
    assert rank_phrase(55, style="cn") == "位居全省第五十五"
    assert rank_phrase(3, style="arabic") == "位居全省第3位"
    assert rank_phrase(3, scope="") == "位居第三"
    with pytest.raises(ZhFormatError):
        rank_phrase(3, style="x")
    with pytest.raises(ZhFormatError):
        rank_phrase(0)


def test_rank_change():
    assert rank_change(8) == "上升8位"
    assert rank_change(-3) == "下降3位"
    assert rank_change(0) == "与上年持平"
    assert rank_change(2.0) == "上升2位"
    assert rank_change(0, flat="持平") == "持平"
    assert rank_change(-1, unit="个位次") == "下降1个位次"
    for bad in (1.5, None):
        with pytest.raises(ZhFormatError):
            rank_change(bad)


def test_join_cn():
    assert join_cn(["A", "B", "C"]) == "A、B和C"
    assert join_cn(["A", "B"]) == "A和B"
    assert join_cn(["A"]) == "A"
    assert join_cn([]) == ""
    assert join_cn(None) == ""
    assert join_cn(("甲", "乙", "丙", "丁"), last="及") == "甲、乙、丙及丁"
    assert join_cn(x for x in ["A", "B"]) == "A和B"
    assert join_cn([1, 2, 3]) == "1、2和3"
    assert join_cn("工业") == "工业"


def test_issues():
    assert issue_cn(1) == "第1期"
    assert total_issue_cn(12) == "总第12期"
    for bad in (0, -1, 1.5, None, True):
        with pytest.raises(ZhFormatError):
            issue_cn(bad)
        with pytest.raises(ZhFormatError):
            total_issue_cn(bad)


# --------------------------------------------------------------------------- Jinja registration


def test_filters_registry():
    required = {
        "num", "pct", "qty", "scale", "growth", "change", "net", "pp", "times", "cn_int", "cn_digits",
        "cn_year", "cn_ordinal", "date_cn", "period_cn", "rank", "rank_phrase", "rank_change", "join_cn",
        "issue_cn",
    }  # fmt: skip
    assert required <= set(FILTERS)
    for name, fn in FILTERS.items():
        assert getattr(zh, name) is fn


def test_filters_in_jinja():
    jinja2 = pytest.importorskip("jinja2")
    env = jinja2.Environment(undefined=jinja2.StrictUndefined)
    env.filters.update(FILTERS)
    tpl = env.from_string(
        "{{ period|period_cn }}全省实现{{ v|scale('万元','亿元')|qty('亿元', 1) }}，"
        "{{ g|growth }}；{{ r|rank_phrase }}，{{ dr|rank_change }}；{{ items|join_cn }}。"
    )
    out = tpl.render(period="2021Q1", v=8741000, g=-3.1, r=3, dr=2, items=["工业", "服务业"])
    assert out == "2021年第一季度全省实现874.1亿元，同比下降3.1%；位居全省第三，上升2位；工业和服务业。"
    with pytest.raises(ZhFormatError):
        env.from_string("{{ x|growth }}").render(x=None)


# --------------------------------------------------------------------------- properties


def _sign_word(text: str, up: str, down: str, flat: str) -> str:
    if text.endswith(flat) and up not in text and down not in text:
        return flat
    if up in text:
        return up
    assert down in text
    return down


@given(finite_floats, decimals_st)
def test_prop_growth_sign(x, d):
    text = growth(x, d)
    assert "-" not in text
    assert text.startswith("同比")
    q = expected_round(x, d)
    word = _sign_word(text, "增长", "下降", "持平")
    assert word == ("增长" if q > 0 else "下降" if q < 0 else "持平")
    if q != 0:
        assert Decimal(text[4:-1]) == abs(q)


@given(finite_floats, decimals_st)
def test_prop_num_roundtrip(x, d):
    s = num(x, d).replace("\u2212", "-")
    assert not s.startswith("-0") or Decimal(s) != 0
    assert s != "-0" and not re.fullmatch(r"-0\.0*", s)
    assert Decimal(s) == expected_round(x, d)
    assert ("." in s) == (d > 0) and (d == 0 or len(s.split(".")[1]) == d)


@given(finite_floats)
def test_prop_num_auto(x):
    s = num(x).replace("\u2212", "-")
    assert "e" not in s.lower()
    assert Decimal(s) == expected_round(x, 4)
    assert not ("." in s and s.endswith("0"))


@given(finite_floats, decimals_st)
def test_prop_pp_sign(x, d):
    text = pp(x, d)
    assert "-" not in text
    q = expected_round(x, d)
    word = _sign_word(text, "提高", "下降", "持平")
    assert word == ("提高" if q > 0 else "下降" if q < 0 else "持平")
    if q != 0:
        assert text.endswith("个百分点")


@given(finite_floats, decimals_st)
def test_prop_change_sign(x, d):
    text = change(x, "家", d)
    assert "-" not in text
    q = expected_round(x, d)
    word = _sign_word(text, "增加", "减少", "持平")
    assert word == ("增加" if q > 0 else "减少" if q < 0 else "持平")


@given(st.integers(min_value=-(10**6), max_value=10**6))
def test_prop_rank_change_sign(n):
    text = rank_change(n)
    assert "-" not in text
    assert text.startswith("上升" if n > 0 else "下降" if n < 0 else "与上年持平")


_CN_ALLOWED = set("零一二三四五六七八九十百千万亿负")
_CN_VAL = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _parse_section(s: str) -> int:
    """Inverse of the < 10^4 reading (tolerates 零)."""
    total, digit = 0, 0
    for c in s:
        if c in _CN_VAL:
            digit = _CN_VAL[c]
        else:
            total += (digit or 1) * {"十": 10, "百": 100, "千": 1000}[c]
            digit = 0
    return total + digit


def _parse_wan(s: str) -> int:
    if "万" in s:
        hi, lo = s.split("万")
        return _parse_section(hi) * 10**4 + _parse_section(lo)
    return _parse_section(s)


def parse_cn(s: str) -> int:
    """Independent reference parser used to check cn_int round-trips."""
    sign = -1 if s.startswith("负") else 1
    s = s.lstrip("负")
    if "亿" in s:
        hi, lo = s.split("亿")
        return sign * (_parse_wan(hi) * 10**8 + _parse_wan(lo))
    return sign * _parse_wan(s)


@given(st.integers(min_value=0, max_value=10**12))
def test_prop_cn_int_shape(n):
    s = cn_int(n)
    assert s
    assert set(s) <= _CN_ALLOWED
    assert "零零" not in s
    assert s == "零" or not s.endswith("零")
    assert not s.startswith("零") or s == "零"
    assert parse_cn(s) == n


@given(st.integers(min_value=-(10**16) + 1, max_value=10**16 - 1))
def test_prop_cn_int_full_range(n):
    s = cn_int(n)
    assert "零零" not in s
    assert parse_cn(s) == n


@given(st.integers(min_value=1, max_value=10**12))
def test_prop_cn_int_upper_is_translation(n):
    lower = cn_int(n)
    upper = cn_int(n, upper=True)
    if lower.startswith("十"):
        lower = "一" + lower
    assert upper == lower.translate(str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟"))


@given(st.integers(min_value=0, max_value=10**20))
def test_prop_cn_digits(n):
    s = cn_digits(n)
    assert len(s) == len(str(n))
    assert set(s) <= set("〇一二三四五六七八九")


@given(st.dates())
def test_prop_date_cn(d):
    assume(d.year >= 1000)
    assert date_cn(d) == f"{d.year}年{d.month}月{d.day}日"
    assert date_cn(d.isoformat()) == date_cn(d)
    cn = date_cn(d, style="cn")
    assert cn.startswith(cn_year(d.year))
    assert cn.endswith(cn_int(d.day) + "日")


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=0, max_value=10**6))
def test_prop_scale_roundtrip(n, frac):
    x = Decimal(n) + Decimal(frac).scaleb(-6)
    assert scale(scale(x, "万元", "亿元"), "亿元", "万元") == x
    assert scale(x, "元", "万元") * 10000 == x


@settings(max_examples=50)
@given(st.lists(st.text(alphabet="甲乙丙丁", min_size=1, max_size=3), max_size=6))
def test_prop_join_cn(items):
    s = join_cn(items)
    assert s.count("、") == max(0, len(items) - 2)
    assert s.replace("、", "").replace("和", "") == "".join(items)
    if len(items) >= 2:
        assert s.endswith("和" + items[-1])


def test_math_isfinite_guard_independent_of_float_subclass():
    class MyFloat(float):
        def __repr__(self):
            return "MyFloat(2.675)"

    assert num(MyFloat(2.675), 2) == "2.68"
    with pytest.raises(ZhFormatError):
        num(MyFloat(math.inf))


def test_ytd_cn():
    from briefgen.zh import ytd_cn

    assert ytd_cn("2022-06") == "2022年1—6月"
    assert ytd_cn("2022-01") == "2022年1月"
    assert ytd_cn(2021) == "2021年"
