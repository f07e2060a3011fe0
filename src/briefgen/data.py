"""Data sources → one table of observations (indicator, region, period, value).

Accepted shapes: long form (one row per observation) and wide form
(indicators × periods, or regions × indicators), from YAML/JSON, CSV, XLSX or
an SQL query on an SQLite file. Figures a statistics bureau has published
(growth at comparable prices, rank…) ride along with the raw values.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import itertools
import json
import math
import re
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable
from xml.etree import ElementTree

from briefgen import periods, zh
from briefgen.config import Config, SourceCfg
from briefgen.errors import BriefgenError
from briefgen.files import load_yaml_doc, os_error, parse_yaml, read_text
from briefgen.provenance import Source
from briefgen.regions import clean_name
from briefgen.safety import clean_text, read_sql, reject_url
from briefgen.sheets import KEY_ALIASES, PUBLISHED_ALIASES, Grid, Reading, Record, read_grid
from briefgen.yamlpos import json_problem_zh, value_mark

# Field names of YAML/JSON records (the spreadsheet aliases are in briefgen.sheets.KEY_ALIASES).
COLUMNS = {k: v for k, v in KEY_ALIASES.items() if k != "serial"}
# Published figures that take precedence over computed ones.
PUBLISHED = PUBLISHED_ALIASES
_ALIAS = {a.lower(): k for k, names in {**COLUMNS, **PUBLISHED}.items() for a in names}
_ALIAS.update({"本期": "value", "备注": "note", "说明": "note"})

_EMPTY = {"", "-", "—", "--", "－", "…", "na", "n/a", "null", "none", "无"}


@dataclass(slots=True)
class Obs:
    """One observation: the value, the figures published with it, and where it was read."""

    value: float | None
    published: dict[str, float] = field(default_factory=dict)
    derived: str = ""  # why the value is derived rather than reported
    where: str = ""
    src: Source | None = None  # the cell the value stands in (for the audit)
    pub_src: dict[str, Source] = field(default_factory=dict)  # the cells of the published figures


@dataclass
class Indicator:
    """An indicator's unit, 口径 note and source."""

    name: str
    unit: str = ""
    note: str = ""
    source: str = ""


class Dataset:
    """All observations of a briefing, keyed by (indicator, region, period code)."""

    def __init__(self) -> None:
        self.obs: dict[tuple[str, str, str], Obs] = {}
        self.indicators: dict[str, Indicator] = {}
        self.readings: list[tuple[str, Reading]] = []  # (source label, how a sheet was understood)
        self.total_regions: set[str] = set()  # regions whose figures came from total rows (合计、全市)
        self.files: dict[str, str] = {}  # every file read (resolved path) → what it is, for the audit
        self.warnings: list[str] = []  # what the readers noticed (hidden sheets …): the build goes on
        # Whether the briefing's region decided where some figures belong (rows naming no region,
        # total rows standing for it): a dataset that is not can serve the briefings of every region.
        self.region_bound = False
        # Where each published figure was read, to name both places when two disagree.
        self._published_at: dict[tuple[str, str, str, str], str] = {}
        # (indicator, field) → whether its first figure was written with %, and where: a column
        # mixing 32.8% and 0.30 cannot say what 0.30 means.
        self._notation: dict[tuple[str, str], tuple[bool, str, Any]] = {}

    @property
    def ignored(self) -> list[str]:
        """What the sources' sheets left out and why (note columns, note rows, blank columns)."""
        return [f"{label}：{item}" for label, r in self.readings for item in r.ignored]

    def add(self, indicator: str, region: str, period: str, obs: Obs, *, unit: str = "",
            note: str = "", source: str = "") -> None:
        """Add an observation; a second source may add published figures, never a different value."""
        ind = self.indicators.setdefault(indicator, Indicator(indicator))
        if unit and not ind.unit:
            ind.unit = unit
        elif unit and ind.unit != unit:
            raise BriefgenError(
                f"指标“{indicator}”的单位前后不一致：{ind.unit} 与 {unit}", where=obs.where
            )
        ind.note = ind.note or note
        ind.source = ind.source or source
        # A million observations share a few hundred names.
        key = (sys.intern(indicator), sys.intern(region), sys.intern(period))
        old = self.obs.get(key)
        if old is not None:
            # A second source may add published figures to a value already read.
            if obs.value is not None and old.value is not None and not _same(obs.value, old.value):
                raise BriefgenError(
                    f"“{indicator}”{region}{_label(period)} 有两个不同的数值：{old.value}（{old.where}）与 {obs.value}",
                    where=obs.where,
                )
            if old.value is None and obs.value is not None:
                old.value, old.where, old.src = obs.value, obs.where, obs.src
            for k, v in obs.published.items():
                was = old.published.get(k)
                if was is not None and not _same(was, v):
                    at = self._published_at.get(key + (k,), old.where)
                    raise BriefgenError(
                        f"“{indicator}”{region}{_label(period)}的{_PUBLISHED_CN.get(k, k)}有两个不同的公布值："
                        f"{_num(was)}（{at}）与 {_num(v)}（{obs.where}）",
                        where=obs.where,
                        hint="同一指标、地区、时期只能有一个公布值：请删去重复的行，或改正其中一个")
                if was is None:
                    old.published[k] = v
                    if k in obs.pub_src:
                        old.pub_src[k] = obs.pub_src[k]
                    self._published_at[key + (k,)] = obs.where
            old.derived = old.derived or obs.derived
        else:
            self.obs[key] = obs
            for k in obs.published:
                self._published_at[key + (k,)] = obs.where

    def get(self, indicator: str, region: str, period: str) -> Obs | None:
        """The observation of an indicator, region and period, or None."""
        return self.obs.get((indicator, region, period))

    def regions(self, indicator: str | None = None, period: str | None = None) -> list[str]:
        """Regions in the order first seen, optionally of one indicator or period."""
        seen: dict[str, None] = {}
        for (ind, reg, per) in self.obs:
            if (indicator is None or ind == indicator) and (period is None or per == period):
                seen.setdefault(reg, None)
        return list(seen)

    def periods(self, indicator: str | None = None, region: str | None = None) -> list[str]:
        """Periods in time order (by when they end), optionally of one indicator or region."""
        seen = {
            per for (ind, reg, per) in self.obs
            if (indicator is None or ind == indicator) and (region is None or reg == region)
        }
        return sorted(seen, key=periods.sort_key)

    def nearest(self, indicator: str, region: str, period: str) -> str:
        """What the data do hold near a missing (indicator, region, period), for the message."""
        out: list[str] = []
        if indicator not in self.indicators:
            close = difflib.get_close_matches(indicator, list(self.indicators), n=3, cutoff=0.3)
            names = close or list(self.indicators)[:5]
            more = "等" if len(self.indicators) > 5 and not close else ""
            return f"数据中没有指标“{indicator}”；有：{'、'.join(names)}{more}"
        pers = self.periods(indicator, region) or self.periods(indicator)
        if period not in pers and pers:
            want = periods.sort_key(period)
            # Nearest first: the period meant is most likely the one next to the one asked for.
            near = sorted(pers, key=lambda x: _distance(periods.sort_key(x), want))[:4]
            out.append("该指标有数据的时期：" + "、".join(_label_code(x) for x in near)
                       + ("等" if len(pers) > 4 else ""))
        regs = self.regions(indicator, period) or self.regions(indicator)
        if region not in regs and regs:
            close = difflib.get_close_matches(region, regs, n=3, cutoff=0.3)
            shown = close or regs[:6]
            out.append(("地区名称相近的有：" if close else "该指标有数据的地区：") + "、".join(shown)
                       + ("等" if not close and len(regs) > 6 else ""))
        if not out:
            out.append("数据中该格为空")
        return "；".join(out)


def _distance(a: tuple, b: tuple) -> float:
    da, db = a[0], b[0]
    try:
        return abs((da - db).days) + abs(a[1] - b[1]) / 1000
    except (TypeError, OverflowError):
        return float("inf")


def _label_code(code: str) -> str:
    """2022年1—9月（2022-01~09）: the wording, and the code to write where it is not obvious."""
    p = periods.parse(code)
    return f"{_label(code)}（{code}）" if p.kind in ("ytd", "point") else _label(code)


def _label(code: str) -> str:
    p = periods.parse(code)
    return zh.period_label(p) if p.kind != "other" else code


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _num(v: float) -> str:
    """A figure as read, for a message (no rounding: the two may differ in the last digit)."""
    return str(int(v)) if v.is_integer() else repr(v)


_PUBLISHED_CN = {"yoy": "同比增速", "net": "增减量", "pp": "增减百分点", "rank": "排名", "rank_prev": "上期排名",
                 "rank_of": "排名总数", "target": "目标值"}


def norm_period(v: Any, where: str | None = None, year: int | None = None) -> str:
    """A period as written (2021, "2022年1-9月", an Excel date) → its canonical code; refused if it is none."""
    if hasattr(v, "strftime") and not isinstance(v, str):
        return periods.month(v.year, v.month).code
    return periods.strict(v, where, year).code


_NOT_A_NUMBER = {"nan", "inf", "infinity", "#div/0!", "#value!", "#n/a", "#ref!", "#num!", "#name?", "#null!"}
_NUM_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_number(v: Any, where: str) -> float | None:
    """Parse a cell into a float; empty markers give None, anything else unreadable is an error."""
    if v is None:
        return None
    if type(v) is str and _NUM_RE.match(v):
        f = float(v)  # the common case, written plainly
        if not math.isfinite(f):
            raise BriefgenError(f"数值无效（{v}）", where=where)
        return f
    if isinstance(v, bool):
        raise BriefgenError(f"应为数字，实际是 {v}", where=where)
    if isinstance(v, (int, float)):
        f = float(v)
    else:
        s = str(v).strip().replace("，", ",").replace("％", "%").replace("\u2212", "-").replace("－", "-")
        if s.lower() in _EMPTY:
            return None
        s = s.replace(",", "").replace(" ", "").rstrip("%")
        if s.lower().lstrip("+-") in _NOT_A_NUMBER or (s.startswith("#") and s.endswith(("!", "A"))):
            # NaN/inf written out, or an Excel error value (#DIV/0!, #N/A) saved into a CSV.
            raise BriefgenError(f"数值无效（“{v}”不是一个确定的数）", where=where,
                                hint="请检查表格中的公式或原始数据，缺失的数值请留空或填“—”")
        if not _NUM_RE.match(s):
            raise BriefgenError(f"无法识别的数字“{v}”", where=where, hint="请检查是否混入了字母或全角字符")
        f = float(s)
    if not math.isfinite(f):
        raise BriefgenError(f"数值无效（{v}）", where=where)
    return f


def _canon(header: Any) -> str | None:
    if header is None:
        return None
    return _ALIAS.get(str(header).strip().lower())


def _add_records(ds: Dataset, records: Iterable[Record]) -> None:
    """Records read from a sheet (or YAML/JSON) into the dataset, numbers parsed where they stand."""
    for rec in records:
        _add_record(ds, rec)


def _clean(text: str) -> str:
    # Printable text holds nothing clean_text drops (the fast path for a million rows).
    return text if text.isprintable() else clean_text(text)


def _add_record(ds: Dataset, rec: Record) -> None:
    indicator = _clean(rec.indicator).strip()
    value = parse_number(rec.value, rec.where)
    if value:
        _check_notation(ds, indicator, "value", rec.value, rec.where)
    pub = {}
    for k, v in rec.published.items():
        n = parse_number(v, f"{rec.where}（{k}）")
        if n is not None:
            pub[k] = n
            if n:
                _check_notation(ds, indicator, k, v, rec.where)
    pub_src = {}
    for k in pub:
        at = rec.pub_locs.get(k, rec.loc)
        if at is not None:
            pub_src[k] = at if at.field else Source(**{**at.__dict__, "field": k})
    # Names from spreadsheets may carry pasted control characters: no document or chart can show them.
    ds.add(
        indicator, _clean(rec.region).strip(), rec.period,
        Obs(value, pub, rec.derived, rec.where, rec.loc if value is not None else None, pub_src),
        unit=_clean(rec.unit), note=_clean(rec.note), source=_clean(rec.source),
    )


def _check_notation(ds: Dataset, indicator: str, field: str, raw: Any, where: str) -> None:
    """32.8% and 0.30 among one indicator's figures: is 0.30 a fraction (30%) or 0.30%? Refused."""
    pct = isinstance(raw, str) and raw.rstrip().endswith(("%", "％"))
    first = ds._notation.setdefault((indicator, field), (pct, where, raw))
    if first[0] != pct:
        with_pct, without = ((first[2], first[1]), (raw, where)) if first[0] else ((raw, where), (first[2], first[1]))
        what = "数值" if field == "value" else _PUBLISHED_CN.get(field, field)
        raise BriefgenError(
            f"指标“{indicator}”的{what}写法不一致：“{str(with_pct[0]).strip()}”带百分号（{with_pct[1]}），"
            f"“{str(without[0]).strip()}”不带（{without[1]}），无法确定不带百分号的数是百分数还是小数",
            where=where,
            hint="请统一写法：都写成 32.8% 或都写成 32.8（在单位中写 %）；Excel 中请把整列设成同一种数字格式")


def _dict_records(rows: Iterable[tuple[str, dict[str, Any], dict[str, Source]]], src: SourceCfg) -> Iterable[Record]:
    """Long-form rows of YAML/JSON (already keyed by canonical names, with the source line of each
    field) → records."""
    year = periods.parse(src.period).year if src.period else None
    for where, row, locs in rows:
        ind = row.get("indicator")
        if ind is None or str(ind).strip() == "":
            raise BriefgenError("缺少指标名称", where=where)
        region = row.get("region") or src.region or ""
        period = row.get("period", src.period)
        if period is None or str(period).strip() == "":
            raise BriefgenError(f"指标“{ind}”缺少时期", where=where)
        yield Record(
            where=where, indicator=str(ind), region=clean_name(region), period=norm_period(period, where, year),
            value=row.get("value"), published={k: row[k] for k in PUBLISHED if k in row},
            unit=str(row.get("unit") or ""), note=str(row.get("note") or ""),
            source=str(row.get("source") or src.note or ""), derived=str(row.get("derived") or ""),
            loc=locs.get("value"), pub_locs={k: v for k, v in locs.items() if k in PUBLISHED},
        )


def _read_grid(ds: Dataset, grid: Grid, src: SourceCfg, total_region: str | None, label: str) -> None:
    note = src.note

    def add(rec: Record) -> None:
        if note:
            rec.source = rec.source or note
        _add_record(ds, rec)

    # Each record goes into the dataset as its row is read: the reading keeps none of them.
    reading = read_grid(grid, period=src.period, layout=src.layout, region=src.region,
                        total_region=total_region, sink=add)
    ds.readings.append((grid.label + (f"：工作表“{grid.sheet}”" if grid.sheet else ""), reading))
    ds.total_regions |= reading.total_names
    ds.warnings += grid.warnings


def read_csv(path: Path, encoding: str | None = None) -> Grid:
    """A CSV file as a grid (UTF-8 or GBK detected unless `encoding` is given).

    Rows are read as they stream from the file, each cell as written: a quote that never
    closes, or closes in the middle of a cell, is an error naming the row where it opens.
    """
    enc = _csv_encoding(path, encoding)
    rows: list[list[Any]] = []
    # Key columns repeat a few hundred names down a million rows: one string each. A column
    # of distinct values (the figures) stops being shared once it has shown that.
    memos: list[dict[str, str] | None] = []
    start = 1  # the line the row being read starts on
    try:
        with path.open(encoding=enc, newline="") as fh:
            reader = csv.reader(fh, strict=True)
            try:
                for row in reader:
                    if len(row) > len(memos):
                        memos += [{} for _ in range(len(row) - len(memos))]
                    rows.append([None if not c else (m.setdefault(c, c) if m is not None else c)
                                 for c, m in zip(row, memos)])
                    start = reader.line_num + 1
                    if not len(rows) % 4096:
                        memos = [m if m is None or len(m) < _MEMO_MAX else None for m in memos]
            except csv.Error as e:
                raise _csv_error(path, enc, str(e), start, reader.line_num) from None
    except OSError as e:
        raise os_error(e, path, "读取数据文件") from None
    if not rows:
        raise BriefgenError("数据文件为空", where=str(path))
    return Grid(rows=rows, label=str(path), delimited=True)


_MEMO_MAX = 10_000
_CHUNK = 1 << 20


def _csv_encoding(path: Path, encoding: str | None) -> str:
    """The encoding a CSV decodes with: `encoding`, else UTF-8 (with or without BOM), else GB18030.

    Checked over the whole file in chunks, so the text is never held twice."""
    if not path.exists():
        raise BriefgenError("找不到数据文件", where=str(path))
    if path.is_dir():
        raise BriefgenError("应为数据文件，实际是文件夹", where=str(path))
    try:
        with path.open("rb") as fh:
            if b"\x00" in fh.read(4096):
                raise BriefgenError("数据文件不是文本文件（可能是二进制文件）", where=str(path))
            for enc in [encoding] if encoding else ["utf-8-sig", "gb18030"]:
                try:
                    bad = _undecodable_at(fh, enc)
                except LookupError:
                    raise BriefgenError(f"不认识的编码名称“{encoding}”", where=str(path),
                                        hint="常用的有 utf-8、gbk、gb18030；也可删去 encoding: 让 briefgen 自动识别"
                                        ) from None
                if bad is None:
                    return enc
                if encoding:
                    raise BriefgenError(f"无法按 {encoding} 编码读取（第{bad + 1}个字节起不是 {encoding}）",
                                        where=str(path),
                                        hint="删去 encoding: 让 briefgen 自动识别 UTF-8/GBK，或改成文件实际的编码")
    except OSError as e:
        raise os_error(e, path, "读取数据文件") from None
    raise BriefgenError("数据文件的编码无法识别", where=str(path), hint="请另存为 UTF-8 编码后重试")


def _undecodable_at(fh: Any, encoding: str) -> int | None:
    """The offset of the first byte `fh` does not decode from in `encoding`, or None."""
    fh.seek(0)
    dec = codecs.getincrementaldecoder(encoding)()
    offset = 0
    for chunk in iter(lambda: fh.read(_CHUNK), b""):
        pending = len(dec.getstate()[0])
        try:
            dec.decode(chunk)
        except UnicodeDecodeError as e:
            return offset - pending + e.start
        offset += len(chunk)
    try:
        dec.decode(b"", final=True)
    except UnicodeDecodeError as e:
        return offset - len(e.object) + e.start
    return None


def _csv_error(path: Path, encoding: str, msg: str, start: int, line: int) -> BriefgenError:
    """A csv.Error as a sentence naming the row (and column) where the trouble starts."""
    if "field larger than field limit" in msg:
        # Above csv.field_size_limit (131,072 characters): almost always a quote that never closes.
        return BriefgenError(f"第{start}行附近有一个单元格超过{csv.field_size_limit()}个字符", where=str(path),
                             hint="通常是引号（\"）没有成对，请检查该行及其前面几行")
    if "NUL" in msg:
        return BriefgenError("文件中有空字符（\\0），可能已损坏或不是文本文件", where=f"{path}:第{line}行")
    with path.open(encoding=encoding, newline="") as fh:
        text = "".join(itertools.islice(fh, start - 1, line))
    col = _bad_quote_column(text)
    where = f"{path}:第{start}行第{col}列"
    if "unexpected end of data" in msg:
        return BriefgenError(
            "引号没有成对：这个单元格以英文双引号（\"）开始，到文件末尾也没有结束的引号，"
            "后面所有的行都会被读成这一个单元格", where=where,
            hint="请在该单元格的内容后补上引号，或删去开头的引号")
    if "expected after" in msg:
        tail = f"（到第{line}行才出现）" if line > start else ""
        return BriefgenError(
            f"引号用法有误：这个单元格以英文双引号（\"）开始，但结束的引号{tail}后面还有别的字符",
            where=where,
            hint="含逗号或引号的单元格应整个用引号括起来，其中的引号写两遍（\"\"）；"
                 "多半是某个引号没有成对，请检查这一行")
    return BriefgenError(f"CSV 格式错误（{msg}）", where=where)


def _bad_quote_column(text: str) -> int:
    """The column (1-based) of the first quoted cell in `text` that never closes or has text after its end."""
    col, i, n, at_start = 1, 0, len(text), True
    while i < n:
        ch = text[i]
        if at_start and ch == '"':
            j = i + 1
            while True:
                k = text.find('"', j)
                if k < 0:
                    return col
                if text.startswith('""', k):
                    j = k + 2
                    continue
                break
            if k + 1 < n and text[k + 1] not in ",\r\n":
                return col
            i, at_start = k + 1, False
            continue
        if ch == ",":
            col, at_start = col + 1, True
        elif ch in "\r\n":
            break
        else:
            at_start = False
        i += 1
    return col


# A department's workbook is a few hundred kilobytes. These bounds are far above any real
# one and far below what exhausts memory: a 2 MB zip bomb unpacks to 2 GB of sheet XML.
MAX_XLSX_BYTES = 100 * 2**20  # the file
MAX_XLSX_UNPACKED = 500 * 2**20  # all its parts unpacked (sizes from the zip directory, which zipfile enforces)
MAX_XLSX_CELLS = 5_000_000  # cells of the sheet read, counted as its XML streams by
MAX_XLSX_ROWS = 1_048_576  # Excel's own limit


def xlsx_sheets(path: Path, *, hidden: bool = False) -> list[str]:
    """The names of a workbook's sheets (with `hidden`, of its hidden ones only)."""
    wb = _open_workbook(path)
    try:
        if hidden:
            return [s.title for s in [*wb.worksheets, *wb.chartsheets] if s.sheet_state != "visible"]
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open_workbook(path: Path) -> Any:
    """A workbook opened read-only with cached values, after its sizes are checked."""
    from openpyxl import load_workbook  # lazy: openpyxl only for .xlsx sources
    from openpyxl.utils.exceptions import InvalidFileException  # lazy: openpyxl only for .xlsx sources

    if not path.exists():
        raise BriefgenError("找不到数据文件", where=str(path))
    try:
        _check_workbook_size(path)
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        try:
            head = path.read_bytes()[:8]
        except OSError as e:
            raise os_error(e, path, "读取数据文件") from None
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise BriefgenError(
                "无法打开 Excel 文件：文件已加密（设置了打开密码）或为旧版 .xls 格式",
                where=str(path), hint="请在 Excel 中取消密码并另存为 .xlsx",
            ) from None
        raise BriefgenError("无法打开 Excel 文件：文件已损坏或不完整（例如复制、下载没有完成）", where=str(path),
                            hint="请在 Excel 中打开后重新另存为 .xlsx") from None


def _check_workbook_size(path: Path) -> None:
    """Refuse a workbook too large to read, before any of it is unpacked: the file, its parts
    unpacked, and each sheet's rows and cells (openpyxl parses a whole sheet on opening when
    the sheet does not state its size)."""
    size = path.stat().st_size
    if size > MAX_XLSX_BYTES:
        raise BriefgenError(f"Excel 文件过大（{size / 2**20:.0f} MB，最多 {MAX_XLSX_BYTES // 2**20} MB）",
                            where=str(path), hint="请只保留需要的工作表，或把数据另存为 CSV")
    with zipfile.ZipFile(path) as zf:
        unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise BriefgenError(
                f"Excel 文件解压后过大（{unpacked / 2**20:.0f} MB，最多 {MAX_XLSX_UNPACKED // 2**20} MB），"
                "可能已损坏或是特意构造的压缩炸弹", where=str(path),
                hint="请在 Excel 中打开后另存为 .xlsx，只保留需要的工作表")
        try:
            for member, name in _sheet_members(zf).items():
                _scan_sheet(zf, member, f"{path}：工作表“{name}”")
        except (ElementTree.ParseError, EOFError, zlib.error, ValueError):
            raise zipfile.BadZipFile from None  # reported as a damaged file


def _sheet_members(zf: zipfile.ZipFile) -> dict[str, str]:
    """The workbook's sheet parts and their names (xl/worksheets/sheet1.xml → 数据)."""
    try:
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target") or "" for r in rels}
    names = set(zf.namelist())
    out = {}
    for el in book.iter():
        if el.tag.rpartition("}")[2] != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if k.rpartition("}")[2] == "id"), None)
        target = targets.get(rid, "")
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        if member in names:
            out[member] = el.get("name") or member
    return out


def read_xlsx(path: Path, sheet: str | None = None) -> Grid:
    """One sheet of a workbook (the named one, else the one Excel shows on opening) as a grid,
    merged cells filled from their top-left cell."""
    wb = _open_workbook(path)
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise BriefgenError(
                    f"工作簿中没有名为“{sheet}”的工作表（现有：{'、'.join(wb.sheetnames)}）", where=str(path)
                )
            ws = wb[sheet]
        else:
            # The sheet the user sees on opening, not a hidden or stale first one.
            ws = wb.active if wb.active is not None else wb.worksheets[0]
        title = ws.title
        here = f"{path}：工作表“{title}”"
        member = getattr(ws, "_worksheet_path", None)  # a chartsheet has no cells
        if member is None:
            raise BriefgenError("这是一张图表，不是数据表", where=here,
                                hint=f"请在数据源中写 sheet: 指定数据所在的工作表（现有：{'、'.join(wb.sheetnames)}）")
        warnings = _hidden_sheet_warnings(wb, ws, path, named=bool(sheet))
        try:
            with zipfile.ZipFile(path) as zf:
                merges, formulas = _scan_sheet(zf, member, here)
                uncached = _uncached_formulas(zf, member) if formulas else []
            if uncached:
                shown = "、".join(uncached[:5]) + ("等" if len(uncached) > 5 else "")
                raise BriefgenError(
                    f"有{len(uncached)}个公式单元格没有保存计算结果（{shown}），briefgen 读不到它们的值："
                    "文件多半是由程序生成、从未在 Excel 中打开保存过", where=f"{here}：{uncached[0]}",
                    hint="请用 Excel 或 WPS 打开这个文件并保存一次（保存时会算出公式的结果），再重新生成")
            ws.reset_dimensions()  # read the cells there are, not the range the file claims
            rows = [[_xlsx_value(c) for c in r] for r in ws.iter_rows()]
        except (zipfile.BadZipFile, ElementTree.ParseError, KeyError, EOFError, zlib.error, ValueError):
            # A part that unpacks to more or less than the zip directory says, or XML cut short.
            raise BriefgenError("无法读取工作表：文件已损坏或不完整", where=here,
                                hint="请在 Excel 中打开后重新另存为 .xlsx") from None
        except OSError as e:
            raise os_error(e, path, "读取数据文件") from None
    finally:
        wb.close()
    for r1, c1, r2, c2 in merges:
        top = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
        for r in range(r1, min(r2 + 1, len(rows))):
            for c in range(c1, min(c2 + 1, len(rows[r]))):
                rows[r][c] = top
    if not rows or all(all(v is None for v in r) for r in rows):
        raise BriefgenError("工作表为空", where=f"{path}：工作表“{title}”")
    return Grid(rows=rows, label=str(path), sheet=title, merges=merges, warnings=warnings)


def _hidden_sheet_warnings(wb: Any, ws: Any, path: Path, named: bool) -> list[str]:
    hidden = [s.title for s in wb.worksheets if s is not ws and s.sheet_state != "visible"]
    out = []
    if hidden:
        names = "、".join(f"“{t}”" for t in hidden)
        read = "按配置读取" if named else "读取的是打开时显示的"
        out.append(f"{path}：工作簿中有隐藏的工作表{names}，未读取（{read}工作表“{ws.title}”）；"
                   "若数据在隐藏的表中，请在数据源中写 sheet:")
    if ws.sheet_state != "visible" and not named:
        out.append(f"{path}：读取的工作表“{ws.title}”是隐藏的，请确认它是要用的表（或在数据源中写 sheet:）")
    return out


_MERGE_RE = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?mergeCell\s+ref="([^"]+)"')
_FORMULA_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _scan_sheet(zf: zipfile.ZipFile, member: str, where: str) -> tuple[list[tuple[int, int, int, int]], bool]:
    """A sheet's merged ranges and whether it holds formulas, its rows and cells counted as
    the XML streams by (bytes, not elements: a second for 100 MB) with the limits checked."""
    from openpyxl.utils.cell import range_boundaries  # lazy: openpyxl only for .xlsx sources

    merges: list[tuple[int, int, int, int]] = []
    rows = cells = 0
    formulas = False
    with zf.open(member) as fh:
        carry = b""
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            buf = carry + chunk
            cut = buf.rfind(b"<")  # a tag cut by the chunk's end waits for the next chunk
            head, carry = (buf[:cut], buf[cut:]) if cut > 0 else (buf, b"")
            cells += head.count(b"<c ") + head.count(b"<c>") + head.count(b":c ") + head.count(b":c>")
            rows += head.count(b"<row ") + head.count(b"<row>") + head.count(b":row ") + head.count(b":row>")
            if cells > MAX_XLSX_CELLS:
                raise BriefgenError(f"工作表的单元格过多（超过{MAX_XLSX_CELLS}个）", where=where,
                                    hint="请只保留需要的数据，或分成几个文件")
            if rows > MAX_XLSX_ROWS:
                raise BriefgenError(f"工作表的行数过多（超过{MAX_XLSX_ROWS}行）", where=where)
            formulas = formulas or _FORMULA_RE.search(head) is not None
            for ref in _MERGE_RE.findall(head):
                c1, r1, c2, r2 = range_boundaries(ref.decode("ascii"))
                merges.append((r1 - 1, c1 - 1, r2 - 1, c2 - 1))
    return merges, formulas


def _uncached_formulas(zf: zipfile.ZipFile, member: str) -> list[str]:
    """Cells holding a formula but no saved result (a workbook written by a program, never
    opened in a spreadsheet). A formula whose result is empty text (t="str") is not one."""
    out: list[str] = []
    sheet_data = None
    with zf.open(member) as fh:
        for event, el in ElementTree.iterparse(fh, events=("start", "end")):
            tag = el.tag.rpartition("}")[2]
            if event == "start":
                if tag == "sheetData":
                    sheet_data = el
            elif tag == "c":
                parts = {ch.tag.rpartition("}")[2]: ch for ch in el}
                v = parts.get("v")
                if "f" in parts and el.get("t") != "str" and (v is None or not v.text):
                    out.append(el.get("r") or "?")
            elif tag == "row" and sheet_data is not None:
                sheet_data.clear()  # rows already looked at: keep memory flat
    return out


_PERCENT_FORMATS: dict[str, bool] = {}


def _xlsx_value(cell: Any) -> Any:
    """A cell's value as Excel shows it: 0.328 formatted as a percentage is "32.8%"."""
    v = cell.value
    if type(v) in (int, float):
        fmt = cell.number_format or ""
        pct = _PERCENT_FORMATS.get(fmt)
        if pct is None:
            # % in quotes or after a backslash is printed as is, without scaling.
            pct = _PERCENT_FORMATS[fmt] = "%" in re.sub(r'"[^"]*"|\\.', "", fmt)
        if pct:
            return f"{round(v * 100, 10)!r}%"
    return v


def _read_structured(path: Path, src: SourceCfg, ds: Dataset) -> None:
    kind = "json" if path.suffix.lower() == ".json" else "yaml"
    if kind == "json":
        text = read_text(path, "数据文件")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise BriefgenError(f"JSON 格式错误：{json_problem_zh(e.msg)}",
                                where=f"{path}:{e.lineno}:{e.colno}") from None
        except RecursionError:
            raise BriefgenError("JSON 嵌套层数过多（括号层层嵌套），无法读取", where=str(path),
                                hint="数据文件应为记录列表，或包含 records: / indicators: 的映射；"
                                     "请检查文件是否损坏") from None
        try:
            # JSON is YAML: its node tree gives each value's line for the audit (best effort).
            root = parse_yaml(text, path, "数据文件").root
        except BriefgenError:
            root = None
    else:
        ydoc = load_yaml_doc(path, "数据文件")
        doc, root = ydoc.check("数据文件"), ydoc.root
    label = str(path)

    def at(loc: tuple) -> Source | None:
        line, _col, _style = value_mark(root, loc)
        return Source(kind, label, line=line) if line is not None else None

    if doc is None:
        raise BriefgenError("数据文件为空", where=label)
    if isinstance(doc, dict):
        src = src.model_copy(update={
            "region": str(doc.get("region") or src.region or "") or None,
            "period": str(doc["period"]) if doc.get("period") is not None else src.period,
        })
    prefix: tuple = ()
    if isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict) and "records" in doc:
        records, prefix = doc["records"], ("records",)
    elif isinstance(doc, dict) and "indicators" in doc:
        records = _indicator_mapping(doc["indicators"], label)
    else:
        raise BriefgenError("数据文件应为记录列表，或包含 records: / indicators: 的映射", where=label)
    if not isinstance(records, list):
        raise BriefgenError("records 应为列表", where=label)

    def rows() -> Iterable[tuple[str, dict[str, Any], dict[str, Source]]]:
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, dict):
                raise BriefgenError("每条记录应为映射（键: 值）", where=f"{label}：第{i}条记录")
            out = {}
            locs: dict[str, Source] = {}
            given = rec.pop(_LOCS, None) if isinstance(rec.get(_LOCS), dict) else None
            for k, v in rec.items():
                ck = _canon(k)
                if ck is None:
                    raise BriefgenError(f"不认识的字段“{k}”", where=f"{label}：第{i}条记录")
                out[ck] = v
                loc = given.get(k) if given is not None else (*prefix, i - 1, k)
                got = at(loc) if loc is not None and root is not None else None
                if got is not None:
                    locs[ck] = got
            yield f"{label}：第{i}条记录", out, locs

    _add_records(ds, _dict_records(rows(), src))


_LOCS = "\0locs"  # where each field of a record built from an indicator mapping stands in the file


def _indicator_mapping(mapping: Any, label: str) -> list[dict]:
    """`indicators: {名称: {unit:, values: {2020: 1, 2021: 2}, published: {2021: {yoy: 3}}}}`."""
    if not isinstance(mapping, dict):
        raise BriefgenError("indicators 应为映射", where=label)
    out = []
    for name, spec in mapping.items():
        if not isinstance(spec, dict) or "values" not in spec:
            raise BriefgenError(f"指标“{name}”应包含 values:", where=label)
        published = spec.get("published") or {}
        derived = spec.get("derived") or {}
        regions = spec.get("values")
        if not isinstance(regions, dict):
            raise BriefgenError(f"指标“{name}”的 values 应为映射（时期: 数值）", where=label)
        # values may be {period: v} or {region: {period: v}}
        nested = all(isinstance(v, dict) for v in regions.values())
        by_region = regions if nested else {spec.get("region"): regions}
        for region, values in by_region.items():
            for period, value in values.items():
                rec = {"indicator": name, "period": period, "value": value,
                       "unit": spec.get("unit", ""), "note": spec.get("note", ""),
                       "source": spec.get("source", "")}
                locs: dict[str, tuple] = {"value": ("indicators", name, "values", *((region,) if nested else ()),
                                                    period)}
                if region:
                    rec["region"] = region
                pkey = period if period in published else str(period)
                p = published.get(period) or published.get(str(period)) or {}
                rec.update(p)
                if isinstance(p, dict):
                    locs.update({k: ("indicators", name, "published", pkey, k) for k in p})
                rec[_LOCS] = locs
                d = derived.get(period) or derived.get(str(period))
                if d:
                    rec["derived"] = d
                out.append(rec)
    return out


def _read_sql(cfg: Config, src: SourceCfg, ds: Dataset, label: str, total: str | None) -> None:
    reject_url(src.database, f"{label}.database", "数据库")
    db = cfg.resolve(src.database) if src.database else None
    if db is None:
        raise BriefgenError("SQL 数据源需要 database:（SQLite 文件路径）", where=label)
    if not db.exists():
        raise BriefgenError("找不到数据库文件", where=str(db))
    # Read-only, SELECT only, with row and time limits: a briefing never writes anywhere.
    header, rows = read_sql(db, src.sql or "")
    grid = Grid(rows=[header, *rows], label=f"{db}（SQL）", titles=False, first_line=0, path=str(db),
                query=src.sql or "")
    ds.files[str(db)] = "数据库"
    _read_grid(ds, grid, src, total, label)


def load_dataset(cfg: Config) -> Dataset:
    """Read every data source of a config into one :class:`Dataset`."""
    ds = Dataset()
    # A total row (合计、全市) stands for the root of the region tree, else the briefing's region.
    total = cfg.regions.total_region() or cfg.model.region or None
    for i, src in enumerate(cfg.model.data):
        label = f"{cfg.path}：data[{i}]"
        own = src.region is None and bool(cfg.model.region)
        if own:
            # Rows without a region belong to the briefing's own region.
            src = src.model_copy(update={"region": cfg.model.region})
        before = len(ds.readings)
        if src.sql:
            _read_sql(cfg, src, ds, label, total)
            _note_region_use(ds, before, own, cfg.regions.total_region() is None)
            continue
        if not src.file:
            raise BriefgenError("数据源需要 file: 或 sql:", where=label)
        reject_url(src.file, f"{label}.file")  # briefgen never reaches the network
        path = cfg.resolve(src.file)
        if not path.exists():
            raise BriefgenError(f"找不到数据文件“{path}”", where=f"{label}.file",
                                hint="路径相对于配置文件所在目录")
        read_source(ds, path, src, total, label)
        if own and path.suffix.lower() in (".yaml", ".yml", ".json"):
            ds.region_bound = True  # structured files give rows without a region the source's
        _note_region_use(ds, before, own, cfg.regions.total_region() is None)
    return ds


def _note_region_use(ds: Dataset, before: int, own: bool, totals_own: bool) -> None:
    """Mark `ds` region-bound when a sheet read since reading `before` used the briefing's region:
    for rows naming none (`own`: the source has no region of its own) or for total rows
    (`totals_own`: the region tree has no root for them to stand for)."""
    for _label, reading in ds.readings[before:]:
        if (own and reading.defaulted) or (totals_own and reading.totals):
            ds.region_bound = True


def read_source(ds: Dataset, path: Path, src: SourceCfg, total: str | None = None, label: str = "") -> None:
    """One data file (YAML/JSON, CSV, one sheet of an XLSX) into `ds`."""
    suffix = path.suffix.lower()
    ds.files.setdefault(str(path), "数据文件")
    if suffix in (".yaml", ".yml", ".json"):
        _read_structured(path, src, ds)
    elif suffix in (".csv", ".txt"):
        _read_grid(ds, read_csv(path, src.encoding), src, total, label or str(path))
    elif suffix in (".xlsx", ".xlsm"):
        _read_grid(ds, read_xlsx(path, src.sheet), src, total, label or str(path))
    elif suffix == ".xls":
        raise BriefgenError("不支持旧版 .xls 文件", where=str(path), hint="请在 Excel 中另存为 .xlsx")
    else:
        raise BriefgenError(f"不支持的数据文件类型“{suffix}”（支持 .yaml .json .csv .xlsx）", where=str(path))
