"""Tables as the config asks for them: metrics × (本期, 上期, 增减) or regions × metrics.

Every cell is text from the zh layer; the builder numbers the table and adds
caption and source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from briefgen import zh
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


def change_cell(mv: MetricValue, mode: str) -> str:
    """The 增减 cell of a metric: growth, percentage points or net change (auto by unit)."""
    if mode == "none":
        return ""
    if mode == "auto":
        mode = "pp" if mv.defn.is_ratio else "yoy"
    try:
        if mode == "yoy":
            return zh.growth(mv.yoy, 1, prefix="") + ("*" if mv.yoy_is_published else "")
        if mode == "pp":
            return zh.pp(mv.pp, mv.decimals if mv.decimals is not None else 2)
        return zh.net(mv.net, mv.unit, mv.decimals)
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
            notes.append("带*的增速为统计部门公布数（可比价等口径），与表中两年数值直接计算的结果不同。")
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
