"""`briefgen validate` and `briefgen schema`.

`validate` checks everything a build would touch — config, data, metrics,
templates, charts, fonts — reporting every problem it can find at once, and
writes nothing. `schema` prints the config's JSON Schema for editors.
"""

from __future__ import annotations

import copy
import json
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import click

from briefgen.errors import BriefgenError


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what passed, for the summary

    @property
    def ok(self) -> bool:
        return not self.errors


# --- helpers -------------------------------------------------------------------

def _pos(cfg: Any, source: str | None, loc: tuple) -> str:
    """`file:line:col：key.path` for a config location (line only if the key is in the file)."""
    from briefgen import yamlpos

    key = yamlpos.format_loc(loc)
    if source is not None:
        # The key itself, else the closest parent written in the file (templates add keys).
        for n in range(len(loc), 0, -1):
            line, col, _style = yamlpos.value_mark(source, loc[:n])
            if line is not None:
                return f"{cfg.path}:{line}:{col}：{key}"
    return f"{cfg.path}：{key}"


def _err(e: BriefgenError) -> str:
    return e.render()


def _walk_sections(sections: list[Any], loc: tuple) -> Iterator[tuple[tuple, Any]]:
    for i, s in enumerate(sections):
        here = loc + (i,)
        yield here, s
        yield from _walk_sections(s.sections, here + ("sections",))


def _closest(name: str, candidates: list[str]) -> str | None:
    from briefgen.yamlpos import suggest

    close = suggest(name, candidates, cutoff=0.4)
    return f"是否想用：{'、'.join(close)}" if close else None


# --- the checks ----------------------------------------------------------------

def _check_data(cfg: Any, report: Report) -> Any:
    """Each source on its own (so every broken file is named), then all together."""
    from briefgen.data import load_dataset

    ok = True
    for i, src in enumerate(cfg.model.data):
        sub = copy.copy(cfg)
        sub.model = cfg.model.model_copy(update={"data": [src]})
        try:
            load_dataset(sub)
        except BriefgenError as e:
            # The copy holds this one source as data[0]: give the message its real index back.
            if e.where:
                e.where = e.where.replace("：data[0]", f"：data[{i}]")
            report.errors.append(_err(e))
            ok = False
    if not ok:
        return None
    try:
        ds = load_dataset(cfg)
    except BriefgenError as e:
        report.errors.append(_err(e))
        return None
    report.checked.append(f"数据（{len(cfg.model.data)}个数据源，{len(ds.obs)}个数值）")
    return ds


def _check_metrics(cfg: Any, source: str | None, ds: Any, report: Report) -> bool:
    from briefgen.narrative import compile_formula

    m = cfg.model
    names = list(m.metrics) + list(ds.indicators)
    ok = True
    for key, mc in m.metrics.items():
        where = _pos(cfg, source, ("metrics", key))
        if mc.formula:
            fwhere = _pos(cfg, source, ("metrics", key, "formula"))
            try:
                f = compile_formula(mc.formula, fwhere)
            except BriefgenError as e:
                report.errors.append(_err(e))
                ok = False
                continue
            for n in f.names:
                if n not in names:
                    report.errors.append(BriefgenError(
                        f"公式引用了未定义的指标“{n}”", where=fwhere,
                        hint=_closest(n, names)).render())
                    ok = False
        else:
            ind = mc.indicator or mc.name or key
            if ind not in ds.indicators:
                report.errors.append(BriefgenError(
                    f"指标“{ind}”在数据中不存在", where=where, hint=_closest(ind, list(ds.indicators))).render())
                ok = False
    if ok:
        report.checked.append(f"指标（{len(m.metrics)}个）")
    return ok


def _metric_refs(m: Any) -> Iterator[tuple[tuple, str]]:
    """Every place the config names a metric outside templates: (location, name)."""
    for loc, sec in _walk_sections(m.sections, ("sections",)):
        charts = [(loc + ("charts", j), c) for j, c in enumerate(sec.charts)]
        tables = [(loc + ("tables", j), t) for j, t in enumerate(sec.tables)]
        for j, item in enumerate(sec.content):
            if item.chart is not None:
                charts.append((loc + ("content", j, "chart"), item.chart))
            if item.table is not None:
                tables.append((loc + ("content", j, "table"), item.table))
        for cl, c in charts:
            for k, s in enumerate(c.series):
                yield cl + ("series", k, "metric"), s.metric
        for tl, t in tables:
            if t.kind == "metrics":
                for k, r in enumerate(t.rows):
                    yield tl + ("rows", k), r
            else:
                for k, r in enumerate(t.columns):
                    yield tl + ("columns", k), r
            if t.rank_by:
                yield tl + ("rank_by",), t.rank_by


def _check_refs(cfg: Any, source: str | None, ds: Any, report: Report) -> None:
    names = list(cfg.model.metrics) + list(ds.indicators)
    for loc, name in _metric_refs(cfg.model):
        if name not in names:
            report.errors.append(BriefgenError(
                f"未定义的指标“{name}”", where=_pos(cfg, source, loc),
                hint=_closest(name, list(cfg.model.metrics) or names)).render())


def _template_texts(m: Any) -> Iterator[tuple[tuple, str | None, str | None]]:
    """(location, inline text, template file) of everything rendered as a template."""
    yield ("meta", "title"), m.meta.title, None
    if m.meta.subtitle:
        yield ("meta", "subtitle"), m.meta.subtitle, None
    if m.intro:
        yield ("intro",), m.intro, None
    for loc, sec in _walk_sections(m.sections, ("sections",)):
        if sec.heading:
            yield loc + ("heading",), sec.heading, None
        if sec.text:
            yield loc + ("text",), sec.text, None
        if sec.template:
            yield loc + ("template",), None, sec.template
        for j, item in enumerate(sec.content):
            if item.text:
                yield loc + ("content", j, "text"), item.text, None
            if item.template:
                yield loc + ("content", j, "template"), None, item.template
        for j, c in enumerate(sec.charts):
            yield loc + ("charts", j, "caption"), c.caption, None
        for j, t in enumerate(sec.tables):
            yield loc + ("tables", j, "caption"), t.caption, None


def _name_line(ast: Any, name: str) -> int | None:
    from jinja2 import nodes

    for n in ast.find_all(nodes.Name):
        if n.name == name and n.ctx == "load":
            return n.lineno
    return None


def _declared(ast: Any, env: Any, depth: int = 0) -> set[str]:
    """Names a template (and the templates it extends) imports, sets or defines as macros.

    Jinja's static analysis reports names imported at the top of a child template
    as undeclared inside its blocks, though they resolve when rendered.
    """
    from jinja2 import nodes

    out: set[str] = set()
    for n in ast.find_all(nodes.FromImport):
        out.update(x[1] if isinstance(x, tuple) else x for x in n.names)
    for n in ast.find_all(nodes.Import):
        out.add(n.target)
    for n in ast.find_all(nodes.Macro):
        out.add(n.name)
    for n in ast.find_all(nodes.Name):
        if n.ctx == "store":
            out.add(n.name)
    if depth < 10:
        for n in ast.find_all(nodes.Extends):
            if isinstance(n.template, nodes.Const):
                try:
                    src, _f, _u = env.loader.get_source(env, n.template.value)
                    out |= _declared(env.parse(src), env, depth + 1)
                except Exception:  # noqa: BLE001 - the build reports a broken parent itself
                    pass
    return out


def _check_templates(cfg: Any, source: str | None, env: Any, known: set[str], report: Report) -> None:
    """Syntax and undefined names of every inline template and template file, with lines."""
    import jinja2
    from jinja2 import meta as jmeta

    from briefgen import yamlpos
    from briefgen.narrative import syntax_message_zh

    count, before = 0, len(report.errors)
    for loc, text, file in _template_texts(cfg.model):
        count += 1
        key = yamlpos.format_loc(loc)
        if file is not None:
            try:
                src, filename, _ = env.loader.get_source(env, file)
            except jinja2.TemplateNotFound:
                report.errors.append(BriefgenError(
                    f"找不到模板文件“{file}”", where=_pos(cfg, source, loc)).render())
                continue
            label, offset = filename, 0
        else:
            if "{" not in (text or ""):
                continue
            src = text or ""
            # A `|` block starts on the line after the key; a plain scalar on the key's line.
            line, _col, style = yamlpos.value_mark(source, loc) if source is not None else (None, None, None)
            if line is not None:
                label, offset = str(cfg.path), line - (0 if style in ("|", ">") else 1)
            else:
                label, offset = f"{cfg.path}：{key}", 0
        # `file:line：key` for inline templates, `template.j2:line` for files.
        tail = f"：{key}" if file is None and label == str(cfg.path) else ""
        try:
            ast = env.parse(src)
        except jinja2.TemplateSyntaxError as e:
            report.errors.append(BriefgenError(
                f"模板语法错误：{syntax_message_zh(e.message)}", where=f"{label}:{(e.lineno or 1) + offset}{tail}").render())
            continue
        for name in sorted(jmeta.find_undeclared_variables(ast) - known - _declared(ast, env)):
            ln = _name_line(ast, name) or 1
            report.errors.append(BriefgenError(
                f"模板引用了未定义的名称“{name}”", where=f"{label}:{ln + offset}{tail}",
                hint=_closest(name, sorted(k for k in known if not k.startswith("_")))).render())
    if len(report.errors) == before:
        report.checked.append(f"模板（{count}处）")


def _check_fonts(cfg: Any, report: Report) -> Any:
    from briefgen import fonts as fontmod

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chains = fontmod.resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
        except BriefgenError as e:
            report.errors.append(_err(e))
            return None
    for w in caught:
        report.warnings.append(str(w.message))
    report.checked.append("字体")
    return chains


def _missing_glyphs(doc: Any, chains: dict[str, Any]) -> str:
    chain = chains.get("body")
    if chain is None:
        return ""
    text = doc.meta.title + doc.text()
    missing = sorted({ch for ch in text if not ch.isspace() and not any(f.has_char(ch) for f in chain.faces)})
    return "".join(missing)


# Names the builder puts into every template's context besides metrics and variables.
_CONTEXT_NAMES = {"region", "period", "prev_period", "meta", "var", "metric", "ranking", "peers"}


def validate(config: str | Path, overrides: list[str] | None = None,
             extra_templates: list[Path] | None = None) -> Report:
    """Run every check; never writes a file."""
    from briefgen import yamlpos
    from briefgen.config import load_config, read_text

    report = Report()
    try:
        cfg = load_config(config, overrides, extra_templates)
    except yamlpos.ConfigProblems as e:
        report.errors += [p.render() for p in e.problems]
        return report
    except BriefgenError as e:
        report.errors.append(_err(e))
        return report
    report.checked.append("配置")
    try:
        source: str | None = read_text(cfg.path)
    except BriefgenError:
        source = None
    m = cfg.model

    chains = _check_fonts(cfg, report)
    ds = _check_data(cfg, report)
    if ds is None:
        return report
    from briefgen.checks import magnitude_warnings

    report.warnings += magnitude_warnings(ds, aggregate_region=m.region)
    metrics_ok = _check_metrics(cfg, source, ds, report)
    _check_refs(cfg, source, ds, report)

    from briefgen.builder import Builder
    from briefgen.metrics import MetricBook
    from briefgen.narrative import make_env
    from briefgen.pipeline import template_dirs

    builder = None
    if metrics_ok:
        try:
            book = MetricBook(ds, m.metrics, region=m.region, period=m.period, previous=m.previous,
                              label=str(cfg.path), peers=m.peers)
            builder = Builder(cfg, book, template_dirs=template_dirs(cfg), chart_dir=Path("."),
                              render_chart=None)
        except BriefgenError as e:
            report.errors.append(_err(e))
    if builder is not None:
        env, known = builder.env, set(builder.context)
    else:
        # Templates are still checked; the names are those the builder would provide.
        env = make_env(template_dirs(cfg))
        known = set(m.metrics) | set(m.variables) | _CONTEXT_NAMES
    _check_templates(cfg, source, env, known | set(env.globals), report)
    if report.errors or builder is None:
        return report

    # A dry run catches what only shows with real numbers: a growth with no previous
    # period, a chart whose series are all empty, a template that never ends…
    # Charts are specified and checked but not drawn (render_chart=None): nothing is written.
    try:
        doc = builder.build()
    except BriefgenError as e:
        report.errors.append(_err(e))
        return report
    figures = sum(1 for b in doc.blocks if type(b).__name__ == "Figure")
    report.checked.append(f"图表（{figures}张）")
    report.warnings += [w for w in doc.warnings if w not in report.warnings]
    if chains:
        missing = _missing_glyphs(doc, chains)
        if missing:
            report.warnings.append(
                f"以下字符没有可用字体，PDF 中将显示为方框：{missing}（可在配置 fonts: 中为 body 指定含这些字的字体）")
    return report


# --- JSON Schema ----------------------------------------------------------------

# Chinese titles for the config's models and keys: what an editor shows on hover.
DESCRIPTIONS: dict[str, dict[str, str]] = {
    "BriefingCfg": {
        "": "briefgen 简报配置",
        "name": "输出文件名（不含扩展名），如 yichang-2021",
        "form": "版式：jianbao 简报｜gongwen 公文｜plain 无版头",
        "region": "本地区：数据中未写地区的行都属于它",
        "period": "本期，如 2021、2022-06、2021Q1",
        "previous": "上期；不写则按本期推算上年同期",
        "peers": "参与排名的地区（默认为数据中的全部地区）",
        "meta": "报头、标题、报尾等文面信息",
        "data": "数据源列表：CSV、XLSX、YAML/JSON 文件或 SQLite 查询",
        "metrics": "指标目录：键名在模板中引用；值可简写为数据中的指标名",
        "intro": "正文开头的一段文字（模板）",
        "sections": "章节列表，层级自动编号 一、（一）1.（1）",
        "variables": "模板中可用的自定义变量",
        "style": "版式样式表覆盖（字号、行距、颜色等）",
        "fonts": "字体角色 → 字体文件或字体名",
        "template": "继承的部门模板名称",
    },
    "MetaCfg": {
        "": "文面信息",
        "title": "标题（可含模板表达式）",
        "subtitle": "副标题",
        "organ": "编发单位／发文机关",
        "masthead": "报头文字，如 科技工作简报",
        "date": "成文／编发日期，如 2022-02-10",
        "issue": "期号：第X期",
        "total_issue": "总期号：总第X期",
        "doc_no": "发文字号，如 宜科发〔2022〕3号",
        "signer": "签发人（上行文）",
        "classification": "密级",
        "urgency": "紧急程度",
        "recipients": "主送机关",
        "signature": "署名（默认同编发单位）",
        "postscript": "附注",
        "attachments": "附件名称列表",
        "print_organ": "印发机关",
        "print_date": "印发日期",
        "distribution": "报、送、发、抄送与印数",
    },
    "DistributionCfg": {"": "分送范围", "报": "报：上级机关", "送": "送：平级单位", "发": "发：下级单位",
                        "抄送": "抄送机关", "印数": "共印份数"},
    "SourceCfg": {
        "": "一个数据源",
        "file": "本地数据文件（相对配置文件）：.csv .xlsx .yaml .json；不能是网址",
        "sql": "SQLite 查询语句（只读）",
        "database": "SQLite 数据库文件",
        "layout": "表格结构：auto 自动｜long 长表｜wide-periods 指标×时期｜wide-regions 地区×指标",
        "sheet": "Excel 工作表名称",
        "region": "未写地区的行所属地区",
        "period": "未写时期的行所属时期（地区×指标宽表）",
        "encoding": "文件编码（一般无需填写，自动识别 UTF-8/GBK）",
        "note": "数据来源说明",
    },
    "MetricCfg": {
        "": "一个指标",
        "name": "指标的中文名称（文中显示）",
        "indicator": "数据中的指标名称",
        "formula": "派生指标公式，如 hte_passed / hte_applied * 100",
        "unit": "单位",
        "decimals": "小数位数",
        "scale_to": "显示单位，如数据为万元、显示为亿元",
        "region": "固定地区",
        "target": "目标值（数字或另一指标键名）",
        "higher_is_better": "数值越大越好（影响排名方向）",
        "note": "口径说明",
    },
    "SectionCfg": {
        "": "一个章节",
        "id": "章节标识（继承模板时按 id 合并）",
        "heading": "标题（编号自动加）",
        "text": "正文模板（Jinja2）",
        "template": "正文模板文件（.j2）",
        "charts": "图表列表",
        "tables": "表格列表",
        "content": "按顺序排列的正文、图表、表格",
        "sections": "子章节",
        "enabled": "设为 false 则整节不输出",
    },
    "ContentCfg": {"": "一项正文内容", "text": "正文模板", "template": "正文模板文件", "chart": "图表",
                   "table": "表格"},
    "ChartCfg": {
        "": "一张图表",
        "type": "类型：bar 柱状｜line 折线｜bar_line 柱线双轴｜hbar_rank 横向排名｜pie 饼图｜donut 环形图｜stacked_bar 堆积柱状",
        "caption": "图题",
        "x": "横轴：periods 按时期｜regions 按地区｜metrics 按指标",
        "periods": "时期列表",
        "regions": "地区列表",
        "series": "数据系列（至少一个）",
        "unit": "左轴单位",
        "unit2": "右轴单位",
        "source": "数据来源",
        "labels": "显示数值标签",
        "highlight": "突出显示的类别",
        "sort": "排序：asc 升序｜desc 降序",
        "target": "目标线数值",
        "height_cm": "图高（厘米）",
        "enabled": "设为 false 则不输出",
    },
    "ChartSeriesCfg": {
        "": "一个数据系列",
        "metric": "指标键名",
        "name": "图例名称",
        "kind": "bar 柱｜line 线",
        "axis": "left 左轴｜right 右轴",
        "field": "取值：value 数值｜yoy 同比｜prev 上期｜net 净增｜pp 百分点｜completion 完成率",
        "region": "地区",
        "period": "时期",
        "decimals": "小数位数",
    },
    "TableCfg": {
        "": "一张表格",
        "caption": "表题",
        "kind": "metrics 指标表｜regions 地区×指标表",
        "rows": "行：指标键名（metrics）或地区（regions）",
        "columns": "列：指标键名（regions）",
        "change": "增减列：auto｜yoy 同比｜net 净增｜pp 百分点｜none 不要",
        "rank_by": "按该指标加排名列",
        "source": "数据来源",
        "enabled": "设为 false 则不输出",
    },
}

# Keys a `mode="before"` validator turns into text: YAML `period: 2021` is a number.
_NUMBER_OK = {
    "BriefingCfg": ("period", "previous", "region"),
    "SourceCfg": ("period", "region"),
    "ChartCfg": ("periods", "regions"),
    "TableCfg": ("rows", "columns"),
}


def _loosen(node: Any) -> Any:
    """Let every plain string in `node` also be a number."""
    if isinstance(node, dict):
        if node.get("type") == "string" and set(node) <= {"type", "title", "description", "default"}:
            return {**node, "type": ["string", "number"]}
        return {k: _loosen(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_loosen(v) for v in node]
    return node


def config_schema() -> dict[str, Any]:
    """The config's JSON Schema (draft 2020-12) with Chinese descriptions."""
    from briefgen.config import BriefingCfg

    schema = BriefingCfg.model_json_schema(by_alias=True)
    defs = schema.setdefault("$defs", {})
    models = {**defs, "BriefingCfg": schema}
    for model_name, texts in DESCRIPTIONS.items():
        node = models.get(model_name)
        if node is None:
            continue
        if "" in texts:
            node["title"] = texts[""]
        for key, text in texts.items():
            if key and key in node.get("properties", {}):
                prop = node["properties"][key]
                prop["description"] = text
                prop.pop("title", None)  # pydantic's English "Caption" would hide the Chinese
        for key in _NUMBER_OK.get(model_name, ()):
            if key in node.get("properties", {}):
                node["properties"][key] = _loosen(node["properties"][key])
    # A department template may supply `meta`, `title`…: editors check keys and types only,
    # `briefgen validate` checks what is required after the template is applied.
    for node in models.values():
        node.pop("required", None)
    metrics = schema.get("properties", {}).get("metrics")
    if metrics and "additionalProperties" in metrics:
        # `key: 指标名` is short for `key: {indicator: 指标名}`.
        metrics["additionalProperties"] = {"anyOf": [metrics["additionalProperties"], {"type": "string"}]}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# --- commands ------------------------------------------------------------------

def _fail(e: BaseException, debug: bool) -> None:
    from briefgen.cli import _fail as fail

    fail(e, debug)


@click.command("validate")
@click.argument("config", type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help="覆盖配置项，如 --set period=2022")
@click.option("--templates", "templates", multiple=True, type=click.Path(path_type=Path),
              help="额外的模板目录")
@click.option("--strict", is_flag=True, help="有警告也以非零状态退出（适合持续集成）")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈")
def validate_cmd(config: Path, overrides: tuple[str, ...], templates: tuple[Path, ...], strict: bool,
                 debug: bool) -> None:
    """检查配置 CONFIG 及其数据、指标、模板、图表和字体，不生成任何文件。"""
    try:
        report = validate(config, list(overrides), list(templates))
    except (BriefgenError, Exception) as e:  # noqa: BLE001
        _fail(e, debug)
        return
    for item in report.checked:
        click.echo(f"✓ {item}")
    for w in report.warnings:
        click.secho(f"警告：{w}", fg="yellow", err=True)
    for e in report.errors:
        click.secho(f"错误：{e}", fg="red", err=True)
    if report.errors:
        click.echo(f"检查未通过：共{len(report.errors)}处错误。", err=True)
        sys.exit(1)
    if strict and report.warnings:
        click.echo(f"检查未通过（--strict）：共{len(report.warnings)}条警告。", err=True)
        sys.exit(1)
    click.echo(f"检查通过：{config}" + (f"（{len(report.warnings)}条警告）" if report.warnings else ""))


@click.command("schema")
@click.option("--out", "out", type=click.Path(path_type=Path), help="写入文件（UTF-8），不写则输出到屏幕")
def schema_cmd(out: Path | None) -> None:
    """输出配置文件的 JSON Schema，供编辑器（如 VS Code 的 YAML 插件）补全和检查键名。"""
    text = json.dumps(config_schema(), ensure_ascii=False, indent=2) + "\n"
    if out is None:
        click.echo(text, nl=False)
        return
    import os

    from briefgen.safety import make_shareable

    if out.is_dir():
        click.secho(f"错误：{out}：这是一个文件夹，请给出要写入的文件名，如 {out / 'briefgen.schema.json'}",
                    fg="red", err=True)
        sys.exit(1)
    # Same rule as documents: never a half-written file.
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        make_shareable(tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    click.echo(f"已生成 {out}")
