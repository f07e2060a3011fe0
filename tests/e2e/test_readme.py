"""The README's two commands stay true: CI runs exactly the test command it states."""

import re

from support import ROOT


def _commands():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```bash\n(.+?)\n```", text, flags=re.S)


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    m = re.search(r'^TEST_COMMAND="(.+)"$', ci, flags=re.M)
    assert m, ".ci/run must define TEST_COMMAND"
    assert m.group(1) in _commands()


def test_readme_builds_the_seed():
    build = _commands()[0]
    assert "pip install ." in build and "briefgen build seeds/yichang-2021/briefing.yaml" in build
    assert (ROOT / "seeds" / "yichang-2021" / "briefing.yaml").exists()


def test_readme_phrase_tables_are_what_the_code_says():
    """The 措辞词表 in the README is generated (tools/phrase_table.py --write) and must stay true."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("phrase_table", ROOT / "tools" / "phrase_table.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(mod.START, 1)[1].split(mod.END, 1)[0]
    assert block.strip() == mod.tables().strip(), "README 措辞词表已过期：运行 python tools/phrase_table.py --write"
    assert "（报错" not in block


def _custom_template_blocks() -> dict[str, str]:
    """The code blocks of 《为本部门定制模板》, by what they are."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    part = text.split("## 为本部门定制模板", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```(\w+)\n(.+?)```", part, flags=re.S)
    out = {}
    for lang, body in blocks:
        if lang == "bash" and "briefgen init" in body:
            out["init"] = body.strip()
        elif lang == "yaml" and body.startswith("# 某某县科技局/templates/xxkj/template.yaml"):
            out["step2"] = body
        elif lang == "yaml" and "# 配置 briefing.yaml" in body:
            out["step3_template"], out["step3_config"] = re.split(r"^# 配置 briefing\.yaml.*$", body, maxsplit=1, flags=re.M)
        elif lang == "jinja" and "overview.j2" in body:
            out["overview"] = body
    assert set(out) == {"init", "step2", "step3_template", "step3_config", "overview"}, list(out)
    return out


def test_readme_custom_template_steps_work_as_written(tmp_path, monkeypatch):
    """《为本部门定制模板》 step by step, the blocks pasted as the README gives them: the new column
    (the template's `notice`) comes after the parent's `overview`, which the config still names by id,
    and overview.j2's block override changes its wording."""
    import shlex

    import docx
    import yaml
    from click.testing import CliRunner

    from briefgen.cli import main
    from briefgen.pipeline import build

    b = _custom_template_blocks()
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, shlex.split(b["init"])[1:])
    assert r.exit_code == 0, r.output
    folder = tmp_path / "某某县科技局"
    tpl = folder / "templates" / "xxkj"
    (tpl / "template.yaml").write_text(b["step2"] + b["step3_template"], encoding="utf-8")
    (tpl / "overview.j2").write_text(b["overview"], encoding="utf-8")
    cfg = yaml.safe_load((folder / "briefing.yaml").read_text(encoding="utf-8"))
    cfg["sections"] = yaml.safe_load(b["step3_config"])["sections"]
    (folder / "briefing.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")

    r = CliRunner().invoke(main, ["validate", str(folder / "briefing.yaml")])
    assert r.exit_code == 0, r.output
    result = build(folder / "briefing.yaml", tmp_path / "out", ["docx"])
    paras = [p.text for p in docx.Document(str(result.outputs[0])).paragraphs if p.text.strip()]
    assert paras[0] == "某某县科技动态"
    heads = [p for p in paras if p[:2] in ("一、", "二、", "三、", "四、")]
    assert heads == ["一、总体情况", "二、主要指标完成情况", "三、下一步工作安排"], paras
    overview = paras[paras.index("一、总体情况") + 1]
    assert "科技创新工作" in overview and "科技系统" not in overview  # base/overview.j2 with the subject block
    assert paras[paras.index("三、下一步工作安排") + 1] == "下一阶段，某某县科学技术局将继续抓好重点项目建设，确保全年目标任务圆满完成。"

    # Without sections: the template's default order, the parent's overview first.
    del cfg["sections"]
    (folder / "briefing.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    doc = build(folder / "briefing.yaml", tmp_path / "out2", ["docx"]).document
    from briefgen.model import Heading

    assert [h.text for h in doc.blocks if isinstance(h, Heading)] == ["总体情况", "下一步工作安排"]
