"""Font resolution, fallback, CFF conversion and caching (no system fonts needed)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTCollection, TTFont

from briefgen import fonts
from briefgen.fonts import chains
from briefgen.writers.pdf import fonts as pdf_fonts

CHARS = "中华人民共和国国务院办公厅关于印发工作简报的通知"  # 20+ distinct characters


EMOJI = "\U0001F600"


@pytest.fixture(autouse=True)
def fresh_machine(tmp_path, monkeypatch):
    """Every test starts like a fresh install: no system fonts, empty caches."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "1")
    monkeypatch.delenv("BRIEFGEN_FONT_DIRS", raising=False)
    fonts.clear_caches()
    yield
    fonts.clear_caches()


BUNDLED = {
    "title": "BriefgenSong-Black.ttf", "body": "ZhuqueFangsong-Regular.ttf",
    "heading1": "BriefgenHei-Medium.ttf", "heading2": "BriefgenKai-Regular.ttf",
    "song": "ZhuqueFangsong-Regular.ttf",
}


def default_path() -> Path:
    """The bundled 黑体 face, the default for charts (and the outlines of the test fonts)."""
    path = chains.default_font_path()
    assert path is not None and path.name == "BriefgenHei-Medium.ttf"
    return path


def bundled(role: str) -> Path:
    """The bundled face that serves `role` when no official font is installed."""
    return chains.bundled_dir() / BUNDLED[fonts.ALIASES.get(role, role)]


def build_cff_font(path: Path, chars: str, *, family: str = "Briefgen Test Serif",
                   weight: int = 400, style: str = "Regular") -> Path:
    """A small CFF-flavoured OpenType font whose outlines are copied from the bundled 黑体."""
    with TTFont(str(default_path()), fontNumber=0, lazy=True) as src:
        cmap, glyph_set, hmtx = src.getBestCmap(), src.getGlyphSet(), src["hmtx"]
        upem = src["head"].unitsPerEm
        mapping = {ord(c): cmap[ord(c)] for c in dict.fromkeys(chars + " ")}
        order = [".notdef"] + sorted(set(mapping.values()))
        charstrings, metrics = {}, {}
        for name in order:
            pen = T2CharStringPen(hmtx[name][0], glyph_set)
            glyph_set[name].draw(pen)
            charstrings[name] = pen.getCharString()
            bounds_pen = BoundsPen(glyph_set)
            glyph_set[name].draw(bounds_pen)
            metrics[name] = (hmtx[name][0], int(bounds_pen.bounds[0]) if bounds_pen.bounds else 0)
    ps = family.replace(" ", "") + "-" + style
    fb = FontBuilder(upem, isTTF=False)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(mapping)
    fb.setupCFF(ps, {"FullName": f"{family} {style}"}, charstrings, {})
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=int(upem * 0.88), descent=-int(upem * 0.12))
    fb.setupNameTable({"familyName": family, "styleName": style, "psName": ps})
    fb.setupOS2(usWeightClass=weight, sTypoAscender=int(upem * 0.88), sTypoDescender=-int(upem * 0.12),
                usWinAscent=int(upem * 0.88), usWinDescent=int(upem * 0.12), fsType=0)
    fb.setupPost()
    fb.save(str(path))
    return path


def pdf_text(draw) -> str:
    """Draw on a one-page reportlab canvas and read the text back with pdfplumber."""
    import pdfplumber
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    draw(c)
    c.save()
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as pdf:
        return pdf.pages[0].extract_text()


def test_reportlab_default_font_text_roundtrip():
    face = fonts.resolve_fonts()["body"].primary
    name = pdf_fonts.reportlab_font(face)
    assert pdf_fonts.reportlab_font(face, "任何字") == name  # registered once
    text = "关于猇亭区2024年工作简报"

    def draw(c):
        c.setFont(name, 14)
        c.drawString(50, 700, text)

    assert pdf_text(draw) == text


def test_cff_font_is_converted_and_text_roundtrips(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    with pytest.raises(Exception, match="postscript outlines"):
        from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

        RLTTFont("plain", str(otf))  # the reason the conversion exists
    text = CHARS[:12] + " 简报"
    name = pdf_fonts.reportlab_font(face, text)

    def draw(c):
        c.setFont(name, 16)
        c.drawString(40, 700, text)

    assert pdf_text(draw) == text
    # The converted font really holds outlines for the text (not .notdef boxes).
    cache = pdf_fonts._CffCache.for_face(face)
    with TTFont(io.BytesIO(cache.data)) as ttf:
        assert "glyf" in ttf and "CFF " not in ttf
        cmap, glyf = ttf.getBestCmap(), ttf["glyf"]
        for ch in set(text) - {" "}:
            assert glyf[cmap[ord(ch)]].numberOfContours > 0, ch


def test_cff_collection_picks_subfont(tmp_path):
    jp = build_cff_font(tmp_path / "jp.otf", CHARS[:10], family="Briefgen Test JP")
    sc = build_cff_font(tmp_path / "sc.otf", CHARS, family="Briefgen Test SC")
    coll = TTCollection()
    coll.fonts = [TTFont(str(jp)), TTFont(str(sc))]
    ttc = tmp_path / "pair.ttc"
    coll.save(str(ttc))

    auto = fonts.resolve_fonts({"body": str(ttc)})["body"].primary
    assert (auto.index, auto.family, auto.is_cff) == (1, "Briefgen Test SC", True)
    first = fonts.resolve_fonts({"body": f"{ttc}#0"})["body"].primary
    assert (first.index, first.family) == (0, "Briefgen Test JP")

    tail = CHARS[10:]
    name = pdf_fonts.reportlab_font(auto, tail)
    assert set(map(ord, tail)) <= pdf_fonts._CffCache.for_face(auto).covered
    pdf_fonts.reportlab_font(first, tail)
    assert set(map(ord, tail)) - set(map(ord, CHARS[:10])) <= pdf_fonts._CffCache.for_face(first).missing

    def draw(c):
        c.setFont(name, 12)
        c.drawString(40, 700, tail)

    assert pdf_text(draw) == tail


def test_cff_conversion_is_cached_per_character(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    stats = pdf_fonts.CFF_STATS

    before = stats.copy()
    name1 = pdf_fonts.reportlab_font(face, CHARS[:8])
    assert stats["builds"] - before["builds"] == 1
    converted = stats["converted_glyphs"] - before["converted_glyphs"]
    assert converted >= 8
    cache_dirs = list((tmp_path / "cache" / "briefgen" / "cff").iterdir())
    assert len(cache_dirs) == 1
    (ttf_file,) = cache_dirs[0].glob("*.ttf")
    mtime = ttf_file.stat().st_mtime_ns

    # Same characters in a "new process": served from disk, nothing converted.
    fonts.clear_caches()
    mid = stats.copy()
    assert pdf_fonts.reportlab_font(face, CHARS[:8]) == name1
    assert pdf_fonts.reportlab_font(face, CHARS[2:6]) == name1  # a subset is covered too
    assert stats["builds"] == mid["builds"]
    assert stats["converted_glyphs"] == mid["converted_glyphs"]
    assert ttf_file.stat().st_mtime_ns == mtime

    # One new character: only its glyph is converted; the subset gets a new name.
    new_char = CHARS[8]
    assert new_char not in CHARS[:8]
    last = stats.copy()
    name2 = pdf_fonts.reportlab_font(face, CHARS[:8] + new_char)
    assert stats["builds"] - last["builds"] == 1
    assert stats["converted_glyphs"] - last["converted_glyphs"] == 1
    assert name2 != name1
    assert [p.name for p in cache_dirs[0].glob("*.ttf")] != [ttf_file.name]

    # Both registrations stay usable in one process (two documents).
    for name, text in ((name1, CHARS[:8]), (name2, CHARS[:9])):
        def draw(c, name=name, text=text):
            c.setFont(name, 12)
            c.drawString(40, 700, text)

        assert pdf_text(draw) == text


def test_cff_unknown_chars_do_not_trigger_rebuilds(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    pdf_fonts.reportlab_font(face, CHARS + "猇" + EMOJI)
    before = pdf_fonts.CFF_STATS.copy()
    pdf_fonts.reportlab_font(face, "猇" + EMOJI + CHARS[:3])
    assert pdf_fonts.CFF_STATS["builds"] == before["builds"]


def test_unwritable_cache_still_converts(tmp_path, monkeypatch):
    blocker = tmp_path / "blocked"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    fonts.clear_caches()
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    name = pdf_fonts.reportlab_font(face, CHARS[:5])

    def draw(c):
        c.setFont(name, 12)
        c.drawString(40, 700, CHARS[:5])

    assert pdf_text(draw) == CHARS[:5]


def test_zhuque_quotes_are_drawn_full_width():
    """“ ” in the body face take a full em and copy back as themselves."""
    import pdfplumber
    from reportlab.pdfgen import canvas

    body = fonts.resolve_fonts()["body"]
    assert body.primary.family == "Zhuque Fangsong"
    pdf_fonts_doc = pdf_fonts.PdfFonts({"body": body})
    spans = pdf_fonts_doc.spans("“科技强省”", "body", 16, "#000000")
    pdf_fonts_doc.register()
    style = spans[0].style
    assert pdf_fonts_doc.measure("“", style) == pytest.approx(16)
    assert pdf_fonts_doc.blanks("“", style) == pytest.approx((8, 0))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(pdf_fonts_doc.name(style), 16)
    c.drawString(50, 700, "“科技强省”")
    c.save()
    with pdfplumber.open(io.BytesIO(buf.getvalue())) as pdf:
        chars = pdf.pages[0].chars
    assert "".join(ch["text"] for ch in chars) == "“科技强省”"
    assert [round(ch["x1"] - ch["x0"], 2) for ch in chars] == [16.0] * 6
