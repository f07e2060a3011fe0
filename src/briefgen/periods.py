"""Statistical periods: the one model of what "2021", "2022年1—9月" or "last-month" mean.

A period code is the string the config, the data and the output paths share.
:func:`parse` reads any form in Chinese statistical usage into a :class:`Period`
(its kind, year and month, quarter or half) with one canonical code, so that
"2022年1-9月", "1—9月" (in a sheet about 2022) and "前三季度" are the same period;
:func:`resolve` also accepts the relative tokens of scheduled runs. Wording
("2022年1—9月", "上年同期") is the zh layer's job (:mod:`briefgen.zh`).

A period is identified by the months it covers, so forms that cover the same
months are one period: 1—3月 is the first quarter (2022Q1), 1—6月 the first half
(2022H1), 1—12月 the year, 1月 (cumulative) the month 2022-01. Point-in-time
periods (时点: 年末, 9月末) are separate from the month they end.

Canonical codes::

    2022          year (年, 全年, 1—12月)
    2022-09       month (当月)
    2022-01~09    year to date (累计 1—9月, 前三季度)
    2022Q3        quarter (三季度)
    2022H1        half year (上半年, 1—6月)
    2022末        end of the year (年末, 12月末)
    2022-09末     end of a month (9月末)
    2022-12-21    a date

The previous period (上年同期) is always the same kind one year earlier.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, replace
from typing import Any

from briefgen.errors import BriefgenError

KINDS = ("year", "half", "quarter", "month", "ytd", "point", "date", "other")
RELATIVE_PERIODS = ("last-month", "last-quarter", "last-year", "year-to-date")

#: What a user may write for a period, for error messages.
ACCEPTED_FORMS = ("2022、2022年；2022-09、2022年9月（当月）；2022年1—9月、1-9月、前三季度（累计）；"
                  "2022Q3、三季度、第三季度；2022H1、上半年；2022年末、9月末（时点）")

_REL_RE = re.compile(r"(last-month|last-quarter|last-year|year-to-date)(?:-(\d{1,3}))?")
_LEADING_YEAR = re.compile(r"^(\d{4})(.*)$")

# --- the forms, on normalized text (no spaces, ASCII digits, 〜/～ → ~, dashes → -) ---
_Y = r"(?P<y>\d{4})"
_YP = r"(?:(?P<y>\d{4})年?)?"  # optional year prefix
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
           "十": 10, "十一": 11, "十二": 12}
_FORMS: list[tuple[str, re.Pattern[str]]] = [
    ("year", re.compile(_Y + r"(?:年度?|年全年)?")),
    ("year", re.compile(_YP + r"全年")),
    ("ytd", re.compile(_Y + r"-(?P<a>\d{2})~(?P<b>\d{2})")),  # canonical 2022-01~09
    ("ytd", re.compile(_YP + r"(?P<a>\d{1,2})(?:月份?)?[-~至到](?P<b>\d{1,2})月份?(?:累计)?")),
    ("point", re.compile(_Y + r"年?(?:末|底)")),
    ("point", re.compile(_Y + r"-(?P<m>\d{2})末")),
    ("point", re.compile(r"(?:年末|年底)")),
    ("point", re.compile(_YP + r"(?P<m>\d{1,2})月(?:末|底)")),
    ("month", re.compile(_Y + r"(?:-|/|\.|M|年)(?P<m>\d{1,2})月?份?", re.IGNORECASE)),
    ("month", re.compile(r"(?P<m>\d{1,2})月份?")),
    ("quarter", re.compile(_Y + r"(?:-|年)?Q(?P<q>[1-4])", re.IGNORECASE)),
    ("quarter", re.compile(_YP + r"第?(?P<q>[一二三四1-4])季度")),
    ("quarter", re.compile(r"Q(?P<q>[1-4])", re.IGNORECASE)),
    ("ytdq", re.compile(_YP + r"前(?P<q>[一二两三1-3])(?:个)?季度")),
    ("half", re.compile(_Y + r"-?H(?P<h>[12])", re.IGNORECASE)),
    ("half", re.compile(_YP + r"(?P<h>[上下])半年")),
    ("date", re.compile(_Y + r"[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[T ].*)?")),
]
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "―": "-", "‒": "-", "～": "~", "〜": "~", "∼": "~",
                         "Ｑ": "Q", "ｑ": "Q", "Ｈ": "H", "ｈ": "H", "．": ".", "／": "/",
                         **{chr(0xFF10 + i): str(i) for i in range(10)}})
_CN_MONTH = re.compile(r"(十[一二]?|[一二三四五六七八九])(?=月|至|到|[-~])")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Period:
    """A statistical period.

    ``code`` is canonical (see the module docstring); ``slug`` is the form for
    output paths (the relative token ``year-to-date`` keeps 2024-01~06 there, so a
    folder per month reads alike); ``number`` is the month (the last month for a
    year to date or a month end), quarter or half, 0 for a year.
    """

    code: str
    kind: str  # one of KINDS
    year: int | None = None
    number: int = 0
    slug: str = ""
    start: _dt.date | None = None
    end: _dt.date | None = None
    day: int = 0  # kind "date" only

    @property
    def annual(self) -> bool:
        """A whole calendar year (比上年) rather than a month, quarter or cumulative period (同比)."""
        return self.kind == "year"

    @property
    def months(self) -> tuple[int, int]:
        """(first month, last month) the period covers; a point or date covers its month."""
        if self.start is None or self.end is None:
            return (0, 0)
        return (self.start.month, self.end.month)

    @property
    def cumulative(self) -> bool:
        """Runs from January (1月, 1—N月, 一季度, 上半年, 全年): one series of 累计 figures."""
        return self.kind in ("year", "month", "quarter", "half", "ytd") and self.months[0] == 1

    @property
    def year_end(self) -> bool:
        """The end of a year (年末)."""
        return self.kind == "point" and self.number == 12


def _month_end(y: int, m: int) -> _dt.date:
    return _dt.date(y, m, calendar.monthrange(y, m)[1])


def month(y: int, m: int) -> Period:
    """The calendar month m of year y."""
    code = f"{y}-{m:02d}"
    return Period(code, "month", y, m, code, _dt.date(y, m, 1), _month_end(y, m))


def quarter(y: int, q: int) -> Period:
    """Quarter q (1–4) of year y."""
    code = f"{y}Q{q}"
    return Period(code, "quarter", y, q, code, _dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))


def half(y: int, h: int) -> Period:
    """Half-year h (1 = 上半年) of year y."""
    code = f"{y}H{h}"
    return Period(code, "half", y, h, code, _dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))


def year(y: int) -> Period:
    """The calendar year y."""
    return Period(str(y), "year", y, 0, str(y), _dt.date(y, 1, 1), _dt.date(y, 12, 31))


def months(y: int, first: int, last: int) -> Period:
    """The months first..last of year y as one canonical period (1—3月 is 2022Q1, 1—12月 the year)."""
    if not (1 <= first <= last <= 12):
        raise ValueError(f"invalid month span {first}-{last}")
    if first == last:
        return month(y, first)
    if first == 1 and last == 12:
        return year(y)
    if (first - 1) % 3 == 0 and last == first + 2:
        return quarter(y, (first + 2) // 3)
    if first in (1, 7) and last == first + 5:
        return half(y, 1 if first == 1 else 2)
    if first != 1:
        raise ValueError(f"no statistical period covers months {first}-{last}")
    code = f"{y}-01~{last:02d}"
    return Period(code, "ytd", y, last, code, _dt.date(y, 1, 1), _month_end(y, last))


def ytd(y: int, m: int) -> Period:
    """January to month m of year y (year-to-date); the slug keeps the 1—N form for output paths."""
    return replace(months(y, 1, m), slug=f"{y}-01~{m:02d}")


def point(y: int, m: int = 12) -> Period:
    """The end of month m of year y (时点); m = 12 is the end of the year (年末)."""
    code = f"{y}末" if m == 12 else f"{y}-{m:02d}末"
    d = _month_end(y, m)
    return Period(code, "point", y, m, code, d, d)


def date(d: _dt.date) -> Period:
    """One day."""
    code = d.isoformat()
    return Period(code, "date", d.year, d.month, code, d, d, d.day)


def _other(s: str) -> Period:
    return Period(s, "other", None, 0, s)


def normalize(text: str) -> str:
    """The text a period form is matched on: no spaces, ASCII digits, one kind of dash."""
    s = _SPACE.sub("", str(text)).translate(_DASHES)
    return _CN_MONTH.sub(lambda m: str(_CN_NUM[m.group(1)]), s)


def _match(s: str) -> tuple[str, dict[str, str]] | None:
    for kind, rx in _FORMS:
        hit = rx.fullmatch(s)
        if hit:
            return kind, {k: v for k, v in hit.groupdict().items() if v is not None}
    return None


def _num(v: str) -> int:
    return _CN_NUM[v] if v in _CN_NUM else int(v)


def _build(kind: str, g: dict[str, str], y: int) -> Period | None:
    """The period of a matched form in year y; None for impossible values (13月, 9—3月)."""
    try:
        if kind == "year":
            return year(y)
        if kind == "month":
            m = int(g["m"])
            return month(y, m) if 1 <= m <= 12 else None
        if kind == "ytd":
            a, b = int(g["a"]), int(g["b"])
            return months(y, a, b) if 1 <= a <= b <= 12 and (a == 1 or (a, b) in _SPANS) else None
        if kind == "ytdq":
            return months(y, 1, 3 * _num(g["q"]))
        if kind == "quarter":
            return quarter(y, _num(g["q"]))
        if kind == "half":
            h = g["h"]
            return half(y, 1 if h in ("1", "上") else 2)
        if kind == "point":
            m = int(g.get("m", 12))
            return point(y, m) if 1 <= m <= 12 else None
        if kind == "date":
            return date(_dt.date(y, int(g["m"]), int(g["d"])))
    except ValueError:
        return None
    return None


# Spans not starting in January that are still periods: the quarters and the second half.
_SPANS = {(4, 6), (7, 9), (10, 12), (7, 12)}


def parse(value: Any, year: int | None = None) -> Period:
    """Any period form → its canonical :class:`Period`; kind ``other`` when it is none.

    Forms without a year (1—9月, 三季度, 上半年, 9月末) take `year`; without one
    they are ``other`` too (see :func:`needs_year`). YAML's int 2021 and date
    objects are accepted; Excel's float 2021.0 is the year 2021.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return date(value)
    if isinstance(value, float):
        # Excel's 2021.0 is a year; 2022.1 could be January or October (2022.10): no period.
        if not value.is_integer():
            return _other(str(value))
        value = int(value)
    if isinstance(value, bool) or value is None:
        return _other(str(value))
    raw = str(value).strip()
    hit = _match(normalize(raw))
    if hit is None:
        return _other(raw)
    kind, g = hit
    y = int(g["y"]) if "y" in g else year
    if y is None or not 1000 <= y <= 9999:
        return _other(raw)
    p = _build(kind, g, y)
    return p if p is not None else _other(raw)


def needs_year(value: Any) -> bool:
    """A period form written without its year: 1—9月, 三季度, 上半年, 年末."""
    if isinstance(value, (int, float, _dt.date)) or value is None:
        return False
    hit = _match(normalize(str(value)))
    return hit is not None and "y" not in hit[1]


def looks_like_period(value: Any) -> bool:
    """Text meant as a period even if it is not a valid one (2022年13月, 2022年1—13月)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return 1000 <= value <= 9999
    s = normalize(str(value or ""))
    if _match(s) is not None:
        return True
    if bool(re.fullmatch(r"(\d{4}年?)?(\d{1,2}([-~至到]\d{1,2})?月份?(末|底|累计)?|第?.季度|.半年)", s)
            or re.fullmatch(r"\d{4}(年|-|/|\.|M|Q|H).{0,8}", s)):
        return True
    # A typo of a year: 2O21, 2l21 (letters for digits).
    typo = s.translate(LOOKALIKE)
    hit = _match(typo) if typo != s and sum(ch.isdigit() for ch in s) >= 2 else None
    return hit is not None and "y" in hit[1]


#: Letters typed for digits (2O23, 2O2l): each replaced by the digit it stands for, one for one.
LOOKALIKE = str.maketrans("OoＯ〇lIｌ", "0000111")


def typo_fix(value: Any, year: int | None = None) -> str | None:
    """"2O21" → "2021": a period written with letters for digits, corrected; None if it is no such typo."""
    if not isinstance(value, str) or not looks_like_period(value):
        return None
    fixed = normalize(value).translate(LOOKALIKE)
    return fixed if fixed != normalize(value) and parse(fixed, year).kind != "other" else None


def strict(value: Any, where: str | None = None, year: int | None = None) -> Period:
    """Like :func:`parse`, but a value that is no period is an error naming `where` and the accepted forms."""
    p = parse(value, year)
    if p.kind == "other":
        if needs_year(value) and year is None:
            raise BriefgenError(f"时期“{value}”没有写年份", where=where,
                                hint="请写完整，如 2022年1—9月；表格中可在标题写明年份，或在数据源中写 period:")
        fixed = typo_fix(value, year)
        if fixed:
            raise BriefgenError(f"“{value}”不是可识别的时期（其中有字母，是否应为“{fixed}”？）", where=where,
                                hint="请把字母 O、l 改成数字 0、1")
        raise BriefgenError(f"“{value}”不是可识别的时期", where=where, hint=f"可写：{ACCEPTED_FORMS}")
    return p


def code(value: Any, year: int | None = None) -> str:
    """The canonical code of a period form, or the text unchanged if it is none."""
    p = parse(value, year)
    return p.code


def previous(value: Any) -> str:
    """The same kind of period one year earlier (上年同期): 2022-01~09 → 2021-01~09, 2022末 → 2021末."""
    p = parse(value)
    if p.kind == "other" or p.year is None or p.start is None or p.end is None:
        return shift_year(str(value), -1)
    return shift(p, -1).code


def shift(p: Period, years: int) -> Period:
    """`p` moved by whole years, same kind."""
    if p.year is None or p.start is None or p.end is None:
        raise BriefgenError(f"无法推算时期“{p.code}”的上年同期", hint="请在配置中用 previous: 指明上期")
    y = p.year + years
    if p.kind == "point":
        return point(y, p.number)
    if p.kind == "date":
        d = min(p.day, calendar.monthrange(y, p.start.month)[1])
        return date(_dt.date(y, p.start.month, d))
    return months(y, p.start.month, p.end.month)


def sort_key(value: Any) -> tuple:
    """Order periods by when they end, the shorter first (3月 before 1—3月); unknown codes last."""
    p = parse(value)
    if p.end is None or p.start is None:
        return (_dt.date.max, 0, str(value))
    return (p.end, (p.end - p.start).days, p.code)


def family(p: Period) -> str:
    """Which series a period belongs to on an axis: cumulative from January, month, quarter, half, point, year."""
    if p.kind == "year":
        return "year"
    if p.cumulative and p.kind != "month":
        return "cumulative"
    return p.kind


def resolve(value: Any, as_of: _dt.date, where: str | None = None) -> Period:
    """A period code or a relative token (``last-month``, ``last-quarter``, ``last-year``,
    ``year-to-date``; the first three accept ``-N`` for N further periods back) → Period.

    Relative periods count complete periods before ``as_of``: on 2024-04-01 the last
    month is 2024-03 and the last quarter 2024Q1. ``year-to-date`` runs from January to
    the last complete month; in January that is the whole previous year.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return month(value.year, value.month)
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise BriefgenError(f"时期“{value}”无效", where=where,
                            hint="写 2024-05、2024Q1、2024 等，或 last-month、last-quarter、last-year、year-to-date")
    s = str(value).strip()
    hit = _REL_RE.fullmatch(s.lower())
    if hit:
        token, back = hit.group(1), int(hit.group(2) or 0)
        try:
            if token == "last-month":
                n = as_of.year * 12 + (as_of.month - 1) - 1 - back
                return month(n // 12, n % 12 + 1)
            if token == "last-quarter":
                n = as_of.year * 4 + (as_of.month - 1) // 3 - 1 - back
                return quarter(n // 4, n % 4 + 1)
            if token == "last-year":
                return year(as_of.year - 1 - back)
            if back:
                raise BriefgenError(f"“{s}”无效：year-to-date 不能加期数", where=where,
                                    hint="上年同期的累计数请用 last-year 或写明时期，如 2023-01~05")
            if as_of.month == 1:
                return ytd(as_of.year - 1, 12)
            return ytd(as_of.year, as_of.month - 1)
        except ValueError:  # before year 1 (as_of 0001-01-15): no calendar has that period
            raise BriefgenError(f"无法从基准日期 {as_of.isoformat()} 推算相对时期“{s}”", where=where,
                                hint="请检查 --as-of 或 as_of: 的日期") from None
    if s.lower().startswith(("last-", "year-to", "this-", "next-")):
        raise BriefgenError(f"不认识的相对时期“{s}”", where=where,
                            hint="可用：" + "、".join(RELATIVE_PERIODS) + "（前三个可加 -N 表示再往前 N 期）")
    p = parse(s)
    # A date is not a period here: passed through for the config and data to interpret.
    return p if p.kind != "date" else _other(s)


def shift_year(code: str, years: int = -1) -> str:
    """The same period `years` away: 2021 → 2020, 2021-03 → 2020-03, 2021Q1 → 2020Q1."""
    p = parse(code)
    if p.kind not in ("other",) and p.year is not None:
        return shift(p, years).code
    m = _LEADING_YEAR.match(str(code))
    if not m:
        raise BriefgenError(f"无法推算时期“{code}”的上年同期", hint="请在配置中用 previous: 指明上期")
    return f"{int(m.group(1)) + years}{m.group(2)}"


def is_annual(code: Any) -> bool:
    """True for a whole year (the growth prefix is then 比上年, else 同比)."""
    return parse(code).kind == "year"


def parse_as_of(text: str | _dt.date | None) -> _dt.date:
    """The base date of relative periods: today when empty, else an ISO date."""
    if text is None or text == "":
        return _dt.date.today()
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    try:
        d = _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise BriefgenError(f"--as-of 日期“{text}”无效", hint="应写作 2024-05-01") from None
    if not AS_OF_YEARS[0] <= d.year <= AS_OF_YEARS[1]:
        # 0001-01-15 is a date, but "last month" of it is year 0, which no calendar has.
        raise BriefgenError(f"--as-of 日期“{text}”超出可用范围（{AS_OF_YEARS[0]}—{AS_OF_YEARS[1]}年）",
                            hint="应写作 2024-05-01 这样的日期")
    return d


AS_OF_YEARS = (1900, 2999)  # base dates relative periods are counted from


# Holidays on fixed dates, as the State Council's yearly notices usually arrange them: 元旦 1月1日,
# 劳动节 5月1—5日, 国庆节 10月1—7日. Festivals of the lunar calendar and 调休 change every year and
# are not known here (a jobs file can write the date itself; a schedule has `holidays:`).
FIXED_HOLIDAYS: tuple[tuple[int, int, int], ...] = ((1, 1, 1), (5, 1, 5), (10, 1, 7))  # (month, first day, last day)


def issue_date(end: _dt.date) -> _dt.date:
    """When a briefing on a period ending `end` goes out: the first working day of the next month —
    Monday to Friday, past 元旦, 劳动节 and 国庆节 (2024-06-30 → 2024-07-01; 2024-04-30 → 2024-05-06)."""
    d = _dt.date(end.year + end.month // 12, end.month % 12 + 1, 1)

    def holiday(x: _dt.date) -> bool:
        return any(x.month == m and a <= x.day <= b for m, a, b in FIXED_HOLIDAYS)

    while d.weekday() >= 5 or holiday(d):
        d += _dt.timedelta(days=1)
    return d
