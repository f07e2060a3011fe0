"""Data sources: every accepted shape and format ends in the same observations."""

import json
import sqlite3
from pathlib import Path

import pytest
import yaml

from briefgen.config import load_config
from briefgen.data import load_dataset
from briefgen.errors import BriefgenError


def _cfg(tmp_path: Path, sources: list[dict]) -> Path:
    cfg = {"name": "t", "period": "2021", "region": "宜昌市", "meta": {"title": "测试"}, "data": sources}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def _ds(tmp_path, sources):
    return load_dataset(load_config(_cfg(tmp_path, sources)))


def test_csv_long_with_published(tmp_path):
    (tmp_path / "d.csv").write_text("指标,地区,时期,数值,单位,同比,口径\n高企,宜昌市,2021,857,家,32.8,年末数\n高企,宜昌市,2020,640,家,,\n", encoding="utf-8")
    ds = _ds(tmp_path, [{"file": "d.csv"}])
    o = ds.get("高企", "宜昌市", "2021")
    assert o.value == 857 and o.published == {"yoy": 32.8}
    assert ds.indicators["高企"].unit == "家" and ds.indicators["高企"].note == "年末数"
    assert ds.get("高企", "宜昌市", "2020").value == 640


def test_csv_gbk_is_read(tmp_path):
    (tmp_path / "d.csv").write_bytes("指标,时期,数值\n高企,2021,857\n".encode("gbk"))
    ds = _ds(tmp_path, [{"file": "d.csv"}])
    assert ds.get("高企", "宜昌市", "2021").value == 857


def test_wide_periods_and_regions(tmp_path):
    (tmp_path / "p.csv").write_text("指标,单位,2020,2021\n增加值,亿元,649.61,874.1\n", encoding="utf-8")
    (tmp_path / "r.csv").write_text("地区,高企数,研发强度\n宜都市,120,2.1\n枝江市,98,1.9\n", encoding="utf-8")
    ds = _ds(tmp_path, [{"file": "p.csv"}, {"file": "r.csv", "period": 2021}])
    assert ds.get("增加值", "宜昌市", "2020").value == 649.61
    assert ds.get("增加值", "宜昌市", "2021").value == 874.1
    assert ds.get("高企数", "枝江市", "2021").value == 98
    assert set(ds.regions("高企数")) == {"宜都市", "枝江市"}


def test_xlsx_and_sheet(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "封面"
    ws2 = wb.create_sheet("数据")
    ws2.append(["指标", "时期", "数值", "单位"])
    ws2.append(["技术合同成交额", 2021, 201, "亿元"])
    ws2.append([None, None, None, None])
    wb.save(tmp_path / "d.xlsx")
    ds = _ds(tmp_path, [{"file": "d.xlsx", "sheet": "数据"}])
    assert ds.get("技术合同成交额", "宜昌市", "2021").value == 201
    with pytest.raises(BriefgenError, match="没有名为“汇总”"):
        _ds(tmp_path, [{"file": "d.xlsx", "sheet": "汇总"}])


def test_sqlite_query(tmp_path):
    con = sqlite3.connect(tmp_path / "s.sqlite")
    con.execute("create table obs(indicator text, region text, period text, value real, unit text)")
    con.executemany("insert into obs values (?,?,?,?,?)", [("GDP", "宜昌市", "2021", 5022.69, "亿元"), ("GDP", "宜昌市", "2020", 4261.42, "亿元")])
    con.commit()
    con.close()
    ds = _ds(tmp_path, [{"sql": "select * from obs", "database": "s.sqlite"}])
    assert ds.get("GDP", "宜昌市", "2020").value == 4261.42
    with pytest.raises(BriefgenError, match="SQL 查询失败"):
        _ds(tmp_path, [{"sql": "select * from nothere", "database": "s.sqlite"}])


def test_yaml_indicator_mapping_and_json_records(tmp_path):
    (tmp_path / "m.yaml").write_text(
        "region: 宜昌市\nindicators:\n  排名:\n    unit: 位\n    values: {2021: 45, 2020: 53}\n"
        "    published: {2021: {rank: 45, rank_prev: 53}}\n    derived: {2020: 推算}\n", encoding="utf-8")
    (tmp_path / "r.json").write_text(json.dumps([{"indicator": "x", "period": 2021, "value": "1,234.5"}]), encoding="utf-8")
    ds = _ds(tmp_path, [{"file": "m.yaml"}, {"file": "r.json"}])
    o = ds.get("排名", "宜昌市", "2021")
    assert o.published == {"rank": 45, "rank_prev": 53}
    assert ds.get("排名", "宜昌市", "2020").derived == "推算"
    assert ds.get("x", "宜昌市", "2021").value == 1234.5


@pytest.mark.parametrize("cell", ["12o.5", "abc", "1.2.3"])
def test_unparseable_number_names_file_and_row(tmp_path, cell):
    (tmp_path / "d.csv").write_text(f"指标,时期,数值\n甲,2021,1\n乙,2021,{cell}\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as e:
        _ds(tmp_path, [{"file": "d.csv"}])
    msg = str(e.value)
    assert "d.csv" in msg and "第3行" in msg and cell in msg


@pytest.mark.parametrize("cell", ["", "—", "-"])
def test_empty_cells_are_missing_not_errors(tmp_path, cell):
    (tmp_path / "d.csv").write_text(f"指标,时期,数值\n甲,2021,{cell}\n", encoding="utf-8")
    ds = _ds(tmp_path, [{"file": "d.csv"}])
    assert ds.get("甲", "宜昌市", "2021").value is None


def test_nan_and_inf_rejected(tmp_path):
    (tmp_path / "d.csv").write_text("指标,时期,数值\n甲,2021,inf\n", encoding="utf-8")
    with pytest.raises(BriefgenError):
        _ds(tmp_path, [{"file": "d.csv"}])


def test_conflicting_values_and_units(tmp_path):
    (tmp_path / "a.csv").write_text("指标,时期,数值,单位\n甲,2021,1,家\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("指标,时期,数值,单位\n甲,2021,2,家\n", encoding="utf-8")
    (tmp_path / "c.csv").write_text("指标,时期,数值,单位\n甲,2020,2,个\n", encoding="utf-8")
    with pytest.raises(BriefgenError, match="两个不同的数值"):
        _ds(tmp_path, [{"file": "a.csv"}, {"file": "b.csv"}])
    with pytest.raises(BriefgenError, match="单位前后不一致"):
        _ds(tmp_path, [{"file": "a.csv"}, {"file": "c.csv"}])


def test_bad_files(tmp_path):
    with pytest.raises(BriefgenError, match="找不到"):
        _ds(tmp_path, [{"file": "nothere.csv"}])
    (tmp_path / "e.csv").write_text("", encoding="utf-8")
    with pytest.raises(BriefgenError, match="为空"):
        _ds(tmp_path, [{"file": "e.csv"}])
    (tmp_path / "bin.csv").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(BriefgenError, match="二进制"):
        _ds(tmp_path, [{"file": "bin.csv"}])
    (tmp_path / "t.xlsx").write_bytes(b"PK\x03\x04truncated")
    with pytest.raises(BriefgenError, match="无法打开 Excel"):
        _ds(tmp_path, [{"file": "t.xlsx"}])
    (tmp_path / "enc.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64)
    with pytest.raises(BriefgenError, match="加密"):
        _ds(tmp_path, [{"file": "enc.xlsx"}])
    (tmp_path / "x.doc").write_text("x", encoding="utf-8")
    with pytest.raises(BriefgenError, match="不支持的数据文件类型"):
        _ds(tmp_path, [{"file": "x.doc"}])
    (tmp_path / "u.csv").write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(BriefgenError, match="无法判断表格结构"):
        _ds(tmp_path, [{"file": "u.csv"}])
