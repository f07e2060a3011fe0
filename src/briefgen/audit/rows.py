"""The rows of an audit: one per figure the document prints, with where it came from.

The builder hands every block the figures printed while it was made (the
:class:`~briefgen.provenance.Printed` ledger of an audited build). Here each number
in a block's text is matched, in order, to one of them; a number that no traced
value printed is a year, a 期号, a figure or table number, an axis tick, a number
typed in the template (found in the template file, with its line), or, failing all
that, untraced — and said so.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from briefgen import zh
from briefgen.charts.numfmt import fmt, series_decimals
from briefgen.charts.policy import ranked
from briefgen.charts.spec import ChartSpec, present
from briefgen.charts.vector import VectorChart
from briefgen.config import Config
from briefgen.metrics import MetricBook
from briefgen.model import Document, Figure, Heading, Paragraph, Table
from briefgen.provenance import Difference, Printed, Prov, Source, leaf_sources, prov_of, traced
from briefgen.yamlpos import value_mark

__all__ = ["Row", "Audit", "FileInfo", "collect", "tokens", "category_of", "described", "EXCEPTED", "TOKEN"]

#: A figure as it stands in text: 857 · 32.8 · −4.8 · 1,172; a Chinese numeral after 第 (位居全省第一).
TOKEN = re.compile(r"(?:(?<![0-9A-Za-z.])[−-])?\d+(?:,\d{3})*(?:\.\d+)?"
                   r"|(?<=第)[一二三四五六七八九十百千]+(?=[位名，。；、）)]|$)")

#: Categories of printed numbers that are not figures from the data, and are not counted as such.
EXCEPTED = ("时间", "期号", "图表编号", "序号", "坐标轴刻度", "页码")

# Where a number stands in the document (check reads DOCX text, and PDF text with its vector charts).
TEXT, VECTOR, CHART = "text", "vector", "chart"


@dataclass
class Row:
    """One printed figure."""

    seq: int
    where: str  # the section: 二、… › （一）…
    part: str  # 第2段 · 表1 第3行“夷陵区”·“增速”列 · 图1 数据标签 · 报头 …
    context: str  # the text around it, the figure in 【】
    printed: str  # as printed: 857 · 32.8 · −4.8 · 一
    category: str  # 数据 · 配置 · 模板原文 · 时间 · 期号 · 图表编号 · 序号 · 坐标轴刻度 · 未溯源
    media: str = TEXT  # text (DOCX and PDF text) · vector (PDF chart text) · chart (inside a chart only)
    prov: Prov | None = None
    sources: list[Source] = field(default_factory=list)
    unit: int = 0  # index of the block (paragraph, cell, line) it stands in

    @property
    def value(self) -> float | None:
        """The value before rounding (signed; the words around a magnitude say the sign)."""
        return None if self.prov is None else self.prov.value

    @property
    def traced(self) -> bool:
        """Whether the figure comes from the data, the config or a template line."""
        return bool(self.sources)


@dataclass
class FileInfo:
    """A file the build read."""

    path: str
    role: str  # 配置 · 数据文件 · 数据库 · 模板 · Word 信笺
    size: int
    sha256: str
    mtime: float


@dataclass
class Audit:
    """Everything the audit workbook and ``briefgen check`` need."""

    config: Path
    rows: list[Row]
    differences: list[Difference]
    files: list[FileInfo]
    warnings: list[str]

    def counts(self, media: Iterable[str] = (TEXT, VECTOR)) -> dict[str, int]:
        """How many printed figures of each category."""
        out: dict[str, int] = {}
        for r in self.rows:
            if r.media in media:
                out[r.category] = out.get(r.category, 0) + 1
        return out


# ---------------------------------------------------------------------------
# Tokens and their kind
# ---------------------------------------------------------------------------


def tokens(text: str) -> list[re.Match[str]]:
    """Every figure in `text`, in order."""
    return list(TOKEN.finditer(text))


_TIME_AFTER = re.compile(r"^(?:[年月日]|季度|[—\-–~～至到]\d{1,4}[年月])")


def category_of(text: str, start: int, end: int) -> str | None:
    """What a number that no data value printed is, from the words around it: 时间 (2021年, 1—9月,
    12月21日), 期号 (第9期), 图表编号 (图1, 续表1), 序号 (1．, （1） at the start), 页码 (— 3 —); else None."""
    before, after = text[max(0, start - 2):start], text[end:end + 6]
    tok = text[start:end]
    if not tok[:1].isdigit() and tok[:1] not in "−-":
        return None  # a Chinese numeral
    if before.endswith("第") and after.startswith("期"):
        return "期号"
    if before.endswith(("图", "表")):
        return "图表编号"
    if _TIME_AFTER.match(after):
        return "时间"
    if re.fullmatch(r"\d{4}", tok) and before.endswith(("—", "-", "–", "至", "~", "～")) and after.startswith("年"):
        return "时间"
    if start == 0 and re.match(r"^[.．、]", after) or text[:start] == "（" and after.startswith("）"):
        return "序号"
    if re.fullmatch(r"\s*[—-]\s*", text[:start]) and re.fullmatch(r"\s*[—-]\s*", text[end:]):
        return "页码"
    return None


def _context(text: str, start: int, end: int, width: int = 14) -> str:
    left = text[max(0, start - width):start].replace("\n", "")
    right = text[end:end + width].replace("\n", "")
    return f"{'…' if start > width else ''}{left}【{text[start:end]}】{right}{'…' if end + width < len(text) else ''}"


# ---------------------------------------------------------------------------
# Collecting
# ---------------------------------------------------------------------------


@dataclass
class _Unit:
    """A block of text waiting to be matched."""

    index: int
    text: str
    part: str
    printed: list[Printed] | None
    media: str
    files: list[Path]
    config_key: tuple | None
    prefix: str
    category: str | None
    where: str
    found: list[re.Match[str]]


class _Collector:
    def __init__(self, cfg: Config, doc: Document):
        self.cfg = cfg
        self.doc = doc
        self.rows: list[Row] = []
        self.unit = 0
        self.pending: list[_Unit] = []
        self.template_texts: dict[Path, str] = {}
        self.templates = template_files(cfg)
        self.section: list[str] = []
        self.para_in_section = 0

    # -- the place ----------------------------------------------------------
    @property
    def where(self) -> str:
        return " › ".join(self.section) if self.section else "（正文开头）"

    def heading(self, h: Heading) -> None:
        lvl = max(1, min(h.level, 4))
        del self.section[lvl - 1:]
        while len(self.section) < lvl - 1:
            self.section.append("")
        self.section.append(h.full_text)
        self.section = [s for s in self.section if s]
        self.para_in_section = 0

    # -- one block of text --------------------------------------------------
    def block(self, text: str, part: str, printed: list[Printed] | None, *, media: str = TEXT,
              files: Iterable[Path] = (), config_key: tuple | None = None, prefix: str = "",
              category: str | None = None) -> None:
        """Queue the figures of one block; blocks rendered together (the paragraphs of one
        template) are matched together to what was printed while rendering them."""
        self.unit += 1
        found = tokens(text)
        if not found:
            return
        u = _Unit(self.unit, text, part, printed, media, list(files), config_key, prefix, category, self.where,
                  found)
        if self.pending and (printed is None or self.pending[-1].printed is not printed):
            self.flush()
        self.pending.append(u)
        if printed is None:
            self.flush()

    def flush(self) -> None:
        """Match the queued blocks' figures to their printed list, in order (a longest common
        subsequence, so a number typed in the template is not taken for a figure printed later)."""
        units, self.pending = self.pending, []
        if not units:
            return
        entries = units[0].printed or []
        toks = [(u, m) for u in units for m in u.found]
        hits: dict[int, Printed] = {}
        if entries:
            used: set[int] = set()
            sm = difflib.SequenceMatcher(None, [m.group() for _u, m in toks], [e.text for e in entries],
                                         autojunk=False)
            for a, b, n in sm.get_matching_blocks():
                for k in range(n):
                    hits[a + k] = entries[b + k]
                    used.add(b + k)
            for k, (_u, m) in enumerate(toks):
                if k in hits:
                    continue
                j = next((j for j, e in enumerate(entries) if j not in used and e.text == m.group()), None)
                if j is not None:
                    hits[k] = entries[j]
                    used.add(j)
        for k, (u, m) in enumerate(toks):
            self._figure(u, m, hits.get(k))

    def _figure(self, u: "_Unit", m: re.Match[str], hit: Printed | None) -> None:
        tok = m.group()
        ctx = u.prefix + _context(u.text, m.start(), m.end())
        if hit is not None:
            p = hit.prov
            srcs = leaf_sources(p)
            self._add(u, ctx, tok, "配置" if srcs and all(s.kind == "config" for s in srcs) else "数据", p, srcs)
            return
        kind: str | None = u.category or category_of(u.text, m.start(), m.end())
        src: list[Source] = []
        if u.config_key is not None:
            got = self.config_source(u.config_key)
            src = [got] if got is not None else []
        elif kind is None:
            lit = self.literal(u.text, m.start(), m.end(), u.files)
            src = [lit] if lit is not None else []
        if kind is None:
            kind = ("配置" if u.config_key is not None else "模板原文") if src else "未溯源"
        self._add(u, ctx, tok, kind, None, src)

    def _add(self, u: "_Unit", ctx: str, tok: str, kind: str, p: Prov | None, srcs: list[Source]) -> None:
        self.rows.append(Row(len(self.rows) + 1, u.where, u.part, ctx, tok, kind, u.media, p,
                             [self.located(s) for s in srcs], u.index))

    # -- sources in the config and templates -----------------------------------
    def config_source(self, key: tuple) -> Source | None:
        """The config line of a key (meta.date …), the first spelling found."""
        for loc in _spellings(key):
            line, _c, _s = value_mark(self.cfg.root, loc)
            if line is not None:
                return Source("config", str(self.cfg.path), line=line, field=".".join(map(str, key)))
        return Source("config", str(self.cfg.path), field=".".join(map(str, key))) \
            if self.cfg.root is not None else None

    def located(self, s: Source) -> Source:
        """A config source with its line filled in."""
        if s.kind == "config" and s.line is None and s.field and Path(s.file) == Path(self.cfg.path):
            parts = tuple(int(p) if p.isdigit() else p for p in s.field.split("."))
            line, _c, _s = value_mark(self.cfg.root, parts)
            if line is not None:
                return Source("config", s.file, line=line, field=s.field)
        return s

    def literal(self, text: str, start: int, end: int, files: Iterable[Path]) -> Source | None:
        """The template line a number typed in the template stands on: the first line holding the
        same number (not part of a longer one) with at least two of the same characters around it."""
        tok = text[start:end]
        cands = self._candidates(files)
        for width in (4, 3, 2):
            left = text[max(0, start - width):start].replace("\n", "")
            right = text[end:end + width].replace("\n", "")
            for lw, rw in ((len(left), len(right)), (0, len(right)), (len(left), 0)):
                if lw + rw < 2:
                    continue
                needle = left[len(left) - lw:] + tok + right[:rw]
                for f in cands:
                    body = self._text(f)
                    at = body.find(needle)
                    while at >= 0:
                        pos = at + lw
                        before = body[pos - 1:pos] if pos else ""
                        after = body[pos + len(tok):pos + len(tok) + 1]
                        if not (before.isdigit() or before == "." or after.isdigit() or
                                after == "." and body[pos + len(tok) + 1:pos + len(tok) + 2].isdigit()):
                            return Source("template", str(f), line=body.count("\n", 0, at) + 1)
                        at = body.find(needle, at + 1)
        return None

    def _candidates(self, first: Iterable[Path]) -> list[Path]:
        out = [Path(p) for p in first] + [Path(self.cfg.path)] + self.templates
        return list(dict.fromkeys(out))

    def _text(self, f: Path) -> str:
        if f not in self.template_texts:
            try:
                self.template_texts[f] = f.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self.template_texts[f] = ""
        return self.template_texts[f]


def _spellings(key: tuple) -> list[tuple]:
    """A config key as it may be written: distribution.copies is 印数 in YAML."""
    alias = {"copies": "印数", "bao": "报", "song": "送", "fa": "发", "cc": "抄送"}
    out = [key]
    if key and key[-1] in alias:
        out.append((*key[:-1], alias[key[-1]]))
    if key == ("meta", "print_date"):
        out.append(("meta", "date"))  # 印发日期 defaults to the 成文日期
    return out


def template_files(cfg: Config) -> list[Path]:
    """The template files a config may take text from: its department template chain's
    template.yaml and narrative files, and the narrative files beside the config."""
    out: list[Path] = []
    folders = [cfg.base, cfg.base / "templates"]
    tpl = getattr(cfg, "template", None)
    if tpl is not None:
        for t in tpl.chain():
            out.append(Path(t.path) / "template.yaml")
            folders.append(Path(t.path))
    for d in folders:
        if d.is_dir():
            out += sorted(d.glob("*.j2"))
    return [p for p in dict.fromkeys(out) if p.is_file()]


def collect(doc: Document, cfg: Config, book: MetricBook, *, warnings: list[str] | None = None) -> Audit:
    """The audit of a document built under :func:`briefgen.provenance.recording`."""
    c = _Collector(cfg, doc)
    m = doc.meta
    head: list[tuple[str, str, None, str | None, tuple[str, str]]] = [
        (m.issue_line, "报头 期号", None, "期号", ("meta", "issue")),
        (m.date, "报头 日期", None, "时间", ("meta", "date")),
    ] if m.kind == "jianbao" else []
    if m.kind == "gongwen":
        head.append((m.doc_no, "版头 发文字号", None, None, ("meta", "doc_no")))
    for text, part, printed, cat, key in head:
        if key == ("meta", "issue"):
            _issue_rows(c, m.issue_no, m.total_issue_no, part)
            continue
        c.block(text, part, printed, config_key=key, category=cat)
    c.block(m.title, "标题", m.trace.get("title"), files=[cfg.path])
    c.block(m.subtitle, "副标题", m.trace.get("subtitle"), files=[cfg.path])
    c.block(m.recipients_line, "主送机关", None, config_key=("meta", "recipients"))

    for b in doc.blocks:
        if isinstance(b, Heading):
            c.heading(b)
            c.block(b.full_text, "标题", b.trace, files=[cfg.path])
        elif isinstance(b, Paragraph):
            c.para_in_section += 1
            files = [Path(b.origin)] if b.origin and Path(b.origin).is_file() else []
            c.block(b.text, f"第{c.para_in_section}段", b.trace, files=files)
        elif isinstance(b, Table):
            _table(c, b)
        elif isinstance(b, Figure):
            _figure(c, b)

    for line in m.attachment_lines():
        c.block(line, "附件", None, config_key=("meta", "attachments"))
    if m.kind == "gongwen":
        c.block(m.signature, "署名", None, config_key=("meta", "signature"))
        c.block(m.date, "成文日期", None, config_key=("meta", "date"), category="时间")
        c.block(m.postscript_line, "附注", None, config_key=("meta", "postscript"))
    dist = m.distribution
    for text, _align in m.end_lines():
        if dist.copies and f"共印{dist.copies}份" in text:
            c.block(text, "版记 印数", None, config_key=("meta", "distribution", "copies"))
        elif "印发" in text:
            c.block(text.replace("\t", " "), "版记 印发", None, config_key=("meta", "print_date"), category="时间")
        else:
            c.block(text, "版记", None, config_key=("meta", "distribution"))

    c.flush()
    diffs = sorted(book.differences.values(), key=lambda d: (not d.agree, d.key, d.region, d.period))
    return Audit(Path(cfg.path), c.rows, [d for d in diffs if not d.agree] + [d for d in diffs if d.agree],
                 files_read(cfg, book), list(warnings if warnings is not None else doc.warnings))


def _issue_rows(c: _Collector, issue: str, total: str, part: str) -> None:
    c.block(issue, part, None, config_key=("meta", "issue"), category="期号")
    if total:
        c.block(total, part.replace("期号", "总期号"), None, config_key=("meta", "total_issue"), category="期号")


def _table(c: _Collector, t: Table) -> None:
    label = t.number or "表"
    c.block(t.caption_line, f"{label} 标题", t.trace, files=[c.cfg.path])
    c.block(t.unit_note, f"{label} 单位", None)
    heads = [h.replace("\n", "") for h in t.header]
    for j, h in enumerate(t.header):
        c.block(h.replace("\n", ""), f"{label} 表头第{j + 1}列", None, files=[c.cfg.path])
    for i, row in enumerate(t.rows):
        name = row[0].replace("\n", "") if row else ""
        traces = t.cell_trace[i] if i < len(t.cell_trace) else []
        for j, cell in enumerate(row):
            col = heads[j] if j < len(heads) else f"第{j + 1}列"
            part = f"{label} 第{i + 1}行第{j + 1}列（{name} · {col}）"
            printed = traces[j] if j < len(traces) else None
            c.block(cell.replace("\n", ""), part, printed, prefix=f"{name}｜{col}：" if j else "",
                    files=[c.cfg.path])
    c.block(t.source, f"{label} 资料来源", None, files=[c.cfg.path])


def _figure(c: _Collector, f: Figure) -> None:
    label = f.number or "图"
    if f.spec is not None:
        _chart(c, f, label)
    c.block(f.caption_line, f"{label} 标题", f.trace, files=[c.cfg.path])
    c.block(f.source, f"{label} 资料来源", None, files=[c.cfg.path])


def chart_labels(spec: ChartSpec) -> list[tuple[str, Any, str]]:
    """The data labels a chart may print: (text as drawn, traced value, what it is)."""
    out: list[tuple[str, Any, str]] = []
    if not spec.labels:
        return out
    if spec.type in ("pie", "donut"):
        s = spec.series[0]
        items = [(cat, v) for cat, v in zip(spec.categories, s.values) if present(v) and v > 0]
        if not items:
            return out
        total = traced(sum(float(v) for _c, v in items),
                       Prov("chart_total", sum(float(v) for _c, v in items), name=s.name or spec.title,
                            unit=s.unit or spec.unit, inputs=tuple((cat, v) for cat, v in items),
                            note="图中各项相加：" + "、".join(cat for cat, _v in items)))
        dp = s.decimals if (s.decimals is not None and s.unit in ("%", "％")) else 1
        for cat, v in items:
            share = float(v) / float(total) * 100
            tv = traced(share, Prov("share", share, name=f"{cat}占比", unit="%",
                                    inputs=((cat, v), ("合计", total)), note=f"{cat} ÷ 合计 × 100"))
            out.append((fmt(tv, dp, "%"), tv, f"{cat} 占比"))
        if spec.type == "donut" and s.unit not in ("%", "％"):
            out.append((fmt(total, series_decimals(s)) + (s.unit or spec.unit), total, "合计"))
        return out
    if spec.type == "hbar_rank":
        s = spec.series[0]
        d = series_decimals(s)
        # In drawing order, so that two equal bars are told apart by where they stand.
        for cat, y in ranked(spec):
            if y is not None:
                out.append((fmt(y, d, s.unit), y, f"{s.name} · {cat}"))
        return out
    for s in spec.series:
        d = series_decimals(s)
        for cat, x in zip(spec.categories, s.values):
            if present(x):
                out.append((fmt(x, d, s.unit), x, f"{s.name} · {cat}"))
    if spec.type == "stacked_bar":
        for j, cat in enumerate(spec.categories):
            vals = [y for s in spec.series if s.kind == "bar" and present(y := s.values[j])]
            if vals:
                tot = sum(float(y) for y in vals if y is not None)
                tv = traced(tot, Prov("chart_total", tot, name=f"{cat}合计", inputs=tuple(("", y) for y in vals),
                                      note="堆积柱各段相加"))
                d = max(series_decimals(s) for s in spec.series if s.kind == "bar")
                out.append((fmt(tv, d), tv, f"{cat} 合计"))
    return out


def _chart(c: _Collector, f: Figure, label: str) -> None:
    assert f.spec is not None
    spec = f.spec
    cands = chart_labels(spec)
    vec = None
    if f.vector is not None and Path(f.vector).is_file():
        try:
            vec = VectorChart.load(Path(f.vector))
        except (OSError, ValueError):
            vec = None
    if vec is None:
        # Not drawn as text anywhere the reader can search (a PNG, or a native Word chart):
        # the figures are listed, as the chart shows them.
        for text, v, what in cands:
            c.block(text, f"{label} 数据标签（{what}）", [Printed(tok.group(), v) for tok in tokens(text)],
                    media=CHART, prefix=f"{what}：")
        return
    pool = list(cands)
    for text in vec.texts():
        got = next((k for k, (t, _v, _w) in enumerate(pool) if t == text), None)
        if got is not None:
            t, v, what = pool.pop(got)
            c.block(t, f"{label} 数据标签（{what}）", [Printed(tok.group(), v) for tok in tokens(t)],
                    media=VECTOR, prefix=f"{what}：")
            continue
        # A label drawn on two lines ("合计", "60家" as "合计\n60家"): the figure ends the text.
        hit = next((k for k, (t, _v, _w) in enumerate(pool) if len(text) > len(t) and text.endswith(t)
                    and text[-len(t) - 1] not in "0123456789.−-"), None)
        if hit is not None and tokens(text):
            t, v, what = pool.pop(hit)
            c.block(text, f"{label} 数据标签（{what}）", [Printed(tok.group(), v) for tok in tokens(text)],
                    media=VECTOR, prefix=f"{what}：")
            continue
        cat = "时间" if any(category_of(text, m.start(), m.end()) == "时间" for m in tokens(text)) else "坐标轴刻度"
        c.block(text, f"{label} {'坐标轴刻度' if cat == '坐标轴刻度' else '图中文字'}", None, media=VECTOR,
                category=cat)


def files_read(cfg: Config, book: MetricBook) -> list[FileInfo]:
    """The config, data files, database and template files a build read, with their SHA-256."""
    files: dict[str, str] = {str(cfg.path): "配置"}
    for p, role in book.ds.files.items():
        files.setdefault(p, role)
    for t in template_files(cfg):
        files.setdefault(str(t), "模板")
    if cfg.reference_docx is not None:
        files.setdefault(str(cfg.reference_docx), "Word 信笺")
    out = []
    for p, role in files.items():
        p = os.path.normpath(p)
        path = Path(p)
        try:
            data = path.read_bytes()
            st = path.stat()
        except OSError:
            continue
        out.append(FileInfo(p, role, st.st_size, hashlib.sha256(data).hexdigest(), st.st_mtime))
    return out


# ---------------------------------------------------------------------------
# Words for the workbook and the check report
# ---------------------------------------------------------------------------

_METHOD = {
    "read": "读取数据", "scaled": "读取数据并换算单位", "total": "各下级地区相加",
    "growth": "同比增速 =（本期 ÷ 上期 − 1）× 100",
    "net": "增减量 = 本期 − 上期", "pp": "增减百分点 = 本期 − 上期", "rank_change": "名次变化 = 上期位次 − 本期位次",
    "completion": "完成率 = 本期 ÷ 目标 × 100", "over": "超额 = 完成率 − 100", "config": "配置中的数值",
}


def method_text(p: Prov | None, row: Row | None = None) -> str:
    """How a value was obtained, in words."""
    if p is None:
        if row is None:
            return ""
        return {"时间": "年份、时期或日期（不属数据）", "期号": "期号（配置）", "图表编号": "图表编号（自动编号）",
                "序号": "序号", "坐标轴刻度": "坐标轴刻度（按数据范围取整，不属数据）", "配置": "配置中的文字",
                "模板原文": "模板中写定的数字", "未溯源": "未能溯源"}.get(row.category, row.category)
    m = p.method
    if m == "published":
        what = p.note or "数值"
        if p.computed is None:
            return f"采用统计部门公布的{what}"
        diff = zh.round_to(float(p.value) - float(p.computed), 6)
        if diff == 0:
            return f"采用统计部门公布的{what}（与按数据计算的结果一致）"
        return (f"采用统计部门公布的{what}（按数据计算为 {value_text(p.computed)}，"
                f"公布值比计算值{'高' if diff > 0 else '低'} {value_text(abs(diff))}）")
    if m in ("formula", "rank", "count", "share", "cagr", "milestone"):
        head = {"formula": "", "rank": "排名：", "count": "计数：", "share": "占比 = ", "cagr": "年均增速：",
                "milestone": "整数关口："}[m]
        return head + (p.note or m)
    if m in ("sum", "mean", "max", "min", "at"):
        return f"公式函数 {p.note}"
    if m == "arith":
        names = [described(prov_of(v)) or value_text(v) for _r, v in p.inputs]
        if len(names) == 1:
            return f"计算：{p.note}（{names[0]}）"
        shown = [f"（{n}）" if prov_of(v) is not None else n for n, (_r, v) in zip(names, p.inputs)]
        return "计算：" + f" {p.note} ".join(shown)
    base = _METHOD.get(m, m)
    if m == "total" and p.note.startswith("合计公式") or m == "chart_total":
        return p.note
    if m in ("read", "scaled", "total") and p.note:
        return f"{base}（{p.note}）"
    return base


#: What a derived figure is of its metric: 高新技术企业总数 + 同比增速.
_WHAT = {"growth": "同比增速", "net": "增减量", "pp": "增减百分点", "rank": "位次", "rank_change": "名次变化",
         "completion": "目标完成率", "over": "超额完成幅度", "cagr": "年均增速", "milestone": "整数关口"}


def described(p: Prov | None) -> str:
    """名称 · 地区 · 时期 of a value (高新技术企业总数同比增速 · 宜昌市 · 2021年), the period in words."""
    if p is None:
        return ""
    try:
        per = zh.period_cn(p.period) if p.period else ""
    except zh.ZhFormatError:
        per = p.period
    name = p.name or p.indicator
    what = _WHAT.get(p.method, p.note if p.method == "published" and p.note != "公布数（合计行）" else "")
    if name and what and not name.endswith(what):
        name += what
    return " · ".join(x for x in (name, p.region, per) if x)


def value_text(v: Any) -> str:
    """A value before rounding, as a reader would write it (no float noise)."""
    if v is None:
        return ""
    return zh.num(float(v), None) if abs(float(v)) < 1e15 else repr(float(v))


def operands_text(p: Prov | None, limit: int = 8) -> str:
    """The values a figure was computed from: 本期 857（高新技术企业数 宜昌市 2021）；上期 640（…）."""
    if p is None or not p.inputs:
        return ""
    parts = []
    for role, v in p.inputs[:limit]:
        who = described(prov_of(v))
        label = role or who or "常数"
        extra = f"（{who}）" if role and who and who != role else ""
        parts.append(f"{label} {value_text(v)}{extra}")
    more = f"；等{len(p.inputs)}项" if len(p.inputs) > limit else ""
    return "；".join(parts) + more


def sources_text(sources: list[Source], limit: int = 12) -> str:
    """The source cells, one a line."""
    lines = [s.text() for s in sources[:limit]]
    if len(sources) > limit:
        lines.append(f"等共{len(sources)}处")
    return "\n".join(lines)
