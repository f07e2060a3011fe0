"""One module per chart family, each with a ``draw(canvas)`` that fills the canvas."""

from __future__ import annotations

from collections.abc import Callable

from briefgen.charts.canvas import Canvas
from briefgen.charts.kinds import cartesian, hbar, pie

__all__ = ["DRAWERS", "draw"]

DRAWERS: dict[str, Callable[[Canvas], None]] = {
    "bar": cartesian.draw,
    "line": cartesian.draw,
    "bar_line": cartesian.draw,
    "stacked_bar": cartesian.draw,
    "hbar_rank": hbar.draw,
    "pie": pie.draw,
    "donut": pie.draw,
}


def draw(canvas: Canvas) -> None:
    """Draw the chart of ``canvas.spec`` with the function for its type."""
    # Kinds that warn count this frame in their stacklevel: keep it a plain call.
    DRAWERS[canvas.spec.type](canvas)
