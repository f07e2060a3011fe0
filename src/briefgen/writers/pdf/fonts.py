"""PDF fonts: reportlab registration of the faces a document uses.

TrueType faces are registered as they are (reportlab subsets them when saving).
CFF-flavoured faces (.otf, Noto/Source Han .ttc), which reportlab cannot read,
are converted to TrueType per character set and cached on disk. Text drawn with
any face copies and searches as itself (ToUnicode fixes below).
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import io
import json
import pickle
import re
import struct
from collections import Counter
from typing import Any, Iterable
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from briefgen.errors import BriefgenError
from briefgen.files import atomic_write, cache_dir
from briefgen.fonts import FontFace, discovery, metrics
from briefgen.fonts.chains import is_neutral
from briefgen.fonts.discovery import LOCK, code_ranges, code_set, digest, read_json, stat_key
from briefgen.linebreak import Span
from briefgen.safety import clean_text

# Diagnostic counters for the CFF→TrueType cache (tests read them instead of timing).
CFF_STATS: Counter = Counter()

_RL_TTF: dict[tuple[str, int, tuple | None], str] = {}


def reportlab_font(face: FontFace, chars: str | None = None) -> str:
    """Register ``face`` with reportlab once per process and return its font name.

    TrueType faces are registered as they are (reportlab subsets at save time).  CFF
    faces are converted to TrueType covering ``chars`` (which must include every
    character later drawn with the returned name) and cached on disk; ``chars=None``
    converts ~4,500 frequent characters (GB2312 level 1 + symbols + ASCII).
    """
    if face.is_cff:
        return _CffCache.for_face(face).font_name(chars)
    key = (str(face.path), face.index, stat_key(face.path))
    with LOCK:
        name = _RL_TTF.get(key)
        if name is None:
            stem = re.sub(r"[^0-9A-Za-z]+", "", face.path.stem)[:24] or "font"
            name = f"BG-{stem}-{face.index}-{digest(*key)[:6]}"
            _register_reportlab(name, str(face.path), face)
            _use_fullwidth_quotes(name, face)
            _RL_TTF[key] = name
        return name


def _use_fullwidth_quotes(name: str, face: FontFace) -> None:
    """Draw “ ” ‘ ’ with the face's own full-width glyphs where it keeps them behind a
    variation sequence (朱雀仿宋): reportlab applies no cmap format 14, so the plain code
    points are pointed at those glyphs (ToUnicode still says “ ”)."""
    variants = metrics.fullwidth_variants(face.path, face.index)
    if not variants:
        return
    rl_face = pdfmetrics.getFont(name).face
    for cp, (gid, adv) in variants.items():
        old = rl_face.charToGlyph.get(cp)
        if old is not None and cp in rl_face.glyphToChar.get(old, []):
            rl_face.glyphToChar[old].remove(cp)
        rl_face.charToGlyph[cp] = gid
        rl_face.glyphToChar.setdefault(gid, []).append(cp)
        rl_face.charWidths[cp] = adv


class _RestoredFace(ttfonts.TTFontFace):
    """A TrueType face restored from the parse cache: reportlab's parser state without parsing."""

    def __init__(self, state: dict, data: bytes):
        self.__dict__.update(state)
        self._ttf_data = data
        k = 1000 / self.unitsPerEm
        self._pdfScale = (lambda x: x) if self.unitsPerEm == 1000 else (lambda x: x * k)


class _RestoredFont(TTFont):
    """reportlab's TTFont around a restored face (the same fields TTFont.__init__ sets)."""

    def __init__(self, name: str, face: Any):
        self.fontName = name
        self.face = face
        self.encoding = ttfonts.TTEncoding()
        self.state: Any = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch.fnmatch(name, g) for g in getattr(ttfonts, "unShapedFontGlob", ()))


def _ttf(name: str, path: str, index: int) -> TTFont:
    """reportlab's TTFont of a file, its parse (~30 ms a CJK face, in pure Python) cached on disk
    per file version and reportlab version; parsed as usual whenever the cache cannot serve."""
    stat = stat_key(path)
    entry = cache_dir() / "ttf" / f"{digest(path, index, stat, reportlab.Version, 1)}.pickle" if stat else None
    if entry is not None:
        try:
            with open(entry, "rb") as fh:
                state = pickle.load(fh)
            with open(path, "rb") as fh:
                data = fh.read()
            if isinstance(state, dict) and state.get("_size") == len(data):
                state = {k: v for k, v in state.items() if k != "_size"}
                return _RestoredFont(name, _RestoredFace(state, data))
        except Exception:  # noqa: BLE001 - missing, damaged or from another version: parse
            pass
    font = TTFont(name, path, subfontIndex=index)
    if entry is not None:
        state = {k: v for k, v in vars(font.face).items() if k not in ("_ttf_data", "_pdfScale")}
        state["_size"] = len(font.face._ttf_data)
        try:
            atomic_write(entry, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), best_effort=True)
        except Exception:  # noqa: BLE001 - an unpicklable face only costs the next build its parse
            pass
    return font


def _register_reportlab(name: str, source, face: FontFace) -> None:

    try:
        if isinstance(source, str):
            pdfmetrics.registerFont(_ttf(name, source, face.index))
        else:
            pdfmetrics.registerFont(TTFont(name, source, subfontIndex=0))
    except TTFError as exc:
        if "allow" in str(exc) and "embedding" in str(exc):
            raise BriefgenError(f"字体“{face.family}”的授权不允许嵌入 PDF", where=str(face.path),
                                hint="请在模板中为该角色换用其他字体") from exc
        raise BriefgenError(f"PDF 引擎无法使用字体“{face.family}”：{exc}", where=str(face.path),
                            hint="请在模板中为该角色换用其他字体") from exc


def _gb2312_chars(rows: Iterable[int]) -> str:
    out = []
    for row in rows:
        for col in range(0xA1, 0xFF):
            try:
                out.append(bytes((row + 0xA0, col)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return "".join(out)


_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))
# Converted on every first build: cheap, and nearly every document needs them.
_PREFETCH = _ASCII + "，。、；：？！“”‘’（）《》〈〉【】〔〕—…·％＋－＝／～　"


def _frequent_chars() -> str:
    return _PREFETCH + _gb2312_chars(range(1, 10)) + _gb2312_chars(range(16, 56))


def _glyph_header(data: bytes) -> tuple[int, int, tuple[int, int, int, int] | None]:
    """(points, contours, bbox) read straight from compiled simple-glyph bytes."""
    if len(data) < 10:
        return 0, 0, None
    n, x0, y0, x1, y1 = struct.unpack(">hhhhh", data[:10])
    if n <= 0:
        return 0, 0, (x0, y0, x1, y1) if n < 0 else None
    last = struct.unpack(">H", data[10 + 2 * (n - 1): 12 + 2 * (n - 1)])[0]
    return last + 1, n, (x0, y0, x1, y1)


def _convert_glyph(glyph_set, name: str) -> bytes:
    """CFF charstring → compiled TrueType glyph bytes (quadratic, clockwise)."""
    from fontTools.pens.cu2quPen import Cu2QuPen  # lazy: fontTools only for CFF faces
    from fontTools.pens.ttGlyphPen import TTGlyphPen  # lazy: fontTools only for CFF faces

    pen = TTGlyphPen(None)
    glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
    CFF_STATS["converted_glyphs"] += 1
    return pen.glyph(dropImpliedOnCurves=True).compile(None, recalcBBoxes=True)


class _CffCache:
    """Growing TrueType conversion of one CFF face, shared by processes via disk.

    The cached TTF covers every character converted so far; a document needing new
    characters triggers a rebuild that copies the old glyphs byte for byte and only
    converts the new ones, so no glyph is ever converted twice.
    """

    _instances: dict[tuple, "_CffCache"] = {}

    @classmethod
    def for_face(cls, face: FontFace) -> "_CffCache":
        stat = stat_key(face.path)
        if stat is None:
            raise BriefgenError(f"字体文件不存在：{face.path}", hint="请重新运行以重新选择字体")
        key = (str(face.path), face.index, stat)
        with LOCK:
            inst = cls._instances.get(key)
            if inst is None:
                inst = cls._instances[key] = cls(face, key)
            return inst

    def __init__(self, face: FontFace, key: tuple):
        self.face = face
        self.dir = cache_dir() / "cff" / digest(*key, "v1")[:16]
        self.covered: set[int] = set()
        self.missing: set[int] = set()
        self.data: bytes | None = None  # current converted TTF
        self.version = ""
        self.names: dict[str, str] = {}  # version → reportlab font name
        self._src = None  # parsed source font, kept for later extensions in this process
        self._load_manifest()

    # -- disk state

    def _load_manifest(self) -> bool:
        man = read_json(self.dir / "manifest.json")
        if not isinstance(man, dict) or man.get("v") != 1:
            return False
        try:
            data = (self.dir / man["ttf"]).read_bytes()
        except (OSError, KeyError, TypeError):
            return False  # pruned by another process; we will rebuild
        if man.get("sha256") != hashlib.sha256(data).hexdigest():
            return False  # truncated or damaged (a full disk, an old entry): rebuilt and rewritten
        try:
            covered, missing = code_set(man.get("covered", [])), code_set(man.get("missing", []))
        except (TypeError, ValueError):
            return False
        self.data, self.version = data, man["version"]
        self.covered, self.missing = covered, missing
        CFF_STATS["disk_loads"] += 1
        return True

    def _save(self) -> None:
        ttf = f"{self.version}.ttf"
        if self.data is None or not atomic_write(self.dir / ttf, self.data, best_effort=True):
            return
        man = {"v": 1, "source": str(self.face.path), "index": self.face.index, "version": self.version,
               "ttf": ttf, "covered": code_ranges(self.covered), "missing": code_ranges(self.missing),
               "sha256": hashlib.sha256(self.data).hexdigest()}
        atomic_write(self.dir / "manifest.json", json.dumps(man).encode(), best_effort=True)
        for old in self.dir.glob("*.ttf"):
            if old.name != ttf:
                try:
                    old.unlink()  # readers load bytes into memory, so this is safe
                except OSError:
                    pass

    # -- public entry

    def font_name(self, chars: str | None) -> str:
        want = {ord(c) for c in (chars if chars is not None else _frequent_chars()) if not is_neutral(c)}
        want.update(ord(c) for c in _PREFETCH)
        with LOCK:
            if self.data is None or not want <= self.covered | self.missing:
                # Another process may already have converted them.
                if not (self._load_manifest() and want <= self.covered | self.missing):
                    self._extend(want)
                else:
                    CFF_STATS["cache_hits"] += 1
            else:
                CFF_STATS["cache_hits"] += 1
            name = self.names.get(self.version)
            if name is None:
                stem = re.sub(r"[^0-9A-Za-z]+", "", self.face.path.stem)[:24] or "font"
                name = f"BGCFF-{stem}-{self.face.index}-{self.version[:10]}"
                _register_reportlab(name, io.BytesIO(self.data or b""), self.face)
                self.names[self.version] = name
            return name

    def _extend(self, want: set[int]) -> None:
        from fontTools.ttLib import TTFont  # lazy: fontTools only for CFF faces

        if self._src is None:
            try:
                self._src = TTFont(str(self.face.path), fontNumber=self.face.index, lazy=True)
            except Exception as exc:
                raise BriefgenError(f"无法读取字体“{self.face.family}”：{exc}", where=str(self.face.path),
                                    hint="请在模板中为该角色换用其他字体") from exc
        self._build(self._src, want)
        CFF_STATS["builds"] += 1
        self._save()

    def _build(self, src, want: set[int]) -> None:
        from fontTools.fontBuilder import FontBuilder  # lazy: fontTools only for CFF faces
        from fontTools.ttLib import TTFont, newTable  # lazy: fontTools only for CFF faces
        from fontTools.ttLib.tables._g_l_y_f import Glyph  # lazy: fontTools only for CFF faces

        cmap_src = src.getBestCmap() or {}
        glyphs: dict[str, bytes] = {}
        metrics: dict[str, tuple[int, int]] = {}
        cmap: dict[int, str] = {}
        if self.data is not None:  # reuse converted glyphs verbatim
            with TTFont(io.BytesIO(self.data), lazy=True) as old:
                glyf, hmtx = old["glyf"], old["hmtx"]
                for gname in old.getGlyphOrder():
                    g = glyf.glyphs[gname]
                    glyphs[gname] = g.data if hasattr(g, "data") else g.compile(glyf, recalcBBoxes=True)
                    metrics[gname] = hmtx[gname]
                cmap.update(old.getBestCmap() or {})

        new = want - self.covered - self.missing
        self.missing |= {cp for cp in new if cp not in cmap_src}
        glyph_set = src.getGlyphSet()
        hmtx_src = src["hmtx"]
        for gname in [".notdef"] + sorted({cmap_src[cp] for cp in new if cp in cmap_src}):
            if gname in glyphs or gname not in glyph_set:
                continue
            data = _convert_glyph(glyph_set, gname)
            glyphs[gname] = data
            bbox = _glyph_header(data)[2]
            metrics[gname] = (hmtx_src[gname][0], bbox[0] if bbox else 0)
        for cp in new:
            if cp in cmap_src and cmap_src[cp] in glyphs:
                cmap[cp] = cmap_src[cp]
        self.covered = set(cmap)

        order = [".notdef"] + sorted(g for g in glyphs if g != ".notdef")
        upem = src["head"].unitsPerEm
        fb = FontBuilder(upem, isTTF=True)
        fb.font.recalcBBoxes = False  # bounds/maxp computed below from raw glyph bytes
        fb.setupGlyphOrder(order)
        fb.setupCharacterMap(cmap)
        # setupGlyf() would expand every glyph to check for cubics; ours are raw bytes.
        fb.font["loca"] = newTable("loca")
        glyf_table = fb.font["glyf"] = newTable("glyf")
        glyf_table.glyphs = {g: Glyph(glyphs[g]) for g in order}
        glyf_table.glyphOrder = order
        fb.setupHorizontalMetrics({g: tuple(metrics[g]) for g in order})

        max_pts = max_cts = 0
        x0 = y0 = 32767
        x1 = y1 = -32768
        min_lsb = min_rsb = 32767
        max_ext = adv_max = 0
        for g in order:
            pts, cts, bbox = _glyph_header(glyphs[g])
            adv, lsb = metrics[g]
            adv_max = max(adv_max, adv)
            max_pts, max_cts = max(max_pts, pts), max(max_cts, cts)
            if bbox:
                x0, y0, x1, y1 = min(x0, bbox[0]), min(y0, bbox[1]), max(x1, bbox[2]), max(y1, bbox[3])
                min_lsb = min(min_lsb, lsb)
                min_rsb = min(min_rsb, adv - (lsb + bbox[2] - bbox[0]))
                max_ext = max(max_ext, lsb + bbox[2] - bbox[0])
        if x0 > x1:
            x0 = y0 = x1 = y1 = min_lsb = min_rsb = 0
        head_src, hhea_src = src["head"], src["hhea"]
        fb.updateHead(xMin=x0, yMin=y0, xMax=x1, yMax=y1, macStyle=head_src.macStyle,
                      fontRevision=head_src.fontRevision, lowestRecPPEM=head_src.lowestRecPPEM)
        fb.setupHorizontalHeader(
            ascent=hhea_src.ascent, descent=hhea_src.descent, lineGap=hhea_src.lineGap,
            advanceWidthMax=adv_max, minLeftSideBearing=min_lsb, minRightSideBearing=min_rsb,
            xMaxExtent=max_ext, caretSlopeRise=hhea_src.caretSlopeRise, caretSlopeRun=hhea_src.caretSlopeRun)
        maxp = fb.font["maxp"]
        maxp.maxPoints, maxp.maxContours, maxp.maxZones = max_pts, max_cts, 2

        self.version = digest(*sorted(cmap.items()))[:16]
        ps = re.sub(r"[^0-9A-Za-z-]+", "", src["name"].getDebugName(6) or self.face.family) or "Font"
        fb.setupNameTable({
            "familyName": f"{self.face.family} BG",
            "styleName": self.face.style or "Regular",
            "fullName": f"{self.face.family} {self.face.style} BG",
            "psName": f"{ps[:40]}-BG{self.version[:6]}",
            "uniqueFontIdentifier": f"briefgen;{ps};{self.version}",
        }, mac=False)
        if "OS/2" in src:
            fb.font["OS/2"] = copy.deepcopy(src["OS/2"])
        else:
            fb.setupOS2()
        post = src["post"] if "post" in src else None
        fb.setupPost(
            keepGlyphNames=True,  # names tie cached glyphs back to the source font
            italicAngle=getattr(post, "italicAngle", 0),
            underlinePosition=getattr(post, "underlinePosition", -upem // 10),
            underlineThickness=getattr(post, "underlineThickness", upem // 20),
            isFixedPitch=getattr(post, "isFixedPitch", 0),
        )
        buf = io.BytesIO()
        fb.save(buf)
        self.data = buf.getvalue()


# --------------------------------------------------------------------------- text extraction

def make_pdf_text_extractable(font_name: str, chars: str) -> None:
    """Let every character drawn with reportlab font `font_name` copy and search as itself.

    Two reportlab gaps are closed: a character missing from the face is drawn
    as code 0, which the ToUnicode map turns into U+0000 (emoji, rare scripts
    come out as NULs), so it is mapped to glyph 0 (.notdef, the box every font
    has) and gets a code of its own; and characters beyond U+FFFF (emoji, CJK
    Extension B in personal and place names) are written to ToUnicode as
    UTF-16 surrogate pairs, as the PDF specification requires, instead of being
    cut to four hex digits.
    """

    _install_tounicode_fix()
    try:
        face = pdfmetrics.getFont(font_name).face
    except (KeyError, AttributeError):
        return
    c2g = getattr(face, "charToGlyph", None)
    if c2g is None:
        return
    for ch in chars:
        code = ord(ch)
        # reportlab sends U+00A0 as a space itself; spaces and controls are never drawn.
        if code not in c2g and code > 0x20 and code != 0xA0 and not ch.isspace():
            c2g[code] = 0


def _utf16_hex(v: int) -> str:
    if v > 0xFFFF:
        v -= 0x10000
        return "%04X%04X" % (0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF))
    return "%04X" % v


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's makeToUnicodeCMap with surrogate pairs for code points beyond U+FFFF."""
    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        "<< /Registry (%s)" % fontname, "/Ordering (%s)" % fontname, "/Supplement 0", ">> def",
        "/CMapName /%s def" % fontname, "/CMapType 2 def", "1 begincodespacerange",
        "<00> <%02X>" % (len(subset) - 1), "endcodespacerange", "%d beginbfchar" % len(subset),
        *["<%02X> <%s>" % (i, _utf16_hex(v)) for i, v in enumerate(subset)],
        "endbfchar", "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


def _install_tounicode_fix() -> None:

    if getattr(ttfonts.makeToUnicodeCMap, "_briefgen", False):
        return
    _to_unicode_cmap._briefgen = True  # type: ignore[attr-defined]
    ttfonts.makeToUnicodeCMap = _to_unicode_cmap


# --------------------------------------------------------------------------- per document


class PdfFonts:
    """Role → font chain for one PDF; records every character each face must draw.

    CFF faces are converted to a TrueType subset of exactly the characters used,
    so registration waits until the whole story has been built (:meth:`register`);
    measuring and drawing use the names registered then.
    """

    def __init__(self, chains: dict[str, Any]):
        self.chains = chains
        self.used: dict[Any, set[str]] = {}
        self.names: dict[Any, str] = {}

    def chain(self, role: str) -> Any:
        """The chain of a role (body for unknown roles)."""
        return self.chains.get(role) or self.chains["body"]

    def spans(self, text: str, role: str, size: float, color: str, bold: bool = False) -> list[Span]:
        """Split text by the face that has each character (per-character fallback)."""
        out = []
        # Same text as the DOCX: control characters are dropped, never drawn as boxes.
        for part, face in self.chain(role).split(clean_text(text)):
            if part:
                self.used.setdefault(face, set()).update(part)
                out.append(Span(part, (face, size, color, bold)))
        return out

    def register(self) -> None:
        """Register every face used so far with reportlab."""
        self.names.clear()
        for face, chars in self.used.items():
            self.names[face] = reportlab_font(face, "".join(sorted(chars)))
            # Characters no font has (emoji) still copy and search as themselves.
            make_pdf_text_extractable(self.names[face], "".join(chars))

    def name(self, style: Any) -> str:
        """The reportlab font name of a span style (face, size, color, bold)."""
        return self.names[style[0]]

    def measure(self, text: str, style: Any) -> float:
        """Width of `text` in pt, set in the span style."""

        return float(pdfmetrics.stringWidth(text, self.names[style[0]], style[1]))

    def blanks(self, ch: str, style: Any) -> tuple[float, float]:
        """The blank (pt) left and right inside a full-width mark that compression may take."""
        left, right = metrics.blanks(style[0].path, style[0].index).get(ch, (0.0, 0.0))
        return left * style[1], right * style[1]


discovery.on_clear(lambda: _CffCache._instances.clear())
