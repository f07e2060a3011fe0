"""Property tests for the phrasing functions beyond tests/test_zh.py.

Any number — float of any size, huge int, Decimal, Fraction — with any sign and
precision is phrased without an exception and never as "增长-3%"; anything
that is not a finite number fails with the one Chinese error type
(ZhFormatError, a BriefgenError), never a TypeError or a traceback.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen import zh
from briefgen.errors import BriefgenError
from briefgen.zh import ZhFormatError

numbers_st = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),  # subnormals to 1.8e308
    st.integers(min_value=-(10**30), max_value=10**30),
    st.decimals(allow_nan=False, allow_infinity=False, min_value=Decimal("-1e30"), max_value=Decimal("1e30")),
    st.fractions(max_denominator=10**6).filter(lambda f: abs(f) < 10**30),
)
decimals_st = st.one_of(st.none(), st.integers(min_value=0, max_value=4))
not_numbers = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("Infinity"), True, None, [], {}]),
    st.text(max_size=5).filter(lambda s: not re.fullmatch(r"\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*", s)),
)

_MINUS = re.compile(r"[-−－]")
_SIGNED = {
    "growth": (zh.growth, "增长", "下降", "持平"),
    "pp": (zh.pp, "提高", "下降", "持平"),
    "change": (lambda x, d: zh.change(x, "家", d), "增加", "减少", "持平"),
    "net": (lambda x, d: zh.net(x, "家", d), "净增", "净减", "持平"),
}


def _amount(text: str) -> Decimal:
    m = re.search(r"\d[\d,]*(\.\d+)?", text)
    assert m, text
    return Decimal(m.group().replace(",", ""))


@pytest.mark.parametrize("name", list(_SIGNED))
@settings(max_examples=150)
@given(x=numbers_st, d=decimals_st)
def test_signed_phrases_never_show_a_minus(name, x, d):
    fn, up, down, flat = _SIGNED[name]
    text = fn(x, d)
    assert not _MINUS.search(text), text  # never "增长-3%" nor "下降-3%"
    assert "e" not in text.lower() and "nan" not in text.lower() and "inf" not in text.lower()
    if text.endswith(flat):
        assert up not in text and down not in text
    else:
        word = up if up in text else down
        assert word in text
        assert _amount(text) > 0  # "增长0.0%" would be a flat figure dressed as growth
        assert (word == up) == (Decimal(str(x)) > 0 if not isinstance(x, Fraction) else x > 0)


@settings(max_examples=150)
@given(x=numbers_st, d=decimals_st)
def test_plain_phrases_never_raise_and_read_back(x, d):
    for text in (zh.num(x, d), zh.pct(x, d), zh.qty(x, "亿元", d), zh.times(x, d), zh.num(x, d, thousands=True)):
        assert "e" not in text.lower() and "nan" not in text.lower()
        assert not text.startswith(("-0", "\u22120")) or _amount(text.replace("\u2212", "-")) != 0
        assert "-" not in text  # negatives take the minus sign −, never the hyphen
    n = zh.num(x, d).replace("\u2212", "-")
    exact = x if isinstance(x, Decimal) else Decimal(x.numerator) / Decimal(x.denominator) \
        if isinstance(x, Fraction) else Decimal(float.__repr__(x)) if isinstance(x, float) else Decimal(x)
    assert abs(Decimal(n) - exact) <= Decimal(1).scaleb(-(4 if d is None else d)) / 2 + Decimal("1e-40")


@settings(max_examples=100)
@given(n=st.integers(min_value=1, max_value=10**12), scope=st.sampled_from(["全省", "全国", ""]))
def test_rank_phrases_for_any_place(n, scope):
    assert zh.rank(n).startswith("第")
    p = zh.rank_phrase(n, scope)
    assert p.startswith("位居" + scope) and not _MINUS.search(p)
    assert not _MINUS.search(zh.rank_change(n)) and not _MINUS.search(zh.rank_change(-n))


@settings(max_examples=100)
@given(bad=not_numbers, d=decimals_st)
def test_anything_else_is_one_clear_chinese_error(bad, d):
    calls = [
        lambda: zh.growth(bad, d), lambda: zh.pp(bad, d), lambda: zh.change(bad, "家", d),
        lambda: zh.net(bad, "家", d), lambda: zh.pct(bad, d), lambda: zh.qty(bad, "家", d),
        lambda: zh.times(bad, d), lambda: zh.rank(bad), lambda: zh.rank_change(bad),
    ]
    for call in calls:
        with pytest.raises(ZhFormatError) as e:
            call()
        assert isinstance(e.value, BriefgenError)
        assert re.search(r"[\u4e00-\u9fff]", str(e.value)), str(e.value)  # a Chinese sentence


@settings(max_examples=60)
@given(x=st.floats(min_value=-1000, max_value=1000) | st.integers(min_value=-(10**9), max_value=10**9))
def test_negative_zero_and_tiny_values_read_as_flat(x):
    tiny = x * 1e-12 if isinstance(x, float) else 0
    assert zh.growth(tiny) == "同比持平"
    assert zh.growth(-0.0) == "同比持平" and zh.pp(-0.001) == "持平"


@settings(max_examples=60)
@given(x=numbers_st)
def test_growth_through_templates(x):
    from briefgen.narrative import make_env, render

    out = render(make_env([]), source="{{ x | growth }}，{{ x | pp }}，{{ x | net('家') }}", context={"x": x},
                 where="t")
    assert not _MINUS.search(out), out


def test_growth_of_metrics_with_odd_data():
    """End to end: growth from every awkward pair of values is a phrase or a clear error."""
    from briefgen.config import MetricCfg
    from briefgen.data import Dataset, Obs
    from briefgen.metrics import MetricBook

    pairs = [(857, 640), (0, 0), (5, 0), (0, 5), (-3, 4), (1e300, 1e-300), (1e-300, 1e300), (7, None)]
    for cur, prev in pairs:
        ds = Dataset()
        ds.add("甲", "宜昌市", "2021", Obs(float(cur)))
        if prev is not None:
            ds.add("甲", "宜昌市", "2020", Obs(float(prev)))
        book = MetricBook(ds, {"a": MetricCfg(indicator="甲")}, region="宜昌市", period="2021", label="t.yaml")
        try:
            text = zh.growth(book.value("a").yoy)
        except BriefgenError as e:
            assert "上期" in str(e)
        else:
            assert not _MINUS.search(text)
