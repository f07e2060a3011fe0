"""matplotlib → :class:`~briefgen.charts.vector.VectorChart`: a renderer that records
what a figure draws instead of painting pixels.

It is a matplotlib backend reduced to what briefgen's charts use (paths, markers,
text): the figure is drawn at 72 dpi so display units are points, with y up as in
PDF. Text is kept as text, measured like matplotlib's own vector backends do
(unhinted font advances), so a writer that sets the same font at the recorded
baseline reproduces matplotlib's alignment.
"""

from __future__ import annotations

from typing import Any

from matplotlib.backend_bases import GraphicsContextBase, RendererBase
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.path import Path as MplPath

from briefgen.charts.text import font_height_metrics
from briefgen.charts.vector import Label, PathOp, Rect, Shape, VectorChart

__all__ = ["record"]

_ND = 2  # decimals kept: 0.01 pt is far below what print or screen can show


def _r(v: float) -> float:
    out = round(float(v), _ND)
    return 0.0 if out == 0 else out  # never "-0.0": the JSON stays stable


class _Recorder(RendererBase):
    """Collects shapes and labels in painting order; matplotlib calls it while drawing."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width, self.height = width, height
        self.items: list[Shape | Label] = []

    # -- what matplotlib asks of a renderer ---------------------------------
    def flipy(self) -> bool:
        """y grows upwards, as in PDF."""
        return False

    def get_canvas_width_height(self) -> tuple[float, float]:
        """The canvas in points (the figure is drawn at 72 dpi)."""
        return self.width, self.height

    def points_to_pixels(self, points: Any) -> Any:
        """One display unit is one point."""
        return points

    def _get_font_height_metrics(self, prop: Any) -> tuple[float | None, float | None, float | None]:
        """Line metrics of a font at 72 dpi, remembered (matplotlib asks for each text it lays out)."""
        return font_height_metrics(prop, 72.0)

    def draw_path(self, gc: GraphicsContextBase, path: MplPath, transform: Any, rgbFace: Any = None) -> None:
        """Record a filled and/or stroked path."""
        ops = _ops(path, transform)
        if not ops:
            return
        fill: str | None = None
        fill_alpha = 1.0
        if rgbFace is not None:
            fill, fill_alpha = _color(rgbFace, gc)
            if fill_alpha <= 0:
                fill = None
        stroke: str | None
        stroke, stroke_alpha = _color(gc.get_rgb(), gc)
        width = float(gc.get_linewidth())
        if width <= 0 or stroke_alpha <= 0:
            stroke = None
        if fill is None and stroke is None:
            return
        dash = None
        if stroke is not None:
            offset, seq = gc.get_dashes()
            dashes: Any = seq  # matplotlib types it as any array-like
            on_off = [] if dashes is None else [float(v) for v in dashes]
            if on_off:
                dash = (_r(float(offset or 0.0)), tuple(_r(v) for v in on_off))
        self.items.append(Shape(
            ops, fill, _r(fill_alpha) if fill else 1.0, stroke, _r(stroke_alpha) if stroke else 1.0,
            _r(width) if stroke else 0.0, dash, str(gc.get_capstyle()), str(gc.get_joinstyle()),
            _clip_rect(gc), _clip_path(gc)))

    def draw_text(self, gc: GraphicsContextBase, x: float, y: float, s: str, prop: Any, angle: float,
                  ismath: Any = False, mtext: Any = None) -> None:
        """Record one line of text at its baseline's left end."""
        if not s.strip():
            return
        color, alpha = _color(gc.get_rgb(), gc)
        weight = prop.get_weight()
        bold = weight in ("bold", "heavy", "extra bold", "black", "semibold", "demibold") or \
            (isinstance(weight, (int, float)) and weight >= 600)
        self.items.append(Label(s, _r(x), _r(y), _r(prop.get_size_in_points()), color, _r(alpha),
                                _r(angle % 360), bold, _clip_rect(gc)))

    def draw_image(self, gc: GraphicsContextBase, x: float, y: float, im: Any, transform: Any = None) -> None:
        """Charts draw no raster images; a new kind that did would need this."""
        raise NotImplementedError("vector charts hold no raster images")


def _color(rgba: Any, gc: GraphicsContextBase) -> tuple[str, float]:
    """(#RRGGBB, alpha), the alpha forced by the graphics context if it says so."""
    alpha = float(rgba[3]) if len(rgba) > 3 else 1.0
    if gc.get_forced_alpha():
        alpha = float(gc.get_alpha())
    return to_hex(rgba[:3]).upper(), alpha


def _ops(path: Any, transform: Any) -> tuple[PathOp, ...]:
    """Path segments in points: moves, lines, cubic curves (quadratics raised), closes."""
    out: list[PathOp] = []
    start = last = (0.0, 0.0)
    for verts, code in path.iter_segments(transform, remove_nans=True, simplify=False, curves=True):
        if code == MplPath.MOVETO:
            start = last = (verts[0], verts[1])
            out.append(("M", _r(verts[0]), _r(verts[1])))
        elif code == MplPath.LINETO:
            last = (verts[0], verts[1])
            out.append(("L", _r(verts[0]), _r(verts[1])))
        elif code == MplPath.CURVE3:
            (qx, qy), (x, y) = verts[:2], verts[2:4]
            c1 = (last[0] + 2 / 3 * (qx - last[0]), last[1] + 2 / 3 * (qy - last[1]))
            c2 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
            out.append(("C", *(_r(v) for v in (*c1, *c2, x, y))))
            last = (x, y)
        elif code == MplPath.CURVE4:
            out.append(("C", *(_r(v) for v in verts[:6])))
            last = (verts[4], verts[5])
        elif code == MplPath.CLOSEPOLY:
            out.append(("Z",))
            last = start
    return tuple(out) if any(op[0] != "M" for op in out) else ()


def _clip_rect(gc: GraphicsContextBase) -> Rect | None:
    box = gc.get_clip_rectangle()
    if box is None:
        return None
    x0, y0, x1, y1 = box.extents
    return (_r(x0), _r(y0), _r(x1), _r(y1))


def _clip_path(gc: GraphicsContextBase) -> tuple[PathOp, ...] | None:
    tpath, affine = gc.get_clip_path()
    if tpath is None:
        return None
    return _ops(tpath, affine) or None


_RECORDERS: dict[tuple[float, float], _Recorder] = {}


def record(fig: Figure) -> VectorChart:
    """Draw ``fig`` (already laid out) into a :class:`VectorChart` at its printed size."""
    w_in, h_in = fig.get_size_inches()
    size = (_r(w_in * 72), _r(h_in * 72))
    # One recorder per size, kept: matplotlib caches text extents per renderer, and the region
    # names and tick labels of one chart recur in the next.
    rec = _RECORDERS.pop(size, None) or _Recorder(*size)
    rec.items = []
    dpi = fig.dpi
    # As matplotlib's PDF and SVG backends do: at 72 dpi a display unit is a point.
    fig.dpi = 72
    try:
        fig.draw(rec)
    finally:
        fig.dpi = dpi
        if len(_RECORDERS) < 8:
            _RECORDERS[size] = rec  # taken out while in use: a chart drawn inside a chart gets its own
    return VectorChart(rec.width, rec.height, rec.items)
