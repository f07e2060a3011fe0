"""Briefing configuration: YAML file → validated pydantic model.

Paths inside a config are relative to the config file. `--set KEY=VALUE`
overrides are applied to the raw mapping before validation, so they are
checked like everything else.
"""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from briefgen import periods, yamlpos, zh
from briefgen.errors import BriefgenError
from briefgen.files import load_yaml_doc, yaml_value
from briefgen.layout import DEFAULT_STYLE, StyleSheet
from briefgen.regions import RegionTree
from briefgen.templates import apply_template, deep_merge


def _as_text(v: Any) -> Any:
    # YAML reads `period: 2021` as a number and `2022-06-30` as a date; both are names here.
    # A boolean stays one and is refused: "yes" where a region belongs is a mistake.
    if isinstance(v, (int, float, _dt.date)) and not isinstance(v, bool):
        return v.isoformat() if isinstance(v, _dt.date) else str(v)
    return v


Text = Annotated[str, BeforeValidator(_as_text)]


def _as_period(v: Any, *, year_required: bool) -> Any:
    # Every form of Chinese statistical usage becomes its canonical code here, once:
    # "2022年1-9月" → 2022-01~09. A form without its year (1—9月) waits for the briefing's year.
    v = _as_text(v)
    if not isinstance(v, str):
        return v
    p = periods.parse(v)
    if p.kind != "other":
        return p.code
    fixed = periods.typo_fix(v)
    if fixed:
        raise PydanticCustomError(
            "period", "“{v}”不是可识别的时期（其中有字母，是否应为“{fixed}”？请把字母 O、l 改成数字 0、1）",
            {"v": v, "fixed": fixed})
    if periods.needs_year(v):
        if year_required:
            raise PydanticCustomError("period", "时期“{v}”没有写年份，应写完整，如 2022年1—9月", {"v": v})
        return v.strip()
    raise PydanticCustomError("period", "“{v}”不是可识别的时期（可写：{forms}）",
                              {"v": v, "forms": periods.ACCEPTED_FORMS})


def _as_date(v: Any) -> Any:
    # A date written as text is checked here, where the error can name the key and line,
    # not when the masthead is printed (2023-7-32 would stop the build with no place to look).
    if isinstance(v, str) and v.strip():
        try:
            zh.date_cn(v)
        except zh.ZhFormatError:
            raise PydanticCustomError("date", "日期“{v}”无法识别：应为存在的日期，写作 2022-01-05", {"v": v}) from None
    return v


#: A date: YAML's own, or text such as 2022/1/5 that :func:`briefgen.zh.date_cn` reads.
DateText = Annotated[_dt.date | str | None, BeforeValidator(_as_date)]

#: A complete period (2022年1—9月 → 2022-01~09).
Period = Annotated[str, BeforeValidator(lambda v: _as_period(v, year_required=True))]
#: A period that may leave out its year (1—9月, 三季度): the briefing's year is meant.
PeriodText = Annotated[str, BeforeValidator(lambda v: _as_period(v, year_required=False))]


class _Model(BaseModel):
    # Unknown keys are errors: a typo must never be silently ignored.
    model_config = ConfigDict(extra="forbid", populate_by_name=True, defer_build=True)


class DistributionCfg(_Model):
    """报/送/发/抄送 lists and the number of copies (印数)."""

    model_config = ConfigDict(title="分送范围")

    bao: list[str] = Field(default_factory=list, alias="报", description="报：上级机关")
    song: list[str] = Field(default_factory=list, alias="送", description="送：平级单位")
    fa: list[str] = Field(default_factory=list, alias="发", description="发：下级单位")
    cc: list[str] = Field(default_factory=list, alias="抄送", description="抄送机关")
    copies: int | None = Field(default=None, alias="印数", description="共印份数")


class MetaCfg(_Model):
    """Everything printed around the body: 报头, title, 期号, 署名, dates, 版记."""

    model_config = ConfigDict(title="文面信息")

    title: str = Field(description="标题（可含模板表达式）")
    subtitle: str = Field("", description="副标题")
    organ: str = Field("", description="编发单位／发文机关")
    masthead: str = Field("", description="报头文字，如 科技工作简报")
    date: DateText = Field(None, description="成文／编发日期，如 2022-02-10")
    issue: int | str | None = Field(None, description="期号：第X期")
    total_issue: int | str | None = Field(None, description="总期号：总第X期")
    doc_no: str = Field("", description="发文字号，如 宜科发〔2022〕3号")
    signer: str = Field("", description="签发人（上行文）")
    classification: str = Field("", description="密级")
    urgency: str = Field("", description="紧急程度")
    recipients: str = Field("", description="主送机关")
    signature: str = Field("", description="署名（默认同编发单位）")
    postscript: str = Field("", description="附注")
    attachments: list[str] = Field(default_factory=list, description="附件名称列表")
    print_organ: str = Field("", description="印发机关")
    print_date: DateText = Field(None, description="印发日期")
    distribution: DistributionCfg = Field(default_factory=DistributionCfg, description="报、送、发、抄送与印数")


class SourceCfg(_Model):
    """One data source: a file (YAML/JSON/CSV/XLSX) or an SQL query."""

    model_config = ConfigDict(title="一个数据源")

    file: str | None = Field(None, description="本地数据文件（相对配置文件）：.csv .xlsx .yaml .json；不能是网址")
    sql: str | None = Field(None, description="SQLite 查询语句（只读）")
    database: str | None = Field(None, description="SQLite 数据库文件")
    layout: Literal["auto", "long", "wide-periods", "wide-regions", "periods-down"] = Field("auto",
        description="表格结构（一般不用写，briefgen inspect 可查看自动判断的结果）：auto 自动｜long 长表｜"
                    "wide-periods 首列为指标｜wide-regions 首列为地区｜periods-down 首列为时期（月份）")
    sheet: str | None = Field(None, description="Excel 工作表名称（不写时读取打开文件时显示的那张）")
    region: Text | None = Field(None, description="未写地区的行所属地区")
    period: Period | None = Field(None,
        description="本表的时期：未写时期的行、“本期/上年同期”列都按它理解，也为“1—9月”之类补上年份；"
                    "与表格标题中的时期不一致时报错")
    encoding: str | None = Field(None, description="文件编码（一般无需填写，自动识别 UTF-8/GBK）")
    note: str = Field("", description="数据来源说明")


class MetricCfg(_Model):
    """One metric: an indicator from the data or a formula over other metrics."""

    model_config = ConfigDict(title="一个指标")

    name: str = Field("", description="指标的中文名称（文中显示）")
    indicator: str | None = Field(None, description="数据中的指标名称")
    formula: str | None = Field(None, description="派生指标公式，如 hte_passed / hte_applied * 100")
    unit: str = Field("", description="单位")
    decimals: int | None = Field(None, description="小数位数")
    scale_to: str | None = Field(None, description="显示单位，如数据为万元、显示为亿元")
    region: Text | None = Field(None, description="固定地区：无论在哪个地区引用（包括在公式中），都取这个地区的数")
    period: PeriodText | None = Field(None, description="固定时期：无论本期是哪期（包括在公式中），都取这个时期的数")
    total: str | None = Field(None,
        description="上级地区（如全市）的合计方式：sum 各地区相加（默认，单位为%、‰等比率时除外）｜none 不合计｜"
                    "公式，如 hti / gdp * 100（比率用分子、分母的合计重新计算，绝不把百分数相加）；"
                    "数据中已有上级地区的公布数时采用公布数，与合计不一致时给出警告")
    target: float | str | None = Field(None, description="目标值（数字或另一指标键名）")
    higher_is_better: bool = Field(True, description="数值越大越好（影响排名方向）")
    note: str = Field("", description="口径说明")
    measure: Literal["level", "growth", "ratio", "net"] | None = Field(None,
        description="数值的性质，决定变化的措辞：level 总量（增长/下降…%）｜ratio 比重或比率（提高/降低…个百分点）｜"
                    "growth 本身是增速（增长/下降，增速加快/回落）｜net 净增量（净增/净减，多增/少增）；"
                    "不写则按单位和名称判断（单位为 % 且名称含“增速”为 growth，其他 % 为 ratio，名称含“净增”为 net）")


WHEN_HELP = ("条件（Jinja2 表达式，可用指标、变量和 conditions 中定义的条件名），为假时不输出，"
             "如 rose(hte)、hte.has_prev、growing")
ON_MISSING = Literal["skip", "fallback", "error"]
ON_MISSING_HELP = ("本期数据缺失时：error 报错停止（默认）｜skip 省略本节｜fallback 改为输出 fallback 中的文字")


class ChartSeriesCfg(_Model):
    """One series of a chart: which metric, which field, on which axis."""

    model_config = ConfigDict(title="一个数据系列")

    metric: str = Field(description="指标键名")
    name: str | None = Field(None, description="图例名称")
    kind: Literal["bar", "line"] | None = Field(None, description="bar 柱｜line 线")
    axis: Literal["left", "right"] = Field("left", description="left 左轴｜right 右轴")
    field: Literal["value", "yoy", "prev", "net", "pp", "completion"] = Field("value",
        description="取值：value 数值｜yoy 同比｜prev 上期｜net 净增｜pp 百分点｜completion 完成率")
    region: Text | None = Field(None, description="地区")
    period: PeriodText | None = Field(None, description="时期")
    decimals: int | None = Field(None, description="小数位数")


class ChartCfg(_Model):
    """One chart: type, categories (periods, regions or metrics) and series."""

    model_config = ConfigDict(title="一张图表")

    type: Literal["bar", "line", "bar_line", "hbar_rank", "pie", "donut", "stacked_bar"] = Field(
        description="类型：bar 柱状｜line 折线｜bar_line 柱线双轴｜hbar_rank 横向排名｜"
                    "pie 饼图｜donut 环形图｜stacked_bar 堆积柱状")
    caption: str = Field(description="图题")
    x: Literal["periods", "regions", "metrics"] = Field("periods",
        description="横轴：periods 按时期｜regions 按地区｜metrics 按指标")
    periods: list[PeriodText] | None = Field(None,
        description="时期列表；不写则取本年内截至本期的各期（与本期同类：累计、当月、季度…）")
    regions: list[Text] | None = Field(None,
        description="地区列表；不写则取本地区的下级地区（regions:）或数据中的全部地区")
    series: list[ChartSeriesCfg] = Field(min_length=1, description="数据系列（至少一个）")
    unit: str | None = Field(None, description="左轴单位")
    unit2: str | None = Field(None, description="右轴单位")
    source: str = Field("", description="数据来源")
    labels: bool = Field(True, description="显示数值标签")
    highlight: str | None = Field(None, description="突出显示的类别")
    sort: Literal["asc", "desc"] | None = Field(None, description="排序：asc 升序｜desc 降序")
    target: float | None = Field(None, description="目标线数值")
    height_cm: float = Field(8.0, description="图高（厘米）")
    enabled: bool = Field(True, description="设为 false 则不输出")
    when: str | bool | None = Field(None, description=WHEN_HELP)


ColumnField = Literal["value", "prev", "yoy", "net", "pp", "rank", "yoy_rank"]


class TableColumnCfg(_Model):
    """One indicator of a regions table with the columns it shows."""

    model_config = ConfigDict(title="地区表的一个指标")

    metric: str = Field(description="指标键名")
    show: list[ColumnField] = Field(default_factory=lambda: list[ColumnField](["value"]), min_length=1,
        description="显示的列：value 本期｜prev 上年同期｜yoy 增速｜net 增减量｜pp 增减百分点｜"
                    "rank 按数值排位次｜yoy_rank 按增速排位次")
    name: str | None = Field(None, description="表头名称（默认为指标名称；可用空格标出允许换行的位置）")
    decimals: int | None = Field(None, description="小数位数")


class TableCfg(_Model):
    """One table: metrics × (本期, 上期, 增减) or regions × metrics."""

    model_config = ConfigDict(title="一张表格")

    caption: str = Field(description="表题")
    kind: Literal["metrics", "regions"] = Field("metrics", description="metrics 指标表｜regions 地区×指标表")
    rows: list[Text] = Field(default_factory=list,
        description="行：指标键名（metrics）或地区（regions；不写则为本地区的下级地区或数据中的全部地区）")
    columns: list[Text | TableColumnCfg] = Field(default_factory=list,
        description="列（regions）：指标键名，或 {metric: 键名, show: [value, yoy, rank]}")
    change: Literal["auto", "yoy", "net", "pp", "none"] = Field("auto",
        description="增减列：auto｜yoy 同比｜net 净增｜pp 百分点｜none 不要（regions 表中 auto 即不加，"
                    "写 yoy 等则每个指标后加一列）")
    rank_by: str | None = Field(None, description="按该指标加排名列")
    total: Literal["none", "top", "bottom"] = Field("none",
        description="合计行（regions）：top 放在首行｜bottom 放在末行｜none 不要；取本地区的数（公布数或合计）")
    total_label: str | None = Field(None, description="合计行的名称（默认为本地区名称，如 宜昌市）")
    units: Literal["auto", "header", "line"] = Field("auto",
        description="单位写法：line 表上方一行“单位：亿元、%”｜header 写在表头｜auto 只有一种数值单位时用 line")
    widths: list[float] | None = Field(None, description="各列相对宽度，如 [3, 2, 2]；不写则按内容自动")
    source: str = Field("", description="数据来源")
    enabled: bool = Field(True, description="设为 false 则不输出")
    when: str | bool | None = Field(None, description=WHEN_HELP)


class ContentCfg(_Model):
    """One ordered item of a section: text, a template file, a chart or a table."""

    model_config = ConfigDict(title="一项正文内容")

    when: str | bool | None = Field(None, description=WHEN_HELP)
    text: str | None = Field(None, description="正文模板")
    template: str | None = Field(None, description="正文模板文件")
    chart: ChartCfg | None = Field(None, description="图表")
    table: TableCfg | None = Field(None, description="表格")


class SectionCfg(_Model):
    """One section of the body: heading, text, charts, tables and subsections."""

    model_config = ConfigDict(title="一个章节")

    id: str | None = Field(None, description="章节标识（继承模板时按 id 合并）")
    when: str | bool | None = Field(None, description=WHEN_HELP)
    on_missing: ON_MISSING | None = Field(None, description=ON_MISSING_HELP + "；不写则沿用上级章节或全局设置")
    fallback: str | None = Field(None, description="on_missing: fallback 时代替本节正文的文字（模板）")
    heading: str = Field("", description="标题（编号自动加，可含模板表达式）")
    text: str | None = Field(None, description="正文模板（Jinja2）")
    template: str | None = Field(None, description="正文模板文件（.j2）")
    charts: list[ChartCfg] = Field(default_factory=list, description="图表列表")
    tables: list[TableCfg] = Field(default_factory=list, description="表格列表")
    content: list[ContentCfg] = Field(default_factory=list, description="按顺序排列的正文、图表、表格")
    sections: list["SectionCfg"] = Field(default_factory=list, description="子章节")
    enabled: bool = Field(True, description="设为 false 则整节不输出")


class GradeCfg(_Model):
    """One step of a graded-adjective table: the word for values from `min` up to the step above."""

    model_config = ConfigDict(title="一级分级措辞")

    min: float | None = Field(None, description="下限（含）：增速用 %，比重变化用百分点；最后一级不写，表示其余")
    word: str = Field(min_length=1, description="措辞，如 较快增长")


class PhrasesCfg(_Model):
    """Thresholds and words of the phrase vocabulary a department may set."""

    model_config = ConfigDict(title="措辞设置")

    grades: dict[Literal["growth", "pp"], list[GradeCfg]] = Field(default_factory=dict,
        description="分级形容词（grade 过滤器）：growth 按增速（%），pp 按比重变化（百分点）；"
                    "从高到低排列，取第一条不低于 min 的；不写则用内置分级")
    region_noun: str = Field("县市区", description="地区的统称，如 县市区、乡镇、市州")


class BriefingCfg(_Model):
    """The whole briefing config (after the department template is merged in)."""

    model_config = ConfigDict(title="briefgen 简报配置")

    name: str = Field(description="输出文件名（不含扩展名），如 yichang-2021")
    form: Literal["jianbao", "gongwen", "plain"] = Field("jianbao",
        description="版式：jianbao 简报｜gongwen 公文｜plain 无版头")
    region: Text = Field("", description="本地区：数据中未写地区的行都属于它")
    period: Period = Field(description="本期，如 2021、2022-06、2022年1—9月、2022Q3、2022H1、2022年末")
    previous: Period | None = Field(None, description="上期；不写则为上年同期（同类时期早一年）")
    peers: list[str] = Field(default_factory=list,
        description="参与排名的地区（默认为本地区的下级地区，或数据中除本地区外的全部地区）")
    regions: dict[str, Any] | None = Field(None,
        description="地区树，声明一次：{宜昌市: [夷陵区, 西陵区, …]}；可分组：{宜昌市: {城区: [...], 县市: [...]}}；"
                    "每个上级地区的合计自动计算")
    region_groups: dict[str, list[str]] = Field(default_factory=dict,
        description="另外的地区分组（可与地区树交叉），如 {开发区: [宜昌高新区, 猇亭区]}；同样计算合计")
    meta: MetaCfg = Field(description="报头、标题、报尾等文面信息")
    data: list[SourceCfg] = Field(default_factory=list,
        description="数据源列表：CSV、XLSX、YAML/JSON 文件或 SQLite 查询")
    metrics: dict[str, MetricCfg] = Field(default_factory=dict,
        description="指标目录：键名在模板中引用；值可简写为数据中的指标名")
    intro: str | None = Field(None, description="正文开头的一段文字（模板）")
    sections: list[SectionCfg] = Field(default_factory=list, description="章节列表，层级自动编号 一、（一）1.（1）")
    variables: dict[str, Any] = Field(default_factory=dict,  # free values for templates
        description="模板中可用的自定义变量")
    conditions: dict[str, str | bool] = Field(default_factory=dict,
        description="具名条件（Jinja2 表达式），只写一次，在 when: 和模板中按名称使用，如 growing: rose(hte)")
    on_missing: ON_MISSING = Field("error", description=ON_MISSING_HELP + "（各章节的默认值）")
    phrases: PhrasesCfg = Field(default_factory=PhrasesCfg, description="措辞设置：分级形容词的阈值等")
    style: StyleSheet = Field(default_factory=StyleSheet, description="版式样式表覆盖（字号、行距、颜色等）")
    fonts: dict[str, str] = Field(default_factory=dict,  # role → font file or family
        description="字体角色 → 字体文件或字体名")
    template: str | None = Field(None, description="继承的部门模板名称")
    audit: bool = Field(False, description="同时生成数据核对工作簿 <name>.audit.xlsx：文中每个数字的数值、"
                                           "算法和来源单元格（同 briefgen build --audit）")

    @field_validator("regions")
    @classmethod
    def _region_tree(cls, v: Any) -> Any:
        try:
            RegionTree(v)
        except BriefgenError as e:
            raise PydanticCustomError("regions", "{m}", {"m": e.render()}) from None
        return v

    @field_validator("metrics", mode="before")
    @classmethod
    def _metric_shorthand(cls, v: Any) -> Any:
        # `key: 指标名称` is short for `key: {indicator: 指标名称}`.
        if isinstance(v, dict):
            return {k: ({"indicator": str(x)} if isinstance(x, (str, int)) else x) for k, x in v.items()}
        return v


class Config:
    """A loaded config with the folder its relative paths start from."""

    def __init__(self, model: BriefingCfg, path: Path, applied: Any = None, root: Any = None):
        self.model = model
        self.path = path
        self.base = path.parent
        self.root = root  # the config file's YAML node tree: positions for later messages
        # From the department template (templates.Applied): narrative search
        # folders, the Word letterhead, and the template itself.
        self.narrative_dirs: list[Path] = list(getattr(applied, "narrative_dirs", []) or [])
        self.reference_docx: Path | None = getattr(applied, "reference_docx", None)
        self.template = getattr(applied, "template", None)
        self.regions = RegionTree(model.regions, model.region_groups, where=f"{path}：regions")
        # Where files pulled in by templates may lie (templates.Confinement; None: the search folders).
        self.confinement = getattr(applied, "confinement", None)
        # `--set key=value` options by key: a problem with such a value points at the option.
        self.overrides: dict[str, str] = {}

    def resolve(self, rel: str) -> Path:
        """A path written in the config, relative to the config's folder."""
        p = Path(rel)
        return p if p.is_absolute() else (self.base / p)


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
        node[parts[-1]] = yaml_value(value) if value.strip() else ""
    return raw


def load_config(path: str | Path, overrides: list[str] | None = None,
                template_roots: list[Path] | None = None, allow_paths: Iterable[Path] = ()) -> Config:
    """Read a config, apply `--set` overrides and its department template, and validate it.

    Every problem is reported at once with file, line, column and key
    (:class:`~briefgen.yamlpos.ConfigProblems`). Files the templates pull in must lie
    inside the template roots or `allow_paths` (:class:`~briefgen.templates.Confinement`).
    """
    path = Path(path)
    doc = load_yaml_doc(path)
    raw = doc.data
    if raw is None:
        raise BriefgenError("配置文件为空", where=str(path))
    if not isinstance(raw, dict):
        raise BriefgenError("配置文件的顶层应为映射（键: 值）", where=str(path))
    raw = apply_overrides(raw, overrides or [])
    applied = apply_template(raw, path, template_roots, allow_paths)
    raw = applied.raw
    if isinstance(raw.get("style"), dict) or raw.get("style") is None:
        # The sheet is checked whole; only the keys a template or the config names are theirs.
        raw["style"] = deep_merge(DEFAULT_STYLE, raw.get("style") or {})
    # Every problem at once, each with line and column from the YAML node tree.
    problems = list(doc.duplicates)
    try:
        model = BriefingCfg.model_validate(raw)
    except ValidationError as e:
        problems += yamlpos.problems_from_errors(list(e.errors()), path, doc.root, raw, BriefingCfg)
    if problems:
        raise yamlpos.ConfigProblems([_at_override(p, overrides or []) for p in problems]) from None
    cfg = Config(model, path, applied, doc.root)
    cfg.overrides = {item.split("=", 1)[0].strip(): item for item in overrides or []}
    return cfg


def _at_override(problem: yamlpos.Problem, overrides: list[str]) -> yamlpos.Problem:
    """A problem with a value given by `--set key=value` points at that option, not at the file's line."""
    for item in reversed(overrides):  # the last --set of a key is the one that counts
        key = item.split("=", 1)[0].strip()
        if problem.key == key or problem.key.startswith((key + ".", key + "[")):
            return yamlpos.Problem(f"--set {item}", None, None, problem.key, problem.message, problem.hint)
    return problem
