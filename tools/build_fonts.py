#!/usr/bin/env python3
"""Build the open Chinese fonts that ship inside briefgen (src/briefgen/fonts/files/).

Offline and reproducible: same inputs and fontTools version, same bytes (head.modified is
kept from the source).  Run it when a source font changes and commit the result; it takes
about 25 s (most of it converting the two CFF faces to TrueType after subsetting).

Inputs: two Debian bookworm packages, fetched and unpacked without installing them (the
machine keeps having no Chinese system fonts), plus the Zhuque folder from shared/::

    mkdir -p /tmp/fontsrc/debs && cd /tmp/fontsrc/debs
    apt-get download fonts-noto-cjk-extra fonts-lxgw-wenkai
    #   fonts-noto-cjk-extra 1:20220127+repack1-1  (NotoSansCJK-Medium.ttc, NotoSerifCJK-Black.ttc)
    #   fonts-lxgw-wenkai    1.250+repack-1        (LXGWWenKai-Regular.ttf)
    for f in *.deb; do dpkg-deb -x "$f" /tmp/fontsrc/root; done

Run from the repository root (needs only fontTools; built with 4.68)::

    python tools/build_fonts.py --root /tmp/fontsrc/root \\
        --zhuque /work/shared/fonts/zhuque-fangsong \\
        --out src/briefgen/fonts/files

PROVENANCE.md in the output folder is written by hand: update its sha256/sizes after a
rebuild (``sha256sum src/briefgen/fonts/files/*``).

What it writes (see PROVENANCE.md there for versions, sha256 and sizes):

* ZhuqueFangsong-Regular.ttf + ZhuqueFangsong-OFL.txt  (body 仿宋) -- copied byte for byte:
  the font is shipped whole and unmodified, its LICENSE.txt unchanged beside it.
* BriefgenHei-Medium.ttf + BriefgenHei-OFL.txt    (heading-1 黑体) -- from Noto Sans CJK SC Medium.
* BriefgenSong-Black.ttf + BriefgenSong-OFL.txt   (title, in place of 小标宋) -- from Noto Serif CJK SC Black.
* BriefgenKai-Regular.ttf + BriefgenKai-OFL.txt   (heading-2 楷体) -- from LXGW WenKai Regular.

The three derived faces are subset to REPERTOIRE (below), converted to TrueType (glyf)
outlines where the source is CFF (reportlab's TTFont reads only glyf), stripped of
hinting, and renamed (name IDs 1-6, 16, 17; ID 7, the trademark line, dropped; the CFF table, which held the PostScript
name, is gone after conversion): the SIL OFL forbids a Modified Version (and subsetting
is modification) to use a Reserved Font Name ('Source' for Noto CJK; "霞鹜"/"LXGW" for
WenKai per Debian's copyright file), and "Noto"/"Klee" are trademarks.  Only the `vert`
and `vrt2` GSUB features are kept (they cost a few kilobytes); reportlab uses only
cmap/glyf/hmtx.  In the Kai face the curly quotes “ ” ‘ ’, narrow Latin quotes in WenKai,
are set on a full em like the other faces' (outline unchanged, opening quotes moved right).

REPERTOIRE = GB 2312 (every character of rows 1-9 and 16-87, enumerated from Python's
codec) + the 1,468 hanzi of 通用规范汉字表 (2013, all 8,105 hanzi across its three levels)
that are not in GB 2312 (tools/charset/tongyong_guifan_not_in_gb2312.txt) + ASCII,
Latin-1, the full-width forms and the symbol blocks listed in SYMBOL_RANGES.  Characters a
source face lacks are simply absent from the output (the build prints them).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import textwrap
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

HERE = Path(__file__).resolve().parent
CHARSET_DIR = HERE / "charset"

# --------------------------------------------------------------------------- repertoire

SYMBOL_RANGES: list[tuple[int, int, str]] = [
    (0x0020, 0x007E, "ASCII"),
    (0x00A0, 0x00FF, "Latin-1 supplement (° ± × ÷ · ¥ ² ³ § ...)"),
    (0x2010, 0x2027, "dashes, quotes, bullets, ellipsis (‐ – — ― ‘ ’ “ ” … ‧)"),
    (0x2030, 0x203B, "‰ ′ ″ ※ ..."),
    (0x2103, 0x2103, "℃"),
    (0x2109, 0x2109, "℉"),
    (0x2116, 0x2116, "№"),
    (0x2121, 0x2122, "℡ ™"),
    (0x2160, 0x216B, "Ⅰ-Ⅻ"),
    (0x2170, 0x217B, "ⅰ-ⅻ"),
    (0x2460, 0x249B, "①-⑳, ⑴-⒇, ⒈-⒛"),
    (0x22EF, 0x22EF, "⋯"),
    (0x3000, 0x303F, "CJK symbols and punctuation (full-width space 、。〇〈〉《》「」『』【】〔〕〖〗 ...)"),
    (0x3220, 0x3229, "㈠-㈩"),
    (0x3280, 0x3289, "㊀-㊉"),
    (0x338E, 0x338F, "㎎ ㎏"),
    (0x339C, 0x339E, "㎜ ㎝ ㎞"),
    (0x33A1, 0x33A1, "㎡"),
    (0x33A5, 0x33A5, "㎥"),
    (0x33C4, 0x33C4, "㏄"),
    (0x33CE, 0x33CE, "㏎"),
    (0x33D1, 0x33D2, "㏑ ㏒"),
    (0x33D5, 0x33D5, "㏕"),
    (0xFE30, 0xFE4F, "CJK compatibility forms (vertical punctuation)"),
    (0xFF01, 0xFF60, "full-width ASCII forms (！ ％ ＋ － ／ ０-９ Ａ-Ｚ ～ ...)"),
    (0xFFE0, 0xFFE6, "full-width ￠ ￡ ￢ ￣ ￤ ￥ ￦"),
]

# Characters briefings use, listed once more so the build can report which a face lacks.
BRIEFING_SYMBOLS = ("，。、；：？！“”‘’（）《》〈〉【】〔〕—…·％＋－＝／～℃￥‰°×÷±≤≥"
                    "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
                    "⒈⒉⒊⒋⒌⒍⒎⒏⒐⒑⒒⒓⒔⒕⒖⒗⒘⒙⒚⒛〇\u3000")
# 鍾 (U+937E) is GB 2312's own character at 0xD6D3; Python's codec returns 锺 (U+953A) there.
EXTRA_CHARS = "鍾"


def gb2312_chars() -> set[str]:
    """Every character of GB 2312 (7,445: 682 symbols + 6,763 hanzi), via Python's codec."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def tongyong_extra() -> set[str]:
    chars = set()
    for line in (CHARSET_DIR / "tongyong_guifan_not_in_gb2312.txt").read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        code, ch = line.split("\t")
        assert ord(ch) == int(code[2:], 16), line
        chars.add(ch)
    assert len(chars) == 1468, len(chars)
    return chars


def repertoire() -> set[int]:
    gb = gb2312_chars()
    assert len(gb) == 7445, len(gb)
    chars = gb | tongyong_extra() | set(EXTRA_CHARS) | set(BRIEFING_SYMBOLS)
    cps = {ord(c) for c in chars}
    for lo, hi, _ in SYMBOL_RANGES:
        cps.update(range(lo, hi + 1))
    return cps


# --------------------------------------------------------------------------- faces

OFL_NOTE = ("Modified by the briefgen project from {orig}: subset to GB 2312 + Tongyong Guifan "
            "Hanzi Biao (2013) + briefing symbols{conv}, hinting removed, renamed. Licensed under the "
            "SIL Open Font License 1.1.")

FACES = [
    dict(
        out="BriefgenHei-Medium.ttf",
        licence="BriefgenHei-OFL.txt",
        src="usr/share/fonts/opentype/noto/NotoSansCJK-Medium.ttc",
        psname="NotoSansCJKsc-Medium",
        family="Briefgen Hei",
        style="Medium",
        orig="Noto Sans CJK SC Medium",
        copyright_lines=[
            "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.",
        ],
        licence_note="Noto is a trademark of Google Inc. This file is a Modified Version named "
                     "\"Briefgen Hei\" and uses neither the Reserved Font Name nor the trademark.",
    ),
    dict(
        out="BriefgenSong-Black.ttf",
        licence="BriefgenSong-OFL.txt",
        src="usr/share/fonts/opentype/noto/NotoSerifCJK-Black.ttc",
        psname="NotoSerifCJKsc-Black",
        family="Briefgen Song",
        style="Black",
        orig="Noto Serif CJK SC Black",
        copyright_lines=[
            "Copyright 2017-2022 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'.",
        ],
        licence_note="Noto is a trademark of Google Inc. This file is a Modified Version named "
                     "\"Briefgen Song\" and uses neither the Reserved Font Name nor the trademark.",
    ),
    dict(
        out="BriefgenKai-Regular.ttf",
        licence="BriefgenKai-OFL.txt",
        src="usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
        psname="LXGWWenKai-Regular",
        family="Briefgen Kai",
        style="Regular",
        orig="LXGW WenKai Regular",
        copyright_lines=[
            "Copyright 2021-2023 LXGW (https://github.com/lxgw/LxgwWenKai)",
            "Copyright 2020 The Klee Project Authors (https://github.com/fontworks-fonts/Klee)",
        ],
        # WenKai draws “ ” ‘ ’ as narrow Latin quotes (advance 350); GB practice, and the other
        # three faces, set them full-width: see fullwidth_quotes().
        fullwidth_quotes=True,
        licence_note="Debian's copyright file for fonts-lxgw-wenkai records the Reserved Font Names "
                     "\"霞鹜\" and \"LXGW\"; Klee is a trademark of Fontworks Inc. This file is a "
                     "Modified Version named \"Briefgen Kai\" and uses none of these names.",
    ),
]

WEIGHTS = {"Regular": 400, "Medium": 500, "Bold": 700, "Black": 900}


def open_face(path: Path, psname: str) -> TTFont:
    if path.suffix.lower() in (".ttc", ".otc"):
        coll = TTCollection(str(path))
        for font in coll.fonts:
            if font["name"].getDebugName(6) == psname:
                return font
        raise SystemExit(f"{path}: no face named {psname}")
    font = TTFont(str(path))
    if font["name"].getDebugName(6) != psname:
        raise SystemExit(f"{path}: expected {psname}, found {font['name'].getDebugName(6)}")
    return font


def subset_font(font: TTFont, unicodes: set[int]) -> None:
    opts = subset.Options()
    opts.layout_features = ["vert", "vrt2"]
    opts.hinting = False
    opts.desubroutinize = True
    opts.glyph_names = False          # post format 3: glyph names are not needed
    opts.notdef_outline = True
    opts.name_IDs = ["*"]             # rewritten by rename()
    opts.name_languages = ["*"]
    opts.name_legacy = True
    opts.drop_tables += ["VORG", "DSIG", "gasp", "hdmx", "LTSH", "kern", "GPOS", "BASE", "meta"]
    opts.prune_unicode_ranges = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)


def cff_to_glyf(font: TTFont, max_err: float = 1.0) -> None:
    """Replace CFF outlines by quadratic TrueType ones (fontTools cu2qu), in place."""
    order = font.getGlyphOrder()
    gs = font.getGlyphSet()
    glyphs = {}
    for name in order:
        tt_pen = TTGlyphPen(None)
        gs[name].draw(Cu2QuPen(tt_pen, max_err, reverse_direction=True))
        glyphs[name] = tt_pen.glyph()
    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for tag in ("CFF ", "CFF2", "VORG"):
        if tag in font:
            del font[tag]
    # left side bearings = xMin of the new outlines
    hmtx = font["hmtx"]
    for name, g in glyphs.items():
        g.recalcBounds(glyf)
        adv, _ = hmtx[name]
        hmtx[name] = (adv, getattr(g, "xMin", 0) if g.numberOfContours else 0)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions",
                 "maxComponentElements", "maxComponentDepth"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    maxp.numGlyphs = len(order)
    post = font["post"]
    post.formatType = 3.0
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


def fullwidth_quotes(font: TTFont) -> None:
    """Set “ ‘ (opening) and ” ’ (closing) on a full em, as GB fonts (and Noto SC) do.

    The outline is unchanged; an opening quote moves to the right of the em box (it hugs the
    text after it), a closing quote stays at the left; both advance by one em.
    """
    em = font["head"].unitsPerEm
    cmap, glyf, hmtx = font.getBestCmap(), font["glyf"], font["hmtx"]
    targets = {cmap[ord(c)]: c for c in "“‘”’"}
    users = [n for n in glyf.keys() if glyf[n].isComposite()
             and any(comp.glyphName in targets for comp in glyf[n].components)]
    assert not users, f"quote glyphs used as components by {users}"
    assert all(sum(1 for g in cmap.values() if g == name) == 1 for name in targets)
    for name, ch in targets.items():
        g = glyf[name]
        assert not g.isComposite()
        adv, lsb = hmtx[name]
        if adv >= em:
            continue
        dx = em - adv if ch in "“‘" else 0
        if dx:
            coords = g.getCoordinates(glyf)[0]
            coords.translate((dx, 0))
            g.recalcBounds(glyf)
        hmtx[name] = (em, lsb + dx)


def rename(font: TTFont, face: dict, version: str, conv: str) -> None:
    family, style = face["family"], face["style"]
    ps = family.replace(" ", "") + "-" + style
    name = font["name"]
    # drop every name that could carry the original (possibly reserved) name, in all languages
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 7, 16, 17, 18, 21, 22, 25)]
    legacy_family = family if style in ("Regular", "Bold") else f"{family} {style}"
    legacy_style = style if style in ("Regular", "Bold") else "Regular"
    records = {
        1: legacy_family,
        2: legacy_style,
        3: f"{version};briefgen;{ps}",
        4: f"{family} {style}",
        6: ps,
    }
    if legacy_family != family:
        records[16] = family
        records[17] = style
    note = OFL_NOTE.format(orig=f"{face['orig']} {version}", conv=conv)
    records[10] = note
    # version string: keep the upstream number, say it is ours
    records[5] = f"Version {version}; briefgen subset"
    for nid, text in records.items():
        name.removeNames(nameID=nid)
        name.setName(text, nid, 3, 1, 0x409)
    os2 = font["OS/2"]
    os2.usWeightClass = WEIGHTS[style]
    # fsSelection: REGULAR for the single face of each family; BOLD never set
    os2.fsSelection = (os2.fsSelection & ~0b1100001) | 0b1000000
    font["head"].macStyle = 0


def licence_text(face: dict, ofl_body: str) -> str:
    head = "\n".join(face["copyright_lines"])
    note = textwrap.fill(face["licence_note"], 78)
    return (f"{head}\n\n{note}\n\n"
            "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
            "This license is copied below, and is also available with a FAQ at:\n"
            "https://openfontlicense.org\n\n\n" + ofl_body)


def ofl_body_from(zhuque_licence: Path) -> str:
    """The OFL 1.1 text proper (from its dashed title on), as shipped with Zhuque."""
    text = zhuque_licence.read_text("utf-8")
    start = text.index("-----------------------------------------------------------\nSIL OPEN FONT LICENSE")
    return text[start:]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, required=True, help="folder the .deb files were extracted into")
    ap.add_argument("--zhuque", type=Path, required=True, help="folder with ZhuqueFangsong-Regular.ttf + LICENSE.txt")
    ap.add_argument("--out", type=Path, default=HERE.parent / "src/briefgen/fonts/files")
    ap.add_argument("--only", nargs="*", help="build only these output files")
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    # 1. body: Zhuque Fangsong, copied unchanged
    zq_font, zq_lic = args.zhuque / "ZhuqueFangsong-Regular.ttf", args.zhuque / "LICENSE.txt"
    if not args.only or "ZhuqueFangsong-Regular.ttf" in args.only:
        shutil.copyfile(zq_font, args.out / "ZhuqueFangsong-Regular.ttf")
        shutil.copyfile(zq_lic, args.out / "ZhuqueFangsong-OFL.txt")
        assert sha256(zq_font) == sha256(args.out / "ZhuqueFangsong-Regular.ttf")
        print(f"ZhuqueFangsong-Regular.ttf  copied unchanged  sha256 {sha256(zq_font)}")

    ofl_body = ofl_body_from(zq_lic)
    cps = repertoire()
    print(f"repertoire: {len(cps)} code points")
    for face in FACES:
        if args.only and face["out"] not in args.only:
            continue
        t0 = time.time()
        src = args.root / face["src"]
        font = open_face(src, face["psname"])
        # the upstream version as its name table says (WenKai's head.fontRevision reads 1.025)
        version = re.match(r"Version (\d+\.\d+)", font["name"].getDebugName(5)).group(1)
        cmap = font.getBestCmap()
        missing = sorted(cp for cp in cps if cp not in cmap)
        subset_font(font, cps)
        conv = ""
        if "CFF " in font:
            cff_to_glyf(font)
            conv = ", CFF outlines converted to TrueType with fontTools cu2qu (max error 1 unit)"
        if face.get("fullwidth_quotes"):
            fullwidth_quotes(font)
            conv += "; quotes U+2018/2019/201C/201D set on a full em (opening ones moved right)"
        rename(font, face, version, conv)
        dest = args.out / face["out"]
        font.recalcTimestamp = False   # keep the source's head.modified: same inputs, same bytes
        font.save(str(dest))
        (args.out / face["licence"]).write_text(licence_text(face, ofl_body), "utf-8")
        n_glyphs = len(TTFont(str(dest), lazy=True).getGlyphOrder())
        print(f"{face['out']:<26} from {face['orig']} {version}: {n_glyphs} glyphs, "
              f"{dest.stat().st_size/1e6:.2f} MB, {time.time()-t0:.1f} s")
        print(f"    repertoire characters the source lacks ({len(missing)}): "
              + "".join(chr(c) for c in missing if c > 0xFF and not 0xD800 <= c < 0xE000)[:400])
    return 0


if __name__ == "__main__":
    sys.exit(main())
