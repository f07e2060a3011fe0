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
