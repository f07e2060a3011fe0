"""The chart helper of one-shot builds (issue #14): charts drawn in a second process give the
same files, warnings and errors as charts drawn in the build process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml

from support import SEED

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")

BRIEFGEN = [sys.executable, "-m", "briefgen"]


def _build(cfg, out, helper: bool, tmp_path) -> subprocess.CompletedProcess:
    # PYTHONHASHSEED: matplotlib names the fonts of a missing glyph in set order.
    env = dict(os.environ, BRIEFGEN_SERVER="0", BRIEFGEN_CHART_CACHE="0", SOURCE_DATE_EPOCH="1700000000", PYTHONHASHSEED="0",
               XDG_CACHE_HOME=str(tmp_path / "cache"), BRIEFGEN_CHART_HELPER="1" if helper else "0")
    return subprocess.run([*BRIEFGEN, "build", str(cfg), "--out", str(out)], env=env, capture_output=True, text=True)


def test_seed_same_bytes_with_and_without_helper(tmp_path):
    a = _build(SEED, tmp_path / "helper", True, tmp_path)
    b = _build(SEED, tmp_path / "here", False, tmp_path)
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert a.stderr == b.stderr
    for name in ("yichang-2021.docx", "yichang-2021.pdf"):
        assert (tmp_path / "helper" / name).read_bytes() == (tmp_path / "here" / name).read_bytes(), name


def _project(folder, series_name="高企", font=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n高企,2019,500,家\n",
                                  encoding="utf-8")
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": {"indicator": "高企", "name": series_name}},
           "sections": [{"heading": "总体情况", "text": "高企{{ hte }}。",
                         "charts": [{"type": "bar", "caption": "高企数", "periods": [2019, 2020, 2021],
                                     "series": [{"metric": "hte"}]},
                                    {"type": "line", "caption": "高企数走势", "periods": [2019, 2020, 2021],
                                     "series": [{"metric": "hte"}]}]}]}
    if font:
        cfg["fonts"] = {"heading1": font}
    path = folder / "b.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_chart_warnings_as_in_process(tmp_path):
    cfg = _project(tmp_path / "p", series_name="高企𰻞数")  # a character no bundled font has
    a = _build(cfg, tmp_path / "a", True, tmp_path)
    b = _build(cfg, tmp_path / "b", False, tmp_path)
    assert a.returncode == b.returncode == 0, a.stderr
    assert "字体缺少字符" in a.stderr and a.stderr == b.stderr
    assert (tmp_path / "a" / "mini.pdf").read_bytes() == (tmp_path / "b" / "mini.pdf").read_bytes()


def test_chart_errors_as_in_process(tmp_path):
    shutil.copy(sys.executable, tmp_path / "notafont.ttf")  # a file that is no font
    cfg = _project(tmp_path / "p", font=str(tmp_path / "notafont.ttf"))
    a = _build(cfg, tmp_path / "a", True, tmp_path)
    b = _build(cfg, tmp_path / "b", False, tmp_path)
    assert a.returncode == b.returncode
    assert a.stderr == b.stderr and "内部错误" not in a.stderr


def test_large_warnings_and_specs_cannot_deadlock_the_pipes(tmp_path):
    """Eight charts whose series is named by 3,000 characters no font has (the legend): requests
    and replies far beyond a pipe's 64 KiB. The helper once blocked writing replies nobody read
    while the build blocked writing requests (the build never ended); now it ends, as in-process."""
    folder = tmp_path / "p"
    folder.mkdir()
    rare = "".join(chr(0x20000 + i) for i in range(3000))
    (folder / "d.csv").write_text(f"指标,时期,数值,单位\n{rare},2021,5,家\n{rare},2020,4,家\n", encoding="utf-8")
    charts = [{"type": "bar", "caption": f"图{i}", "periods": [2020, 2021], "series": [{"metric": "a"}]}
              for i in range(8)]
    cfg = {"name": "p", "region": "宜昌市", "period": 2021, "meta": {"title": "测试", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"a": rare},
           "sections": [{"heading": "总体情况", "text": "甲{{ a }}。", "charts": charts}]}
    path = folder / "p.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = dict(os.environ, BRIEFGEN_SERVER="0", BRIEFGEN_CHART_CACHE="0", PYTHONHASHSEED="0",
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    runs = []
    for helper in ("1", "0"):
        runs.append(subprocess.run([*BRIEFGEN, "build", str(path), "--out", str(tmp_path / helper), "--format",
                                    "docx"], env={**env, "BRIEFGEN_CHART_HELPER": helper}, capture_output=True,
                                   text=True, timeout=60))
    a, b = runs
    assert a.returncode == b.returncode == 0, a.stderr[-500:]
    assert len(a.stderr) > 200_000 and a.stderr.splitlines()[:-1] == b.stderr.splitlines()[:-1]
