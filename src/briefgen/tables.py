"""Tables as the config asks for them: metrics × (本期, 上期, 增减) or regions × metrics.

Every cell is text from the zh layer; the builder numbers the table and adds
caption and source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefgen import phrases, zh
from briefgen.config import TableCfg
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook, MetricValue


@dataclass
class TableBody:
    """A table's header, rows, alignment and column widths, and notes for under it."""

    header: list[str]
    rows: list[list[str]]
    align: list[str]
    col_widths: list[float] | None = None
    notes: list[str] = field(default_factory=list)


# The note under a table whose growth cells carry a published figure (marked *).
PUBLISHED_NOTE = "带*的增速为统计部门公布数，公布数与两年数值直接计算结果因口径不同而不一致。"


def change_cell(mv: MetricValue, mode: str) -> str:
    """The 增减 cell of a metric, worded by its measure: growth for a level (增长32.8%), percentage
    points for a ratio or growth rate (提高2.16个百分点), 多增/少增 for a net increase; a level that
    changed sign or has no positive base gets its difference (减少3.2亿元), never a growth rate;
    "—" without the data. A change that rounds to nothing between two different values reads
    基本持平 or gets one more decimal, never 持平 beside two different figures."""
    if mode == "none":
        return ""
    kind = mv.kind
    if mode == "auto":
        mode = {"ratio": "pp", "growth": "pp", "net": "net"}.get(kind, "yoy")
    try:
        cur, prev = mv.value, mv.prev
        if mode == "pp":
            if kind == "ratio":
                return phrases.change(mv, prefix="")
            return zh.pp(mv.pp, mv.decimals if mv.decimals is not None else 2, down="降低")
        if mode == "net" and kind == "net":
            if (cur < 0) != (prev < 0):
                return "—"  # 多增/少增 across a change of sign would mislead
            return phrases.net_change(mv, prefix="") or "—"
        if mode == "yoy" and prev > 0 and cur >= 0:
            text = phrases.change(mv, prefix="") if kind == "level" else zh.growth(mv.yoy, 1, prefix="")
            return text + ("*" if mv.yoy_is_published and text.startswith(("增长", "下降")) else "")
        return zh.change(cur - prev if mode == "yoy" else mv.net, mv.unit, mv.decimals)
    except BriefgenError:
        return "—"


def table_body(book: MetricBook, t: TableCfg) -> TableBody:
    """Header and rows of a table config, every value through the zh layer."""
    notes: list[str] = []
    if t.kind == "metrics":
        cur, prev = book.period, book.previous_of(book.period)
        header = ["指标", "单位", zh.period_cn(cur), zh.period_cn(prev)]
        if t.change != "none":
            header.append(f"{zh.growth_prefix(cur)}增减")
        rows = []
        for key in t.rows:
            mv = book.value(key)
            row = [mv.name, mv.unit, mv.num, zh.num(mv.prev, mv.decimals) if mv.has_prev else "—"]
            if t.change != "none":
                row.append(change_cell(mv, t.change))
            rows.append(row)
        if any(r[-1].endswith("*") for r in rows):
            notes.append(PUBLISHED_NOTE)
        align = ["left", "center", "right", "right", "right"][: len(header)]
        widths = [3.2, 1.0, 1.4, 1.4, 2.2][: len(header)]
    else:
        metrics = [book.value(k) for k in t.columns]
        regions = t.rows or book.peers or book.ds.regions(
            metrics[0].defn.indicator if metrics else None, book.period)
        header = ["地区"] + [f"{m.name}（{m.unit}）" if m.unit else m.name for m in metrics]
        ranks = {}
        if t.rank_by:
            ranks = book.ranks(book.defn(t.rank_by), book.period, regions)
            header.append("排名")
        rows = []
        for r in regions:
            row = [r]
            for m in metrics:
                mv = book.value(m.key, r)
                row.append(mv.num if mv.available else "—")
            if t.rank_by:
                row.append(str(ranks.get(r, "—")))
            rows.append(row)
        align = ["left"] + ["right"] * (len(header) - 1)
        widths = None
    return TableBody(header, rows, align, widths, notes)
