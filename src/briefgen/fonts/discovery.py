"""Finding installed fonts: fontconfig or a walk of the font folders, names and weights
read with fontTools, and each face's character coverage — all cached on disk.

``BRIEFGEN_NO_SYSTEM_FONTS=1`` skips installed fonts to reproduce a bare server;
folders in ``BRIEFGEN_FONT_DIRS`` (``os.pathsep`` separated) are scanned in both
modes because the user named them.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, TypeGuard

from briefgen.files import atomic_write, cache_dir
from briefgen.fonts.catalogue import FONT_EXTS

_ENV_NO_SYSTEM = "BRIEFGEN_NO_SYSTEM_FONTS"
_ENV_FONT_DIRS = "BRIEFGEN_FONT_DIRS"
_FC_TIMEOUT = 10.0
# Tests and measurements flip this to exercise the folder-walking path on Linux.
_USE_FONTCONFIG = True

LOCK = threading.RLock()


def read_json(path: Path) -> Any:
    """A JSON cache file's content, or None if it is missing or unreadable."""
    try:
        with open(path, "rb") as fh:
            return json.loads(fh.read())
    except (OSError, ValueError):
        return None


def stat_key(path: str | Path) -> tuple[int, int] | None:
    """(mtime_ns, size) of a file, the key of every per-file cache; None if it is gone."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def digest(*parts: Any) -> str:
    """A short stable hash of the parts' text, for cache file names."""
    return hashlib.sha1("|".join(map(str, parts)).encode("utf-8")).hexdigest()


def code_ranges(codepoints: Iterable[int]) -> list[int]:
    """Sorted code points as a flat [start, end, start, end...] list (compact JSON)."""
    out: list[int] = []
    for cp in sorted(codepoints):
        if out and cp == out[-1] + 1:
            out[-1] = cp
        else:
            out += [cp, cp]
    return out


def _is_ranges(flat: Any) -> TypeGuard[list[int]]:
    """True for a well-formed :func:`code_ranges` list (a damaged cache file is not)."""
    return (isinstance(flat, list) and len(flat) % 2 == 0
            and all(type(x) is int for x in flat) and all(a <= b for a, b in zip(flat, flat[1:])))


def code_set(flat: list[int]) -> set[int]:
    """The inverse of :func:`code_ranges`."""
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

# Facts about the bundled fonts worked out when they were added (tools/font_facts.py): a user's
# first build then parses no font file with fontTools. Used only for a file of the recorded size.
FACTS_FILE = Path(__file__).with_name("files") / "facts.json"
_FACTS: dict[str, Any] | None = None


def shipped_fact(path: Path, index: int, kind: str) -> Any:
    """The precomputed `kind` ("coverage" or "punct") of a bundled face, or None."""
    global _FACTS
    p = Path(path)
    if index != 0 or p.parent != FACTS_FILE.parent:
        return None
    if _FACTS is None:
        loaded = read_json(FACTS_FILE)
        _FACTS = loaded if isinstance(loaded, dict) else {}
    entry = _FACTS.get(p.name)
    if not isinstance(entry, dict):
        return None
    try:
        if p.stat().st_size != entry.get("size"):
            return None  # not the file the facts were read from
    except OSError:
        return None
    return entry.get(kind)


def coverage(path: Path, index: int) -> _Coverage:
    """The code points a face maps, cached on disk per file version."""
    key = (str(path), index)
    cov = _COVERAGE.get(key)
    if cov is not None:
        return cov
    with LOCK:
        cov = _COVERAGE.get(key)
        if cov is not None:
            return cov
        stat = stat_key(path)
        cache_file = cache_dir() / "coverage" / f"{digest(path, index, stat, 1)}.json"
        flat = shipped_fact(path, index, "coverage")
        if not _is_ranges(flat):
            flat = read_json(cache_file) if stat else None
        if not _is_ranges(flat):  # missing, or damaged: scanned again and rewritten
            flat = []
            try:
                from fontTools.ttLib import TTFont  # lazy: fontTools only when scanning an uncached file

                with TTFont(str(path), fontNumber=index, lazy=True) as font:
                    flat = code_ranges((font.getBestCmap() or {}).keys())
            except Exception:  # an unreadable face simply covers nothing
                flat = []
            if stat:
                atomic_write(cache_file, json.dumps(flat).encode(), best_effort=True)
        cov = _COVERAGE[key] = _Coverage(flat)
        return cov

# --------------------------------------------------------------------------- scanning


@dataclass(frozen=True)
class FaceRecord:
    """One face found on disk: names, weight, outline type and a Simplified-Chinese preference."""

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


def zh_score(names: Iterable[str], zh_cn_name: bool = False) -> int:
    """Preference for Simplified-Chinese faces (SC/CN/GB) over TC/JP/KR ones in collections."""
    tokens: set[str] = set()
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
    from fontTools.ttLib import TTCollection, TTFont  # lazy: fontTools only when scanning an uncached file

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
                          "c": is_cff, "n": names, "z": zh_score(names, zh_cn)})
    finally:
        closer.close()
    return faces


class _ScanCache:
    """Per-file scan results on disk, keyed by path + mtime + size."""

    def __init__(self) -> None:
        self.file = cache_dir() / "font-scan-v1.json"
        data = read_json(self.file)
        self.entries: dict = data.get("files", {}) if isinstance(data, dict) else {}
        self.dirty = False

    def faces(self, path: str) -> list[dict]:
        stat = stat_key(path)
        if stat is None:
            return []
        hit = self.entries.get(path)
        if _is_scan_entry(hit) and hit[0] == stat[0] and hit[1] == stat[1]:
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
        if atomic_write(self.file, json.dumps({"files": live}, ensure_ascii=False).encode("utf-8"), best_effort=True):
            self.dirty = False


_FACE_KEYS = {"i": int, "f": str, "s": str, "w": int, "c": bool, "n": list, "z": int}


def _is_scan_entry(hit: Any) -> TypeGuard[list[Any]]:
    """True for a well-formed scan cache entry [mtime_ns, size, faces]; a damaged one is scanned again."""
    return (isinstance(hit, list) and len(hit) == 3 and isinstance(hit[2], list)
            and all(isinstance(f, dict) and all(isinstance(f.get(k), t) for k, t in _FACE_KEYS.items())
                    for f in hit[2]))


_SCAN: _ScanCache | None = None


def _scan_cache() -> _ScanCache:
    global _SCAN
    if _SCAN is None:
        _SCAN = _ScanCache()
    return _SCAN


def scan_file(path: str) -> list[FaceRecord]:
    """The faces of one font file (scanned once, cached on disk)."""
    with LOCK:
        scan = _scan_cache()
        recs = _records_from_scan(path, scan.faces(path))
        scan.save()
        return recs


def _records_from_scan(path: str, faces: list[dict]) -> list[FaceRecord]:
    return [FaceRecord(path, f["i"], f["f"], f["s"], f["w"], f["c"], tuple(f["n"]), f["z"]) for f in faces]


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


def _fontconfig_records() -> list[FaceRecord] | None:
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
        recs.append(FaceRecord(path=os.path.abspath(path), index=idx, family=fams[0],
                         style=(styles.split(",")[0] or "Regular"), weight=_fc_to_os2(weight),
                         is_cff=fmt_name.strip().upper().startswith("CFF"), names=names,
                         zh=zh_score(fams)))
    return recs


class FontIndex:
    """Look-ups over scanned faces by normalized name and by file name."""

    def __init__(self, recs: list[FaceRecord]):
        self.recs = recs
        self.by_name: dict[str, list[FaceRecord]] = {}
        self.by_file: dict[str, list[FaceRecord]] = {}
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

    def lookup(self, name: str) -> list[FaceRecord]:
        """Faces matching a family/full/PostScript name, a file name, or a "prefix*" pattern."""
        if os.path.splitext(name)[1].lower() in FONT_EXTS:
            return list(self.by_file.get(name.lower(), []))
        if name.endswith("*"):
            prefix = _norm(name[:-1])
            out: list[FaceRecord] = []
            for key in self.sorted_names[bisect.bisect_left(self.sorted_names, prefix):]:
                if not key.startswith(prefix):
                    break
                out += [r for r in self.by_name[key] if r not in out]
            return out
        return list(self.by_name.get(_norm(name), []))


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).casefold()


_INDEX_CACHE: dict[tuple, FontIndex] = {}


def font_index(system: bool) -> FontIndex:
    """The index of installed faces (with `system`) plus BRIEFGEN_FONT_DIRS, built once per process."""
    extra = tuple(str(d) for d in _extra_font_dirs())
    key = (system, extra, _USE_FONTCONFIG)
    with LOCK:
        hit = _INDEX_CACHE.get(key)
        if hit is not None:
            return hit
        recs: list[FaceRecord] = []
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
        index = _INDEX_CACHE[key] = FontIndex(recs)
        return index


def system_enabled(system: bool | None) -> bool:
    """Whether installed fonts are looked at (``BRIEFGEN_NO_SYSTEM_FONTS`` unless told)."""
    if system is not None:
        return system
    return os.environ.get(_ENV_NO_SYSTEM, "").strip().lower() not in ("1", "true", "yes", "on")


_CLEAR_HOOKS: list[Callable[[], None]] = []


def on_clear(hook: Callable[[], None]) -> None:
    """Run `hook` whenever :func:`clear` runs (caches kept by the writers)."""
    _CLEAR_HOOKS.append(hook)


def clear() -> None:
    """Forget in-memory scan, index and coverage state (disk caches stay)."""
    global _SCAN
    with LOCK:
        _SCAN = None
        _INDEX_CACHE.clear()
        _COVERAGE.clear()
        for hook in _CLEAR_HOOKS:
            hook()
