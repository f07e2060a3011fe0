"""Checks without writing: everything a build would touch — config, data, metrics,
templates, charts, fonts — every problem found at once, each with file, line and key.

The dry run at the end is the real build (:func:`briefgen.pipeline.make_builder`)
with charts specified but not drawn.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import jinja2
from jinja2 import meta as jmeta
from jinja2 import nodes

from briefgen import yamlpos
from briefgen.builder import CONTEXT_NAMES
from briefgen.checks import magnitude_warnings
from briefgen.config import load_config
from briefgen.data import load_dataset
from briefgen.errors import BriefgenError
from briefgen.fonts import resolve_fonts
from briefgen.formula import compile_formula
from briefgen.lint import lint_ast, placeholder_warnings
from briefgen.metrics import MetricValue
from briefgen.model import Figure
from briefgen.narrative import make_env
from briefgen.pipeline import make_builder, template_dirs
from briefgen.safety import check_document_text
from briefgen.sandbox import syntax_message_zh, unknown_names


@dataclass
class Report:
    """What `validate` found: errors, warnings, and what passed."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # what passed, for the summary
    # What the data sheets left out and why, and comparisons left out for want of a previous
    # period: normal, but worth knowing.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# --- helpers -------------------------------------------------------------------

def _pos(cfg: Any, root: Any, loc: tuple) -> str:
    """`file:line:col：key.path` for a config location (line only if the key is in the file)."""
    key = yamlpos.format_loc(loc)
    if root is not None:
        # The key itself, else the closest parent written in the file (templates add keys).
        for n in range(len(loc), 0, -1):
            line, col, _style = yamlpos.value_mark(root, loc[:n])
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
    close = yamlpos.suggest(name, candidates, cutoff=0.4)
    return f"是否想用：{'、'.join(close)}" if close else None


# --- the checks ----------------------------------------------------------------

def _check_data(cfg: Any, report: Report) -> Any:
    """Each source on its own (so every broken file is named), then all together."""
    ok = True
    for i, src in enumerate(cfg.model.data):
        sub = copy.copy(cfg)
        sub.model = cfg.model.model_copy(update={"data": [src]})
        try:
            load_dataset(sub)
        except BriefgenError as e:
            # The copy holds this one source as data[0]: give the message its real index back.
            if e.where:
                e = e.at(e.where.replace("：data[0]", f"：data[{i}]"))
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
    report.notes += [f"已忽略 {x}" for x in ds.ignored]
    report.warnings += ds.warnings
    _check_region_tree(cfg, ds, report)
    return ds


def _check_region_tree(cfg: Any, ds: Any, report: Report) -> None:
    """The declared region tree against the regions the data name."""
    tree = cfg.regions
    if not tree:
        return
    declared = set(tree.names)
    data_regions = [r for r in ds.regions() if r]
    where = f"{cfg.path}：regions"
    for r in data_regions:
        if r not in declared and r != cfg.model.region:
            close = yamlpos.suggest(r, sorted(declared), cutoff=0.6)
            report.warnings.append(f"{where}：数据中的地区“{r}”不在地区树中，不参与合计"
                                   + (f"（是否与“{close[0]}”是同一地区？请统一写法）" if close else ""))
    for r in tree.names:
        if not tree.is_parent(r) and r not in data_regions:
            report.warnings.append(f"{where}：地区树中的“{r}”在数据中没有任何数（上级地区无法合计）")


def _check_metrics(cfg: Any, root: Any, ds: Any, report: Report) -> bool:
    m = cfg.model
    names = list(m.metrics) + list(ds.indicators)
    ok = True
    for key, mc in m.metrics.items():
        where = _pos(cfg, root, ("metrics", key))
        formulas = [("formula", mc.formula)] if mc.formula else []
        if mc.total and mc.total.strip() not in ("sum", "none"):
            formulas.append(("total", mc.total))
        for part, text in formulas:
            fwhere = _pos(cfg, root, ("metrics", key, part))
            try:
                f = compile_formula(text, fwhere)
            except BriefgenError as e:
                report.errors.append(_err(e))
                ok = False
                continue
            for n in f.metrics:
                if n not in names:
                    report.errors.append(BriefgenError(
                        f"公式引用了未定义的指标“{n}”", where=fwhere,
                        hint=_closest(n, names)).render())
                    ok = False
        if not mc.formula:
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
                    if isinstance(r, str):
                        yield tl + ("columns", k), r
                    else:
                        yield tl + ("columns", k, "metric"), r.metric
            if t.rank_by:
                yield tl + ("rank_by",), t.rank_by


def _check_refs(cfg: Any, root: Any, ds: Any, report: Report) -> None:
    names = list(cfg.model.metrics) + list(ds.indicators)
    for loc, name in _metric_refs(cfg.model):
        if name not in names:
            report.errors.append(BriefgenError(
                f"未定义的指标“{name}”", where=_pos(cfg, root, loc),
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

    for n in ast.find_all(nodes.Name):
        if n.name == name and n.ctx == "load":
            return n.lineno
    return None


def _declared(ast: Any, env: Any, depth: int = 0) -> set[str]:
    """Names a template (and the templates it extends) imports, sets or defines as macros.

    Jinja's static analysis reports names imported at the top of a child template
    as undeclared inside its blocks, though they resolve when rendered.
    """

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


def _lint_related(ast: Any, env: Any, kinds: dict[str, str], seen: set[str], report: Report, depth: int = 0) -> None:
    """Lint the templates `ast` extends, imports or includes (base/overview.j2, base/macros.j2…), once each."""
    if depth > 10:
        return
    for n in ast.find_all((nodes.Extends, nodes.Import, nodes.FromImport, nodes.Include)):
        if not isinstance(n.template, nodes.Const) or not isinstance(n.template.value, str):
            continue
        try:
            src, filename, _u = env.loader.get_source(env, n.template.value)
            sub = env.parse(src)
        except Exception:  # noqa: BLE001 - a missing or broken file is reported where it is used
            continue
        if filename in seen:
            continue
        seen.add(filename)
        report.warnings += [f.render(filename) for f in lint_ast(sub, kinds)]
        _lint_related(sub, env, kinds, seen, report, depth + 1)


def _check_templates(cfg: Any, root: Any, env: Any, known: set[str], report: Report,
                     kinds: dict[str, str] | None = None) -> None:
    """Syntax and undefined names of every inline template and template file, with lines; and the
    wording linter (:mod:`briefgen.lint`) on each, as warnings."""

    count, before = 0, len(report.errors)
    kinds = kinds or {}
    linted: set[str] = set()
    for loc, text, file in _template_texts(cfg.model):
        count += 1
        key = yamlpos.format_loc(loc)
        if file is not None:
            try:
                src, filename, _ = env.loader.get_source(env, file)
            except jinja2.TemplateNotFound:
                report.errors.append(BriefgenError(
                    f"找不到模板文件“{file}”", where=_pos(cfg, root, loc)).render())
                continue
            except BriefgenError as e:  # a file outside the template roots
                report.errors.append(e.at(_pos(cfg, root, loc)).render())
                continue
            label, offset = filename, 0
        else:
            # Plain text is linted too: a heading such as 高新技术产业增势强劲 is a fixed verdict.
            src = text or ""
            # A `|` block starts on the line after the key; a plain scalar on the key's line.
            line, _col, style = yamlpos.value_mark(root, loc) if root is not None else (None, None, None)
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
                f"模板语法错误：{syntax_message_zh(e.message)}",
                where=f"{label}:{(e.lineno or 1) + offset}{tail}").render())
            continue
        unknown = unknown_names(ast, env)
        for msg, ln in unknown:
            report.errors.append(BriefgenError(msg, where=f"{label}:{ln + offset}{tail}").render())
        if unknown:
            continue  # Jinja's own analysis compiles the template and would stop at the first one
        for name in sorted(jmeta.find_undeclared_variables(ast) - known - _declared(ast, env)):
            ln = _name_line(ast, name) or 1
            report.errors.append(BriefgenError(
                f"模板引用了未定义的名称“{name}”", where=f"{label}:{ln + offset}{tail}",
                hint=_closest(name, sorted(k for k in known if not k.startswith("_")))).render())
        if file is None or label not in linted:
            linted.add(label)
            report.warnings += [f.render(label, offset, tail) for f in lint_ast(ast, kinds)]
        _lint_related(ast, env, kinds, linted, report)
    if len(report.errors) == before:
        report.checked.append(f"模板（{count}处）")


def _check_fonts(cfg: Any, report: Report) -> Any:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
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
    # Each distinct character once (a briefing repeats a few hundred characters thousands of times).
    missing = sorted(ch for ch in set(text) if not ch.isspace() and not any(f.has_char(ch) for f in chain.faces))
    return "".join(missing)


def validate(config: str | Path, overrides: list[str] | None = None,
             extra_templates: list[Path] | None = None, allow_paths: Iterable[Path] = ()) -> Report:
    """Run every check on a config; never writes a file."""
    report = Report()
    try:
        cfg = load_config(config, overrides, extra_templates, allow_paths)
    except yamlpos.ConfigProblems as e:
        report.errors += [p.render() for p in e.problems]
        return report
    except BriefgenError as e:
        report.errors.append(_err(e))
        return report
    report.checked.append("配置")
    root = cfg.root
    m = cfg.model
    report.warnings += placeholder_warnings(cfg)

    chains = _check_fonts(cfg, report)
    ds = _check_data(cfg, report)
    if ds is None:
        return report
    report.warnings += magnitude_warnings(ds, aggregate_region=m.region)
    metrics_ok = _check_metrics(cfg, root, ds, report)
    _check_refs(cfg, root, ds, report)

    builder = None
    if metrics_ok:
        try:
            builder = make_builder(cfg, None, chains, ds)
        except BriefgenError as e:
            report.errors.append(_err(e))
    kinds: dict[str, str] = {}
    if builder is not None:
        env, known = builder.env, set(builder.context)
        kinds = {k: v.kind for k, v in builder.context.items() if isinstance(v, MetricValue)}
    else:
        # Templates are still checked; the names are those the builder would provide.
        env = make_env(template_dirs(cfg), cfg.confinement)
        known = set(m.metrics) | set(m.variables) | set(m.conditions) | CONTEXT_NAMES
    _check_templates(cfg, root, env, known | set(env.globals), report, kinds)
    if report.errors or builder is None:
        return report

    # A dry run catches what only shows with real numbers: a growth with no previous
    # period, a chart whose series are all empty, a template that never ends…
    # Charts are specified and checked but not drawn: nothing is written.
    try:
        doc = builder.build()
        check_document_text(doc, str(cfg.path))
    except BriefgenError as e:
        report.errors.append(_err(e))
        return report
    figures = sum(1 for b in doc.blocks if isinstance(b, Figure))
    report.checked.append(f"图表（{figures}张）")
    report.warnings += [w for w in doc.warnings if w not in report.warnings]
    report.notes += builder.omitted
    if chains:
        missing = _missing_glyphs(doc, chains)
        if missing:
            report.warnings.append(
                f"以下字符没有可用字体，PDF 中将显示为方框：{missing}（可在配置 fonts: 中为 body 指定含这些字的字体）")
    return report
