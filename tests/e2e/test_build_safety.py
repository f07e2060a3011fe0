"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from briefgen.cli import main
from briefgen.errors import BriefgenError
from support import MINI_CSV, mini_config, write_config

CSV = MINI_CSV


def _cfg(tmp: Path, **extra) -> Path:
    return write_config(tmp, mini_config(**extra))


def test_name_with_subfolders_builds_inside_out(tmp_path):
    cfg = _cfg(tmp_path, name="宜昌市/2021/简报:1")
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o"), "--format", "docx"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "o" / "宜昌市" / "2021" / "简报_1.docx").is_file()


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
    # An OS error (disk full) becomes a Chinese message naming the output.
    with pytest.raises(BriefgenError if isinstance(exc, OSError) else type(exc)) as e:
        build(cfg, out)
    if isinstance(exc, OSError):
        assert "磁盘空间已满" in str(e.value) and "mini.pdf" in str(e.value)
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


@pytest.mark.parametrize("over", ["caption", "source", "none"])
def test_figure_caption_and_note_fit_one_page_or_are_refused(tmp_path, over):
    # A figure moves whole with its caption and source note: at the limits it still builds
    # (PDF laid out, no 内部错误); one character more is refused naming the figure.
    caption = "高" * (100 + (over == "caption"))
    source = "数据来源：" + "统" * (195 + (over == "source"))
    cfg = _cfg(tmp_path, sections=[{
        "heading": "总体", "text": "{{ hte }}",
        "charts": [{"type": "bar", "caption": caption, "source": source, "series": [{"metric": "hte"}]}],
    }])
    r = CliRunner().invoke(main, ["build", str(cfg), "--out", str(tmp_path / "o")])
    if over == "none":
        assert r.exit_code == 0, r.output
        assert (tmp_path / "o" / "mini.pdf").is_file()
    else:
        assert r.exit_code == 1 and "内部错误" not in r.output
        assert ("图1的标题过长（101字" if over == "caption" else "数据来源（source）过长（201字") in r.output
        assert not (tmp_path / "o").exists()
