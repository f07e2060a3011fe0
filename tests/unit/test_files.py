"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import BriefgenError
from briefgen.files import output_path, safe_component, safe_filename


@pytest.mark.parametrize("name,expect", [
    ("yichang-2021", "yichang-2021"),
    ("宜昌市/2021/简报", "宜昌市/2021/简报"),
    ("a\\b", "a/b"),
    ("./x", "x"),
    ("简报:第1期?", "简报_第1期_"),
    ('a<b>"c"|d*', "a_b__c__d_"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("com1", "_com1"),
    ("LPT9/x", "_LPT9/x"),
    ("trailing. ", "trailing"),
    ("tab\tname", "tab_name"),
    ("宜" * 200, "宜" * 66),  # 200 UTF-8 bytes at most per component
])
def test_safe_filename_sanitises(name, expect):
    assert safe_filename(name) == expect


@pytest.mark.parametrize("name,msg", [
    ("../evil", "不能包含“..”"),
    ("a/../../evil", "不能包含“..”"),
    ("..\\evil", "不能包含“..”"),
    ("/etc/passwd", "绝对路径"),
    ("\\\\server\\share", "绝对路径"),
    ("C:\\Windows\\x", "绝对路径"),
    ("c:x", "绝对路径"),
    ("", "为空"),
    ("   ", "为空"),
    ("///", "绝对路径"),
    ("...", "只含不允许的字符"),
])
def test_safe_filename_refuses(name, msg):
    with pytest.raises(BriefgenError, match=msg) as e:
        safe_filename(name, where="b.yaml：name")
    assert e.value.where == "b.yaml：name"


def test_safe_component_keeps_one_component():
    assert safe_component("宜都市/枝江市") == "宜都市_枝江市"
    with pytest.raises(BriefgenError):
        safe_component("..")


def test_output_path_refuses_symlink_escape(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "link").symlink_to(tmp_path.parent)
    with pytest.raises(BriefgenError, match="输出目录之外"):
        output_path(out, "link/x", "docx")
    assert output_path(out, "sub/x", "docx") == out / "sub" / "x.docx"


def test_yaml_tags_never_build_objects(tmp_path):
    marker = tmp_path / "pwned"
    p = tmp_path / "b.yaml"
    p.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 1 and "不支持的 YAML 标签" in r.output
    assert not marker.exists()
