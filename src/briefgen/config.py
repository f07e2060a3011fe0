"""Briefing configuration: YAML file → validated pydantic model.

Paths inside a config are relative to the config file. `--set KEY=VALUE`
overrides are applied to the raw mapping before validation, so they are
checked like everything else.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from briefgen.errors import BriefgenError


class _Model(BaseModel):
    # Unknown keys are errors: a typo must never be silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class DistributionCfg(_Model):
    bao: list[str] = Field(default_factory=list, alias="报")
    song: list[str] = Field(default_factory=list, alias="送")
    fa: list[str] = Field(default_factory=list, alias="发")
    cc: list[str] = Field(default_factory=list, alias="抄送")
    copies: int | None = Field(default=None, alias="印数")


class MetaCfg(_Model):
    title: str
    subtitle: str = ""
    organ: str = ""
    masthead: str = ""
    date: _dt.date | str | None = None
    issue: int | str | None = None
    total_issue: int | str | None = None
    doc_no: str = ""
    signer: str = ""  # 签发人 (reports to superiors)
    classification: str = ""
    urgency: str = ""
    recipients: str = ""
    signature: str = ""
    postscript: str = ""
    attachments: list[str] = Field(default_factory=list)
    print_organ: str = ""
    print_date: _dt.date | str | None = None
    distribution: DistributionCfg = Field(default_factory=DistributionCfg)


class SourceCfg(_Model):
    """One data source: a file (YAML/JSON/CSV/XLSX) or an SQL query."""

    file: str | None = None
    sql: str | None = None
    database: str | None = None
    layout: Literal["auto", "long", "wide-periods", "wide-regions"] = "auto"
    sheet: str | None = None
    region: str | None = None  # default region for rows without one
    period: str | None = None  # default period (wide-regions tables)
    encoding: str | None = None
    note: str = ""

    @field_validator("period", "region", mode="before")
    @classmethod
    def _str(cls, v: Any) -> Any:
        return None if v is None else str(v)


class MetricCfg(_Model):
    name: str = ""
    indicator: str | None = None  # name in the data; defaults to `name`, then the key
    formula: str | None = None  # e.g. "hte_passed / hte_applied * 100"
    unit: str = ""
    decimals: int | None = None
    scale_to: str | None = None  # display unit, e.g. data in 万元 shown in 亿元
    region: str | None = None
    target: float | str | None = None  # number or another metric
    higher_is_better: bool = True
    note: str = ""


class ChartSeriesCfg(_Model):
    metric: str
    name: str | None = None
    kind: Literal["bar", "line"] | None = None
    axis: Literal["left", "right"] = "left"
    field: Literal["value", "yoy", "prev", "net", "pp", "completion"] = "value"
    region: str | None = None
    period: str | None = None
    decimals: int | None = None

    @field_validator("period", "region", mode="before")
    @classmethod
    def _str(cls, v: Any) -> Any:
        return None if v is None else str(v)


class ChartCfg(_Model):
    type: Literal["bar", "line", "bar_line", "hbar_rank", "pie", "donut", "stacked_bar"]
    caption: str
    x: Literal["periods", "regions", "metrics"] = "periods"
    periods: list[str] | None = None
    regions: list[str] | None = None
    series: list[ChartSeriesCfg] = Field(min_length=1)  # a chart without series has nothing to draw
    unit: str | None = None
    unit2: str | None = None
    source: str = ""
    labels: bool = True
    highlight: str | None = None
    sort: Literal["asc", "desc"] | None = None
    target: float | None = None
    height_cm: float = 8.0
    enabled: bool = True

    @field_validator("periods", "regions", mode="before")
    @classmethod
    def _strs(cls, v: Any) -> Any:
        return None if v is None else [str(x) for x in v]


class TableCfg(_Model):
    caption: str
    kind: Literal["metrics", "regions"] = "metrics"
    rows: list[str] = Field(default_factory=list)  # metrics (kind=metrics) or regions
    columns: list[str] = Field(default_factory=list)  # metrics (kind=regions)
    change: Literal["auto", "yoy", "net", "pp", "none"] = "auto"
    rank_by: str | None = None  # kind=regions: add a 排名 column by this metric
    source: str = ""
    enabled: bool = True

    @field_validator("rows", "columns", mode="before")
    @classmethod
    def _strs(cls, v: Any) -> Any:
        return [str(x) for x in v] if v is not None else []


class ContentCfg(_Model):
    """One ordered item of a section: text, a template file, a chart or a table."""

    text: str | None = None
    template: str | None = None
    chart: ChartCfg | None = None
    table: TableCfg | None = None


class SectionCfg(_Model):
    id: str | None = None
    heading: str = ""
    text: str | None = None
    template: str | None = None
    charts: list[ChartCfg] = Field(default_factory=list)
    tables: list[TableCfg] = Field(default_factory=list)
    content: list[ContentCfg] = Field(default_factory=list)
    sections: list["SectionCfg"] = Field(default_factory=list)
    enabled: bool = True


class BriefingCfg(_Model):
    name: str
    form: Literal["jianbao", "gongwen", "plain"] = "jianbao"
    region: str = ""
    period: str
    previous: str | None = None  # previous period; derived from `period` when omitted
    peers: list[str] = Field(default_factory=list)  # regions ranks are computed among (default: all in data)
    meta: MetaCfg
    data: list[SourceCfg] = Field(default_factory=list)
    metrics: dict[str, MetricCfg] = Field(default_factory=dict)
    intro: str | None = None  # text before the first section
    sections: list[SectionCfg] = Field(default_factory=list)
    variables: dict[str, Any] = Field(default_factory=dict)  # free values for templates
    style: dict[str, Any] = Field(default_factory=dict)  # style sheet overrides
    fonts: dict[str, str] = Field(default_factory=dict)  # role → font file or family
    template: str | None = None  # department template this briefing extends (templates.py)

    @field_validator("period", "previous", "region", mode="before")
    @classmethod
    def _str(cls, v: Any) -> Any:
        return None if v is None else str(v)

    @field_validator("metrics", mode="before")
    @classmethod
    def _metric_shorthand(cls, v: Any) -> Any:
        # `key: 指标名称` is short for `key: {indicator: 指标名称}`.
        if isinstance(v, dict):
            return {k: ({"indicator": str(x)} if isinstance(x, (str, int)) else x) for k, x in v.items()}
        return v


class Config:
    """A loaded config with the folder its relative paths start from."""

    def __init__(self, model: BriefingCfg, path: Path, applied: Any = None):
        self.model = model
        self.path = path
        self.base = path.parent
        # From the department template (templates.Applied): narrative search
        # folders, the Word letterhead, and the template itself.
        self.narrative_dirs: list[Path] = list(getattr(applied, "narrative_dirs", []) or [])
        self.reference_docx: Path | None = getattr(applied, "reference_docx", None)
        self.template = getattr(applied, "template", None)

    def resolve(self, rel: str) -> Path:
        p = Path(rel)
        return p if p.is_absolute() else (self.base / p)


def read_text(path: Path, what: str = "文件") -> str:
    """Read a text file as UTF-8 (with or without BOM), falling back to GB18030."""
    if not path.exists():
        raise BriefgenError(f"找不到{what}", where=str(path))
    if path.is_dir():
        raise BriefgenError(f"应为{what}，实际是文件夹", where=str(path))
    raw = path.read_bytes()
    if b"\x00" in raw[:4096]:
        raise BriefgenError(f"{what}不是文本文件（可能是二进制文件）", where=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        # Chinese Excel and Notepad commonly save GBK/GB18030.
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        raise BriefgenError(
            f"{what}的编码无法识别", where=str(path), hint="请另存为 UTF-8 编码后重试"
        ) from None


def load_yaml(path: Path, what: str = "配置文件") -> Any:
    text = read_text(path, what)
    try:
        return yaml.safe_load(text)
    except ValueError as e:
        # PyYAML builds dates itself and raises a bare ValueError for 2022-02-30.
        import re

        for no, line in enumerate(text.splitlines(), start=1):
            for m in re.finditer(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b", line):
                try:
                    _dt.date(*map(int, m.groups()))
                except ValueError:
                    raise BriefgenError(f"日期“{m.group(0)}”不存在", where=f"{path}:{no}:{m.start() + 1}") from None
        raise BriefgenError(f"YAML 内容无法解析：{e}", where=str(path)) from None
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        problem = getattr(e, "problem", None) or str(e)
        if isinstance(e, yaml.reader.ReaderError):
            # An invisible control character pasted into the file: say where it is.
            before = text[: e.position]
            where = f"{path}:{before.count(chr(10)) + 1}:{len(before) - before.rfind(chr(10))}"
            problem = f"文件中有不可见的控制字符 U+{e.character:04X}，请删除它" if isinstance(e.character, int) \
                else problem
        from briefgen.yamlpos import yaml_problem_zh

        cmark = getattr(e, "context_mark", None)
        problem = yaml_problem_zh(problem, getattr(e, "context", None), cmark.line + 1 if cmark else None)
        raise BriefgenError(f"YAML 格式错误：{problem}", where=where) from None


def apply_overrides(raw: dict, overrides: list[str]) -> dict:
    """Apply `a.b.c=value` overrides; values are parsed as YAML scalars."""
    for item in overrides:
        if "=" not in item:
            raise BriefgenError(f"--set 参数应为 键=值 形式：{item}")
        key, value = item.split("=", 1)
        parts = [p for p in key.strip().split(".") if p]
        if not parts:
            raise BriefgenError(f"--set 参数缺少键名：{item}")
        node = raw
        for p in parts[:-1]:
            nxt = node.get(p)
            if not isinstance(nxt, dict):
                nxt = {}
                node[p] = nxt
            node = nxt
        try:
            node[parts[-1]] = yaml.safe_load(value) if value.strip() else ""
        except (yaml.YAMLError, ValueError):
            node[parts[-1]] = value
    return raw


def load_config(path: str | Path, overrides: list[str] | None = None,
                template_roots: list[Path] | None = None) -> Config:
    path = Path(path)
    raw = load_yaml(path)
    if raw is None:
        raise BriefgenError("配置文件为空", where=str(path))
    if not isinstance(raw, dict):
        raise BriefgenError("配置文件的顶层应为映射（键: 值）", where=str(path))
    raw = apply_overrides(raw, overrides or [])
    from briefgen.templates import apply_template

    applied = apply_template(raw, path, template_roots)
    raw = applied.raw
    # Every problem at once, each with line and column: the text is read again
    # (it is small) because the loaded data no longer knows where it came from.
    from briefgen import yamlpos

    source = read_text(path)
    problems = yamlpos.duplicate_keys(source, path)
    try:
        model = BriefingCfg.model_validate(raw)
    except ValidationError as e:
        problems += yamlpos.problems_from_errors(e.errors(), path, source, raw, BriefingCfg)
    if problems:
        raise yamlpos.ConfigProblems(problems) from None
    return Config(model, path, applied)
