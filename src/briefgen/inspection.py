"""``briefgen inspect``: how a data file is understood, before any config is written.

For every sheet (or the one asked for): the layout chosen and why, the indicators
with their units, the regions, the periods with their kinds, how many values,
what was ignored and why — and a ``data:`` / ``metrics:`` / ``regions:`` snippet
ready to paste into a config. The reading is the one a build uses
(:func:`briefgen.sheets.read_grid`), so what inspect shows is what the build gets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefgen import periods, terms, zh
from briefgen.config import SourceCfg
from briefgen.data import Dataset, read_source, xlsx_sheets
from briefgen.errors import BriefgenError
from briefgen.metrics import additive
from briefgen.regions import TOTAL_LABELS
from briefgen.sheets import Reading, describe_column

KIND_CN = {"year": "年度", "month": "当月", "ytd": "累计", "quarter": "季度", "half": "半年", "point": "时点",
           "date": "日期", "other": "其他"}
_PLACE = re.compile(r"^(.{1,12}?(?:市|州|盟|地区|县|区|旗))(?=\d{4}年)")


@dataclass
class SheetReport:
    """What one sheet (or one CSV/YAML file) holds, as a build would read it."""

    file: str  # as the user wrote it
    sheet: str | None
    dataset: Dataset
    reading: Reading | None  # None for YAML/JSON records
    error: BriefgenError | None = None
    notes: list[str] = field(default_factory=list)
    hidden: bool = False  # a hidden sheet: a build reads it only when the config names it

    @property
    def place(self) -> str | None:
        """The place a title names ("宜昌市2022年1—9月…" → 宜昌市), for the snippet."""
        if self.reading is None or not self.reading.title:
            return None
        m = _PLACE.match(re.sub(r"^表\d+|\s+", "", self.reading.title))
        return m.group(1) if m else None


def inspect_file(path: Path, sheet: str | None = None, period: str | None = None,
                 shown_as: str | None = None) -> list[SheetReport]:
    """Read `path` (every sheet of a workbook unless `sheet`) the way a build would."""
    if not path.exists():
        raise BriefgenError("找不到数据文件", where=str(path))
    suffix = path.suffix.lower()
    names: list[str | None]
    hidden: set[str | None] = set()
    if suffix in (".xlsx", ".xlsm"):
        names = [sheet] if sheet else list(xlsx_sheets(path))
        hidden = set(xlsx_sheets(path, hidden=True))
    elif sheet:
        raise BriefgenError("--sheet 只用于 Excel 工作簿（.xlsx）", where=str(path))
    else:
        names = [None]
    src_period = periods.strict(period, "--period").code if period else None
    out = []
    for name in names:
        ds = Dataset()
        src = SourceCfg(file=str(path), sheet=name, period=src_period)
        report = SheetReport(shown_as or str(path), name, ds, None, hidden=name in hidden)
        try:
            read_source(ds, path, src, None, "")
        except BriefgenError as e:
            if len(names) == 1:
                raise
            report.error = e
        if ds.readings:
            report.reading = ds.readings[-1][1]
        out.append(report)
    return out


def _join(items: list[str], limit: int = 20) -> str:
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}个" if len(items) > limit else "")


def _period_cn(code: str) -> str:
    p = periods.parse(code)
    if p.kind == "other":
        return code
    return f"{zh.period_label(p)}（{KIND_CN[p.kind]}，{p.code}）"


def render(reports: list[SheetReport]) -> str:
    """The report in Chinese, sheet by sheet, then the config snippet."""
    lines: list[str] = []
    first = reports[0]
    count = f"（{len(reports)}个工作表）" if len(reports) > 1 else ""
    lines.append(f"文件：{first.file}{count}")
    for r in reports:
        lines.append("")
        lines.append((f"【工作表“{r.sheet}”】" + ("（隐藏）" if r.hidden else "")) if r.sheet else "【内容】")
        if r.error is not None:
            lines.append(f"  无法读取：{r.error.render()}")
            continue
        ds = r.dataset
        rd = r.reading
        if rd is not None:
            lines.append(f"  结构：{rd.layout_cn}")
            if rd.title:
                lines.append(f"  标题：{rd.title}")
            lines.append("  判断依据：")
            lines += [f"    · {x}" for x in rd.reasons]
            cols = [c for c in rd.columns if c.role == "value"]
            if cols:
                lines.append("  数值列：" + "；".join(f"{_col(c.index, r.sheet)} {describe_column(c)}" for c in cols))
        else:
            lines.append("  结构：YAML/JSON 记录")
        inds = [f"{i.name}（{i.unit}）" if i.unit else i.name for i in ds.indicators.values()]
        lines.append(f"  指标（{len(inds)}个）：{_join(inds) or '无'}")
        regs = ds.regions()
        named = [x for x in regs if x and x not in TOTAL_LABELS]
        if named:
            lines.append(f"  地区（{len(named)}个）：{_join(named)}")
        if "" in regs:
            lines.append("  没有地区列的数：属于配置中的 region（本地区）")
        if rd is not None and rd.totals:
            lines.append("  合计行：" + "；".join(rd.totals) + "（生成时作为配置中的本地区，即地区树的根）")
        pers = ds.periods()
        lines.append(f"  时期（{len(pers)}个）：{_join([_period_cn(p) for p in pers], 12) or '无'}")
        values = sum(1 for o in ds.obs.values() if o.value is not None)
        empty = sum(1 for o in ds.obs.values() if o.value is None and not o.published)
        pub = sum(len(o.published) for o in ds.obs.values())
        lines.append(f"  数值：{values}个" + (f"，公布的增速、排名等{pub}个" if pub else "")
                     + (f"，空格{empty}个" if empty else ""))
        if rd is not None and rd.ignored:
            lines.append("  已忽略：")
            lines += [f"    · {x}" for x in rd.ignored]
    lines.append("")
    lines.append("可粘贴到配置中的片段（file: 的路径相对于配置文件所在目录，请按实际位置修改）：")
    lines.append("")
    lines.append(snippet(reports))
    return "\n".join(lines)


def _col(j: int, sheet: str | None) -> str:
    s = ""
    c = j + 1
    while c:
        c, rem = divmod(c - 1, 26)
        s = chr(65 + rem) + s
    return f"{s}列" if sheet is not None else f"第{j + 1}列"


def _decimals(ds: Dataset, indicator: str) -> int:
    vals = [o.value for (i, _r, _p), o in ds.obs.items() if i == indicator and o.value is not None]
    return min(2, max((zh.decimals_of(v) for v in vals), default=0))


def snippet(reports: list[SheetReport]) -> str:
    """A starter config from what was read: `name`/`meta`, `region`, `period`, `regions`, `data`,
    `metrics`, and one section (a sentence, a regions table, a chart) — it builds as it is."""
    ok = [r for r in reports if r.error is None]
    out: list[str] = []
    place = next((r.place for r in ok if r.place), None)
    region = place or "本市"
    regions: list[str] = []
    for r in ok:
        regions += [x for x in r.dataset.regions() if x and x not in regions and x not in TOTAL_LABELS]
    # The briefing's period: the latest one the sheets with regions have (else any sheet's latest).
    with_regions = [r for r in ok if any(r.dataset.regions())] or ok
    codes = [p for r in with_regions for p in r.dataset.periods() if periods.parse(p).kind != "other"]
    latest = max(codes, key=periods.sort_key) if codes else None
    out.append("name: 简报                 # 输出文件名（不含扩展名）")
    out.append("meta:")
    out.append("  title: \"{{ period | period_cn }}主要指标情况\"   # 标题，按需要改写")
    out.append("  organ: \"\"                # 请填写编发单位，如 宜昌市科学技术局（印在报头中）")
    hint = "" if place else "            # 请改成本地区名称（合计行、没有地区列的数都属于它）"
    out.append(f"region: {region}{hint}")
    if latest:
        out.append(f"period: {zh.period_label(periods.parse(latest))}      # {latest}，数据中最新的时期")
    if len(regions) > 1:
        out.append("regions:                  # 地区树：全市数由各县市区合计；可再分组，见 README")
        out.append(f"  {region}: [{', '.join(regions)}]")
    out.append("data:")
    for r in ok:
        out.append(f"  - file: {_quote(r.file)}")
        if r.sheet:
            out.append(f"    sheet: {_quote(r.sheet)}")
    out.append("metrics:")
    taken: set[str] = set()
    keys: dict[str, str] = {}
    summable: list[str] = []
    for r in ok:
        for ind in r.dataset.indicators.values():
            if ind.name in keys:
                continue  # the same indicator in two sheets (county figures, monthly figures) is one metric
            key = terms.suggest_key(ind.name, taken)
            taken.add(key)
            keys[ind.name] = key
            extra = ""
            comment = ind.unit
            if ind.unit and not additive(ind.unit):
                extra = ", total: none"
                comment = f"{ind.unit}：全市数不能相加，请改为 total: 分子 / 分母 * 100 或删去本项后用公布数"
            elif latest and any(ds_has(r, ind.name, reg, latest) for reg in regions):
                summable.append(key)
            out.append(f"  {key}: {{indicator: {_quote(ind.name)}, decimals: {_decimals(r.dataset, ind.name)}"
                       f"{extra}}}" + (f"   # {comment}" if comment else ""))
    out += _starter(ok, keys, summable, regions, latest)
    return "\n".join(out)


def ds_has(r: SheetReport, indicator: str, region: str, period: str) -> bool:
    """Whether a sheet has a value for (indicator, region, period)."""
    o = r.dataset.get(indicator, region, period)
    return o is not None and o.value is not None


def _starter(ok: list[SheetReport], keys: dict[str, str], summable: list[str], regions: list[str],
             latest: str | None) -> list[str]:
    """One section that builds: a sentence and a table of the first indicators, a chart."""
    if not keys or latest is None:
        return []
    prev = periods.previous(latest)
    first = summable[0] if summable else next(iter(keys.values()))
    has_prev = any(r.dataset.get(ind, reg, prev) is not None for r in ok for ind in keys
                   for reg in (regions or [""]))
    growth = "{{ " + first + " | change | lead }}" if has_prev else ""
    out = ["sections:                 # 起步用的一节：可直接 briefgen build，再按需要改写", "  - heading: 主要指标",
           "    text: |", f"      {{{{ period | period_cn }}}}，全市{{{{ {first}.name }}}}{{{{ {first} }}}}{growth}。"]
    if len(regions) > 1 and summable:
        shows = ["[value, yoy, rank]", "[value, yoy]"] if has_prev else ["[value, rank]", "[value]"]
        cols = ", ".join(f"{{metric: {k}, show: {shows[min(i, 1)]}}}" for i, k in enumerate(summable[:2]))
        out += ["    tables:", "      - caption: \"{{ period | period_cn }}各地区主要指标\"", "        kind: regions",
                f"        columns: [{cols}]", "        total: top",
                "    charts:", "      - type: hbar_rank",
                f"        caption: \"{{{{ period | period_cn }}}}各地区{{{{ {first}.name }}}}\"",
                "        x: regions", "        sort: desc", f"        series: [{{metric: {first}}}]"]
    return out


def _quote(s: str) -> str:
    """A YAML scalar, quoted when it would otherwise not read back as the same text."""
    if re.search(r"[:#\[\]{},&*!|>'\"%@`]|^\s|\s$|^[-?]", s) or s.lower() in ("yes", "no", "true", "false", "null"):
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return s
