"""Provenance: every value knows its source cell and how it was obtained; the zh layer notes what it prints."""

import copy
import csv
import json
import pickle
import sqlite3

import pytest
from openpyxl import Workbook, load_workbook

from briefgen import phrases, provenance, zh
from briefgen.config import MetricCfg, SourceCfg, load_config
from briefgen.data import Dataset, Obs, load_dataset, read_source
from briefgen.metrics import MetricBook
from briefgen.provenance import Prov, Source, Traced, TracedInt, leaf_sources, prov_of
from briefgen.regions import RegionTree


def _p(v, **kw):
    return Traced(v, Prov("read", v, **kw))


# --- traced numbers --------------------------------------------------------------


def test_arithmetic_keeps_the_history():
    a, b = _p(857.0, name="高企", period="2021"), _p(640.0, name="高企", period="2020")
    d = a - b
    assert d == 217 and isinstance(d, Traced) and d.prov.method == "arith" and d.prov.note == "−"
    assert [prov_of(v) for _r, v in d.prov.inputs] == [a.prov, b.prov]
    assert isinstance(abs(-d), Traced) and abs(-d) == 217
    assert isinstance(100 - a / b * 100, Traced)
    r = TracedInt(8, Prov("rank_change", 8))
    assert r == 8 and hash(r) == hash(8) and str(r) == "8" and isinstance(abs(-r), TracedInt)
    assert isinstance(r / 2, Traced) and (r > 3) is True
    # Copies keep it; a pickled value (to a worker, a cache) is a plain number.
    assert copy.deepcopy(a) is a and type(pickle.loads(pickle.dumps(a))) is float
    assert json.dumps([a, r]) == "[857.0, 8]" and float(a) == 857.0 and type(float(a)) is float


def test_the_zh_layer_notes_what_it_prints_only_while_recording():
    v = _p(-3.14159, name="增速")
    assert zh.num(v, 1) == "−3.1"  # nothing collected outside recording()
    with provenance.recording() as printed:
        assert zh.growth(v, 1) == "同比下降3.1%"
        assert zh.num(2.5) == "2.5"  # untraced: not noted
        with provenance.scope() as inner:
            zh.qty(_p(857.0), "家")
            zh.rank_phrase(TracedInt(1, Prov("rank", 1)), "全省")
    assert [p.text for p in inner] == ["857", "一"] and inner[1].numeral
    assert [p.text for p in printed] == ["3.1", "857", "一"] and printed[0].prov.value == pytest.approx(-3.14159)


# --- source cells of every reader --------------------------------------------------


def test_xlsx_cells_with_titles_units_and_merged_headers(tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "县市区"
    ws["A1"] = "2022年1—9月各县市区主要指标"
    ws.merge_cells("A1:E1")
    ws.append(["单位：亿元"])
    ws.append(["地区", "地区生产总值", None, None, None])
    ws.merge_cells("B3:D3")
    ws.append([None, "本期", "上年同期", "增速"])
    ws.merge_cells("A3:A4")
    ws.append(["夷陵区", 123.05, 113.3, 8.6])
    ws.append(["西陵区", 452.01, 412.8, 9.5])
    path = tmp_path / "b.xlsx"
    wb.save(path)
    ds = Dataset()
    read_source(ds, path, SourceCfg(file=str(path)))
    got = load_workbook(path)["县市区"]
    o = ds.get("地区生产总值", "西陵区", "2022-01~09")
    assert o.src.kind == "xlsx" and o.src.sheet == "县市区" and o.src.cell == "B6" and got["B6"].value == o.value
    prev = ds.get("地区生产总值", "西陵区", "2021-01~09")
    assert prev.src.cell == "C6" and got["C6"].value == prev.value
    assert o.pub_src["yoy"].cell == "D6" and o.pub_src["yoy"].field == "yoy" and got["D6"].value == o.published["yoy"]
    assert o.src.text().endswith("工作表“县市区”：B6") and "（公布增速）" in o.pub_src["yoy"].text()
    assert ds.files == {str(path): "数据文件"}


def test_csv_line_and_column(tmp_path):
    path = tmp_path / "d.csv"
    rows = [["指标", "地区", "时期", "数值", "增速"], ["高企", "甲市", "2021", "857", "32.8"],
            ["高企", "甲市", "2020", "640", ""]]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    ds = Dataset()
    read_source(ds, path, SourceCfg(file=str(path)))
    o = ds.get("高企", "甲市", "2021")
    assert (o.src.kind, o.src.line, o.src.column) == ("csv", 2, 4)
    line = path.read_text(encoding="utf-8").splitlines()[o.src.line - 1].split(",")
    assert float(line[o.src.column - 1]) == o.value
    assert (o.pub_src["yoy"].line, o.pub_src["yoy"].column) == (2, 5)


def test_yaml_and_json_lines(tmp_path):
    y = tmp_path / "d.yaml"
    y.write_text("indicators:\n  高企:\n    unit: 家\n    values:\n      2020: 640\n      2021: 857\n"
                 "    published:\n      2021:\n        yoy: 32.8\n", encoding="utf-8")
    j = tmp_path / "d.json"
    j.write_text(json.dumps([{"indicator": "科小", "region": "甲市", "period": "2021", "value": 1172},
                             {"indicator": "科小", "region": "甲市", "period": "2020", "value": 840, "yoy": 5}],
                            ensure_ascii=False, indent=1), encoding="utf-8")
    ds = Dataset()
    read_source(ds, y, SourceCfg(file=str(y), region="甲市"))
    read_source(ds, j, SourceCfg(file=str(j)))
    for path, key, text in ((y, ("高企", "甲市", "2021"), "857"), (j, ("科小", "甲市", "2020"), "840")):
        o = ds.get(*key)
        assert o.src.file == str(path) and text in path.read_text(encoding="utf-8").splitlines()[o.src.line - 1]
    o = ds.get("高企", "甲市", "2021")
    assert "yoy: 32.8" in y.read_text(encoding="utf-8").splitlines()[o.pub_src["yoy"].line - 1]
    o = ds.get("科小", "甲市", "2020")
    assert '"yoy": 5' in j.read_text(encoding="utf-8").splitlines()[o.pub_src["yoy"].line - 1]


def test_sqlite_database_query_and_row(tmp_path):
    db = tmp_path / "s.db"
    con = sqlite3.connect(db)
    con.execute("create table t (指标 text, 地区 text, 时期 text, 数值 real)")
    con.executemany("insert into t values (?,?,?,?)", [("高企", "甲市", "2020", 640), ("高企", "甲市", "2021", 857)])
    con.commit()
    con.close()
    sql = "select * from t order by 时期"
    cfg = tmp_path / "b.yaml"
    cfg.write_text(f"name: x\nperiod: 2021\nregion: 甲市\nmeta: {{title: t}}\n"
                   f"data:\n  - {{database: s.db, sql: '{sql}'}}\n", encoding="utf-8")
    ds = load_dataset(load_config(cfg))
    o = ds.get("高企", "甲市", "2021")
    assert (o.src.kind, o.src.query, o.src.row, o.src.header) == ("sql", sql, 2, "数值")
    assert sqlite3.connect(db).execute(sql).fetchall()[o.src.row - 1][3] == o.value
    assert f"查询“{sql}”结果第2行“数值”列" in o.src.text() and ds.files[o.src.file] == "数据库"


# --- how values were obtained -----------------------------------------------------------


def _book(obs, catalogue=None, **kw):
    ds = Dataset()
    for (ind, reg, per), (v, pub) in obs.items():
        ds.add(ind, reg, per, Obs(v, dict(pub), src=Source("csv", "d.csv", line=len(ds.obs) + 2),
                                  pub_src={k: Source("csv", "d.csv", line=len(ds.obs) + 2, field=k) for k in pub}))
    cat = {k: MetricCfg(**c) for k, c in (catalogue or {}).items()}
    return MetricBook(ds, cat, region=kw.pop("region", "全市"), period=kw.pop("period", "2021"), **kw)


def test_growth_published_total_formula_rank_and_target():
    tree = RegionTree({"全市": ["甲县", "乙县"]})
    book = _book({("产值", "甲县", "2021"): (110, {}), ("产值", "甲县", "2020"): (100, {}),
                  ("产值", "乙县", "2021"): (45, {"yoy": -9.0}), ("产值", "乙县", "2020"): (50, {}),
                  ("人口", "甲县", "2021"): (10, {}), ("人口", "乙县", "2021"): (5, {})},
                 {"gdp": {"indicator": "产值", "unit": "亿元", "target": 150}, "pop": {"indicator": "人口"},
                  "per": {"formula": "gdp / pop", "unit": "亿元/万人"}}, regions=tree)
    total = book.value("gdp").value
    assert total == 155 and total.prov.method == "total"
    assert [r for r, _v in total.prov.inputs] == ["甲县", "乙县"] and len(leaf_sources(total.prov)) == 2
    g = book.value("gdp", "甲县").yoy
    assert g == pytest.approx(10) and g.prov.method == "growth"
    assert [(r, float(v)) for r, v in g.prov.inputs] == [("本期", 110), ("上期", 100)]
    pub = book.value("gdp", "乙县").yoy  # published −9.0 against the computed −10.0
    assert pub == -9.0 and pub.prov.method == "published" and pub.prov.computed == pytest.approx(-10)
    assert pub.prov.sources[0].field == "yoy" and len(leaf_sources(pub.prov)) == 3
    d = book.differences[("gdp", "乙县", "2021", "yoy")]
    assert (d.published, round(d.computed, 6), d.agree) == (-9.0, -10.0, False)
    per = book.value("per", "甲县").value
    assert per == 11 and per.prov.method == "formula" and [n for n, _v in per.prov.inputs] == ["gdp", "pop"]
    rank = book.value("gdp", "乙县").rank
    assert rank == 2 and isinstance(rank, TracedInt) and {r for r, _v in rank.prov.inputs} == {"甲县", "乙县"}
    c = book.value("gdp").completion
    assert c == pytest.approx(155 / 150 * 100) and c.prov.method == "completion"
    target = dict(c.prov.inputs)["目标"]
    assert target.prov.sources[0].kind == "config" and target.prov.sources[0].field == "metrics.gdp.target"


def test_phrases_print_traced_figures_for_data_that_move():
    """A fall, a flat year, a missing previous year: what is printed is traced, what is left out is not."""
    book = _book({("企业", "全市", "2021"): (90, {}), ("企业", "全市", "2020"): (100, {}),
                  ("户数", "全市", "2021"): (7, {}), ("户数", "全市", "2020"): (7, {}),
                  ("新指标", "全市", "2021"): (3, {})},
                 {"ent": {"indicator": "企业", "unit": "家"}, "hh": {"indicator": "户数", "unit": "户"},
                  "new": {"indicator": "新指标", "unit": "个"}})
    with provenance.recording() as printed:
        text = phrases.state(book.value("ent"))
        flat = phrases.change(book.value("hh"))
        alone = phrases.reach(book.value("new"))
        gone = phrases.change(book.value("new"))
    assert text == "为90家，比上年下降10.0%" and flat == "与上年持平" and alone == "达到3个" and gone == ""
    got = {p.text: p.prov for p in printed}
    assert got["90"].method == "read" and got["10.0"].method == "growth" and got["10.0"].value == pytest.approx(-10)
    assert got["3"].method == "read" and len(printed) == 3


def test_counts_and_milestones_are_traced():
    regs = ["甲", "乙", "丙"]
    obs = {}
    for r, (a, b) in zip(regs, [(110, 100), (90, 100), (120, 100)]):
        obs[("产值", r, "2021")] = (a, {})
        obs[("产值", r, "2020")] = (b, {})
    book = _book(obs, {"gdp": {"indicator": "产值"}}, region="甲", peers=regs)
    with provenance.recording() as printed:
        assert phrases.regions_count(book.value("gdp")) == "3个县市区中2个增长、1个下降"
        assert phrases.milestone(book.value("gdp", "丙"), 110) == "突破110"
        assert phrases.place(book.value("gdp", "丙")) == "位居第一"
    counts = [p for p in printed if p.prov.method == "count"]
    assert [p.text for p in counts] == ["3", "2", "1"]
    assert {r for r, _v in counts[2].prov.inputs} == {"乙"}
    mark = next(p for p in printed if p.prov.method == "milestone")
    assert mark.text == "110" and float(mark.prov.inputs[0][1]) == 120
    assert any(p.text == "一" and p.prov.method == "rank" for p in printed)


def test_json_that_yaml_cannot_read_still_loads_without_lines(tmp_path):
    j = tmp_path / "d.json"
    j.write_text('[{"indicator":"科小","region":"甲市","period":"2021","value":1172,\t"unit":"家"}]', encoding="utf-8")
    ds = Dataset()
    read_source(ds, j, SourceCfg(file=str(j)))
    o = ds.get("科小", "甲市", "2021")
    assert o.value == 1172 and (o.src is None or o.src.line == 1)


def test_what_a_number_is_from_the_words_around_it():
    from briefgen.audit.reading import parse_figure
    from briefgen.audit.rows import category_of, tokens

    def kinds(text):
        return [(m.group(), category_of(text, m.start(), m.end())) for m in tokens(text)]

    assert kinds("2022年1—9月，全市857家，下降−4.8%") == [("2022", "时间"), ("1", "时间"), ("9", "时间"),
                                                         ("857", None), ("−4.8", None)]
    assert kinds("第9期（总第86期）见表1、图2") == [("9", "期号"), ("86", "期号"), ("1", "图表编号"), ("2", "图表编号")]
    assert kinds("续表1") == [("1", "图表编号")] and kinds("— 3 —") == [("3", "页码")]
    assert kinds("1．市科技局") == [("1", "序号")] and kinds("2020—2021年") == [("2020", "时间"), ("2021", "时间")]
    assert kinds("电话：0717-0000000，位居全省第一；第一次") == [("0717", None), ("0000000", None), ("一", None)]
    assert kinds("1,172家") == [("1,172", None)]
    assert [parse_figure(x) for x in ("857", "−4.8", "1,172", "一", "十二", "二十", "第")] == \
        [857.0, -4.8, 1172.0, 1.0, 12.0, 20.0, None]
