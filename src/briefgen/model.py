"""The neutral document model that every writer consumes.

Builders produce a :class:`Document`; writers (DOCX, PDF, ...) only translate it.
Nothing here knows about a file format: styles are named roles that the layout
style sheet maps to fonts and sizes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

if TYPE_CHECKING:
    from briefgen.charts.spec import ChartSpec


def _trace() -> Any:
    """A field for what an audited build printed in a block: the traced figures
    (:class:`briefgen.provenance.Printed`) in printing order. Writers ignore it."""
    return field(default_factory=list, repr=False, compare=False)


@dataclass
class Run:
    """A span of text with inline emphasis."""

    text: str
    bold: bool = False
    italic: bool = False
    # A font role override ("heading1", "heading2"...), e.g. for a run-in 黑体 lead.
    role: str | None = None


@dataclass
class Paragraph:
    """A paragraph of runs in a named style (body, attachment, postscript …)."""

    runs: list[Run]
    # Style role: body, lead (run-in), note, recipient, signature, date, attachment, postscript
    style: str = "body"
    align: Literal["justify", "left", "center", "right"] | None = None
    keep_with_next: bool = False  # on the same page as what follows (e.g. the 署名 block)
    trace: list[Any] = _trace()
    origin: str = field(default="", repr=False, compare=False)  # the template (file or config key) it came from

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Heading:
    """A numbered section heading (一、 （一） 1. （1）)."""

    text: str
    level: int  # 1..4 → 一、 （一） 1. （1）
    number: str = ""  # "一、" etc., filled by the numbering pass
    trace: list[Any] = _trace()

    @property
    def full_text(self) -> str:
        return f"{self.number}{self.text}"


@dataclass
class Table:
    """A table with its number, caption, unit line and source note."""

    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    number: str = ""  # "表1", filled by the numbering pass
    unit_note: str = ""  # e.g. "单位：亿元、%"
    source: str = ""
    # Per column alignment: "left" for labels, "right" for numbers.
    align: list[str] = field(default_factory=list)
    col_widths: list[float] | None = None  # relative weights
    # Size (pt) of the table's text when smaller than the style's table size (a wide table
    # steps down; its header keeps its size relative to the cells); None: the style's.
    size: float | None = None
    trace: list[Any] = _trace()  # of the caption
    cell_trace: list[list[list[Any]]] = _trace()  # per body cell

    @property
    def caption_line(self) -> str:
        """表1  caption."""
        return f"{self.number}  {self.caption}".strip()

    @property
    def continued_line(self) -> str:
        """续表1: above the part of a table carried over to another page."""
        return f"续{self.number}" if self.number else "续表"


@dataclass
class Figure:
    """A chart drawn once and used by every writer: as a PNG (``image``), as vector
    graphics (``vector``, when drawn), or built natively by a writer from its ``spec``."""

    image: Path
    spec: ChartSpec | None = None  # what the chart shows (categories, series, units)
    vector: Path | None = None  # a briefgen.charts.vector.VectorChart (JSON), when drawn
    caption: str = ""
    number: str = ""  # "图1"
    source: str = ""
    width_cm: float = 15.0  # printed width; writers cap it at the text block width
    aspect: float = 0.6  # height / width of the image
    trace: list[Any] = _trace()  # of the caption

    @property
    def caption_line(self) -> str:
        """图1  caption."""
        return f"{self.number}  {self.caption}".strip()


@dataclass
class PageBreak:
    """A forced page break."""


Block = Union[Paragraph, Heading, Table, Figure, PageBreak]


@dataclass
class Distribution:
    """报/送/发 lines of a 简报 报尾 or 抄送 of a 公文 版记."""

    to_superiors: list[str] = field(default_factory=list)  # 报
    to_peers: list[str] = field(default_factory=list)  # 送
    to_subordinates: list[str] = field(default_factory=list)  # 发
    cc: list[str] = field(default_factory=list)  # 抄送
    copies: int | None = None  # 共印X份


@dataclass
class DocMeta:
    """Everything around the body: 报头/版头, title, 署名, 报尾/版记, all already worded."""

    title: str
    organ: str  # 编发单位 / 发文机关
    date: str  # already formatted: 2022年1月5日
    kind: Literal["jianbao", "gongwen", "plain"] = "jianbao"
    masthead: str = ""  # 报头 text, e.g. 科技工作简报; 发文机关标志 for gongwen
    issue_no: str = ""  # 第1期
    total_issue_no: str = ""  # 总第X期
    doc_no: str = ""  # 发文字号 宜科发〔2022〕3号
    signer: str = ""  # 签发人
    classification: str = ""  # 密级
    urgency: str = ""
    recipients: str = ""  # 主送机关
    signature: str = ""  # 署名
    postscript: str = ""  # 附注
    attachments: list[str] = field(default_factory=list)
    print_organ: str = ""  # 印发机关
    print_date: str = ""  # 印发日期
    distribution: Distribution = field(default_factory=Distribution)
    subtitle: str = ""
    trace: dict[str, list[Any]] = field(default_factory=dict, repr=False, compare=False)  # title, subtitle

    # Derived lines: one wording for every writer.
    @property
    def issue_line(self) -> str:
        """第1期（总第86期）."""
        return self.issue_no + (f"（{self.total_issue_no}）" if self.total_issue_no else "")

    @property
    def recipients_line(self) -> str:
        r = self.recipients
        return r if not r or r.endswith("：") else r + "："

    @property
    def postscript_line(self) -> str:
        return f"（{self.postscript.strip('（）()')}）" if self.postscript else ""

    def attachment_lines(self) -> list[str]:
        """附件：1. 名称 — later items aligned under the first name (GB/T 9704 §7.3.4)."""
        out = []
        for i, a in enumerate(self.attachments, start=1):
            prefix = "附件：" if i == 1 else "　　　"
            num = f"{i}. " if len(self.attachments) > 1 else ""
            out.append(f"{prefix}{num}{a}")
        return out

    def end_lines(self) -> list[tuple[str, str]]:
        """报尾 (简报) or 版记 (公文) lines with their alignment: left, right, or split.

        A "split" line holds left and right parts separated by a tab.
        """
        dist = self.distribution
        lines: list[tuple[str, str]] = []
        if self.kind == "jianbao":
            for label, names in (("报：", dist.to_superiors), ("送：", dist.to_peers),
                                 ("发：", dist.to_subordinates)):
                if names:
                    lines.append((label + "，".join(names), "left"))
            if dist.copies:
                lines.append((f"（共印{dist.copies}份）", "right"))
        elif self.kind == "gongwen":
            if dist.cc:
                lines.append(("抄送：" + "，".join(dist.cc) + "。", "left"))
            lines.append((f"{self.print_organ}\t{self.print_date}印发", "split"))
        return lines


@dataclass
class Document:
    """What a builder makes and every writer reads."""

    meta: DocMeta
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text(self) -> str:
        """Plain text of the body, for tests and search."""
        parts: list[str] = []
        for b in self.blocks:
            if isinstance(b, Paragraph):
                parts.append(b.text)
            elif isinstance(b, Heading):
                parts.append(b.full_text)
            elif isinstance(b, Table):
                parts.append(" ".join([b.number, b.caption, b.unit_note, *b.header]))
                parts.extend(" ".join(r) for r in b.rows)
                parts.append(b.source)
            elif isinstance(b, Figure):
                parts.append(f"{b.number} {b.caption} {b.source}")
        return "\n".join(parts)
