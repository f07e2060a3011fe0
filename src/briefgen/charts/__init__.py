"""Charts for briefings: each chart is laid out once and drawn into a PNG and/or vector
graphics (a ``VectorChart``) that the writers embed; the DOCX writer can instead build
a native Word chart from the same ``ChartSpec``.

Importing this package is cheap: it gives the spec side only (no matplotlib).
The drawing side loads on first use of ``render_chart``.

Map of the package:

- ``spec``      ChartSpec, Series, validate_spec — what a chart shows (no matplotlib)
- ``policy``    kind, axis, colours, ranking order: rules every rendering shares (no matplotlib)
- ``vector``    VectorChart: shapes and text in points, JSON for the cache (no matplotlib)
- ``theme``     colours, printed font sizes, margins
- ``numfmt``    numbers as labels, rounded like the briefing text (briefgen.zh)
- ``scales``    nice ticks, axis limits, a right axis aligned to the left (pure math)
- ``text``      text measurement, wrapping, fitting category labels
- ``placement`` greedy data-label placement (pure geometry)
- ``canvas``    the figure every kind draws on: colours, title, legend, units, source
- ``kinds/``    one module per chart family: cartesian (its layout maths in
                cartesian_layout), hbar, pie
- ``render``    render_chart(spec, out, font_path, font_index, vector=…) and font registration
- ``recorder``  a matplotlib renderer that records a figure as a VectorChart
- ``cache``     cached_chart: an identical chart (PNG, vector) is copied, not redrawn
"""

from __future__ import annotations

from briefgen.charts.spec import CHART_TYPES, ChartSpec, Series, validate_spec
from briefgen.charts.theme import ACCENT, PALETTE

__all__ = [
    "CHART_TYPES", "ACCENT", "PALETTE", "Series", "ChartSpec",
    "render_chart", "validate_spec", "default_font_path", "register_font",
]

_DRAWING = ("render_chart", "default_font_path", "register_font")


def __getattr__(name: str):
    """``render_chart``, ``default_font_path`` and ``register_font`` from ``render``, loaded on first use."""
    if name in _DRAWING:
        from briefgen.charts import render  # local: the drawing side loads matplotlib

        return getattr(render, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
