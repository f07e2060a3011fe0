"""A recorded :class:`~briefgen.charts.vector.VectorChart` painted into a PNG with matplotlib's Agg
rasteriser, without drawing the figure a second time.

A native-mode build needs each chart twice: as vector graphics for the PDF and as a PNG
that Word shows only where it cannot show the native chart (the DOCX fallback picture).
Drawing the figure again for the PNG would walk every artist, lay out every text and
compute every tick a second time; painting the recorded shapes and labels costs a third of
that. The picture is the PDF's chart: the same shapes at the same places, text set from the
same baselines (positions may differ from a direct Agg drawing by under a pixel, as the
layout was measured with unhinted font metrics).
"""

from __future__ import annotations

import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgb
from matplotlib.font_manager import FontProperties
from matplotlib.path import Path as MplPath
from matplotlib.transforms import Affine2D, Bbox, TransformedPath

from briefgen.charts.vector import Label, PathOp, Rect, Shape, VectorChart

__all__ = ["paint", "save_png", "write_png"]

_CODES = {"M": MplPath.MOVETO, "L": MplPath.LINETO, "Z": MplPath.CLOSEPOLY}
# One renderer per canvas size (its buffer is cleared for the next chart), a few sizes at most.
_RENDERERS: dict[tuple[int, int, float], RendererAgg] = {}


def _path(ops: tuple[PathOp, ...]) -> MplPath:
    verts: list[tuple[float, float]] = []
    codes: list[Any] = []
    last = (0.0, 0.0)
    for op in ops:
        kind = op[0]
        if kind == "C":
            pts = [(op[1], op[2]), (op[3], op[4]), (op[5], op[6])]
            verts += pts
            codes += [MplPath.CURVE4] * 3
            last = pts[-1]
        elif kind == "Z":
            verts.append(last)
            codes.append(MplPath.CLOSEPOLY)
        else:
            last = (op[1], op[2])
            verts.append(last)
            codes.append(_CODES[kind])
    return MplPath(verts, codes)


def _renderer(width_px: int, height_px: int, dpi: float) -> RendererAgg:
    key = (width_px, height_px, dpi)
    r = _RENDERERS.get(key)
    if r is None:
        if len(_RENDERERS) >= 4:
            _RENDERERS.clear()
        r = _RENDERERS[key] = RendererAgg(width_px, height_px, dpi)
    else:
        r.clear()
    return r


def _clip(gc: Any, rect: Rect | None, clip_path: tuple[PathOp, ...] | None, scale: Affine2D, k: float) -> None:
    if rect is not None:
        x0, y0, x1, y1 = rect
        gc.set_clip_rectangle(Bbox([[x0 * k, y0 * k], [x1 * k, y1 * k]]))
    if clip_path is not None:
        gc.set_clip_path(TransformedPath(_path(clip_path), scale))


def paint(vc: VectorChart, width_px: int, height_px: int, dpi: float) -> Any:
    """Paint ``vc`` on a white-less, cleared Agg canvas of ``width_px`` × ``height_px`` at ``dpi``
    (the figure's own background is one of its shapes); return the renderer, whose
    ``buffer_rgba()`` holds the picture until the next call. Text is set in the font settings
    in force (``rcParams``), as the chart was drawn."""
    r = _renderer(width_px, height_px, dpi)
    k = dpi / 72.0
    scale = Affine2D().scale(k)
    props: dict[tuple[float, bool], FontProperties] = {}
    for item in vc.items:
        gc = r.new_gc()
        try:
            if isinstance(item, Shape):
                _clip(gc, item.clip, item.clip_path, scale, k)
                face = None
                if item.fill is not None:
                    face = (*to_rgb(item.fill), item.fill_alpha)
                if item.stroke is not None:
                    gc.set_foreground((*to_rgb(item.stroke), item.stroke_alpha), isRGBA=True)
                    gc.set_linewidth(item.width)
                    if item.dash is not None:
                        gc.set_dashes(item.dash[0], list(item.dash[1]))
                    cap: Any = item.cap  # one of matplotlib's names, as recorded
                    join: Any = item.join
                    gc.set_capstyle(cap)
                    gc.set_joinstyle(join)
                else:
                    gc.set_linewidth(0)
                r.draw_path(gc, _path(item.path), scale, face)
            elif isinstance(item, Label):
                _clip(gc, item.clip, None, scale, k)
                gc.set_foreground((*to_rgb(item.color), item.alpha), isRGBA=True)
                prop = props.get((item.size, item.bold))
                if prop is None:
                    prop = props[(item.size, item.bold)] = FontProperties(
                        size=item.size, weight="bold" if item.bold else "normal")
                # Agg measures y from the top of the canvas.
                r.draw_text(gc, item.x * k, height_px - item.y * k, item.text, prop, item.angle)
        finally:
            gc.restore()
    return r


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def save_png(rgba: Any, width_px: int, height_px: int, out: Path, dpi: int) -> None:
    """Save an RGBA buffer (an Agg renderer's) as an opaque 8-bit RGB PNG.

    Opaque RGB: a PDF then needs no soft mask (PDF/A forbids them); no time or version
    stamp, so the bytes are stable across runs. Rows are stored unfiltered and deflated at
    level 3: the pixels PIL would write, in about a third of its time (PIL tries five
    filters a row and deflates harder), in files of about the same total size (measured on
    the seeds' charts: flat colours compress well without filters).
    """
    rgb = np.frombuffer(rgba, np.uint8).reshape(height_px, width_px, 4)[:, :, :3].reshape(height_px, 3 * width_px)
    rows = np.empty((height_px, 1 + 3 * width_px), np.uint8)
    rows[:, 0] = 0  # filter type "none"
    rows[:, 1:] = rgb
    ppm = int(dpi / 0.0254 + 0.5)
    data = b"".join([
        b"\x89PNG\r\n\x1a\n",
        _chunk(b"IHDR", struct.pack(">IIBBBBB", width_px, height_px, 8, 2, 0, 0, 0)),
        _chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1)),
        _chunk(b"IDAT", zlib.compress(rows.data, 3)),
        _chunk(b"IEND", b""),
    ])
    with open(out, "wb") as fh:
        fh.write(data)


def write_png(vc: VectorChart, out: Path, width_px: int, height_px: int, dpi: int) -> None:
    """:func:`paint` ``vc`` and save it with :func:`save_png`."""
    save_png(paint(vc, width_px, height_px, dpi).buffer_rgba(), width_px, height_px, out, dpi)
