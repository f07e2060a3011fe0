"""Statistical periods: the one model of what "2021", "2022-06" or "last-month" mean.

A period code is the string the config, the data and the output paths share.
:func:`parse` reads a code into a :class:`Period` (its kind, year and month,
quarter or half); :func:`resolve` also accepts the relative tokens of
scheduled runs. Wording ("2021年1—6月") is the zh layer's job (:mod:`briefgen.zh`).
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re
from dataclasses import dataclass, replace
from typing import Any

from briefgen.errors import BriefgenError

KINDS = ("year", "half", "quarter", "month", "ytd", "date", "other")
RELATIVE_PERIODS = ("last-month", "last-quarter", "last-year", "year-to-date")

_REL_RE = re.compile(r"(last-month|last-quarter|last-year|year-to-date)(?:-(\d{1,3}))?")
_YEAR_RE = re.compile(r"(\d{4})年?")
_MONTH_RE = re.compile(r"(\d{4})(?:-|/|\.|M|年)(\d{1,2})月?", re.IGNORECASE)
_QUARTER_RE = re.compile(r"(\d{4})-?Q([1-4])", re.IGNORECASE)
_HALF_RE = re.compile(r"(\d{4})-?H([12])", re.IGNORECASE)
_DATE_RE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ].*)?")
_LEADING_YEAR = re.compile(r"^(\d{4})(.*)$")


@dataclass(frozen=True)
class Period:
    """A statistical period.

    ``code`` is what configs and data use (2024-05, 2024Q1, 2024, 2024H1);
    ``slug`` is the form for output paths (a year-to-date period 2024-01~05 so it
    never collides with the month 2024-05); ``number`` is the month, quarter or
    half (0 for a year or an unparsed code).
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


def ytd(y: int, m: int) -> Period:
    """January to month m of year y; statistics bureaus publish it under the month it runs to."""
    return Period(f"{y}-{m:02d}", "ytd", y, m, f"{y}-01~{m:02d}", _dt.date(y, 1, 1), _month_end(y, m))


def parse(value: Any) -> Period:
    """A period code → :class:`Period`; codes of no known form get kind ``other``.

    Accepted: 2021, 2021年; 2021-03, 2021M03, 2021年3月; 2021Q1, 2021-Q1;
    2021H1; 2021-12-21 (a date); YAML's int 2021 and date objects.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        code = value.isoformat()
        return Period(code, "date", value.year, value.month, code, value, value, value.day)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = str(value).strip()
    if hit := _YEAR_RE.fullmatch(s):
        return replace(year(int(hit[1])), code=s, slug=s)
    if hit := _QUARTER_RE.fullmatch(s):
        return replace(quarter(int(hit[1]), int(hit[2])), code=s, slug=s)
    if hit := _HALF_RE.fullmatch(s):
        return replace(half(int(hit[1]), int(hit[2])), code=s, slug=s)
    if (hit := _MONTH_RE.fullmatch(s)) and 1 <= int(hit[2]) <= 12:
        return replace(month(int(hit[1]), int(hit[2])), code=s, slug=s)
    if hit := _DATE_RE.fullmatch(s):
        try:
            d = _dt.date(int(hit[1]), int(hit[2]), int(hit[3]))
        except ValueError:
            pass
        else:
            return Period(s, "date", d.year, d.month, s, d, d, d.day)
    return Period(s, "other", None, 0, s)


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
                                    hint="上年同期的累计数请用 last-year 或写明时期，如 2023-05")
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
    if p.kind == "year" and p.year is not None:
        return year(p.year)  # "2024年" → 2024
    # A date is not a period here: passed through for the config and data to interpret.
    return p if p.kind != "date" else Period(s, "other", None, 0, s)


def shift_year(code: str, years: int = -1) -> str:
    """The same period `years` away: 2021 → 2020, 2021-03 → 2020-03, 2021Q1 → 2020Q1."""
    m = _LEADING_YEAR.match(str(code))
    if not m:
        raise BriefgenError(f"无法推算时期“{code}”的上年同期", hint="请在配置中用 previous: 指明上期")
    return f"{int(m.group(1)) + years}{m.group(2)}"


def is_annual(code: str) -> bool:
    """True for a whole year (the growth prefix is then 比上年, else 同比)."""
    return str(code).strip().isdigit()


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
