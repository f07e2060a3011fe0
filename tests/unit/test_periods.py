"""Batch and scheduled runs: matrix expansion, relative periods, safe output names,
incremental reruns, failure isolation, kill-and-rerun, manifest, fake-clock schedules."""

import datetime as dt

import pytest

from briefgen.batch.plan import period_fields
from briefgen.errors import BriefgenError
from briefgen.periods import resolve as resolve_period
from briefgen.zh import period_label


@pytest.mark.parametrize("as_of, token, code, slug, label", [
    ("2024-01-01", "last-month", "2023-12", "2023-12", "2023年12月"),
    ("2024-01-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-01-15", "last-year", "2023", "2023", "2023年"),
    ("2024-01-15", "year-to-date", "2023-12", "2023-01~12", "2023年1—12月"),
    ("2024-02-01", "year-to-date", "2024-01", "2024-01~01", "2024年1月"),
    ("2024-03-31", "last-month", "2024-02", "2024-02", "2024年2月"),
    ("2024-03-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-04-01", "last-quarter", "2024Q1", "2024Q1", "2024年第一季度"),
    ("2024-04-01", "year-to-date", "2024-03", "2024-01~03", "2024年1—3月"),
    ("2024-12-31", "last-quarter", "2024Q3", "2024Q3", "2024年第三季度"),
    ("2024-12-31", "last-year", "2023", "2023", "2023年"),
    ("2024-02-10", "last-month-2", "2023-11", "2023-11", "2023年11月"),
    ("2024-02-10", "last-quarter-1", "2023Q3", "2023Q3", "2023年第三季度"),
    ("2024-02-10", "LAST-MONTH", "2024-01", "2024-01", "2024年1月"),
])
def test_relative_periods(as_of, token, code, slug, label):
    p = resolve_period(token, dt.date.fromisoformat(as_of))
    assert (p.code, p.slug, period_label(p)) == (code, slug, label)


def test_explicit_periods():
    day = dt.date(2024, 5, 1)
    assert resolve_period(2023, day).code == "2023"
    assert resolve_period("2024Q2", day).end == dt.date(2024, 6, 30)
    assert resolve_period(dt.date(2024, 2, 9), day).code == "2024-02"
    assert period_fields(resolve_period("2024-02", day))["month"] == 2
    assert period_fields(resolve_period("2024H1", day))["period_label"] == "2024年上半年"


@pytest.mark.parametrize("bad", ["last-week", "year-to-date-1", "", None])
def test_bad_periods(bad):
    with pytest.raises(BriefgenError) as e:
        resolve_period(bad, dt.date(2024, 5, 1))
    assert "时期" in str(e.value)


@pytest.mark.parametrize("code, kind, year, number", [
    ("2021", "year", 2021, 0), ("2021年", "year", 2021, 0), ("2021-03", "month", 2021, 3),
    ("2021M03", "month", 2021, 3), ("2021年3月", "month", 2021, 3), ("2021Q1", "quarter", 2021, 1),
    ("2021-Q4", "quarter", 2021, 4), ("2021H2", "half", 2021, 2), ("2021-12-21", "date", 2021, 12),
    ("上年", "other", None, 0), (2021, "year", 2021, 0),
])
def test_parse_codes(code, kind, year, number):
    from briefgen.periods import parse

    p = parse(code)
    assert (p.kind, p.year, p.number) == (kind, year, number)


def test_shift_year_and_annual():
    from briefgen.periods import is_annual, shift_year

    assert shift_year("2022-06") == "2021-06" and shift_year("2022Q2", -2) == "2020Q2"
    assert is_annual("2021") and not is_annual("2021-06")
