"""The style sheet shared by every writer: GB/T 9704-2012 page, grid and element styles.

Sizes are in pt, lengths in mm. A department template deep-merges its own
values over these (see `merge_style`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

MM = 72.0 / 25.4  # pt per mm

# Chinese font size names → pt.
ZH_SIZES = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
    "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5, "小六": 6.5, "七号": 5.5, "八号": 5,
}

DEFAULT_STYLE: dict[str, Any] = {
    "page": {
        "width": 210, "height": 297,  # A4
        "top": 37, "left": 28, "right": 26, "bottom": 35,  # 版心 156 × 225 mm
        "lines": 22, "chars": 28,
        # 225 mm / 22 ≈ 28.99 pt; Word templates use 28.95 so line 22 stays on the page.
        "line_pitch": 28.95,
        "footer_gap": 7,  # page number 7 mm below the 版心
    },
    "colors": {"red": "#E50012", "text": "#000000", "rule": "#E50012"},
    # Names the DOCX asks Word/WPS for; the PDF resolves real files by role (fonts.py).
    "font_names": {
        "title": "方正小标宋简体",
        "body": "仿宋_GB2312",
        "heading1": "黑体",
        "heading2": "楷体_GB2312",
        "song": "宋体",
        "latin": "Times New Roman",
    },
    "elements": {
        "masthead": {"font": "title", "size": 42, "color": "red", "align": "center"},
        "issue_no": {"font": "body", "size": 16, "align": "center"},
        "organ_line": {"font": "body", "size": 16},
        "doc_no": {"font": "body", "size": 16, "align": "center"},
        "classification": {"font": "heading1", "size": 16, "align": "left"},
        "title": {"font": "title", "size": 22, "align": "center", "line_pitch": 36},
        "subtitle": {"font": "heading2", "size": 16, "align": "center"},
        "recipients": {"font": "body", "size": 16, "align": "left", "indent": 0},
        "body": {"font": "body", "size": 16, "align": "justify", "indent": 2},
        "heading1": {"font": "heading1", "size": 16, "align": "justify", "indent": 2, "keep_next": True},
        "heading2": {"font": "heading2", "size": 16, "align": "justify", "indent": 2, "keep_next": True},
        "heading3": {"font": "body", "size": 16, "align": "justify", "indent": 2, "keep_next": True},
        "heading4": {"font": "body", "size": 16, "align": "justify", "indent": 2, "keep_next": True},
        "caption": {"font": "heading1", "size": 14, "align": "center"},
        "table_head": {"font": "heading1", "size": 12, "align": "center"},
        "table_cell": {"font": "body", "size": 12},
        "table_note": {"font": "body", "size": 12, "align": "left"},
        "figure_note": {"font": "body", "size": 12, "align": "center"},
        "attachment": {"font": "body", "size": 16, "indent": 2},
        "signature": {"font": "body", "size": 16, "align": "right", "right_indent": 2},
        "date": {"font": "body", "size": 16, "align": "right", "right_indent": 2},
        "postscript": {"font": "body", "size": 16, "indent": 2},
        "distribution": {"font": "body", "size": 14},
        "page_number": {"font": "song", "size": 14},
    },
}


def merge_style(base: dict[str, Any], override: dict[str, Any] | None) -> dict[str, Any]:
    """Deep-merge `override` into a copy of `base` (mappings merge, everything else replaces)."""
    out = copy.deepcopy(base)
    for k, v in (override or {}).items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_style(out[k], v)
        else:
            out[k] = copy.deepcopy(v)
    return out


@dataclass(frozen=True)
class Geometry:
    """Page geometry in pt."""

    width: float
    height: float
    top: float
    left: float
    right: float
    bottom: float
    line_pitch: float
    lines: int
    chars: int
    footer_gap: float

    @property
    def text_width(self) -> float:
        return self.width - self.left - self.right

    @property
    def text_height(self) -> float:
        return self.height - self.top - self.bottom


def geometry(style: dict[str, Any]) -> Geometry:
    p = style["page"]
    return Geometry(
        width=p["width"] * MM, height=p["height"] * MM, top=p["top"] * MM, left=p["left"] * MM,
        right=p["right"] * MM, bottom=p["bottom"] * MM, line_pitch=float(p["line_pitch"]),
        lines=int(p["lines"]), chars=int(p["chars"]), footer_gap=p["footer_gap"] * MM,
    )


def element(style: dict[str, Any], name: str) -> dict[str, Any]:
    """An element's style with defaults filled in and size names resolved to pt."""
    e = dict(style["elements"].get(name) or style["elements"]["body"])
    size = e.get("size", 16)
    e["size"] = float(ZH_SIZES.get(size, size)) if isinstance(size, str) else float(size)
    e.setdefault("font", "body")
    e.setdefault("align", "justify")
    e.setdefault("indent", 0)
    e.setdefault("bold", False)
    color = e.get("color", "text")
    e["color"] = style["colors"].get(color, color)
    return e


def hex_rgb(color: str) -> tuple[int, int, int]:
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)
