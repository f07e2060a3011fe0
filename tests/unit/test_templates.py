"""Department templates: inheritance, overrides that change only what they override, scaffolding."""

from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.config import load_config
from briefgen.errors import BriefgenError
from briefgen.pipeline import build
from briefgen.templates import (
    apply_template,
    deep_merge,
    find_template,
    list_templates,
    merge_sections,
    search_roots,
    section_ids,
)
from support import ROOT

SHIPPED = {"base", "kejiju", "tongjiju", "bangongshi"}
EXAMPLES = {"kejiju": "yichang-2021", "tongjiju": "tongji-2022-06", "bangongshi": "zhengwu-2022-15"}


def test_shipped_templates_listed_and_extend_base():
    found = {t.name: t for t in list_templates(search_roots())}
    assert SHIPPED <= set(found)
    for name in SHIPPED - {"base"}:
        tpl = find_template(name, search_roots())
        assert [t.name for t in tpl.chain()] == [name, "base"]
        assert tpl.description


@pytest.mark.parametrize("tpl,seed", sorted(EXAMPLES.items()))
def test_every_template_example_builds(tpl, seed, tmp_path):
    cfg = load_config(ROOT / "seeds" / seed / "briefing.yaml")
    assert cfg.model.template == tpl
    result = build(ROOT / "seeds" / seed / "briefing.yaml", tmp_path)
    assert sorted(p.suffix for p in result.outputs) == [".docx", ".pdf"]


def _write_dept(tmp_path: Path, overrides: dict, sections=None) -> Path:
    tdir = tmp_path / "templates" / "mydept"
    tdir.mkdir(parents=True)
    (tdir / "template.yaml").write_text(yaml.safe_dump({"extends": "kejiju", **overrides}, allow_unicode=True),
                                        encoding="utf-8")
    (tmp_path / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n", encoding="utf-8")
    cfg = {"name": "x", "template": "mydept", "region": "宜昌市", "period": 2021,
           "meta": {"title": "测试", "organ": "某局"}, "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": sections or [{"heading": "情况", "text": "高企{{ hte }}。"}]}
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def test_override_changes_only_what_it_overrides(tmp_path):
    base_cfg = load_config(_write_dept(tmp_path / "a", {}))
    over_cfg = load_config(_write_dept(tmp_path / "b", {
        "meta": {"masthead": "某局工作动态"},
        "style": {"chart": {"palette": ["#112233", "#445566"]}, "colors": {"red": "#CC0000"}},
    }))
    a, b = base_cfg.model, over_cfg.model
    assert a.meta.masthead == "科技工作简报" and b.meta.masthead == "某局工作动态"
    sa, sb = a.style.model_dump(), b.style.model_dump()
    assert sb["chart"]["palette"] == ["#112233", "#445566"] and sb["colors"]["red"] == "#CC0000"
    # everything else is identical
    diff = {k for k in sa if sa[k] != sb[k]}
    assert diff == {"chart", "colors"}
    assert {k: v for k, v in sa["colors"].items() if k != "red"} == {k: v for k, v in sb["colors"].items() if k != "red"}
    da, db = a.model_dump(), b.model_dump()
    da["meta"].pop("masthead"), db["meta"].pop("masthead")
    da.pop("style"), db.pop("style")
    assert da == db


def test_override_reaches_both_outputs(tmp_path):
    cfg = _write_dept(tmp_path, {"meta": {"masthead": "某局工作动态"}})
    out = tmp_path / "out"
    build(cfg, out)
    d = docx.Document(str(out / "x.docx"))
    assert d.paragraphs[0].text == "某局工作动态"
    import pdfplumber

    with pdfplumber.open(str(out / "x.pdf")) as pdf:
        assert pdf.pages[0].extract_text().startswith("某局工作动态")


def test_sections_by_name(tmp_path):
    base = [{"id": "a", "heading": "甲"}, {"id": "b", "heading": "乙", "text": "x"}]
    assert merge_sections(base, None, "t") == base
    assert merge_sections(base, ["b", "a"], "t") == [base[1], base[0]]
    assert merge_sections(base, [{"id": "b", "heading": "改"}], "t") == [{"id": "b", "heading": "改", "text": "x"}]
    with pytest.raises(BriefgenError, match="没有 id 为“c”"):
        merge_sections(base, ["c"], "t")


def test_template_sections_extend_the_parent_and_every_id_stays_nameable():
    parent = [{"id": "a", "heading": "甲"}, {"id": "b", "heading": "乙", "text": "x"}]
    lib = section_ids(parent)
    # A child template adding a column keeps the parent's first; an override stays in place.
    child = merge_sections(parent, [{"id": "n", "heading": "新"}, {"id": "a", "heading": "改"}], "t", lib, extend=True)
    assert [(s["id"], s["heading"]) for s in child] == [("a", "改"), ("b", "乙"), ("n", "新")]
    # Naming ids gives the whole order; what it leaves out is still in the library for the config.
    lib.update(section_ids(child))
    only = merge_sections(child, ["n", "a"], "t", lib, extend=True)
    assert [s["id"] for s in only] == ["n", "a"]
    lib.update(section_ids(only))
    cfg = merge_sections(only, ["b", {"id": "a", "text": "y"}, "n"], "c", lib)
    assert cfg == [{"id": "b", "heading": "乙", "text": "x"}, {"id": "a", "heading": "改", "text": "y"},
                   {"id": "n", "heading": "新"}]
    with pytest.raises(BriefgenError, match="没有 id 为“c”的章节（模板章节：a、b、n）"):
        merge_sections(only, ["c"], "t", lib)


def test_grandchild_template_names_a_grandparent_section(tmp_path):
    """base → kejiju (overview) → a department template (notice) → a section template naming overview."""
    root = tmp_path / "templates"
    (root / "dept").mkdir(parents=True)
    (root / "dept" / "template.yaml").write_text(
        "extends: kejiju\nsections:\n  - id: notice\n    heading: 下一步工作安排\n    text: 继续努力。\n", encoding="utf-8")
    (root / "unit").mkdir()
    (root / "unit" / "template.yaml").write_text(
        "extends: dept\nsections:\n  - notice\n  - {id: overview, heading: 总体概况}\n", encoding="utf-8")
    cfg = tmp_path / "b.yaml"
    cfg.write_text("name: x\ntemplate: unit\nperiod: 2021\nmeta: {title: t}\n", encoding="utf-8")
    raw = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    applied = apply_template(raw, cfg)
    assert [(s["id"], s["heading"]) for s in applied.raw["sections"]] == [("notice", "下一步工作安排"),
                                                                         ("overview", "总体概况")]


def test_narrative_block_inheritance(tmp_path):
    """kejiju/overview.j2 extends base/overview.j2 and overrides only its blocks; the verdict
    follows the key metrics (none set: a neutral lead, never a fixed 稳中有进)."""
    cfg = _write_dept(tmp_path, {}, sections=["overview"])
    text = build(cfg, tmp_path / "out", ["docx"]).document.text()
    assert "2021年，全市科技系统围绕建设区域科技创新中心扎实推进各项工作，科技创新主要指标运行情况如下。" in text
    assert "稳中有进" not in text
    text = build(cfg, tmp_path / "out", ["docx"], ["variables.key_metrics=[hte]"]).document.text()
    assert "科技创新工作总体平稳、稳中有进。" in text and "高企达到857家，比上年增长33.9%。" in text
    (tmp_path / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,600,家\n高企,2020,640,家\n", encoding="utf-8")
    text = build(cfg, tmp_path / "out", ["docx"], ["variables.key_metrics=[hte]"]).document.text()
    assert "科技创新主要指标有所回落。" in text and "高企为600家，比上年下降6.3%。" in text
    assert "稳中有进" not in text


def test_deep_merge():
    assert deep_merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}) == {"a": {"b": 1, "c": 3}}


def test_unknown_template_suggests(tmp_path):
    p = _write_dept(tmp_path, {})
    raw = yaml.safe_load(p.read_text(encoding="utf-8"))
    raw["template"] = "kejij"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(BriefgenError, match="kejiju"):
        load_config(p)


def test_letterhead_kept_in_docx(tmp_path):
    build(ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml", tmp_path, ["docx"])
    d = docx.Document(str(tmp_path / "zhengwu-2022-15.docx"))
    texts = [p.text for p in d.paragraphs]
    assert texts[0] == "宜昌市人民政府办公室" and texts[1] == "政 务 信 息"  # the letterhead's own 红头
    assert "第15期" in texts
    # Its running footer gives way to GB/T 9704 page numbers (unless style.page.letterhead_footer).
    assert d.sections[0].footer.paragraphs[0].text == "— 1 —"
    headings = [p for p in d.paragraphs if p.text.startswith("市科技局：")]
    assert headings and headings[0].style.name == "一级标题"  # unnumbered short-news titles


def test_init_scaffold_builds(tmp_path):
    r = CliRunner().invoke(main, ["init", str(tmp_path / "dept"), "--template", "tongjiju", "--organ", "某县统计局"])
    assert r.exit_code == 0, r.output
    tpl = yaml.safe_load((tmp_path / "dept" / "templates" / "tongjiju-local" / "template.yaml").read_text("utf-8"))
    assert tpl["extends"] == "tongjiju"
    r = CliRunner().invoke(main, ["build", str(tmp_path / "dept" / "briefing.yaml"), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "dept.pdf").exists()
    r = CliRunner().invoke(main, ["init", str(tmp_path / "dept"), "--template", "tongjiju"])
    assert r.exit_code == 1 and "不会覆盖" in r.output


def _printed(docx_path) -> str:
    d = docx.Document(str(docx_path))
    return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])


def test_init_starter_prints_no_placeholder_or_explanation(tmp_path):
    """A folder named after the unit gives organ and region; the starter's explanations are comments,
    so the built document holds none of them, and `validate` has nothing to say."""
    folder = tmp_path / "远安县科技局"
    r = CliRunner().invoke(main, ["init", str(folder), "--template", "kejiju"])
    assert r.exit_code == 0 and "请先" not in r.output, r.output
    cfg = yaml.safe_load((folder / "briefing.yaml").read_text("utf-8"))
    assert cfg["region"] == "远安县" and cfg["meta"]["organ"] == "远安县科技局" and "distribution" not in cfg["meta"]
    r = CliRunner().invoke(main, ["validate", str(folder / "briefing.yaml")])
    assert r.exit_code == 0 and "警告" not in r.output, r.output
    result = build(folder / "briefing.yaml", tmp_path / "o", ["docx"])
    assert not result.warnings
    text = _printed(result.outputs[0])
    assert "远安县科技局\t2024年2月1日" in text and "2023年工作情况" in text
    for s in ("本地区", "本单位", "措辞词表", "过滤器", "上级机关", "各科室", "请"):
        assert s not in text, s
    # --organ names the region too: 宜昌市西陵区科学技术局 → 宜昌市西陵区.
    r = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--organ", "宜昌市西陵区科学技术局"])
    assert yaml.safe_load((tmp_path / "x" / "briefing.yaml").read_text("utf-8"))["region"] == "宜昌市西陵区"


def test_init_without_a_place_asks_for_it_and_validate_warns_with_lines(tmp_path):
    folder = tmp_path / "dept"
    r = CliRunner().invoke(main, ["init", str(folder), "--template", "kejiju"])
    assert r.exit_code == 0 and "请先在" in r.output and "region、meta.organ" in r.output, r.output
    cfg = folder / "briefing.yaml"
    lines = cfg.read_text("utf-8").splitlines()
    region_line = next(i for i, x in enumerate(lines, 1) if x.startswith("region:"))
    organ_line = next(i for i, x in enumerate(lines, 1) if x.strip().startswith("organ:"))
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 0, r.output
    assert f"{cfg}:{region_line}：region：“本地区”是待填写的占位文字" in r.output
    assert f"{cfg}:{organ_line}：meta.organ：没有填写编发单位" in r.output
    # Placeholders written by hand (or left from an example) are found too, in meta and the 版记.
    text = cfg.read_text("utf-8").replace('  title: "{{ period | period_cn }}工作情况"', "  title: 请填写标题\n"
                                          "  distribution: {报: [某某市科技局]}")
    cfg.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o"), "--format", "docx"])
    assert r.exit_code == 0, r.output
    for s in ("meta.title：“请填写标题”是待填写的占位文字", "meta.distribution.报[0]：“某某市科技局”是待填写的占位文字",
              "region：“本地区”"):
        assert s in r.output, (s, r.output)
    r = CliRunner().invoke(main, ["validate", str(cfg), "--set", "meta.subtitle=请填写副标题"])
    assert "--set meta.subtitle=请填写副标题：meta.subtitle：“请填写副标题”是待填写的占位文字" in r.output, r.output


def test_templates_command():
    r = CliRunner().invoke(main, ["templates"])
    assert r.exit_code == 0
    for name in SHIPPED:
        assert name in r.output


def test_rare_character_outside_gb2312_survives(tmp_path, monkeypatch):
    """猇 (猇亭区) is outside GB2312: it must come out of the PDF, whatever font is chosen."""
    import re

    import pdfplumber

    for system in ("1", "0"):
        monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", system)
        out = tmp_path / system
        build(ROOT / "seeds" / "tongji-2022-06" / "briefing.yaml", out, ["pdf"])
        with pdfplumber.open(str(out / "tongji-2022-06.pdf")) as pdf:
            text = re.sub(r"\s+", "", "".join(p.extract_text() for p in pdf.pages))
        assert "猇亭区" in text
