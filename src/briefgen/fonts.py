"""Font resolution by role for DOCX, PDF (reportlab) and charts (matplotlib).

GB/T 9704-2012 names four typefaces: 小标宋 (title), 仿宋_GB2312 (body), 黑体
(first-level headings) and 楷体_GB2312 (second-level headings); page numbers and
tables use 宋体.  Those fonts are proprietary and often missing (Linux servers, a
fresh macOS), so each role resolves to a *chain* of faces:

1. paths or family names given by the caller (the department template);
2. the official fonts installed on the system (Windows, macOS, fontconfig);
3. open substitutes installed on the system (Noto/Source Han, AR PL, WenQuanYi...);
4. WenQuanYi Micro Hei from the ``paperang_p2_fonts_cjk`` wheel, always last, so a
   bare ``pip install`` still renders every character.

``BRIEFGEN_NO_SYSTEM_FONTS=1`` skips the installed fonts (steps 2-3 and family-name
look-ups) to reproduce a fresh machine; folders listed in ``BRIEFGEN_FONT_DIRS``
(``os.pathsep`` separated) are scanned in both modes because the user named them.

The DOCX never embeds fonts: it names the official families (:func:`official_names`)
and Word substitutes on machines that lack them.  The PDF embeds whatever the chain
resolved to; CFF-flavoured fonts (.otf, Noto/Source Han .ttc), which reportlab
cannot read, are converted to TrueType per character set and cached on disk.
"""

from __future__ import annotations

import bisect
import copy
import hashlib
import io
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import unicodedata
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from briefgen.errors import BriefgenError, BriefgenWarning

__all__ = [
    "ROLES",
    "ALIASES",
    "FontFace",
    "FontChain",
    "resolve_fonts",
    "official_names",
    "reportlab_font",
    "matplotlib_font",
    "describe",
    "cache_dir",
    "clear_caches",
    "CFF_STATS",
]

ROLES: tuple[str, ...] = ("title", "body", "heading1", "heading2", "song")
ALIASES: dict[str, str] = {"kai": "heading2", "hei": "heading1"}
ROLE_LABELS: dict[str, str] = {
    "title": "标题（小标宋）",
    "body": "正文（仿宋）",
    "heading1": "一级标题（黑体）",
    "heading2": "二级标题（楷体）",
    "song": "页码与表格（宋体）",
}

REASON_OVERRIDE = "模板指定"
REASON_SUBSTITUTE = "开源替代字体"
REASON_DEFAULT = "随 pip 安装的默认字体"

# Latin letters and digits in 公文 are conventionally set in Times New Roman (most
# provincial 公文格式 rules say so and Word's Chinese templates pair 仿宋 with it); it
# ships with Windows/macOS/Office and Liberation Serif is metric-compatible on Linux.
ASCII_FONT = "Times New Roman"
_OFFICIAL_EAST_ASIA = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "song": "宋体",
}

FONT_EXTS = frozenset({".ttf", ".ttc", ".otf", ".otc"})
_ENV_NO_SYSTEM = "BRIEFGEN_NO_SYSTEM_FONTS"
_ENV_FONT_DIRS = "BRIEFGEN_FONT_DIRS"
_FC_TIMEOUT = 10.0
# Tests and measurements flip this to exercise the folder-walking path on Linux.
_USE_FONTCONFIG = True

# Candidate tables.  A name is a family / full / PostScript name, a file name (it has a
# font extension), or a "prefix*" pattern; "@900,700" lists acceptable weights in order
# of preference (OS/2 scale, +-50).  Kinds: "official" fonts named by GB/T 9704,
# "similar" proprietary look-alikes bundled with an OS or Office, "open" substitutes.
_Group = tuple[str, str, tuple[str, ...]]
_CANDIDATES: dict[str, list[_Group]] = {
    "title": [
        ("official", "方正小标宋简体", (
            "方正小标宋简体", "FZXiaoBiaoSong-B05S", "FZXBSJW.TTF", "方正小标宋简体.ttf",
            "方正小标宋_GBK", "FZXiaoBiaoSong-B05", "FZXBSK.TTF", "方正小标宋_GBK.ttf",
        )),
        ("similar", "华文中宋", ("华文中宋", "STZhongsong", "STZHONGS.TTF")),
        ("similar", "宋体-简", ("Songti SC@900,700", "Songti SC Black")),
        ("open", "", (
            "Noto Serif CJK SC@900,700,600", "Source Han Serif SC@900,700,600",
            "Source Han Serif CN@900,700,600", "思源宋体@900,700,600",
            "Noto Serif SC@900,700,600", "AR PL UMing CN",
        )),
    ],
    "body": [
        ("official", "仿宋_GB2312", (
            "仿宋_GB2312", "FangSong_GB2312", "仿宋_GB2312.ttf", "FS_GB2312.ttf", "FSGB2312.ttf",
        )),
        ("official", "仿宋", ("仿宋", "FangSong", "simfang.ttf")),
        ("official", "方正仿宋_GBK", ("方正仿宋_GBK", "FZFangSong-Z02", "FZFSK.TTF")),
        ("similar", "华文仿宋", ("华文仿宋", "STFangsong", "STFANGSO.TTF")),
        ("open", "", (
            "Zhuque Fangsong*", "朱雀仿宋*",
            "Noto Serif CJK SC@400,500,300", "Source Han Serif SC@400,500,300",
            "Source Han Serif CN@400,500,300", "思源宋体@400,500,300", "Noto Serif SC@400,500",
            "AR PL UMing CN", "LXGW WenKai@400,300,500", "LXGW WenKai GB@400,300,500", "霞鹜文楷",
        )),
    ],
    "heading1": [
        ("official", "黑体", ("黑体", "SimHei", "simhei.ttf")),
        ("official", "方正黑体_GBK", ("方正黑体_GBK", "FZHei-B01", "FZHTK.TTF")),
        ("similar", "华文黑体", ("华文黑体", "STHeiti", "Heiti SC@500,400,300", "STHEITI.TTF")),
        ("similar", "苹方", ("PingFang SC@600,500",)),
        ("similar", "微软雅黑", ("微软雅黑", "Microsoft YaHei@700,400", "msyhbd.ttc", "msyh.ttc")),
        ("open", "", (
            "Noto Sans CJK SC@700,500", "Source Han Sans SC@700,500",
            "Source Han Sans CN@700,500", "思源黑体@700,500", "Noto Sans SC@700,500",
            "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
        )),
    ],
    "heading2": [
        ("official", "楷体_GB2312", ("楷体_GB2312", "KaiTi_GB2312", "楷体_GB2312.ttf", "KAITI_GB2312.ttf")),
        ("official", "楷体", ("楷体", "KaiTi", "simkai.ttf")),
        ("official", "方正楷体_GBK", ("方正楷体_GBK", "FZKai-Z03", "FZKTK.TTF")),
        ("similar", "华文楷体", ("华文楷体", "STKaiti", "STKAITI.TTF", "Kaiti SC@400,500,700")),
        ("open", "", (
            "AR PL UKai CN", "LXGW WenKai@400,300,500", "LXGW WenKai GB@400,300,500", "霞鹜文楷",
        )),
    ],
    "song": [
        ("official", "宋体", ("宋体", "SimSun", "simsun.ttc")),
        ("official", "方正书宋_GBK", ("方正书宋_GBK", "FZShuSong-Z01", "FZSSK.TTF")),
        ("similar", "华文宋体", ("华文宋体", "STSong", "STSONG.TTF", "Songti SC@400,300,500")),
        ("open", "", (
            "Noto Serif CJK SC@400,500,300", "Source Han Serif SC@400,500,300",
            "Source Han Serif CN@400,500,300", "思源宋体@400,500,300", "AR PL UMing CN",
        )),
    ],
}
# A serif role falling back to a serif face reads better than jumping to the Hei default.
_TAILS: dict[str, tuple[str, ...]] = {
    "title": ("song", "body"),
    "body": ("song",),
    "heading1": (),
    "heading2": ("body", "song"),
    "song": ("body",),
}

_LOCK = threading.RLock()

# Diagnostic counters for the CFF→TrueType cache (tests read them instead of timing).
CFF_STATS: Counter = Counter()


# --------------------------------------------------------------------------- faces


@dataclass(frozen=True)
class FontFace:
    """One face of one font file, with the reason it was chosen (Chinese, for users)."""

    path: Path
    index: int
    family: str
    style: str
    is_cff: bool
    reason: str

    def has_char(self, ch: str) -> bool:
        """True if the face's cmap maps ``ch`` (first code point if longer)."""
        if not ch:
            return False
        return ord(ch[0]) in _coverage(self.path, self.index)

    @property
    def label(self) -> str:
        """Short identification for tables and logs, e.g. ``Noto Serif CJK SC Bold（….ttc#2）``."""
        suffix = f"#{self.index}" if self.index else ""
        style = "" if self.style in ("", "Regular") else f" {self.style}"
        return f"{self.family}{style}（{self.path.name}{suffix}）"


@dataclass
class FontChain:
    """Ordered faces for one role; per-character fallback walks the list."""

    role: str
    faces: list[FontFace]
    _memo: dict[str, FontFace] = field(default_factory=dict, repr=False, compare=False)

    @property
    def primary(self) -> FontFace:
        return self.faces[0]

    def face_for(self, ch: str) -> FontFace:
        """First face that has ``ch``; the last face when none has it (never raises)."""
        face = self._memo.get(ch)
        if face is None:
            face = next((f for f in self.faces if f.has_char(ch)), self.faces[-1])
            self._memo[ch] = face
        return face

    def split(self, text: str) -> list[tuple[str, FontFace]]:
        """Split ``text`` into runs drawn by one face each.

        Control characters, combining marks and variation selectors stay with the
        preceding character so they never start a run of their own; a space stays in
        the current run when that face has a space glyph.
        """
        runs: list[list] = []
        pending = ""  # neutral characters before the first real one
        for ch in text:
            if _is_neutral(ch) or (ch.isspace() and runs and runs[-1][1].has_char(ch)):
                if runs:
                    runs[-1][0].append(ch)
                else:
                    pending += ch
                continue
            face = self.face_for(ch)
            if runs and runs[-1][1] == face:
                runs[-1][0].append(ch)
            else:
                runs.append([[pending + ch] if pending else [ch], face])
                pending = ""
        if pending:  # text made only of neutral characters
            runs.append([[pending], self.face_for(pending[0])])
        return [("".join(parts), face) for parts, face in runs]

    def chars_by_face(self, text: str) -> dict[FontFace, str]:
        """Characters of ``text`` grouped by face, for :func:`reportlab_font`'s ``chars``."""
        out: dict[FontFace, set[str]] = {}
        for run, face in self.split(text):
            out.setdefault(face, set()).update(run)
        return {face: "".join(sorted(chars)) for face, chars in out.items()}


def _is_neutral(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "CM" or cat in ("Zl", "Zp")


# --------------------------------------------------------------------------- caching helpers


def cache_dir() -> Path:
    """Folder for on-disk caches: ``$XDG_CACHE_HOME/briefgen`` or ``~/.cache/briefgen``."""
    base = os.environ.get("XDG_CACHE_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
    return Path(base or Path.home() / ".cache") / "briefgen"


def _atomic_write(path: Path, data: bytes) -> bool:
    """Write via a temp file + rename so concurrent readers never see half a file."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        return True
    except OSError:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False  # a read-only cache only costs speed


def _read_json(path: Path):
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def _stat_key(path: str | Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _digest(*parts) -> str:
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()


def _ranges(codepoints: Iterable[int]) -> list[int]:
    """Sorted code points as a flat [start, end, start, end...] list (compact JSON)."""
    out: list[int] = []
    for cp in sorted(codepoints):
        if out and cp == out[-1] + 1:
            out[-1] = cp
        else:
            out += [cp, cp]
    return out


def _unranges(flat: list[int]) -> set[int]:
    out: set[int] = set()
    for i in range(0, len(flat) - 1, 2):
        out.update(range(flat[i], flat[i + 1] + 1))
    return out


class _Coverage:
    """Code point membership over ranges; cheaper to load than a full cmap."""

    __slots__ = ("starts", "ends")

    def __init__(self, flat: list[int]):
        self.starts = flat[0::2]
        self.ends = flat[1::2]

    def __contains__(self, cp: int) -> bool:
        i = bisect.bisect_right(self.starts, cp) - 1
        return i >= 0 and cp <= self.ends[i]


_COVERAGE: dict[tuple[str, int], _Coverage] = {}


def _coverage(path: Path, index: int) -> _Coverage:
    key = (str(path), index)
    cov = _COVERAGE.get(key)
    if cov is not None:
        return cov
    with _LOCK:
        cov = _COVERAGE.get(key)
        if cov is not None:
            return cov
        stat = _stat_key(path)
        cache_file = cache_dir() / "coverage" / f"{_digest(path, index, stat, 1)}.json"
        flat = _read_json(cache_file) if stat else None
        if not isinstance(flat, list):
            flat = []
            try:
                from fontTools.ttLib import TTFont

                with TTFont(str(path), fontNumber=index, lazy=True) as font:
                    flat = _ranges((font.getBestCmap() or {}).keys())
            except Exception:  # an unreadable face simply covers nothing
                flat = []
            if stat:
                _atomic_write(cache_file, json.dumps(flat).encode())
        cov = _COVERAGE[key] = _Coverage(flat)
        return cov


# --------------------------------------------------------------------------- scanning


@dataclass(frozen=True)
class _Rec:
    path: str
    index: int
    family: str
    style: str
    weight: int
    is_cff: bool
    names: tuple[str, ...]
    zh: int  # preference for Simplified-Chinese faces inside collections


_FOREIGN_TOKENS = {"TC", "HK", "TW", "JP", "KR", "J", "K", "MBE", "HANT"}
_ZH_TOKENS = {"SC", "CN", "GB", "GBK", "CHS", "HANS"}


def _zh_score(names: Iterable[str], zh_cn_name: bool = False) -> int:
    tokens = set()
    for name in names:
        tokens.update(t for t in re.split(r"[^0-9A-Za-z]+", name.upper()) if t)
    score = 2 if tokens & _ZH_TOKENS else 0
    if tokens & _FOREIGN_TOKENS:
        score -= 2
    if "MONO" in tokens:
        score -= 1
    return score + (1 if zh_cn_name else 0)


def _read_font_file(path: str) -> list[dict]:
    """Names, weight and outline type of every face in a font file (fontTools, lazy)."""
    from fontTools.ttLib import TTCollection, TTFont

    with open(path, "rb") as fh:
        magic = fh.read(4)
    if magic == b"ttcf":
        coll = TTCollection(path, lazy=True)
        fonts, closer = list(coll.fonts), coll
    else:
        font = TTFont(path, lazy=True)
        fonts, closer = [font], font
    faces = []
    try:
        for i, font in enumerate(fonts):
            is_cff = "CFF " in font or "CFF2" in font
            if not is_cff and "glyf" not in font:
                continue  # bitmap-only faces are useless for PDF and charts
            names: list[str] = []
            family = style = ""
            zh_cn = False
            if "name" in font:
                for rec in font["name"].names:
                    if rec.nameID not in (1, 2, 4, 6, 16, 17, 21):
                        continue
                    try:
                        text = rec.toUnicode().strip()
                    except Exception:
                        continue
                    if not text:
                        continue
                    english = ((rec.platformID == 3 and rec.langID == 0x409)
                               or (rec.platformID in (0, 1) and rec.langID == 0))
                    if rec.nameID in (1, 16) and english and (rec.nameID == 16 or not family):
                        family = text
                    elif rec.nameID in (2, 17) and english and (rec.nameID == 17 or not style):
                        style = text
                    if rec.nameID in (1, 4, 6, 16, 21) and text not in names:
                        names.append(text)
                    if rec.platformID == 3 and rec.langID in (0x804, 0x1004):
                        zh_cn = True
            family = family or (names[0] if names else Path(path).stem)
            weight = 400
            if "OS/2" in font:
                try:
                    weight = int(font["OS/2"].usWeightClass) or 400
                except Exception:
                    pass
            faces.append({"i": i, "f": family, "s": style or "Regular", "w": weight,
                          "c": is_cff, "n": names, "z": _zh_score(names, zh_cn)})
    finally:
        closer.close()
    return faces


class _ScanCache:
    """Per-file scan results on disk, keyed by path + mtime + size."""

    def __init__(self) -> None:
        self.file = cache_dir() / "font-scan-v1.json"
        data = _read_json(self.file)
        self.entries: dict = data.get("files", {}) if isinstance(data, dict) else {}
        self.dirty = False

    def faces(self, path: str) -> list[dict]:
        stat = _stat_key(path)
        if stat is None:
            return []
        hit = self.entries.get(path)
        if hit and hit[0] == stat[0] and hit[1] == stat[1]:
            return hit[2]
        try:
            faces = _read_font_file(path)
        except Exception:
            faces = []  # corrupt or unsupported files are remembered as empty
        self.entries[path] = [stat[0], stat[1], faces]
        self.dirty = True
        return faces

    def save(self) -> None:
        if not self.dirty:
            return
        live = {p: e for p, e in self.entries.items() if os.path.exists(p)}
        if _atomic_write(self.file, json.dumps({"files": live}, ensure_ascii=False).encode("utf-8")):
            self.dirty = False


_SCAN: _ScanCache | None = None


def _scan_cache() -> _ScanCache:
    global _SCAN
    if _SCAN is None:
        _SCAN = _ScanCache()
    return _SCAN


def _scan_file(path: str) -> list[_Rec]:
    with _LOCK:
        scan = _scan_cache()
        recs = _records_from_scan(path, scan.faces(path))
        scan.save()
        return recs


def _records_from_scan(path: str, faces: list[dict]) -> list[_Rec]:
    return [_Rec(path, f["i"], f["f"], f["s"], f["w"], f["c"], tuple(f["n"]), f["z"]) for f in faces]


def _system_font_dirs() -> list[Path]:
    home = Path.home()
    if sys.platform == "win32":
        dirs = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        if os.environ.get("LOCALAPPDATA"):
            dirs.append(Path(os.environ["LOCALAPPDATA"]) / "Microsoft" / "Windows" / "Fonts")
        return dirs
    if sys.platform == "darwin":
        dirs = [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library" / "Fonts"]
        # Kaiti/Songti variants are downloadable assets on recent macOS.
        for assets in (Path("/System/Library/AssetsV2"), Path("/System/Library/Assets")):
            try:
                dirs += sorted(p for p in assets.iterdir() if p.name.startswith("com_apple_MobileAsset_Font"))
            except OSError:
                pass
        return dirs
    data_home = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
    data_dirs = os.environ.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share"
    dirs = [data_home / "fonts", home / ".fonts"]
    dirs += [Path(d) / "fonts" for d in data_dirs.split(":") if d]
    return dirs


def _extra_font_dirs() -> list[Path]:
    raw = os.environ.get(_ENV_FONT_DIRS, "")
    return [Path(d).expanduser() for d in raw.split(os.pathsep) if d.strip()]


def _walk_font_files(dirs: Iterable[Path]) -> list[str]:
    seen_dirs: set[str] = set()
    out: list[str] = []
    for root in dirs:
        if not root.is_dir():
            continue
        for cur, subdirs, files in os.walk(root, followlinks=True):
            real = os.path.realpath(cur)
            if real in seen_dirs:  # symlink loops and duplicate roots
                subdirs[:] = []
                continue
            seen_dirs.add(real)
            subdirs[:] = [d for d in subdirs if not d.startswith(".")]
            for name in files:
                if os.path.splitext(name)[1].lower() in FONT_EXTS:
                    out.append(os.path.abspath(os.path.join(cur, name)))
    return out


# fontconfig weights → OS/2 usWeightClass (FcWeightToOpenType's table).
_FC_WEIGHTS = [(0, 100), (40, 200), (50, 300), (55, 350), (75, 380), (80, 400),
               (100, 500), (180, 600), (200, 700), (205, 800), (210, 900), (215, 1000)]


def _fc_to_os2(value: str) -> int:
    m = re.search(r"-?\d+(\.\d+)?", value)
    if not m or value.strip().startswith("["):
        return 400  # variable fonts report a range; their default is usually Regular
    w = float(m.group(0))
    for (a, oa), (b, ob) in zip(_FC_WEIGHTS, _FC_WEIGHTS[1:]):
        if w <= b:
            return int(round(oa + (ob - oa) * max(0.0, w - a) / (b - a)))
    return 1000


def _fontconfig_records() -> list[_Rec] | None:
    """Installed faces via ``fc-list``; None when fontconfig is unavailable or fails."""
    exe = shutil.which("fc-list")
    if not exe:
        return None
    fmt = "%{file}\t%{index}\t%{family}\t%{style}\t%{weight}\t%{fontformat}\t%{fullname}\t%{postscriptname}\n"
    try:
        proc = subprocess.run([exe, "--format", fmt], capture_output=True, timeout=_FC_TIMEOUT)
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0 or not proc.stdout:
        return None
    recs = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if len(parts) < 8:
            continue
        path, index, families, styles, weight, fmt_name, fullnames, psname = parts[:8]
        if os.path.splitext(path)[1].lower() not in FONT_EXTS:
            continue
        try:
            idx = int(index or 0)
        except ValueError:
            continue
        if idx >= 0x10000:
            continue  # named instances of variable fonts: neither reportlab nor FreeType index
        fams = [f for f in families.split(",") if f]
        names = tuple(dict.fromkeys(fams + [f for f in fullnames.split(",") if f] + ([psname] if psname else [])))
        if not fams:
            continue
        recs.append(_Rec(path=os.path.abspath(path), index=idx, family=fams[0],
                         style=(styles.split(",")[0] or "Regular"), weight=_fc_to_os2(weight),
                         is_cff=fmt_name.strip().upper().startswith("CFF"), names=names,
                         zh=_zh_score(fams)))
    return recs


class _Index:
    """Look-ups over scanned faces by normalized name and by file name."""

    def __init__(self, recs: list[_Rec]):
        self.recs = recs
        self.by_name: dict[str, list[_Rec]] = {}
        self.by_file: dict[str, list[_Rec]] = {}
        seen = set()
        for rec in recs:
            if (rec.path, rec.index) in seen:
                continue
            seen.add((rec.path, rec.index))
            for name in rec.names + (rec.family,):
                lst = self.by_name.setdefault(_norm(name), [])
                if rec not in lst:
                    lst.append(rec)
            self.by_file.setdefault(os.path.basename(rec.path).lower(), []).append(rec)
        self.sorted_names = sorted(self.by_name)

    def lookup(self, name: str) -> list[_Rec]:
        if os.path.splitext(name)[1].lower() in FONT_EXTS:
            return list(self.by_file.get(name.lower(), []))
        if name.endswith("*"):
            prefix = _norm(name[:-1])
            out: list[_Rec] = []
            for key in self.sorted_names[bisect.bisect_left(self.sorted_names, prefix):]:
                if not key.startswith(prefix):
                    break
                out += [r for r in self.by_name[key] if r not in out]
            return out
        return list(self.by_name.get(_norm(name), []))


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


_INDEX_CACHE: dict[tuple, _Index] = {}


def _font_index(system: bool) -> _Index:
    extra = tuple(str(d) for d in _extra_font_dirs())
    key = (system, extra, _USE_FONTCONFIG)
    with _LOCK:
        hit = _INDEX_CACHE.get(key)
        if hit is not None:
            return hit
        recs: list[_Rec] = []
        scan = _scan_cache()
        walk_dirs = [Path(d) for d in extra]
        if system:
            fc = _fontconfig_records() if _USE_FONTCONFIG else None
            if fc is None:
                walk_dirs = _system_font_dirs() + walk_dirs
            else:
                recs += fc
        for path in _walk_font_files(walk_dirs):
            recs += _records_from_scan(path, scan.faces(path))
        scan.save()
        index = _INDEX_CACHE[key] = _Index(recs)
        return index


# --------------------------------------------------------------------------- resolution


def _parse_spec(spec: str) -> tuple[str, tuple[int, ...]]:
    name, _, weights = spec.partition("@")
    return name, tuple(int(w) for w in weights.split(",") if w)


def _pick(recs: list[_Rec], weights: tuple[int, ...]) -> _Rec | None:
    if not recs:
        return None
    order = lambda r: (-r.zh, r.path, r.index)  # noqa: E731 - SC faces first, then stable
    if weights:
        for w in weights:
            near = [r for r in recs if abs(r.weight - w) <= 50]
            if near:
                return min(near, key=lambda r: (abs(r.weight - w),) + order(r))
        return None
    return min(recs, key=lambda r: (abs(r.weight - 400),) + order(r))


def _face_from_rec(rec: _Rec, reason: str) -> FontFace:
    return FontFace(Path(rec.path), rec.index, rec.family, rec.style, rec.is_cff, reason)


def _candidate_faces(role: str, index: _Index) -> list[FontFace]:
    faces: list[FontFace] = []
    for group_role in (role,) + _TAILS[role]:
        for kind, label, specs in _CANDIDATES[group_role]:
            if kind == "official" and group_role == role:
                reason = f"系统已安装的官方字体（{label}）"
            elif kind != "open":  # another role's official font is only a look-alike here
                reason = f"系统已安装的同类字体（{label}）"
            else:
                reason = REASON_SUBSTITUTE
            for spec in specs:
                name, weights = _parse_spec(spec)
                # Stale fontconfig caches can list deleted files.
                recs = [r for r in index.lookup(name) if os.path.isfile(r.path)]
                rec = _pick(recs, weights)
                if rec is not None:
                    faces.append(_face_from_rec(rec, reason))
    return faces


_DEFAULT_FACE: FontFace | None = None


def _default_font_path() -> Path | None:
    try:
        from importlib import resources

        res = resources.files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"
        path = Path(str(res))
        if path.is_file():
            return path
    except Exception:
        pass
    try:
        import paperang_p2_fonts_cjk as pkg

        path = Path(pkg.__file__).resolve().parent / "fonts" / "wqy-microhei.ttc"
        return path if path.is_file() else None
    except Exception:
        return None


def _default_face() -> FontFace | None:
    """WenQuanYi Micro Hei from the pip package (TrueType, so no conversion needed)."""
    global _DEFAULT_FACE
    with _LOCK:
        if _DEFAULT_FACE is None:
            path = _default_font_path()
            if path is None:
                return None
            rec = _pick(_scan_file(str(path)), ())
            if rec is None:
                return None
            _DEFAULT_FACE = _face_from_rec(rec, REASON_DEFAULT)
        return _DEFAULT_FACE


def _looks_like_path(value: str) -> bool:
    base = value.rsplit("#", 1)[0]
    return ("/" in base or "\\" in base or base.startswith("~")
            or os.path.splitext(base)[1].lower() in FONT_EXTS | {".woff", ".woff2", ".pfb", ".pfa", ".fon", ".ttx"})


def _override_face(role: str, value: str, index: _Index, base_dir: Path | None, where: str) -> FontFace | None:
    value = value.strip()
    if not _looks_like_path(value):
        rec = _pick(index.lookup(value), ())
        if rec is None:
            warnings.warn(BriefgenWarning(
                f"{where}：模板指定的字体“{value}”未安装，{ROLE_LABELS[role]}改用下一候选字体"), stacklevel=3)
            return None
        return _face_from_rec(rec, REASON_OVERRIDE)

    raw, sub = value, None
    m = re.fullmatch(r"(.+)#(\d+)", value)
    if m:
        raw, sub = m.group(1), int(m.group(2))
    path = Path(raw).expanduser()
    if not path.is_absolute():
        path = (base_dir or Path.cwd()) / path
    path = Path(os.path.abspath(path))
    hint = "请检查路径，或改写为已安装字体的名称（如“仿宋_GB2312”）；删除该项则自动选择字体"
    if not path.exists() and raw == os.path.basename(raw):
        # A bare "simfang.ttf" may mean the installed file of that name.
        recs = [r for r in index.lookup(raw) if sub is None or r.index == sub]
        rec = _pick(recs, ())
        if rec is not None:
            return _face_from_rec(rec, REASON_OVERRIDE)
    if not path.exists():
        raise BriefgenError(f"找不到字体文件“{raw}”（{path}）", where=where, hint=hint)
    if not path.is_file():
        raise BriefgenError(f"“{raw}”不是字体文件，而是一个文件夹", where=where, hint=hint)
    if path.suffix.lower() not in FONT_EXTS:
        raise BriefgenError(f"不支持的字体格式“{path.suffix}”：{path.name}", where=where,
                            hint="请使用 .ttf、.otf 或 .ttc 字体文件")
    recs = _scan_file(str(path))
    if not recs:
        raise BriefgenError(f"无法读取字体文件“{path.name}”，文件可能已损坏或不是 TrueType/OpenType 字体",
                            where=where, hint=hint)
    if sub is not None:
        match = [r for r in recs if r.index == sub]
        if not match:
            raise BriefgenError(f"字体集合“{path.name}”中没有第 {sub} 号字体（共 {len(recs)} 个，编号从 0 开始）",
                                where=where)
        rec = match[0]
    else:
        rec = _pick(recs, ())
    return _face_from_rec(rec, REASON_OVERRIDE)


def _system_enabled(system: bool | None) -> bool:
    if system is not None:
        return system
    return os.environ.get(_ENV_NO_SYSTEM, "").strip().lower() not in ("1", "true", "yes", "on")


def resolve_fonts(
    overrides: Mapping[str, str] | None = None,
    *,
    system: bool | None = None,
    base_dir: str | Path | None = None,
    where: str | None = None,
) -> dict[str, FontChain]:
    """Resolve a :class:`FontChain` for every role (plus the ``kai``/``hei`` aliases).

    ``overrides`` maps role → font file path (``"a.ttc#2"`` picks a face) or family
    name; relative paths are taken from ``base_dir`` (the template's folder).  A
    missing file raises :class:`BriefgenError`; a missing family only warns.
    ``system=None`` honours ``BRIEFGEN_NO_SYSTEM_FONTS``.  ``where`` prefixes error
    locations (e.g. the template file name).
    """
    use_system = _system_enabled(system)
    base = Path(base_dir) if base_dir is not None else None
    index = _font_index(use_system)
    chosen: dict[str, list[FontFace]] = {role: [] for role in ROLES}
    for key, value in (overrides or {}).items():
        role = ALIASES.get(key, key)
        loc = f"{where}：fonts.{key}" if where else f"字体设置 fonts.{key}"
        if role not in chosen:
            raise BriefgenError(f"未知的字体角色“{key}”", where=loc,
                                hint="可用的角色：title、body、heading1、heading2、song（kai、hei 为别名）")
        if value is None or not str(value).strip():
            continue
        face = _override_face(role, str(value), index, base, loc)
        if face is not None:
            chosen[role].append(face)

    default = _default_face()
    chains: dict[str, FontChain] = {}
    for role in ROLES:
        faces = list(chosen[role])
        if use_system or index.recs:
            faces += _candidate_faces(role, index)
        if default is not None:
            faces.append(default)
        unique: list[FontFace] = []
        seen = set()
        for face in faces:
            if (face.path, face.index) not in seen:
                seen.add((face.path, face.index))
                unique.append(face)
        if not unique:
            raise BriefgenError(f"没有可用于{ROLE_LABELS[role]}的字体", where=where,
                                hint="请重新安装 briefgen（会一并安装 paperang-p2-fonts-cjk 默认字体），或在模板中指定字体文件")
        chains[role] = FontChain(role, unique)
    for alias, role in ALIASES.items():
        chains[alias] = chains[role]
    return chains


def official_names(overrides: Mapping[str, str] | None = None) -> dict[str, dict]:
    """Font names the DOCX should reference, per role (aliases included).

    ``east_asia`` is the GB/T 9704 typeface; ``ascii``/``hansi`` (Latin letters and
    digits) use Times New Roman by the usual 公文 convention.  Family-name overrides
    replace ``east_asia``; path overrides do not (Word cannot follow a path).
    """
    out: dict[str, dict] = {}
    for role in ROLES:
        out[role] = {"east_asia": _OFFICIAL_EAST_ASIA[role], "ascii": ASCII_FONT, "hansi": ASCII_FONT}
    for key, value in (overrides or {}).items():
        role = ALIASES.get(key, key)
        if role in out and value and not _looks_like_path(str(value)):
            out[role]["east_asia"] = str(value).strip()
    for alias, role in ALIASES.items():
        out[alias] = dict(out[role])
    return out


# --------------------------------------------------------------------------- reportlab

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
    key = (str(face.path), face.index, _stat_key(face.path))
    with _LOCK:
        name = _RL_TTF.get(key)
        if name is None:
            stem = re.sub(r"[^0-9A-Za-z]+", "", face.path.stem)[:24] or "font"
            name = f"BG-{stem}-{face.index}-{_digest(*key)[:6]}"
            _register_reportlab(name, str(face.path), face)
            _RL_TTF[key] = name
        return name


def _register_reportlab(name: str, source, face: FontFace) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    try:
        pdfmetrics.registerFont(TTFont(name, source, subfontIndex=face.index if isinstance(source, str) else 0))
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
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

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
        stat = _stat_key(face.path)
        if stat is None:
            raise BriefgenError(f"字体文件不存在：{face.path}", hint="请重新运行以重新选择字体")
        key = (str(face.path), face.index, stat)
        with _LOCK:
            inst = cls._instances.get(key)
            if inst is None:
                inst = cls._instances[key] = cls(face, key)
            return inst

    def __init__(self, face: FontFace, key: tuple):
        self.face = face
        self.dir = cache_dir() / "cff" / _digest(*key, "v1")[:16]
        self.covered: set[int] = set()
        self.missing: set[int] = set()
        self.data: bytes | None = None  # current converted TTF
        self.version = ""
        self.names: dict[str, str] = {}  # version → reportlab font name
        self._src = None  # parsed source font, kept for later extensions in this process
        self._load_manifest()

    # -- disk state

    def _load_manifest(self) -> bool:
        man = _read_json(self.dir / "manifest.json")
        if not isinstance(man, dict) or man.get("v") != 1:
            return False
        try:
            data = (self.dir / man["ttf"]).read_bytes()
        except (OSError, KeyError):
            return False  # pruned by another process; we will rebuild
        self.data, self.version = data, man["version"]
        self.covered = _unranges(man.get("covered", []))
        self.missing = _unranges(man.get("missing", []))
        CFF_STATS["disk_loads"] += 1
        return True

    def _save(self) -> None:
        ttf = f"{self.version}.ttf"
        if not _atomic_write(self.dir / ttf, self.data):
            return
        man = {"v": 1, "source": str(self.face.path), "index": self.face.index, "version": self.version,
               "ttf": ttf, "covered": _ranges(self.covered), "missing": _ranges(self.missing)}
        _atomic_write(self.dir / "manifest.json", json.dumps(man).encode())
        for old in self.dir.glob("*.ttf"):
            if old.name != ttf:
                try:
                    old.unlink()  # readers load bytes into memory, so this is safe
                except OSError:
                    pass

    # -- public entry

    def font_name(self, chars: str | None) -> str:
        want = {ord(c) for c in (chars if chars is not None else _frequent_chars()) if not _is_neutral(c)}
        want.update(ord(c) for c in _PREFETCH)
        with _LOCK:
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
                _register_reportlab(name, io.BytesIO(self.data), self.face)
                self.names[self.version] = name
            return name

    def _extend(self, want: set[int]) -> None:
        from fontTools.ttLib import TTFont

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
        from fontTools.fontBuilder import FontBuilder
        from fontTools.ttLib import TTFont, newTable
        from fontTools.ttLib.tables._g_l_y_f import Glyph

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

        self.version = _digest(*sorted(cmap.items()))[:16]
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


# --------------------------------------------------------------------------- matplotlib

_MPL_ADDED: set[str] = set()


def matplotlib_font(chain: FontChain | FontFace, size: float | None = None):
    """``FontProperties`` listing the chain's faces as a glyph-fallback family list.

    matplotlib (>=3.6) falls back glyph by glyph along the family list and reads CFF
    fonts and .ttc faces natively, so no conversion is needed.  Each face is entered
    under a private alias carrying the primary's weight: that pins the exact file and
    face (not just the family) and avoids "Failed to find font weight" log noise.
    """
    import dataclasses

    from matplotlib import font_manager as fm

    faces = [chain] if isinstance(chain, FontFace) else list(chain.faces)
    manager = fm.fontManager
    entries = []
    with _LOCK:
        for face in faces:
            path = os.path.normcase(os.path.abspath(face.path))
            if path not in _MPL_ADDED:
                try:
                    manager.addfont(str(face.path))
                except Exception:
                    continue  # matplotlib cannot read it; later faces cover
                _MPL_ADDED.add(path)
            entry = next((e for e in manager.ttflist
                          if getattr(e, "index", 0) == face.index
                          and os.path.normcase(os.path.abspath(e.fname)) == path), None)
            if entry is not None:
                entries.append(entry)
        if not entries:
            return fm.FontProperties(size=size)
        weight = entries[0].weight
        aliases = []
        for entry in entries:
            alias = f"briefgen:{Path(entry.fname).name}#{getattr(entry, 'index', 0)}@{weight}"
            if not any(e.name == alias for e in manager.ttflist):
                manager.ttflist.append(dataclasses.replace(entry, name=alias, weight=weight))
            if alias not in aliases:
                aliases.append(alias)
        cached = getattr(manager, "_findfont_cached", None)
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()
    return fm.FontProperties(family=aliases, weight=weight, size=size)


# --------------------------------------------------------------------------- reporting


def describe(chains: Mapping[str, FontChain]) -> list[dict]:
    """Rows for ``briefgen fonts``: what each role uses and why (aliases skipped)."""
    rows = []
    docx = official_names()
    for role, chain in chains.items():
        if chain.role != role:
            continue
        face = chain.primary
        note = ""
        if face.reason in (REASON_SUBSTITUTE, REASON_DEFAULT) or "同类" in face.reason:
            note = (f"未找到官方字体，PDF 使用替代字体；DOCX 仍标注“{docx[role]['east_asia']}”，"
                    "在装有该字体的电脑上打开即为标准字形")
        rows.append({
            "role": role,
            "role_label": ROLE_LABELS.get(role, role),
            "family": face.family,
            "style": face.style,
            "path": str(face.path),
            "index": face.index,
            "reason": face.reason,
            "cff": face.is_cff,
            "docx_name": docx[role]["east_asia"],
            "note": note,
            # Strings for tables; the dicts below carry the details.
            "fallbacks": [f.label for f in chain.faces[1:]],
            "fallback_faces": [
                {"family": f.family, "style": f.style, "path": str(f.path), "index": f.index,
                 "reason": f.reason, "cff": f.is_cff}
                for f in chain.faces[1:]
            ],
        })
    return rows


def clear_caches() -> None:
    """Forget in-memory scan/coverage/conversion state (disk caches stay)."""
    global _DEFAULT_FACE, _SCAN
    with _LOCK:
        _SCAN = None
        _INDEX_CACHE.clear()
        _COVERAGE.clear()
        _CffCache._instances.clear()
        _DEFAULT_FACE = None
