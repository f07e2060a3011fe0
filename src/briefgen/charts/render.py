"""Drawing a chart into a PNG and/or vector graphics: the ``render_chart``
entry point and the CJK font it registers with matplotlib.

Drawing uses matplotlib's object API on an Agg canvas (never pyplot), so worker
processes carry no global figure state. The figure is laid out by hand at its
printed size: every text is measured with the real font before the axes are
placed, which keeps labels unclipped without the extra layout passes of
matplotlib's constrained layout.

Not thread-safe: the font settings are applied with ``rc_context`` around each
render. Use processes for parallelism.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

import matplotlib
from matplotlib import font_manager, ft2font
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from briefgen.charts import kinds
from briefgen.charts import recorder as chart_recorder
from briefgen.charts import text as chart_text
from briefgen.charts.canvas import Canvas
from briefgen.charts.raster import save_png, write_png
from briefgen.charts.recorder import record
from briefgen.charts.spec import ChartSpec, normalized, validate_spec, where_label
from briefgen.charts.text import font_height_metrics
from briefgen.charts.theme import FS_TICK, TEXT
from briefgen.errors import BriefgenError, BriefgenWarning
from briefgen.fonts.chains import default_font_path as _bundled_font_path

__all__ = ["render_chart", "default_font_path", "register_font"]

# "findfont: Failed to find font weight normal for Briefgen Hei, now using 500" is matplotlib
# telling that the bundled 黑体 has one weight: expected, and no business of the user's.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

_font_lock = threading.Lock()
# matplotlib logs "findfont: Failed to find font weight normal for Briefgen Hei" (a Medium face)
# on every chart: the face is the one asked for, so the notice only alarms users. Characters
# the font lacks are reported by _warn_missing_glyphs instead.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
# By the font file's look (path, face, size, times, inode): a file replaced under the same name
# is read again, and everything measured or cached with the old one is dropped (_forget_fonts).
# Each version of a file is registered with matplotlib under a family name of its own (matplotlib
# finds fonts by family name: two files of one family, or a file replaced under its name, would
# otherwise be drawn with whichever it met first): (the font's own family, that name).
_families: dict[tuple, tuple[str, str]] = {}
_aliases = itertools.count()
_charmaps: dict[tuple, frozenset[int]] = {}


def default_font_path() -> Path:
    """The bundled 黑体 face, Briefgen Hei (works without system fonts)."""
    path = _bundled_font_path()
    if path is None:
        raise BriefgenError("找不到 briefgen 自带的黑体字体文件（fonts/files/BriefgenHei-Medium.ttf）",
                            hint="请重新安装 briefgen，或在模板中指定字体文件")
    return path


def _font_key(path: Path, font_index: int) -> tuple:
    real = os.path.realpath(path)
    try:
        st = os.stat(real)
    except OSError:
        return real, int(font_index)
    return real, int(font_index), st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns


def _clear_lookups(owner: Any, name: str) -> None:
    # matplotlib's private caches (3.x): tolerated when a version names them otherwise.
    clear = getattr(getattr(owner, name, None), "cache_clear", None)
    if clear is not None:
        clear()


def _forget_fonts(real: str, font_index: int) -> None:
    """A font file changed under its name: drop what was read or measured with the old one
    (ours, matplotlib's open faces and look-ups, and the pooled figures' text metrics)."""
    old = {alias for k, (_family, alias) in _families.items() if k[:2] == (real, font_index)}
    for cache in (_families, _charmaps):
        for k in [k for k in cache if k[:2] == (real, font_index)]:
            del cache[k]
    manager = font_manager.fontManager
    manager.ttflist[:] = [e for e in manager.ttflist if e.name not in old]
    _clear_lookups(font_manager, "_get_font")  # open faces by path
    _FIGURES.clear()
    chart_text._EXTENTS.clear()
    chart_text._METRICS.clear()
    chart_recorder._RECORDERS.clear()  # their renderers remember text extents


def register_font(font_path: Path | str | None = None, font_index: int = 0) -> str:
    """Register a CJK font (file and face index; default: the bundled 黑体) with matplotlib,
    once per process and version of the file, and return its family name."""
    return _register(font_path, font_index)[0]


def _register(font_path: Path | str | None, font_index: int) -> tuple[str, str, tuple]:
    """(the font's family, the family name it is registered under with matplotlib, its key)."""
    path = Path(font_path) if font_path is not None else default_font_path()
    key = _font_key(path, font_index)
    with _font_lock:
        if key in _families:
            return (*_families[key], key)
        if any(k[:2] == key[:2] for k in _families):
            _forget_fonts(key[0], key[1])
        if not path.is_file():
            raise BriefgenError("找不到字体文件", where=str(path))
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
                                hint="请选用中文字体，如黑体、思源黑体")
        entry = dataclasses.replace(font_manager.ttfFontProperty(face), name=f"briefgen-font-{next(_aliases)}")
        font_manager.fontManager.ttflist.append(entry)
        _clear_lookups(font_manager.fontManager, "_findfont_cached")  # family → file
        _families[key] = (face.family_name, entry.name)
        _charmaps[key] = charmap
        return face.family_name, entry.name, key


def _fallback_charmap() -> frozenset[int]:
    """Code points of DejaVu Sans (shipped with matplotlib), the fallback font."""
    key = ("<fallback>", 0)
    if key not in _charmaps:
        path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
        _charmaps[key] = frozenset(ft2font.FT2Font(path).get_charmap())
    return _charmaps[key]


def _warn_missing_glyphs(spec: ChartSpec, key: tuple, where: str) -> None:
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
        # stacklevel 3: reported at the caller of render_chart
        warnings.warn(BriefgenWarning(f"{where}：字体缺少字符 {chars}，图中将显示为方框"),
                      stacklevel=3)


def render_chart(spec: ChartSpec, out: Path | None, font_path: Path | str | None = None,
                 font_index: int = 0, *, vector: Path | None = None) -> Path | None:
    """Draw ``spec`` with the given font (default: the bundled 黑体) into the PNG ``out``
    at its printed size and dpi, and/or, laid out once for both, as vector graphics
    into ``vector`` (a :class:`~briefgen.charts.vector.VectorChart` as JSON); return ``out``.
    With both, the PNG (a native chart's fallback picture) is painted from the vector
    recording (:mod:`briefgen.charts.raster`) rather than by drawing the figure again.

    Raises BriefgenError for an invalid spec or font; warns for characters the font lacks.
    """
    validate_spec(spec)
    spec = normalized(spec)
    _family, family, fkey = _register(font_path, font_index)
    _warn_missing_glyphs(spec, fkey, where_label(spec))

    rc: dict[str, Any] = {
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
    for target in (out, vector):
        if target is not None:
            Path(target).parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(rc):  # type: ignore[arg-type]  # matplotlib types rc keys as a Literal
        fig, canvas = _figure(spec)
        try:
            kinds.draw(Canvas(spec, fig))
            if vector is not None:
                # Drawn from the same laid-out figure as the PNG: one layout, two outputs.
                vc = record(fig)
                vc.save(Path(vector))
                if out is not None:
                    # The PNG beside vector graphics is a native chart's fallback picture: painted
                    # from the recording, not by drawing the figure again (see charts.raster).
                    write_png(vc, Path(out), *canvas.get_width_height(), spec.dpi)
            elif out is not None:
                _write_png(canvas, Path(out), spec.dpi)
        finally:
            # The axes are thrown away: removed without Figure.clear's Axes.clear (which rebuilds
            # each axis and its ticks only to drop them, a fifth of a chart's time).
            for ax in tuple(fig.axes):
                fig.delaxes(ax)
            fig.clear()
            _release(spec, fig, canvas)
    return None if out is None else Path(out)


# Figures kept for reuse, by printed size and dpi: a new Figure and Agg renderer cost
# milliseconds, and the renderer's text-extent cache only helps the charts drawn on it.
_FIGURES: dict[tuple[float, float, int], list[tuple[Figure, FigureCanvasAgg]]] = {}
_KEEP = 8


class _Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderer remembers fonts' line metrics (see text.font_height_metrics)."""

    def get_renderer(self) -> Any:
        """matplotlib's renderer for the figure's size and dpi, with the remembered metrics."""
        r = super().get_renderer()
        if "_get_font_height_metrics" not in vars(r):
            dpi = r.dpi
            # Looked for by matplotlib's Text layout (a private hook; without it matplotlib
            # computes the same values itself, only slower).
            r._get_font_height_metrics = lambda prop: font_height_metrics(prop, dpi)
        return r


def _figure(spec: ChartSpec) -> tuple[Figure, FigureCanvasAgg]:
    """A cleared figure of the spec's size and dpi (taken out of the pool, so a render inside
    a render never shares one)."""
    size = (spec.width_cm, spec.height_cm, spec.dpi)
    pool = _FIGURES.get(size)
    if pool:
        return pool.pop()
    fig = Figure(figsize=(spec.width_cm / 2.54, spec.height_cm / 2.54), dpi=spec.dpi)
    return fig, _Canvas(fig)


def _release(spec: ChartSpec, fig: Figure, canvas: FigureCanvasAgg) -> None:
    size = (spec.width_cm, spec.height_cm, spec.dpi)
    if size in _FIGURES or len(_FIGURES) < _KEEP:
        pool = _FIGURES.setdefault(size, [])
        if len(pool) < 2:
            pool.append((fig, canvas))


def _write_png(canvas: FigureCanvasAgg, out: Path, dpi: int) -> None:
    canvas.draw()
    save_png(canvas.buffer_rgba(), *canvas.get_width_height(), out, dpi)
