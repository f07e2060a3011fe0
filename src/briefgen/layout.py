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
    # Chart colours (None: charts.PALETTE) and table look, per department template.
    "chart": {"palette": None},
    "table": {"header_fill": "", "border": 0.6, "border_color": "#000000"},
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


# --- title shape ------------------------------------------------------------

_TITLE_PUNCT = "，、：；——"
# Break after these (the word before them is complete) …
_AFTER = ("关于", "的", "年度", "和", "与", "及", "暨", "局", "市", "省", "区", "县", "委", "府", "会", "院", "部", "厅")
# … or before these heads of a noun phrase.
_BEFORE = ("关于", "工作", "情况", "报告", "通知", "意见", "方案", "办法", "规定", "决定", "简报", "回顾", "分析")


def signature_indents(signature: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of 署名 and 成文日期 without a seal (GB/T 9704 §7.3.5.2):
    署名 右空二字; the date on the next line starts two characters right of the 署名's first."""
    return 2.0, max(0.0, text_em(signature) - text_em(date))


def text_em(text: str) -> float:
    """Width in ems: CJK and full-width count 1, ASCII (digits, Latin) 0.5."""
    return sum(0.5 if ord(ch) < 0x2E80 and ch not in "—…“”‘’" else 1.0 for ch in text)


def _title_breaks(text: str) -> dict[int, int]:
    """Candidate break offsets → cost (0 after punctuation, 1 at a likely word boundary)."""
    cands: dict[int, int] = {}
    for i in range(1, len(text)):
        before, after = text[:i], text[i:]
        if before[-1] in _TITLE_PUNCT and after[0] not in _TITLE_PUNCT:
            cands[i] = 0
        elif before[-1].isdigit() and after[0].isdigit():
            continue
        elif any(before.endswith(w) for w in _AFTER) or any(after.startswith(w) for w in _BEFORE):
            cands.setdefault(i, 1)
    return cands


def balance_title(title: str, max_em: float) -> list[str]:
    """Break a long title into balanced lines (梯形/菱形), only at punctuation or word boundaries.

    Explicit line breaks in the config are kept as they are. A title without any
    usable boundary is broken greedily so nothing runs past the margin.
    """
    if "\n" in title:
        return [ln for ln in title.split("\n") if ln.strip()]
    if text_em(title) <= max_em:
        return [title]
    cands = _title_breaks(title)
    lines_needed = int(text_em(title) // max_em) + 1
    best: tuple[float, list[str]] | None = None
    # The search is exponential in the number of lines: a pasted paragraph as a
    # title must not hang the build, so it stops after a fixed number of steps.
    budget = 20_000

    def search(start: int, parts: list[str], cost: float) -> None:
        nonlocal best, budget
        budget -= 1
        if budget < 0:
            return
        rest = title[start:]
        if len(parts) == lines_needed - 1:
            if text_em(rest) <= max_em:
                lines = parts + [rest]
                widths = [text_em(x) for x in lines]
                score = cost * 3 + (max(widths) - min(widths))
                if best is None or score < best[0]:
                    best = (score, lines)
            return
        for i, c in cands.items():
            budget -= 1
            if budget < 0:
                return
            if i > start and text_em(title[start:i]) <= max_em:
                search(i, parts + [title[start:i]], cost + c)

    search(0, [], 0)
    if best is not None:
        return best[1]
    # No boundary fits: greedy by width.
    lines, cur = [], ""
    for ch in title:
        if text_em(cur + ch) > max_em:
            lines.append(cur)
            cur = ""
        cur += ch
    return lines + ([cur] if cur else [])
