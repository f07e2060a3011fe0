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
