"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import hashlib

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
    # 200 UTF-8 bytes at most per component; a shortened name keeps a hash of the whole one.
    ("宜" * 200, "宜" * 63 + "~" + hashlib.sha256(("宜" * 200).encode()).hexdigest()[:10]),
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


def test_yaml_12_booleans_keep_county_codes_as_text(tmp_path):
    from briefgen.files import load_yaml

    p = tmp_path / "c.yaml"
    p.write_text("region: NO\nalso: yes\nflag: true\noff_: Off\n", encoding="utf-8")
    assert load_yaml(p) == {"region": "NO", "also": "yes", "flag": True, "off_": "Off"}


def test_yaml_alias_bomb_is_refused_fast(tmp_path):
    from briefgen.errors import BriefgenError
    from briefgen.files import load_yaml

    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}, *a{i-1}]"
              for i in range(1, 10)]
    p = tmp_path / "bomb.yaml"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(BriefgenError, match="展开后过大|别名"):
        load_yaml(p)


def test_yaml_duplicate_keys_are_errors_with_lines(tmp_path):
    from briefgen.errors import BriefgenError
    from briefgen.files import load_yaml

    p = tmp_path / "d.yaml"
    p.write_text("a: 1\nb:\n  c: 1\n  c: 2\n", encoding="utf-8")
    with pytest.raises(BriefgenError) as e:
        load_yaml(p, "数据文件")
    assert "d.yaml:4:3" in str(e.value) and "重复" in str(e.value)


def test_staged_files_appear_together_or_not_at_all(tmp_path):
    from briefgen.files import StagedFiles

    a, b = tmp_path / "a.docx", tmp_path / "b.pdf"
    a.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with StagedFiles() as staged:
            staged.stage(a).write_bytes(b"new")
            raise RuntimeError("the second writer failed")
    assert a.read_bytes() == b"old" and not b.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx"]  # no temporaries left
    with StagedFiles() as staged:
        staged.stage(a).write_bytes(b"new")
        staged.stage(b).write_bytes(b"%PDF")
        assert staged.commit() == [a, b]
    assert a.read_bytes() == b"new" and b.read_bytes() == b"%PDF"


def test_atomic_write_best_effort_on_read_only_folder(tmp_path):
    import os

    from briefgen.files import atomic_write

    ro = tmp_path / "ro"
    ro.mkdir()
    os.chmod(ro, 0o500)
    try:
        if os.access(ro, os.W_OK):
            pytest.skip("running as a user who can write anywhere")
        assert atomic_write(ro / "x", b"1", best_effort=True) is False
        with pytest.raises(OSError):
            atomic_write(ro / "x", b"1")
    finally:
        os.chmod(ro, 0o700)
