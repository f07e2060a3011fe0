"""The shipped facts about the bundled fonts (fonts/files/facts.json) are what the fonts say,
and a first build uses them instead of parsing the font files (issue #14)."""

from __future__ import annotations

import json

from fontTools.ttLib import TTFont

from briefgen.fonts import discovery, metrics


def test_facts_match_the_font_files():
    facts = json.loads(discovery.FACTS_FILE.read_text(encoding="utf-8"))
    fonts = sorted(discovery.FACTS_FILE.parent.glob("*.ttf"))
    assert sorted(facts) == [p.name for p in fonts], "run tools/font_facts.py after changing a bundled font"
    for path in fonts:
        entry = facts[path.name]
        assert entry["size"] == path.stat().st_size, path.name
        with TTFont(str(path), lazy=True) as font:
            assert entry["coverage"] == discovery.code_ranges((font.getBestCmap() or {}).keys()), path.name
        assert entry["punct"] == json.loads(json.dumps(metrics._read(path, 0))), path.name


def test_first_use_reads_no_font_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a machine's first build: no caches
    discovery.clear()
    path = next(discovery.FACTS_FILE.parent.glob("ZhuqueFangsong*.ttf"))
    monkeypatch.setattr(metrics, "_read", lambda *a: (_ for _ in ()).throw(AssertionError("parsed the font")))
    try:
        assert ord("仿") in discovery.coverage(path, 0)
        assert metrics.blanks(path, 0)["。"][1] > 0.3
        assert 0x201C in metrics.fullwidth_variants(path, 0)  # 朱雀仿宋's full-width quotes
        assert not any(tmp_path.rglob("*.json"))  # nothing computed, nothing cached
    finally:
        discovery.clear()
    # a file of another size (a changed font) is not taken for the bundled one
    other = tmp_path / "fonts"
    other.mkdir()
    assert discovery.shipped_fact(other / path.name, 0, "coverage") is None
