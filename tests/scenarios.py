"""The robustness harness: every shipped example rebuilt under data that move, and the text read
for contradictions (imported by tests/e2e/test_robustness.py and usable from a script).

A scenario rewrites a copy of an example's dataset — the current period 30 % lower, equal to the
previous one, zero, without a previous period, below target, a rank lost, a benchmark above, a
net increase turning negative, random mixes — and keeps it coherent the way a statistics
bureau's data are: published comparison figures of a changed value are dropped (a bureau would
publish new ones) and a net-increase indicator stays the difference of its level.
"""

from __future__ import annotations

import copy
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import docx
import pdfplumber

from briefgen import zh
from briefgen.config import Config, load_config
from briefgen.data import Dataset, Obs, load_dataset
from briefgen.metrics import MetricBook, guess_measure
from briefgen.model import Document, Heading, Paragraph, Table
from briefgen.phrases import is_count
from support import ROOT

EXAMPLES = [
    ROOT / "seeds" / "yichang-2021" / "briefing.yaml",
    ROOT / "seeds" / "yichang-2021-report" / "briefing.yaml",
    ROOT / "seeds" / "tongji-2022-06" / "briefing.yaml",
    ROOT / "seeds" / "zhengwu-2022-15" / "briefing.yaml",
    ROOT / "seeds" / "kejiju-county-2022-09" / "briefing.yaml",
    ROOT / "seeds" / "batch-demo" / "county.yaml",
]
# The batch template is built for every county and month: two more of its jobs.
VARIANTS = [(p, []) for p in EXAMPLES] + [
    (ROOT / "seeds" / "batch-demo" / "county.yaml", ["region=五峰土家族自治县", "period=2024-04"]),
    (ROOT / "seeds" / "batch-demo" / "county.yaml", ["region=猇亭区", "period=2024-01"]),
]

COMPARISON_FIELDS = ("yoy", "net", "pp")


# ---------------------------------------------------------------------------
# An example and its data
# ---------------------------------------------------------------------------


@dataclass
class Example:
    """A loaded example: its config, its data and what each indicator measures."""

    path: Path
    cfg: Config
    ds: Dataset
    kinds: dict[str, str] = field(default_factory=dict)  # indicator → level/ratio/growth/net
    fixed_region: set[str] = field(default_factory=set)  # indicators used as benchmarks (province…)
    targets: set[str] = field(default_factory=set)  # indicators that are targets of others

    @property
    def name(self) -> str:
        base = self.path.parent.name if self.path.name == "briefing.yaml" else self.path.stem
        if self.cfg.model.name != base and self.path.name != "briefing.yaml":
            return f"{base}({self.cfg.model.region},{self.period})"
        return base

    @property
    def period(self) -> str:
        return self.cfg.model.period

    @property
    def previous(self) -> str:
        book = MetricBook(self.ds, {}, region=self.cfg.model.region, period=self.period,
                          previous=self.cfg.model.previous)
        return book.previous_of(self.period)


def load_example(path: Path, overrides: list[str] | None = None, templates: list[Path] | None = None) -> Example:
    """Config, data and the measure of each indicator the config's metrics name."""
    cfg = load_config(path, overrides, templates)
    ds = load_dataset(cfg)
    ex = Example(path, cfg, ds)
    book = MetricBook(ds, cfg.model.metrics, region=cfg.model.region, period=cfg.model.period)
    for ind in ds.indicators:
        ex.kinds[ind] = guess_measure(ind, ds.indicators[ind].unit)
    for _key, d in book.defs.items():
        if not d.formula:
            ex.kinds[d.indicator] = d.kind
            if d.region:
                ex.fixed_region.add(d.indicator)
        if isinstance(d.target, str) and d.target in book.defs:
            ex.targets.add(book.defs[d.target].indicator)
    for ind in ds.indicators:
        if ind.endswith(("排名", "位次")):
            ex.kinds[ind] = "rank"  # a place, not a figure: only lost_rank moves it
    return ex


def copy_dataset(ds: Dataset) -> Dataset:
    out = Dataset()
    out.indicators = copy.deepcopy(ds.indicators)
    # The cells stay where they are (a changed value still stands in its cell, for the audit).
    out.obs = {k: Obs(o.value, dict(o.published), o.derived, o.where, o.src, dict(o.pub_src))
               for k, o in ds.obs.items()}
    return out


def _decimals(ds: Dataset, ind: str) -> int:
    return max((zh.decimals_of(o.value) for (i, _r, _p), o in ds.obs.items() if i == ind and o.value is not None),
               default=0)


def _set(ds: Dataset, key: tuple[str, str, str], value: float | None, keep: tuple[str, ...] = ()) -> None:
    """A new value, rounded as the indicator's data are; its published comparisons dropped."""
    o = ds.obs.get(key)
    if value is not None:
        value = zh.round_to(value, _decimals(ds, key[0]))
    if o is None:
        if value is not None:
            ds.obs[key] = Obs(value)
        return
    o.value = value
    # Published comparisons and ranks of a changed value are stale; a bureau would publish new ones.
    for f in (*COMPARISON_FIELDS, "rank", "rank_prev"):
        if f not in keep:
            o.published.pop(f, None)


def _current(ex: Example, ds: Dataset, ranks: bool = False) -> list[tuple[str, str, str]]:
    """The current period's observations (rank indicators only when asked)."""
    return [k for k, o in ds.obs.items() if k[2] == ex.period and o.value is not None
            and (ranks or ex.kinds.get(k[0]) != "rank")]


def _net_pairs(ds: Dataset) -> list[tuple[str, str]]:
    """(net indicator, its level): 高新技术企业净增数 ↔ 高新技术企业数."""
    out = []
    for ind in ds.indicators:
        if "净增" in ind:
            level = ind.replace("净增数", "数").replace("净增", "")
            if level in ds.indicators and level != ind:
                out.append((ind, level))
    return out


def cohere(ex: Example, ds: Dataset) -> None:
    """Keep derived indicators true to their levels: a net increase is the difference of its level."""
    prev = ex.previous
    for net_ind, level in _net_pairs(ds):
        for (ind, reg, per), o in list(ds.obs.items()):
            if ind != level or per != ex.period:
                continue
            p = ds.get(level, reg, prev)
            key = (net_ind, reg, per)
            if o.value is not None and p is not None and p.value is not None and key in ds.obs:
                _set(ds, key, o.value - p.value)
            o.published.pop("net", None)


# ---------------------------------------------------------------------------
# Scenarios
# ---------------------------------------------------------------------------

Scenario = Callable[[Example, Dataset, random.Random], None]


def _scale(ex: Example, ds: Dataset, factor: float) -> None:
    for key in _current(ex, ds):
        ind = key[0]
        if ind in ex.fixed_region or ind in ex.targets:
            continue
        v = ds.obs[key].value
        assert v is not None
        kind = ex.kinds.get(ind, "level")
        if kind == "growth":
            _set(ds, key, (1 + v / 100) * factor * 100 - 100)
        else:
            _set(ds, key, v * factor)


def down30(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """The current period's figures 30 % lower (a growth rate as the level 30 % lower would give)."""
    _scale(ex, ds, 0.7)


def up_half(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """The current period 50 % higher (growth rates above 100 % on the way)."""
    _scale(ex, ds, 1.5)


def flat(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """The current period equal to the previous one; growth rates zero."""
    prev = ex.previous
    for key in _current(ex, ds):
        ind, reg, _per = key
        if ind in ex.fixed_region or ind in ex.targets:
            continue
        kind = ex.kinds.get(ind, "level")
        if kind == "growth":
            _set(ds, key, 0.0)
            continue
        p = ds.get(ind, reg, prev)
        if p is not None and p.value is not None:
            _set(ds, key, p.value)


def zeros(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """Counts of the current period zero (nothing new this period) and growth rates zero;
    amounts such as GDP keep their values."""
    for key in _current(ex, ds):
        ind = key[0]
        if ind in ex.fixed_region or ind in ex.targets:
            continue
        if ex.kinds.get(ind) == "growth" or is_count(ds.indicators[ind].unit):
            _set(ds, key, 0.0)


def no_previous(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """A first-year briefing: nothing before the current period, no published comparisons."""
    for key in list(ds.obs):
        if key[2] != ex.period and key[0] not in ex.targets and _before(key[2], ex.period):
            del ds.obs[key]
    for key in _current(ex, ds, ranks=True):
        for f in (*COMPARISON_FIELDS, "rank_prev"):
            ds.obs[key].published.pop(f, None)


def _before(a: str, b: str) -> bool:
    return str(a) < str(b) and str(a)[:4] < str(b)[:4]


def below_target(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """Every target 25 % above what was reached."""
    m = ex.cfg.model
    for _key, mc in m.metrics.items():
        if mc.target is None:
            continue
        ind = mc.indicator or mc.name
        cur = ds.get(ind, m.region, ex.period)
        if cur is None or cur.value is None:
            continue
        goal = cur.value * 1.25
        if isinstance(mc.target, str) and mc.target in m.metrics:
            tind = m.metrics[mc.target].indicator or mc.target
            _set(ds, (tind, m.region, ex.period), goal)
        cur.published.pop("target", None)
        if not isinstance(mc.target, str):
            cur.published["target"] = goal


def lost_rank(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """Published ranks five places worse than before; the home region last among its peers."""
    for key in _current(ex, ds, ranks=True):
        pub = ds.obs[key].published
        if "rank" in pub:
            base = pub.get("rank_prev", pub["rank"])
            pub["rank"] = base + 5
            if "rank_of" in pub:
                pub["rank_of"] = max(pub["rank_of"], pub["rank"])
            if ex.kinds.get(key[0]) == "rank":
                ds.obs[key].value = pub["rank"]
    region = ex.cfg.model.region
    for key in _current(ex, ds):
        ind, reg, per = key
        if reg != region or ind in ex.fixed_region:
            continue
        peers = [o.value for (i, r, p), o in ds.obs.items() if i == ind and p == per and r != reg
                 and o.value is not None]
        if len(peers) >= 2:
            low = min(peers)
            _set(ds, key, low * 0.9 if low > 0 else low - 1)


def bench_above(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """Benchmarks (province, nation) 30 points above."""
    for key in _current(ex, ds):
        if key[0] in ex.fixed_region:
            v = ds.obs[key].value
            assert v is not None
            _set(ds, key, v + 30)


def net_negative(ex: Example, ds: Dataset, rnd: random.Random) -> None:
    """Net increases turn negative: each level falls below the previous period."""
    prev = ex.previous
    for key in _current(ex, ds):
        ind, reg, _per = key
        if ind in ex.fixed_region or ind in ex.targets:
            continue
        kind = ex.kinds.get(ind, "level")
        p = ds.get(ind, reg, prev)
        if kind == "net":
            base = p.value if p is not None and p.value is not None else ds.obs[key].value
            _set(ds, key, -abs(base or 10) * 0.4)
        elif kind == "level" and p is not None and p.value is not None:
            _set(ds, key, p.value * 0.9)
        elif kind == "growth":
            _set(ds, key, -abs(ds.obs[key].value or 0) - 1.5)


def mixed(seed: int) -> Scenario:
    """Random mixes: each current figure moved by a factor drawn from rises, falls, flats and zeros;
    some previous values dropped."""

    def run(ex: Example, ds: Dataset, rnd: random.Random) -> None:
        r = random.Random(seed)
        prev = ex.previous
        for key in _current(ex, ds):
            ind, reg, _per = key
            if ind in ex.targets:
                continue
            v = ds.obs[key].value
            assert v is not None
            kind = ex.kinds.get(ind, "level")
            if kind == "growth":
                _set(ds, key, r.choice([-25.0, -8.4, -0.04, 0.0, 0.04, 3.3, 11.6, 48.0, 150.0]))
            else:
                p = ds.get(ind, reg, prev)
                base = p.value if p is not None and p.value is not None else v
                factors = [0.3, 0.7, 0.95, 0.9995, 1.0, 1.0004, 1.05, 1.3, 2.5]
                if is_count(ds.indicators[ind].unit):
                    factors.append(0.0)  # nothing new this period; an amount such as GDP is never zero
                _set(ds, key, base * r.choice(factors))
            if r.random() < 0.15:
                p = ds.get(ind, reg, prev)
                if p is not None:
                    del ds.obs[(ind, reg, prev)]
        for key in _current(ex, ds, ranks=True):
            pub = ds.obs[key].published
            if ex.kinds.get(key[0]) == "rank" and "rank" in pub:
                pub["rank"] = r.randint(1, int(pub.get("rank_of", 120)))
                ds.obs[key].value = pub["rank"]

    run.__doc__ = f"随机组合（种子 {seed}）"
    return run


SCENARIOS: dict[str, Scenario] = {
    "original": lambda ex, ds, rnd: None,
    "down30": down30,
    "flat": flat,
    "up_half": up_half,
    "zeros": zeros,
    "no_previous": no_previous,
    "below_target": below_target,
    "lost_rank": lost_rank,
    "bench_above": bench_above,
    "net_negative": net_negative,
    **{f"mixed{s}": mixed(s) for s in range(6)},
}


def scenario_data(ex: Example, name: str) -> Dataset:
    ds = copy_dataset(ex.ds)
    SCENARIOS[name](ex, ds, random.Random(name))
    cohere(ex, ds)
    return ds


# ---------------------------------------------------------------------------
# Reading a document back
# ---------------------------------------------------------------------------


@dataclass
class Text:
    """A document's words as a reader meets them: title, headings with the first sentence under
    each, body paragraphs and metrics tables."""

    title: str = ""
    paragraphs: list[str] = field(default_factory=list)
    headings: list[tuple[str, str]] = field(default_factory=list)  # (heading, first sentence below)
    tables: list[list[list[str]]] = field(default_factory=list)

    @property
    def all(self) -> str:
        return "\n".join([self.title, *(h for h, _ in self.headings), *self.paragraphs])


def document_text(doc: Document) -> Text:
    t = Text(title=doc.meta.title + doc.meta.subtitle)
    pending: list[int] = []
    for b in doc.blocks:
        if isinstance(b, Heading):
            t.headings.append((b.text, ""))
            pending.append(len(t.headings) - 1)
        elif isinstance(b, Paragraph):
            t.paragraphs.append(b.text)
            for i in pending:
                t.headings[i] = (t.headings[i][0], first_sentence(b.text))
            pending = []
        elif isinstance(b, Table):
            t.tables.append([b.header, *b.rows])
    if t.paragraphs:
        t.headings.insert(0, (t.title, first_sentence(t.paragraphs[0])))
    return t


def first_sentence(text: str) -> str:
    return re.split(r"[。；]", text, maxsplit=1)[0]


# ---------------------------------------------------------------------------
# Contradictions
# ---------------------------------------------------------------------------

UP = "增长|提高|上升|增加(?!值)|扩大|加快|回升|净增|多增|高出|超额|突破|超过"
DOWN = "下降|降低|减少|收窄|回落|净减|少增|多减|低于|降至"
PRAISE = ("跨越式增长", "增势强劲", "量质齐升", "稳中有进", "稳中向好", "大幅增长", "较快增长", "快速增长",
          "持续加大", "明显增强", "成效明显", "明显成效", "加快壮大", "稳步增长", "持续提升",
          "显著提升")
DECLINE = ("下降", "降低", "减少", "净减", "回落", "少增", "多减", "降至", "转为下降")

_CHECKS: list[tuple[str, re.Pattern[str]]] = [
    ("负数写在方向词或数值处", re.compile(r"(?<![\d.])[-−－]\s?\d")),
    ("零变化写成了变化", re.compile(rf"(?:{UP}|{DOWN}|上升|下降)[^，。；\d]{{0,12}}?(?<![\d.])0(?:\.0+)?"
                              r"(?![\d.])(?:%|个百分点|位|倍|[家个户件项亿万元])")),
    ("“比……持平”", re.compile(r"(?:比|较)[^，。；、与]{0,10}持平")),
    ("同一个变化词连写", re.compile(r"(增长|下降|提高|降低|增加|减少|持平|上升|比上年|同比)\1")),
    ("比较词重复", re.compile(r"(?:比上年|同比|较上年度?)(?:比上年|同比|较上年|与上年)")),
    ("方向词后接持平", re.compile(r"(?:增长|下降|提高|降低|增加|减少|上升)(?:与上年|持平)")),
    ("净减却写增长", re.compile(r"净减[\d.]+[^，。；\d]{0,3}，(?:比上年|同比)?增长")),
    ("净增却写下降", re.compile(r"净增[\d.]+[^，。；\d]{0,3}，(?:比上年|同比)?下降")),
    ("升到却比上年下降", re.compile(r"(?:提高到|增加到|上升到|增至|达到)[^，。；]*，(?:比上年|同比|较上年度?)(?:下降|降低|减少)")),
    ("降到却比上年增长", re.compile(r"(?:降至|下降到|减少到)[^，。；]*，(?:比上年|同比|较上年度?)(?:增长|提高|增加)")),
    ("标点或空子句残留", re.compile(r"[，、；：]{2,}|[，、；：]。|（）|（见）|^[，。；、]|为。|为，|None|nan|Undefined")),
]


def check_sentence(s: str) -> list[str]:
    """Contradictions inside one stretch of text (a sentence, heading or title)."""
    out = [f"{what}：{s}" for what, pat in _CHECKS if pat.search(s)]
    for m in re.finditer(r"超额完成[^，。；]*?为目标的(\d+(?:\.\d+)?)%", s):
        if float(m.group(1)) < 100:
            out.append(f"未完成却写超额：{s}")
    for m in re.finditer(r"完成[^，。；超]*?目标的(\d+(?:\.\d+)?)%", s):
        if float(m.group(1)) >= 100 and "超额" not in s and "提前" not in s:
            out.append(f"超额完成却未说：{s}")
    for sentence in re.split(r"[。；]", s):
        if any(p in sentence for p in PRAISE) and any(d in sentence for d in DECLINE):
            out.append(f"下降旁边的赞语：{sentence}")
    return out


def _numbers(text: str, unit: str) -> list[float]:
    return [float(m.group(1)) for m in re.finditer(rf"(?<![突破超过\d.])(\d+(?:\.\d+)?){re.escape(unit)}", text)]


def check_milestones(text: str) -> list[str]:
    """突破850家 / 超过850家 must be backed by a figure of the same unit that reaches it."""
    out = []
    for m in re.finditer(r"(突破|超过)(\d+(?:\.\d+)?)(家|个|户|件|项|亿元|万元|元|人)", text):
        n, unit = float(m.group(2)), m.group(3)
        stated = [v for v in _numbers(text, unit) if n <= v < 2 * n]
        if not stated:
            out.append(f"{m.group(1)}{m.group(2)}{unit}，但文中没有达到它的数值")
    return out


def _num(cell: str) -> float | None:
    try:
        return float(cell.replace(",", ""))
    except ValueError:
        return None


def check_table(rows: list[list[str]]) -> list[str]:
    """A metrics table (指标 | 单位 | 本期 | 上期 | 增减): the change cell agrees with the two values,
    no growth rate where a value changed sign, no zero worded as a change."""
    out = []
    header = rows[0]
    if len(header) < 5 or header[0] != "指标":
        return out
    for r in rows[1:]:
        cur, prev, cell = _num(r[2]), _num(r[3]), r[4]
        for what, pat in _CHECKS[:3]:
            if pat.search(cell):
                out.append(f"表格 {r[0]}：{what}：{cell}")
        if cur is None or prev is None or cell in ("", "—"):
            continue
        if (prev <= 0 or cur < 0) and re.search(r"(增长|下降)[\d.]+%", cell):
            out.append(f"表格 {r[0]}：变号或基数非正却写增速：{r[2]} / {r[3]} → {cell}")
        if cell.endswith("*"):
            continue
        d = cur - prev
        up = re.match(r"(增长|提高|增加|多增|少减)", cell)
        down = re.match(r"(下降|降低|减少|少增|多减)", cell)
        if (up and d <= 0) or (down and d >= 0) or (cell == "持平" and abs(d) > 1e-9 * max(1, abs(cur))):
            out.append(f"表格 {r[0]}：增减与数值不符：{r[2]} / {r[3]} → {cell}")
    return out


FIGURE_IN_HEADING = re.compile(r"(?<![突破超过\d.])(\d+(?:\.\d+)?(?:家|个|户|件|项|亿元|万元|人|位|%))")


def contradictions(t: Text) -> list[str]:
    """Every contradiction found in a document's text."""
    out: list[str] = []
    for block in [t.title, *t.paragraphs]:
        out += check_sentence(block)
    body = "".join(t.paragraphs)
    for heading, first in t.headings:
        out += check_sentence(heading)
        if any(p in heading for p in PRAISE) and any(d in first for d in DECLINE):
            out.append(f"标题赞语而首句下降：{heading} / {first}")
        for m in FIGURE_IN_HEADING.finditer(heading):
            if m.group(1) not in body:
                out.append(f"标题中的数字正文里没有（标题写死了数字？）：{heading}")
    out += check_milestones(t.all)
    for rows in t.tables:
        out += check_table(rows)
    return out


def docx_text(path: Path) -> Text:
    """A DOCX read back with python-docx: paragraphs as written, tables as rows."""
    d = docx.Document(str(path))
    paras = [p.text for p in d.paragraphs if p.text.strip()]
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in d.tables]
    return Text(title="", paragraphs=paras, tables=tables)


def pdf_text(path: Path) -> Text:
    """A PDF read back with pdfplumber, tables left out of the running text (their negative
    growth rates are figures, not words) and the text joined into sentences across lines."""
    parts = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            boxes = [t.bbox for t in page.find_tables()]

            def outside(obj: dict, boxes: list = boxes) -> bool:
                return not any(x0 - 1 <= obj.get("x0", 0) and obj.get("x1", 0) <= x1 + 1 and top - 1 <= obj.get("top", 0)
                               and obj.get("bottom", 0) <= bottom + 1 for x0, top, x1, bottom in boxes)

            text = page.filter(outside).extract_text() or ""
            parts.append(re.sub(r"^—\s*\d+\s*—$", "", text, flags=re.M))
    flat = re.sub(r"\s+", "", "".join(parts))
    return Text(title="", paragraphs=[s + "。" for s in flat.split("。") if s])


# ---------------------------------------------------------------------------
# A bureau workbook with a total row (全市 / 合计 / the city's own name, at the top or the bottom)
# ---------------------------------------------------------------------------

COUNTIES = ["夷陵区", "西陵区", "伍家岗区", "点军区", "猇亭区", "宜都市", "当阳市", "枝江市"]
#: (label of the total row, where it stands): the shapes statistics bureaus send.
TOTAL_ROW_SHAPES = [("全市", "top"), ("合计", "bottom"), ("宜昌市", "top"), ("宜昌市", "bottom"), ("合计", "top")]

_TOTAL_ROW_CONFIG = """\
name: 上半年科技简报
template: kejiju
region: 宜昌市
period: 2023年1—6月
regions:
  宜昌市: [{counties}]
meta:
  issue: 7
  organ: 宜昌市科学技术局
  date: 2023-07-20
  title: "{{{{ period | period_short }}}}全市高新技术产业{{{{ grade(hti) or '发展情况' }}}}"
data:
  - file: data/县市区指标.xlsx
    sheet: 县市区
metrics:
  hte: {{indicator: 高新技术企业数, decimals: 0}}
  hti: {{indicator: 高新技术产业增加值, decimals: 1}}
  rd: {{indicator: 研发经费投入强度, decimals: 1}}
conditions:
  county_growth: ranking("hti") | selectattr("value.has_prev") | list | length > 0
intro: |
  {{{{ period | period_cn }}}}，全市高新技术产业增加值{{{{ hti }}}}{{{{ hti | change | lead }}}}；高新技术企业{{{{ hte | reach }}}}{{{{ hte | change | lead }}}}。
sections:
  - heading: 各县市区概况
    text: |
      分县市区看，{{% if hte | top_regions(1) %}}高新技术企业数{{{{ hte | top_regions(2) | lead("居前两位的是") }}}}{{{{ hte | bottom_regions(1) | lead("，末位是") }}}}；{{% endif %}}高新技术产业增加值{{{{ hti | regions_count }}}}，{{{{ leader(hti) }}}}总量居首位。研发经费投入强度{{{{ above(rd) }}}}。
    charts:
      - type: hbar_rank
        caption: 各县市区高新技术企业数
        x: regions
        sort: desc
        series: [{{metric: hte}}]
  - heading: 各县市区增长情况
    template: counties.j2
    tables:
      - caption: 各县市区主要科技指标
        kind: regions
        columns:
          - {{metric: hte, show: [value, yoy, rank]}}
          - {{metric: hti, show: [value, yoy]}}
        total: top
        total_label: 全市
    charts:
      - type: hbar_rank
        caption: 各县市区高新技术产业增加值增速
        when: county_growth
        x: regions
        sort: desc
        series: [{{metric: hti, field: yoy, name: 高新技术产业增加值增速}}]
"""


def write_total_row_bureau(dest: Path, label: str = "全市", at: str = "top") -> Path:
    """A 科技局 folder as a clerk makes it: the bureau's workbook (title row, header 县市区|指标|单位|本期|
    上年同期|增速（%）|全年目标|备注, a total row per indicator written `label` at the `at` end, 8 counties),
    a config declaring the region tree, and the county-workbook example's counties.j2. Returns the config."""
    from openpyxl import Workbook

    hte, hte_p = [120, 95, 80, 30, 60, 110, 90, 85], [105, 90, 70, 28, 55, 100, 85, 80]
    hti, hti_p = [52.3, 40.1, 33.2, 8.4, 45.0, 61.2, 38.7, 44.9], [47.0, 36.5, 30.1, 8.0, 41.2, 55.8, 35.0, 40.3]
    rd, rd_p = [2.8, 3.1, 2.4, 1.2, 3.5, 2.6, 1.9, 2.2], [2.6, 3.0, 2.3, 1.1, 3.3, 2.5, 1.8, 2.1]
    wb = Workbook()
    ws = wb.active
    ws.title = "县市区"
    ws.append(["宜昌市2023年1—6月各县市区主要科技指标"])
    ws.merge_cells("A1:H1")
    ws.append(["县市区", "指标", "单位", "本期", "上年同期", "增速（%）", "全年目标", "备注"])
    total = [[label, "高新技术企业数", "家", sum(hte), sum(hte_p), None, None, ""],
             [label, "高新技术产业增加值", "亿元", round(sum(hti), 1), round(sum(hti_p), 1), None, None, ""],
             [label, "研发经费投入强度", "%", 2.5, 2.4, None, None, ""]]
    rows = [[c, ind, unit, cur[i], prev[i], None, None, ""] for i, c in enumerate(COUNTIES)
            for ind, unit, cur, prev in (("高新技术企业数", "家", hte, hte_p), ("高新技术产业增加值", "亿元", hti, hti_p),
                                         ("研发经费投入强度", "%", rd, rd_p))]
    for r in (total + rows if at == "top" else rows + total):
        ws.append(r)
    ws.append(["注：数据为示例（虚构）。"])
    (dest / "data").mkdir(parents=True, exist_ok=True)
    (dest / "templates").mkdir(exist_ok=True)
    wb.save(dest / "data" / "县市区指标.xlsx")
    county = ROOT / "seeds" / "kejiju-county-2022-09" / "templates" / "counties.j2"
    (dest / "templates" / "counties.j2").write_text(county.read_text(encoding="utf-8"), encoding="utf-8")
    cfg = dest / "briefing.yaml"
    cfg.write_text(_TOTAL_ROW_CONFIG.format(counties=", ".join(COUNTIES)), encoding="utf-8")
    return cfg


def region_claims(text: str, total: str = "宜昌市", noun: str = "县市区", count: int = len(COUNTIES)) -> list[str]:
    """Sentences that rank, count or name the total as if it were one of the regions: 宜昌市（670家）,
    居首位的是宜昌市, 宜昌市总量居首位, 9个县市区 when there are 8."""
    out = []
    for s in re.split(r"[。；]", text):
        if re.search(rf"{total}（|(?:的是|末位是){total}|{total}(?:总量|增速)?(?:居首位|最高|最低)", s):
            out.append(f"合计当作地区：{s}")
        for m in re.finditer(rf"(\d+)个{noun}", s):
            if int(m.group(1)) > count:
                out.append(f"地区个数超过{count}：{s}")
    return out
