"""Every sheet layout a department hands over, each read from a real XLSX written by openpyxl
with merged cells, a note column and a note row: what was read, and what was ignored and why."""

import re
from pathlib import Path

import pytest
import yaml
from openpyxl import Workbook

from briefgen.config import load_config
from briefgen.data import load_dataset, read_xlsx
from briefgen.errors import BriefgenError
from briefgen.sheets import read_grid, split_unit


def xlsx(path: Path, rows: list[list], merges: list[str] = (), title: str = "表1") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    for m in merges:
        ws.merge_cells(m)
    wb.save(path)
    return path


def dataset(tmp_path: Path, sources: list[dict], region: str = "宜昌市", **extra):
    cfg = {"name": "t", "period": "2022年1—9月", "region": region, "meta": {"title": "测试"}, "data": sources, **extra}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return load_dataset(load_config(p))


def value(ds, ind, region, period):
    o = ds.get(ind, region, period)
    return None if o is None else o.value


def ignored(ds) -> str:
    return "\n".join(ds.ignored)


def test_long(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["宜昌市主要指标（长表）", None, None, None, None, None],
        ["指标", "地区", "时期", "数值", "单位", "备注"],
        ["地区生产总值", "宜昌市", "2022年1-9月", 3853.11, "亿元", "初步核算"],
        ["地区生产总值", "宜昌市", "2021年1-9月", 3592.73, "亿元", None],
        ["注：本表为示例。", None, None, None, None, None],
    ], ["A1:F1", "A5:F5"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "地区生产总值", "宜昌市", "2022-01~09") == 3853.11
    assert value(ds, "地区生产总值", "宜昌市", "2021-01~09") == 3592.73
    assert ds.indicators["地区生产总值"].unit == "亿元"
    assert ds.readings[0][1].layout == "long"
    assert "F列“备注”：备注列" in ignored(ds) and "第5行“注：本表为示例。”：注释行" in ignored(ds)


def test_indicators_down_periods_across(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["宜昌市科技创新主要指标", None, None, None, None],
        ["指标", "单位", "2021年", "2022年", "说明"],
        ["高新技术企业数", "家", 640, 857, "年末数"],
        ["技术合同成交额", "亿元", 150.2, 201, None],
        [None, None, None, None, None],
        ["数据来源：宜昌市科技局", None, None, None, None],
    ], ["A1:E1", "A6:E6"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "高新技术企业数", "宜昌市", "2022") == 857
    assert value(ds, "技术合同成交额", "宜昌市", "2021") == 150.2
    assert ds.readings[0][1].layout == "wide-periods"
    assert "E列“说明”：备注列" in ignored(ds) and "数据来源" in ignored(ds)


def test_regions_down_indicators_across_units_in_headers(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["2022年1—9月各县市区主要指标", None, None, None],
        ["县市区", "地区生产总值（亿元）", "研发投入强度(%)", "备注"],
        ["夷 陵 区", 123.05, 2.1, None],
        ["长阳土家族自治县", 120.1, 1.3, "快报数"],
        ["全市", 3853.11, 2.5, None],
        ["注：全市为公布数。", None, None, None],
    ], ["A1:D1", "A6:D6"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    # The period comes from the title; names lose the padding spaces; 全市 stands for the briefing region.
    assert value(ds, "地区生产总值", "夷陵区", "2022-01~09") == 123.05
    assert value(ds, "研发投入强度", "长阳土家族自治县", "2022-01~09") == 1.3
    assert value(ds, "地区生产总值", "宜昌市", "2022-01~09") == 3853.11
    assert ds.indicators["地区生产总值"].unit == "亿元" and ds.indicators["研发投入强度"].unit == "%"
    reading = ds.readings[0][1]
    assert reading.layout == "wide-regions" and any("标题" in r for r in reading.reasons)
    assert "全市" in reading.totals[0] and ds.total_regions == {"宜昌市"}
    assert "D列“备注”：备注列" in ignored(ds)


def test_region_indicator_rows_with_period_columns(tmp_path):
    """The clerk's sheet: 县市区 | 指标 | 单位 | 2021年1-9月 | 2022年1-9月 | note column; county merged down."""
    xlsx(tmp_path / "d.xlsx", [
        ["县市区", "指标", "单位", "2021年1-9月", "2022年1-9月", None],
        ["夷陵区", "规模以上工业增加值", "亿元", 100.5, 110.2, "注：本表为快报数"],
        [None, "社会消费品零售总额", "亿元", 80, 86.4, None],
        ["西陵区", "规模以上工业增加值", "亿元", 90, 85.5, None],
        [None, "社会消费品零售总额", "亿元", 120, 126, "口径调整"],
    ], ["A2:A3", "A4:A5"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "社会消费品零售总额", "夷陵区", "2022-01~09") == 86.4
    assert value(ds, "规模以上工业增加值", "西陵区", "2021-01~09") == 90
    assert set(ds.periods()) == {"2021-01~09", "2022-01~09"}  # the note column is not a third period
    assert ds.readings[0][1].layout == "regions-periods"
    assert "F列“（无表头）”" in ignored(ds)


def test_merged_period_over_current_previous_growth(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["宜昌市2022年1—9月各县市区主要指标", None, None, None, None, None, None],
        ["县市区", "指标", "单位", "2022年1—9月", None, None, "备注"],
        [None, None, None, "本期", "上年同期", "增速（%）", None],
        ["夷陵区", "地区生产总值", "亿元", 123.05, 113.26, 8.6, "现价"],
        [None, "高新技术产业增加值", "亿元", 13.97, 12.47, 12.0, None],
        ["注：增速按现价计算。", None, None, None, None, None, None],
    ], ["A1:G1", "A2:A3", "B2:B3", "C2:C3", "D2:F2", "G2:G3", "A4:A5", "A6:G6"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    o = ds.get("地区生产总值", "夷陵区", "2022-01~09")
    assert o.value == 123.05 and o.published == {"yoy": 8.6}
    assert value(ds, "地区生产总值", "夷陵区", "2021-01~09") == 113.26  # 上年同期 = same kind a year earlier
    assert value(ds, "高新技术产业增加值", "夷陵区", "2022-01~09") == 13.97
    r = ds.readings[0][1]
    assert r.header_rows == (1, 2) and any("2行表头" in x for x in r.reasons)
    assert "G列“备注”：备注列" in ignored(ds) and "注释行" in ignored(ds)


def test_indicators_merged_over_periods(tmp_path):
    """Regions down; each indicator a merged header over 2022年1—9月 | 2021年1—9月 | 增速."""
    xlsx(tmp_path / "d.xlsx", [
        ["地区", "社会消费品零售总额（亿元）", None, None, "一般公共预算收入（亿元）", None, None, "备注"],
        [None, "2022年1—9月", "2021年1—9月", "增速", "2022年1—9月", "2021年1—9月", "增速", None],
        ["夷陵区", 86.4, 80, 8.0, 12.5, 11.9, 5.0, None],
        ["西陵区", 126, 120, 5.0, 20.1, 21.3, -5.6, "退税影响"],
    ], ["A1:A2", "B1:D1", "E1:G1", "H1:H2"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "一般公共预算收入", "西陵区", "2021-01~09") == 21.3
    assert ds.get("一般公共预算收入", "西陵区", "2022-01~09").published == {"yoy": -5.6}
    assert ds.indicators["社会消费品零售总额"].unit == "亿元"
    assert ds.readings[0][1].layout == "regions-indicators-periods"
    assert "H列“备注”" in ignored(ds)


def test_months_down_indicators_across(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["2022年全市主要指标月度数据（累计）", None, None, None, None],
        ["月份", "规模以上工业增加值增速（%）", None, "社会消费品零售总额（亿元）", "备注"],
        ["1—2月", 8.1, None, 210.5, "春节因素"],
        ["1—3月", 8.6, None, 330.2, None],
        ["4月", 8.9, None, 441.7, None],  # written "4月" in a cumulative sheet: 1—4月
        ["注：规模以上工业增加值增速按可比价计算。", None, None, None, None],
    ], ["A1:E1", "A6:E6"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "规模以上工业增加值增速", "宜昌市", "2022-01~02") == 8.1
    assert value(ds, "社会消费品零售总额", "宜昌市", "2022Q1") == 330.2  # 1—3月 is the first quarter
    assert value(ds, "社会消费品零售总额", "宜昌市", "2022-01~04") == 441.7
    assert ds.readings[0][1].layout == "periods-down"
    text = ignored(ds)
    assert "C列“（无表头）”：没有表头（空列）" in text and "E列“备注”" in text and "注释行" in text


def test_months_down_with_current_and_cumulative_under_each_indicator(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["2022年全社会用电量", None, None, None],
        ["月份", "全社会用电量（亿千瓦时）", None, "备注"],
        [None, "当月", "累计", None],
        ["1月", 12.5, 12.5, None],
        ["2月", 10.1, 22.6, "春节"],
    ], ["A1:D1", "A2:A3", "B2:C2", "D2:D3"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "全社会用电量", "宜昌市", "2022-02") == 10.1
    assert value(ds, "全社会用电量", "宜昌市", "2022-01~02") == 22.6
    assert value(ds, "全社会用电量", "宜昌市", "2022-01") == 12.5  # 1月 当月 and 累计 are one period, one value


def test_region_names_in_a_column_headed_danwei(tmp_path):
    """单位 is the unit column when it holds units, the reporting unit (a region) when it holds names."""
    xlsx(tmp_path / "d.xlsx", [
        ["单位", "高新技术企业数（家）", "备注"],
        ["夷陵区", 120, None],
        ["宜都市", 98, "含新认定"],
    ])
    ds = dataset(tmp_path, [{"file": "d.xlsx", "period": "2022年末"}])
    assert value(ds, "高新技术企业数", "宜都市", "2022末") == 98


def test_not_a_period_in_a_header_is_refused_with_file_sheet_cell(tmp_path):
    xlsx(tmp_path / "d.xlsx", [["指标", "2022年1-13月", "2021年1-9月"], ["甲", 1, 2]], title="县市区")
    with pytest.raises(BriefgenError) as e:
        dataset(tmp_path, [{"file": "d.xlsx"}])
    msg = str(e.value)
    assert "d.xlsx：工作表“县市区”：B1" in msg and "不是可识别的时期" in msg and "2022年1—9月" in msg


def test_not_a_period_in_a_period_column_is_refused(tmp_path):
    xlsx(tmp_path / "d.xlsx", [["月份", "用电量（亿千瓦时）"], ["2022年1月", 1], ["合计月", 2]])
    with pytest.raises(BriefgenError) as e:
        dataset(tmp_path, [{"file": "d.xlsx"}])
    assert "工作表“表1”：A3" in str(e.value) and "可写：" in str(e.value)


def test_a_form_without_year_needs_the_title_or_period(tmp_path):
    xlsx(tmp_path / "d.xlsx", [["月份", "用电量（亿千瓦时）"], ["1月", 1], ["2月", 2]])
    with pytest.raises(BriefgenError, match="没有写年份"):
        dataset(tmp_path, [{"file": "d.xlsx"}])
    ds = dataset(tmp_path, [{"file": "d.xlsx", "period": 2022}])
    assert value(ds, "用电量", "宜昌市", "2022-02") == 2


def test_current_previous_without_any_period_is_refused(tmp_path):
    xlsx(tmp_path / "d.xlsx", [["地区", "用电量", None], [None, "本期", "上年同期"], ["夷陵区", 1, 2]], ["A1:A2", "B1:C1"])
    with pytest.raises(BriefgenError, match="需要知道本期是哪个时期"):
        dataset(tmp_path, [{"file": "d.xlsx"}])


def test_a_stale_sheet_is_caught(tmp_path):
    """The title says 1—8月, the config says the sheet is 1—9月: stop rather than report last month's figures."""
    xlsx(tmp_path / "d.xlsx", [["2022年1—8月各县市区主要指标", None], ["地区", "本期"], ["夷陵区", 1]], ["A1:B1"])
    with pytest.raises(BriefgenError, match="标题写的是2022年1—8月"):
        dataset(tmp_path, [{"file": "d.xlsx", "period": "2022年1—9月"}])


def test_bad_number_names_the_cell(tmp_path):
    xlsx(tmp_path / "d.xlsx", [["地区", "用电量（亿千瓦时）"], ["夷陵区", "12o.5"]], title="数据")
    with pytest.raises(BriefgenError) as e:
        dataset(tmp_path, [{"file": "d.xlsx", "period": 2022}])
    assert "工作表“数据”：B2" in str(e.value) and "12o.5" in str(e.value)


def test_csv_two_row_header_without_merges(tmp_path):
    (tmp_path / "d.csv").write_text(
        "县市区,地区生产总值（亿元）,,备注\n,本期,上年同期,\n夷陵区,123,113,\n", encoding="utf-8")
    ds = dataset(tmp_path, [{"file": "d.csv", "period": "2022年1—9月"}])
    assert value(ds, "地区生产总值", "夷陵区", "2021-01~09") == 113


@pytest.mark.parametrize("header, name, unit", [
    ("规模以上工业增加值（亿元）", "规模以上工业增加值", "亿元"),
    ("增速(%)", "增速", "%"),
    ("用电量（万千瓦时）", "用电量", "万千瓦时"),
    ("人均可支配收入（元/人）", "人均可支配收入", "元/人"),
    ("地区生产总值（GDP）", "地区生产总值（GDP）", ""),
    ("增长%", "增长", "%"),
])
def test_units_split_off_headers(header, name, unit):
    assert split_unit(header) == (name, unit)


def test_grid_reading_reports_layout_and_why(tmp_path):
    p = xlsx(tmp_path / "d.xlsx", [["月份", "用电量（亿千瓦时）"], ["2022年1月", 1]])
    r = read_grid(read_xlsx(p), region="宜昌市")
    assert r.layout == "periods-down" and "A列“月份”是时期" in r.reasons[0]


def test_readme_header_table_lists_every_alias():
    """The header aliases are documented in one table, and that table is the one the reader uses."""
    from briefgen.sheets import CURRENT_WORDS, KEY_ALIASES, PREVIOUS_WORDS, PUBLISHED_ALIASES, REMARK_ALIASES
    from support import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("**表头名称**", 1)[1].split("\n\n", 2)[1]
    cells = {w.split("（其下")[0] for line in table.splitlines()[2:]
             for w in re.split(r"[、；](?![^（(]*[）)])", line.split("|")[2].strip())}
    want = {a for k, names in KEY_ALIASES.items() if k != "serial" for a in names}
    want |= set(REMARK_ALIASES) | set(CURRENT_WORDS) | set(PREVIOUS_WORDS)
    want |= {a for names in PUBLISHED_ALIASES.values() for a in names}
    want = {w for w in want if not w.isascii() or w in ("region", "indicator", "period", "unit", "value")}
    missing = sorted(w for w in want if w not in cells)
    assert not missing, f"README 表头名称表缺少：{missing}"


def test_a_row_of_units_and_a_row_of_column_codes_under_the_header(tmp_path):
    xlsx(tmp_path / "d.xlsx", [
        ["2022年各县市区主要指标", None, None, None],
        ["地区", "高新技术企业数", "技术合同成交额", "研发投入强度"],
        [None, "家", "亿元", "%"],
        ["甲", "1", "2", "3"],
        ["夷陵区", 120, 5.5, 2.1],
    ], ["A1:D1", "A2:A3"])
    ds = dataset(tmp_path, [{"file": "d.xlsx"}])
    assert value(ds, "高新技术企业数", "夷陵区", "2022") == 120
    assert ds.indicators["技术合同成交额"].unit == "亿元" and ds.indicators["研发投入强度"].unit == "%"
    assert "第4行“甲 1 2 3…”：栏次行" in ignored(ds)
