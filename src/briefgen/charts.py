"""Charts for briefings: each chart is drawn once into a PNG that every writer embeds.

Drawing uses matplotlib's object API on an Agg canvas (never pyplot), so worker
processes carry no global figure state. The figure is laid out by hand at its
printed size: every text is measured with the real font before the axes are
placed, which keeps labels unclipped without the extra layout passes of
matplotlib's constrained layout.

Not thread-safe: the font settings are applied with ``rc_context`` around each
render. Use processes for parallelism.
"""

from __future__ import annotations

import math
import numbers
import os
import re
import threading
import warnings
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from briefgen.errors import BriefgenError, BriefgenWarning

__all__ = [
    "CHART_TYPES", "ACCENT", "PALETTE", "Series", "ChartSpec",
    "render_chart", "validate_spec", "default_font_path", "register_font",
]

CHART_TYPES = ("bar", "line", "bar_line", "hbar_rank", "pie", "donut", "stacked_bar")
SERIES_KINDS = ("bar", "line")
AXES = ("left", "right")

ACCENT = "#C00000"
# Sober official colours: dark blue first (bars), deep red second (the line of a
# bar+line chart), then colours that stay distinct when printed in greyscale.
PALETTE = [
    "#1F4E79",  # dark blue
    "#C00000",  # deep red
    "#5B8DB8",  # steel blue
    "#7F7F7F",  # grey
    "#BF9000",  # gold
    "#548235",  # green
    "#9DC3E6",  # light blue
    "#C55A11",  # rust
    "#7030A0",  # purple
    "#BFBFBF",  # light grey
]

TEXT = "#262626"
MUTED = "#595959"
GRID = "#D9D9D9"
SPINE = "#808080"

# Printed sizes in points: 五号 for Chinese labels, 小五 for numbers.
FS_LABEL = 10.5
FS_LEGEND = 10.5
FS_UNIT = 10.0
FS_TICK = 9.0
FS_DATA = 9.0
FS_SOURCE = 9.0
FS_TITLE = 12.0
PAD = 4.0  # outer margin, pt


@dataclass
class Series:
    name: str  # legend label
    values: list[float | None]  # aligned with categories; None = missing (gap, no label)
    kind: str = "bar"  # "bar" | "line"
    axis: str = "left"  # "left" | "right"
    unit: str = ""  # "亿元", "%", "家"
    decimals: int | None = None  # data labels; None = 0 for integers, else 1


@dataclass
class ChartSpec:
    type: str  # one of CHART_TYPES
    categories: list[str]
    series: list[Series]
    title: str = ""  # the document prints the caption; drawn only if show_title
    show_title: bool = False
    unit: str = ""  # left axis unit, shown as 单位：… at the top left
    unit2: str = ""  # right axis unit
    source: str = ""  # drawn under the plot only if source_in_image
    source_in_image: bool = False
    labels: bool = True  # data labels
    highlight: str | None = None  # category drawn in the accent colour; ignored if absent
    palette: list[str] | None = None
    width_cm: float = 15.0
    height_cm: float = 8.0
    dpi: int = 200
    sort: str | None = None  # hbar_rank: "desc" | "asc"
    target: float | None = None  # reference line
    target_label: str = "目标值"
    rank_numbers: bool = False  # hbar_rank: prefix 1, 2, 3 … to the category names
    accent: str = ACCENT


# --------------------------------------------------------------------------
# validation


def _where(spec: ChartSpec, where: str) -> str:
    if where:
        return where
    return f"图表“{spec.title}”" if spec.title else "图表"


def _is_number(v: Any) -> bool:
    # numbers.Real covers numpy scalars; Decimal is welcome too (a database may return it)
    return isinstance(v, (numbers.Real, Decimal)) and not isinstance(v, bool)


def _normalized(spec: ChartSpec) -> ChartSpec:
    """A copy with str categories and float/None values, so drawing never meets Decimal."""
    def num(v):
        if v is None:
            return None
        f = float(v)
        return None if math.isnan(f) else f

    return replace(spec, categories=[str(c) for c in spec.categories],
                   series=[replace(s, values=[num(v) for v in s.values]) for s in spec.series],
                   highlight=None if spec.highlight is None else str(spec.highlight))


def validate_spec(spec: ChartSpec, where: str = "") -> None:
    """Raise BriefgenError (in Chinese) for a chart that cannot be drawn sensibly."""
    w = _where(spec, where)
    if spec.type not in CHART_TYPES:
        raise BriefgenError(f"未知的图表类型“{spec.type}”", where=w,
                            hint="可用类型：" + "、".join(CHART_TYPES))
    if not spec.categories:
        raise BriefgenError("图表没有类别（横轴标签为空）", where=w)
    if not spec.series:
        raise BriefgenError("图表没有数据系列", where=w)
    n = len(spec.categories)
    for i, s in enumerate(spec.series):
        label = f"数据系列“{s.name}”" if s.name else f"第{i + 1}个数据系列"
        if s.kind not in SERIES_KINDS:
            raise BriefgenError(f"{label}的类型“{s.kind}”无效", where=w, hint="只能是 bar 或 line")
        if s.axis not in AXES:
            raise BriefgenError(f"{label}的坐标轴“{s.axis}”无效", where=w, hint="只能是 left 或 right")
        if len(s.values) != n:
            raise BriefgenError(f"{label}有 {len(s.values)} 个数值，与 {n} 个类别不一致", where=w)
        for j, v in enumerate(s.values):
            if v is None:
                continue
            if not _is_number(v):
                raise BriefgenError(f"{label}的第{j + 1}个数值“{v}”不是数字", where=w)
            if math.isinf(float(v)):
                raise BriefgenError(f"{label}的第{j + 1}个数值为无穷大", where=w)
        if s.decimals is not None and not (0 <= s.decimals <= 6):
            raise BriefgenError(f"{label}的小数位数 {s.decimals} 超出范围", where=w, hint="应为 0～6")
    if not any(_present(v) for s in spec.series for v in s.values):
        raise BriefgenError("图表没有任何有效数值（全部缺失）", where=w)
    if spec.type in ("pie", "donut", "hbar_rank") and len(spec.series) != 1:
        name = "饼图" if spec.type != "hbar_rank" else "排名条形图"
        raise BriefgenError(f"{name}只能有一个数据系列，现有 {len(spec.series)} 个", where=w)
    if spec.type in ("pie", "donut"):
        vals = [float(v) for v in spec.series[0].values if _present(v)]
        neg = [str(spec.categories[j]) for j, v in enumerate(spec.series[0].values)
               if _present(v) and v < 0]
        if neg:
            raise BriefgenError("饼图不能有负值：" + "、".join(neg), where=w, hint="改用柱形图或条形图")
        if sum(vals) <= 0:
            raise BriefgenError("饼图的数值合计为零", where=w)
    if spec.type == "bar_line":
        kinds = {s.kind for s in spec.series}
        if kinds != {"bar", "line"}:
            raise BriefgenError("柱线组合图需要至少一个柱形系列和一个折线系列", where=w,
                                hint="为折线系列设置 kind: line")
    if spec.type == "stacked_bar" and not any(s.kind == "bar" for s in spec.series):
        raise BriefgenError("堆积柱形图至少需要一个柱形系列", where=w)
    if spec.sort not in (None, "desc", "asc"):
        raise BriefgenError(f"排序方式“{spec.sort}”无效", where=w, hint="只能是 desc 或 asc")
    if not (2.0 <= spec.width_cm <= 60.0) or not (2.0 <= spec.height_cm <= 60.0):
        raise BriefgenError(f"图表尺寸 {spec.width_cm}×{spec.height_cm} 厘米不合理", where=w,
                            hint="宽、高应在 2～60 厘米之间")
    if not (50 <= spec.dpi <= 1200):
        raise BriefgenError(f"分辨率 {spec.dpi} dpi 不合理", where=w, hint="应在 50～1200 之间")
    if spec.target is not None and (not _is_number(spec.target) or not math.isfinite(spec.target)):
        raise BriefgenError(f"目标值“{spec.target}”不是有效数字", where=w)
    if spec.palette is not None or spec.accent != ACCENT:
        for c in [*(spec.palette or []), spec.accent]:
            if not isinstance(c, str) or not _color_ok(c):
                raise BriefgenError(f"颜色“{c}”无效", where=w, hint="请使用 #RRGGBB 形式")
        if spec.palette is not None and not spec.palette:
            raise BriefgenError("调色板为空", where=w)


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _color_ok(c: str) -> bool:
    # #RRGGBB needs no matplotlib: validating a template palette must not load it
    # when every chart comes from the cache.
    if _HEX.fullmatch(c):
        return True
    from matplotlib.colors import is_color_like

    return is_color_like(c)


def _present(v: Any) -> bool:
    """Not missing: None and NaN (of any numeric type) are gaps."""
    if v is None:
        return False
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return True  # not a number at all: validation names it


# --------------------------------------------------------------------------
# fonts

_font_lock = threading.Lock()
_families: dict[tuple[str, int], str] = {}
_charmaps: dict[tuple[str, int], frozenset[int]] = {}


def default_font_path() -> Path:
    """The WenQuanYi Micro Hei shipped by paperang_p2_fonts_cjk (works without system fonts)."""
    from briefgen.fonts.chains import default_font_path as _default_font_path

    path = _default_font_path()
    if path is None:
        raise BriefgenError("找不到默认中文字体（pip 包 paperang-p2-fonts-cjk 中的 wqy-microhei.ttc）",
                            hint="pip install paperang-p2-fonts-cjk，或在模板中指定字体文件")
    return path


def register_font(font_path: Path | str | None = None, font_index: int = 0) -> str:
    """Register a CJK font with matplotlib (once per process) and return its family name."""
    path = Path(font_path) if font_path is not None else default_font_path()
    key = (os.path.realpath(path), int(font_index))
    with _font_lock:
        if key in _families:
            return _families[key]
        if not path.is_file():
            raise BriefgenError("找不到字体文件", where=str(path))
        from matplotlib import font_manager, ft2font

        try:
            face = ft2font.FT2Font(key[0])
            if not 0 <= font_index < face.num_faces:
                raise BriefgenError(f"字体集合只有 {face.num_faces} 个字体，序号 {font_index} 无效",
                                    where=str(path))
            if font_index:
                face = ft2font.FT2Font(key[0], face_index=font_index)
        except (OSError, RuntimeError, ValueError) as e:
            raise BriefgenError("无法读取字体文件", where=str(path), hint=str(e)) from e
        charmap = frozenset(face.get_charmap())
        if ord("中") not in charmap:
            raise BriefgenError("字体不含中文字形，图中的中文会显示为方框", where=str(path),
                                hint="请选用中文字体，如文泉驿微米黑、思源黑体")
        font_manager.fontManager.addfont(key[0])
        _families[key] = face.family_name
        _charmaps[key] = charmap
        return face.family_name


def _fallback_charmap() -> frozenset[int]:
    """Code points of DejaVu Sans (shipped with matplotlib), the fallback font."""
    key = ("<fallback>", 0)
    if key not in _charmaps:
        from matplotlib import font_manager, ft2font

        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        _charmaps[key] = frozenset(ft2font.FT2Font(path).get_charmap())
    return _charmaps[key]


def _warn_missing_glyphs(spec: ChartSpec, key: tuple[str, int], where: str) -> None:
    """Name, in Chinese, the characters no font has: they would print as boxes."""
    text = "".join([*spec.categories, spec.title, spec.unit, spec.unit2, spec.source,
                    spec.target_label, *(s.name + s.unit for s in spec.series)])
    cmap = _charmaps.get(key, frozenset())
    missing = sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})
    if missing:
        fallback = _fallback_charmap()
        missing = [ch for ch in missing if ord(ch) not in fallback]
    if missing:
        chars = "、".join(f"“{ch}”（U+{ord(ch):04X}）" for ch in missing)
        warnings.warn(BriefgenWarning(f"{where}：字体缺少字符 {chars}，图中将显示为方框"),
                      stacklevel=3)


# --------------------------------------------------------------------------
# numbers


def _auto_decimals(values: list[float]) -> int:
    if all(float(v).is_integer() for v in values):
        return 0
    return 2 if max(abs(v) for v in values) < 1 else 1


def _fmt(v: float, decimals: int, unit: str = "") -> str:
    s = f"{v:.{decimals}f}"
    if s.startswith("-") and float(s) == 0:
        s = s[1:]  # no "-0.0"
    if unit in ("%", "％", "‰"):
        s += unit
    return s


def _step_decimals(step: float) -> int:
    for d in range(0, 7):
        if abs(round(step * 10 ** d) - step * 10 ** d) < 1e-6 * max(1.0, step * 10 ** d):
            return d
    return 6


def _nice_steps(smin: float):
    """Nice tick steps (1, 2, 2.5, 5 × 10^k) not below smin, ascending."""
    smin = max(smin, 1e-12)
    e = math.floor(math.log10(smin)) - 1
    while True:
        for m in (1, 2, 2.5, 5):
            s = m * 10.0 ** e
            if s >= smin * (1 - 1e-9):
                yield s
        e += 1


def _limits(lo: float, hi: float, f_lo: float, f_hi: float, nbins: int,
            zero: bool) -> tuple[float, float, float]:
    """Axis limits snapped to nice ticks, leaving fractions f_lo/f_hi free for labels.

    ``zero`` pins the baseline of bars at 0 when the data do not cross it.
    """
    if zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        if lo == 0:
            f_lo = 0.0
        if hi == 0:
            f_hi = 0.0
    if hi - lo <= 0:
        mag = abs(hi) or 1.0
        lo, hi = (lo - 0.5 * mag, hi + 0.5 * mag) if not zero else (lo, lo + mag)
    free = max(0.2, 1.0 - f_lo - f_hi)
    span = (hi - lo) / free
    lo_t, hi_t = lo - f_lo * span, hi + f_hi * span
    for step in _nice_steps((hi_t - lo_t) / nbins):
        a = math.floor(lo_t / step + 1e-9) * step
        b = math.ceil(hi_t / step - 1e-9) * step
        if round((b - a) / step) <= nbins + 1:
            return a, b, step
    raise AssertionError("unreachable")


def _align(lo: float, hi: float, n: int, f_lo: float, f_hi: float, nonneg: bool,
           strict: bool) -> tuple[float, float] | None:
    """Right axis (start, step) whose n intervals share the left axis' grid lines.

    The data should fall in the axes fractions [f_lo, f_hi]. ``nonneg`` keeps the
    axis from reaching below zero for data that never do; with ``strict`` the
    lower fraction must hold too, else None.
    """
    band = max(0.05, f_hi - f_lo)
    spread = max(hi - lo, 0.02 * max(abs(lo), abs(hi)), 1e-9)
    for step in _nice_steps(spread / (band * n)):
        start = math.floor((lo - f_lo * n * step) / step + 1e-9) * step
        if nonneg and start < 0:
            if strict:
                return None
            start = 0.0
        if start + f_hi * n * step >= hi - 1e-9 * step:
            return start, step
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------
# text measuring and label fitting


# Extents by (dpi, font settings): region names and tick labels recur in every chart
# of a batch, and measuring one costs a FreeType layout.
_EXTENTS: dict[tuple, dict[tuple[str, float], tuple[float, float]]] = {}


class _Measure:
    """Text extents in points, measured with the renderer that will draw them."""

    def __init__(self, fig):
        import matplotlib
        from matplotlib.font_manager import FontProperties

        self._r = fig.canvas.get_renderer()
        self._k = 72.0 / fig.dpi
        self._props: dict[float, Any] = {}
        self._fp = FontProperties
        rc = matplotlib.rcParams
        key = (fig.dpi, tuple(rc["font.family"]), rc["font.weight"], rc["font.style"], rc["font.stretch"],
               rc["text.parse_math"])
        if sum(len(c) for c in _EXTENTS.values()) > 50_000:
            _EXTENTS.clear()
        self._cache: dict[tuple[str, float], tuple[float, float]] = _EXTENTS.setdefault(key, {})

    def prop(self, size: float):
        if size not in self._props:
            self._props[size] = self._fp(size=size)
        return self._props[size]

    def line(self, s: str, size: float) -> tuple[float, float]:
        key = (s, size)
        if key not in self._cache:
            w, h, _ = self._r.get_text_width_height_descent(s or " ", self.prop(size), ismath=False)
            self._cache[key] = (w * self._k if s else 0.0, h * self._k)
        return self._cache[key]

    def width(self, s: str, size: float) -> float:
        return max(self.line(part, size)[0] for part in s.split("\n"))

    def line_h(self, size: float) -> float:
        """Distance between baselines, as matplotlib spaces multi-line text."""
        return max(self.line("国Ag", size)[1], size) * 1.2

    def glyph_h(self, size: float) -> float:
        return max(self.line("国Ag", size)[1], size)


_TOKEN = re.compile(r"[0-9A-Za-z.%\-+]+|\s+|.", re.S)


def _split(s: str, lines: int) -> list[str]:
    """Split into ``lines`` near-equal lines, longer ones last (名称 often end in
    a three-character suffix such as 开发区), never inside a number or word."""
    base, extra = divmod(len(s), lines)
    targets = [base + (1 if k >= lines - extra else 0) for k in range(lines)]
    out, cur = [], ""
    for t in _TOKEN.findall(s):
        if cur.strip() and len(out) < lines - 1 and len(cur) + len(t) > targets[len(out)]:
            out.append(cur.strip())
            cur = ""
        cur += t
    out.append(cur.strip())
    return out


def _wrap(m: "_Measure", s: str, fs: float, room: float, max_lines: int = 4) -> str | None:
    """Wrap a label to fit ``room`` points, or None if it needs more than max_lines."""
    s = s.strip()
    for lines in range(2, max_lines + 1):
        parts = _split(s, lines)
        if len(parts) < 2 or any(len(p) < 2 for p in parts):
            continue  # a lone "年" on its own line reads worse than a rotated label
        if all(m.width(p, fs) <= room for p in parts):
            return "\n".join(parts)
    return None


@dataclass
class _XLabels:
    texts: list[str]
    rotation: float
    fontsize: float
    height: float  # pt taken below the axis
    overhang: float  # pt the first label reaches left of its slot centre


def _fit_xlabels(m: _Measure, cats: list[str], slot: float) -> _XLabels:
    """Category labels upright if they fit, else wrapped or rotated, whichever is lower."""
    room = slot - 2.5
    for fs in (FS_LABEL, 9.5, 9.0):
        widths = [m.width(c, fs) for c in cats]
        if max(widths) <= room:
            return _XLabels(list(cats), 0, fs, m.glyph_h(fs), widths[0] / 2)
    options: list[_XLabels] = []
    for fs in (FS_LABEL, 9.0):
        wrapped = [c if m.width(c, fs) <= slot - 3 else _wrap(m, c, fs, slot - 3) for c in cats]
        if all(t is not None for t in wrapped):
            k = max(t.count("\n") + 1 for t in wrapped)
            options.append(_XLabels(wrapped, 0, fs, m.line_h(fs) * (k - 1) + m.glyph_h(fs),
                                    m.width(wrapped[0], fs) / 2))
            break
    s45 = math.sin(math.radians(45))
    for fs in (FS_LABEL, 9.0):
        g = m.glyph_h(fs)
        if slot >= g / s45 + 2:
            w = max(m.width(c, fs) for c in cats)
            options.append(_XLabels(list(cats), 45, fs, (w + g) * s45 + 2,
                                    m.width(cats[0], fs) * s45 + g / 2))
            break
    if options:
        # a wrapped label is easier to read, so it wins unless clearly taller
        wrapped = [o for o in options if o.rotation == 0]
        rotated = [o for o in options if o.rotation]
        if wrapped and (not rotated or wrapped[0].height <= rotated[0].height * 1.25):
            return wrapped[0]
        return rotated[0]
    # Very many categories: upright text, every k-th label.
    fs = 9.0
    g = m.glyph_h(fs)
    k = max(1, math.ceil((g + 2) / max(slot, 1e-6)))
    texts = [c if i % k == 0 else "" for i, c in enumerate(cats)]
    return _XLabels(texts, 90, fs, max(m.width(c, fs) for c in cats) + 2, g / 2)


def _seg_hits(b: tuple[float, float, float, float], p: tuple[float, float],
              q: tuple[float, float]) -> bool:
    """Whether segment pq crosses box b (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = b
    dx, dy = q[0] - p[0], q[1] - p[1]
    t0, t1 = 0.0, 1.0
    for pk, qk in ((-dx, p[0] - x0), (dx, x1 - p[0]), (-dy, p[1] - y0), (dy, y1 - p[1])):
        if pk == 0:
            if qk < 0:
                return False
            continue
        t = qk / pk
        if pk < 0:
            if t > t1:
                return False
            t0 = max(t0, t)
        else:
            if t < t0:
                return False
            t1 = min(t1, t)
    return True


def _overlap(a, b, gap: float = 1.5) -> bool:
    """Boxes closer than ``gap`` points count as touching."""
    return a[0] < b[2] + gap and b[0] < a[2] + gap and a[1] < b[3] + gap and b[1] < a[3] + gap


class _Placer:
    """Greedy label placement in axes points: no label may cover another label
    or a data point; crossing a line or a bar is tolerated but avoided."""

    HARD = 100.0

    def __init__(self, width: float, height: float):
        self.w, self.h = width, height
        self.labels: list[tuple[float, float, float, float]] = []
        self.marks: list[tuple[float, float, float, float]] = []
        self.bars: list[tuple[float, float, float, float]] = []
        self.segs: list[tuple[tuple[float, float], tuple[float, float]]] = []

    def cost(self, b) -> float:
        c = 0.0
        if b[1] < -1 or b[3] > self.h + 1:
            c += self.HARD
        c += self.HARD * sum(_overlap(b, o) for o in self.labels)
        c += self.HARD / 2 * sum(_overlap(b, o) for o in self.marks)
        c += 4 * sum(_seg_hits(b, p, q) for p, q in self.segs)
        c += 2 * sum(_overlap(b, o, 0.0) for o in self.bars)
        return c

    def choose(self, boxes: list, force: bool = False) -> int | None:
        """Index of the cheapest box (earlier ones win ties), or None if all collide."""
        costs = [self.cost(b) + 0.5 * k for k, b in enumerate(boxes)]
        k = min(range(len(boxes)), key=costs.__getitem__)
        if costs[k] >= self.HARD and not force:
            return None
        self.labels.append(boxes[k])
        return k


# --------------------------------------------------------------------------
# rendering


def _ink_on(color: str | None) -> str:
    """Text colour readable on a fill: white on dark, near-black on light."""
    if color is None:
        return TEXT
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 0.6 else "white"


def _colors(spec: ChartSpec) -> list[str]:
    return list(spec.palette) if spec.palette else list(PALETTE)


def _decimals(s: Series) -> int:
    if s.decimals is not None:
        return s.decimals
    vals = [v for v in s.values if _present(v)]
    return _auto_decimals(vals) if vals else 0


def _axis_of(spec: ChartSpec, s: Series) -> str:
    """Series axis; a line whose unit differs from the bars' goes right by itself."""
    if all(x.axis == "right" for x in spec.series):
        return "left"  # a lone right axis would leave the left one empty
    if s.axis == "right":
        return "right"
    if spec.type in ("bar_line", "stacked_bar") and s.kind == "line":
        bar_units = {b.unit for b in spec.series if b.kind == "bar"}
        if s.unit and bar_units and s.unit not in bar_units:
            return "right"
    return "left"


def _kind_of(spec: ChartSpec, s: Series) -> str:
    if spec.type == "bar":
        return "bar"
    if spec.type == "line":
        return "line"
    return s.kind


def render_chart(spec: ChartSpec, out: Path, font_path: Path | str | None = None,
                 font_index: int = 0) -> Path:
    """Draw ``spec`` into the PNG ``out`` at its printed size and return ``out``."""
    validate_spec(spec)
    spec = _normalized(spec)
    out = Path(out)
    family = register_font(font_path, font_index)
    fkey = (os.path.realpath(Path(font_path) if font_path is not None else default_font_path()),
            int(font_index))
    _warn_missing_glyphs(spec, fkey, _where(spec, ""))

    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from PIL import Image

    rc = {
        "font.family": [family, "DejaVu Sans"],  # DejaVu only for glyphs the CJK font lacks
        "font.size": FS_TICK,
        "axes.unicode_minus": False,
        "text.parse_math": False,  # a "$" in a label is text, not mathtext
        "figure.facecolor": "white",
        "savefig.facecolor": "white",
        "axes.facecolor": "white",
        "text.color": TEXT,
        "xtick.color": TEXT,
        "ytick.color": TEXT,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(rc):
        fig = Figure(figsize=(spec.width_cm / 2.54, spec.height_cm / 2.54), dpi=spec.dpi)
        FigureCanvasAgg(fig)
        try:
            _Chart(spec, fig).draw()
            fig.canvas.draw()
            # Opaque RGB: a PDF then needs no soft mask (PDF/A forbids them), and
            # PIL writes no version stamp, so the bytes are stable across runs.
            img = Image.frombuffer("RGBA", fig.canvas.get_width_height(),
                                   fig.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
            # zlib's run-length strategy suits flat chart colours: half the encoding
            # time of the default for files about 7% larger, same pixels.
            img.convert("RGB").save(out, format="png", dpi=(spec.dpi, spec.dpi),
                                    compress_level=6, compress_type=3)
        finally:
            fig.clear()
    return out


class _Chart:
    def __init__(self, spec: ChartSpec, fig):
        self.spec = spec
        self.fig = fig
        self.m = _Measure(fig)
        self.W = spec.width_cm / 2.54 * 72
        self.H = spec.height_cm / 2.54 * 72
        self.colors = _colors(spec)
        self.hl = spec.highlight if spec.highlight in spec.categories else None

    def fx(self, pt: float) -> float:
        return pt / self.W

    def fy(self, pt: float) -> float:
        return pt / self.H

    def base_color(self) -> str:
        """First palette colour that is not the accent, for single-colour bars."""
        return self.plain_colors()[0]

    def plain_colors(self) -> list[str]:
        accent = self.spec.accent.lower()
        return [c for c in self.colors if c.lower() != accent] or self.colors

    def series_colors(self, kinds: list[str]) -> list[str]:
        """Bars never take the accent, which marks the highlight and the line
        of a bar+line chart; a chart of lines only uses the palette as given."""
        if self.spec.type == "line":
            return [self.colors[i % len(self.colors)] for i in range(len(kinds))]
        plain = self.plain_colors()
        nbar = sum(k == "bar" for k in kinds)
        bar_cols = [plain[i % len(plain)] for i in range(nbar)]
        line_pool = [self.spec.accent] + [c for c in plain if c not in bar_cols] + plain
        out, b, l = [], 0, 0
        for k in kinds:
            if k == "bar":
                out.append(bar_cols[b])
                b += 1
            else:
                out.append(line_pool[l % len(line_pool)])
                l += 1
        return out

    # -- frame: title, legend, units, source ---------------------------------
    def top_band(self, legend: list[tuple[str, Any]], units: tuple[str, str]) -> float:
        """Draw title, legend and unit labels at the top; return the height used (pt)."""
        m, spec = self.m, self.spec
        y = PAD
        if spec.show_title and spec.title:
            self.fig.text(0.5, 1 - self.fy(y), spec.title, ha="center", va="top",
                          fontsize=FS_TITLE, color=TEXT)
            y += m.glyph_h(FS_TITLE) + 5
        unit_l = f"单位：{units[0]}" if units[0] else ""
        unit_r = f"单位：{units[1]}" if units[1] else ""
        uw = max(m.width(unit_l, FS_UNIT), m.width(unit_r, FS_UNIT))
        uh = m.glyph_h(FS_UNIT) if (unit_l or unit_r) else 0.0
        if len(legend) < 2:
            self._units(unit_l, unit_r, y)
            return y + uh + (3 if uh else 0)
        ncol, rows, lw = self._legend_shape(legend)
        if rows > 1:
            # matplotlib fills columns first; reorder so rows read in series order
            legend = [legend[r * ncol + c] for c in range(ncol) for r in range(rows)
                      if r * ncol + c < len(legend)]
        lh = rows * m.glyph_h(FS_LEGEND) + (rows - 1) * 0.4 * FS_LEGEND
        same_row = rows == 1 and (not uh or lw <= self.W - 2 * (uw + 10 + PAD))
        self.fig.legend(
            [h for _, h in legend], [n for n, _ in legend], loc="upper center",
            bbox_to_anchor=(0.5, 1 - self.fy(y)), ncols=ncol,
            frameon=False, fontsize=FS_LEGEND, handlelength=1.6, handleheight=0.7,
            handletextpad=0.4, columnspacing=1.5, borderpad=0.0, borderaxespad=0.0,
            labelspacing=0.4,
        )
        if same_row:
            self._units(unit_l, unit_r, y)
            return y + max(lh, uh) + 3
        # units go on their own row under the legend, right above the plot
        self._units(unit_l, unit_r, y + lh + 4)
        return y + lh + 4 + uh + (3 if uh else 0)

    def _legend_shape(self, legend) -> tuple[int, int, float]:
        m = self.m
        ws = [(1.6 + 0.4) * FS_LEGEND + m.width(n, FS_LEGEND) for n, _ in legend]
        gap = 1.5 * FS_LEGEND
        for ncol in range(len(ws), 0, -1):
            rows = math.ceil(len(ws) / ncol)
            colw = [max(ws[c::ncol]) for c in range(ncol)]
            total = sum(colw) + gap * (ncol - 1)
            if total <= self.W - 2 * PAD or ncol == 1:
                return ncol, rows, total
        raise AssertionError("unreachable")

    def _units(self, left: str, right: str, y: float) -> None:
        if left:
            self.fig.text(self.fx(PAD), 1 - self.fy(y), left, ha="left", va="top",
                          fontsize=FS_UNIT, color=MUTED)
        if right:
            self.fig.text(1 - self.fx(PAD), 1 - self.fy(y), right, ha="right", va="top",
                          fontsize=FS_UNIT, color=MUTED)

    def bottom_band(self) -> float:
        spec = self.spec
        if not (spec.source_in_image and spec.source):
            return PAD
        text = spec.source.strip()
        if not re.match(r"^(数据|资料)?来源", text):
            text = "数据来源：" + text
        self.fig.text(self.fx(PAD), self.fy(PAD), text, ha="left", va="bottom",
                      fontsize=FS_SOURCE, color=MUTED)
        return PAD + self.m.glyph_h(FS_SOURCE) + 9

    def legend_entries(self, series: list[tuple[Series, str, str]]) -> list[tuple[str, Any]]:
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        out = []
        for s, kind, color in series:
            if kind == "bar":
                h = Patch(facecolor=color, edgecolor="none")
            else:
                h = Line2D([], [], color=color, lw=1.8, marker="o", markersize=4.5,
                           markeredgecolor="white", markeredgewidth=0.6)
            out.append((s.name, h))
        return out

    def draw(self) -> None:
        t = self.spec.type
        if t in ("pie", "donut"):
            self.pie()
        elif t == "hbar_rank":
            self.hbar()
        else:
            self.cartesian()

    # -- bar / line / bar_line / stacked_bar ---------------------------------
    def cartesian(self) -> None:
        spec, m = self.spec, self.m
        cats = spec.categories
        n = len(cats)
        stacked = spec.type == "stacked_bar"
        ser = []  # (series, kind, colour, axis)
        colors = self.series_colors([_kind_of(spec, s) for s in spec.series])
        for i, s in enumerate(spec.series):
            ser.append((s, _kind_of(spec, s), colors[i], _axis_of(spec, s)))
        single_bar = len(ser) == 1 and ser[0][1] == "bar"
        bars = [x for x in ser if x[1] == "bar"]
        has_right = any(x[3] == "right" for x in ser)

        units = (spec.unit or self._shared_unit([x[0] for x in ser if x[3] == "left"]),
                 (spec.unit2 or self._shared_unit([x[0] for x in ser if x[3] == "right"]))
                 if has_right else "")
        legend = self.legend_entries([(s, k, c) for s, k, c, _ in ser]) if len(ser) >= 2 else []
        top = self.top_band(legend, units)
        top += m.glyph_h(FS_TICK) / 2 + 1  # the top tick label rises above the plot
        bottom = self.bottom_band()

        nb = 1 if stacked else max(1, len(bars))
        group = 0.55 if nb == 1 else (0.7 if nb == 2 else 0.8)
        bw0 = group / nb
        max_bar = 42.0  # pt (~1.5 cm): a lone bar should not fill the plot

        labels = self._labels_all(ser)
        stack_tot = self._stack_totals(ser) if stacked else None
        tot_labels: dict[int, str] = {}
        if stacked:
            d = max((_decimals(x[0]) for x in bars), default=0)
            unit = bars[0][0].unit if len({x[0].unit for x in bars}) == 1 else ""
            for j, (pos, neg, any_) in enumerate(stack_tot):
                if any_:
                    tot_labels[j] = _fmt(pos + neg, d, unit)

        # The plot width depends on the tick labels, which depend on the
        # limits, which depend on the plot height left by the category labels:
        # start from a guess and settle in a couple of rounds.
        widest = max(labels.values(), key=len, default="0")
        left_pt = PAD + m.width(widest, FS_TICK) + 5
        right_pt = left_pt if has_right else PAD + 2
        for _ in range(3):
            aw = self.W - left_pt - right_pt
            slot = aw / n
            xl = _fit_xlabels(m, cats, slot)
            ah = self.H - top - bottom - xl.height - 5
            bw = min(bw0, max_bar / slot)
            mode = self._label_mode(labels, ser, slot * bw, slot, stacked, tot_labels)
            lim = self._y_limits(ser, ah, mode, stacked, stack_tot)
            new_l = max(PAD + lim["lw"] + 5, xl.overhang - slot / 2 + PAD)
            new_r = (PAD + lim["rw"] + 5) if has_right else PAD + 2
            if abs(new_l - left_pt) < 0.5 and abs(new_r - right_pt) < 0.5:
                break
            left_pt, right_pt = new_l, new_r
        aw = self.W - left_pt - right_pt
        slot = aw / n
        bw = min(bw0, max_bar / slot)
        self._slot_pt, self._ah = slot, ah

        ax = self.fig.add_axes((self.fx(left_pt), self.fy(bottom + xl.height + 5),
                                self.fx(aw), self.fy(ah)))
        ax2 = ax.twinx() if has_right else None
        for a in (ax, ax2):
            if a is None:
                continue
            a.set_facecolor("none")
            for side in ("top", "right", "left"):
                a.spines[side].set_visible(False)
            a.spines["bottom"].set_visible(a is ax)
            a.spines["bottom"].set_color(SPINE)
            a.spines["bottom"].set_linewidth(0.8)
            a.tick_params(axis="y", length=0, labelsize=FS_TICK, pad=4, colors=TEXT)
            a.set_xlim(-0.5, n - 0.5)
        lo, hi, step = lim["left"]
        ax.set_ylim(lo, hi)
        ticks = [lo + k * step for k in range(round((hi - lo) / step) + 1)]
        ax.set_yticks(ticks, [_fmt(t, _step_decimals(step)) for t in ticks])
        ax.yaxis.grid(True, color=GRID, lw=0.6)
        ax.set_axisbelow(True)
        if lo < 0 < hi:
            ax.axhline(0, color=SPINE, lw=0.8, zorder=1.5)
        if ax2 is not None:
            r0, rstep = lim["right"]
            nint = len(ticks) - 1
            rt = [r0 + k * rstep for k in range(nint + 1)]
            ax2.set_ylim(r0, r0 + nint * rstep)
            ax2.set_yticks(rt, [_fmt(t, _step_decimals(rstep)) for t in rt])
            ax2.tick_params(axis="x", length=0, labelbottom=False)
        ax.set_xticks(range(n), xl.texts, fontsize=xl.fontsize, rotation=xl.rotation,
                      ha="right" if xl.rotation == 45 else "center",
                      rotation_mode="anchor" if xl.rotation == 45 else "default",
                      linespacing=1.2)
        ax.tick_params(axis="x", length=0, pad=5)
        if self.hl is not None:
            j = cats.index(self.hl)
            ax.get_xticklabels()[j].set_color(spec.accent)
            if not single_bar:
                ax.axvspan(j - 0.5, j + 0.5, color="#F2F2F2", zorder=0, lw=0)

        placer = _Placer(aw, ah)

        def pt(a, x, v):
            y0, y1 = a.get_ylim()
            return (x + 0.5) * slot, (v - y0) / (y1 - y0) * ah

        # Lines are registered first so that every label, bar or line, can
        # keep clear of them.
        drawn = []
        for i, (s, kind, color, axis) in enumerate(ser):
            if kind != "line":
                continue
            a = ax2 if axis == "right" else ax
            ys = [v if _present(v) else float("nan") for v in s.values]
            a.plot(range(n), ys, color=color, lw=1.8, marker="o", markersize=4.5,
                   markeredgecolor="white", markeredgewidth=0.6, zorder=3,
                   solid_capstyle="round", clip_on=False)
            pts = [pt(a, j, v) if _present(v) else None for j, v in enumerate(s.values)]
            for p, q in zip(pts, pts[1:]):
                if p and q:
                    placer.segs.append((p, q))
            for p in pts:
                if p:
                    placer.marks.append((p[0] - 3, p[1] - 3, p[0] + 3, p[1] + 3))
            drawn.append((i, a, pts))

        k = 0
        bar_jobs = []
        for i, (s, kind, color, axis) in enumerate(ser):
            if kind != "bar":
                continue
            a = ax2 if axis == "right" else ax
            off = 0.0 if stacked else (k - (nb - 1) / 2) * bw
            k += 1
            xs = [j + off for j in range(n)]
            vals = [v if _present(v) else 0.0 for v in s.values]
            colors = [spec.accent if (single_bar and self.hl == cats[j]) else color
                      for j in range(n)]
            if stacked:
                bottoms = [self._stack_base(ser, i, j) for j in range(n)]
                rects = a.bar(xs, vals, bw, bottom=bottoms, color=colors, lw=0, zorder=2)
            else:
                rects = a.bar(xs, vals, bw * 0.92 if nb > 1 else bw, color=colors, lw=0, zorder=2)
            for j, r in enumerate(rects):
                if not _present(s.values[j]):
                    continue
                box = self._rect_pt(a, r, pt)
                placer.bars.append(box)
                t = labels.get((i, j))
                if spec.labels and t is not None:
                    bar_jobs.append((a, xs[j], s.values[j], t, colors[j], box, stacked))
        # Labels by priority: bar values and totals, the target, line values,
        # and last the segments of stacked bars, which give way when crowded.
        if spec.labels and mode["bar"]:
            for a, x, v, t, color, box, inner in bar_jobs:
                if not inner:
                    self._bar_label(a, x, v, t, mode["bar"], placer, pt, color, box)
            if stacked:
                for j, t in tot_labels.items():
                    pos, neg, _ = stack_tot[j]
                    v = pos if pos + neg >= 0 else neg
                    self._bar_label(ax, j, v, t, mode["bar"], placer, pt, None, None)
        if spec.target is not None:
            self._target_h(ax, spec.target, placer, pt(ax, 0, spec.target)[1])
        if mode["line"]:
            for i, a, pts in drawn:
                self._line_labels(a, ser[i], i, pts, labels, mode, placer)
        for a, x, v, t, color, box, inner in bar_jobs:
            if inner:
                self._inner_label(a, x, v, t, color, box, placer)

    @staticmethod
    def _rect_pt(a, r, pt) -> tuple[float, float, float, float]:
        x0, y0 = pt(a, r.get_x(), r.get_y())
        x1, y1 = pt(a, r.get_x() + r.get_width(), r.get_y() + r.get_height())
        return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)

    def _shared_unit(self, series: list[Series]) -> str:
        units = {s.unit for s in series}
        return units.pop() if len(units) == 1 else ""

    def _labels_all(self, ser) -> dict[tuple[int, int], str]:
        out = {}
        for i, (s, _k, _c, _a) in enumerate(ser):
            d = _decimals(s)
            for j, v in enumerate(s.values):
                if _present(v):
                    out[(i, j)] = _fmt(v, d, s.unit)
        return out

    def _stack_totals(self, ser):
        out = []
        for j in range(len(self.spec.categories)):
            pos = neg = 0.0
            any_ = False
            for s, kind, _c, _a in ser:
                v = s.values[j]
                if kind == "bar" and _present(v):
                    any_ = True
                    if v >= 0:
                        pos += v
                    else:
                        neg += v
            out.append((pos, neg, any_))
        return out

    def _stack_base(self, ser, i: int, j: int) -> float:
        v = ser[i][0].values[j]
        v = v if _present(v) else 0.0
        base = 0.0
        for s, kind, _c, _a in ser[:i]:
            w = s.values[j]
            if kind == "bar" and _present(w) and (w >= 0) == (v >= 0):
                base += w
        return base

    def _label_mode(self, labels, ser, bar_pt: float, slot: float, stacked: bool,
                    tot_labels) -> dict:
        """How data labels fit: bars (rotation, size) or None, lines size or None."""
        m = self.m
        mode: dict[str, Any] = {"bar": None, "line": None, "thin": False}
        if not self.spec.labels:
            return mode
        bar_texts = (list(tot_labels.values()) if stacked else
                     [t for (i, _j), t in labels.items() if ser[i][1] == "bar"])
        nbars = sum(1 for x in ser if x[1] == "bar")
        # neighbours in a group stand one bar apart, single bars one slot apart
        room = slot - 3 if (stacked or nbars == 1) else bar_pt + 1
        if bar_texts:
            for fs in (FS_DATA, 8.0):
                if max(m.width(t, fs) for t in bar_texts) <= room:
                    mode["bar"] = (0, fs)
                    break
            else:
                if m.glyph_h(8.0) <= room + 1:
                    mode["bar"] = (90, 8.0)
        line_texts = [t for (i, _j), t in labels.items() if ser[i][1] == "line"]
        if line_texts:
            for fs in (FS_DATA, 8.0):
                if max(m.width(t, fs) for t in line_texts) <= slot - 3:
                    mode["line"] = fs
                    break
            else:
                mode["line"] = 8.0
                mode["thin"] = True  # label only first, last, highest and lowest
        return mode

    def _y_limits(self, ser, ah: float, mode: dict, stacked: bool, stack_tot) -> dict:
        """Both axes' limits; the right axis reuses the left grid lines."""
        m, spec = self.m, self.spec
        nbins = max(3, min(6, int(ah // 32)))
        lab_h = m.glyph_h(FS_DATA) + 4
        bar_pad = 0.0
        if mode["bar"]:
            rot, fs = mode["bar"]
            if rot:
                texts = [t for (i, _j), t in self._labels_all(ser).items() if ser[i][1] == "bar"]
                bar_pad = max(m.width(t, fs) for t in texts) + 4
            else:
                bar_pad = lab_h
        line_pad = (lab_h + 4) if mode["line"] else 6.0

        def vals(axis, kind=None):
            out = []
            for s, k, _c, a in ser:
                if a == axis and (kind is None or k == kind):
                    out += [v for v in s.values if _present(v)]
            return out

        left_bars = vals("left", "bar")
        if stacked and left_bars:
            left_bars = [p for p, _n, a in stack_tot if a] + [q for _p, q, a in stack_tot if a]
        left_lines = vals("left", "line")
        right_vals = vals("right")
        right_bars = vals("right", "bar")
        lv = left_bars + left_lines + ([spec.target] if spec.target is not None else [])
        f_hi = max(bar_pad if left_bars else 0, line_pad if left_lines else 0) / ah
        f_lo = (line_pad / ah) if left_lines else 0.0
        if any(v < 0 for v in left_bars):
            f_lo = max(f_lo, bar_pad / ah)

        def finish(left, right) -> dict:
            lo, hi, step = left
            nint = round((hi - lo) / step)
            d = _step_decimals(step)
            out = {"left": left, "right": right, "rw": 0.0,
                   "lw": max(m.width(_fmt(lo + k * step, d), FS_TICK) for k in range(nint + 1))}
            if right:
                r0, rstep = right
                rd = _step_decimals(rstep)
                out["rw"] = max(m.width(_fmt(r0 + k * rstep, rd), FS_TICK) for k in range(nint + 1))
            return out

        if not right_vals:
            return finish(_limits(min(lv), max(lv), f_lo, f_hi, nbins, zero=bool(left_bars)), None)
        rlo, rhi = min(right_vals), max(right_vals)
        nonneg = rlo >= 0
        if left_bars and not right_bars and nonneg:
            # Bars kept low so the line and its labels run above them, when
            # that needs no right axis reaching below zero.
            left = _limits(min(lv), max(lv), f_lo, max(f_hi, 0.36), nbins, zero=True)
            lo, hi, step = left
            f_bar = (max(max(left_bars), 0) - lo) / (hi - lo) + bar_pad / ah
            right = _align(rlo, rhi, round((hi - lo) / step), min(f_bar + 0.04, 0.8),
                           1 - line_pad / ah, nonneg=True, strict=True)
            if right is not None:
                return finish(left, right)
        left = _limits(min(lv or [0.0]), max(lv or [0.0]), f_lo, f_hi, nbins, zero=bool(left_bars))
        lo, hi, step = left
        nint = round((hi - lo) / step)
        if right_bars:
            right = _align(min(rlo, 0.0), max(rhi, 0.0), nint, 0.0, 1 - bar_pad / ah,
                           nonneg=nonneg, strict=False)
        else:
            right = _align(rlo, rhi, nint, line_pad / ah, 1 - line_pad / ah,
                           nonneg=nonneg, strict=False)
        return finish(left, right)

    def _bar_label(self, a, x, v, text, mode, placer: _Placer, pt, color, box) -> None:
        """Value label outside the bar end, or just inside it when a line crosses there."""
        rot, fs = mode
        m = self.m
        w, h = m.width(text, fs), m.glyph_h(fs)
        if rot:
            w, h = h, w
        px, py = pt(a, x, v)
        up = v >= 0
        sign = 1 if up else -1
        out_box = (px - w / 2, py + 2, px + w / 2, py + 2 + h) if up else \
            (px - w / 2, py - 2 - h, px + w / 2, py - 2)
        boxes = [out_box]
        if box is not None and box[3] - box[1] >= h + 6:
            boxes.append((px - w / 2, py - 3 - h, px + w / 2, py - 3) if up else
                         (px - w / 2, py + 3, px + w / 2, py + 3 + h))
        k = placer.choose(boxes, force=True)
        if k == 0:
            a.annotate(text, (x, v), xytext=(0, 2 * sign), textcoords="offset points",
                       ha="center", va="bottom" if up else "top", rotation=rot, fontsize=fs,
                       color=TEXT, zorder=4, annotation_clip=False)
        else:
            a.annotate(text, (x, v), xytext=(0, -3 * sign), textcoords="offset points",
                       ha="center", va="top" if up else "bottom", rotation=rot, fontsize=fs,
                       color=_ink_on(color), zorder=4, annotation_clip=False)

    def _inner_label(self, a, x, v, text, color, box, placer: _Placer) -> None:
        """Segment value in the middle of a stacked segment, when it fits."""
        fs = 8.0
        w, h = self.m.width(text, fs), self.m.glyph_h(fs)
        x0, y0, x1, y1 = box
        if y1 - y0 < h + 2 or w > x1 - x0 - 2:
            return
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if placer.choose([(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)]) is None:
            return
        rect_mid = self._data_y(a, cy)
        a.text(x, rect_mid, text, ha="center", va="center", fontsize=fs, color=_ink_on(color),
               zorder=4)

    def _data_y(self, a, y_pt: float) -> float:
        lo, hi = a.get_ylim()
        return lo + y_pt / self._ah * (hi - lo)

    def _line_labels(self, a, entry, i, pts, labels, mode, placer: _Placer) -> None:
        s, _k, color, _axis = entry
        fs = mode["line"]
        m = self.m
        n = len(pts)
        idx = [j for j in range(n) if pts[j] is not None]
        order = idx
        if mode["thin"]:
            vals = [s.values[j] for j in idx]
            order = list(dict.fromkeys([idx[-1], idx[vals.index(max(vals))],
                                        idx[vals.index(min(vals))], idx[0]]))
        h = m.glyph_h(fs) + 1
        for j in order:
            t = labels.get((i, j))
            if t is None:
                continue
            w = m.width(t, fs) + 2
            px, py = pts[j]
            # above, below, then beside the point on either diagonal
            spots = [(0, 5), (0, -5), (w / 2 + 2, 3), (-(w / 2 + 2), 3),
                     (w / 2 + 2, -3), (-(w / 2 + 2), -3)]
            boxes = [(px + dx - w / 2, py + dy, px + dx + w / 2, py + dy + h) if dy > 0 else
                     (px + dx - w / 2, py + dy - h, px + dx + w / 2, py + dy) for dx, dy in spots]
            k = placer.choose(boxes)
            if k is None:
                continue  # no free spot: a missing label beats an unreadable one
            dx, dy = spots[k]
            a.annotate(t, (j, s.values[j]), xytext=(dx, dy + (0.5 if dy > 0 else -0.5)),
                       textcoords="offset points", ha="center", va="bottom" if dy > 0 else "top",
                       fontsize=fs, color=color, zorder=5, annotation_clip=False,
                       bbox=dict(boxstyle="square,pad=0.12", fc="white", ec="none", alpha=1.0))

    def _target_h(self, ax, target: float, placer: _Placer, y: float) -> None:
        spec, m = self.spec, self.m
        d = max((_decimals(s) for s in spec.series), default=0)
        text = f"{spec.target_label} {_fmt(target, d, spec.unit)}".strip()
        ax.axhline(target, color=spec.accent, lw=1.0, ls=(0, (4, 3)), zorder=3.5)
        w, h = m.width(text, FS_DATA) + 2, m.glyph_h(FS_DATA) + 1
        W = placer.w
        boxes = [(W - 2 - w, y + 2, W - 2, y + 2 + h), (W - 2 - w, y - 2 - h, W - 2, y - 2),
                 (2, y + 2, 2 + w, y + 2 + h), (2, y - 2 - h, 2 + w, y - 2)]
        k = placer.choose(boxes, force=True)
        right, up = k in (0, 1), k in (0, 2)
        ax.annotate(text, (1.0 if right else 0.0, target), xycoords=("axes fraction", "data"),
                    xytext=(-2 if right else 2, 2 if up else -2), textcoords="offset points",
                    ha="right" if right else "left", va="bottom" if up else "top",
                    fontsize=FS_DATA, color=spec.accent, zorder=5,
                    bbox=dict(boxstyle="square,pad=0.12", fc="white", ec="none", alpha=1.0))

    # -- hbar_rank -------------------------------------------------------------
    def hbar(self) -> None:
        spec, m = self.spec, self.m
        s = spec.series[0]
        d = _decimals(s)
        items = list(zip(spec.categories, s.values))
        present = [(c, v) for c, v in items if _present(v)]
        missing = [(c, None) for c, v in items if not _present(v)]
        if spec.sort in ("desc", "asc"):
            present.sort(key=lambda cv: cv[1], reverse=spec.sort == "desc")
        items = present + missing if spec.sort else items
        n = len(items)
        names = [c for c, _ in items]
        if spec.rank_numbers:
            # ties share a rank, as statistical rankings do
            ranks, prev, r = [], None, 0
            for k, (_c, v) in enumerate(items):
                if v is None:
                    ranks.append("")
                    continue
                if v != prev:
                    r, prev = k + 1, v
                ranks.append(str(r))
            names = [f"{r}  {c}" if r else c for r, c in zip(ranks, names)]

        top = self.top_band([], (spec.unit or s.unit, ""))
        bottom = self.bottom_band()
        show_axis = not spec.labels
        xtick_h = (m.line_h(FS_TICK) + 4) if show_axis else 2
        ah = self.H - top - bottom - xtick_h
        row = ah / n
        fs = max(7.0, min(FS_LABEL, row * 0.85))
        if fs < 9.0:
            need = (self.H - ah + n * 13.0) / 72 * 2.54
            warnings.warn(BriefgenWarning(
                f"{_where(spec, '')}：排名条形图有 {n} 个类别，文字已缩小到 {fs:.1f} 磅，"
                f"建议把图高设为 {math.ceil(need)} 厘米以上"), stacklevel=4)
        maxw = self.W * 0.38
        if max(m.width(c, fs) for c in names) > maxw:
            names = [c if m.width(c, fs) <= maxw else (_wrap(m, c, fs, maxw, 2) or c) for c in names]
        left_pt = PAD + max(m.width(c, fs) for c in names) + 6
        vals = [v for _c, v in items if v is not None]
        texts = [_fmt(v, d, s.unit) for v in vals]
        fsd = max(7.0, min(FS_DATA, row * 0.8))
        lab_w = (max(m.width(t, fsd) for t in texts) + 6) if spec.labels else 0.0
        right_pt = PAD + 2
        aw = self.W - left_pt - right_pt
        lv = vals + ([spec.target] if spec.target is not None else [])
        lo, hi = min(min(lv), 0.0), max(max(lv), 0.0)
        f_hi = lab_w / aw if hi > 0 else 0.0
        f_lo = lab_w / aw if lo < 0 else 0.0
        nb = max(3, min(6, int(aw // 60)))
        xlo, xhi, step = _limits(lo, hi, f_lo, f_hi, nb, zero=True)
        if spec.labels:
            # without an axis the plot only needs room for the labels, not whole ticks
            span = (hi - lo) / max(0.2, 1 - f_lo - f_hi)
            xlo, xhi = lo - f_lo * span, hi + f_hi * span
            if xhi == xlo:
                xhi = xlo + 1

        ax = self.fig.add_axes((self.fx(left_pt), self.fy(bottom + xtick_h), self.fx(aw), self.fy(ah)))
        for side in ("top", "right", "bottom"):
            ax.spines[side].set_visible(False)
        ax.spines["left"].set_color(SPINE)
        ax.spines["left"].set_linewidth(0.8)
        if lo < 0:
            # the bars grow from zero, so that is where the axis line belongs
            ax.spines["left"].set_visible(False)
            ax.axvline(0, color=SPINE, lw=0.8, zorder=2.5)
        ax.set_xlim(xlo, xhi)
        ax.set_ylim(n - 0.5, -0.5)  # first item on top
        if show_axis:
            ticks = [xlo + k * step for k in range(round((xhi - xlo) / step) + 1)]
            ax.set_xticks(ticks, [_fmt(t, _step_decimals(step)) for t in ticks])
            ax.xaxis.grid(True, color=GRID, lw=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(axis="x", length=0, labelsize=FS_TICK)
        else:
            ax.set_xticks([])
        ax.set_yticks(range(n), names, fontsize=fs)
        ax.tick_params(axis="y", length=0, pad=5)
        base = self.base_color()
        colors = [spec.accent if c == self.hl else base for c, _ in items]
        bh = 0.62 if n > 1 else 0.4
        ys = list(range(n))
        ax.barh(ys, [v if v is not None else 0 for _c, v in items], bh, color=colors, lw=0, zorder=2)
        for j, (c, v) in enumerate(items):
            if c == self.hl:
                ax.get_yticklabels()[j].set_color(spec.accent)
            if spec.labels and v is not None:
                ax.annotate(_fmt(v, d, s.unit), (v, j), xytext=(3 if v >= 0 else -3, 0),
                            textcoords="offset points", ha="left" if v >= 0 else "right",
                            va="center", fontsize=fsd,
                            color=spec.accent if c == self.hl else TEXT, annotation_clip=False)
        if spec.target is not None:
            ax.axvline(spec.target, color=spec.accent, lw=1.0, ls=(0, (4, 3)), zorder=3)
            ax.annotate(f"{spec.target_label} {_fmt(spec.target, d, s.unit)}".strip(),
                        (spec.target, 0.0), xycoords=("data", "axes fraction"), xytext=(3, 2),
                        textcoords="offset points", ha="left", va="bottom", fontsize=FS_DATA,
                        color=spec.accent,
                        bbox=dict(boxstyle="square,pad=0.1", fc="white", ec="none", alpha=0.85))

    # -- pie / donut -----------------------------------------------------------
    def pie(self) -> None:
        spec, m = self.spec, self.m
        s = spec.series[0]
        items = [(c, v) for c, v in zip(spec.categories, s.values) if _present(v) and v > 0]
        total = sum(v for _c, v in items)
        dp = s.decimals if (s.decimals is not None and s.unit in ("%", "％")) else 1
        texts = [f"{c} {_fmt(v / total * 100, dp, '%')}" for c, v in items]

        top = self.top_band([], ("", ""))
        bottom = self.bottom_band()
        ah = self.H - top - bottom
        # Labels stack on the side of their slice: shrink them if one side is crowded.
        per_side, cum = {1: 0, -1: 0}, 0.0
        for _c, v in items:
            mid = math.radians(90 - 360 * (cum + v / 2) / total)
            per_side[1 if math.cos(mid) >= 0 else -1] += 1
            cum += v
        fs = FS_LABEL
        while fs > 8.0 and max(per_side.values()) * m.line_h(fs) * 1.02 > ah:
            fs -= 0.5
        aw = self.W - 2 * PAD
        legend_w = 0.0
        if not spec.labels:
            legend_w = max(m.width(c, FS_LEGEND) for c, _ in items) + 2.2 * FS_LEGEND + 8
        lab_w = max(m.width(t, fs) for t in texts) if spec.labels else 0.0
        lh = m.line_h(fs)
        # radius: fit the height, and leave room beside the pie for the widest label
        r = min(ah / 2 - 4, (aw - 2 * legend_w) / 2)
        if spec.labels:
            r = min(ah / 2 - lh / 2 - 2, ((aw / 2) - lab_w - 12) / 1.18)
        r = max(r, 20.0)

        ax = self.fig.add_axes((self.fx(PAD), self.fy(bottom), self.fx(aw), self.fy(ah)))
        ax.set_axis_off()
        cx = -legend_w / 2 if legend_w else 0.0
        # the accent is kept for the highlighted slice, so it never marks an ordinary one
        pal = self.plain_colors()
        colors, k = [], 0
        for c, _v in items:
            if c == self.hl:
                colors.append(spec.accent)
            else:
                colors.append(pal[k % len(pal)])
                k += 1
        if len(items) > 2 and colors[0] == colors[-1] and len(pal) > 2:
            # the last slice touches the first
            colors[-1] = next(c for c in pal if c not in (colors[0], colors[-2]))
        explode = [0.04 if c == self.hl else 0.0 for c, _ in items]
        donut = spec.type == "donut"
        wedges, *_ = ax.pie(
            [v for _c, v in items], colors=colors, startangle=90, counterclock=False,
            radius=r, center=(cx, 0), explode=explode, normalize=True,
            wedgeprops=dict(linewidth=1.0, edgecolor="white", width=r * 0.42 if donut else None),
        )
        ax.set_xlim(-aw / 2, aw / 2)
        ax.set_ylim(-ah / 2, ah / 2)
        ax.set_aspect("equal", adjustable="box")
        if donut and spec.labels and s.unit not in ("%", "％"):
            d = _decimals(s)
            unit = s.unit or spec.unit
            ax.text(cx, 0, f"合计\n{_fmt(total, d)}{unit}", ha="center", va="center",
                    fontsize=FS_LABEL, color=TEXT, linespacing=1.4)
        if spec.labels:
            self._pie_labels(ax, wedges, texts, items, r, cx, ah, fs)
        else:
            ax.legend(wedges, [c for c, _ in items], loc="center left",
                      bbox_to_anchor=((aw - legend_w + 4) / aw, 0.5), frameon=False,
                      fontsize=FS_LEGEND, handlelength=1.2, handleheight=0.9)

    def _pie_labels(self, ax, wedges, texts, items, r, cx, ah, fs) -> None:
        """Labels outside the pie with leader lines, pushed apart so none overlap."""
        lh = self.m.line_h(fs)
        gap = lh * 1.02
        half = ah / 2 - lh / 2
        sides: dict[int, list[list[float]]] = {1: [], -1: []}
        for k, w in enumerate(wedges):
            ang = math.radians((w.theta1 + w.theta2) / 2)
            ca, sa = math.cos(ang), math.sin(ang)
            ox, oy = w.center
            side = 1 if ca >= 0 else -1
            y = (r * 1.12) * sa + oy
            sides[side].append([y, k, ox + r * ca, oy + r * sa, ca, sa])
        for side, lst in sides.items():
            if not lst:
                continue
            lst.sort(key=lambda e: e[0])
            lst[0][0] = max(lst[0][0], -half)
            for a, b in zip(lst, lst[1:]):
                b[0] = max(b[0], a[0] + gap)
            lst[-1][0] = min(lst[-1][0], half)
            for b, a in zip(reversed(lst[:-1]), reversed(lst[1:])):
                b[0] = min(b[0], a[0] - gap)
            for y, k, px, py, ca, sa in lst:
                ex = cx + r * 1.06 * ca
                x_text = cx + side * r * 1.18
                ax.plot([px, ex, x_text], [py, y, y], color=SPINE, lw=0.6, zorder=1,
                        solid_capstyle="butt")
                c = items[k][0]
                ax.text(x_text + side * 3, y, texts[k], ha="left" if side > 0 else "right",
                        va="center", fontsize=fs,
                        color=self.spec.accent if c == self.hl else TEXT)
