"""The audit workbook ``<name>.audit.xlsx``: 数字核对, 公布值与计算值, 数据源, 警告.

Written with xlsxwriter, which the DOCX writer has loaded already for its native
charts' workbooks (openpyxl would add 0.1 s of import to every audited build,
more than the audit itself may cost). Cells are written as what they are — text as
text (never a formula: a region name from a spreadsheet may start with "="),
values as numbers — so the sheet filters and sorts as a checker expects.
"""

from __future__ import annotations

import datetime as _dt
import functools
import math
import re
from pathlib import Path
from typing import Any, Sequence

import xlsxwriter

from briefgen import zh
from briefgen.audit.rows import EXCEPTED, Audit, method_text, operands_text, sources_text, value_text
from briefgen.provenance import Prov, Source, leaf_sources, prov_of

__all__ = ["write_workbook", "SHEETS"]

SHEETS = ("数字核对", "公布值与计算值", "数据源", "警告")

_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MEDIA = {"text": "正文", "vector": "图（PDF 文字）", "chart": "图"}


def _clean(text: Any) -> str:
    """Text a cell can hold: no control characters, at most Excel's 32767 characters."""
    s = _CTRL.sub("", "" if text is None else str(text))
    return s if len(s) <= 32000 else s[:31999] + "…"


@functools.lru_cache(maxsize=256)
def _local(file: str) -> Path | None:
    try:
        full = Path(file).resolve()
    except OSError:
        return None
    return full if full.is_file() else None


def _link(s: Source) -> tuple[str, str] | None:
    """(URL, shown text) of a local source file, pointing at the cell in a workbook."""
    full = _local(s.path)
    if full is None:
        return None
    path = Path(s.path)
    where = f"#'{s.sheet}'!{s.cell}" if s.kind == "xlsx" and s.sheet and s.cell else ""
    shown = path.name + (f" {s.sheet}!{s.cell}" if where else (f" 第{s.line}行" if s.line else
                                                                  f" 第{s.row}行" if s.row else ""))
    url = f"external:{full}{where}"
    # Excel takes at most 2079 characters, and "#" starts the place inside the file.
    if len(url) > 2000 or "#" in str(full):
        return None
    return url, shown


def write_workbook(audit: Audit, out: Path) -> Path:
    """Write the audit to `out` (an .xlsx file; any name, so a staged temporary file works)."""
    wb = xlsxwriter.Workbook(str(out), {"in_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    try:
        f = _Formats(wb)
        _figures(wb, f, audit)
        _differences(wb, f, audit)
        _files(wb, f, audit)
        _warnings(wb, f, audit)
        wb.set_properties({"title": "数据核对", "subject": str(audit.config), "comments": "briefgen 生成"})
    finally:
        wb.close()
    return out


class _Formats:
    def __init__(self, wb: Any):
        self.head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1, "text_wrap": True,
                                   "valign": "vcenter", "font_name": "宋体", "font_size": 10})
        base = {"valign": "top", "font_name": "宋体", "font_size": 10, "text_wrap": True}
        self.text = wb.add_format(base)
        self.num = wb.add_format({**base, "num_format": "General"})
        self.printed = wb.add_format({**base, "bold": True, "align": "right"})
        self.grey = wb.add_format({**base, "font_color": "#808080"})
        self.bad = wb.add_format({**base, "bg_color": "#FCE4D6"})
        self.link = wb.add_format({**base, "font_color": "#0563C1", "underline": 1})


def _sheet(wb: Any, f: _Formats, name: str, heads: Sequence[tuple[str, float]], n: int) -> Any:
    ws = wb.add_worksheet(name)
    for j, (h, w) in enumerate(heads):
        ws.write_string(0, j, h, f.head)
        ws.set_column(j, j, w)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(n, 1), len(heads) - 1)
    ws.set_row(0, 28)
    # Printed for a checker's desk: A4 landscape, all columns on the page, the header on every page.
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    return ws


def _figures(wb: Any, f: _Formats, audit: Audit) -> None:
    heads = [("序号", 6), ("位置", 28), ("所在", 26), ("上下文", 40), ("文中数字", 10), ("数值（舍入前）", 14),
             ("类别", 9), ("指标", 22), ("地区", 10), ("时期", 10), ("计算方法", 34), ("运算数", 40),
             ("数据来源", 50), ("来源文件", 30), ("出现在", 10)]
    rows = audit.rows
    ws = _sheet(wb, f, "数字核对", heads, len(rows))
    for i, r in enumerate(rows, start=1):
        fmt = f.grey if r.category in EXCEPTED else f.bad if r.category == "未溯源" else f.text
        p = r.prov
        who = _named(p)
        name = " · ".join(x for x in (who.key, who.name or who.indicator) if x) if who is not None else ""
        cells = [str(r.seq), r.where, r.part, r.context, r.printed]
        for j, v in enumerate(cells):
            ws.write_string(i, j, _clean(v), f.printed if j == 4 else fmt)
        if p is not None:
            ws.write_number(i, 5, float(p.value), f.num)
        else:
            ws.write_string(i, 5, "", fmt)
        rest = [r.category, name, who.region if who else "", _period(who.period) if who else "", method_text(p, r),
                operands_text(p), sources_text(r.sources)]
        for j, v in enumerate(rest, start=6):
            ws.write_string(i, j, _clean(v), fmt)
        _fit_row(ws, i, [(r.where, 28), (r.part, 26), (r.context, 40), (rest[1], 22), (rest[4], 34), (rest[5], 40),
                         (rest[6], 50)])
        link = next((x for x in (_link(s) for s in r.sources) if x is not None), None)
        if link is not None:
            ws.write_url(i, 13, link[0], f.link, _clean(link[1]))
        else:
            ws.write_string(i, 13, "", fmt)
        ws.write_string(i, 14, _MEDIA.get(r.media, r.media), fmt)


def _fit_row(ws: Any, i: int, cells: list[tuple[str, float]], most: int = 8) -> None:
    """A row tall enough for its wrapped text (neither Excel nor LibreOffice measures rows it did not write)."""
    lines = 1
    for text, width in cells:
        n = 0
        for part in str(text).split("\n"):
            # 10 pt 宋体 against Excel's width unit: about 0.9 for a Latin character, 1.8 for a CJK one (3 bytes).
            w = 0.9 * (len(part) + (len(part.encode("utf-8")) - len(part)) / 2)
            n += max(1, math.ceil(w / max(width - 1, 1)))
        lines = max(lines, n)
    if lines > 1:
        ws.set_row(i, 13.5 * min(lines, most))


def _named(p: Prov | None) -> Prov | None:
    """The provenance that names the metric: a figure's own, or for arithmetic in a phrase
    (多增98家 = this year's net increase − last year's) that of its first operand."""
    seen = 0
    while p is not None and not (p.key or p.name or p.indicator) and seen < 8:
        p = next((q for _r, v in p.inputs if (q := prov_of(v)) is not None), None)
        seen += 1
    return p


def _period(code: str) -> str:
    try:
        return zh.period_cn(code)
    except zh.ZhFormatError:
        return code


def _differences(wb: Any, f: _Formats, audit: Audit) -> None:
    heads = [("指标", 24), ("地区", 10), ("时期", 12), ("项目", 16), ("公布值", 12), ("按数据计算", 14),
             ("公布值 − 计算值", 14), ("判断", 26), ("公布值来源", 50), ("计算依据", 50)]
    diffs = audit.differences
    ws = _sheet(wb, f, "公布值与计算值", heads, len(diffs))
    for i, d in enumerate(diffs, start=1):
        fmt = f.text if d.agree else f.bad
        ws.write_string(i, 0, _clean(f"{d.key} · {d.name}"), fmt)
        ws.write_string(i, 1, _clean(d.region), fmt)
        ws.write_string(i, 2, _period(d.period), fmt)
        ws.write_string(i, 3, _clean(d.what + (f"（{d.unit}）" if d.unit else "")), fmt)
        ws.write_number(i, 4, float(d.published), fmt)
        ws.write_number(i, 5, float(d.computed), fmt)
        ws.write_number(i, 6, float(d.published) - float(d.computed), fmt)
        verdict = (f"一致（按公布值的{d.decimals}位小数舍入后相同）" if d.agree
                   else f"不一致，采用公布值（差 {zh.num(float(d.published) - float(d.computed), 4)}）")
        ws.write_string(i, 7, verdict, fmt)
        ws.write_string(i, 8, _clean(sources_text(list(d.sources))), fmt)
        p = prov_of(d.computed)
        basis = f"{method_text(p)}\n{operands_text(p)}\n{sources_text(leaf_sources(p))}" if p else value_text(
            d.computed)
        ws.write_string(i, 9, _clean(basis.strip()), fmt)


def _files(wb: Any, f: _Formats, audit: Audit) -> None:
    heads = [("文件", 60), ("用途", 10), ("大小（字节）", 12), ("修改时间", 20), ("SHA-256", 70)]
    ws = _sheet(wb, f, "数据源", heads, len(audit.files))
    for i, fi in enumerate(audit.files, start=1):
        full = _local(fi.path)
        if full is not None and len(str(full)) < 2000 and "#" not in str(full):
            ws.write_url(i, 0, f"external:{full}", f.link, _clean(fi.path))
        else:
            ws.write_string(i, 0, _clean(fi.path), f.text)
        ws.write_string(i, 1, fi.role, f.text)
        ws.write_number(i, 2, fi.size, f.num)
        ws.write_string(i, 3, _dt.datetime.fromtimestamp(fi.mtime).strftime("%Y-%m-%d %H:%M:%S"), f.text)
        ws.write_string(i, 4, fi.sha256, f.text)


def _warnings(wb: Any, f: _Formats, audit: Audit) -> None:
    notes = list(audit.warnings)
    for r in audit.rows:
        if r.category == "未溯源":
            notes.append(f"{r.where}：{r.part}：“{r.context}”中的数字 {r.printed} 未能溯源到数据、配置或模板")
    ws = _sheet(wb, f, "警告", [("序号", 6), ("警告", 120)], len(notes))
    for i, w in enumerate(notes, start=1):
        ws.write_string(i, 0, str(i), f.text)
        ws.write_string(i, 1, _clean(w), f.text)
