"""Data sources → one table of observations (indicator, region, period, value).

Accepted shapes: long form (one row per observation) and wide form
(indicators × periods, or regions × indicators), from YAML/JSON, CSV, XLSX or
an SQL query on an SQLite file. Figures a statistics bureau has published
(growth at comparable prices, rank…) ride along with the raw values.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from briefgen import periods, zh
from briefgen.config import Config, SourceCfg
from briefgen.errors import BriefgenError
from briefgen.files import load_yaml_doc, parse_yaml, read_text
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


@dataclass
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
        key = (indicator, region, period)
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
            old.published.update(obs.published)
            old.pub_src.update(obs.pub_src)
            old.derived = old.derived or obs.derived
        else:
            self.obs[key] = obs

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
            near = sorted(pers, key=lambda x: _distance(periods.sort_key(x), want))[:4]
            near = sorted(near, key=periods.sort_key)
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
        value = parse_number(rec.value, rec.where)
        pub = {}
        for k, v in rec.published.items():
            n = parse_number(v, f"{rec.where}（{k}）")
            if n is not None:
                pub[k] = n
        pub_src = {}
        for k in pub:
            at = rec.pub_locs.get(k, rec.loc)
            if at is not None:
                pub_src[k] = at if at.field else Source(**{**at.__dict__, "field": k})
        # Names from spreadsheets may carry pasted control characters: no document or chart can show them.
        ds.add(
            clean_text(rec.indicator).strip(), clean_text(rec.region).strip(), rec.period,
            Obs(value, pub, rec.derived, rec.where, rec.loc if value is not None else None, pub_src),
            unit=clean_text(rec.unit), note=clean_text(rec.note), source=clean_text(rec.source),
        )


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
    reading = read_grid(grid, period=src.period, layout=src.layout, region=src.region,
                        total_region=total_region)
    if src.note:
        for rec in reading.records:
            rec.source = rec.source or src.note
    ds.readings.append((grid.label + (f"：工作表“{grid.sheet}”" if grid.sheet else ""), reading))
    ds.total_regions |= reading.total_names
    _add_records(ds, reading.records)


def read_csv(path: Path, encoding: str | None = None) -> Grid:
    """A CSV file as a grid (UTF-8 or GBK detected unless `encoding` is given)."""
    if encoding:
        try:
            text = path.read_text(encoding=encoding)
        except LookupError:
            raise BriefgenError(f"不认识的编码名称“{encoding}”", where=str(path),
                                hint="常用的有 utf-8、gbk、gb18030；也可删去 encoding: 让 briefgen 自动识别") from None
        except UnicodeDecodeError as e:
            raise BriefgenError(f"无法按 {encoding} 编码读取（第{e.start + 1}个字节起不是 {encoding}）",
                                where=str(path),
                                hint="删去 encoding: 让 briefgen 自动识别 UTF-8/GBK，或改成文件实际的编码") from None
    else:
        text = read_text(path, "数据文件")
    reader = csv.reader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as e:
        # Above csv.field_size_limit (131,072 characters): almost always a quote that never closes.
        if "field larger than field limit" in str(e):
            raise BriefgenError(f"第{reader.line_num}行附近有一个单元格超过{csv.field_size_limit()}个字符",
                                where=str(path), hint="通常是引号（\"）没有成对，请检查该行及其前面几行") from None
        raise BriefgenError(f"CSV 格式错误：{e}", where=f"{path}:第{reader.line_num}行") from None
    if not rows:
        raise BriefgenError("数据文件为空", where=str(path))
    return Grid(rows=[[c if c != "" else None for c in r] for r in rows], label=str(path))


def xlsx_sheets(path: Path) -> list[str]:
    """The names of a workbook's sheets."""
    wb = _open_workbook(path, read_only=True)
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def _open_workbook(path: Path, read_only: bool) -> Any:

    from openpyxl import load_workbook  # lazy: openpyxl only for .xlsx sources
    from openpyxl.utils.exceptions import InvalidFileException  # lazy: openpyxl only for .xlsx sources

    if not path.exists():
        raise BriefgenError("找不到数据文件", where=str(path))
    try:
        return load_workbook(path, read_only=read_only, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise BriefgenError(
                "无法打开 Excel 文件：文件已加密（设置了打开密码）或为旧版 .xls 格式",
                where=str(path), hint="请在 Excel 中取消密码并另存为 .xlsx",
            ) from None
        raise BriefgenError("无法打开 Excel 文件：文件已损坏或不完整（例如复制、下载没有完成）", where=str(path),
                            hint="请在 Excel 中打开后重新另存为 .xlsx") from None


def read_xlsx(path: Path, sheet: str | None = None) -> Grid:
    """One sheet of a workbook as a grid, merged cells filled from their top-left cell."""
    # Not read-only: merged cells are only known to a fully loaded sheet (bureau workbooks are small).
    wb = _open_workbook(path, read_only=False)
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise BriefgenError(
                    f"工作簿中没有名为“{sheet}”的工作表（现有：{'、'.join(wb.sheetnames)}）", where=str(path)
                )
            ws = wb[sheet]
        else:
            ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        merges = []
        for rng in ws.merged_cells.ranges:
            r1, c1, r2, c2 = rng.min_row - 1, rng.min_col - 1, rng.max_row - 1, rng.max_col - 1
            merges.append((r1, c1, r2, c2))
            top = rows[r1][c1] if r1 < len(rows) and c1 < len(rows[r1]) else None
            for r in range(r1, min(r2 + 1, len(rows))):
                for c in range(c1, min(c2 + 1, len(rows[r]))):
                    rows[r][c] = top
        title = ws.title
    finally:
        wb.close()
    if not rows or all(all(v is None for v in r) for r in rows):
        raise BriefgenError("工作表为空", where=f"{path}：工作表“{title}”")
    return Grid(rows=rows, label=str(path), sheet=title, merges=merges)
def _read_structured(path: Path, src: SourceCfg, ds: Dataset) -> None:
    kind = "json" if path.suffix.lower() == ".json" else "yaml"
    if kind == "json":
        text = read_text(path, "数据文件")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as e:
            raise BriefgenError(f"JSON 格式错误：{json_problem_zh(e.msg)}",
                                where=f"{path}:{e.lineno}:{e.colno}") from None
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
        if src.region is None and cfg.model.region:
            # Rows without a region belong to the briefing's own region.
            src = src.model_copy(update={"region": cfg.model.region})
        if src.sql:
            _read_sql(cfg, src, ds, label, total)
            continue
        if not src.file:
            raise BriefgenError("数据源需要 file: 或 sql:", where=label)
        reject_url(src.file, f"{label}.file")  # briefgen never reaches the network
        path = cfg.resolve(src.file)
        if not path.exists():
            raise BriefgenError(f"找不到数据文件“{path}”", where=f"{label}.file",
                                hint="路径相对于配置文件所在目录")
        read_source(ds, path, src, total, label)
    return ds


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
