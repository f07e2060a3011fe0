"""Spreadsheet layouts: how a grid of cells, as a department hands it over, becomes observations.

A statistics bureau's sheet is read the way a person reads it:

* **title rows** on top ("2022年1—9月各县市区主要指标", "单位：亿元") give the period,
  the year of forms like "1—9月", and a unit;
* **header rows** — one, or two when cells are merged (a period over
  本期 / 上年同期 / 增速, an indicator over its columns) — say what each column holds;
  "（亿元）" in a header is the unit;
* **key columns** (地区, 指标, 单位, 时期 …, see :data:`KEY_ALIASES`) name the rows; every
  other column holds values of an indicator, a period or a published figure (增速,
  排名 …); note columns (备注), blank columns, note rows (注：…) and section rows are
  ignored and reported;
* a **total row** (合计, 全市) is the parent region's published figure.

Every layout — long (one value per row), indicators × periods, regions ×
indicators, region × indicator rows with period columns, periods (months) down ×
indicators across — is one of these combinations, and :class:`Reading` says which
one was found and why, for ``briefgen inspect``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from briefgen import periods, zh
from briefgen.errors import BriefgenError
from briefgen.periods import Period
from briefgen.provenance import Source
from briefgen.regions import TOTAL_LABELS, clean_name
from briefgen.safety import clean_text

# --- the one table of header aliases ---------------------------------------------
# What people type into a spreadsheet's header; README 《数据格式》 prints this table.
KEY_ALIASES: dict[str, tuple[str, ...]] = {
    "region": ("region", "地区", "区域", "县市区", "县（市、区）", "县(市、区)", "县（市区）", "县市", "区县", "县区",
               "市州", "市（州）", "单位名称", "地区名称", "行政区划", "区划", "乡镇", "乡镇（街道）", "乡镇街道"),
    "indicator": ("indicator", "指标", "指标名称", "项目", "主要指标", "指标名"),
    "period": ("period", "时期", "期间", "期别", "年份", "年度", "月份", "统计期", "时间"),
    "unit": ("unit", "计量单位", "单位"),  # 单位 is a region (单位名称) when its cells are names, see _unit_or_region
    "value": ("value", "数值", "值", "数据", "本期值"),
    "note": ("note", "口径", "口径说明"),
    "source": ("source", "来源", "数据来源"),
    "derived": ("derived", "推算", "推算说明"),
    "serial": ("序号", "编号", "行次", "栏次", "no", "no."),
}
#: Columns that only explain (ignored, reported).
REMARK_ALIASES = ("注", "备注", "附注", "说明", "注释", "备考", "附注说明")
#: Figures a statistics bureau publishes with a value; they win over computed ones.
PUBLISHED_ALIASES: dict[str, tuple[str, ...]] = {
    "yoy": ("yoy", "同比", "同比增长", "增速", "同比增速", "增长", "增幅", "增长率", "增长速度", "比上年增长",
            "比上年同期增长", "比上年增长率", "同比增幅", "同比增长率"),
    "net": ("net", "净增", "净增加", "增减量", "增加额", "增量", "净增量"),
    "pp": ("pp", "百分点", "增减百分点", "比上年增减百分点", "同比增减百分点"),
    "rank": ("rank", "排名", "位次", "排位", "名次"),
    "rank_prev": ("rank_prev", "上期排名", "上年排名", "上期位次", "上年位次"),
    "rank_of": ("rank_of", "排名总数", "参评数"),
    "target": ("target", "目标", "目标值", "全年目标"),
}
#: 增减 / 比上年增减 are growth in % or a net change otherwise, by their unit.
_CHANGE_WORDS = ("增减", "比上年增减", "同比增减", "比上年同期增减", "增减率", "±", "±%")
#: Headers meaning "this period" or "the same period a year earlier" under a period or beside a period column.
CURRENT_WORDS = ("本期", "本年", "本月", "当月", "本期累计", "本年累计", "累计", "今年", "本期数", "本年数", "本月数",
                 "本季", "本季度", "当期", "本年度", "本年实际", "实际", "1-本月累计", "1至本月累计")
PREVIOUS_WORDS = ("上年同期", "去年同期", "同期", "上年", "上期", "上年同月", "上年累计", "上年同期累计", "上年同期数",
                  "上年数", "去年", "上年度", "上年实际")
_CUM_WORDS = ("累计", "本年累计", "本期累计", "上年累计", "上年同期累计", "1-本月累计", "1至本月累计")
_MONTH_WORDS = ("本月", "当月", "本月数", "上年同月")
#: How a note row starts.
NOTE_PREFIXES = ("注：", "注:", "备注：", "备注:", "说明：", "说明:", "数据来源：", "数据来源:", "资料来源：",
                 "资料来源:", "注释：", "附注：", "填报说明", "填表说明", "制表", "审核人", "填报人", "负责人")

_ALIAS: dict[str, str] = {a.lower(): k for k, names in KEY_ALIASES.items() for a in names}
_PUB: dict[str, str] = {a.lower(): k for k, names in PUBLISHED_ALIASES.items() for a in names}

# A unit in a header: "（亿元）", "(%)", "（万千瓦时）", "（元/人）".
_UNIT_BASES = ("千瓦时", "平方米", "平方公里", "立方米", "标准箱", "人次", "公里", "千米", "公顷", "美元",
               "户", "家", "个", "项", "件", "台", "辆", "吨", "度", "亩", "米", "人", "元", "所", "床", "套",
               "次", "份", "篇", "册", "头", "只", "株", "千瓦", "瓦", "艘", "架", "栋", "间", "张", "条", "处",
               "座", "名", "位", "倍", "岁", "年", "天", "小时", "TEU", "kWh", "t")
_UNIT_RE = re.compile(r"(?:[十百千万亿]+)?(?:" + "|".join(map(re.escape, _UNIT_BASES)) + r")(?:/[^()（）]{1,6})?"
                      r"|%|％|‰|个百分点|百分点|元/人|元/平方米")
_PAREN = re.compile(r"^(?P<name>.*?)[（(](?P<unit>[^（）()]{1,12})[）)]$")
_PERIOD_IN_TEXT = re.compile(
    r"\d{4}年(?:前[一二三两]季度|第?[一二三四1-4]季度|[上下]半年|全年|年?末|底|"
    r"\d{1,2}(?:月份?)?[-—–－~～至到]\d{1,2}月份?|\d{1,2}月(?:末|底)?)?")
_SECTION_ROW = re.compile(r"^([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\([一二三四五六七八九十]+\))")
_WS = re.compile(r"\s+")


def split_unit(text: str) -> tuple[str, str]:
    """"规模以上工业增加值（亿元）" → ("规模以上工业增加值", "亿元"); a parenthesis that is no unit
    ("地区生产总值（GDP）") stays in the name."""
    s = _WS.sub("", text)
    m = _PAREN.match(s)
    if m and _UNIT_RE.fullmatch(m.group("unit")):
        unit = m.group("unit").replace("％", "%")
        return m.group("name"), unit
    for tail in ("%", "％", "‰"):
        if s.endswith(tail) and len(s) > 1:
            return s[: -len(tail)], "%" if tail == "％" else tail
    return s, ""


def is_unit(text: str) -> bool:
    """Whether a cell is a unit (亿元, %, 万千瓦时, 元/人)."""
    return bool(_UNIT_RE.fullmatch(_WS.sub("", str(text))))


def key_alias(text: Any) -> str | None:
    """The key a header names (region, indicator, period, unit …), or None."""
    if text is None:
        return None
    return _ALIAS.get(_WS.sub("", str(text)).lower())


def period_in_text(text: str) -> str | None:
    """The first period a title names: "宜昌市2022年1—9月各县市区…" → "2022年1—9月"."""
    for m in _PERIOD_IN_TEXT.finditer(_WS.sub("", text)):
        if periods.parse(m.group()).kind != "other":
            return m.group()
    return None


def period_typo_in_text(text: str) -> tuple[str, str] | None:
    """A period in a title written with letters for digits: "宜昌市2O23年1—6月…" → ("2O23年1—6月", "2023年1—6月")."""
    flat = _WS.sub("", text)
    if period_in_text(flat):
        return None
    fixed_text = flat.translate(periods.LOOKALIKE)
    for m in _PERIOD_IN_TEXT.finditer(fixed_text):
        written = flat[m.start():m.end()]
        if written != m.group() and periods.parse(m.group()).kind != "other":
            return written, m.group()
    return None


# --- the grid ---------------------------------------------------------------------

@dataclass
class Grid:
    """A 2-D table of cell values as read (merged cells filled from their top-left cell)."""

    rows: list[list[Any]]
    label: str  # the file, for messages
    sheet: str | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (r1, c1, r2, c2), 0-based, inclusive
    titles: bool = True  # look for title rows (not for an SQL result)
    first_line: int = 1  # the file line of rows[0]
    # A CSV: each row holds the cells as written, so a row longer than the header has a comma too many.
    delimited: bool = False
    warnings: list[str] = field(default_factory=list)  # what the reader noticed (hidden sheets …)
    path: str = ""  # the file as the config names it (resolved), for source cells; "" → label
    query: str = ""  # the SQL query whose result this is

    def locate(self, r: int, c: int) -> Source:
        """Cell (r, c) as a source location: a workbook cell (a merged cell's top-left one), a
        CSV line and column, or a row of an SQL result."""
        for r1, c1, r2, c2 in self.merges:
            if r1 <= r <= r2 and c1 <= c <= c2:
                r, c = r1, c1
                break
        path = self.path or self.label
        if self.query:
            head = self.rows[0][c] if self.rows and c < len(self.rows[0]) else ""
            return Source("sql", path, query=self.query, row=r + self.first_line, header=str(head or ""))
        if self.sheet is not None:
            return Source("xlsx", path, sheet=self.sheet, cell=f"{col_letter(c)}{r + self.first_line}")
        return Source("csv", path, line=r + self.first_line, column=c + 1)

    def cell(self, r: int, c: int) -> str:
        """Where cell (r, c) is, as the user finds it: D5 in a workbook, 第5行第4列 in a CSV."""
        if self.sheet is not None:
            return f"{self.label}：工作表“{self.sheet}”：{col_letter(c)}{r + self.first_line}"
        return f"{self.label}:第{r + self.first_line}行第{c + 1}列"

    def row_label(self, r: int) -> str:
        """Where row r is."""
        if self.sheet is not None:
            return f"{self.label}：工作表“{self.sheet}”：第{r + self.first_line}行"
        return f"{self.label}:第{r + self.first_line}行"

    def col_name(self, c: int) -> str:
        """A column as the user names it: D列 (workbook) or 第4列 (CSV)."""
        return f"{col_letter(c)}列" if self.sheet is not None else f"第{c + 1}列"


def col_letter(c: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return s


def _text(v: Any) -> str:
    if v is None:
        return ""
    if type(v) is str:
        # Printable text holds nothing clean_text drops (the fast path for a million cells).
        return (v if v.isprintable() else clean_text(v)).strip()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return clean_text(str(v)).strip()


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return True
    s = _text(v).replace(",", "").replace("，", "").replace("%", "").replace("\u2212", "-")
    return bool(re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", s))


# --- what a column holds ----------------------------------------------------------

@dataclass
class Column:
    """What one column holds, and why (for ``inspect``)."""

    index: int
    header: list[str]
    role: str  # a key of KEY_ALIASES, "value", or "ignored"
    indicator: str | None = None
    unit: str = ""
    period: Period | None = None  # absolute period from the header
    relative: str | None = None  # "current" / "previous"
    flavor: str | None = None  # "cum" (累计) / "month" (当月)
    field: str = "value"  # or a published figure (yoy, rank …)
    why: str = ""
    explicit: bool = False  # headed 数值/value: its cells must be numbers


@dataclass
class Record:
    """One value (or published figure) read from a cell."""

    where: str
    indicator: str
    region: str
    period: str
    value: Any = None
    published: dict[str, Any] = field(default_factory=dict)
    unit: str = ""
    note: str = ""
    source: str = ""
    derived: str = ""
    loc: Source | None = None  # the cell of the value (or of the one published figure), for the audit
    pub_locs: dict[str, Source] = field(default_factory=dict)  # published figures standing elsewhere


@dataclass
class Reading:
    """How a grid was understood: its layout and why, what was read and what was ignored."""

    layout: str
    layout_cn: str
    reasons: list[str]
    records: list[Record]
    ignored: list[str]
    columns: list[Column]
    title: str = ""
    period: Period | None = None  # the sheet's own period (title or source)
    header_rows: tuple[int, int] = (0, 0)
    totals: list[str] = field(default_factory=list)  # total rows and the region they stand for
    total_names: set[str] = field(default_factory=set)  # the regions total rows stood for
    defaulted: bool = False  # a row naming no region took the `region` given to read_grid


LAYOUTS_CN = {
    "long": "长表（每行一个数值）",
    "wide-periods": "指标×时期（首列为指标，各列为时期）",
    "wide-regions": "地区×指标（首列为地区，各列为指标）",
    "regions-periods": "地区×指标，时期分列（每行一个地区的一个指标，各列为时期或本期/上年同期/增速）",
    "regions-indicators-periods": "地区×指标，指标下分时期（合并的指标表头下为本期/上年同期/增速）",
    "periods-down": "时期×指标（每行一个时期，如月份、季度，各列为指标）",
}


class _Context:
    def __init__(self, period: Period | None, cumulative: bool | None, unit: str):
        self.period = period
        self.cumulative = cumulative
        self.unit = unit

    @property
    def year(self) -> int | None:
        return self.period.year if self.period is not None else None


def read_grid(grid: Grid, *, period: str | None = None, layout: str = "auto", region: str | None = None,
              total_region: str | None = None, sink: Callable[[Record], None] | None = None) -> Reading:
    """Understand a grid: titles, headers, key and value columns, rows → :class:`Reading`.

    `period` (canonical) is the source's declared period, `region` the region of rows that
    name none, `total_region` the region a total row (合计、全市) stands for. With `sink`,
    each record goes there as it is read, ``Reading.records`` stays empty and each row of
    the grid is let go once read (the grid is spent: a million rows need not be held twice).
    """
    width = max((len(r) for r in grid.rows), default=0)
    # The grid's own rows where they are full width: a row is copied only where a cell is filled in.
    rows: list[Any] = [r if len(r) == width else [*r, *[None] * (width - len(r))] for r in grid.rows]
    ignored: list[str] = []
    reasons: list[str] = []
    defaulted = False

    # -- titles and unit lines ---------------------------------------------------------
    top, title, units_line = _titles(grid, rows)
    ctx_period: Period | None = periods.parse(period) if period else None
    title_period: Period | None = None
    cumulative: bool | None = None
    if title:
        found = period_in_text(title)
        if found:
            title_period = periods.parse(found)
        if "累计" in title:
            cumulative = True  # "1月、2月…" rows of a cumulative table are 1月、1—2月…
    if title_period is not None and ctx_period is not None and title_period.code != ctx_period.code \
            and not (title_period.kind == "year" and title_period.year == ctx_period.year):
        raise BriefgenError(
            f"表格标题写的是{_cn(title_period)}，配置中数据源的 period 是{_cn(ctx_period)}，两者不一致",
            where=grid.row_label(top - 1) if top else grid.label,
            hint="请确认数据文件是不是本期的；若标题有误，改正标题或删去 period:")
    if ctx_period is None:
        ctx_period = title_period
        if title_period is not None:
            what = "年份" if title_period.kind == "year" else "时期"
            reasons.append(f"标题“{_short(title)}”给出{what}{_cn(title_period)}")
    ctx = _Context(ctx_period, cumulative, units_line)
    if units_line:
        reasons.append(f"单位行给出单位“{units_line}”")
    if top >= len(rows):
        raise BriefgenError("表格中没有表头和数据", where=grid.label)

    # -- headers -------------------------------------------------------------------------
    depth = _header_depth(grid, rows, top)
    for i in range(top, top + depth):
        rows[i] = list(rows[i])
    header = rows[top:top + depth]
    if depth > 1:
        reasons.append(f"第{top + grid.first_line}—{top + depth - 1 + grid.first_line}行为{depth}行表头"
                       + ("（含合并单元格）" if grid.merges else ""))
        # Without merges, a blank upper cell belongs to the header on its left.
        for hr in header[:-1]:
            for j in range(1, width):
                if _text(hr[j]) == "" and _text(header[-1][j]) != "" and key_alias(hr[j - 1]) is None \
                        and _text(hr[j - 1]) != "":
                    hr[j] = hr[j - 1]
    body_start = top + depth
    # Statistical forms number their columns under the header (甲 乙 1 2 3 …): not data.
    if body_start < len(rows):
        codes = [_text(v) for v in rows[body_start] if _text(v)]
        nums = [c for c in codes if c.isdigit()]
        if codes and codes[0] in ("甲", "乙", "A") and nums and nums == [str(i) for i in range(1, len(nums) + 1)]:
            ignored.append(f"第{body_start + grid.first_line}行“{' '.join(codes[:4])}…”：栏次行")
            body_start += 1
    if grid.delimited:
        _check_row_widths(grid, top, depth, body_start)
    cols = [_column(grid, header, j, top, ctx) for j in range(width)]
    data_rows = list(range(body_start, len(rows)))

    # -- unnamed or ambiguous key columns ----------------------------------------------
    for c in cols:
        if c.role == "unit" and c.header and c.header[-1] == "单位":
            _unit_or_region(c, rows, data_rows)
    roles = {c.role for c in cols}
    # The first column that holds anything names the rows unless its header says otherwise.
    first = next((c for c in cols if c.header or any(_text(rows[r][c.index]) for r in data_rows)), None)
    if first is not None and first.role in ("value", "ignored") and first.why != "备注列" \
            and any(_text(rows[r][first.index]) for r in data_rows) \
            and not _numeric_column(rows, data_rows, first.index):
        _first_column_role(grid, first, cols, rows, data_rows, ctx, layout)
        roles = {c.role for c in cols}
    # Cells left blank under a merged-looking key (a region on its first row only) take the one above.
    for c in cols:
        if c.role in ("region", "indicator"):
            above = ""
            for r in data_rows:
                t = _text(rows[r][c.index])
                if t:
                    above = t if not t.startswith(NOTE_PREFIXES) else ""
                elif above and any(_text(rows[r][v.index]) for v in cols if v.role == "value"):
                    rows[r] = list(rows[r])
                    rows[r][c.index] = above
    value_cols = [c for c in cols if c.role == "value"]
    if layout == "periods-down" and "period" not in roles:
        raise BriefgenError("配置写了 layout: periods-down，但首列不是时期", where=grid.label,
                            hint="首列应为 月份/时期，各行写 1月、1—2月 或 2022年9月 等")

    # A column headed like an indicator that holds only sentences is a note column, not values
    # (a column headed 数值 or by a period keeps its cells: a word there is a wrong number).
    for c in value_cols:
        if c.explicit or c.period is not None or c.relative or c.field != "value":
            continue
        cells = [_text(rows[r][c.index]) for r in data_rows if _text(rows[r][c.index])]
        if cells and not any(_is_number(v) or v in ("—", "-", "…", "--", "－") for v in cells) \
                and (sum(len(v) for v in cells) / len(cells) > 6 or any(v.startswith(NOTE_PREFIXES) for v in cells)):
            c.role, c.why = "ignored", "只有文字说明，没有数值（视为备注列）"
    value_cols = [c for c in cols if c.role == "value"]

    if not value_cols or ("indicator" not in roles and not any(c.indicator for c in value_cols)) \
            or not ({"region", "indicator", "period"} & roles or any(c.indicator for c in value_cols)
                    and any(c.period or c.relative for c in value_cols)):
        raise BriefgenError(
            "无法判断表格结构：表头应有“指标”“地区”“时期”之一（如 地区 | 指标 | 2022年1—9月），"
            "或各列为指标名称（首列为地区或月份）",
            where=grid.label,
            hint="用 briefgen inspect 查看表格是怎样被理解的；也可在数据源中写 layout: long / wide-periods / "
                 "wide-regions / periods-down")

    # -- periods of value columns --------------------------------------------------------
    # A published figure (增速) beside period columns is the latest period's, as in
    # 2022年1—9月 | 2021年1—9月 | 增速.
    for c in value_cols:
        if c.field != "value" and c.period is None and not c.relative:
            beside = [v.period for v in value_cols if v.period is not None and v.field == "value"
                      and (v.indicator == c.indicator or c.indicator is None)]
            if beside:
                c.period = max(beside, key=lambda p: periods.sort_key(p.code))
    row_period = "period" in roles
    typo = period_typo_in_text(title) if title and ctx.period is None else None
    if typo and any(c.period is None for c in value_cols) and not row_period:
        # The title names the period, with a letter for a digit: say so, as for a data cell.
        raise BriefgenError(f"表格标题中的“{typo[0]}”不是可识别的时期（其中有字母，是否应为“{typo[1]}”？）",
                            where=grid.row_label(top - 1) if top else grid.label,
                            hint="请把字母 O、l 改成数字 0、1")
    for c in value_cols:
        if c.period is None and c.relative and not row_period and ctx.period is None:
            raise BriefgenError(
                f"表头“{'/'.join(c.header)}”需要知道本期是哪个时期，但标题中没有写时期",
                where=grid.cell(top, c.index),
                hint="请在数据源中写 period:，如 period: 2022年1—9月")
        if c.period is None and not c.relative and not row_period and ctx.period is None:
            raise BriefgenError(
                f"{grid.col_name(c.index)}“{'/'.join(c.header) or '（无表头）'}”不知道是哪个时期的数",
                where=grid.cell(top, c.index),
                hint="表格中加“时期”列、在表头写时期（如 2022年1—9月），或在数据源中写 period:")

    # -- layout and reasons ---------------------------------------------------------------
    lay = _layout_name(cols, roles)
    reasons += _column_reasons(grid, cols)
    for c in cols:
        if c.role == "ignored":
            ignored.append(f"{grid.col_name(c.index)}“{'/'.join(c.header) or '（无表头）'}”：{c.why}")

    # -- rows -----------------------------------------------------------------------------
    records: list[Record] = []
    emit = sink or records.append
    # Key cells are understood once per distinct text (a million rows name a few hundred things).
    row_periods: dict[Any, Period] = {}
    region_names: dict[str, str] = {}
    indicator_names: dict[str, tuple[str, str]] = {}
    totals: list[str] = []
    total_names: set[str] = set()
    key = {c.role: c for c in cols if c.role in KEY_ALIASES}
    for r in data_rows:
        row = rows[r]
        if sink is not None:
            rows[r] = grid.rows[r] = _SPENT  # the records of this row are in the sink: let it go
        texts = [_text(v) for v in row]
        filled = [t for t in texts if t]
        if not filled:
            continue
        if filled[0].startswith(NOTE_PREFIXES) or (len(set(filled)) == 1 and len(filled[0]) > 12
                                                    and not any(_is_number(v) for v in row)):
            ignored.append(f"第{r + grid.first_line}行“{_short(filled[0])}”：注释行")
            continue
        if not any(_text(row[c.index]) for c in value_cols):
            label = next((texts[c.index] for c in cols if c.role in ("region", "indicator", "period")
                          and texts[c.index]), filled[0])
            if _SECTION_ROW.match(label) or len(filled) == 1 and "period" not in key:
                ignored.append(f"第{r + grid.first_line}行“{_short(label)}”：没有数值的分组行")
                continue
        reg = region or ""
        name: str | None = ""
        if "region" in key:
            raw_reg = texts[key["region"].index]
            name = region_names.get(raw_reg)
            if name is None:
                name = region_names[raw_reg] = clean_name(raw_reg)
            reg = name or reg
            if reg in TOTAL_LABELS:
                stands = total_region or region
                totals.append(f"第{r + grid.first_line}行“{raw_reg}”" + (f"（作为{stands}）" if stands else ""))
                if stands:
                    reg = stands
                    total_names.add(stands)
        if region and not name:
            defaulted = True
        ind_row, unit_row = None, ""
        if "indicator" in key:
            raw_ind = texts[key["indicator"].index]
            if not raw_ind:
                raise BriefgenError("缺少指标名称", where=grid.cell(r, key["indicator"].index))
            split = indicator_names.get(raw_ind)
            if split is None:
                split = indicator_names[raw_ind] = split_unit(clean_name(raw_ind))
            ind_row, unit_row = split
        if "unit" in key and texts[key["unit"].index]:
            unit_row = texts[key["unit"].index]
        per_row: Period | None = None
        if "period" in key:
            cell = row[key["period"].index]
            if _text(cell) == "":
                raise BriefgenError("缺少时期", where=grid.cell(r, key["period"].index))
            per_row = row_periods.get(cell)
            if per_row is None:
                per_row = row_periods[cell] = _row_period(cell, grid.cell(r, key["period"].index), ctx)
        extra = {k: texts[key[k].index] for k in ("note", "source", "derived") if k in key}
        for c in value_cols:
            per = _value_period(c, per_row, ctx)
            ind = c.indicator or ind_row
            if ind is None:
                continue
            v = row[c.index]
            where = grid.cell(r, c.index)
            rec = Record(where=where, indicator=ind, region=reg, period=per.code,
                         note=extra.get("note", ""), source=extra.get("source", ""),
                         derived=extra.get("derived", ""), loc=grid.locate(r, c.index))
            if c.field == "value":
                rec.value = v
                rec.unit = c.unit or unit_row or ctx.unit
            else:
                if _text(v) == "":
                    continue
                rec.published[c.field] = v
            emit(rec)
    return Reading(layout=lay, layout_cn=LAYOUTS_CN[lay], reasons=reasons, records=records, ignored=ignored,
                   columns=cols, title=title, period=ctx.period, header_rows=(top, top + depth - 1),
                   totals=totals, total_names=total_names, defaulted=defaulted)


_SPENT: list[Any] = []  # a row already read into the sink (never written to)


def _check_row_widths(grid: Grid, top: int, depth: int, body_start: int) -> None:
    """A CSV row with more cells than its header: an unquoted comma (1,172) shifted the cells after it."""
    head = max(len(grid.rows[i]) for i in range(top, top + depth))
    for r in range(body_start, len(grid.rows)):
        row = grid.rows[r]
        if len(row) > head and any(_text(v) for v in row[head:]):
            extra = next(j for j in range(head, len(row)) if _text(row[j]))
            raise BriefgenError(
                f"这一行有{len(row)}个单元格，比表头（{head}列）多，"
                f"多出的“{_short(_text(row[extra]))}”在第{extra + 1}列",
                where=grid.cell(r, extra),
                hint="多半是数字或文字中的英文逗号把一个单元格拆成了两个（如 1,172）：请去掉千分位逗号，"
                     "或给含逗号的单元格加英文双引号（\"1,172\"）")


def _cn(p: Period) -> str:
    return zh.period_label(p)


def _short(text: str, n: int = 24) -> str:
    return text if len(text) <= n else text[:n] + "…"


def _titles(grid: Grid, rows: list[list[Any]]) -> tuple[int, str, str]:
    """(first header row, title text, unit of a 单位： line)."""
    top, title, unit = 0, "", ""
    if not grid.titles:
        return 0, "", ""
    while top < len(rows) - 1:
        vals = [_text(v) for v in rows[top]]
        distinct = list(dict.fromkeys(v for v in vals if v))
        if not distinct:
            top += 1
            continue
        if any(_is_number(v) for v in rows[top] if _text(v)) or any(key_alias(v) for v in distinct):
            break
        unit_texts = [v for v in distinct if re.match(r"^(计量)?单位[:：]", v)]
        merged_wide = any(r1 == top and c2 > c1 for r1, c1, _r2, c2 in grid.merges)
        if unit_texts:
            unit = re.sub(r"^(计量)?单位[:：]\s*", "", unit_texts[0])
            rest = [v for v in distinct if v not in unit_texts]
            if rest:
                title = title or rest[0]
            top += 1
            continue
        if len(distinct) == 1 and (merged_wide or len(distinct[0]) >= 6 or distinct[0].startswith("表")):
            title = f"{title} {distinct[0]}".strip() if title else distinct[0]
            top += 1
            continue
        if len(distinct) == 2 and (distinct[0].startswith("表") or len(distinct[1]) >= 6 and merged_wide):
            title = title or distinct[1]
            top += 1
            continue
        break
    # "单位：亿元、%": one unit for the values only when it names one besides %.
    if unit:
        parts = [u for u in re.split(r"[、,，；;]", unit) if u]
        unit = parts[0] if len(parts) == 1 else ""
    return top, title, unit


def _header_depth(grid: Grid, rows: list[list[Any]], top: int) -> int:
    depth = 1
    for r1, c1, r2, c2 in grid.merges:
        if r1 == top and r2 > r1:
            depth = max(depth, r2 - r1 + 1)
        if r1 == top and c2 > c1 and r2 == r1:
            depth = max(depth, 2)
    if depth == 1 and top + 1 < len(rows):
        nxt = rows[top + 1]
        texts = [_text(v) for v in nxt]
        if any(texts) and not any(_is_number(v) for v in nxt if _text(v)) \
                and (texts[0] == "" or texts[0] == _text(rows[top][0])) \
                and all(_header_word(t) for t in texts[1:] if t):
            depth = 2
    return min(depth, 3, len(rows) - top)


def _header_word(t: str) -> bool:
    """A second header row holds words like 本期, 增速, 2021年 — never a region or a number."""
    name, _unit = split_unit(t)
    low = name.lower()
    return (name in CURRENT_WORDS or name in PREVIOUS_WORDS or low in _PUB or name in _CHANGE_WORDS
            or periods.looks_like_period(name) or name == "" or name in REMARK_ALIASES or is_unit(name)
            or name.startswith(("单位", "计量单位")))


def _column(grid: Grid, header: list[list[Any]], j: int, top: int, ctx: _Context) -> Column:
    tokens: list[str] = []
    for hr in header:
        t = _text(hr[j])
        if t and (not tokens or tokens[-1] != t):
            tokens.append(t)
    col = Column(index=j, header=tokens, role="value")
    if not tokens:
        col.role, col.why = "ignored", "没有表头（空列）"
        return col
    for t in tokens:
        k = key_alias(t)
        if k is not None:
            col.role = k
            col.explicit = k == "value"
            return col
        if _WS.sub("", t) in REMARK_ALIASES:
            col.role, col.why = "ignored", "备注列"
            return col
    names: list[str] = []
    for depth_row, t in enumerate(tokens):
        where = grid.cell(top + min(depth_row, len(header) - 1), j)
        _classify(col, t, where, ctx, names)
    if len(names) > 1:
        col.indicator = names[-1]  # an upper header spanning several indicators is their group
    elif names:
        col.indicator = names[0]
    if col.field != "value":
        col.unit = ""  # 增速（%）: the unit of the published figure, not of the indicator
    return col


def _classify(col: Column, token: str, where: str, ctx: _Context, names: list[str]) -> None:
    name, unit = split_unit(token)
    name = re.sub(r"^(计量)?单位[:：]", "", name)
    low = name.lower()
    if name == "":
        col.unit = col.unit or unit
        return
    if name in CURRENT_WORDS or name in PREVIOUS_WORDS:
        col.relative = "current" if name in CURRENT_WORDS else "previous"
        if name in _CUM_WORDS:
            col.flavor = "cum"
        elif name in _MONTH_WORDS:
            col.flavor = "month"
        col.unit = col.unit or unit
        return
    if low in _PUB:
        col.field = _PUB[low]
        return
    if name in _CHANGE_WORDS:
        col.field = "yoy" if unit in ("%", "％") or not unit else ("pp" if "百分点" in unit else "net")
        return
    if is_unit(name) and not unit:
        col.unit = name.replace("％", "%")  # a row of units under the headers
        return
    p = periods.parse(name, ctx.year)
    if p.kind != "other":
        col.period = p
        col.unit = col.unit or unit
        return
    # "2022年增速", "2022年1—9月累计": a period, then what it is.
    m = _PERIOD_IN_TEXT.match(name)
    if m and m.end() < len(name):
        head = periods.parse(m.group())
        if head.kind != "other":
            col.period = head
            _classify(col, name[m.end():] + (f"（{unit}）" if unit else ""), where, ctx, names)
            return
    if periods.looks_like_period(name):
        if periods.needs_year(name) and ctx.year is None:
            raise BriefgenError(f"表头“{token}”没有写年份", where=where,
                                hint="请在表格标题中写明年份（如“2022年…”），或在数据源中写 period:")
        fixed = periods.typo_fix(name, ctx.year)
        if fixed:
            raise BriefgenError(f"表头“{token}”不是可识别的时期（其中有字母，是否应为“{fixed}”？）", where=where,
                                hint="请把字母 O、l 改成数字 0、1")
        raise BriefgenError(f"表头“{token}”不是可识别的时期", where=where,
                            hint=f"可写：{periods.ACCEPTED_FORMS}")
    names.append(name)
    col.unit = unit or col.unit


def _unit_or_region(c: Column, rows: list[list[Any]], data_rows: list[int]) -> None:
    """A column headed 单位 holds units (亿元) or the names of reporting units (区县)."""
    cells = [_text(rows[r][c.index]) for r in data_rows if _text(rows[r][c.index])]
    if cells and sum(1 for v in cells if is_unit(v)) < len(cells) / 2:
        c.role = "region"


def _numeric_column(rows: list[list[Any]], data_rows: list[int], j: int) -> bool:
    cells = [rows[r][j] for r in data_rows if _text(rows[r][j])]
    return bool(cells) and sum(1 for v in cells if _is_number(v)) > len(cells) / 2


def _first_column_role(grid: Grid, first: Column, cols: list[Column], rows: list[list[Any]],
                       data_rows: list[int], ctx: _Context, layout: str) -> None:
    """The first column has no alias header ("", "项目名", a name nobody listed): what its cells are."""
    cells = [rows[r][first.index] for r in data_rows if _text(rows[r][first.index])]
    as_periods = [periods.parse(v, ctx.year) for v in cells]
    forced = {"wide-periods": "indicator", "wide-regions": "region", "periods-down": "period"}.get(layout)
    others = [c for c in cols if c is not first and c.role == "value"]
    if forced:
        role = forced
    elif cells and sum(1 for p in as_periods if p.kind != "other") > len(cells) / 2:
        role = "period"
    elif others and all(c.indicator is None for c in others) and any(c.period or c.relative for c in others):
        role = "indicator"
    elif others and any(c.indicator for c in others):
        role = "region"
    else:
        return
    first.role = role
    first.indicator = None
    first.period = None
    first.relative = None
    first.field = "value"
    first.why = f"首列表头“{'/'.join(first.header) or '（空）'}”不是常用名称，按内容判断为{_ROLE_CN[role]}"


_ROLE_CN = {"region": "地区", "indicator": "指标", "period": "时期", "unit": "单位", "value": "数值",
            "note": "口径", "source": "来源", "derived": "推算说明", "serial": "序号"}


def _row_period(cell: Any, where: str, ctx: _Context) -> Period:
    if hasattr(cell, "strftime"):
        # Excel stores "2022年9月" typed into a cell as the date 2022-09-01.
        p = periods.month(cell.year, cell.month)
    else:
        p = periods.strict(cell, where, ctx.year)
    if ctx.cumulative and p.kind == "month":
        return periods.months(p.year or 0, 1, p.number)
    return p


def _value_period(c: Column, per_row: Period | None, ctx: _Context) -> Period:
    base = c.period or per_row or ctx.period
    assert base is not None  # checked before the rows are read
    if c.flavor == "cum" and base.kind == "month" and base.year is not None:
        base = periods.months(base.year, 1, base.number)
    elif c.flavor == "month" and base.end is not None and base.kind != "point":
        base = periods.month(base.end.year, base.end.month)
    if c.relative == "previous":
        return periods.shift(base, -1)
    return base


def _layout_name(cols: list[Column], roles: set[str]) -> str:
    values = [c for c in cols if c.role == "value"]
    col_ind = any(c.indicator for c in values)
    col_per = any(c.period or c.relative for c in values)
    if "period" in roles and "indicator" in roles:
        return "long"
    if "period" in roles:
        return "periods-down"
    if "region" in roles and "indicator" in roles:
        return "regions-periods"
    if "indicator" in roles:
        return "wide-periods"
    if "region" in roles and col_ind and col_per and len({c.indicator for c in values}) < len(values):
        return "regions-indicators-periods"
    return "wide-regions" if "region" in roles else ("periods-down" if not col_ind else "wide-regions")


def _column_reasons(grid: Grid, cols: list[Column]) -> list[str]:
    out: list[str] = []
    keys = [c for c in cols if c.role in KEY_ALIASES and c.role != "value"]
    if keys:
        parts = []
        for c in keys:
            head = "/".join(c.header) or "（空）"
            parts.append(f"{grid.col_name(c.index)}“{head}”是{_ROLE_CN.get(c.role, c.role)}")
        out.append("；".join(parts))
    for c in cols:
        if c.why and c.role != "ignored":
            out.append(c.why)
    values = [c for c in cols if c.role == "value"]
    rel = [c for c in values if c.relative]
    if rel:
        words = "、".join(dict.fromkeys("/".join(c.header[-1:]) for c in rel))
        out.append(f"表头中的“{words}”按本期、上年同期理解")
    pub = [c for c in values if c.field != "value"]
    if pub:
        words = "、".join(dict.fromkeys(c.header[-1] for c in pub))
        out.append(f"“{words}”列是统计部门公布的增速、排名等（优先于计算值）")
    return out


_FIELD_CN = {"yoy": "增速（公布）", "net": "增减量（公布）", "pp": "增减百分点（公布）", "rank": "排名（公布）",
             "rank_prev": "上期排名（公布）", "rank_of": "排名总数（公布）", "target": "目标"}


def describe_column(c: Column) -> str:
    """One column in words, for ``inspect``: 指标 + 时期 + 公布值."""
    parts = []
    if c.indicator:
        parts.append(c.indicator + (f"（{c.unit}）" if c.unit else ""))
    if c.period is not None:
        parts.append(_cn(c.period))
    if c.relative:
        parts.append("本期" if c.relative == "current" else "上年同期")
    if c.field != "value":
        parts.append(_FIELD_CN[c.field])
    return " ".join(parts) or "数值"


# Kept for callers that only need to know whether a text names a published figure.
def published_field(text: str) -> str | None:
    """The published figure a header names (yoy, net, rank …), or None."""
    return _PUB.get(_WS.sub("", text).lower())

