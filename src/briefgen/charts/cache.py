"""The chart cache: a chart whose spec, font and drawing code are unchanged is
copied from the PNG or vector drawing made before, and matplotlib is then never loaded.

Monthly briefings rebuilt after a wording change, and batch reruns, redraw
nothing; ``BRIEFGEN_CHART_CACHE=0`` turns the cache off.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import zlib
from importlib import metadata
from pathlib import Path
from typing import Any

from briefgen import __version__
from briefgen.charts.vector import SUFFIX
from briefgen.files import atomic_write, cache_dir

__all__ = ["cached_chart", "restore", "FALLBACK_PNG"]

FALLBACK_PNG = ".fallback.png"  # the cache's name for a PNG painted from its vector chart

_PACKAGE = Path(__file__).parent
# Modules outside the package whose code changes chart pixels: labels print through zh.num.
_ALSO_DRAWS = (_PACKAGE.parent / "zh.py",)


@functools.lru_cache(maxsize=1)
def _chart_code_fingerprint() -> bytes:
    """The drawing code's identity: versions, and every .py file of this package
    (plus ``_ALSO_DRAWS``), read once per process rather than once per chart."""
    h = hashlib.sha256(f"{__version__}|{metadata.version('matplotlib')}|".encode())
    files = sorted(_PACKAGE.rglob("*.py")) + list(_ALSO_DRAWS)
    for path in files:
        # the name too: moving code between files is a change
        h.update(f"{path.relative_to(_PACKAGE.parent).as_posix()}\0".encode())
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.digest()


def _chart_key(spec: Any, font_path: Path | None, font_index: int) -> str:
    """Everything a chart's pixels depend on: its spec, the font file, the drawing code."""
    h = hashlib.sha256()
    h.update(json.dumps(dataclasses.asdict(spec), sort_keys=True, ensure_ascii=False, default=str).encode())
    if font_path is not None:
        # A font file replaced under its name (a copy keeps size and mtime) has a new inode or ctime.
        real = Path(font_path).resolve()
        st = real.stat()
        h.update(f"{real}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}|{st.st_ctime_ns}|{font_index}".encode())
    h.update(_chart_code_fingerprint())
    return h.hexdigest()


def _png_suffix(vector: Path | None) -> str:
    # A PNG beside a vector chart is painted from it (a fallback picture): kept apart from one drawn alone.
    return FALLBACK_PNG if vector is not None else ".png"


def restore(spec: Any, out: Path | None, font_path: Path | None, font_index: int = 0, *,
            vector: Path | None = None) -> bool:
    """Copy every file of ``spec`` asked for from the cache; False (nothing drawn, perhaps some
    files copied) when one is missing or the cache is off: then :func:`cached_chart` draws."""
    if os.environ.get("BRIEFGEN_CHART_CACHE", "1") == "0":
        return False
    key = _chart_key(spec, font_path, font_index)
    found = []
    for suffix, path in ((_png_suffix(vector), out), (SUFFIX, vector)):
        if path is not None:
            data = _read_intact(cache_dir() / "charts" / f"{key}{suffix}", suffix)
            if data is None:
                return False
            found.append((path, data))
    for path, data in found:
        path.write_bytes(data)
    return True


def cached_chart(spec: Any, out: Path | None, font_path: Path | None, font_index: int = 0, *,
                 vector: Path | None = None) -> Path | None:
    """Draw ``spec`` like ``render_chart`` into the PNG ``out`` and/or the vector chart
    ``vector`` (either may be None), or copy the identical files drawn before; return ``out``.

    Only what is missing from the cache is drawn, in one layout for both files. A PNG asked for
    beside the vector chart is painted from it (a native chart's fallback picture, see
    ``render_chart``), so it is kept apart from a PNG drawn alone, and drawn again with its
    vector chart when either is missing.
    """
    png = _png_suffix(vector)
    wanted = {suffix: path for suffix, path in ((png, out), (SUFFIX, vector)) if path is not None}
    if os.environ.get("BRIEFGEN_CHART_CACHE", "1") == "0":
        _render(spec, out, vector, font_path, font_index)
        return out
    key = _chart_key(spec, font_path, font_index)
    cached = {suffix: cache_dir() / "charts" / f"{key}{suffix}" for suffix in wanted}
    missing = set()
    for suffix, entry in cached.items():
        data = _read_intact(entry, suffix)
        if data is None:
            missing.add(suffix)
        else:
            wanted[suffix].write_bytes(data)
    if missing:
        both = png == FALLBACK_PNG and out is not None
        _render(spec, out if both or png in missing else None, vector if both or SUFFIX in missing else None,
                font_path, font_index)
        for suffix in missing:
            # Atomic: parallel workers may store the same chart; a read-only cache only costs speed.
            atomic_write(cached[suffix], wanted[suffix].read_bytes(), best_effort=True)
    return out


def _read_intact(entry: Path, suffix: str) -> bytes | None:
    """A cache entry's bytes, or None when it is missing or damaged (a full disk, a killed
    copy): a damaged entry is removed so the chart is drawn and stored again."""
    if not entry.is_file():
        return None
    try:
        data = entry.read_bytes()
    except OSError:
        return None
    if _intact_png(data) if suffix.endswith(".png") else _intact_json(data):
        return data
    try:
        entry.unlink()
    except OSError:
        pass
    return None


def _intact_json(data: bytes) -> bool:
    """True for a vector chart file that parses as a JSON object."""
    try:
        return isinstance(json.loads(data), dict)
    except ValueError:
        return False


def _intact_png(data: bytes) -> bool:
    """True for a whole PNG: the signature, every chunk's CRC, and the final IEND chunk."""
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return False
    pos = 8
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        end = pos + 8 + length
        if end + 4 > len(data) or zlib.crc32(data[pos + 4:end]) != int.from_bytes(data[end:end + 4], "big"):
            return False
        if kind == b"IEND":
            return True
        pos = end + 4
    return False


def _render(spec: Any, out: Path | None, vector: Path | None, font_path: Path | None, font_index: int) -> None:
    from briefgen.charts.render import render_chart  # local: a cache hit must not load matplotlib

    render_chart(spec, out, font_path, font_index, vector=vector)
