"""What a face's punctuation looks like: the blank inside each full-width mark that
punctuation compression (标点挤压, :mod:`briefgen.linebreak`) may take away, and the
full-width forms of quotation marks a face only reaches through a variation sequence.

Chinese fonts set ，。、：；！？ and the closing brackets in the left half of an em and the
opening brackets in the right half; how much blank there really is differs by font, so it
is read from the glyphs' bounding boxes (fontTools, cached on disk per file version).

朱雀仿宋 maps “ ” ‘ ’ to narrow Latin quotes and keeps its full-width quotes for the
standardized variation sequences U+201C U+FE01 … (Unicode's "full-width form"); the PDF
engine draws the full-width glyph for the plain character (:func:`fullwidth_variants`),
as Word and browsers do with a Chinese language tag, and the font file stays unmodified.
"""

from __future__ import annotations

import json
from pathlib import Path

from briefgen.files import atomic_write, cache_dir
from briefgen.fonts import discovery
from briefgen.fonts.discovery import LOCK, digest, read_json, stat_key
from briefgen.linebreak import CLOSING_MARKS, OPENING_MARKS

#: At most half an em is ever taken from a mark (GB/T 15834 半角).
MAX_BLANK = 0.5
# Ink keeps this much of the blank (em), so a squeezed mark never touches its neighbour.
_KEEP = 0.02
_QUOTES = (0x2018, 0x2019, 0x201C, 0x201D)
_FULL_WIDTH_SELECTOR = 0xFE01

_FACES: dict[tuple[str, int], dict] = {}


def _read(path: Path, index: int) -> dict:
    """Variant glyphs and punctuation extents of one face, straight from the font file."""
    from fontTools.pens.boundsPen import BoundsPen  # lazy: fontTools only when reading an uncached face
    from fontTools.ttLib import TTFont  # lazy: fontTools only when reading an uncached face

    out: dict = {"variants": {}, "punct": {}}
    with TTFont(str(path), fontNumber=index, lazy=True) as font:
        upem = font["head"].unitsPerEm
        cmap = font.getBestCmap() or {}
        hmtx = font["hmtx"]
        names: dict[int, str] = {}
        # Only TrueType faces are drawn as they are; a CFF face is converted by the PDF
        # writer, which maps plain code points only.
        for table in font["cmap"].tables if "glyf" in font else []:
            if table.format != 14:
                continue
            for cp, glyph in table.uvsDict.get(_FULL_WIDTH_SELECTOR, []):
                if cp in _QUOTES and glyph is not None and cp in cmap:
                    # Only a variant that is really wider than the plain glyph is worth using.
                    if hmtx[glyph][0] >= 0.9 * upem > hmtx[cmap[cp]][0]:
                        names[cp] = glyph
                        out["variants"][str(cp)] = [font.getGlyphID(glyph), round(hmtx[glyph][0] * 1000 / upem)]
        glyph_set = font.getGlyphSet()
        for ch in sorted(OPENING_MARKS | CLOSING_MARKS):
            glyph = names.get(ord(ch)) or cmap.get(ord(ch))
            if glyph is None or glyph not in glyph_set:
                continue
            pen = BoundsPen(glyph_set)
            glyph_set[glyph].draw(pen)
            if pen.bounds is None:
                continue
            x0, _, x1, _ = pen.bounds
            out["punct"][ch] = [hmtx[glyph][0] / upem, x0 / upem, x1 / upem]
    return out


def _face(path: Path, index: int) -> dict:
    key = (str(path), index)
    hit = _FACES.get(key)
    if hit is not None:
        return hit
    with LOCK:
        stat = stat_key(path)
        cache_file = cache_dir() / "punct" / f"{digest(path, index, stat, 2)}.json"
        data = discovery.shipped_fact(path, index, "punct")
        if not isinstance(data, dict):
            data = read_json(cache_file) if stat else None
        if not isinstance(data, dict):
            try:
                data = _read(path, index)
            except Exception:  # an unreadable face simply gets no compression
                data = {"variants": {}, "punct": {}}
            if stat:
                atomic_write(cache_file, json.dumps(data).encode(), best_effort=True)
        _FACES[key] = data
        return data


def fullwidth_variants(path: Path, index: int = 0) -> dict[int, tuple[int, int]]:
    """Code point → (glyph id, advance in 1/1000 em) of the face's full-width quotes, for
    faces whose plain “ ” ‘ ’ are narrow but which map the full-width forms through
    U+FE01; empty for every other face."""
    return {int(cp): (gid, adv) for cp, (gid, adv) in _face(path, index)["variants"].items()}


def blanks(path: Path, index: int = 0) -> dict[str, tuple[float, float]]:
    """Character → (left, right) blank in ems that compression may take from a full-width
    mark of this face: the empty side of its em box, at most half an em."""
    out: dict[str, tuple[float, float]] = {}
    for ch, (adv, x0, x1) in _face(path, index)["punct"].items():
        if adv < 0.9:
            continue  # a narrow (proportional) mark has no blank to give
        if ch in OPENING_MARKS:
            out[ch] = (max(0.0, min(MAX_BLANK, x0 - _KEEP)), 0.0)
        else:
            out[ch] = (0.0, max(0.0, min(MAX_BLANK, adv - x1 - _KEEP)))
    return out


def clear() -> None:
    """Forget the in-memory state (the disk cache stays)."""
    with LOCK:
        _FACES.clear()


discovery.on_clear(clear)
