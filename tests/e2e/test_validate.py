"""`briefgen validate` and `briefgen schema`; config problems with line, column and suggestions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from support import MINI_CSV, ROOT, SEED

CSV = MINI_CSV

BROKEN = """\
name: mini
region: 宜昌市
period: 2021
meta:
  title: 测试{{ regoin }}
  organ: 某局
data:
  - file: d.csv
metrics:
  hte: 高企
  x: {formula: hte / hte2}
sections:
  - heading: 总体情况
    text: |
      第一行{{ hte }}。
      第二行{{ hte_typo }}。
    charts:
      - type: bar
        caption: 图
        series: [{metric: htee}]
    tables:
      - caption: 表
        rows: [hte, gdp]
  - heading: 二
    text: "{{ a b }}"
"""


def _snapshot(folder: Path) -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in folder.rglob("*")}


def test_validate_seed_passes_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a stray `output/` would appear here
    before = _snapshot(SEED.parent)
    r = CliRunner().invoke(main, ["validate", str(SEED)])
    assert r.exit_code == 0, r.output
    for what in ("✓ 配置", "✓ 数据", "✓ 指标", "✓ 模板", "✓ 图表", "✓ 字体", "检查通过"):
        assert what in r.output
    assert _snapshot(SEED.parent) == before
    assert not any(tmp_path.iterdir())


def test_validate_reports_every_problem_with_lines(tmp_path):
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    p = tmp_path / "v.yaml"
    p.write_text(BROKEN, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1
    assert "Traceback" not in r.output
    expected = [
        "v.yaml:11:16：metrics.x.formula：公式引用了未定义的指标“hte2”（是否想用：hte）",
        "v.yaml:20:27：sections[0].charts[0].series[0].metric：未定义的指标“htee”（是否想用：hte）",
        "v.yaml:23:21：sections[0].tables[0].rows[1]：未定义的指标“gdp”",
        "v.yaml:5：meta.title：模板引用了未定义的名称“regoin”（是否想用：region",
        "v.yaml:16：sections[0].text：模板引用了未定义的名称“hte_typo”（是否想用：hte",
        "v.yaml:25：sections[1].text：模板语法错误：此处应为“}}”，实际是“b”",
        "共6处错误",
    ]
    for s in expected:
        assert s in r.output, f"{s!r} not in {r.output}"
    assert not (tmp_path / "output").exists()


def test_validate_names_unknown_filters_and_tests_in_chinese(tmp_path):
    """`| reahc` and `is xyz` (Jinja raises them while compiling, or only when an {% if %} branch runs):
    every one listed with its line and the name meant, exit 1 — not 内部错误 (exit 2)."""
    (tmp_path / "d.csv").write_text(CSV, encoding="utf-8")
    (tmp_path / "t.j2").write_text("第一行\n{{ hte | chnage }}\n", encoding="utf-8")
    cfg = ("name: mini\nregion: 宜昌市\nperiod: 2021\nmeta:\n  title: 测试\n  organ: 某局\ndata:\n  - file: d.csv\n"
           "metrics:\n  hte: 高企\nsections:\n  - heading: 一\n    text: |\n      第一行。\n"
           "      全市{{ hte | reahc }}。{% if hte %}{{ hte | stat }}{% endif %}\n"
           "  - heading: 二\n    text: \"{% if hte is xyz %}是{% endif %}\"\n"
           "  - heading: 三\n    template: t.j2\n")
    p = tmp_path / "v.yaml"
    p.write_text(cfg, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1, r.output
    for s in ("v.yaml:15：sections[0].text：模板使用了不存在的过滤器“reahc”（是否想用：reach）",
              "v.yaml:15：sections[0].text：模板使用了不存在的过滤器“stat”（是否想用：state",
              "v.yaml:17：sections[1].text：模板使用了不存在的测试“is xyz”",
              "t.j2:2：模板使用了不存在的过滤器“chnage”（是否想用：change）", "共4处错误"):
        assert s in r.output, (s, r.output)
    assert "内部错误" not in r.output and "No filter" not in r.output


def test_validate_says_what_was_meant(tmp_path):
    """One message each, with the line and what was meant: an unknown home region (宜昌 for 宜昌市),
    a period the data lack (the periods they have, nearest first), a typo in show: — and no second
    "应为文字" for the same column."""
    (tmp_path / "d.csv").write_text("指标,地区,时期,数值,单位\n高企,宜昌市,2021,857,家\n高企,宜昌市,2020,640,家\n"
                                    "高企,宜昌市,2019,600,家\n高企,夷陵区,2021,100,家\n", encoding="utf-8")
    cfg = ("name: mini\nregion: 宜昌\nperiod: 2021\nmeta:\n  title: 测试\n  organ: 某局\ndata:\n  - file: d.csv\n"
           "metrics:\n  hte: 高企\nsections:\n  - heading: 一\n    text: 全市高企{{ hte | reach }}。\n")
    p = tmp_path / "v.yaml"
    p.write_text(cfg, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1
    assert "v.yaml:2：region：本地区名称“宜昌”不认识：数据中没有这个地区（是否想写：宜昌市" in r.output, r.output
    r = CliRunner().invoke(main, ["validate", str(p), "--set", "region=宜昌市", "--set", "period=2022"])
    assert r.exit_code == 1
    assert "缺少“高企”2022年的数据：数据中没有这个时期（该指标有数据的时期：2021年、2020年、2019年" in r.output, r.output
    cfg = cfg.replace("region: 宜昌\n", "region: 宜昌市\n") + (
        "    tables:\n      - caption: 表\n        kind: regions\n        columns:\n"
        "          - {metric: hte, show: [value, yoy, rnak]}\n")
    p.write_text(cfg, encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1
    assert "v.yaml:18:46：sections[0].tables[0].columns[0].show[2]：取值“rnak”不在允许范围内（是否想写 rank？" in r.output
    assert "应为文字" not in r.output and "共1处错误" in r.output, r.output


def test_validate_names_every_broken_data_file(tmp_path):
    (tmp_path / "a.csv").write_text(CSV.replace("640", "6x0"), encoding="utf-8")
    cfg = {"name": "m", "period": 2021, "meta": {"title": "t"},
           "data": [{"file": "a.csv"}, {"file": "missing.csv"}, {"file": "https://x/y.csv"}]}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1
    assert "a.csv:第3行" in r.output and "data[1].file" in r.output and "data[2].file" in r.output
    assert "共3处错误" in r.output


def test_validate_dry_run_finds_runtime_problems(tmp_path):
    (tmp_path / "d.csv").write_text("指标,时期,数值\n高企,2021,857\n", encoding="utf-8")
    cfg = {"name": "m", "period": 2021, "meta": {"title": "t"}, "data": [{"file": "d.csv"}],
           "metrics": {"hte": "高企"}, "sections": [{"heading": "h", "text": "{{ hte.yoy | growth }}"}]}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 1 and "同比增速" in r.output and "2020年（上期）" in r.output


def test_validate_strict_fails_on_warnings(tmp_path):
    rows = "".join(f"高企,{y},{v},家\n" for y, v in [(2019, 500), (2020, 640), (2021, 857000)])
    (tmp_path / "d.csv").write_text("指标,时期,数值,单位\n" + rows, encoding="utf-8")
    cfg = {"name": "m", "period": 2021, "meta": {"title": "t"}, "data": [{"file": "d.csv"}],
           "metrics": {"hte": "高企"}, "sections": [{"heading": "h", "text": "{{ hte }}"}]}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    r = CliRunner().invoke(main, ["validate", str(p)])
    assert r.exit_code == 0 and "警告" in r.output and "单位或小数点" in r.output
    r = CliRunner().invoke(main, ["validate", str(p), "--strict"])
    assert r.exit_code == 1


def test_config_problems_have_line_column_and_suggestions(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text(
        "name: mini\nform: jianbo\nperiod: 2021\nmeta:\n  organ: 某局\n  issue: [1, 2]\n"
        "data:\n  - file: d.csv\n    sheeet: x\nsectoins: []\nsections:\n  - heading: x\n    enabled: maybe\n"
        "    charts:\n      - {type: bar, caption: c, series: []}\n  - {heading: y, 报: 1}\n",
        encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 1
    for s in [
        "共8处",
        "c.yaml:2:7：form：取值“jianbo”不在允许范围内（是否想写 jianbao？允许的值：jianbao、gongwen、plain）",
        "c.yaml:4:1：meta：缺少必填项“title”",
        "c.yaml:6:10：meta.issue：应为整数 或 应为文字",
        "c.yaml:9:5：data[0].sheeet：不认识的键“sheeet”（是否想写 sheet？）",
        "c.yaml:10:1：sectoins：不认识的键“sectoins”（是否想写 sections？）",
        "c.yaml:13:14：sections[0].enabled：应为 true 或 false",
        "c.yaml:15:41：sections[0].charts[0].series：至少需要1项",
        "c.yaml:16:18：sections[1].报：不认识的键“报”",
    ]:
        assert s in r.output, f"{s!r} not in {r.output}"


def test_unknown_key_without_close_match_lists_keys(tmp_path):
    p = tmp_path / "c.yaml"
    p.write_text("name: m\nperiod: 2021\nmeta: {title: t, zzzz: 1}\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert "meta.zzzz：不认识的键“zzzz”（可用的键：title、subtitle" in r.output


def test_schema_is_valid_and_accepts_every_seed(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    r = CliRunner().invoke(main, ["schema"])
    assert r.exit_code == 0
    schema = json.loads(r.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    v = jsonschema.Draft202012Validator(schema)

    def plain(x):  # what an editor sees: YAML dates are strings
        if isinstance(x, dict):
            return {str(k): plain(w) for k, w in x.items()}
        if isinstance(x, list):
            return [plain(w) for w in x]
        return x.isoformat() if isinstance(x, dt.date) else x

    seeds = sorted((ROOT / "seeds").glob("*/*.yaml"))
    assert seeds
    for seed in seeds:
        errors = list(v.iter_errors(plain(yaml.safe_load(seed.read_text(encoding="utf-8")))))
        assert not errors, (seed, [e.message for e in errors])
    bad = plain(yaml.safe_load(SEED.read_text(encoding="utf-8")))
    bad["sectoins"] = bad.pop("sections")
    assert any("sectoins" in e.message for e in v.iter_errors(bad))
    # Chinese descriptions for editors' hover text.
    assert schema["properties"]["period"]["description"].startswith("本期")
    assert "柱状" in schema["$defs"]["ChartCfg"]["properties"]["type"]["description"]


def test_schema_out_writes_utf8_file(tmp_path):
    out = tmp_path / "s" / "briefgen.schema.json"
    r = CliRunner().invoke(main, ["schema", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text(encoding="utf-8"))["title"] == "briefgen 简报配置"
    assert not list(out.parent.glob("*.part"))


def test_yaml_syntax_errors_in_chinese(tmp_path):
    from briefgen.errors import BriefgenError
    from briefgen.files import load_yaml

    cases = {
        "a: [1, 2\nb: 3\n": ("2:2", "方括号列表"),
        "a:\n\tb: 1\n": ("2:1", "Tab"),
        "a: b: c\n": ("1:5", "加引号"),
        "a: 'x\n": ("2:1", "没有闭合"),
        "a:\n  b: 1\n c: 2\n": ("3:2", "缩进不一致"),
    }
    for text, (pos, msg) in cases.items():
        p = tmp_path / "y.yaml"
        p.write_text(text, encoding="utf-8")
        with pytest.raises(BriefgenError) as e:
            load_yaml(p)
        assert e.value.where.endswith(pos) and msg in e.value.message, (text, e.value.render())
