"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import BriefgenError
from briefgen.files import output_path, safe_component, safe_filename
from briefgen.safety import clean_text, is_url

CSV = "指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n"


def _cfg(tmp: Path, **extra) -> Path:
    (tmp / "d.csv").write_text(CSV, encoding="utf-8")
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试简报", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": "全市高企{{ hte }}，{{ hte.yoy | growth }}。"}]}
    cfg.update(extra)
    p = tmp / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


# --- output names ------------------------------------------------------------------

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


def test_name_with_subfolders_builds_inside_out(tmp_path):
    cfg = _cfg(tmp_path, name="宜昌市/2021/简报:1")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o"), "--format", "docx"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "宜昌市" / "2021" / "简报_1.docx").is_file()


# --- nothing lost ---------------------------------------------------------------------

def _good_build(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    cfg = _cfg(tmp_path)
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out, {p.name: p.read_bytes() for p in out.iterdir()}


@pytest.mark.parametrize("exc", [BriefgenError("写入失败"), KeyboardInterrupt(), OSError(28, "No space left")])
def test_failed_build_after_docx_keeps_earlier_outputs(tmp_path, monkeypatch, exc):
    """The PDF writer dies after the DOCX was written: earlier outputs byte-identical, no partial files."""
    from briefgen.pipeline import build
    from briefgen.writers import pdf as pdfmod

    out, before = _good_build(tmp_path)
    written = []

    def boom(self, d, path):
        written.append(path)
        Path(path).write_bytes(b"%PDF-1.4 half written")
        raise exc

    monkeypatch.setattr(pdfmod.PdfWriter, "write", boom)
    # A changed config, so the new DOCX would differ from the old one.
    cfg = _cfg(tmp_path, meta={"title": "改过的标题", "organ": "某局"})
    with pytest.raises(type(exc)):
        build(cfg, out)
    assert written and str(written[0]).endswith(".pdf.part")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_interrupted_build_in_a_real_process(tmp_path):
    """Ctrl+C (SIGINT) while the PDF is being written: old outputs stay, no `.part` left."""
    out, before = _good_build(tmp_path)
    cfg = _cfg(tmp_path, meta={"title": "改过的标题", "organ": "某局"})
    code = (
        "import os, signal, sys\n"
        "from briefgen.writers import pdf\n"
        "def w(self, d, path):\n"
        "    open(path, 'wb').write(b'%PDF half')\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "pdf.PdfWriter.write = w\n"
        "from briefgen.cli import main\n"
        f"sys.argv = ['briefgen', 'build', {str(cfg)!r}, '--out', {str(out)!r}]\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode != 0
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


# --- YAML, templates, network --------------------------------------------------------

def test_yaml_tags_never_build_objects(tmp_path):
    marker = tmp_path / "pwned"
    p = tmp_path / "b.yaml"
    p.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 1 and "不支持的 YAML 标签" in r.output
    assert not marker.exists()


@pytest.mark.parametrize("src", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('id') }}",
    "{{ metric.__globals__ }}",
    "{{ self._TemplateReference__context }}",
])
def test_sandbox_refuses_python_internals(src):
    from briefgen.narrative import make_env, render

    with pytest.raises(BriefgenError):
        render(make_env([]), source=src, context={"metric": lambda: 1}, where="t")


@pytest.mark.parametrize("src,msg", [
    ("{% set r = range(3000)|list %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}", "运行时间过长"),
    ("{{ 'x' * 10**9 }}", "过长"),
    ("{{ [0] * 10**9 }}", "过长"),
    ("{{ 7 ** 100000000 }}", "乘方过大"),
    ("{{ 'x'.ljust(10**9) }}", "参数过大"),
    ("{{ 'x'|center(10**9) }}", "参数过大"),
    ("{{ '{:>999999999}'.format(1) }}", "格式宽度过大"),
    ("{{ '%999999999d' % 1 }}", "格式宽度过大"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "递归"),
    ("{% for i in range(10**9) %}{% endfor %}", "过长"),
])
def test_template_limits(src, msg):
    from briefgen.narrative import make_env, render

    with pytest.raises(BriefgenError, match=msg) as e:
        render(make_env([]), source=src, context={}, where="b.yaml：sections[0].text")
    assert e.value.where.startswith("b.yaml：sections[0].text")


def test_ordinary_templates_unaffected_by_limits():
    from briefgen.narrative import make_env, render

    src = "{% for i in range(200) %}{{ '%02d' % i }}{{ 'ab' * 3 }}{{ 2 ** 10 }}{% endfor %}{{ 'x'|center(9) }}"
    assert len(render(make_env([]), source=src, context={}, where="t")) > 2000


def test_step_limit_restores_previous_tracer():
    from briefgen.narrative import make_env, render

    def tracer(frame, event, arg):
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        render(make_env([]), source="{{ 1 }}", context={}, where="t")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(old)


@pytest.mark.parametrize("text,url", [
    ("https://example.com/d.csv", True), ("ftp://x/y", True), ("file:///etc/passwd", True),
    ("\\\\server\\share\\d.csv", True), ("//server/share", True),
    ("data/d.csv", False), ("C:\\data\\d.csv", False), ("d:x.csv", False),
])
def test_is_url(text, url):
    assert is_url(text) is url


def test_full_build_never_touches_the_network(tmp_path, monkeypatch):
    def no_network(*a, **k):
        raise AssertionError("briefgen tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    cfg = _cfg(tmp_path, sections=[{
        "heading": "总体", "text": "{{ hte }}",
        "charts": [{"type": "bar", "caption": "高企", "series": [{"metric": "hte"}]}],
        "tables": [{"caption": "表", "rows": ["hte"]}],
    }])
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 0, r.output


def test_clean_text():
    assert clean_text("a\x00b\x07c\td\ne\rf\x7fg\x9fh\ufffei\uffffj") == "abc\td\ne\rfghij"
    assert clean_text("表情😀") == "表情😀"
    assert clean_text("") == ""


def test_sqlite_path_cannot_add_uri_options(tmp_path):
    import sqlite3

    from briefgen.config import load_config
    from briefgen.data import load_dataset

    db = tmp_path / "s?mode=rwc#x.sqlite"
    con = sqlite3.connect(db)
    con.execute("create table obs(indicator text, period text, value real)")
    con.execute("insert into obs values ('高企', '2021', 857)")
    con.commit()
    con.close()
    cfg = _cfg(tmp_path, data=[{"sql": "select * from obs", "database": db.name}])
    ds = load_dataset(load_config(cfg))
    assert ds.get("高企", "宜昌市", "2021").value == 857
    with pytest.raises(BriefgenError, match="网址"):
        load_dataset(load_config(_cfg(tmp_path, data=[{"sql": "select 1", "database": "http://x/db"}])))
    assert os.listdir(tmp_path)  # the database was only read
