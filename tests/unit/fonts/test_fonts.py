"""Font resolution, fallback, CFF conversion and caching (no system fonts needed)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.boundsPen import BoundsPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

from briefgen import fonts
from briefgen.errors import BriefgenError, BriefgenWarning
from briefgen.fonts import chains, discovery

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


def test_every_role_resolves_to_its_bundled_face_without_system_fonts():
    chains = fonts.resolve_fonts()
    assert set(chains) == set(fonts.ROLES) | set(fonts.ALIASES)
    for role in fonts.ROLES:
        chain = chains[role]
        face = chain.primary
        assert face.path == bundled(role), role
        assert face.index == 0 and not face.is_cff  # TrueType: no conversion on a first build
        assert face.reason.startswith("未找到官方字体，使用随 briefgen 附带的开源字体")
        # The other bundled faces fill in what the role's face lacks, each once.
        assert sorted(f.path.name for f in chain.faces) == sorted(set(BUNDLED.values()))
        assert all("补前面字体缺少的字符" in f.reason for f in chain.faces[1:])
    assert [f.family for f in chains["title"].faces][:1] == ["Briefgen Song"]
    assert chains["heading1"].primary.family == "Briefgen Hei"
    assert chains["heading2"].primary.family == "Briefgen Kai"
    assert chains["body"].primary.family == "Zhuque Fangsong"
    assert chains["kai"] is chains["heading2"] and chains["hei"] is chains["heading1"]


def test_system_argument_overrides_environment(monkeypatch):
    monkeypatch.setenv("BRIEFGEN_NO_SYSTEM_FONTS", "0")
    chains = fonts.resolve_fonts(system=False)
    assert all(len(c.faces) == 4 for c in chains.values())


def test_face_for_covers_rare_chars_and_never_raises():
    chain = fonts.resolve_fonts()["body"]
    face = chain.primary
    assert face.has_char("猇")  # U+7307, outside GB2312
    assert chain.face_for("猇") == face
    # 朱雀仿宋 lacks these; the bundled 楷体 has them all.
    for ch in "℃￥①⑴⒈２＋＝Ⅻ○●★㈠":
        assert not face.has_char(ch), ch
        assert chain.face_for(ch).path == bundled("heading2"), ch
    assert chain.face_for("，") == face and chain.face_for("A") == face
    assert not face.has_char(EMOJI)
    for ch in [EMOJI, "\n", "\x00", "\ud800", "\U0010FFFF", ""]:
        assert chain.face_for(ch) is chain.faces[-1]


def test_split_groups_runs_by_face(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    face = fonts.resolve_fonts({"body": str(otf)})["body"].primary
    default = fonts.resolve_fonts()["body"].primary
    chain = fonts.FontChain("body", [face, default])

    text = "中华 猇猇人民" + EMOJI + "，"
    runs = chain.split(text)
    assert runs == [("中华 ", face), ("猇猇", default), ("人民", face), (EMOJI + "，", default)]
    assert "".join(r for r, _ in runs) == text
    # Zero-width and combining characters never start a run of their own.
    assert chain.split("\u200b中\u0301国") == [("\u200b中\u0301国", face)]
    assert chain.split("") == []
    assert chain.chars_by_face("中猇国") == {face: "中国", default: "猇"}


def test_override_path_wins_with_template_reason(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    chains = fonts.resolve_fonts({"title": str(otf), "kai": "test.otf"}, base_dir=tmp_path)
    for role in ("title", "heading2", "kai"):
        chain = chains[role]
        assert chain.primary.path == otf
        assert chain.primary.reason == "模板指定"
        assert chain.primary.is_cff
        assert chain.primary.family == "Briefgen Test Serif"
        assert chain.faces[1].path == bundled(role)  # the bundled faces still back it up
    assert chains["body"].primary.path == bundled("body")


@pytest.mark.parametrize("value, needle", [
    ("missing/仿宋.ttf", "找不到字体文件"),
    ("fontsdir/", "不是字体文件"),
    ("font.woff2", "不支持的字体格式"),
    ("broken.ttf", "无法读取字体文件"),
    ("test.otf#3", "没有第 3 号字体"),
])
def test_bad_override_path_gives_chinese_error(tmp_path, value, needle):
    (tmp_path / "fontsdir").mkdir()
    (tmp_path / "font.woff2").write_bytes(b"wOF2")
    (tmp_path / "broken.ttf").write_bytes(b"not a font at all" * 10)
    build_cff_font(tmp_path / "test.otf", CHARS)
    with pytest.raises(BriefgenError) as info:
        fonts.resolve_fonts({"body": value}, base_dir=tmp_path, where="模板 部门.yaml")
    err = info.value
    assert needle in err.message
    assert err.where == "模板 部门.yaml：fonts.body"
    assert "fonts.body" in str(err)


def test_unknown_role_is_rejected():
    with pytest.raises(BriefgenError) as info:
        fonts.resolve_fonts({"footer": "SimSun"})
    assert "未知的字体角色" in info.value.message and "title" in info.value.hint


def test_missing_family_override_warns_and_falls_back():
    with pytest.warns(BriefgenWarning, match="仿宋_GB2312"):
        chains = fonts.resolve_fonts({"body": "仿宋_GB2312"})
    assert chains["body"].primary.path == bundled("body")


def test_font_dirs_are_scanned_and_matched(tmp_path, monkeypatch):
    font_dir = tmp_path / "myfonts"
    (font_dir / "sub").mkdir(parents=True)
    build_cff_font(font_dir / "test.otf", CHARS)
    build_cff_font(font_dir / "sub" / "notobold.otf", CHARS, family="Noto Serif CJK SC", weight=700, style="Bold")
    monkeypatch.setenv("BRIEFGEN_FONT_DIRS", os.pathsep.join([str(font_dir), str(tmp_path / "nope")]))
    fonts.clear_caches()

    chains = fonts.resolve_fonts({"body": "Briefgen Test Serif"})
    assert chains["body"].primary.path == font_dir / "test.otf"
    assert chains["body"].primary.reason == "模板指定"
    # An installed open substitute ranks below the bundled face of the role (same design, or
    # nearer the official one, and no CFF conversion) but still fills in characters after them.
    # The bold stand-in satisfies the title (900/700/600) but not body weights (400/500/300).
    title = chains["title"]
    assert title.primary.path == bundled("title")
    noto = [f for f in title.faces if f.path == font_dir / "sub" / "notobold.otf"]
    assert noto and noto[0].reason == "系统已安装的开源替代字体"
    assert title.faces.index(noto[0]) == 4  # after the four bundled faces
    assert not any(f.path.name == "notobold.otf" for f in chains["body"].faces)
    assert chains["song"].primary.path == bundled("song")
    # A bare file name that is not next to the template means the scanned file.
    bare = fonts.resolve_fonts({"song": "test.otf"}, base_dir=tmp_path)["song"].primary
    assert (bare.path, bare.reason) == (font_dir / "test.otf", "模板指定")
    # Second resolution in a new "process" is served from the on-disk scan cache.
    assert (tmp_path / "cache" / "briefgen" / "font-scan-v1.json").is_file()
    fonts.clear_caches()
    assert fonts.resolve_fonts()["title"].faces[4].path == font_dir / "sub" / "notobold.otf"


def test_fontconfig_output_is_parsed(tmp_path, monkeypatch):
    otf = build_cff_font(tmp_path / "fs.otf", CHARS, family="FangSong")
    listing = "\n".join([
        f"{otf}\t0\tFangSong,仿宋\tRegular,常规\t80\tCFF\tFangSong\tFangSong",
        f"{tmp_path / 'vf.ttf'}\t65536\tSome VF\tBold\t200\tTrueType\tSome VF Bold\tSomeVF-Bold",
        f"{tmp_path / 'b.ttc'}\t2\tNoto Sans CJK SC\tBold\t200\tCFF\tNoto Sans CJK SC Bold\tNotoSansCJKsc-Bold",
        "/usr/share/fonts/x.pcf.gz\t0\tFixed\tRegular\t80\tPCF\t\t",
    ]) + "\n"

    def fake_run(cmd, **kwargs):
        assert kwargs.get("timeout")
        return subprocess.CompletedProcess(cmd, 0, listing.encode("utf-8"), b"")

    monkeypatch.setattr(discovery.shutil, "which", lambda exe: "/usr/bin/fc-list")
    monkeypatch.setattr(discovery.subprocess, "run", fake_run)
    recs = discovery._fontconfig_records()
    assert [(Path(r.path).name, r.index, r.weight, r.is_cff) for r in recs] == [
        ("fs.otf", 0, 400, True), ("b.ttc", 2, 700, True)]
    assert "仿宋" in recs[0].names

    chains = fonts.resolve_fonts(system=True)
    assert chains["body"].primary.path == otf
    assert chains["body"].primary.reason == "系统已安装的官方字体（仿宋）"


def test_fontconfig_failure_falls_back_to_walking(monkeypatch):
    def boom(cmd, **kwargs):
        raise subprocess.TimeoutExpired(cmd, kwargs.get("timeout", 0))

    monkeypatch.setattr(discovery.shutil, "which", lambda exe: "/usr/bin/fc-list")
    monkeypatch.setattr(discovery.subprocess, "run", boom)
    assert discovery._fontconfig_records() is None
    monkeypatch.setattr(discovery, "_system_font_dirs", lambda: [])
    chains = fonts.resolve_fonts(system=True)
    assert chains["body"].primary.path == bundled("body")


def test_official_names():
    names = fonts.official_names()
    assert names["title"]["east_asia"] == "方正小标宋简体"
    assert names["body"]["east_asia"] == "仿宋_GB2312"
    assert names["heading1"]["east_asia"] == "黑体"
    assert names["heading2"]["east_asia"] == "楷体_GB2312"
    assert names["song"]["east_asia"] == "宋体"
    assert names["kai"] == names["heading2"] and names["hei"] == names["heading1"]
    assert all(v["ascii"] == "Times New Roman" for v in names.values())
    custom = fonts.official_names({"body": "方正仿宋_GBK", "title": "fonts/x.ttf"})
    assert custom["body"]["east_asia"] == "方正仿宋_GBK"
    assert custom["title"]["east_asia"] == "方正小标宋简体"


def test_describe_lists_roles_and_fallbacks(tmp_path):
    otf = build_cff_font(tmp_path / "test.otf", CHARS)
    rows = fonts.describe(fonts.resolve_fonts({"body": str(otf)}))
    assert [r["role"] for r in rows] == list(fonts.ROLES)
    body = rows[1]
    assert body["reason"] == "模板指定" and body["cff"] is True and body["note"] == ""
    assert body["licence"] == ""
    assert body["fallbacks"] == ["Zhuque Fangsong（ZhuqueFangsong-Regular.ttf）", "Briefgen Kai（BriefgenKai-Regular.ttf）",
                                 "Briefgen Hei Medium（BriefgenHei-Medium.ttf）",
                                 "Briefgen Song Black（BriefgenSong-Black.ttf）"]
    assert body["fallback_faces"][0]["reason"].startswith("未找到官方字体，使用随 briefgen 附带的开源字体：朱雀仿宋")
    assert body["docx_name"] == "仿宋_GB2312"
    title = rows[0]
    assert title["path"].endswith("BriefgenSong-Black.ttf") and "DOCX 仍标注“方正小标宋简体”" in title["note"]
    assert Path(title["licence"]).name == "BriefgenSong-OFL.txt" and Path(title["licence"]).is_file()
    assert "SIL OPEN FONT LICENSE" in Path(title["licence"]).read_text(encoding="utf-8").upper()


def test_system_fonts_smoke():
    """On any machine: a system-enabled resolution still holds every bundled face."""
    chains = fonts.resolve_fonts(system=True)
    for role in fonts.ROLES:
        chain = chains[role]
        assert {f.path.name for f in chain.faces} >= set(BUNDLED.values())
        assert len({(f.path, f.index) for f in chain.faces}) == len(chain.faces)
        assert chain.face_for("中").has_char("中")


def test_punctuation_geometry_of_the_bundled_faces():
    """朱雀仿宋 keeps full-width quotes behind U+FE01; every face's marks have a blank half."""
    from briefgen.fonts import metrics

    zhuque, hei = bundled("body"), bundled("heading1")
    variants = metrics.fullwidth_variants(zhuque)
    assert set(variants) == {0x2018, 0x2019, 0x201C, 0x201D}
    assert all(adv == 1000 for _, adv in variants.values())
    assert metrics.fullwidth_variants(hei) == {}  # its quotes are full width already
    for path in (zhuque, hei, bundled("title"), bundled("heading2")):
        blanks = metrics.blanks(path)
        half = pytest.approx(0.5, abs=0.03)
        assert blanks["，"] == (0.0, half) and blanks["。"] == (0.0, half)
        assert blanks["（"] == (half, 0.0) and blanks["）"] == (0.0, half)
        assert blanks["“"] == (half, 0.0) and blanks["”"] == (0.0, half)  # Zhuque: its full-width forms
        assert all(0 <= left <= 0.5 and 0 <= right <= 0.5 for left, right in blanks.values())
    # 《 in 朱雀仿宋 starts inking at 0.49 em: only what is really blank may be squeezed.
    assert 0.4 < metrics.blanks(zhuque)["《"][0] < 0.5
    # Cached on disk: a new process reads it back without fontTools.
    fonts.clear_caches()
    assert metrics.fullwidth_variants(zhuque) == variants


def test_bundled_fonts_ship_with_their_licences():
    """Every bundled face has its licence beside it, is packaged, listed in the README, and no
    pip font package remains a dependency."""
    import fnmatch
    import json
    import re

    from briefgen.fonts.catalogue import BUNDLED_FILES, BUNDLED_ORDER
    from support import ROOT

    files = chains.bundled_dir()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")  # tomllib needs Python 3.11
    assert "paperang" not in pyproject
    patterns = json.loads(re.search(r'^"briefgen\.fonts" = (\[.*\])$', pyproject, re.M).group(1))
    shipped = sorted(p.name for p in files.iterdir())
    assert all(any(fnmatch.fnmatch(f"files/{name}", pat) for pat in patterns) for name in shipped), shipped
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    total = 0
    for font, (licence, _) in BUNDLED_FILES.items():
        assert (files / font).is_file() and (files / licence).is_file()
        assert "SIL OPEN FONT LICENSE" in (files / licence).read_text(encoding="utf-8").upper()
        assert font in readme and licence in readme
        total += (files / font).stat().st_size
    assert total < 25_000_000  # the wheel compresses them to about 13 MB, well under 40 MB
    assert {name for order in BUNDLED_ORDER.values() for name in order} == set(BUNDLED_FILES)
    assert (files / "PROVENANCE.md").is_file()
    assert "paperang" not in readme
