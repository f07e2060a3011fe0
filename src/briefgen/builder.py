"""Config + data + templates → the neutral document model.

This is the only place that knows how config sections become headings,
paragraphs, tables and figures; writers never see the config.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from briefgen import zh
from briefgen.charts import validate_spec
from briefgen.config import ChartCfg, Config, ContentCfg, SectionCfg, TableCfg
from briefgen.errors import BriefgenError
from briefgen.figures import chart_spec
from briefgen.metrics import MetricBook
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
from briefgen.narrative import make_env, render, to_paragraphs
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
        self.env = make_env(template_dirs)
        self.chart_dir = chart_dir
        self.render_chart = render_chart
        self.palette = palette
        self.figures = 0
        self.tables = 0
        # Annual briefings say 比上年增长, monthly ones 同比增长; templates may still pass prefix=.
        base_growth = zh.growth
        default_prefix = zh.growth_prefix(book.period)
        self.env.filters["growth"] = lambda v, decimals=1, prefix=default_prefix, **kw: base_growth(
            v, decimals, prefix, **kw)
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
        return ctx

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

    def _render_text(self, text: str | None, template: str | None, where: str) -> list[Paragraph]:
        out = ""
        if template:
            out = render(self.env, file=template, context=self.context, where=where)
        elif text:
            out = render(self.env, source=text, context=self.context, where=where)
        return to_paragraphs(out) if out.strip() else []

    def _inline(self, text: str, where: str) -> str:
        if "{" not in text:
            return text
        return render(self.env, source=text, context=self.context, where=where).strip()

    # -- document ------------------------------------------------------------
    def build(self) -> Document:
        """The whole document: meta, intro and the section tree."""
        meta = self._meta()
        blocks: list[Block] = []
        if self.m.intro:
            blocks += self._render_text(self.m.intro, None, f"{self.cfg.path}：intro")
        counters = [0, 0, 0, 0]
        for i, sec in enumerate(self.m.sections):
            blocks += self._section(sec, 1, counters, f"sections[{i}]")
        if meta.kind == "gongwen" and blocks and isinstance(blocks[-1], Paragraph):
            # No page may hold only the 署名 and date: the last body paragraph goes with them.
            blocks[-1].keep_with_next = True
        doc = Document(meta=meta, blocks=blocks)
        doc.warnings = list(self.book.warnings)
        return doc

    def _meta(self) -> DocMeta:
        mm = self.m.meta
        where = f"{self.cfg.path}：meta"
        date = zh.date_cn(mm.date) if mm.date else ""
        dist = mm.distribution
        return DocMeta(
            title=self._inline(mm.title, f"{where}.title"),
            subtitle=self._inline(mm.subtitle, f"{where}.subtitle"),
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

    def _section(self, sec: SectionCfg, level: int, counters: list[int], where: str) -> list[Block]:
        if not sec.enabled:
            return []
        blocks: list[Block] = []
        full_where = f"{self.cfg.path}：{where}"
        if sec.heading:
            counters[level - 1] += 1
            for j in range(level, len(counters)):
                counters[j] = 0
            text = self._inline(sec.heading, f"{full_where}.heading")
            numbered = self.m.style.numbering != "none"
            blocks.append(Heading(text, level, heading_number(level, counters[level - 1]) if numbered else ""))
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
            if item.text or item.template:
                blocks += self._render_text(item.text, item.template, iw)
            if item.chart is not None and item.chart.enabled:
                blocks.append(self._chart(item.chart, iw))
            if item.table is not None and item.table.enabled:
                blocks.append(self._table(item.table, iw))
        sub_level = level + 1 if sec.heading else level
        for j, child in enumerate(sec.sections):
            blocks += self._section(child, min(sub_level, 4), counters, f"{where}.sections[{j}]")
        return blocks

    # -- charts ----------------------------------------------------------------
    def _chart(self, c: ChartCfg, where: str) -> Figure:
        try:
            spec = chart_spec(self.book, c, self.palette)
        except BriefgenError as e:
            raise _name_place(e, where, self.book.label) from None
        validate_spec(spec, where)
        self.figures += 1
        out = self.chart_dir / f"fig{self.figures}.png"
        vector = self.render_chart(spec, out) if self.render_chart is not None else None
        return Figure(
            image=out, spec=spec, vector=vector, caption=self._inline(c.caption, where), number=f"图{self.figures}",
            source=source_note(c.source), aspect=spec.height_cm / spec.width_cm, width_cm=spec.width_cm,
        )

    # -- tables ----------------------------------------------------------------
    def _table(self, t: TableCfg, where: str) -> Table:
        try:
            style = self.m.style
            body = table_body(self.book, t, style.geometry.text_width / style.element("table_cell").size)
        except BriefgenError as e:
            raise _name_place(e, where, self.book.label) from None
        self.tables += 1
        return Table(header=body.header, rows=body.rows, caption=self._inline(t.caption, where),
                     number=f"表{self.tables}", align=body.align, col_widths=body.col_widths,
                     unit_note=body.unit_note, source="；".join(x for x in [source_note(t.source), *body.notes] if x))


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
