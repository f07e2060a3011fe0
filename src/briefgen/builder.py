"""Config + data + templates → the neutral document model.

This is the only place that knows how config sections become headings,
paragraphs, tables and figures; writers never see the config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from briefgen import phrases, provenance, zh
from briefgen.charts import validate_spec
from briefgen.charts.policy import MISSING_TEXT, ranked
from briefgen.config import ChartCfg, Config, ContentCfg, SectionCfg, TableCfg
from briefgen.errors import BriefgenError, MissingDataError
from briefgen.figures import chart_spec
from briefgen.metrics import MetricBook, MetricValue
from briefgen.model import (
    Block,
    Distribution,
    DocMeta,
    Document,
    Figure,
    Heading,
    Paragraph,
    Table,
)
from briefgen.narrative import growth, make_env, render, resolving, to_paragraphs
from briefgen.sandbox import StepLimit, template_error
from briefgen.tables import table_body

CN_LEVEL_FORMATS: list[Callable[[int], str]] = [
    lambda n: f"{zh.cn_int(n)}、",
    lambda n: f"（{zh.cn_int(n)}）",
    lambda n: f"{n}.",
    lambda n: f"（{n}）",
]


def heading_number(level: int, n: int) -> str:
    """一、 → （一） → 1. → （1）, as GB/T 9704 §7.3.3 orders them."""
    return CN_LEVEL_FORMATS[min(level, 4) - 1](n)


# Names every template's context holds besides the metrics and `variables`.
CONTEXT_NAMES = frozenset({"region", "period", "prev_period", "meta", "var", "metric", "ranking", "peers"})

# Chart rendering is injected so the builder stays free of matplotlib at import. It draws
# a spec for the image path given (and vector graphics where wanted); returns the vector file or None.
ChartRenderer = Callable[[Any, Path], "Path | None"]


class Builder:
    """Makes the :class:`Document` of one config: headings numbered, templates rendered,
    charts specified (and drawn by the injected renderer), tables filled."""

    def __init__(self, cfg: Config, book: MetricBook, *, template_dirs: list[Path],
                 chart_dir: Path, render_chart: ChartRenderer | None, palette: list[str] | None = None):
        self.cfg = cfg
        self.m = cfg.model
        self.book = book
        # Template files load only from the template roots and the operator's --allow-path folders.
        self.env = make_env(template_dirs, cfg.confinement)
        self.chart_dir = chart_dir
        self.render_chart = render_chart
        self.palette = palette
        self.figures = 0
        self.tables = 0
        # What the build had to leave out: sections skipped for missing data (warnings) and
        # comparisons a phrase dropped for want of a previous period (validate lists them).
        self.notices: list[str] = []
        self.omitted: list[str] = []
        self.settings = phrases.PhraseSettings(
            grades=phrases.grades_from(self.m.phrases.grades, f"{cfg.path}：phrases.grades"),
            region_noun=self.m.phrases.region_noun,
        )
        # Annual briefings say 比上年增长, monthly ones 同比增长; templates may still pass prefix=.
        default_prefix = zh.growth_prefix(book.period)

        def growth_here(x: Any, decimals: int | None = 1, prefix: str | None = None, **words: Any) -> str:
            if not isinstance(x, MetricValue) and prefix is None:
                prefix = default_prefix
            return growth(x, decimals, prefix, **words)

        self.env.filters["growth"] = self.env.globals["growth"] = resolving(growth_here)
        self.env.resolve_metric = lambda key: book.value(str(key))  # type: ignore[attr-defined]
        self.env.globals["fig"] = lambda k=1: self._ref("图", self.figures, k)
        self.env.globals["table"] = lambda k=1: self._ref("表", self.tables, k)
        self.context = self._context()

    # -- template context ----------------------------------------------------
    def _context(self) -> dict[str, Any]:
        book = self.book
        ctx: dict[str, Any] = {}
        ctx.update(self.m.variables)
        for key in book.defs:
            ctx[key] = book.value(key)
        names = dict(
            region=book.region,
            period=book.period,
            prev_period=book.previous_of(book.period),
            meta=self.m.meta,
            var=self.m.variables,
            metric=lambda key, region=None, period=None: book.value(
                str(key), None if region is None else str(region), None if period is None else str(period)
            ),
            ranking=self._ranking,
            peers=book.peers,
        )
        assert set(names) == CONTEXT_NAMES  # validate checks templates against CONTEXT_NAMES
        ctx.update(names)
        for name, expr in self.m.conditions.items():
            where = f"{self.cfg.path}：conditions.{name}"
            if isinstance(expr, str):
                try:  # a typo shows now, not only in the build that first asks for the condition
                    self.env.compile_expression(expr)
                except Exception as e:  # noqa: BLE001 - one clear message for any syntax problem
                    raise template_error(e, where, self.env) from None
            ctx[name] = Condition(self, name, expr, where)
        return ctx

    def _ref(self, kind: str, count: int, k: Any) -> str:
        """图3 / 表1 by number: k=1 the next one placed, 0 the last one placed, -1 the one before."""
        if isinstance(k, bool) or not isinstance(k, int):
            raise BriefgenError(f"{'fig' if kind == '图' else 'table'}() 的参数应为整数，收到 {k!r}")
        n = count + k
        if n < 1:
            raise BriefgenError(f"前面没有{kind}{'' if k >= 0 else '可引用'}：{kind}号只能从1开始",
                                hint="引用后面的图表用 fig() / table()，引用刚出现的用 fig(0) / table(0)")
        return f"{kind}{n}"

    def evaluate(self, expr: str | bool | None, where: str) -> bool:
        """A `when:` condition (a Jinja expression over the template context), True when absent."""
        if expr is None or isinstance(expr, bool):
            return expr is not False
        try:
            fn = self.env.compile_expression(str(expr), undefined_to_none=False)
            with StepLimit(self.env), phrases.using(self.settings):
                return bool(fn(**self.context))
        except Exception as e:  # noqa: BLE001 - every condition failure becomes one clear message
            raise template_error(e, where, self.env) from None

    def _ranking(self, key: str, period: str | None = None, top: int | None = None) -> list[dict[str, Any]]:
        """Regions ordered by a metric: [{region, value, rank}], for loops in templates."""
        d = self.book.defn(key)
        per = str(period or self.book.period)
        ranks = self.book.ranks(d, per)
        rows = [
            {"region": r, "rank": k, "value": self.book.value(key, r, per)}
            for r, k in sorted(ranks.items(), key=lambda kv: (kv[1], kv[0]))
        ]
        return rows[:top] if top else rows

    def _render(self, where: str, source: str | None = None, file: str | None = None) -> str:
        with phrases.using(self.settings), phrases.collecting() as left_out:
            out = render(self.env, source=source, file=file, context=self.context, where=where)
        self.omitted += [f"{where}：{n}" for n in left_out if f"{where}：{n}" not in self.omitted]
        return out

    def _render_text(self, text: str | None, template: str | None, where: str) -> list[Paragraph]:
        out = ""
        with provenance.scope() as printed:
            if template:
                out = self._render(where, file=template)
            elif text:
                out = self._render(where, source=text)
        paras = to_paragraphs(out) if out.strip() else []
        if printed is not None:
            # An audit maps each paragraph's figures to what was printed while rendering them.
            origin = self._template_file(template) if template else where
            for p in paras:
                p.trace, p.origin = printed, origin
        return paras

    def _template_file(self, name: str) -> str:
        try:
            return self.env.get_template(name).filename or name
        except Exception:  # noqa: BLE001 - only a hint for the audit; rendering already succeeded
            return name

    def _inline(self, text: str, where: str) -> str:
        if "{" not in text:
            return text
        return self._render(where, source=text).strip()

    def _inline_traced(self, text: str, where: str) -> tuple[str, list[Any]]:
        """:meth:`_inline` and the traced figures it printed (empty unless the build is audited)."""
        with provenance.scope() as printed:
            out = self._inline(text, where)
        return out, list(printed or [])

    # -- document ------------------------------------------------------------
    def build(self) -> Document:
        """The whole document: meta, intro and the section tree."""
        meta = self._meta()
        blocks: list[Block] = []
        if self.m.intro:
            blocks += self._render_text(self.m.intro, None, f"{self.cfg.path}：intro")
        counters = [0, 0, 0, 0]
        for i, sec in enumerate(self.m.sections):
            blocks += self._section(sec, 1, counters, f"sections[{i}]", self.m.on_missing)
        if meta.kind == "gongwen" and blocks and isinstance(blocks[-1], Paragraph):
            # No page may hold only the 署名 and date: the last body paragraph goes with them.
            blocks[-1].keep_with_next = True
        doc = Document(meta=meta, blocks=blocks)
        doc.warnings = list(self.book.warnings) + [n for n in self.notices if n not in self.book.warnings]
        return doc

    def _meta(self) -> DocMeta:
        mm = self.m.meta
        where = f"{self.cfg.path}：meta"
        date = zh.date_cn(mm.date) if mm.date else ""
        dist = mm.distribution
        title, title_trace = self._inline_traced(mm.title, f"{where}.title")
        subtitle, subtitle_trace = self._inline_traced(mm.subtitle, f"{where}.subtitle")
        return DocMeta(
            title=title,
            subtitle=subtitle,
            trace={"title": title_trace, "subtitle": subtitle_trace},
            organ=mm.organ,
            date=date,
            kind=self.m.form,
            masthead=mm.masthead or (f"{mm.organ}文件" if self.m.form == "gongwen" else
                                     "工作简报" if self.m.form == "jianbao" else ""),
            issue_no=_issue(mm.issue, "第{}期", f"{where}.issue"),
            total_issue_no=_issue(mm.total_issue, "总第{}期", f"{where}.total_issue"),
            doc_no=mm.doc_no,
            signer=mm.signer,
            classification=mm.classification,
            urgency=mm.urgency,
            recipients=mm.recipients,
            signature=mm.signature or mm.organ,
            postscript=mm.postscript,
            attachments=list(mm.attachments),
            print_organ=mm.print_organ or mm.organ,
            print_date=zh.date_cn(mm.print_date) if mm.print_date else date,
            distribution=Distribution(
                to_superiors=dist.bao, to_peers=dist.song, to_subordinates=dist.fa,
                cc=dist.cc, copies=dist.copies,
            ),
        )

    def _section(self, sec: SectionCfg, level: int, counters: list[int], where: str,
                 on_missing: str) -> list[Block]:
        """A section, or what its `on_missing` says when its data are missing for the period."""
        if not sec.enabled:
            return []
        full_where = f"{self.cfg.path}：{where}"
        if not self.evaluate(sec.when, f"{full_where}.when"):
            return []
        policy = sec.on_missing or on_missing
        if policy == "fallback" and not sec.fallback:
            raise BriefgenError("on_missing: fallback 需要同时写 fallback（缺数据时输出的文字）",
                                where=f"{full_where}.on_missing")
        saved = (list(counters), self.figures, self.tables, len(self.omitted))
        try:
            return self._section_blocks(sec, level, counters, where, policy)
        except MissingDataError as e:
            if policy == "error":
                # Named once, at the innermost section; an enclosing section does not catch it again.
                advice = ("本期缺少数据属正常情况时，可在该章节写 on_missing: skip 或 "
                          "on_missing: fallback 并给出 fallback 文字")
                raise BriefgenError(e.message, where=e.where or full_where,
                                    hint=f"{e.hint}；{advice}" if e.hint else advice) from None
            counters[:] = saved[0]
            self.figures, self.tables = saved[1], saved[2]
            del self.omitted[saved[3]:]
            title = f"（{sec.heading}）" if sec.heading and "{" not in sec.heading else ""
            if policy == "skip":
                self.notices.append(f"{full_where}{title}：{e.message}，已按 on_missing: skip 省略本节")
                return []
            self.notices.append(f"{full_where}{title}：{e.message}，已按 on_missing: fallback 改为说明文字")
            return self._fallback(sec, level, counters, where)

    def _fallback(self, sec: SectionCfg, level: int, counters: list[int], where: str) -> list[Block]:
        full_where = f"{self.cfg.path}：{where}"
        blocks: list[Block] = []
        if sec.heading:
            try:
                text, trace = self._inline_traced(sec.heading, f"{full_where}.heading")
            except MissingDataError:
                text, trace = "", []  # a heading built from the missing figures: the note stands alone
            if text:
                counters[level - 1] += 1
                for j in range(level, len(counters)):
                    counters[j] = 0
                numbered = self.m.style.numbering != "none"
                blocks.append(Heading(text, level, heading_number(level, counters[level - 1]) if numbered else "",
                                      trace=trace))
        try:
            blocks += self._render_text(sec.fallback, None, f"{full_where}.fallback")
        except MissingDataError as e:
            raise BriefgenError(f"fallback 文字本身引用了缺失的数据：{e.message}",
                                where=f"{full_where}.fallback") from None
        return blocks

    def _section_blocks(self, sec: SectionCfg, level: int, counters: list[int], where: str,
                        policy: str) -> list[Block]:
        blocks: list[Block] = []
        full_where = f"{self.cfg.path}：{where}"
        if sec.heading:
            counters[level - 1] += 1
            for j in range(level, len(counters)):
                counters[j] = 0
            text, trace = self._inline_traced(sec.heading, f"{full_where}.heading")
            numbered = self.m.style.numbering != "none"
            blocks.append(Heading(text, level, heading_number(level, counters[level - 1]) if numbered else "",
                                  trace=trace))
        items: list[ContentCfg] = []
        if sec.text or sec.template:
            items.append(ContentCfg(text=sec.text, template=sec.template))
        items += list(sec.content)
        items += [ContentCfg(chart=c) for c in sec.charts]
        items += [ContentCfg(table=t) for t in sec.tables]
        # Name each item by its own config key, so an error points at `charts[1]`, not a merged index.
        wheres = [f"{full_where}.{'template' if sec.template else 'text'}"] if sec.text or sec.template else []
        wheres += [f"{full_where}.content[{k}]" for k in range(len(sec.content))]
        wheres += [f"{full_where}.charts[{k}]" for k in range(len(sec.charts))]
        wheres += [f"{full_where}.tables[{k}]" for k in range(len(sec.tables))]
        for k, item in enumerate(items):
            iw = wheres[k]
            if not self.evaluate(item.when, f"{iw}.when"):
                continue
            if item.text or item.template:
                blocks += self._render_text(item.text, item.template, iw)
            if item.chart is not None and item.chart.enabled and self.evaluate(item.chart.when, f"{iw}.when"):
                blocks.append(self._chart(item.chart, iw))
            if item.table is not None and item.table.enabled and self.evaluate(item.table.when, f"{iw}.when"):
                blocks.append(self._table(item.table, iw))
        sub_level = level + 1 if sec.heading else level
        for j, child in enumerate(sec.sections):
            blocks += self._section(child, min(sub_level, 4), counters, f"{where}.sections[{j}]", policy)
        return blocks

    # -- charts ----------------------------------------------------------------
    def _chart(self, c: ChartCfg, where: str) -> Figure:
        try:
            spec = chart_spec(self.book, c, self.palette)
        except BriefgenError as e:
            raise _name_place(e, where, self.book.label) from None
        values = [v for s in spec.series for v in s.values if v is not None]
        if not values or (spec.type in ("pie", "donut") and not any(values)):
            # Nothing to draw this period: missing data, for the section's on_missing to decide.
            what = "没有任何有效数值（全部缺失）" if not values else "的数值合计为零"
            raise MissingDataError(f"图表“{self._inline(c.caption, where)}”本期{what}", where=where)
        validate_spec(spec, where)
        self.figures += 1
        out = self.chart_dir / f"fig{self.figures}.png"
        vector = self.render_chart(spec, out) if self.render_chart is not None else None
        caption, trace = self._inline_traced(c.caption, where)
        if spec.type == "hbar_rank":
            gaps = [cat for cat, v in ranked(spec) if v is None]
            if gaps:
                self.omitted.append(f"{where}：图{self.figures}“{caption}”中{'、'.join(gaps)}没有本期数据，"
                                    f"该行标“{MISSING_TEXT}”")
        return Figure(
            image=out, spec=spec, vector=vector, caption=caption, number=f"图{self.figures}",
            source=source_note(c.source), aspect=spec.height_cm / spec.width_cm, width_cm=spec.width_cm,
            trace=trace,
        )

    # -- tables ----------------------------------------------------------------
    def _table(self, t: TableCfg, where: str) -> Table:
        try:
            style = self.m.style
            size = style.element("table_cell").size
            body = table_body(self.book, t, style.geometry.text_width, size)
        except BriefgenError as e:
            raise _name_place(e, where, self.book.label) from None
        self.tables += 1
        caption, trace = self._inline_traced(t.caption, where)
        number = f"表{self.tables}"
        if not body.fits:
            smallest = _SIZE_NAMES.get(body.size, "最小字号")
            self.book.warn(f"{where}：{number}“{caption}”列数较多，字号减到{smallest}仍放不下，"
                           f"表头中的单位或个别单元格会折行（可减少列、缩短 name:，或用 widths: 设置列宽）")
        return Table(header=body.header, rows=body.rows, caption=caption,
                     number=number, align=body.align, col_widths=body.col_widths,
                     unit_note=body.unit_note, source="；".join(x for x in [source_note(t.source), *body.notes] if x),
                     size=body.size if body.size < size - 1e-9 else None, trace=trace, cell_trace=body.traces)


# The official names of the sizes a table steps down to (see briefgen.tables.TABLE_SIZES).
_SIZE_NAMES = {12.0: "小四号", 10.5: "五号", 9.0: "小五号"}


class Condition:
    """A named condition from `conditions:`: evaluated when first asked (in `when:` or `{% if %}`),
    so one that needs missing data fails only where it is used."""

    def __init__(self, builder: "Builder", name: str, expr: str | bool, where: str):
        self._builder = builder
        self.name = name
        self._expr = expr
        self._where = where
        self._value: bool | None = None

    def __bool__(self) -> bool:
        if self._value is None:
            self._value = self._builder.evaluate(self._expr, self._where)
        return self._value

    def __str__(self) -> str:
        return "是" if self else "否"


def source_note(text: str) -> str:
    """The note under a table or figure: 数据来源：… unless the author wrote 资料来源/注 themselves."""
    text = (text or "").strip()
    if not text or text.startswith(("数据来源", "资料来源", "注：", "说明：")):
        return text
    return f"数据来源：{text}"


def _issue(v: int | str | None, fmt: str, where: str = "") -> str:
    """第1期 / 总第86期; text already worded (第1期、增刊1) is kept as written."""
    if v is None or v == "":
        return ""
    s = str(v).strip()
    if s.isdigit() or isinstance(v, int):
        if int(s) <= 0:
            raise BriefgenError(f"期号应为正整数，实际是 {s}", where=where)
        return fmt.format(int(s))
    return s


def _name_place(e: BriefgenError, where: str, label: str) -> BriefgenError:
    """The error naming the chart/table key when it only named the config file."""
    return e.at(where) if e.where in (None, "", label) else e
