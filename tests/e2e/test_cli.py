"""CLI: clear Chinese errors, non-zero exits, no traceback, nothing half-written."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from briefgen.cli import main
from support import SEED


def _write(tmp_path: Path, cfg: dict) -> Path:
    p = tmp_path / "b.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return p


def _minimal(tmp_path: Path, text: str = "全市高企{{ hte }}。", **extra) -> Path:
    (tmp_path / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n", encoding="utf-8")
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试简报", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": text}]}
    cfg.update(extra)
    return _write(tmp_path, cfg)


def test_build_minimal_both_formats(tmp_path):
    cfg = _minimal(tmp_path)
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out" / "mini.docx").stat().st_size > 0
    assert (tmp_path / "out" / "mini.pdf").stat().st_size > 0
    assert "已生成" in r.output


def test_set_override_changes_value(tmp_path):
    cfg = _minimal(tmp_path)
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o"), "--format", "docx",
                                  "--set", "meta.title=改过的标题"])
    assert r.exit_code == 0, r.output
    import docx

    d = docx.Document(str(tmp_path / "o" / "mini.docx"))
    assert any(p.text == "改过的标题" for p in d.paragraphs)


@pytest.mark.parametrize("args,expect", [
    (["build", "nothere.yaml"], "找不到配置文件"),
    (["build", "SEED", "--format", "odt"], "不支持的输出格式"),
    (["build", "SEED", "--set", "novalue"], "键=值"),
])
def test_cli_errors(args, expect, tmp_path):
    args = [str(SEED) if a == "SEED" else a for a in args]
    r = CliRunner().invoke(main, args + ["--out", str(tmp_path)])
    assert r.exit_code == 1
    assert expect in r.output
    assert "Traceback" not in r.output


def test_undefined_template_name_fails_cleanly_and_keeps_old_output(tmp_path):
    out = tmp_path / "out"
    cfg = _minimal(tmp_path)
    assert CliRunner().invoke(main, ["build", str(cfg), "--out", str(out)]).exit_code == 0
    before = (out / "mini.pdf").read_bytes()
    bad = _minimal(tmp_path, text="全市高企{{ hte_typo }}。")
    r = CliRunner().invoke(main, ["build", str(bad), "--out", str(out)])
    assert r.exit_code == 1
    assert "hte_typo" in r.output and "未定义" in r.output
    assert (out / "mini.pdf").read_bytes() == before  # earlier good output untouched
    assert not list(out.glob("*.part"))


def test_unknown_config_key_is_named(tmp_path):
    cfg = _minimal(tmp_path, sectoins=[])
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1
    assert "sectoins" in r.output and "不认识的键" in r.output


def test_malformed_yaml_names_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text("name: x\nmeta: [unclosed\nperiod: 2021\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 1
    assert "bad.yaml:" in r.output and "YAML" in r.output


def test_debug_shows_traceback(tmp_path):
    r = subprocess.run([sys.executable, "-m", "briefgen", "build", str(tmp_path / "none.yaml"), "--debug"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "Traceback" in r.stderr
    r = subprocess.run([sys.executable, "-m", "briefgen", "build", str(tmp_path / "none.yaml")],
                       capture_output=True, text=True)
    assert r.returncode == 1 and "Traceback" not in r.stderr and "找不到配置文件" in r.stderr


def test_fonts_command_lists_roles(monkeypatch):
    """On a bare machine every role names the bundled file that serves it, why, and the licences."""
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    monkeypatch.setenv("COLUMNS", "250")
    r = CliRunner().invoke(main, ["fonts"])
    assert r.exit_code == 0, r.output
    for role in ("title", "body", "heading1", "heading2"):
        assert role in r.output
    out = r.output.replace("\n", "")
    for name in ("BriefgenSong-Black.ttf", "ZhuqueFangsong-Regular.ttf", "BriefgenHei-Medium.ttf",
                 "BriefgenKai-Regular.ttf", "ZhuqueFangsong-OFL.txt", "BriefgenKai-OFL.txt"):
        assert name in out
    assert "随 briefgen 附带的开源字体" in out and "方正小标宋简体" in out and "缺字时依次改用" in out


def test_fonts_says_why_the_song_role_is_served_by_fangsong(monkeypatch):
    """页码与表格（宋体） on a bare server is set in 朱雀仿宋: the reason says no open 宋体 is bundled."""
    from briefgen import fonts

    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    song = next(r for r in fonts.describe(fonts.resolve_fonts()) if r["role"] == "song")
    assert song["path"].endswith("ZhuqueFangsong-Regular.ttf")
    assert song["reason"].startswith("未找到官方字体，使用随 briefgen 附带的开源字体：朱雀仿宋")
    assert "没有附带常规字重的开源宋体" in song["reason"] and "页码与表格改用仿宋" in song["reason"]
    body = next(r for r in fonts.describe(fonts.resolve_fonts()) if r["role"] == "body")
    assert "宋体" not in body["reason"]  # the body role is 仿宋 itself: nothing to explain
    monkeypatch.setenv("COLUMNS", "300")
    r = CliRunner().invoke(main, ["fonts"])
    assert "页码与表格改用仿宋" in r.output.replace("\n", "").replace("│", "").replace(" ", "")


def test_growth_wording_follows_period_type(tmp_path):
    """Annual briefings say 比上年增长, monthly ones 同比增长 (table header alike)."""
    from briefgen.pipeline import build

    (tmp_path / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n"
                                    "高企,2021-06,800,家\n高企,2020-06,700,家\n", encoding="utf-8")
    for period, word in (("2021", "比上年增长33.9%"), ("2021-06", "同比增长14.3%")):
        cfg = {"name": "g", "region": "宜昌市", "period": period, "meta": {"title": "t", "organ": "某局"},
               "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
               "sections": [{"heading": "甲", "text": "高企{{ hte.yoy | growth }}。",
                             "tables": [{"caption": "表", "rows": ["hte"]}]}]}
        p = tmp_path / "b.yaml"
        p.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
        doc = build(p, tmp_path / "o", ["docx"]).document
        text = doc.text()
        assert word in text
        assert ("比上年增减" if period == "2021" else "同比增减") in text


def test_pp_on_an_amount_is_refused(tmp_path):
    cfg = _minimal(tmp_path, text="高企{{ hte.pp | pp }}")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "不能用“百分点”" in r.output


def test_outputs_readable_by_colleagues(tmp_path):
    import os
    import stat

    cfg = _minimal(tmp_path)
    old = os.umask(0o022)
    try:
        assert CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")]).exit_code == 0
    finally:
        os.umask(old)
    for f in (tmp_path / "o").iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o644, f


def test_impossible_date_named(tmp_path):
    cfg = _minimal(tmp_path)
    cfg.write_text(cfg.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    text = cfg.read_text(encoding="utf-8").replace("meta:", "meta:\n  date: 2022-02-30", 1)
    cfg.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")])
    assert r.exit_code == 1 and "2022-02-30" in r.output and "不存在" in r.output
    r = CliRunner().invoke(main, ["build", str(_minimal(tmp_path)), "--out", str(tmp_path / "o"),
                                  "--set", "meta.date=2022-13-45"])
    assert r.exit_code == 1 and not r.output.startswith("内部错误") and "2022-13-45" in r.output


def test_schema_out_to_a_folder(tmp_path):
    r = CliRunner().invoke(main, ["schema", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "文件夹" in r.output and "Traceback" not in r.output


def test_ctrl_c_in_any_command_says_so_in_chinese(tmp_path, monkeypatch):
    # click would print "Aborted!" and exit 1; a command that does not handle Ctrl-C itself ends with 130.
    def interrupted(*_a, **_k):
        raise KeyboardInterrupt

    monkeypatch.setattr("briefgen.cli.inspect.inspect_file", interrupted)
    f = tmp_path / "d.csv"
    f.write_text("指标,时期,数值\n高企,2021,857\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["inspect", str(f)])
    assert r.exit_code == 130
    assert "已中断" in r.output and "Aborted" not in r.output
