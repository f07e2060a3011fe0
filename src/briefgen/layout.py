"""The style sheet shared by every writer: GB/T 9704-2012 page, grid and element styles,
and the layout rules both writers follow (title shape, 署名 indents, character tracking).

Sizes are in pt, lengths in mm. A department template or config overrides only
the keys it names; the merged sheet is validated like the rest of the config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from briefgen.fonts.catalogue import ALIASES, ASCII_FONT, OFFICIAL_EAST_ASIA
from briefgen.templates import deep_merge

MM = 72.0 / 25.4  # pt per mm

# Chinese font size names → pt.
ZH_SIZES = {
    "初号": 42, "小初": 36, "一号": 26, "小一": 24, "二号": 22, "小二": 18, "三号": 16, "小三": 15,
    "四号": 14, "小四": 12, "五号": 10.5, "小五": 9, "六号": 7.5, "小六": 6.5, "七号": 5.5, "八号": 5,
}

Align = Literal["justify", "left", "center", "right"]
FontRole = Literal["title", "body", "heading1", "heading2", "song", "kai", "hei"]
_HEX = re.compile(r"#[0-9a-fA-F]{6}")


class _Style(BaseModel):
    # Unknown keys are errors: `szie: 14` must never be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


def _hex_color(v: str) -> str:
    if not isinstance(v, str) or not _HEX.fullmatch(v):
        raise ValueError(f"颜色“{v}”无效，应写作 #RRGGBB")
    return v.upper()


class ElementStyle(_Style):
    """How one element (正文, 一级标题, 报头 …) is set. Sizes in pt or as 字号 (三号)."""

    font: FontRole = Field(
        "body", description="字体角色：title 小标宋、body 仿宋、heading1 黑体、heading2 楷体、song 宋体")
    size: float = Field(16, description="字号，pt 或“三号”等字号名")
    color: str = Field("text", description="颜色：colors 中的名称（text、red）或 #RRGGBB")
    align: Align = Field("justify", description="对齐：justify 两端、left、center、right")
    indent: float = Field(0, description="首行缩进（字）")
    right_indent: float = Field(0, description="右缩进（字）")
    bold: bool = False
    keep_next: bool = Field(False, description="与下段同页")
    line_pitch: float | None = Field(None, description="行距（pt），不写则用版面行距")

    @field_validator("size", mode="before")
    @classmethod
    def _size_name(cls, v: Any) -> Any:
        if isinstance(v, str) and v.strip() in ZH_SIZES:
            return ZH_SIZES[v.strip()]
        if isinstance(v, str):
            try:
                return float(v)
            except ValueError:
                raise ValueError(f"字号“{v}”无效，应为数字（pt）或“三号”“小四”等字号名") from None
        return v


def _el(**kw: Any) -> Any:
    return Field(default_factory=lambda: ElementStyle(**kw))


class Elements(_Style):
    """Every element the writers set, with the GB/T 9704-2012 defaults."""

    masthead: ElementStyle = _el(font="title", size=42, color="red", align="center")
    issue_no: ElementStyle = _el(font="body", size=16, align="center")
    organ_line: ElementStyle = _el(font="body", size=16)
    doc_no: ElementStyle = _el(font="body", size=16, align="center")
    classification: ElementStyle = _el(font="heading1", size=16, align="left")
    title: ElementStyle = _el(font="title", size=22, align="center", line_pitch=36)
    subtitle: ElementStyle = _el(font="heading2", size=16, align="center")
    recipients: ElementStyle = _el(font="body", size=16, align="left", indent=0)
    body: ElementStyle = _el(font="body", size=16, align="justify", indent=2)
    heading1: ElementStyle = _el(font="heading1", size=16, align="justify", indent=2, keep_next=True)
    heading2: ElementStyle = _el(font="heading2", size=16, align="justify", indent=2, keep_next=True)
    heading3: ElementStyle = _el(font="body", size=16, align="justify", indent=2, keep_next=True)
    heading4: ElementStyle = _el(font="body", size=16, align="justify", indent=2, keep_next=True)
    caption: ElementStyle = _el(font="heading1", size=14, align="center")
    table_head: ElementStyle = _el(font="heading1", size=12, align="center")
    table_cell: ElementStyle = _el(font="body", size=12)
    table_note: ElementStyle = _el(font="body", size=12, align="left")
    figure_note: ElementStyle = _el(font="body", size=12, align="center")
    attachment: ElementStyle = _el(font="body", size=16, indent=2)
    signature: ElementStyle = _el(font="body", size=16, align="right", right_indent=2)
    date: ElementStyle = _el(font="body", size=16, align="right", right_indent=2)
    postscript: ElementStyle = _el(font="body", size=16, indent=2)
    distribution: ElementStyle = _el(font="body", size=14)
    page_number: ElementStyle = _el(font="song", size=14)


class PageStyle(_Style):
    """A4 page and 版心 in mm; 22 lines × 28 characters (GB/T 9704 §5.2)."""

    width: float = 210
    height: float = 297
    top: float = 37
    left: float = 28
    right: float = 26
    bottom: float = 35  # 版心 156 × 225 mm
    lines: int = 22
    chars: int = 28
    # 225 mm / 22 ≈ 28.99 pt; Word templates use 28.95 so line 22 stays on the page.
    line_pitch: float = Field(28.95, description="行距（pt）")
    footer_gap: float = Field(7, description="页码距版心下边缘（mm）")
    letterhead_footer: bool = Field(
        False, description="使用 Word 信笺时保留信笺自带的页脚；默认换成“— 1 —”式页码（单页居右、双页居左）")


class ChartStyle(_Style):
    """Chart colours per department template, and the form charts take in each format."""

    palette: list[str] | None = Field(None, description="图表配色 #RRGGBB 列表，不写则用默认配色")
    mode: Literal["native", "image"] = Field(
        "native", description="图表形式：native（默认）DOCX 中为可编辑的 Word 图表（右键“编辑数据”可改数值），"
                              "PDF 中为矢量图（放大不失真、文字可检索）；image 两种格式都插入 PNG 图片")
    fallback: bool = Field(
        True, description="native 时在 DOCX 图表中另附 PNG 图片，供不能显示图表的软件显示（文件略大）")

    @field_validator("palette")
    @classmethod
    def _colors(cls, v: list[str] | None) -> list[str] | None:
        if v is not None and not v:
            raise ValueError("调色板不能为空")
        return None if v is None else [_hex_color(c) for c in v]


class TableLook(_Style):
    """Table rules and header shading."""

    header_fill: str = Field("", description="表头底纹 #RRGGBB，空为无")
    border: float = Field(0.6, description="表格线粗细（pt）")
    border_color: str = "#000000"

    @field_validator("header_fill", "border_color")
    @classmethod
    def _color(cls, v: str) -> str:
        return v if v == "" else _hex_color(v)


class FontNames(_Style):
    """Font names the DOCX asks Word/WPS for; the PDF resolves real files by role (fonts)."""

    title: str = OFFICIAL_EAST_ASIA["title"]
    body: str = OFFICIAL_EAST_ASIA["body"]
    heading1: str = OFFICIAL_EAST_ASIA["heading1"]
    heading2: str = OFFICIAL_EAST_ASIA["heading2"]
    song: str = OFFICIAL_EAST_ASIA["song"]
    latin: str = ASCII_FONT

    def for_role(self, role: str) -> str:
        """The East Asian font name of a role (kai/hei aliases included)."""
        role = ALIASES.get(role, role)
        return str(getattr(self, role, None) or self.body)


def _default_colors() -> dict[str, str]:
    return {"red": "#E50012", "text": "#000000", "rule": "#E50012"}


class StyleSheet(_Style):
    """The style sheet every writer reads: page, grid, colours, fonts and element styles.

    A department template or a config overrides only the keys it names
    (:func:`resolve_style`); every key is checked, unknown ones are errors.
    """

    page: PageStyle = Field(default_factory=PageStyle)
    colors: dict[str, str] = Field(default_factory=_default_colors, description="命名颜色：red 报头与红线，text 正文")
    chart: ChartStyle = Field(default_factory=ChartStyle)
    table: TableLook = Field(default_factory=TableLook)
    font_names: FontNames = Field(default_factory=FontNames)
    elements: Elements = Field(default_factory=Elements)
    numbering: Literal["cn", "none"] = Field("cn", description="标题编号：cn 一、（一）1.（1），none 不编号")

    @field_validator("colors")
    @classmethod
    def _colors(cls, v: dict[str, str]) -> dict[str, str]:
        return {k: _hex_color(c) for k, c in v.items()}

    def element(self, name: str) -> ElementStyle:
        """An element's style with its colour name resolved to #RRGGBB."""
        e = getattr(self.elements, name, None)
        if not isinstance(e, ElementStyle):
            e = self.elements.body
        color = self.colors.get(e.color, e.color)
        return e if color == e.color else e.model_copy(update={"color": color})

    @property
    def geometry(self) -> "Geometry":
        """Page geometry in pt."""
        p = self.page
        return Geometry(
            width=p.width * MM, height=p.height * MM, top=p.top * MM, left=p.left * MM,
            right=p.right * MM, bottom=p.bottom * MM, line_pitch=float(p.line_pitch),
            lines=int(p.lines), chars=int(p.chars), footer_gap=p.footer_gap * MM,
        )

    def tracking(self, size: float) -> float:
        """Extra space (pt, ≤ 0) between characters of text at `size` so exactly `chars`
        body characters fill a line (28 × 16 pt = 448 pt > 442.2 pt of 版心).

        Only text of the body size sits on the 28-character grid; a 42 pt 报头
        tightened by the same rule would have its characters overlap.
        """
        body = self.elements.body.size
        if abs(size - body) > 0.01:
            return 0.0
        g = self.geometry
        return min(0.0, (g.text_width - g.chars * body) / g.chars)


DEFAULT_STYLE: dict[str, Any] = StyleSheet().model_dump()


def resolve_style(override: dict[str, Any] | None = None) -> StyleSheet:
    """The default style sheet with `override` (a raw mapping from YAML) merged in and checked."""
    return StyleSheet.model_validate(deep_merge(DEFAULT_STYLE, override or {}))


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


def hex_rgb(color: str) -> tuple[int, int, int]:
    """"#E50012" → (229, 0, 18)."""
    c = color.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


# --- title shape ------------------------------------------------------------

_TITLE_PUNCT = "，、：；——"
# Break after these (the word before them is complete) …
_AFTER = ("关于", "的", "年度", "和", "与", "及", "暨", "局", "市", "省", "区", "县", "委", "府", "会", "院",
          "部", "厅")
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
