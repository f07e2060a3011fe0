"""The period model: every form of Chinese statistical usage, canonical codes, the previous
period, relative tokens of scheduled runs, and wording that reads back as the same period."""

import datetime as dt

import pytest

from briefgen import periods
from briefgen.batch.plan import period_fields
from briefgen.errors import BriefgenError
from briefgen.periods import resolve as resolve_period
from briefgen.zh import period_label


@pytest.mark.parametrize("as_of, token, code, slug, label", [
    ("2024-01-01", "last-month", "2023-12", "2023-12", "2023年12月"),
    ("2024-01-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-01-15", "last-year", "2023", "2023", "2023年"),
    # A year to date is identified by its months: 1—12月 is the year, 1—3月 the first quarter;
    # the slug keeps the 1—N form so a folder per run reads alike.
    ("2024-01-15", "year-to-date", "2023", "2023-01~12", "2023年"),
    ("2024-02-01", "year-to-date", "2024-01", "2024-01~01", "2024年1月"),
    ("2024-06-01", "year-to-date", "2024-01~05", "2024-01~05", "2024年1—5月"),
    ("2024-03-31", "last-month", "2024-02", "2024-02", "2024年2月"),
    ("2024-03-31", "last-quarter", "2023Q4", "2023Q4", "2023年第四季度"),
    ("2024-04-01", "last-quarter", "2024Q1", "2024Q1", "2024年第一季度"),
    ("2024-04-01", "year-to-date", "2024Q1", "2024-01~03", "2024年第一季度"),
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
    ("上年", "other", None, 0), (2021, "year", 2021, 0), (2021.0, "year", 2021, 0), (2022.1, "other", None, 0),
])
def test_parse_codes(code, kind, year, number):
    from briefgen.periods import parse

    p = parse(code)
    assert (p.kind, p.year, p.number) == (kind, year, number)


def test_shift_year_and_annual():
    from briefgen.periods import is_annual, shift_year

    assert shift_year("2022-06") == "2021-06" and shift_year("2022Q2", -2) == "2020Q2"
    assert is_annual("2021") and not is_annual("2021-06")


# Every form the issue names, with the year where the form has one and 2022 given where it has not.
FORMS = [
    # (written, canonical code, kind, wording)
    ("2022", "2022", "year", "2022年"),
    ("2022年", "2022", "year", "2022年"),
    ("2022年度", "2022", "year", "2022年"),
    ("全年", "2022", "year", "2022年"),
    ("1—12月", "2022", "year", "2022年"),
    ("2022-09", "2022-09", "month", "2022年9月"),
    ("2022年9月", "2022-09", "month", "2022年9月"),
    ("2022年9月份", "2022-09", "month", "2022年9月"),
    ("2022M09", "2022-09", "month", "2022年9月"),
    ("9月", "2022-09", "month", "2022年9月"),
    ("九月", "2022-09", "month", "2022年9月"),
    ("2022年1-9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022年1—9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022年1~9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022年1～9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022年1至9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022 年 1－9 月", "2022-01~09", "ytd", "2022年1—9月"),
    ("1—9月", "2022-01~09", "ytd", "2022年1—9月"),
    ("1-9月累计", "2022-01~09", "ytd", "2022年1—9月"),
    ("一至九月", "2022-01~09", "ytd", "2022年1—9月"),
    ("前三季度", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022年前三季度", "2022-01~09", "ytd", "2022年1—9月"),
    ("2022-01~09", "2022-01~09", "ytd", "2022年1—9月"),
    ("1-2月", "2022-01~02", "ytd", "2022年1—2月"),
    ("2022Q3", "2022Q3", "quarter", "2022年第三季度"),
    ("2022-Q3", "2022Q3", "quarter", "2022年第三季度"),
    ("2022年Q3", "2022Q3", "quarter", "2022年第三季度"),
    ("三季度", "2022Q3", "quarter", "2022年第三季度"),
    ("第三季度", "2022Q3", "quarter", "2022年第三季度"),
    ("2022年第3季度", "2022Q3", "quarter", "2022年第三季度"),
    ("7—9月", "2022Q3", "quarter", "2022年第三季度"),
    ("1—3月", "2022Q1", "quarter", "2022年第一季度"),  # a year to date of three months is the first quarter
    ("2022H1", "2022H1", "half", "2022年上半年"),
    ("上半年", "2022H1", "half", "2022年上半年"),
    ("2022年上半年", "2022H1", "half", "2022年上半年"),
    ("1—6月", "2022H1", "half", "2022年上半年"),
    ("下半年", "2022H2", "half", "2022年下半年"),
    ("2022年末", "2022末", "point", "2022年末"),
    ("2022年底", "2022末", "point", "2022年末"),
    ("年末", "2022末", "point", "2022年末"),
    ("12月末", "2022末", "point", "2022年末"),
    ("9月末", "2022-09末", "point", "2022年9月末"),
    ("2022年9月末", "2022-09末", "point", "2022年9月末"),
    ("2022-09末", "2022-09末", "point", "2022年9月末"),
]


@pytest.mark.parametrize("written, code, kind, words", FORMS)
def test_every_form_round_trips(written, code, kind, words):
    """parse → canonical code and kind → wording → parse again: the same period, and the wording
    without the year reads back in the same year too."""
    from briefgen.periods import parse
    from briefgen.zh import period_cn, period_short

    p = parse(written, 2022)
    assert (p.code, p.kind) == (code, kind)
    assert period_cn(p) == words == period_cn(code)
    assert parse(words) == parse(code)
    assert parse(period_short(p), 2022).code == code
    assert parse(code).code == code  # canonical codes are fixed points


@pytest.mark.parametrize("written, code, kind, words", FORMS)
def test_previous_is_the_same_kind_a_year_earlier(written, code, kind, words):
    from briefgen.periods import parse, previous

    p, prev = parse(written, 2022), parse(previous(code))
    assert prev.kind == p.kind and prev.year == 2021 and prev.months == p.months
    assert prev.number == p.number


def test_previous_wording_and_growth_prefix():
    from briefgen.zh import growth_prefix, prev_period_cn

    assert [prev_period_cn(c) for c in ("2022", "2022-01~09", "2022-09", "2022Q3", "2022末", "2022-09末")] == \
        ["上年", "上年同期", "上年同期", "上年同期", "上年末", "上年同期"]
    assert [growth_prefix(c) for c in ("2022", "2022-01~09", "2022末", "2022-09末")] == \
        ["比上年", "同比", "比上年末", "同比"]


def test_axis_labels_say_the_year_once():
    from briefgen.zh import period_axis

    assert period_axis([f"2022-{m:02d}" for m in range(1, 10)]) == [f"{m}月" for m in range(1, 10)]
    # A cumulative series reads alike whatever the canonical form of each period.
    assert period_axis(["2022-01~02", "2022Q1", "2022-01~04", "2022H1", "2022-01~09"]) == \
        ["1—2月", "1—3月", "1—4月", "1—6月", "1—9月"]
    assert period_axis(["2021-11", "2021-12", "2022-01"]) == ["2021年11月", "12月", "2022年1月"]
    assert period_axis(["2022Q1", "2022Q2"]) == ["第一季度", "第二季度"]
    assert period_axis(["2020", "2021"]) == ["2020年", "2021年"]


@pytest.mark.parametrize("bad", ["2022年13月", "2022年1-13月", "2022年9—3月", "本期", "合计", "2022年Q5", "第五季度"])
def test_not_a_period_is_refused_with_the_accepted_forms(bad):
    from briefgen.periods import strict

    with pytest.raises(BriefgenError) as e:
        strict(bad, "d.xlsx：工作表“表1”：A5", 2022)
    assert "d.xlsx：工作表“表1”：A5" in str(e.value) and "2022年1—9月" in str(e.value)


def test_a_form_without_its_year_needs_one():
    from briefgen.periods import parse, strict

    assert parse("1—9月").kind == "other"
    with pytest.raises(BriefgenError, match="没有写年份"):
        strict("1—9月", "x")


def test_sort_order_shorter_first():
    from briefgen.periods import sort_key

    codes = ["2022-01~09", "2022-09", "2022-09末", "2021-01~09", "2022Q1", "2022-01"]
    assert sorted(codes, key=sort_key) == ["2021-01~09", "2022-01", "2022Q1", "2022-09末", "2022-09", "2022-01~09"]


def test_year_to_date_keeps_its_month_for_batch_placeholders():
    """1—6月 is the first half (2024H1), but a year-to-date job still fills {month} with 6."""
    p = resolve_period("year-to-date", dt.date(2024, 7, 3))
    f = period_fields(p)
    assert (f["period"], f["period_code"], f["month"], f["period_label"]) == ("2024-01~06", "2024H1", 6, "2024年上半年")
    assert period_fields(resolve_period("last-quarter", dt.date(2024, 7, 3)))["month"] == ""


def test_periods_in_config_and_set_take_every_form(tmp_path):
    import yaml

    from briefgen.config import load_config

    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump({"name": "t", "period": "2022年1-9月", "meta": {"title": "t"}}, allow_unicode=True),
                 encoding="utf-8")
    assert load_config(p).model.period == "2022-01~09"
    assert load_config(p, ["period=2022年前三季度"]).model.period == "2022-01~09"
    assert load_config(p, ["period=2022年末"]).model.period == "2022末"
    with pytest.raises(BriefgenError, match="没有写年份"):
        load_config(p, ["period=前三季度"])
    with pytest.raises(BriefgenError, match="不是可识别的时期"):
        load_config(p, ["period=上上月"])


@pytest.mark.parametrize("end,issued", [
    ("2024-06-30", "2024-07-01"),  # a Monday
    ("2024-05-31", "2024-06-03"),  # 1 June is a Saturday
    ("2024-04-30", "2024-05-06"),  # 劳动节 1—5 May
    ("2024-09-30", "2024-10-08"),  # 国庆节 1—7 October
    ("2024-12-31", "2025-01-02"),  # 元旦
    ("2023-12-31", "2024-01-02"),
    ("2022-03-31", "2022-04-01"),
])
def test_issue_date_is_the_next_months_first_working_day(end, issued):
    assert periods.issue_date(dt.date.fromisoformat(end)).isoformat() == issued
