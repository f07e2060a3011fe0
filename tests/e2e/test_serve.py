"""The warm build server (issue #14): `briefgen build` through `briefgen serve` writes the
same bytes as a build in its own process, never serves a result of files that changed,
keeps confinement and reports errors exactly as in-process, and only its user may connect.

One server (a real `briefgen serve` process on a private socket) serves the whole module;
every build is a real `briefgen build` process, once through the server and once with
BRIEFGEN_SERVER=0, both with SOURCE_DATE_EPOCH so that equal input gives equal bytes.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from support import MINI_CSV, SEED, mini_config, write_config

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="no local sockets: builds run in-process")

BRIEFGEN = [sys.executable, "-m", "briefgen"]
CSV = MINI_CSV


def _env(sock: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BRIEFGEN_SERVER_SOCKET=str(sock), SOURCE_DATE_EPOCH="1700000000", **extra)
    env.pop("BRIEFGEN_SERVER", None)
    return env


def _status(env: dict[str, str]) -> str:
    return subprocess.run([*BRIEFGEN, "serve", "--status"], env=env, capture_output=True, text=True).stdout


def _served(env: dict[str, str]) -> int:
    out = _status(env)
    return int(out.split("已生成 ")[1].split(" 次")[0]) if "已生成" in out else -1


@pytest.fixture(scope="module")
def server():
    folder = Path(tempfile.mkdtemp(prefix="bgs-", dir="/tmp"))  # short: socket paths are limited to ~100 bytes
    sock = folder / "run" / "serve.sock"
    env = _env(sock)
    proc = subprocess.Popen([*BRIEFGEN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while "正在运行" not in _status(env):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError(f"server did not start: {proc.stderr.read().decode() if proc.stderr else ''}")
        time.sleep(0.3)
    yield sock, env
    subprocess.run([*BRIEFGEN, "serve", "--stop"], env=env, capture_output=True)
    try:
        # --stop returns once the server has ended: a new one could start at once
        assert proc.poll() is not None, "serve --stop returned while the server still ran"
        proc.wait(20)
        assert not sock.exists(), "the server left its socket behind"
    finally:
        if proc.poll() is None:
            proc.kill()
        shutil.rmtree(folder, ignore_errors=True)


def _build(env: dict[str, str], *argv: str, cwd: Path | None = None, served: bool = True
           ) -> subprocess.CompletedProcess:
    e = dict(env) if served else {**env, "BRIEFGEN_SERVER": "0"}
    return subprocess.run([*BRIEFGEN, "build", *argv], env=e, capture_output=True, text=True, cwd=cwd)


def _both(env: dict[str, str], cfg: Path, out: Path, *extra: str) -> tuple[subprocess.CompletedProcess,
                                                                               subprocess.CompletedProcess]:
    """(served, in-process) builds of `cfg` into out/served and out/own; asserts the server took it."""
    before = _served(env)
    a = _build(env, str(cfg), "--out", str(out / "served"), *extra)
    assert _served(env) == before + 1, "the build did not go through the server"
    b = _build(env, str(cfg), "--out", str(out / "own"), *extra, served=False)
    return a, b


def _same_files(out: Path) -> list[str]:
    names = sorted(p.name for p in (out / "own").iterdir())
    assert names == sorted(p.name for p in (out / "served").iterdir())
    for n in names:
        assert (out / "own" / n).read_bytes() == (out / "served" / n).read_bytes(), f"{n} differs"
    return names


def test_socket_is_private(server):
    sock, _env_ = server
    assert stat.S_ISSOCK(os.stat(sock).st_mode)
    assert stat.S_IMODE(os.stat(sock).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(sock.parent).st_mode) == 0o700


def test_seed_byte_identical_to_one_shot(server, tmp_path):
    _sock, env = server
    proj = tmp_path / "seed"
    shutil.copytree(SEED.parent, proj)
    a, b = _both(env, proj / "briefing.yaml", tmp_path / "o1")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    assert _same_files(tmp_path / "o1") == ["yichang-2021.docx", "yichang-2021.pdf"]
    # the same messages (the time aside)
    assert a.stderr == b.stderr and "警告：" in a.stderr
    assert a.stdout.splitlines()[:-1] == [s.replace("/own/", "/served/") for s in b.stdout.splitlines()[:-1]]
    # a second build from the warm caches, every chart drawn: still the same bytes
    c = _build({**env, "BRIEFGEN_CHART_CACHE": "0"}, str(proj / "briefing.yaml"), "--out",
               str(tmp_path / "o1" / "again"))
    assert c.returncode == 0, c.stderr
    for n in ("yichang-2021.docx", "yichang-2021.pdf"):
        assert (tmp_path / "o1" / "again" / n).read_bytes() == (tmp_path / "o1" / "own" / n).read_bytes()


def _mini(folder: Path, csv: str = CSV, text: str = "全市高企{{ hte }}，{{ hte | growth }}。", **cfg_extra) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "t.j2").write_text(text, encoding="utf-8")
    cfg = mini_config(sections=[{"heading": "总体情况", "template": "t.j2"}])
    cfg.update(cfg_extra)
    return write_config(folder, cfg, csv, sort_keys=False)


def _docx_text(path: Path) -> str:
    import docx

    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


def test_changed_inputs_are_never_served_stale(server, tmp_path):
    """Data, a narrative template and the config each change between two served builds."""
    _sock, env = server
    cfg = _mini(tmp_path / "p")
    a = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx")
    assert a.returncode == 0, a.stderr
    assert "857家" in _docx_text(tmp_path / "o" / "mini.docx")
    # a fall instead of a rise, same file size (the look may not change in the same tick)
    (tmp_path / "p" / "d.csv").write_text(CSV.replace("857", "557"), encoding="utf-8")
    a = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx")
    text = _docx_text(tmp_path / "o" / "mini.docx")
    assert a.returncode == 0 and "557家" in text and "下降" in text, text
    (tmp_path / "p" / "t.j2").write_text("高企共{{ hte }}。", encoding="utf-8")
    a = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx")
    assert "高企共557家。" in _docx_text(tmp_path / "o" / "mini.docx")
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("测试简报", "改过的标题"), encoding="utf-8")
    a = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx")
    assert "改过的标题" in _docx_text(tmp_path / "o" / "mini.docx")
    # a previous period missing: the comparison goes, as in-process
    (tmp_path / "p" / "t.j2").write_text("全市高企{{ hte }}，{{ hte | growth }}。", encoding="utf-8")
    (tmp_path / "p" / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n", encoding="utf-8")
    a, b = _both(env, cfg, tmp_path / "o2", "--format", "docx")
    assert a.returncode == b.returncode and a.stderr == b.stderr
    if a.returncode == 0:
        _same_files(tmp_path / "o2")


def test_errors_and_confinement_as_in_process(server, tmp_path):
    _sock, env = server
    # a template including a file outside the project: refused through the server too
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET", encoding="utf-8")
    cfg = _mini(tmp_path / "p", text='{% include "sys/secret.txt" %}')
    (tmp_path / "p" / "templates").mkdir()
    os.symlink(outside, tmp_path / "p" / "templates" / "sys")
    a, b = _both(env, cfg, tmp_path / "o", "--format", "docx")
    assert a.returncode == b.returncode == 1
    assert a.stderr == b.stderr and "位于模板目录之外" in a.stderr
    assert not (tmp_path / "o" / "served").exists() or not any((tmp_path / "o" / "served").iterdir())
    # allowed by the operator: read, in both
    a, b = _both(env, cfg, tmp_path / "o", "--format", "docx", "--allow-path", str(outside))
    assert a.returncode == b.returncode == 0, a.stderr
    assert "SECRET" in _docx_text(tmp_path / "o" / "served" / "mini.docx")
    # and without the flag again: refused again (nothing of the allowed build is reused)
    a = _build(env, str(cfg), "--out", str(tmp_path / "o3"), "--format", "docx")
    assert a.returncode == 1 and "位于模板目录之外" in a.stderr
    # a typo in the config: one Chinese message, exit 1, same as in-process
    bad = _mini(tmp_path / "q", titel="x")
    a, b = _both(env, bad, tmp_path / "o4")
    assert a.returncode == b.returncode == 1 and a.stderr == b.stderr and "titel" in a.stderr
    # relative paths are read from the client's folder
    a = _build(env, "b.yaml", "--out", "rel-out", "--format", "docx", cwd=tmp_path / "p", served=True)
    assert a.returncode == 1  # the include is still refused, and said for the relative path
    assert "b.yaml" in a.stderr or "t.j2" in a.stderr


def test_other_environment_builds_in_its_own_process(server, tmp_path):
    _sock, env = server
    cfg = _mini(tmp_path / "p")
    before = _served(env)
    r = _build({**env, "BRIEFGEN_TEMPLATES": str(tmp_path)}, str(cfg), "--out", str(tmp_path / "o"), "--format",
               "docx")
    assert r.returncode == 0 and (tmp_path / "o" / "mini.docx").is_file()
    assert _served(env) == before  # fonts and templates could differ: not served
    r = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx", "--debug")
    assert r.returncode == 0 and _served(env) == before  # --debug needs the traceback here


def test_no_server_no_difference(tmp_path):
    """Without a server (socket absent) `briefgen build` builds in its own process."""
    cfg = _mini(tmp_path / "p")
    env = _env(tmp_path / "none" / "serve.sock")
    r = _build(env, str(cfg), "--out", str(tmp_path / "o"), "--format", "docx")
    assert r.returncode == 0 and (tmp_path / "o" / "mini.docx").is_file()


def test_chart_warnings_in_order_as_in_process(server, tmp_path):
    """Four charts, each missing a character: drawn by the server (by the helper in the one-shot
    build), the warnings come in chart order, as in a build in its own process."""
    _sock, env = server
    folder = tmp_path / "p"
    folder.mkdir()
    (folder / "d.csv").write_text("指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n高企,2019,500,家\n",
                                  encoding="utf-8")
    charts = [{"type": kind, "caption": f"图{i}", "periods": [2019, 2020, 2021], "unit": f"家{ch}",
               "series": [{"metric": "hte"}]} for i, (kind, ch) in enumerate(zip(["bar", "line", "bar", "line"],
                                                                                  "𰻞𰻟𰻠𰻡"))]
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": "高企{{ hte }}。", "charts": charts}]}
    path = folder / "b.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    draw = {**env, "BRIEFGEN_CHART_CACHE": "0"}
    a, b = _both(draw, path, tmp_path / "o")
    assert a.returncode == b.returncode == 0, a.stderr
    # Ours, in order. (matplotlib's own English "Glyph … missing from font(s) A, B" lines name the
    # fonts in an order that differs from process to process, so they are left out of the comparison.)
    ours = [ln for ln in a.stderr.splitlines() if "字体缺少字符" in ln]
    assert ours == [ln for ln in b.stderr.splitlines() if "字体缺少字符" in ln] and len(ours) == 4
    assert [next(i for i, ln in enumerate(ours) if ch in ln) for ch in "𰻞𰻟𰻠𰻡"] == [0, 1, 2, 3]
    _same_files(tmp_path / "o")


def test_audit_through_the_server(server, tmp_path):
    _sock, env = server
    proj = tmp_path / "seed"
    shutil.copytree(SEED.parent, proj)
    a, b = _both(env, proj / "briefing.yaml", tmp_path / "o", "--audit")
    assert a.returncode == b.returncode == 0, a.stderr + b.stderr
    names = sorted(p.name for p in (tmp_path / "o" / "served").iterdir())
    assert names == ["yichang-2021.audit.xlsx", "yichang-2021.docx", "yichang-2021.pdf"]
    for n in ("yichang-2021.docx", "yichang-2021.pdf"):
        assert (tmp_path / "o" / "own" / n).read_bytes() == (tmp_path / "o" / "served" / n).read_bytes(), n
    count = [s for s in a.stdout.splitlines() if s.startswith("数据核对：")]
    assert count and count == [s for s in b.stdout.splitlines() if s.startswith("数据核对：")]


def test_font_replaced_between_served_builds(server, tmp_path):
    """The chart font's file replaced under its name between two served builds: the server
    draws with the new file; a font without Chinese glyphs fails as in a process of its own."""
    import matplotlib

    from briefgen.fonts.chains import bundled_dir

    _sock, env = server
    font = tmp_path / "f.ttf"
    shutil.copyfile(bundled_dir() / "BriefgenHei-Medium.ttf", font)
    charts = [{"type": "bar", "caption": "高企数", "periods": [2020, 2021], "series": [{"metric": "hte"}]}]
    cfg = _mini(tmp_path / "p", fonts={"heading1": str(font)},
                sections=[{"heading": "总体情况", "text": "高企{{ hte }}。", "charts": charts}])
    a = _build(env, str(cfg), "--out", str(tmp_path / "o1"))
    assert a.returncode == 0, a.stderr

    def replace(source: Path) -> None:
        st = font.stat()
        shutil.copyfile(source, tmp_path / "new.ttf")
        os.utime(tmp_path / "new.ttf", ns=(st.st_atime_ns, st.st_mtime_ns))
        os.replace(tmp_path / "new.ttf", font)

    replace(bundled_dir() / "BriefgenKai-Regular.ttf")
    a, b = _both(env, cfg, tmp_path / "o2")
    assert a.returncode == b.returncode == 0, a.stderr
    _same_files(tmp_path / "o2")
    replace(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    a, b = _both(env, cfg, tmp_path / "o3")
    assert a.returncode == b.returncode == 1 and a.stderr == b.stderr, a.stderr + b.stderr
    assert "不含中文" in a.stderr


def test_template_folder_created_after_a_served_build(server, tmp_path):
    """The working folder's templates/ (a template root) did not exist at the first served build;
    created with a department template that comes before the built-in one of that name, it is
    used from then on, as by a build in its own process."""
    import zipfile

    from briefgen.templates import builtin_root

    _sock, env = server
    _mini(tmp_path / "p", template="kejiju")
    work = tmp_path / "work"  # cron's folder, not the config's
    work.mkdir()

    def masthead(out: Path) -> bool:
        with zipfile.ZipFile(out / "mini.docx") as z:
            return "本地改过的报头" in z.read("word/document.xml").decode("utf-8")

    a = _build(env, "../p/b.yaml", "--out", str(tmp_path / "o1"), "--format", "docx", cwd=work)
    assert a.returncode == 0, a.stderr
    assert not masthead(tmp_path / "o1")
    root = builtin_root()
    assert root is not None
    shutil.copytree(root / "kejiju", work / "templates" / "kejiju")
    tpl = work / "templates" / "kejiju" / "template.yaml"
    tpl.write_text(tpl.read_text(encoding="utf-8").replace("masthead: 科技工作简报", "masthead: 本地改过的报头"),
                   encoding="utf-8")
    before = _served(env)
    a = _build(env, "../p/b.yaml", "--out", str(tmp_path / "o2"), "--format", "docx", cwd=work)
    assert a.returncode == 0 and _served(env) == before + 1, a.stderr
    b = _build(env, "../p/b.yaml", "--out", str(tmp_path / "o3"), "--format", "docx", cwd=work, served=False)
    assert b.returncode == 0 and masthead(tmp_path / "o3")
    assert masthead(tmp_path / "o2")


def test_ctrl_c_tells_the_truth(server, tmp_path):
    """Ctrl-C at several moments of a served build: "nothing written" only when nothing was
    (and then no output folder either); files written before the interruption reached the
    server are listed with a note that it came too late."""
    import signal

    _sock, env = server
    charts = [{"type": kind, "caption": f"图{i}", "periods": [2020, 2021], "series": [{"metric": "hte"}]}
              for i, kind in enumerate(["bar", "line"] * 3)]
    cfg = _mini(tmp_path / "p", sections=[{"heading": "总体情况", "text": "高企{{ hte }}。", "charts": charts}])
    draw = {**env, "BRIEFGEN_CHART_CACHE": "0"}
    seen = set()
    for i, delay in enumerate([0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.2]):
        out = tmp_path / f"o{i}"
        p = subprocess.Popen([*BRIEFGEN, "build", str(cfg), "--out", str(out)], env=draw, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=60)
        written = sorted(q.name for q in out.iterdir()) if out.exists() else None
        assert "Traceback" not in stderr and "内部错误" not in stderr, stderr
        if "没有写入任何文件" in stderr:
            assert written is None and p.returncode == 130, (written, stderr)
            seen.add("nothing")
        elif written:
            assert written == ["mini.docx", "mini.pdf"] and "已生成" in stdout, stderr
            assert p.returncode == 0 and ("中断得太晚" in stderr or "用时" in stdout)
            seen.add("written")
        else:
            assert "无法确认" in stderr or p.returncode == 130, stderr
    assert seen, "no run reached the server"
