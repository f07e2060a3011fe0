"""Tables as the config asks for them: metrics × (本期, 上期, 增减) or regions × metrics.

Every cell is text from the zh layer; the builder numbers the table and adds
caption and source. A regions table may show per indicator its value, the
previous period, growth, net change, percentage points and rank, a total row,
and its units in one line (单位：亿元、%) or in the headers. Its column widths
fit the longest region name and every number on one line, and headers break only
between words (:mod:`briefgen.terms`), never inside a unit. A table whose columns do
not fit at the body table size steps its type down (小四 → 五号 → 小五, as official
tables may), and only then breaks its headers between characters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from briefgen import phrases, provenance, terms, zh
from briefgen.config import TableCfg, TableColumnCfg
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook, MetricValue, competition_rank
from briefgen.provenance import Printed, Prov, traced

#: Text width of the default page (156 mm), pt.
DEFAULT_WIDTH_PT = 442.2
#: The default table size (小四), pt.
DEFAULT_SIZE = 12.0
#: Text width of the default page in em of the default table size.
DEFAULT_WIDTH_EM = DEFAULT_WIDTH_PT / DEFAULT_SIZE
#: Room a cell's margins take, pt (Word's 0.19 cm a side is the wider of the writers').
CELL_PADDING_PT = 12.0
#: The same in em of the default table size.
CELL_PADDING_EM = CELL_PADDING_PT / DEFAULT_SIZE
#: Sizes (pt) a table steps down through when its columns do not fit: 小四, 五号, 小五.
TABLE_SIZES = (12.0, 10.5, 9.0)


@dataclass
class TableBody:
    """A table's header, rows, alignment and column widths, and notes for under it."""

    header: list[str]
    rows: list[list[str]]
    align: list[str]
    col_widths: list[float] | None = None
    notes: list[str] = field(default_factory=list)
    unit_note: str = ""  # 单位：亿元、%
    # Per cell, the traced figures printed in it (an audited build; else empty lists).
    traces: list[list[list[Printed]]] = field(default_factory=list)
    size: float = DEFAULT_SIZE  # of the table's text (pt): below the style's when it had to step down
    fits: bool = True  # False: even at the smallest size some cells break (the builder warns)


def _cell(fn: Callable[[], str]) -> tuple[str, list[Printed]]:
    """A cell's text and the figures printed in it."""
    with provenance.scope() as got:
        text = fn()
    return text, list(got or [])


def _num(mv: MetricValue) -> Callable[[], str]:
    return lambda: mv.num


def _prev(mv: MetricValue) -> Callable[[], str]:
    return lambda: zh.num(mv.prev, mv.decimals) if mv.has_prev else "—"


def _change(mv: MetricValue, mode: str) -> Callable[[], str]:
    return lambda: change_cell(mv, mode)


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


def table_body(book: MetricBook, t: TableCfg, width_pt: float = DEFAULT_WIDTH_PT,
               size: float = DEFAULT_SIZE) -> TableBody:
    """Header and rows of a table config, every value through the zh layer.

    `width_pt` is the text width and `size` the style's table size (pt), for the column
    widths and the size the table is set in (see :func:`fit_table`).
    """
    if t.kind == "regions":
        return regions_table(book, t, width_pt, size)
    notes: list[str] = []
    if t.kind == "metrics":
        cur, prev = book.period, book.previous_of(book.period)
        header = ["指标", "单位", zh.period_cn(cur), zh.period_cn(prev)]
        if t.change != "none":
            header.append(f"{zh.growth_prefix(cur)}增减")
        rows = []
        traces: list[list[list[Printed]]] = []
        for key in t.rows:
            mv = book.value(key)
            cells: list[tuple[str, list[Printed]]] = [(mv.name, []), (mv.unit, []), _cell(_num(mv)), _cell(_prev(mv))]
            if t.change != "none":
                cells.append(_cell(_change(mv, t.change)))
            rows.append([c for c, _p in cells])
            traces.append([p for _c, p in cells])
        if any(r[-1].endswith("*") for r in rows):
            notes.append(PUBLISHED_NOTE)
        align = ["left", "center", "right", "right", "right"][: len(header)]
        header, rows, widths, size, fits = fit_table(header, rows, width_pt, size, t.widths, wrap_first=True)
    return TableBody(header, rows, align, widths, notes, traces=traces, size=size, fits=fits)


# --- regions tables ---------------------------------------------------------------------------

_FIELD_HEAD = {"yoy": "增速", "net": "增减量", "pp": "增减百分点", "rank": "位次", "yoy_rank": "增速位次"}


def _columns(t: TableCfg) -> list[TableColumnCfg]:
    out = []
    for c in t.columns:
        if isinstance(c, TableColumnCfg):
            out.append(c)
            continue
        show: list = ["value"]
        if t.change in ("yoy", "net", "pp"):
            show.append(t.change)
        out.append(TableColumnCfg(metric=c, show=show))
    return out


def _value_unit(mv: MetricValue, field: str) -> str:
    if field in ("value", "prev", "net"):
        return mv.unit
    if field == "yoy":
        return "%"
    return ""  # 增减百分点 says its unit; a rank has none


def regions_table(book: MetricBook, t: TableCfg, width_pt: float = DEFAULT_WIDTH_PT,
                  size: float = DEFAULT_SIZE) -> TableBody:
    """Regions × indicators with the change columns each indicator asks for, a total row,
    units in a unit line or the headers, and widths that keep every region name on one line."""
    cols = _columns(t)
    if not cols:
        raise BriefgenError("地区表需要 columns:（指标键名列表）", where=book.label)
    first = book.value(cols[0].metric)
    regions = list(t.rows) or book.default_regions(first.defn, book.period)
    if not regions:
        raise BriefgenError("地区表没有地区：数据中没有地区，也没有在 rows: 或 regions: 中列出", where=book.label)
    parent = book.region
    prev_word = zh.prev_period_cn(book.period)

    # (metric, field) per column, and the units each shows.
    spec = [(c, book.value(c.metric), f) for c in cols for f in c.show]
    value_units = list(dict.fromkeys(_value_unit(mv, f) for _c, mv, f in spec if f in ("value", "prev", "net")))
    other_units = list(dict.fromkeys(_value_unit(mv, f) for _c, mv, f in spec if f in ("yoy", "pp")))
    line = t.units == "line" or (t.units == "auto" and len([u for u in value_units if u]) <= 1)
    if t.units == "line" and len([u for u in value_units if u]) > 1:
        line = False  # 亿元 and 家 in one line cannot say which column is which
    unit_note = ""
    if line:
        shown = [u for u in value_units + other_units if u]
        unit_note = "单位：" + "、".join(dict.fromkeys(shown)) if shown else ""

    header = ["地区"]
    for c, mv, f in spec:
        name = c.name or mv.name
        head = name if f == "value" else prev_word if f == "prev" else _FIELD_HEAD[f]
        if f != "value" and "value" not in c.show:
            head = name + head  # 地区生产总值增速: no value column beside it to say whose
        unit = _value_unit(mv, f)
        if unit and not line:
            head += f"（{unit}）"
        header.append(head)

    def ranks(key: str, field: str) -> dict[str, int]:
        vals: dict[str, Any] = {}
        for r in regions:
            mv = book.value(key, r)
            try:
                vals[r] = getattr(mv, field)
            except BriefgenError:
                vals[r] = None
        got = competition_rank(vals, mv.defn.higher_is_better)
        ranked = tuple((r, v) for r, v in vals.items() if v is not None)
        return {r: _ranked(k, mv, field, ranked, r) for r, k in got.items()}

    rank_cache: dict[tuple[str, str], dict[str, int]] = {}

    def cell(c: TableColumnCfg, key: str, region: str, f: str, total: bool) -> str:
        mv = book.value(key, region)
        dec = c.decimals if c.decimals is not None else mv.decimals
        try:
            if f == "value":
                return zh.num(mv.value, dec)
            if f == "prev":
                return zh.num(mv.prev, dec)
            if f == "yoy":
                return zh.num(mv.yoy, 1) + ("*" if mv.yoy_is_published else "")
            if f == "net":
                return zh.num(mv.net, dec)
            if f == "pp":
                return zh.num(mv.pp, dec if dec is not None else 2)
            if total:
                return ""
            field = "value" if f == "rank" else "yoy"
            if (key, field) not in rank_cache:  # once per column, not once per row (setdefault would)
                rank_cache[key, field] = ranks(key, field)
            got = rank_cache[key, field]
            return zh.num(got[region]) if region in got else "—"
        except BriefgenError:
            return "—"

    def traced_cell(c: TableColumnCfg, key: str, region: str, f: str, total: bool) -> tuple[str, list[Printed]]:
        return _cell(lambda: cell(c, key, region, f, total))

    rows = []
    traces: list[list[list[Printed]]] = []
    for r in regions:
        cells: list[tuple[str, list[Printed]]] = [(r, [])]
        cells += [traced_cell(c, mv.key, r, f, False) for c, mv, f in spec]
        rows.append([x for x, _p in cells])
        traces.append([p for _x, p in cells])
    if t.rank_by:
        header.append("排名")
        rd = book.defn(t.rank_by)
        got = book.ranks(rd, book.period, regions)
        vals = {r: book.raw(rd, r, book.period) for r in regions}
        ranked = tuple((r, v) for r, v in vals.items() if v is not None)  # once: shared by every row's trace
        by = book.value(t.rank_by)
        for r, row, tr in zip(regions, rows, traces):
            place = _ranked(got[r], by, "value", ranked, r) if r in got else None
            text, printed = _cell(lambda: zh.num(place) if place is not None else "—")  # noqa: B023 - called here
            row.append(text)
            tr.append(printed)
    if t.total != "none":
        tcells: list[tuple[str, list[Printed]]] = [(t.total_label or parent, [])]
        tcells += [traced_cell(c, mv.key, parent, f, True) for c, mv, f in spec]
        if t.rank_by:
            tcells.append(("", []))
        total = [x for x, _p in tcells]
        ttrace = [p for _x, p in tcells]
        rows = [total, *rows] if t.total == "top" else [*rows, total]
        traces = [ttrace, *traces] if t.total == "top" else [*traces, ttrace]
    notes: list[str] = []
    if any(v.endswith("*") for row in rows for v in row[1:]):
        notes.append("带*的增速为统计部门公布数（可比价等口径），与表中两年数值直接计算的结果不同。")
    header, rows, widths, size, fits = fit_table(header, rows, width_pt, size, t.widths)
    align = ["left"] + ["right"] * (len(header) - 1)
    return TableBody(header, rows, align, widths, notes, unit_note, traces=traces, size=size, fits=fits)


def _ranked(place: int, mv: MetricValue, field: str, inputs: tuple[tuple[str, Any], ...], region: str) -> Any:
    """A region's place in a table's ranking column, traced to the (region, value) pairs ranked."""
    what = {"value": mv.name, "yoy": f"{mv.name}增速"}.get(field, mv.name)
    order = "从高到低" if mv.defn.higher_is_better else "从低到高"
    n = len(inputs)
    return traced(place, Prov("rank", float(place), key=mv.key, name=mv.name, indicator=mv.defn.indicator,
                              region=region, period=mv.period, inputs=inputs, note=f"表中{n}个地区按{what}{order}排名"))


def fit_table(header: list[str], rows: list[list[str]], width_pt: float, size: float,
              widths: list[float] | None = None, wrap_first: bool = False,
              ) -> tuple[list[str], list[list[str]], list[float], float, bool]:
    """:func:`fit_columns` at the first size that fits: the style's `size`, then each smaller
    one of :data:`TABLE_SIZES`, then the smallest with headers broken between characters
    (never inside a unit, a period or a number). Returns the headers, rows, widths (em of
    the size chosen), the size, and whether it fits; when nothing fits, the widths are
    scaled down at the smallest size and some cells wrap."""
    steps = [size] + [s for s in TABLE_SIZES if s < size - 1e-9]
    tries = [(s, False) for s in steps] + [(steps[-1], True)]
    for s, loose in tries:
        got = fit_columns(header, rows, width_pt / s, widths, wrap_first, pad_em=CELL_PADDING_PT / s, loose=loose)
        if got[3] or widths is not None:
            return got[0], got[1], got[2], s, got[3]
    return got[0], got[1], got[2], steps[-1], False


def fit_columns(header: list[str], rows: list[list[str]], width_em: float, widths: list[float] | None = None,
                wrap_first: bool = False, pad_em: float = CELL_PADDING_EM, loose: bool = False,
                ) -> tuple[list[str], list[list[str]], list[float], bool]:
    r"""Column widths (relative, in em), headers broken into lines ("\n") for them, the rows
    (first cells broken between words when `wrap_first`), and whether everything fits.

    Every column is at least as wide as its widest cell and its widest header word, so
    no cell wraps and no header breaks inside a word or a unit; the rest of the line
    goes first to the headers that would take the most lines, then evenly. With
    `widths` given, they are used (scaled to the line) and only the headers are broken.
    `pad_em` is the room a cell's margins take; `loose` lets headers break between the
    characters of a word (:func:`briefgen.terms.pieces`).
    """
    n = len(header)
    room = width_em - pad_em * n
    fits = True
    if widths is not None:
        if len(widths) != n or any(w <= 0 for w in widths):
            raise BriefgenError(f"widths 应为{n}个正数（每列一个），实际是 {widths}")
        total = sum(widths)
        inner = [room * w / total for w in widths]
    else:
        cells = [max([terms.em(r[j]) for r in rows if j < len(r)] or [0.0]) for j in range(n)]
        if wrap_first:
            # Long indicator names may take two lines, broken between words; no wider than 9 characters.
            full = cells[0]
            cells[0] = max([terms.em(p) for r in rows for p in terms.segment(r[0])] or [0.0])
            cells[0] = max(cells[0], min(full, 9.0))
        words = [max(terms.em(p) for p in terms.pieces(h, loose)) if h else 0.0 for h in header]
        inner = [max(c, w, 2.0) for c, w in zip(cells, words)]
        spare = room - sum(inner)
        if spare < 0:
            fits = False
            floor = [max(c, 1.0) for c in cells]
            if sum(floor) <= room:
                # Every name and number still on one line: the header words (units too) give way,
                # each column short of its widest word by the same share of what is missing.
                short = [w - f for w, f in zip(inner, floor)]
                cut = (sum(inner) - room) / sum(short)
                inner = [f + d * (1 - cut) for f, d in zip(floor, short)]
            else:
                inner = [w * room / sum(inner) for w in inner]
            spare = 0.0
        step = 0.5
        while spare >= step:
            lines = [len(terms.break_lines(h, w, loose)) for h, w in zip(header, inner)]
            worst = max(range(n), key=lambda j: (lines[j], -j))
            if lines[worst] <= 1:
                break
            trial = len(terms.break_lines(header[worst], inner[worst] + step, loose))
            # Widen only where it saves a line within the spare room.
            need = inner[worst] + step
            while trial == lines[worst] and need - inner[worst] < spare:
                need += step
                trial = len(terms.break_lines(header[worst], need, loose))
            if trial == lines[worst]:
                break
            spare -= need - inner[worst]
            inner[worst] = need
        if spare > 0:
            inner = [w + spare / n for w in inner]
    broken = ["\n".join(terms.break_lines(h, w + 1e-6, loose)) for h, w in zip(header, inner)]
    if wrap_first:
        rows = [["\n".join(terms.break_lines(r[0], inner[0] + 1e-6)), *r[1:]] if r else r for r in rows]
    return broken, rows, [round(w + pad_em, 3) for w in inner], fits
