"""Regions tables: change columns per indicator, a total row, units in a line or the headers,
widths that keep long names on one line, headers that break between words, the minus sign."""

import pytest

from briefgen import terms
from briefgen.config import MetricCfg, TableCfg
from briefgen.data import Dataset, Obs
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook
from briefgen.regions import RegionTree
from briefgen.tables import (
    CELL_PADDING_EM,
    CELL_PADDING_PT,
    DEFAULT_WIDTH_EM,
    DEFAULT_WIDTH_PT,
    fit_columns,
    table_body,
)

CUR, PREV = "2022-01~09", "2021-01~09"
COUNTIES = {"夷陵区": (123.05, 113.26, 13.97, 12.47), "长阳土家族自治县": (120.1, 113.8, 20.15, 19.39),
            "点军区": (472.28, 429.2, 52.27, 54.92)}


def book() -> MetricBook:
    ds = Dataset()
    for c, (g, gp, h, hp) in COUNTIES.items():
        for per, gv, hv in ((CUR, g, h), (PREV, gp, hp)):
            ds.add("地区生产总值", c, per, Obs(gv), unit="亿元")
            ds.add("高新技术产业增加值", c, per, Obs(hv), unit="亿元")
            ds.add("高新技术产业增加值占比", c, per, Obs(round(hv / gv * 100, 2)), unit="%")
    cat = {"gdp": MetricCfg(indicator="地区生产总值", decimals=2),
           "hti": MetricCfg(indicator="高新技术产业增加值", decimals=2),
           "share": MetricCfg(indicator="高新技术产业增加值占比", decimals=2, total="hti / gdp * 100")}
    return MetricBook(ds, cat, region="宜昌市", period=CUR, label="b.yaml",
                      regions=RegionTree({"宜昌市": list(COUNTIES)}))


def table(**kw) -> TableCfg:
    return TableCfg.model_validate({"caption": "各县市区", "kind": "regions", **kw})


def test_change_columns_total_row_and_unit_line():
    body = table_body(book(), table(columns=[{"metric": "gdp", "show": ["value", "yoy"]},
                                             {"metric": "hti", "show": ["value", "prev", "net", "yoy", "rank"]}],
                                    total="top", total_label="全市"))
    heads = [h.replace("\n", "") for h in body.header]
    assert heads == ["地区", "地区生产总值", "增速", "高新技术产业增加值", "上年同期", "增减量", "增速", "位次"]
    assert body.unit_note == "单位：亿元、%"  # one value unit: said once above the table
    total, *rows = body.rows
    assert total[0] == "全市" and total[1] == "715.43" and total[-1] == ""  # computed total; no rank for it
    assert total[2] == f"{(715.43 / 656.26 - 1) * 100:.1f}"  # growth of the total, from the totals
    dianjun = next(r for r in rows if r[0] == "点军区")
    assert dianjun[6] == "\u22124.8" and dianjun[5] == "\u22122.65"  # the minus sign, never a hyphen
    assert dianjun[7] == "1" and [r[0] for r in rows] == list(COUNTIES)


def test_units_go_to_the_headers_when_there_are_several():
    body = table_body(book(), table(columns=[{"metric": "gdp", "show": ["value", "yoy"]},
                                             {"metric": "share", "show": ["value", "pp"]}], total="bottom"))
    heads = [h.replace("\n", "") for h in body.header]
    assert heads == ["地区", "地区生产总值（亿元）", "增速（%）", "高新技术产业增加值占比（%）", "增减百分点"]
    assert body.unit_note == "" and body.rows[-1][0] == "宜昌市"
    assert body.rows[-1][3] == f"{(13.97 + 20.15 + 52.27) / (123.05 + 120.1 + 472.28) * 100:.2f}"  # Σhti / Σgdp


def test_change_on_plain_columns_is_not_ignored():
    body = table_body(book(), table(columns=["gdp", "hti"], change="yoy"))
    assert [h.replace("\n", "") for h in body.header] == ["地区", "地区生产总值", "增速", "高新技术产业增加值", "增速"]


def test_headers_break_between_words_and_never_inside_a_unit():
    body = table_body(book(), table(columns=[{"metric": "gdp", "show": ["value", "yoy", "rank"]},
                                             {"metric": "hti", "show": ["value", "yoy", "rank"]},
                                             {"metric": "share", "show": ["value", "pp"]}], units="header"))
    assert any("\n" in h for h in body.header)  # narrow columns: headers do break
    for h in body.header:
        text = h.replace("\n", "")
        bounds, at = set(), 0
        for piece in terms.segment(text):
            at += len(piece)
            bounds.add(at)
        at = 0
        for line in h.split("\n"):
            assert line.count("（") == line.count("）"), h  # never inside a unit
            at += len(line)
            assert at in bounds, h  # every break falls between two words


def test_long_names_fit_on_one_line():
    body = table_body(book(), table(columns=["gdp", "hti", "share"], change="yoy"))
    assert all("\n" not in r[0] for r in body.rows)
    room = body.col_widths[0] - CELL_PADDING_EM
    assert room >= terms.em("长阳土家族自治县")
    assert sum(body.col_widths) == pytest.approx(DEFAULT_WIDTH_EM, abs=0.05)


def test_set_widths_are_used():
    body = table_body(book(), table(columns=["gdp"], widths=[3, 1]))
    assert body.col_widths[0] / body.col_widths[1] == pytest.approx(3, rel=0.2)
    with pytest.raises(BriefgenError, match="widths 应为2个正数"):
        table_body(book(), table(columns=["gdp"], widths=[3]))


def _assert_cells_on_one_line(body) -> None:
    """Every column holds its widest cell (names, numbers) on one line at the size chosen."""
    pad = CELL_PADDING_PT / body.size
    for j, w in enumerate(body.col_widths):
        assert all("\n" not in r[j] for r in body.rows)
        assert w - pad >= max(terms.em(r[j]) for r in body.rows) - 1e-3, (j, w)  # widths are rounded


def test_a_wide_table_steps_its_type_down_before_breaking_words():
    """Eight columns do not fit at 小四 with every header word whole: the table is set in 五号,
    headers still break only between words, names and numbers on one line."""
    cols = [{"metric": "gdp", "show": ["value", "yoy"]}, {"metric": "hti", "show": ["value", "yoy", "rank"]},
            {"metric": "share", "show": ["value", "pp"]}]
    body = table_body(book(), table(columns=cols))
    assert (body.size, body.fits) == (10.5, True)
    assert sum(body.col_widths) == pytest.approx(DEFAULT_WIDTH_PT / 10.5, abs=0.05)
    _assert_cells_on_one_line(body)
    for h in body.header:
        words = terms.segment(h.replace("\n", ""))
        for line in h.split("\n"):
            assert any("".join(words[i:j]) == line for i in range(len(words)) for j in range(i + 1, len(words) + 1)), h
    # At 小四 the same columns would have had to break a word or a unit.
    header, _rows, _w, fits = fit_columns(body.header, body.rows, DEFAULT_WIDTH_EM)
    assert not fits
    # A style whose tables are 五号 already starts there; one at 小五 cannot step down.
    assert table_body(book(), table(columns=cols), size=10.5).size == 10.5
    assert table_body(book(), table(columns=cols[:1]), size=9.0).size == 9.0


def test_too_many_columns_keep_names_and_numbers_whole_and_say_so():
    """Ten columns do not fit even at 小五 with headers broken between characters: the header
    words and units give way, never a region name or a number, and `fits` is False (the
    builder warns). Thirteen do not leave room even for the names and numbers."""
    b = book()
    cols = [{"metric": "gdp", "show": ["value", "prev", "yoy"]}, {"metric": "hti", "show": ["value", "prev", "yoy",
                                                                                          "rank"]},
            {"metric": "share", "show": ["value", "pp"]}]
    body = table_body(b, table(columns=cols))
    assert (len(body.header), body.size, body.fits) == (10, 9.0, False)
    _assert_cells_on_one_line(body)
    assert sum(body.col_widths) == pytest.approx(DEFAULT_WIDTH_PT / 9.0, abs=0.05)
    assert b.warnings == []  # named by its caption and number by the builder, once
    cols = [{"metric": k, "show": ["value", "prev", "yoy", "net", "rank", "yoy_rank"]} for k in ("gdp", "hti")]
    body = table_body(b, table(columns=cols))
    assert (len(body.header), body.size, body.fits) == (13, 9.0, False)
    assert sum(body.col_widths) == pytest.approx(DEFAULT_WIDTH_PT / 9.0, abs=0.05)


def test_headers_break_between_characters_only_as_a_last_resort():
    assert terms.pieces("规模以上工业增加值（亿元）", loose=True)[-1] == "（亿元）"
    assert terms.pieces("2022年1—9月增速", loose=True)[:2] == ["2022年", "1—9月"]
    assert terms.break_lines("增减百分点", 2.0, loose=True) == ["增减", "百分", "点"]
    assert terms.break_lines("增减百分点", 2.0) == ["增减", "百分点"]


def test_fit_columns_widens_headers_that_take_most_lines():
    header, _rows, widths, fits = fit_columns(["地区", "规模以上工业增加值（亿元）"], [["夷陵区", "1.0"]], 30)
    assert fits and header[1].replace("\n", "") == "规模以上工业增加值（亿元）"
    assert header[1].count("\n") == 0  # room enough: one line
