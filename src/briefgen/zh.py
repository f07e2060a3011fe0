"""Chinese number and phrasing formatting for briefing text, used as Jinja2 filters.

Every function is pure. Numbers are rounded ROUND_HALF_UP on their decimal
representation as a reader sees it (``repr`` of a float), never on the binary
value, so 2.675 → "2.68" as a statistician expects. Bad input raises
:class:`ZhFormatError` with a Chinese message naming the offending value.
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any, Callable, Iterable

from briefgen import periods
from briefgen.errors import BriefgenError
from briefgen.provenance import note as _note

__all__ = [
    "ZhFormatError",
    "num",
    "pct",
    "qty",
    "scale",
    "growth",
    "change",
    "net",
    "pp",
    "times",
    "cn_int",
    "cn_digits",
    "cn_year",
    "cn_ordinal",
    "date_cn",
    "month_cn",
    "period_cn",
    "period_short",
    "period_axis",
    "prev_period_cn",
    "growth_prefix",
    "rank",
    "rank_phrase",
    "rank_change",
    "join_cn",
    "issue_cn",
    "total_issue_cn",
    "FILTERS",
]

Number = int | float | Decimal

#: The minus sign of negative numbers in text, tables and charts (not the hyphen "-").
MINUS = "\u2212"

# Used when decimals=None: enough for 123.4567 亿元, short enough to hide float noise.
AUTO_DECIMALS = 4
MAX_DECIMALS = 20
CN_INT_LIMIT = 10**16


class ZhFormatError(BriefgenError, ValueError):
    """A value that cannot be phrased in Chinese; a ValueError so Jinja/callers can catch it generically."""


# ---------------------------------------------------------------------------
# Parsing and rounding
# ---------------------------------------------------------------------------


def _show(x: Any) -> str:
    # Jinja's StrictUndefined and odd objects may raise from repr(); never mask the real error.
    try:
        return repr(x)
    except Exception:  # pragma: no cover - defensive
        return f"<{type(x).__name__}>"


def _to_decimal(x: Any, *, allow_str: bool = False) -> Decimal:
    """Exact decimal value of x as a human reads it; rejects bool, NaN, inf and non-numbers."""
    if isinstance(x, bool):
        raise ZhFormatError(f"{x!r} 是布尔值，不是数值")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, float):
        if not math.isfinite(x):
            raise ZhFormatError(f"数值无效：{float.__repr__(x)}（不能是 NaN 或无穷大）")
        # float.__repr__ rather than repr(): numpy 2 scalars repr as "np.float64(...)".
        return Decimal(float.__repr__(x))
    elif isinstance(x, numbers.Integral):
        return Decimal(int(x))
    elif isinstance(x, Fraction):
        return Decimal(x.numerator) / Decimal(x.denominator)
    elif isinstance(x, str) and allow_str:
        try:
            d = Decimal(x.strip().replace(MINUS, "-"))
        except InvalidOperation:
            raise ZhFormatError(f"“{x}”不是有效的数值") from None
    elif isinstance(x, numbers.Real):
        # e.g. numpy.float32: str() gives the short human form, float() would add noise.
        try:
            d = Decimal(str(x))
        except (InvalidOperation, ValueError, TypeError):
            try:
                return _to_decimal(float(x))
            except (TypeError, ValueError, OverflowError):
                raise ZhFormatError(f"{_show(x)} 不是有效的数值") from None
    else:
        raise ZhFormatError(f"{_show(x)} 不是有效的数值")
    if not d.is_finite():
        raise ZhFormatError(f"数值无效：{_show(x)}（不能是 NaN 或无穷大）")
    return d


def _check_decimals(decimals: Any, *, allow_none: bool = True) -> int | None:
    if decimals is None and allow_none:
        return None
    if isinstance(decimals, bool) or not isinstance(decimals, int) or not 0 <= decimals <= MAX_DECIMALS:
        raise ZhFormatError(f"小数位数 {_show(decimals)} 无效，应为 0 到 {MAX_DECIMALS} 之间的整数")
    return decimals


def _round(d: Decimal, decimals: int) -> Decimal:
    """ROUND_HALF_UP to `decimals` places; never returns negative zero."""
    # Precision must cover every integer digit, or quantize raises on big values.
    ctx = Context(prec=max(28, d.adjusted() + decimals + 3), rounding=ROUND_HALF_UP)
    q = d.quantize(Decimal(1).scaleb(-decimals), context=ctx)
    return q.copy_abs() if q.is_zero() else q


def _rounded(x: Any, decimals: int | None, *, allow_str: bool = False) -> tuple[Decimal, bool]:
    """(rounded value, strip trailing zeros?)."""
    d = _to_decimal(x, allow_str=allow_str)
    decimals = _check_decimals(decimals)
    if decimals is None:
        return _round(d, AUTO_DECIMALS), True
    return _round(d, decimals), False


def round_to(x: Any, decimals: int) -> float:
    """x rounded half-up on its decimal form, as a float: 2.675 → 2.68 (for comparisons)."""
    return float(_round(_to_decimal(x), decimals))


def decimals_of(x: float) -> int:
    """Decimals in the shortest form of x: 32.8 → 1, 857.0 → 0 (6 for exponent forms)."""
    s = float.__repr__(float(x))
    if "e" in s or "E" in s:
        return 6
    return len(s.split(".")[1].rstrip("0")) if "." in s else 0


def _fmt(q: Decimal, strip: bool, thousands: bool = False) -> str:
    s = format(q, ",f" if thousands else "f")
    if strip and "." in s:
        s = s.rstrip("0").rstrip(".")
    return s


def _integer(x: Any, what: str = "数值") -> int:
    """x as an exact int; integral floats/Decimals are fine, fractions are not."""
    d = _to_decimal(x)
    if d != d.to_integral_value():
        raise ZhFormatError(f"{what}必须是整数，收到 {_show(x)}")
    return int(d)


def _positive(x: Any, what: str) -> int:
    n = _integer(x, what)
    if n < 1:
        raise ZhFormatError(f"{what}必须是正整数，收到 {_show(x)}")
    return n


# ---------------------------------------------------------------------------
# Plain numbers
# ---------------------------------------------------------------------------


def num(x: Any, decimals: int | None = None, thousands: bool = False) -> str:
    """874.1 → "874.1"; decimals=None keeps up to 4 places without trailing zeros.

    A negative number takes the minus sign (−, U+2212), never the hyphen: −3.5.
    """
    q, strip = _rounded(x, decimals, allow_str=True)
    s = _fmt(q, strip, thousands)
    s = MINUS + s[1:] if s.startswith("-") else s
    _note(s, x)  # an audited build learns where this figure came from
    return s


def pct(x: Any, decimals: int | None = 1) -> str:
    """96.2 → "96.2%". x is already in percent; no ×100 is applied."""
    return num(x, decimals) + "%"


def qty(x: Any, unit: str = "", decimals: int | None = None, thousands: bool = False) -> str:
    """(874.1, "亿元") → "874.1亿元"."""
    return num(x, decimals, thousands) + (unit or "")


# Every prefix is tried against a unit, so order does not matter.
_UNIT_PREFIXES: dict[str, int] = {
    "": 1,
    "十": 10,
    "百": 100,
    "千": 10**3,
    "万": 10**4,
    "十万": 10**5,
    "百万": 10**6,
    "千万": 10**7,
    "亿": 10**8,
    "十亿": 10**9,
    "百亿": 10**10,
    "千亿": 10**11,
    "万亿": 10**12,
}


def _unit_splits(unit: str) -> dict[str, int]:
    """Every reading of unit as prefix + base, mapped base → factor."""
    out: dict[str, int] = {}
    for prefix, factor in _UNIT_PREFIXES.items():
        if unit.startswith(prefix):
            out.setdefault(unit[len(prefix):], factor)
    return out


def _unit_ratio(from_unit: str, to_unit: str) -> Fraction:
    if from_unit == to_unit:
        return Fraction(1)
    a, b = _unit_splits(from_unit), _unit_splits(to_unit)
    common = set(a) & set(b)
    if not common:
        raise ZhFormatError(f"单位“{from_unit}”无法换算为“{to_unit}”")
    # Prefer the longest shared base so 万千瓦时 ↔ 千瓦时 uses base 千瓦时, not 瓦时.
    base = max(common, key=len)
    return Fraction(a[base], b[base])


def scale(x: Any, from_unit: str, to_unit: str) -> Number:
    """Convert between prefixed units: (1234567, "万元", "亿元") → Decimal("123.4567").

    Returns float for float input (so templates can keep doing float arithmetic),
    otherwise an exact Decimal.
    """
    if not isinstance(from_unit, str) or not isinstance(to_unit, str):
        raise ZhFormatError(f"单位必须是文字，收到 {_show(from_unit)} 和 {_show(to_unit)}")
    ratio = _unit_ratio(from_unit, to_unit)
    d = _to_decimal(x)
    ctx = Context(prec=max(28, d.adjusted() + 40))
    # Ratios are powers of ten, so this division is exact.
    result = ctx.divide(ctx.multiply(d, Decimal(ratio.numerator)), Decimal(ratio.denominator))
    if isinstance(x, float):
        return float(result)
    return result


# ---------------------------------------------------------------------------
# Signed changes: the sign becomes a word, the number is always shown positive
# ---------------------------------------------------------------------------


def _signed(value: Any, decimals: int | None, up: str, down: str, flat: str, suffix: str) -> str:
    q, strip = _rounded(value, decimals)
    if q.is_zero():
        return flat
    word = up if q > 0 else down
    digits = _fmt(q.copy_abs(), strip)
    _note(digits, value)
    return f"{word}{digits}{suffix}"


def growth(
    pct: Any,
    decimals: int | None = 1,
    prefix: str = "同比",
    up: str = "增长",
    down: str = "下降",
    flat: str = "持平",
) -> str:
    """32.8 → "同比增长32.8%"; -3.1 → "同比下降3.1%"; rounds to 0 → "同比持平", and with a
    comparison prefix 与…持平 (比上年 → "与上年持平"), never "比上年持平"."""
    if pct is None:
        raise ZhFormatError("缺少上期数据，无法计算增速")
    text = _signed(pct, decimals, up, down, flat, "%")
    if text == flat and prefix.startswith(("比", "较")):
        return "与" + prefix[1:] + flat
    return prefix + text


def change(
    delta: Any,
    unit: str = "",
    decimals: int | None = None,
    up: str = "增加",
    down: str = "减少",
    flat: str = "持平",
) -> str:
    """217 → "增加217家" (unit="家"); -3 → "减少3家"; 0 → "持平"."""
    if delta is None:
        raise ZhFormatError("缺少上期数据，无法计算增减量")
    return _signed(delta, decimals, up, down, flat, unit or "")


def net(delta: Any, unit: str = "", decimals: int | None = None) -> str:
    """217 → "净增217家"; -3 → "净减3家"; 0 → "持平"."""
    return change(delta, unit, decimals, up="净增", down="净减")


def pp(
    delta: Any,
    decimals: int | None = 2,
    up: str = "提高",
    down: str = "下降",
    flat: str = "持平",
) -> str:
    """Percentage-point change: 2.16 → "提高2.16个百分点"; keeps exactly `decimals` places."""
    if delta is None:
        raise ZhFormatError("缺少上期数据，无法计算百分点变化")
    return _signed(delta, decimals, up, down, flat, "个百分点")


def times(ratio: Any, decimals: int | None = 1) -> str:
    """2.5 → "2.5倍"."""
    return num(ratio, decimals) + "倍"


# ---------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------

_CN_DIGITS = "零一二三四五六七八九"
_CN_UPPER = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")
_CN_POS = ("千", "百", "十", "")


def _cn_group(n: int) -> str:
    """1..9999 without leading 零; inner zero runs collapse to one 零."""
    out: list[str] = []
    pending_zero = False
    for digit, pos in zip(f"{n:04d}", _CN_POS):
        d = int(digit)
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
            pending_zero = False
        out.append(_CN_DIGITS[d] + pos)
    return "".join(out)


def _cn_positive(n: int) -> str:
    if n < 10**4:
        return _cn_group(n)
    if n < 10**8:
        hi, lo = divmod(n, 10**4)
        s = _cn_group(hi) + "万"
        if lo:
            s += ("零" if lo < 1000 else "") + _cn_group(lo)
        return s
    # 亿 sections nest: 1.2e12 reads 一万二千亿, not 一万亿二千亿.
    hi, lo = divmod(n, 10**8)
    s = _cn_positive(hi) + "亿"
    if lo:
        s += ("零" if lo < 10**7 else "") + _cn_positive(lo)
    return s


def cn_int(n: Any, upper: bool = False) -> str:
    """Standard reading: 105 → "一百零五", 10 → "十", -5 → "负五"; upper → 大写 (壹拾)."""
    v = _integer(n, "中文数字")
    if abs(v) >= CN_INT_LIMIT:
        raise ZhFormatError(f"数值 {_show(n)} 过大，中文数字仅支持绝对值小于 10 的 16 次方")
    if v == 0:
        return "零"
    s = _cn_positive(abs(v))
    if upper:
        s = s.translate(_CN_UPPER)
    elif s.startswith("一十"):
        # Spoken/written norm drops the leading 一 only at the very start (十二, 十万; but 一百一十).
        s = s[1:]
    _note(s, n, numeral=True)
    return ("负" if v < 0 else "") + s


def cn_digits(n: Any) -> str:
    """Digit by digit with 〇: 2021 → "二〇二一". Accepts non-negative ints or digit strings."""
    if isinstance(n, str) and n.strip().isdigit() and n.strip().isascii():
        digits = n.strip()
    else:
        v = _integer(n, "逐位中文数字")
        if v < 0:
            raise ZhFormatError(f"逐位中文数字不支持负数，收到 {_show(n)}")
        digits = str(v)
    return "".join("〇" if c == "0" else _CN_DIGITS[int(c)] for c in digits)


def cn_year(y: Any) -> str:
    """2021 → "二〇二一年"."""
    return cn_digits(y) + "年"


def cn_ordinal(n: Any) -> str:
    """1 → "第一", 12 → "第十二"."""
    return "第" + cn_int(_positive(n, "序号"))


# ---------------------------------------------------------------------------
# Dates and periods
# ---------------------------------------------------------------------------

_STYLES = ("arabic", "cn")
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")


def _check_style(style: str) -> None:
    if style not in _STYLES:
        raise ZhFormatError(f"样式“{style}”无效，应为 arabic 或 cn")


def _ymd(y: int, m: int | None = None, d: int | None = None, style: str = "arabic") -> str:
    if style == "cn":
        s = cn_year(y)
        if m is not None:
            s += cn_int(m) + "月"
        if d is not None:
            s += cn_int(d) + "日"
        return s
    s = f"{y}年"
    if m is not None:
        s += f"{m}月"
    if d is not None:
        s += f"{d}日"
    return s


def _as_date(d: Any) -> date:
    if isinstance(d, datetime):
        return d.date()
    if isinstance(d, date):
        return d
    if isinstance(d, str):
        m = _DATE_RE.fullmatch(d.strip())
        if m:
            try:
                return date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                pass
        raise ZhFormatError(f"日期“{d}”无法识别，应为 2021-12-21 格式")
    raise ZhFormatError(f"{_show(d)} 不是有效的日期")


def date_cn(d: Any, style: str = "arabic") -> str:
    """date / datetime / "2021-12-21" → "2021年12月21日"; style="cn" → "二〇二一年十二月二十一日"."""
    _check_style(style)
    v = _as_date(d)
    return _ymd(v.year, v.month, v.day, style)


def month_cn(m: Any, style: str = "arabic") -> str:
    """"2021-03" / "2021M03" / a date → "2021年3月"."""
    _check_style(style)
    if isinstance(m, (date, datetime)):
        return _ymd(m.year, m.month, style=style)
    if isinstance(m, str):
        per = periods.parse(m)
        if per.kind == "month" and per.year is not None:
            return _ymd(per.year, per.number, style=style)
    raise ZhFormatError(f"月份“{m}”无法识别，应为 2021-03 格式")


def ytd_cn(p: Any) -> str:
    """Cumulative period as statistics bureaus write it: "2022-06" → "2022年1—6月",
    "2022-01" → "2022年1月"; other periods as period_cn."""
    per = periods.parse(p)
    if per.kind in ("month", "ytd") and per.year is not None:
        return f"{per.year}年{'1—' if per.number > 1 else ''}{per.number}月"
    return period_cn(p)


def growth_prefix(period: Any) -> str:
    """比上年 for a whole year, 比上年末 for the end of a year, 同比 for months, quarters,
    cumulative periods and month ends."""
    per = period if isinstance(period, periods.Period) else periods.parse(period)
    if per.kind == "year":
        return "比上年"
    if per.year_end:
        return "比上年末"
    return "同比"


def prev_period_cn(period: Any) -> str:
    """What the previous period is called: 上年 (a year), 上年末 (a year end), else 上年同期."""
    per = period if isinstance(period, periods.Period) else periods.parse(period)
    if per.kind == "year":
        return "上年"
    if per.year_end:
        return "上年末"
    return "上年同期"


_QUARTER_CN = "〇一二三四"


def period_short(p: Any) -> str:
    """A period without its year, for where the year is said once already: 1—9月, 9月,
    第三季度, 上半年, 9月末, 年末; a year keeps its number (2022年)."""
    per = p if isinstance(p, periods.Period) else periods.parse(p)
    if per.kind == "other" or per.year is None:
        raise ZhFormatError(f"统计期“{p}”无法识别，应为 {periods.ACCEPTED_FORMS}")
    if per.kind == "year":
        return f"{per.year}年"
    if per.kind == "quarter":
        return f"第{_QUARTER_CN[per.number]}季度"
    if per.kind == "half":
        return "上半年" if per.number == 1 else "下半年"
    if per.kind == "month":
        return f"{per.number}月"
    if per.kind == "ytd":
        return f"1—{per.number}月"
    if per.kind == "point":
        return "年末" if per.number == 12 else f"{per.number}月末"
    return f"{per.start.month if per.start else per.number}月{per.day}日"


def period_axis(codes: Iterable[Any]) -> list[str]:
    """Category labels for a row of periods: the year only where it starts or changes
    ("2021年12月", "1月", "2月"…); a cumulative series reads "1月", "1—2月" … "1—12月" whatever
    the canonical form of each (1—3月 is the first quarter); years as "2021年"."""
    codes = list(codes)
    pers = [c if isinstance(c, periods.Period) else periods.parse(c) for c in codes]
    for c, per in zip(codes, pers):
        if per.kind == "other" or per.year is None:
            raise ZhFormatError(f"统计期“{c}”无法识别，应为 {periods.ACCEPTED_FORMS}")
    kinds = {p.kind for p in pers}
    if kinds == {"year"}:
        return [f"{p.year}年" for p in pers]
    if len(kinds) == 1 and "ytd" not in kinds:
        short = period_short
    elif all(p.cumulative for p in pers):
        def short(p: periods.Period) -> str:
            first, last = p.months
            return f"{last}月" if last == 1 else f"{first}—{last}月"
    else:
        return [period_cn(p) for p in pers]
    out: list[str] = []
    several_years = len({p.year for p in pers}) > 1
    last_year = None
    for p in pers:
        label = short(p)
        if several_years and p.year != last_year:
            label = f"{p.year}年{label}"
        last_year = p.year
        out.append(label)
    return out


def period_label(per: periods.Period, style: str = "arabic") -> str:
    """A :class:`~briefgen.periods.Period` in words: 2021年, 2021年3月, 2021年1—9月,
    2021年第一季度, 2021年上半年, 2021年末, 2021年9月末, 2021年12月21日; an unknown code as written."""
    _check_style(style)
    if per.year is None:
        return per.code
    if per.kind == "year":
        return _ymd(per.year, style=style)
    if per.kind == "quarter":
        return _ymd(per.year, style=style) + f"第{_CN_DIGITS[per.number]}季度"
    if per.kind == "half":
        return _ymd(per.year, style=style) + ("上半年" if per.number == 1 else "下半年")
    if per.kind == "month":
        return _ymd(per.year, per.number, style=style)
    if per.kind == "ytd":
        if style == "cn":
            return cn_year(per.year) + ("一至" if per.number > 1 else "") + cn_int(per.number) + "月"
        return f"{per.year}年{'1—' if per.number > 1 else ''}{per.number}月"
    if per.kind == "point":
        if per.number == 12:
            return _ymd(per.year, style=style) + "末"
        return _ymd(per.year, per.number, style=style) + "末"
    return _ymd(per.year, per.number, per.day, style=style)


def period_cn(p: Any, style: str = "arabic") -> str:
    """Period (any form periods.parse reads) → Chinese: "2021" → "2021年", "2021-03" → "2021年3月",
    "2022-01~09"/"2022年1-9月" → "2022年1—9月", "2021Q1" → "2021年第一季度", "2021H1" →
    "2021年上半年", "2021末" → "2021年末", "2021-09末" → "2021年9月末", "2021-12-21" or a date →
    "2021年12月21日"."""
    _check_style(style)
    # YAML turns `period: 2021` into an int and `2021-12-21` into a date.
    if isinstance(p, (date, datetime)):
        return date_cn(p, style)
    if isinstance(p, int) and not isinstance(p, bool) and 1000 <= p <= 9999:
        return _ymd(p, style=style)
    if not isinstance(p, (str, periods.Period)):
        raise ZhFormatError(f"统计期 {_show(p)} 无法识别")
    per = p if isinstance(p, periods.Period) else periods.parse(p)
    if per.kind == "other":
        raise ZhFormatError(f"统计期“{p}”无法识别，应为 {periods.ACCEPTED_FORMS} 等格式")
    return period_label(per, style)


# ---------------------------------------------------------------------------
# Ranks, lists, issue numbers
# ---------------------------------------------------------------------------


def rank(n: Any, style: str = "arabic", unit: str = "位") -> str:
    """55 → "第55位"; style="cn" → "第五十五位"."""
    _check_style(style)
    v = _positive(n, "名次")
    if style == "cn":
        return "第" + cn_int(n) + (unit or "")
    _note(str(v), n)
    return "第" + str(v) + (unit or "")


def rank_phrase(n: Any, scope: str = "全省", style: str = "auto") -> str:
    """1 → "位居全省第一"; auto: 1–10 → "位居全省第三", else "位居全省第55位".

    style="cn" always uses a Chinese numeral without 位; style="arabic" always "第N位".
    """
    if style not in ("auto", "arabic", "cn"):
        raise ZhFormatError(f"样式“{style}”无效，应为 auto、arabic 或 cn")
    v = _positive(n, "名次")
    if style == "cn" or (style == "auto" and v <= 10):
        ordinal = "第" + cn_int(n)
    else:
        _note(str(v), n)
        ordinal = f"第{v}位"
    return f"位居{scope or ''}{ordinal}"


def rank_change(delta: Any, unit: str = "位", flat: str = "与上年持平") -> str:
    """Places moved up (previous rank − current rank): 8 → "上升8位", -3 → "下降3位", 0 → flat."""
    if delta is None:
        raise ZhFormatError("缺少上期名次，无法计算名次变化")
    v = _integer(delta, "名次变化")
    if v == 0:
        return flat
    _note(str(abs(v)), delta)
    return f"{'上升' if v > 0 else '下降'}{abs(v)}{unit or ''}"


def join_cn(items: Iterable[Any] | None, last: str = "和", sep: str = "、") -> str:
    """["A", "B", "C"] → "A、B和C"; two → "A和B"; one → "A"; empty → ""."""
    if items is None:
        return ""
    if isinstance(items, str):
        # A bare string would otherwise be joined character by character.
        return items
    parts = [str(i) for i in items]
    if len(parts) <= 1:
        return "".join(parts)
    return sep.join(parts[:-1]) + last + parts[-1]


def issue_cn(n: Any) -> str:
    """1 → "第1期"."""
    return f"第{_positive(n, '期号')}期"


def total_issue_cn(n: Any) -> str:
    """12 → "总第12期"."""
    return f"总第{_positive(n, '总期号')}期"


FILTERS: dict[str, Callable[..., Any]] = {
    "num": num,
    "pct": pct,
    "qty": qty,
    "scale": scale,
    "growth": growth,
    "change": change,
    "net": net,
    "pp": pp,
    "times": times,
    "cn_int": cn_int,
    "cn_digits": cn_digits,
    "cn_year": cn_year,
    "cn_ordinal": cn_ordinal,
    "date_cn": date_cn,
    "month_cn": month_cn,
    "period_cn": period_cn,
    "period_short": period_short,
    "prev_period_cn": prev_period_cn,
    "ytd_cn": ytd_cn,
    "rank": rank,
    "rank_phrase": rank_phrase,
    "rank_change": rank_change,
    "join_cn": join_cn,
    "issue_cn": issue_cn,
    "total_issue_cn": total_issue_cn,
}
