"""Damaged cache files (issue #13): a truncated or mangled entry in the font caches is
detected, discarded and rebuilt; it never breaks a later build. The chart cache has
its own end-to-end test in tests/e2e/test_hostile.py."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
from pathlib import Path

import pytest

from briefgen import fonts
from briefgen.fonts import chains, discovery
from briefgen.writers.pdf import fonts as pdf_fonts

CHARS = "中华人民共和国国务院办公厅关于印发工作简报的通知"


def _font_helpers():
    """build_cff_font and pdf_text from the PDF font tests (loaded by path: tests are not a package)."""
    path = Path(__file__).parent / "writers" / "pdf" / "test_fonts.py"
    spec = importlib.util.spec_from_file_location("_briefgen_font_test_helpers", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(autouse=True)
def fresh_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    monkeypatch.delenv("BRIEFGEN_FONT_DIRS", raising=False)
    fonts.clear_caches()
    yield
    fonts.clear_caches()


def test_truncated_cff_conversion_is_discarded_and_rebuilt(tmp_path):
    helpers = _font_helpers()
    otf = helpers.build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    pdf_fonts.reportlab_font(face, CHARS[:8])
    (folder,) = (tmp_path / "cache" / "briefgen" / "cff").iterdir()
    (ttf,) = folder.glob("*.ttf")
    ttf.write_bytes(ttf.read_bytes()[:300])  # a copy cut short by a full disk

    fonts.clear_caches()  # as in a new process
    name = pdf_fonts.reportlab_font(face, CHARS[:8])

    def draw(c):
        c.setFont(name, 12)
        c.drawString(40, 700, CHARS[:8])

    assert helpers.pdf_text(draw) == CHARS[:8]
    man = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    (ttf,) = folder.glob("*.ttf")
    assert man["sha256"] == hashlib.sha256(ttf.read_bytes()).hexdigest()


@pytest.mark.parametrize("damage", [b'[0, 1, "a"', b'["a", "b"]', b"[5, 3]", b'{"x": 1}'])
def test_damaged_coverage_cache_is_rescanned(damage, tmp_path):
    bundled = chains.default_font_path()
    assert bundled is not None
    # A copy outside the package: the bundled file itself is covered by fonts/files/facts.json.
    path = tmp_path / bundled.name
    shutil.copy(bundled, path)
    assert ord("中") in discovery.coverage(path, 0)
    (cached,) = (Path(discovery.cache_dir()) / "coverage").glob("*.json")
    cached.write_bytes(damage)
    fonts.clear_caches()
    assert ord("中") in discovery.coverage(path, 0)
    assert discovery._is_ranges(json.loads(cached.read_bytes()))


@pytest.mark.parametrize("entry", [[1, 2, [{"i": 0}]], [1, 2], "x", [0, 0, [{"i": 0, "f": 3}]]])
def test_damaged_font_scan_cache_is_rescanned(entry):
    path = str(chains.default_font_path())
    st = Path(path).stat()
    if isinstance(entry, list) and len(entry) == 3:
        entry = [st.st_mtime_ns, st.st_size, entry[2]]  # up to date, but mangled
    scan_file = Path(discovery.cache_dir()) / "font-scan-v1.json"
    scan_file.parent.mkdir(parents=True, exist_ok=True)
    scan_file.write_text(json.dumps({"files": {path: entry}}), encoding="utf-8")
    fonts.clear_caches()
    faces = discovery.scan_file(path)
    assert faces and all(f.family for f in faces)
    fonts.clear_caches()
    assert discovery.scan_file(path) == faces  # and it was stored whole


def test_truncated_font_scan_cache_is_rescanned():
    path = str(chains.default_font_path())
    faces = discovery.scan_file(path)
    scan_file = Path(discovery.cache_dir()) / "font-scan-v1.json"
    scan_file.write_bytes(scan_file.read_bytes()[:40])
    fonts.clear_caches()
    assert discovery.scan_file(path) == faces
