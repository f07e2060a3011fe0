"""Data sources → one table of observations (indicator, region, period, value).

Accepted shapes: long form (one row per observation) and wide form
(indicators × periods, or regions × indicators), from YAML/JSON, CSV, XLSX or
an SQL query on an SQLite file. Figures a statistics bureau has published
(growth at comparable prices, rank…) ride along with the raw values.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from briefgen.config import Config, SourceCfg
from briefgen.errors import BriefgenError
from briefgen.files import load_yaml, read_text
from briefgen.safety import clean_text, read_sql, reject_url
from briefgen.yamlpos import json_problem_zh

# Header aliases: what people actually type into a spreadsheet's first row.
COLUMNS = {
    "indicator": ("indicator", "指标", "指标名称", "项目"),
    "region": ("region", "地区", "区域", "县市区"),
    "period": ("period", "时期", "期间", "年份", "年度", "月份"),
    "value": ("value", "数值", "值", "本期", "本期值"),
    "unit": ("unit", "单位", "计量单位"),
    "note": ("note", "口径", "说明", "备注"),
    "source": ("source", "来源", "数据来源"),
    "derived": ("derived", "推算", "推算说明"),
}
# Published figures that take precedence over computed ones.
PUBLISHED = {
    "yoy": ("yoy", "同比", "同比增长", "增速", "同比增速"),
    "net": ("net", "净增", "净增加"),
    "pp": ("pp", "百分点", "增减百分点"),
    "rank": ("rank", "排名", "位次"),
    "rank_prev": ("rank_prev", "上期排名", "上年排名"),
    "rank_of": ("rank_of", "排名总数", "参评数"),
    "target": ("target", "目标", "目标值"),
}
_ALIAS = {a.lower(): k for k, names in {**COLUMNS, **PUBLISHED}.items() for a in names}

_EMPTY = {"", "-", "—", "--", "－", "…", "na", "n/a", "null", "none", "无"}


@dataclass
class Obs:
    """One observation: the value, the figures published with it, and where it was read."""

    value: float | None
    published: dict[str, float] = field(default_factory=dict)
    derived: str = ""  # why the value is derived rather than reported
    where: str = ""


@dataclass
class Indicator:
    """An indicator's unit, 口径 note and source."""

    name: str
    unit: str = ""
    note: str = ""
    source: str = ""


class Dataset:
    """All observations of a briefing, keyed by (indicator, region, period)."""

    def __init__(self) -> None:
        self.obs: dict[tuple[str, str, str], Obs] = {}
        self.indicators: dict[str, Indicator] = {}

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
                    f"“{indicator}”{region}{period} 有两个不同的数值：{old.value}（{old.where}）与 {obs.value}",
                    where=obs.where,
                )
            old.value = old.value if old.value is not None else obs.value
            old.published.update(obs.published)
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
        """Periods (sorted), optionally of one indicator or region."""
        seen = {
            per for (ind, reg, per) in self.obs
            if (indicator is None or ind == indicator) and (region is None or reg == region)
        }
        return sorted(seen)


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def norm_period(v: Any) -> str:
    """Periods are strings: 2021 → "2021"; 2021.0 from Excel → "2021"."""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if hasattr(v, "strftime"):
        return v.strftime("%Y-%m")
    return str(v).strip()


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
        s = str(v).strip().replace("，", ",").replace("％", "%")
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


def _records_to_dataset(ds: Dataset, rows: Iterable[tuple[str, dict[str, Any]]], src: SourceCfg,
                        label: str) -> None:
    """Long-form rows (already keyed by canonical names) into the dataset."""
    for where, row in rows:
        ind = row.get("indicator")
        if ind is None or str(ind).strip() == "":
            raise BriefgenError("缺少指标名称", where=where)
        region = row.get("region") or src.region or ""
        period = row.get("period", src.period)
        if period is None or str(period).strip() == "":
            raise BriefgenError(f"指标“{ind}”缺少时期", where=where)
        value = parse_number(row.get("value"), where)
        pub = {}
        for k in PUBLISHED:
            if k in row:
                n = parse_number(row[k], f"{where}（{k}）")
                if n is not None:
                    pub[k] = n
        # Names from spreadsheets may carry pasted control characters: no document or chart can show them.
        ds.add(
            clean_text(str(ind)).strip(), clean_text(str(region)).strip(), norm_period(period),
            Obs(value, pub, str(row.get("derived") or ""), where),
            unit=clean_text(str(row.get("unit") or "")), note=clean_text(str(row.get("note") or "")),
            source=clean_text(str(row.get("source") or src.note or "")),
        )


def _table_rows(header: list[Any], rows: list[list[Any]], src: SourceCfg, label: str,
                first_line: int) -> Iterable[tuple[str, dict[str, Any]]]:
    """Turn a 2-D table (any layout) into canonical long-form records."""
    canon = [_canon(h) for h in header]
    layout = src.layout
    if layout == "auto":
        if "indicator" in canon and "value" in canon:
            layout = "long"
        elif canon and canon[0] == "indicator":
            layout = "wide-periods"
        elif canon and canon[0] == "region":
            layout = "wide-regions"
        else:
            raise BriefgenError(
                "无法判断表格结构：第一行应包含“指标/数值”列（长表），或首列为“指标”（指标×时期宽表）或“地区”（地区×指标宽表）",
                where=label,
                hint="也可在配置中用 layout: long / wide-periods / wide-regions 指明",
            )
    for i, r in enumerate(rows):
        line = first_line + i
        where = f"{label}:第{line}行"
        if all(c is None or str(c).strip() == "" for c in r):
            continue
        r = list(r) + [None] * (len(header) - len(r))
        if layout == "long":
            yield where, {c: r[j] for j, c in enumerate(canon) if c}
        elif layout == "wide-periods":
            base = {c: r[j] for j, c in enumerate(canon) if c and c != "value"}
            for j, h in enumerate(header):
                if canon[j] is None and h is not None and str(h).strip():
                    yield f"{where}（{h}列）", {**base, "period": norm_period(h), "value": r[j]}
        else:  # wide-regions
            region = r[0]
            for j, h in enumerate(header[1:], start=1):
                if h is None or str(h).strip() == "" or canon[j] in ("unit", "note", "source"):
                    continue
                if canon[j] == "period":
                    continue
                rec: dict[str, Any] = {"indicator": str(h).strip(), "region": region, "value": r[j]}
                if "period" in canon:
                    rec["period"] = r[canon.index("period")]
                yield f"{where}（{h}列）", rec


def _read_csv(path: Path, src: SourceCfg) -> tuple[list[Any], list[list[Any]]]:
    if src.encoding:
        try:
            text = path.read_text(encoding=src.encoding)
        except LookupError:
            raise BriefgenError(f"不认识的编码名称“{src.encoding}”", where=str(path),
                                hint="常用的有 utf-8、gbk、gb18030；也可删去 encoding: 让 briefgen 自动识别") from None
        except UnicodeDecodeError as e:
            raise BriefgenError(f"无法按 {src.encoding} 编码读取（第{e.start + 1}个字节起不是 {src.encoding}）",
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
    return rows[0], rows[1:]


def _read_xlsx(path: Path, src: SourceCfg) -> tuple[list[Any], list[list[Any]]]:

    from openpyxl import load_workbook  # lazy: openpyxl only for .xlsx sources
    from openpyxl.utils.exceptions import InvalidFileException  # lazy: openpyxl only for .xlsx sources

    if not path.exists():
        raise BriefgenError("找不到数据文件", where=str(path))
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError):
        head = path.read_bytes()[:8]
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise BriefgenError(
                "无法打开 Excel 文件：文件已加密（设置了打开密码）或为旧版 .xls 格式",
                where=str(path), hint="请在 Excel 中取消密码并另存为 .xlsx",
            ) from None
        raise BriefgenError("无法打开 Excel 文件：文件已损坏或不完整（例如复制、下载没有完成）", where=str(path),
                            hint="请在 Excel 中打开后重新另存为 .xlsx") from None
    try:
        if src.sheet:
            if src.sheet not in wb.sheetnames:
                raise BriefgenError(
                    f"工作簿中没有名为“{src.sheet}”的工作表（现有：{'、'.join(wb.sheetnames)}）", where=str(path)
                )
            ws = wb[src.sheet]
        else:
            ws = wb.worksheets[0]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
    finally:
        wb.close()
    if not rows:
        raise BriefgenError("工作表为空", where=str(path))
    return rows[0], rows[1:]


def _read_structured(path: Path, src: SourceCfg, ds: Dataset) -> None:
    if path.suffix.lower() == ".json":
        try:
            doc = json.loads(read_text(path, "数据文件"))
        except json.JSONDecodeError as e:
            raise BriefgenError(f"JSON 格式错误：{json_problem_zh(e.msg)}",
                                where=f"{path}:{e.lineno}:{e.colno}") from None
    else:
        doc = load_yaml(path, "数据文件")
    label = str(path)
    if doc is None:
        raise BriefgenError("数据文件为空", where=label)
    if isinstance(doc, dict):
        src = src.model_copy(update={
            "region": str(doc.get("region") or src.region or "") or None,
            "period": str(doc["period"]) if doc.get("period") is not None else src.period,
        })
    if isinstance(doc, list):
        records = doc
    elif isinstance(doc, dict) and "records" in doc:
        records = doc["records"]
    elif isinstance(doc, dict) and "indicators" in doc:
        records = _indicator_mapping(doc["indicators"], label)
    else:
        raise BriefgenError("数据文件应为记录列表，或包含 records: / indicators: 的映射", where=label)
    if not isinstance(records, list):
        raise BriefgenError("records 应为列表", where=label)

    def rows():
        for i, rec in enumerate(records, start=1):
            if not isinstance(rec, dict):
                raise BriefgenError("每条记录应为映射（键: 值）", where=f"{label}：第{i}条记录")
            out = {}
            for k, v in rec.items():
                ck = _canon(k)
                if ck is None:
                    raise BriefgenError(f"不认识的字段“{k}”", where=f"{label}：第{i}条记录")
                out[ck] = v
            yield f"{label}：第{i}条记录", out

    _records_to_dataset(ds, rows(), src, label)


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
        by_region = regions if all(isinstance(v, dict) for v in regions.values()) else {spec.get("region"): regions}
        for region, values in by_region.items():
            for period, value in values.items():
                rec = {"indicator": name, "period": period, "value": value,
                       "unit": spec.get("unit", ""), "note": spec.get("note", ""),
                       "source": spec.get("source", "")}
                if region:
                    rec["region"] = region
                p = published.get(period) or published.get(str(period)) or {}
                rec.update(p)
                d = derived.get(period) or derived.get(str(period))
                if d:
                    rec["derived"] = d
                out.append(rec)
    return out


def _read_sql(cfg: Config, src: SourceCfg, ds: Dataset, label: str) -> None:
    reject_url(src.database, f"{label}.database", "数据库")
    db = cfg.resolve(src.database) if src.database else None
    if db is None:
        raise BriefgenError("SQL 数据源需要 database:（SQLite 文件路径）", where=label)
    if not db.exists():
        raise BriefgenError("找不到数据库文件", where=str(db))
    # Read-only, SELECT only, with row and time limits: a briefing never writes anywhere.
    header, rows = read_sql(db, src.sql or "")
    _records_to_dataset(ds, _table_rows(header, rows, src, f"{db}（SQL）", 1), src, label)


def load_dataset(cfg: Config) -> Dataset:
    """Read every data source of a config into one :class:`Dataset`."""
    ds = Dataset()
    for i, src in enumerate(cfg.model.data):
        label = f"{cfg.path}：data[{i}]"
        if src.region is None and cfg.model.region:
            # Rows without a region belong to the briefing's own region.
            src = src.model_copy(update={"region": cfg.model.region})
        if src.sql:
            _read_sql(cfg, src, ds, label)
            continue
        if not src.file:
            raise BriefgenError("数据源需要 file: 或 sql:", where=label)
        reject_url(src.file, f"{label}.file")  # briefgen never reaches the network
        path = cfg.resolve(src.file)
        if not path.exists():
            raise BriefgenError(f"找不到数据文件“{path}”", where=f"{label}.file",
                                hint="路径相对于配置文件所在目录")
        suffix = path.suffix.lower()
        if suffix in (".yaml", ".yml", ".json"):
            _read_structured(path, src, ds)
        elif suffix in (".csv", ".txt"):
            header, rows = _read_csv(path, src)
            _records_to_dataset(ds, _table_rows(header, rows, src, str(path), 2), src, str(path))
        elif suffix in (".xlsx", ".xlsm"):
            header, rows = _read_xlsx(path, src)
            _records_to_dataset(ds, _table_rows(header, rows, src, str(path), 2), src, str(path))
        elif suffix == ".xls":
            raise BriefgenError("不支持旧版 .xls 文件", where=str(path), hint="请在 Excel 中另存为 .xlsx")
        else:
            raise BriefgenError(f"不支持的数据文件类型“{suffix}”（支持 .yaml .json .csv .xlsx）", where=str(path))
    return ds
