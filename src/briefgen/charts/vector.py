"""A chart as vector graphics: the shapes and text matplotlib drew, in points, for a
writer to paint with its own drawing code and fonts.

matplotlib draws each chart once into a :class:`VectorChart` (``charts.recorder``);
the PDF writer paints it on its page, so the chart is sharp at any zoom and its
text is real text, set in the document's own embedded font (searchable, and no
second copy of the font per chart). The chart cache keeps it as JSON.

Nothing here loads matplotlib or knows a file format. Coordinates are points
from the chart's lower left corner, y up; angles are degrees anticlockwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

__all__ = ["Shape", "Label", "VectorChart", "FORMAT", "VERSION", "SUFFIX"]

FORMAT = "briefgen-vector-chart"
VERSION = 1
SUFFIX = ".vec.json"

# Path operations: ("M", x, y), ("L", x, y), ("C", x1, y1, x2, y2, x3, y3), ("Z",)
PathOp = tuple
Rect = tuple[float, float, float, float]  # x0, y0, x1, y1


@dataclass(frozen=True)
class Shape:
    """A path, filled and/or stroked, optionally clipped to a rectangle or a path."""

    path: tuple[PathOp, ...]
    fill: str | None = None  # "#RRGGBB"
    fill_alpha: float = 1.0
    stroke: str | None = None
    stroke_alpha: float = 1.0
    width: float = 0.0  # line width, pt
    dash: tuple[float, tuple[float, ...]] | None = None  # (offset, on/off lengths), pt
    cap: str = "butt"  # butt | round | projecting
    join: str = "miter"  # miter | round | bevel
    clip: Rect | None = None
    clip_path: tuple[PathOp, ...] | None = None


@dataclass(frozen=True)
class Label:
    """One line of text, drawn from its baseline's left end at (x, y), turned by ``angle``."""

    text: str
    x: float
    y: float
    size: float  # pt
    color: str = "#000000"
    alpha: float = 1.0
    angle: float = 0.0
    bold: bool = False
    clip: Rect | None = None


Item = Union[Shape, Label]


@dataclass
class VectorChart:
    """Everything drawn on a chart ``width`` × ``height`` points, in painting order."""

    width: float
    height: float
    items: list[Item] = field(default_factory=list)

    def texts(self) -> list[str]:
        """The text of every label, in drawing order (for tests and search)."""
        return [i.text for i in self.items if isinstance(i, Label)]

    def to_json(self) -> str:
        """The chart as compact, stable JSON (the cache's file format)."""
        items: list[dict[str, Any]] = []
        for it in self.items:
            if isinstance(it, Label):
                d: dict[str, Any] = {"t": it.text, "x": it.x, "y": it.y, "size": it.size, "color": it.color}
                _put(d, "alpha", it.alpha, 1.0)
                _put(d, "angle", it.angle, 0.0)
                _put(d, "bold", it.bold, False)
                _put(d, "clip", it.clip, None)
            else:
                d = {"d": [list(op) for op in it.path]}
                for key, default in (("fill", None), ("fill_alpha", 1.0), ("stroke", None), ("stroke_alpha", 1.0),
                                     ("width", 0.0), ("cap", "butt"), ("join", "miter"), ("clip", None)):
                    _put(d, key, getattr(it, key), default)
                if it.dash is not None:
                    d["dash"] = [it.dash[0], list(it.dash[1])]
                if it.clip_path is not None:
                    d["clip_path"] = [list(op) for op in it.clip_path]
            items.append(d)
        return json.dumps({"format": FORMAT, "version": VERSION, "width": self.width, "height": self.height,
                           "items": items}, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "VectorChart":
        """The chart written by :meth:`to_json`; ValueError for anything else."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a briefgen vector chart of this version")
        items: list[Item] = []
        for d in data["items"]:
            if "t" in d:
                items.append(Label(d["t"], d["x"], d["y"], d["size"], d["color"], d.get("alpha", 1.0),
                                   d.get("angle", 0.0), d.get("bold", False), _rect(d.get("clip"))))
            else:
                dash = d.get("dash")
                items.append(Shape(
                    _ops(d["d"]), d.get("fill"), d.get("fill_alpha", 1.0), d.get("stroke"),
                    d.get("stroke_alpha", 1.0), d.get("width", 0.0),
                    None if dash is None else (dash[0], tuple(dash[1])), d.get("cap", "butt"),
                    d.get("join", "miter"), _rect(d.get("clip")),
                    None if d.get("clip_path") is None else _ops(d["clip_path"])))
        return cls(float(data["width"]), float(data["height"]), items)

    def save(self, path: Path) -> Path:
        """Write the chart's JSON to ``path``."""
        Path(path).write_text(self.to_json(), encoding="utf-8")
        return Path(path)

    @classmethod
    def load(cls, path: Path) -> "VectorChart":
        """Read a chart written by :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def _put(d: dict[str, Any], key: str, value: Any, default: Any) -> None:
    # defaults are left out: most shapes are plain fills, most labels upright
    if value != default:
        d[key] = list(value) if isinstance(value, tuple) else value


def _rect(v: Any) -> Rect | None:
    return None if v is None else (float(v[0]), float(v[1]), float(v[2]), float(v[3]))


def _ops(ops: list[list[Any]]) -> tuple[PathOp, ...]:
    return tuple((op[0], *op[1:]) for op in ops)
