"""Hostile input and faults (issue #13): no file read or written outside the project, no
silent wrong figure, no hang, no `内部错误`.

One test per case named in the issue, in the style of test_bad_input.py: the real
command line (or the library call a command makes), one clear Chinese sentence
naming the file and the cause, exit status 1, nothing half-written.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import Workbook

from briefgen.cli import main
from briefgen.errors import BriefgenError
from support import MINI_CSV, ROOT

CSV = MINI_CSV
LETTERHEAD = ROOT / "templates" / "bangongshi" / "letterhead.docx"


def base_cfg(**extra) -> dict:
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021,
           "meta": {"title": "测试简报", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": "全市高企{{ hte }}。"}]}
    cfg.update(extra)
    return cfg


def write(folder: Path, cfg: dict | str | None = None, csv: str | None = CSV, **files: str | bytes) -> Path:
    """b.yaml (a dict is dumped), d.csv and any other files in `folder`; returns the config path."""
    folder.mkdir(parents=True, exist_ok=True)
    if csv is not None:
        files.setdefault("d.csv", csv)
    for name, content in files.items():
        p = folder / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    cfg = base_cfg() if cfg is None else cfg
    text = yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False) if isinstance(cfg, dict) else cfg
    path = folder / "b.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def build(*argv: str, fmt: str = "docx") -> tuple[int, str]:
    r = CliRunner().invoke(main, ["build", *argv, "--format", fmt])
    return r.exit_code, r.output


def assert_one_clear_error(code: int, output: str, *expect: str) -> None:
    assert code == 1, output
    assert output.startswith("错误："), output
    assert "内部错误" not in output and "Traceback" not in output, output
    for s in expect:
        assert s in output, f"{s!r} not in {output!r}"


def docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    return "\n".join(p.text for p in d.paragraphs)


# --- confinement (security) --------------------------------------------------------------


def test_symlink_in_templates_is_not_followed_out_of_the_project(tmp_path):
    """`templates/sys → /etc` and `{% include "sys/passwd" %}` put /etc/passwd into the DOCX."""
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:SECRET", encoding="utf-8")
    proj = tmp_path / "proj"
    cfg = write(proj, base_cfg(sections=[{"heading": "x", "template": "t.j2"}]),
                **{"t.j2": '{% include "sys/passwd" %}'})
    (proj / "templates").mkdir()
    os.symlink(outside, proj / "templates" / "sys")
    out = proj / "out"
    code, output = build(str(cfg), "--out", str(out))
    assert_one_clear_error(code, output, "t.j2:1", "sys/passwd", str(outside / "passwd"), "位于模板目录之外",
                           "--allow-path")
    assert not out.exists() or not any(out.rglob("*"))
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 1 and "位于模板目录之外" in r.output and "内部错误" not in r.output
    # The operator may allow the folder; then it is read, as before.
    code, output = build(str(cfg), "--out", str(out), "--allow-path", str(outside))
    assert code == 0, output
    assert "SECRET" in docx_text(out / "mini.docx")


def test_reference_docx_outside_the_template_is_refused(tmp_path):
    """`reference_docx: ../../../x.docx` in a department template.yaml copied any DOCX into the output."""
    shutil.copy(LETTERHEAD, tmp_path / "private.docx")
    proj = tmp_path / "a" / "proj"
    cfg = write(proj, base_cfg(template="dept"),
                **{"templates/dept/template.yaml": "name: dept\nreference_docx: ../../../../private.docx\n"})
    code, output = build(str(cfg), "--out", str(proj / "out"))
    assert_one_clear_error(code, output, "templates/dept/template.yaml：reference_docx", "Word 信笺文件",
                           "private.docx", "位于模板目录之外")
    # Inside the template folder it is used; from outside only with --allow-path.
    from briefgen.pipeline import build as lib_build

    result = lib_build(cfg, proj / "out2", ["docx"], allow_paths=[tmp_path])
    assert result.outputs and (proj / "out2" / "mini.docx").is_file()


def test_font_file_outside_the_template_is_refused(tmp_path):
    """Fonts named in a template.yaml are files the template pulls in: same rule."""
    (tmp_path / "x.ttf").write_bytes(b"not really a font")
    proj = tmp_path / "proj"
    cfg = write(proj, base_cfg(template="dept"),
                **{"templates/dept/template.yaml": "name: dept\nfonts:\n  body: ../../../x.ttf\n"})
    code, output = build(str(cfg), "--out", str(proj / "out"))
    assert_one_clear_error(code, output, "template.yaml：fonts.body", "字体文件", "位于模板目录之外")


def _db(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.execute("create table obs(indicator text, period text, value real)")
    con.executemany("insert into obs values (?, ?, ?)", [("高企", "2021", 857), ("高企", "2020", 640)])
    con.commit()
    con.close()
    return path


@pytest.mark.parametrize("sql,made", [
    ("VACUUM INTO '{target}'", "copy.db"),
    ("ATTACH DATABASE '{target}' AS x", "copy.db"),
])
def test_sqlite_source_cannot_write_files(tmp_path, sql, made):
    """Opened read-only, the SQLite source still ran VACUUM INTO / ATTACH, writing files anywhere — even from validate."""
    _db(tmp_path / "s.db")
    target = tmp_path / "elsewhere" / made
    target.parent.mkdir()
    cfg = write(tmp_path, base_cfg(data=[{"sql": sql.format(target=target), "database": "s.db"}]), csv=None)
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 1 and "只允许读取数据的查询" in r.output, r.output
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "s.db", "只允许读取数据的查询")
    assert not target.exists()


def test_sqlite_pragma_write_is_refused(tmp_path):
    db = _db(tmp_path / "s.db")
    cfg = write(tmp_path, base_cfg(data=[{"sql": "PRAGMA user_version = 7", "database": "s.db"}]), csv=None)
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "s.db", "只允许读取数据的查询")
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone() == (0,)


def test_sqlite_recursive_query_stops_at_the_row_limit(tmp_path, monkeypatch):
    """A recursive CTE without end ended in MemoryError."""
    from briefgen import safety

    monkeypatch.setattr(safety, "MAX_SQL_ROWS", 5000)
    _db(tmp_path / "s.db")
    sql = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
           "SELECT '高企' AS indicator, x AS period, 1 AS value FROM c")
    cfg = write(tmp_path, base_cfg(data=[{"sql": sql, "database": "s.db"}]), csv=None)
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "s.db", "返回的行数过多（超过5000行）")


def test_sqlite_query_stops_at_the_time_limit(tmp_path, monkeypatch):
    from briefgen import safety

    monkeypatch.setattr(safety, "MAX_SQL_SECONDS", 0.3)
    _db(tmp_path / "s.db")
    sql = ("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
           "SELECT '高企' AS indicator, '2021' AS period, count(*) AS value FROM c")
    cfg = write(tmp_path, base_cfg(data=[{"sql": sql, "database": "s.db"}]), csv=None)
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "s.db", "运行时间过长")


# --- silently wrong documents ----------------------------------------------------------------


def test_region_no_stays_text(tmp_path):
    """`region: NO` became the boolean false ("False科技简报")."""
    csv = "指标,地区,时期,数值,单位\n高企,NO,2021,857,家\n高企,NO,2020,640,家\n"
    text = yaml.safe_dump(base_cfg(meta={"title": "{{ region }}科技简报", "organ": "某局"}), allow_unicode=True)
    text = text.replace("region: 宜昌市", "region: NO")
    cfg = write(tmp_path, text, csv=csv)
    assert "region: NO\n" in cfg.read_text(encoding="utf-8")
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert code == 0, output
    body = docx_text(tmp_path / "out" / "mini.docx")
    assert "NO科技简报" in body and "False" not in body and "全市高企857家" in body


def test_output_names_alike_in_their_first_200_bytes_stay_apart(tmp_path):
    """Two output names equal in their first 200 bytes overwrote each other."""
    stem = "宜昌市科技创新工作简报" * 8  # 264 UTF-8 bytes
    a, b = stem + "甲", stem + "乙"
    proj = tmp_path / "p"
    for name, title in ((a, "甲的标题"), (b, "乙的标题")):
        cfg = write(proj, base_cfg(name=name, meta={"title": title, "organ": "某局"}))
        code, output = build(str(cfg), "--out", str(tmp_path / "out"))
        assert code == 0, output
    files = sorted((tmp_path / "out").glob("*.docx"))
    assert len(files) == 2
    assert all(len(f.stem.encode("utf-8")) <= 200 for f in files)
    titles = {t for f in files for t in ("甲的标题", "乙的标题") if t in docx_text(f)}
    assert titles == {"甲的标题", "乙的标题"}


# --- data files: no silent wrong figure (phase B) ---------------------------------------------------

YOY_TEXT = "全市高企{{ hte }}，{{ hte | change }}。"


def build_text(cfg: Path, out: Path) -> str:
    """Build `cfg` into `out` (DOCX) and return the document's text; the build must succeed."""
    code, output = build(str(cfg), "--out", str(out))
    assert code == 0, output
    return docx_text(out / "mini.docx")


def test_csv_row_with_more_cells_than_the_header(tmp_path):
    """An unquoted `1,172` dropped the cells past the header and printed "高企1"."""
    csv = "指标,时期,数值\n高企,2021,1,172\n高企,2020,640\n"
    code, output = build(str(write(tmp_path, base_cfg(), csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.csv:第2行第4列", "4个单元格", "比表头（3列）多", "“172”", "千分位")
    assert not (tmp_path / "out" / "mini.docx").exists()


@pytest.mark.parametrize("csv, where", [
    # Never closes: every later line became part of one cell, raw CSV text in the document.
    ('指标,时期,数值,单位\n高企,2021,857,"家\n高企,2020,640,家\n', "d.csv:第2行第4列"),
    # Closes lines later, in the middle of a cell.
    ('指标,时期,数值,单位\n高企,2021,"857,家\n高企,2020,"640",家\n', "d.csv:第2行第3列"),
])
def test_csv_unbalanced_quote_names_the_row_where_it_opens(tmp_path, csv, where):
    """An unterminated quote put raw CSV text ("家\n高企,2020,640,家") into a sentence."""
    code, output = build(str(write(tmp_path, base_cfg(), csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, where, "引号")
    assert "高企,2020" not in output


def test_mixed_percent_notations_in_one_column(tmp_path):
    """A % column mixing "32.8%" and 0.30 printed "增长10833.3%"."""
    csv = "指标,时期,数值,单位\n研发强度,2021,32.8%,%\n研发强度,2020,0.30,%\n"
    cfg = base_cfg(metrics={"rd": "研发强度"}, sections=[{"heading": "x", "text": "研发强度{{ rd.yoy | pct }}。"}])
    code, output = build(str(write(tmp_path, cfg, csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "研发强度", "“32.8%”带百分号（", "d.csv:第2行第3列",
                           "“0.30”不带（", "d.csv:第3行第3列")


def test_xlsx_percent_formatted_cells_are_read_as_shown(tmp_path):
    """0.328 in a cell formatted as 0.0% is 32.8 (it read as 0.328: "增长0.3%")."""
    wb = Workbook()
    ws = wb.active
    ws.append(["指标", "时期", "数值", "同比", "单位"])
    ws.append(["高企", 2021, 857, 0.328, "家"])
    ws.append(["高企", 2020, 700, None, "家"])
    ws["D2"].number_format = "0.0%"
    wb.save(tmp_path / "d.xlsx")
    cfg = base_cfg(data=[{"file": "d.xlsx"}], sections=[{"heading": "x", "text": YOY_TEXT}])
    assert "全市高企857家，比上年增长32.8%。" in build_text(write(tmp_path, cfg, csv=None), tmp_path / "out")


def test_conflicting_published_figures_name_both_places(tmp_path):
    """Two rows giving different published 同比 for one observation resolved silently to the last."""
    csv = "指标,时期,数值,同比,单位\n高企,2021,857,33.9,家\n高企,2020,640,,家\n高企,2021,857,12.0,家\n"
    cfg = base_cfg(sections=[{"heading": "x", "text": YOY_TEXT}])
    code, output = build(str(write(tmp_path, cfg, csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "同比增速有两个不同的公布值", "33.9（", "d.csv:第2行第4列",
                           "12（", "d.csv:第4行第4列")


def test_the_same_published_figure_twice_is_fine(tmp_path):
    """A repeated row (same value, same 同比) is no conflict."""
    csv = "指标,时期,数值,同比,单位\n高企,2021,857,33.9,家\n高企,2020,640,,家\n高企,2021,857,33.90,家\n"
    cfg = base_cfg(sections=[{"heading": "x", "text": YOY_TEXT}])
    assert "全市高企857家，比上年增长33.9%。" in build_text(write(tmp_path, cfg, csv=csv), tmp_path / "out")


@pytest.mark.parametrize("csv, where, source", [
    ("指标,时期,数值,单位\n高企,2021,857,家\n高企,2O21,900,家\n高企,2020,640,家\n", "d.csv:第3行第2列", {}),
    # A header: with the source's period given, "2O21" was an indicator of its own.
    ("指标,单位,2020,2O21\n高企,家,640,857\n", "d.csv:第1行第4列", {"period": 2021}),
])
def test_period_typo_is_an_error_naming_the_cell(tmp_path, csv, where, source):
    """A period typo "2O21" was dropped silently when a good row existed."""
    cfg = base_cfg(data=[{"file": "d.csv", **source}])
    code, output = build(str(write(tmp_path, cfg, csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, where, "“2O21”", "不是可识别的时期", "是否应为“2021”")


def _workbook(path: Path, sheets: dict[str, list[list]], active: int = 0, hidden: tuple[str, ...] = ()) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
        if name in hidden:
            ws.sheet_state = "hidden"
    wb.active = active
    wb.save(path)
    return path


XL_HEAD = ["指标", "时期", "数值", "单位"]


def test_xlsx_reads_the_active_sheet_and_names_hidden_ones(tmp_path):
    """A hidden, stale first sheet was read instead of the active one."""
    _workbook(tmp_path / "d.xlsx", {"旧表": [XL_HEAD, ["高企", 2021, 1, "家"]],
                                    "本期": [XL_HEAD, ["高企", 2021, 857, "家"], ["高企", 2020, 640, "家"]]},
              active=1, hidden=("旧表",))
    cfg = write(tmp_path, base_cfg(data=[{"file": "d.xlsx"}]), csv=None)
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert code == 0, output
    assert "全市高企857家" in docx_text(tmp_path / "out" / "mini.docx")
    assert "警告：" in output and "隐藏的工作表“旧表”" in output and "“本期”" in output
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 0 and "隐藏的工作表“旧表”" in r.output, r.output
    r = CliRunner().invoke(main, ["inspect", str(tmp_path / "d.xlsx")])
    assert r.exit_code == 0 and "【工作表“旧表”】（隐藏）" in r.output and "【工作表“本期”】\n" in r.output, r.output


def _set_part(path: Path, member: str, edit) -> None:
    """Rewrite one part of a workbook (zip) through `edit(bytes) -> bytes`."""
    with zipfile.ZipFile(path) as z:
        parts = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info, edit(data) if info.filename == member else data)


def test_xlsx_formula_without_a_saved_result_is_refused(tmp_path):
    """Formula cells of a workbook written by a program (no cached values) became "—" with no warning."""
    _workbook(tmp_path / "d.xlsx", {"表": [XL_HEAD, ["高企", 2021, "=C3+217", "家"], ["高企", 2020, 640, "家"]]})
    code, output = build(str(write(tmp_path, base_cfg(data=[{"file": "d.xlsx"}]), csv=None)),
                         "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.xlsx：工作表“表”：C2", "公式", "没有保存计算结果", "Excel 或 WPS", "保存")


def test_xlsx_formula_with_a_saved_result_is_read(tmp_path):
    """The same workbook once saved by a spreadsheet program (its result stored) is read as usual."""
    path = _workbook(tmp_path / "d.xlsx", {"表": [XL_HEAD, ["高企", 2021, "=C3+217", "家"], ["高企", 2020, 640, "家"]]})
    _set_part(path, "xl/worksheets/sheet1.xml", lambda b: re.sub(rb"<v\s*/>|<v></v>", b"<v>857</v>", b, count=1))
    cfg = write(tmp_path, base_cfg(data=[{"file": "d.xlsx"}]), csv=None)
    assert "全市高企857家" in build_text(cfg, tmp_path / "out")


def _declare_unpacked_size(path: Path, member: str, size: int) -> None:
    """Set the unpacked size the zip's central directory gives for `member` (what a zip bomb declares)."""
    data = bytearray(path.read_bytes())
    i = 0
    while (i := data.find(b"PK\x01\x02", i)) >= 0:
        n = int.from_bytes(data[i + 28:i + 30], "little")
        if data[i + 46:i + 46 + n] == member.encode():
            data[i + 24:i + 28] = size.to_bytes(4, "little")
        i += 4
    path.write_bytes(bytes(data))


def test_xlsx_zip_bomb_is_refused_before_unpacking(tmp_path, monkeypatch):
    """A 2 MB XLSX zip bomb took 2.1 GB: the unpacked sizes are checked before anything is parsed."""
    import openpyxl

    path = _workbook(tmp_path / "d.xlsx", {"表": [XL_HEAD, ["高企", 2021, 857, "家"]]})
    _declare_unpacked_size(path, "xl/worksheets/sheet1.xml", 2_100_000_000)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed before the size check"))
    code, output = build(str(write(tmp_path, base_cfg(data=[{"file": "d.xlsx"}]), csv=None)),
                         "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.xlsx", "解压后过大（2003 MB，最多 500 MB）")


def test_xlsx_cell_count_is_checked_before_parsing(tmp_path, monkeypatch):
    """A sheet with more cells than the limit (and no <dimension> to say so) is refused from its
    XML as it streams by, before openpyxl builds any cell."""
    import openpyxl

    from briefgen import data

    path = _workbook(tmp_path / "d.xlsx", {"说明": [["见下表"]],
                                           "表": [XL_HEAD] + [["高企", 2000 + i, i, "家"] for i in range(600)]})
    _set_part(path, "xl/worksheets/sheet2.xml", lambda b: re.sub(rb"<dimension[^>]*/>", b"", b))
    monkeypatch.setattr(data, "MAX_XLSX_CELLS", 2000)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: pytest.fail("parsed before the cell count"))
    cfg = base_cfg(data=[{"file": "d.xlsx", "sheet": "表"}])
    code, output = build(str(write(tmp_path, cfg, csv=None)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.xlsx：工作表“表”", "单元格过多（超过2000个）")


@pytest.mark.parametrize("csv, expect", [
    ("指标,时期,数值\n高企,2021,1,172\n高企,2020,640\n", "d.csv:第2行第4列：这一行有4个单元格"),
    ('指标,时期,数值,单位\n高企,2021,857,"家\n高企,2020,640,家\n', "d.csv:第2行第4列：引号没有成对"),
    ("指标,时期,数值,同比,单位\n高企,2021,857,32.8%,家\n高企,2020,640,0.30,家\n", "d.csv:第3行第4列：指标“高企”的同比增速写法不一致"),
    ("指标,时期,数值,同比,单位\n高企,2021,857,33.9,家\n高企,2021,857,12.0,家\n高企,2020,640,,家\n",
     "d.csv:第3行第4列：“高企”宜昌市2021年的同比增速有两个不同的公布值"),
    ("指标,时期,数值,单位\n高企,2021,857,家\n高企,2O21,900,家\n高企,2020,640,家\n", "是否应为“2021”"),
], ids=["wide-row", "quote", "percent", "published", "period"])
def test_validate_reports_the_data_errors_too(tmp_path, csv, expect):
    """`validate` reads data through the same readers: it fails with the same message."""
    cfg = write(tmp_path, base_cfg(), csv=csv)
    r = CliRunner().invoke(main, ["validate", str(cfg)])
    assert r.exit_code == 1, r.output
    assert "错误：" in r.output and expect in r.output and "Traceback" not in r.output, r.output


# --- resource exhaustion and hangs -------------------------------------------------------------


def _run_cli(args: list[str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_huge_integer_power_is_refused_before_computing(tmp_path):
    """`{{ ((9 ** 4000) ** 4000) ** 4000 }}` ran past any time limit."""
    cfg = write(tmp_path, base_cfg(sections=[{"heading": "x", "text": "{{ ((9 ** 4000) ** 4000) ** 4000 }}"}]))
    r = _run_cli(["build", str(cfg), "--out", str(tmp_path / "out"), "--format", "docx"])
    assert r.returncode == 1, r.stderr
    assert "sections[0].text:1" in r.stderr and "乘方过大" in r.stderr


def test_join_blow_up_is_caught_before_it_is_built():
    """`range(10000)|join('x' * 200000)` reached 2.9 GB before the length check fired."""
    import tracemalloc

    from briefgen.narrative import make_env, render

    tracemalloc.start()
    try:
        with pytest.raises(BriefgenError, match="过长"):
            render(make_env([]), source="{{ range(10000)|join('x' * 200000) }}", context={}, where="t")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20, f"{peak / 2**20:.0f} MB allocated"


def test_yaml_alias_bomb_in_config_is_refused(tmp_path):
    """A 1 KB alias bomb in a config took 253 s."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    cfg = write(tmp_path, "\n".join(lines) + "\nname: x\n")
    assert cfg.stat().st_size < 1024
    t0 = time.perf_counter()
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "b.yaml", "别名")
    assert time.perf_counter() - t0 < 30


def test_yaml_alias_bomb_in_data_file_is_refused(tmp_path):
    """A 483-byte alias bomb in a data file exhausted memory."""
    lines = ["a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    lines += [f"{c}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]" for p, c in zip("abcdefgh", "bcdefghi")]
    code, output = build(str(write(tmp_path, base_cfg(data=[{"file": "d.yaml"}]), **{"d.yaml": "\n".join(lines)})),
                         "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.yaml", "别名")


@pytest.mark.parametrize("where", ["title", "heading"])
def test_title_or_heading_over_a_sane_length_is_refused(tmp_path, where):
    """A 300k-character title took 55 s to lay out."""
    long = "很长的标题" * 60_000
    cfg = base_cfg(meta={"title": long, "organ": "某局"}) if where == "title" else \
        base_cfg(sections=[{"heading": long, "text": "x"}])
    code, output = build(str(write(tmp_path, cfg)), "--out", str(tmp_path / "out"), fmt="docx,pdf")
    assert_one_clear_error(code, output, "b.yaml", "过长（300000字，最多300字）")


def test_magnitude_warnings_grow_as_n_log_n():
    """`checks.magnitude_warnings` re-sorted all other regions for every value: quadratic.

    Counted in executed lines of checks.py, not in seconds: four times the regions
    may cost at most a little over four times the work."""
    from briefgen import checks
    from briefgen.data import Dataset, Obs

    def lines(n: int) -> int:
        ds = Dataset()
        for r in range(n):
            ds.add("高企", f"县{r}", "2021", Obs(float(100 + r % 17)), unit="家")
            ds.add("高企", f"县{r}", "2020", Obs(float(90 + r % 13)), unit="家")
        count = 0

        def tracer(frame, event, arg):
            nonlocal count
            if frame.f_code.co_filename == checks.__file__:
                if event == "line":
                    count += 1
                return tracer
            return None

        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            checks.magnitude_warnings(ds)
        finally:
            sys.settrace(old)
        return count

    small, big = lines(500), lines(2000)
    assert big / small < 5, (small, big)


def test_csv_field_over_the_csv_modules_limit(tmp_path):
    """A CSV field over 131,072 characters ended in `内部错误：Error: field larger than field limit`."""
    csv = CSV + '高企,2019,"' + "1" * 140_000 + '",家\n'
    code, output = build(str(write(tmp_path, csv=csv)), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.csv", "第4行", "超过131072个字符", "引号")


@pytest.mark.parametrize("what", ["json-data", "yaml-config"])
def test_deep_nesting_gets_a_chinese_message(tmp_path, what):
    """Input nested deeper than Python's recursion limit ended in `内部错误：RecursionError`."""
    if what == "json-data":
        cfg = write(tmp_path, base_cfg(data=[{"file": "d.json"}]), **{"d.json": "[" * 100_000 + "]" * 100_000})
        expect = ["d.json", "JSON 嵌套层数过多"]
    else:
        text = yaml.safe_dump(base_cfg(), allow_unicode=True) + "variables: {a: " + "[" * 5000 + "]" * 5000 + "}\n"
        cfg = write(tmp_path, text)
        expect = ["b.yaml", "YAML 嵌套层数过多"]
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, *expect)


# --- batch: time limits and dying parents ---------------------------------------------------------

SLOW = ("{% if region == '乙' %}{% set a = ['x' * 1000] * 190 %}{% for i in range(10000) %}"
        "{% for j in range(10000) %}{% set s = a|join %}{% endfor %}{% endfor %}{% endif %}{{ region }}高企{{ hte }}。")


def _batch_project(tmp_path: Path, regions: list[str], **top) -> Path:
    csv = "指标,地区,时期,数值,单位\n" + "".join(f"高企,{r},{y},{v},家\n" for r in regions for y, v in
                                                ((2020, 10), (2021, 12)))
    write(tmp_path, base_cfg(name="b", region=regions[0], sections=[{"heading": "总体", "text": SLOW}]), csv=csv)
    jobs = {"output": "out", "pattern": "{region}/{name}", "formats": ["docx"],
            "matrix": [{"template": "b.yaml", "region": regions}], **top}
    p = tmp_path / "jobs.yaml"
    p.write_text(yaml.safe_dump(jobs, allow_unicode=True), encoding="utf-8")
    return p


def test_batch_job_over_its_time_limit_is_reported_failed(tmp_path):
    """A batch had no per-job timeout: one hanging job kept it, and every later run, from ending."""
    jobs = _batch_project(tmp_path, ["甲", "乙", "丙"], timeout=1)
    t0 = time.perf_counter()
    r = CliRunner().invoke(main, ["batch", str(jobs), "-j", "1", "-q"])
    assert time.perf_counter() - t0 < 15
    assert r.exit_code == 1, r.output
    assert "乙/b" in r.output and "运行超过时限（1秒）" in r.output and "内部错误" not in r.output
    assert (tmp_path / "out" / "甲" / "b.docx").is_file() and (tmp_path / "out" / "丙" / "b.docx").is_file()
    man = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert [f["output"] for f in man["last_run"]["failures"]] == ["乙/b"]
    # The command line overrides the jobs file.
    r = CliRunner().invoke(main, ["batch", str(jobs), "-j", "1", "-q", "--timeout", "2", "--only", "乙/*"])
    assert "运行超过时限（2秒）" in r.output


def test_batch_kills_a_worker_whose_job_does_not_stop(tmp_path, monkeypatch):
    """A job stuck where no signal reaches it: the batch kills its worker and goes on."""
    from briefgen.batch import load_plan, run_batch, runner

    # Kill before the worker's own alarm would fire: the parent's kill is what is tested here.
    monkeypatch.setattr(runner, "KILL_GRACE", -1.5)
    plan = load_plan(_batch_project(tmp_path, ["甲", "乙", "丙", "丁"], timeout=2))
    report = run_batch(plan, workers=2)
    assert sorted(b["output"] for b in report.built) == ["丁/b", "丙/b", "甲/b"]
    assert [(f["output"], "运行超过时限" in f["reason"]) for f in report.failed] == [("乙/b", True)]


def _descendants(pid: int) -> list[int]:
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(Path(f"/proc/{d}/stat").read_bytes().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_batch_workers_end_when_the_batch_is_killed(tmp_path):
    """Killing the batch's parent alone left its workers running forever (~290 MB)."""
    jobs = _batch_project(tmp_path, ["乙", "甲", "丙"], timeout=100)
    p = subprocess.Popen([sys.executable, "-m", "briefgen", "batch", str(jobs), "-j", "2", "-q"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        procs: list[int] = []
        while time.monotonic() < deadline and len(procs) < 3:  # fork server and two workers (and more)
            time.sleep(0.2)
            procs = _descendants(p.pid)
        assert len(procs) >= 3, procs
        time.sleep(1.0)  # the slow job is running
    finally:
        os.kill(p.pid, signal.SIGKILL)
        p.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(x) for x in procs):
        time.sleep(0.2)
    left = [x for x in procs if _alive(x)]
    for x in left:
        os.kill(x, signal.SIGKILL)
    assert not left, f"still running after the batch was killed: {left}"


# --- faults: read-only, full disk, permissions, corrupt caches ---------------------------------


def _raise_on_temp(monkeypatch, err: int, text: str) -> None:
    import briefgen.files as files

    real = files.tempfile.mkstemp

    def mkstemp(*a, **kw):
        if str(kw.get("dir", "")).endswith("out"):
            raise OSError(err, text, str(kw["dir"]))
        return real(*a, **kw)

    monkeypatch.setattr(files.tempfile, "mkstemp", mkstemp)


def test_read_only_output_folder(tmp_path, monkeypatch):
    """A read-only output folder ended in `内部错误：OSError: [Errno 30]`."""
    cfg = write(tmp_path)
    (tmp_path / "out").mkdir()
    _raise_on_temp(monkeypatch, errno.EROFS, "Read-only file system")
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, str(tmp_path / "out" / "mini.docx"), "写入输出文件失败", "只读")


def test_permission_denied_on_the_output_folder(tmp_path, monkeypatch):
    cfg = write(tmp_path)
    (tmp_path / "out").mkdir()
    _raise_on_temp(monkeypatch, errno.EACCES, "Permission denied")
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "mini.docx", "写入输出文件失败：没有权限")


def test_permission_denied_on_a_data_file(tmp_path, monkeypatch):
    cfg = write(tmp_path)
    real_bytes, real_open = Path.read_bytes, Path.open

    def read_bytes(self):
        if self.name == "d.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_bytes(self)

    def open_(self, *args, **kwargs):  # the CSV reader streams the file
        if self.name == "d.csv":
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "open", open_)
    code, output = build(str(cfg), "--out", str(tmp_path / "out"))
    assert_one_clear_error(code, output, "d.csv", "读取数据文件失败：没有权限")


def test_full_disk_while_writing(tmp_path, monkeypatch):
    """A full disk ended in `内部错误` and a traceback; the earlier output stays intact."""
    from briefgen.writers.docx import writer as docx_writer

    cfg = write(tmp_path)
    out = tmp_path / "out"
    assert build(str(cfg), "--out", str(out))[0] == 0
    before = (out / "mini.docx").read_bytes()

    def full(self, d, path):
        Path(path).write_bytes(b"PK half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(docx_writer.DocxWriter, "write", full)
    code, output = build(str(cfg), "--out", str(out))
    assert_one_clear_error(code, output, str(out / "mini.docx"), "磁盘空间已满")
    assert (out / "mini.docx").read_bytes() == before
    assert not list(out.glob(".*part"))


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True).returncode == 0


def test_full_disk_on_a_real_tiny_file_system(tmp_path):
    """The same on a real 16 KB tmpfs, in a real process: one sentence, no "Exception ignored" traceback."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "16k"):
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        cfg = write(tmp_path)
        r = _run_cli(["build", str(cfg), "--out", str(disk), "--format", "docx,pdf"])
        assert r.returncode == 1, r.stderr
        assert "磁盘空间已满" in r.stderr and str(disk) in r.stderr
        assert "Traceback" not in r.stderr and "Exception ignored" not in r.stderr, r.stderr
        assert not list(disk.iterdir())
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


def test_batch_on_a_full_disk_reports_every_job_it_did_not_run(tmp_path, monkeypatch):
    """A batch on a full disk stopped with no manifest and without reporting the jobs it did not run."""
    from briefgen.batch import load_plan, run_batch
    from briefgen.writers.docx import writer as docx_writer

    jobs = _batch_project(tmp_path, ["甲", "丙", "丁", "戊"])
    real = docx_writer.DocxWriter.write
    calls = []

    def fills_up(self, d, path):
        calls.append(path)
        if len(calls) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, d, path)

    monkeypatch.setattr(docx_writer.DocxWriter, "write", fills_up)
    report = run_batch(load_plan(jobs), workers=1)
    assert [b["output"] for b in report.built] == ["甲/b"]
    reasons = {f["output"]: f["reason"] for f in report.failed}
    assert set(reasons) == {"丙/b", "丁/b", "戊/b"}
    assert "磁盘空间已满" in reasons["丙/b"]
    assert report.not_run == ["丁/b", "戊/b"] and all(reasons[o].startswith("未运行") for o in report.not_run)
    assert len(calls) == 2  # nothing more was tried on the full disk
    man = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert man["last_run"]["not_run"] == ["丁/b", "戊/b"] and "甲/b" in man["outputs"]


def test_batch_that_cannot_write_its_manifest_says_so(tmp_path, monkeypatch):
    from briefgen.batch import incremental, load_plan, run_batch

    def no_space(path, data, **kw):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(incremental, "atomic_write", no_space)
    report = run_batch(load_plan(_batch_project(tmp_path, ["甲", "丙"])), workers=1)
    assert len(report.built) == 2 and not report.failed
    assert "manifest.json" in report.manifest_error and "磁盘空间已满" in report.manifest_error
    assert report.exit_code == 1


def test_batch_into_a_read_only_folder(tmp_path, monkeypatch):
    import briefgen.batch.lock as lock

    jobs = _batch_project(tmp_path, ["甲", "丙"])

    def refuse(*a, **kw):
        raise OSError(errno.EROFS, "Read-only file system", a[0])

    monkeypatch.setattr(lock.os, "open", refuse)
    r = CliRunner().invoke(main, ["batch", str(jobs), "-q"])
    assert_one_clear_error(r.exit_code, r.output, "out", "只读", "全部2个任务均未运行")


def test_corrupt_chart_cache_entry_is_rebuilt(tmp_path, monkeypatch):
    """A truncated file in the chart cache broke every later build until the cache was deleted by hand."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cfg = write(tmp_path, base_cfg(sections=[{"heading": "x", "text": "{{ hte }}", "charts": [
        {"type": "bar", "caption": "高企", "series": [{"metric": "hte"}]}]}]))
    assert build(str(cfg), "--out", str(tmp_path / "o1"), fmt="docx,pdf")[0] == 0
    (png,) = (tmp_path / "cache" / "briefgen" / "charts").glob("*.png")
    good = png.read_bytes()
    png.write_bytes(good[:500])  # a copy cut short
    code, output = build(str(cfg), "--out", str(tmp_path / "o2"), fmt="docx,pdf")
    assert code == 0, output
    assert png.read_bytes() == good  # drawn again and stored whole
    # The DOCX's picture of the chart (the fallback beside the native chart) is the whole PNG.
    with zipfile.ZipFile(tmp_path / "o2" / "mini.docx") as z:
        media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert good in media


# --- cron, dates, logs --------------------------------------------------------------------------


def _schedule(tmp_path: Path, runs: list[dict], **top) -> Path:
    jobs = _batch_project(tmp_path, ["甲"])
    for r in runs:
        r.setdefault("jobs", jobs.name)
    p = tmp_path / "schedule.yaml"
    p.write_text(yaml.safe_dump({**top, "runs": runs}, allow_unicode=True), encoding="utf-8")
    return p


def test_cron_that_never_fires_is_refused(tmp_path):
    """`0 6 31 2 *` ended in `内部错误：CroniterBadDateError`."""
    s = _schedule(tmp_path, [{"cron": "0 6 31 2 *"}])
    r = CliRunner().invoke(main, ["schedule", str(s), "--list", "3"])
    assert_one_clear_error(r.exit_code, r.output, "runs[0].cron", "永远不会运行", "2月没有31日")


def test_six_field_cron_is_refused(tmp_path):
    """A 6-field cron was accepted and fired every second."""
    s = _schedule(tmp_path, [{"cron": "* * * * * *"}])
    r = CliRunner().invoke(main, ["schedule", str(s), "--list", "3"])
    assert_one_clear_error(r.exit_code, r.output, "runs[0].cron", "应有5段，实际有6段", "秒")


def test_each_slot_runs_once_across_a_dst_change(tmp_path, monkeypatch):
    """When clocks go back, 02:30 happens twice; the job ran twice."""
    import briefgen.batch.schedule as sched

    s = sched.load_schedule(_schedule(tmp_path, [{"cron": "30 2 * * *", "name": "daily"},
                                                 {"cron": "0 * * * *", "name": "hourly"}], timezone="Europe/Berlin"))
    runs: list[tuple[str, str]] = []

    def fake_entry(entry, when, runner=None, allow_paths=()):
        runs.append((entry.name, when.isoformat()))
        return 0

    monkeypatch.setattr(sched, "run_entry", fake_entry)
    sched.run_schedule(s, sched.FakeClock(dt.datetime(2024, 10, 27, 1, 30), s.tz), max_runs=6)
    assert runs == [("hourly", "2024-10-27T02:00:00+02:00"), ("daily", "2024-10-27T02:30:00+02:00"),
                    ("hourly", "2024-10-27T03:00:00+01:00"), ("hourly", "2024-10-27T04:00:00+01:00"),
                    ("hourly", "2024-10-27T05:00:00+01:00"), ("hourly", "2024-10-27T06:00:00+01:00")]

    # The real clock waits for the instant: 02:30 CET (the second 02:30) is 50 minutes after 02:40 CEST,
    # so it sleeps (a minute at a time) instead of running at once.
    class Frozen(sched.Clock):
        def now(self):
            return dt.datetime(2024, 10, 27, 2, 40, tzinfo=s.tz)

    slept: list[float] = []

    def sleep(x: float) -> None:
        slept.append(x)
        raise StopIteration

    monkeypatch.setattr(sched.time, "sleep", sleep)
    with pytest.raises(StopIteration):
        Frozen(s.tz).sleep_until(dt.datetime(2024, 10, 27, 2, 30, tzinfo=s.tz, fold=1))
    assert slept == [60.0]


@pytest.mark.parametrize("where,text,expect", [
    ("jobs", "output: out\nmatrix:\n  - template: b.yaml\n    period: [2024-02-30]\n", ["jobs.yaml:4", "“2024-02-30”不存在"]),
    ("jobs-quoted", "output: out\njobs:\n  - config: b.yaml\n    period: last-month\n", None),
    ("schedule", "runs:\n  - cron: '0 6 * * *'\n    jobs: jobs.yaml\n    holidays: [2024-02-30]\n",
     ["schedule.yaml:4", "“2024-02-30”不存在"]),
    ("schedule-as-of", "runs:\n  - cron: '0 6 * * *'\n    jobs: jobs.yaml\n    as_of: '2024-02-30'\n",
     ["runs[0].as_of", "2024-02-30", "无效"]),
])
def test_impossible_dates_in_jobs_and_schedule_files(tmp_path, where, text, expect):
    """Dates like 2024-02-30 in jobs or schedule files ended in `内部错误`."""
    write(tmp_path)
    (tmp_path / "jobs.yaml").write_text(text if where.startswith("jobs") else
                                        "output: out\njobs: [b.yaml]\n", encoding="utf-8")
    if where.startswith("schedule"):
        (tmp_path / "schedule.yaml").write_text(text, encoding="utf-8")
        r = CliRunner().invoke(main, ["schedule", str(tmp_path / "schedule.yaml"), "--list", "1"])
    elif expect is None:  # a relative period from an impossible --as-of
        r = CliRunner().invoke(main, ["batch", str(tmp_path / "jobs.yaml"), "--dry-run", "--as-of", "2024-02-30"])
        expect = ["--as-of", "2024-02-30", "无效"]
    else:
        r = CliRunner().invoke(main, ["batch", str(tmp_path / "jobs.yaml"), "--dry-run"])
    assert_one_clear_error(r.exit_code, r.output, *expect)


def test_as_of_year_one(tmp_path):
    """`--as-of 0001-01-15` ended in `内部错误：ValueError: year 0 is out of range`."""
    write(tmp_path)
    (tmp_path / "jobs.yaml").write_text("output: out\njobs:\n  - config: b.yaml\n    period: last-month\n",
                                        encoding="utf-8")
    r = CliRunner().invoke(main, ["batch", str(tmp_path / "jobs.yaml"), "--dry-run", "--as-of", "0001-01-15"])
    assert_one_clear_error(r.exit_code, r.output, "--as-of", "0001-01-15", "超出可用范围")
    from briefgen.periods import resolve

    with pytest.raises(BriefgenError, match="无法从基准日期 0001-01-15 推算相对时期"):
        resolve("last-month", dt.date(1, 1, 15), "jobs.yaml：jobs[0].period")


def test_unwritable_schedule_log(tmp_path):
    """An unwritable schedule log ended in `内部错误：FileNotFoundError`."""
    (tmp_path / "blocker").write_text("a file where the log folder should be", encoding="utf-8")
    s = _schedule(tmp_path, [{"cron": "0 6 * * *"}], log="blocker/schedule.log")
    r = CliRunner().invoke(main, ["schedule", str(s), "--now", "2024-05-01T05:00", "--max-runs", "1"])
    assert_one_clear_error(r.exit_code, r.output, "blocker/schedule.log", "打开日志文件失败")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_schedule_log_that_fails_later_warns_once(capsys):
    """A log that becomes unwritable while running (disk full) warns once; the runs go on."""
    import logging

    from briefgen.cli.schedule import _LogFile

    h = _LogFile("/dev/full", encoding="utf-8")  # every write: ENOSPC
    log = logging.getLogger("briefgen.test-log")
    log.addHandler(h)
    try:
        for i in range(3):
            log.error("第%d行", i)
    finally:
        log.removeHandler(h)
        h.close()
    err = capsys.readouterr().err
    assert err.count("警告：") == 1 and "写入日志文件失败：磁盘空间已满" in err and "Traceback" not in err, err


# --- every YAML file: duplicate keys ------------------------------------------------------------


@pytest.mark.parametrize("which", ["config", "data", "jobs", "schedule"])
def test_duplicate_keys_are_errors_in_every_yaml_file(tmp_path, which):
    write(tmp_path, base_cfg(data=[{"file": "d.yaml"}]) if which == "data" else None,
          **{"d.yaml": "indicators:\n  高企: {unit: 家, values: {2021: 857, 2020: 640}}\n  高企: {values: {2021: 1}}\n"})
    if which == "config":
        (tmp_path / "b.yaml").write_text((tmp_path / "b.yaml").read_text(encoding="utf-8") + "name: again\n",
                                         encoding="utf-8")
    (tmp_path / "jobs.yaml").write_text("output: out\njobs: [b.yaml]\n" + ("output: o2\n" if which == "jobs" else ""),
                                        encoding="utf-8")
    (tmp_path / "s.yaml").write_text("runs: []\nruns:\n  - {cron: '0 6 * * *', jobs: jobs.yaml}\n", encoding="utf-8")
    if which in ("config", "data"):
        r = CliRunner().invoke(main, ["build", str(tmp_path / "b.yaml"), "--out", str(tmp_path / "out")])
        file = "b.yaml" if which == "config" else "d.yaml"
    elif which == "jobs":
        r = CliRunner().invoke(main, ["batch", str(tmp_path / "jobs.yaml"), "--dry-run"])
        file = "jobs.yaml"
    else:
        r = CliRunner().invoke(main, ["schedule", str(tmp_path / "s.yaml"), "--list", "1"])
        file = "s.yaml"
    assert_one_clear_error(r.exit_code, r.output, file, "重复")
