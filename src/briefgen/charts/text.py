"""Text measured with the renderer that will draw it, and category labels fitted to their slots."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import matplotlib
from matplotlib.font_manager import FontProperties, fontManager, get_font

from briefgen.charts.theme import FS_LABEL

__all__ = ["Measure", "wrap", "XLabels", "fit_xlabels", "font_height_metrics"]

# Line metrics by (font properties, dpi, font lookup state): matplotlib looks the font up and
# reads three of its tables for every text it lays out — twice a text per output, ~120 texts a chart.
_METRICS: dict[tuple, tuple[float | None, float | None, float | None]] = {}


def font_height_metrics(prop: FontProperties, dpi: float) -> tuple[float | None, float | None, float | None]:
    """(ascent, descent, line gap) in pixels at ``dpi`` of the font ``prop`` resolves to, as
    ``matplotlib.text.Text._get_layout`` computes them when a renderer has no
    ``_get_font_height_metrics`` (the same operations in the same order, so the same floats),
    remembered. Renderers offer this under that name (see render.py and recorder.py)."""
    rc = matplotlib.rcParams
    # The generic families' lists decide what a family such as "sans-serif" resolves to.
    key = (prop, dpi, len(fontManager.ttflist), tuple(rc["font.sans-serif"]), tuple(rc["font.serif"]),
           tuple(rc["font.monospace"]), tuple(rc["font.cursive"]), tuple(rc["font.fantasy"]))
    hit = _METRICS.get(key)
    if hit is not None:
        return hit
    out: tuple[float | None, float | None, float | None] = (None, None, None)
    font: Any = get_font(fontManager._find_fonts_by_props(prop))
    for table_name, linegap_key, ascent_key, descent_key in (
            ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
            ("hhea", "lineGap", "ascent", "descent")):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        fontsize = prop.get_size_in_points()
        units_per_em = font.get_sfnt_table("head")["unitsPerEm"]
        scale = 1 / units_per_em * fontsize * dpi / 72
        out = (table[ascent_key] * scale, -table[descent_key] * scale, table[linegap_key] * scale)
        break
    if len(_METRICS) > 4096:
        _METRICS.clear()
    _METRICS[(prop.copy(),) + key[1:]] = out  # a copy: the caller's properties may change later
    return out

# Extents by (dpi, font settings): region names and tick labels recur in every chart
# of a batch, and measuring one costs a FreeType layout.
_EXTENTS: dict[tuple, dict[tuple[str, float], tuple[float, float]]] = {}


class Measure:
    """Text extents in points for the figure ``fig``, under the font settings in force
    (``rcParams``) when it is made."""

    def __init__(self, fig):
        self._r = fig.canvas.get_renderer()
        self._k = 72.0 / fig.dpi
        self._props: dict[float, Any] = {}
        rc = matplotlib.rcParams
        key = (fig.dpi, tuple(rc["font.family"]), rc["font.weight"], rc["font.style"], rc["font.stretch"],
               rc["text.parse_math"])
        if sum(len(c) for c in _EXTENTS.values()) > 50_000:
            _EXTENTS.clear()
        self._cache: dict[tuple[str, float], tuple[float, float]] = _EXTENTS.setdefault(key, {})

    def prop(self, size: float) -> FontProperties:
        """Font properties of the given size, in the figure's font family."""
        if size not in self._props:
            self._props[size] = FontProperties(size=size)
        return self._props[size]

    def line(self, s: str, size: float) -> tuple[float, float]:
        """(width, height) of one line of text; the empty string is 0 wide."""
        key = (s, size)
        if key not in self._cache:
            w, h, _ = self._r.get_text_width_height_descent(s or " ", self.prop(size), ismath=False)
            self._cache[key] = (w * self._k if s else 0.0, h * self._k)
        return self._cache[key]

    def width(self, s: str, size: float) -> float:
        """Width of the widest line of ``s``."""
        return max(self.line(part, size)[0] for part in s.split("\n"))

    def line_h(self, size: float) -> float:
        """Distance between baselines, as matplotlib spaces multi-line text."""
        return max(self.line("国Ag", size)[1], size) * 1.2

    def glyph_h(self, size: float) -> float:
        """Height of one line of text, ascender to descender."""
        return max(self.line("国Ag", size)[1], size)


_TOKEN = re.compile(r"[0-9A-Za-z.%\-+]+|\s+|.", re.S)


def _split(s: str, lines: int) -> list[str]:
    """Split into ``lines`` near-equal lines, longer ones last (名称 often end in
    a three-character suffix such as 开发区), never inside a number or word."""
    base, extra = divmod(len(s), lines)
    targets = [base + (1 if k >= lines - extra else 0) for k in range(lines)]
    out: list[str] = []
    cur = ""
    for t in _TOKEN.findall(s):
        if cur.strip() and len(out) < lines - 1 and len(cur) + len(t) > targets[len(out)]:
            out.append(cur.strip())
            cur = ""
        cur += t
    out.append(cur.strip())
    return out


def wrap(m: Measure, s: str, fs: float, room: float, max_lines: int = 4) -> str | None:
    """``s`` wrapped onto the fewest lines that fit ``room`` points at size ``fs``,
    or None if it needs more than ``max_lines``."""
    s = s.strip()
    for lines in range(2, max_lines + 1):
        parts = _split(s, lines)
        if len(parts) < 2 or any(len(p) < 2 for p in parts):
            continue  # a lone "年" on its own line reads worse than a rotated label
        if all(m.width(p, fs) <= room for p in parts):
            return "\n".join(parts)
    return None


@dataclass
class XLabels:
    """How category labels are set under the x axis."""

    texts: list[str]
    rotation: float
    fontsize: float
    height: float  # pt taken below the axis
    overhang: float  # pt the first label reaches left of its slot centre


def fit_xlabels(m: Measure, cats: list[str], slot: float) -> XLabels:
    """Category labels for slots ``slot`` points wide: upright if they fit, else
    wrapped or rotated, whichever is lower; every k-th label if nothing fits."""
    room = slot - 2.5
    for fs in (FS_LABEL, 9.5, 9.0):
        widths = [m.width(c, fs) for c in cats]
        if max(widths) <= room:
            return XLabels(list(cats), 0, fs, m.glyph_h(fs), widths[0] / 2)
    options: list[XLabels] = []
    for fs in (FS_LABEL, 9.0):
        lines = [c if m.width(c, fs) <= slot - 3 else wrap(m, c, fs, slot - 3) for c in cats]
        texts = [t for t in lines if t is not None]
        if len(texts) == len(lines):
            k = max(t.count("\n") + 1 for t in texts)
            options.append(XLabels(texts, 0, fs, m.line_h(fs) * (k - 1) + m.glyph_h(fs),
                                   m.width(texts[0], fs) / 2))
            break
    s45 = math.sin(math.radians(45))
    for fs in (FS_LABEL, 9.0):
        g = m.glyph_h(fs)
        if slot >= g / s45 + 2:
            w = max(m.width(c, fs) for c in cats)
            options.append(XLabels(list(cats), 45, fs, (w + g) * s45 + 2,
                                   m.width(cats[0], fs) * s45 + g / 2))
            break
    if options:
        # a wrapped label is easier to read, so it wins unless clearly taller
        wrapped = [o for o in options if o.rotation == 0]
        rotated = [o for o in options if o.rotation]
        if wrapped and (not rotated or wrapped[0].height <= rotated[0].height * 1.25):
            return wrapped[0]
        return rotated[0]
    # Very many categories: vertical text, every k-th label.
    fs = 9.0
    g = m.glyph_h(fs)
    k = max(1, math.ceil((g + 2) / max(slot, 1e-6)))
    texts = [c if i % k == 0 else "" for i, c in enumerate(cats)]
    return XLabels(texts, 90, fs, max(m.width(c, fs) for c in cats) + 2, g / 2)
