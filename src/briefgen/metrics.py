"""Metric catalogue and derived figures.

A metric is an indicator from the data (or a formula over other metrics) seen
at one region and period. Derived figures — growth, net change, share,
percentage points, rank, target completion, CAGR — are computed here; where
the data carries a published figure it wins, and a disagreement beyond
rounding becomes a warning.

Totals: a parent of the region tree (全市) that has no figure of its own gets
the sum of its children for additive indicators, or its `total:` formula
(a ratio recomputed from the totals of its numerator and denominator, never a
sum of percentages); a published figure for the parent wins, with a warning
when it differs from the total.
"""

from __future__ import annotations

import bisect
import difflib
import math
from dataclasses import dataclass
from typing import Any

from briefgen import periods, zh
from briefgen.config import MetricCfg
from briefgen.data import Dataset, Obs
from briefgen.errors import BriefgenError, MissingDataError
from briefgen.formula import Formula, Operand, Ref, compile_formula, metric_key
from briefgen.provenance import Difference, Prov, Source, prov_of, traced
from briefgen.regions import RegionTree

#: Units whose figures cannot be added up across regions (a sum of percentages means nothing).
NON_ADDITIVE_UNITS = frozenset({"%", "％", "‰", "倍", "个百分点", "百分点", "位", "名", "岁", "分"})


def additive(unit: str) -> bool:
    """Whether figures in `unit` add up across regions (亿元, 家: yes; %, 元/人, 位: no)."""
    return unit not in NON_ADDITIVE_UNITS and "/" not in unit and "每" not in unit


class _Missing(Exception):
    """A formula function met a missing value; the reason goes to why_missing."""

# --- pure computations, unit-tested on their own ---------------------------

def growth_pct(cur: float | None, prev: float | None) -> float | None:
    """Year-on-year growth in percent; None when it cannot be computed.

    A negative base (a loss, a deficit) has no meaningful growth rate: statistics
    bureaus write 扭亏/减亏 instead, so it is left to a published figure or the text.
    """
    if cur is None or prev is None or prev <= 0:
        return None
    g = (cur / prev - 1.0) * 100.0
    return g if math.isfinite(g) else None  # 1e300 / 1e-300 overflows: no meaningful growth


def share_pct(part: float | None, total: float | None) -> float | None:
    """part / total in percent; None when either is missing or the total is zero."""
    if part is None or total is None or total == 0:
        return None
    return part / total * 100.0


def cagr_pct(first: float | None, last: float | None, years: float) -> float | None:
    """Average annual growth over `years`, in percent; None where it is undefined."""
    if first is None or last is None or first <= 0 or last < 0 or years <= 0:
        return None
    return ((last / first) ** (1.0 / years) - 1.0) * 100.0


def competition_rank(values: dict[str, float | None], higher_is_better: bool = True) -> dict[str, int]:
    """Standard competition ranking (1, 2, 2, 4): ties share the better place."""
    valid = {k: v for k, v in values.items() if v is not None}
    # Sorted once (O(n log n)): the places better than v are counted by bisection.
    # NaN is better than nothing and worse than nothing, as the pairwise comparison had it: place 1.
    ordered = sorted(-v if higher_is_better else v for v in valid.values() if v == v)
    return {k: bisect.bisect_left(ordered, -v if higher_is_better else v) + 1 if v == v else 1
            for k, v in valid.items()}


def guess_measure(name: str, unit: str) -> str:
    """The measure a metric's name and unit suggest: a percentage named 增速 is a growth rate,
    any other percentage a ratio, a name with 净增 a net increase, anything else a level."""
    if unit in ("%", "‰", "％"):
        return "growth" if any(w in name for w in GROWTH_NAMES) else "ratio"
    if "净增" in name or "净减" in name:
        return "net"
    return "level"


GROWTH_NAMES = ("增速", "增长率", "增幅", "同比增长", "增长速度")

# --- metric values as templates see them -----------------------------------

@dataclass
class MetricDef:
    """A metric as the catalogue defines it (name, indicator or formula, unit, decimals…)."""

    key: str
    name: str
    indicator: str
    unit: str
    decimals: int | None
    formula: str | None = None
    scale_to: str | None = None
    region: str | None = None
    target: float | str | None = None
    higher_is_better: bool = True
    note: str = ""
    period: str | None = None  # pinned period (canonical code)
    total: str | None = None  # sum | none | a formula over the parent's totals
    measure: str | None = None  # level | growth | ratio | net; None: guessed (see `kind`)

    @property
    def display_unit(self) -> str:
        return self.scale_to or self.unit

    @property
    def is_ratio(self) -> bool:
        return self.display_unit in ("%", "‰")

    @property
    def kind(self) -> str:
        """What the value is, which decides how a change is worded: ``level`` (an amount or count:
        增长/下降 %), ``ratio`` (a share or rate in %: 提高/降低 个百分点), ``growth`` (the value is
        itself a growth rate: 增长/下降), ``net`` (the value is a net increase: 净增/净减, 多增/少增)."""
        if self.measure:
            return self.measure
        return guess_measure(f"{self.name} {self.indicator}", self.display_unit)


class MetricValue:
    """One metric at one region and period; attributes are the derived figures."""

    def __init__(self, book: "MetricBook", d: MetricDef, region: str, period: str):
        self._book = book
        self.defn = d
        self.key = d.key
        self.name = d.name
        self.unit = d.display_unit
        self.decimals = d.decimals
        self.region = region
        self.period = period
        self.prev_period = book.previous_of(period)

    # provenance
    def _traced(self, method: str, value: float | int, inputs: tuple = (), *, note: str = "",
                sources: tuple = (), computed: float | None = None, unit: str | None = None) -> Any:
        """`value` with the provenance of a figure derived for this metric, region and period."""
        d = self.defn
        return traced(value, Prov(method, float(value), key=d.key, name=d.name, indicator=d.indicator,
                                  region=self.region, period=self.period,
                                  unit=self.unit if unit is None else unit, sources=sources,
                                  inputs=tuple((r, v) for r, v in inputs if v is not None), note=note,
                                  computed=computed))

    def _published_value(self, field: str, value: float, computed: Any = None, label: str = "",
                         unit: str | None = None) -> Any:
        o = self._obs()
        src = o.pub_src.get(field) if o is not None else None
        cp = prov_of(computed)
        inputs = cp.inputs if cp is not None else ()
        return self._traced("published", value, inputs, sources=(src,) if src else (),
                            computed=None if computed is None else float(computed), note=label, unit=unit)

    # raw access
    def _obs(self, period: str | None = None) -> Obs | None:
        return self._book.obs(self.defn, self.region, period or self.period)

    def _published(self, field: str) -> float | None:
        o = self._obs()
        return o.published.get(field) if o else None

    def published(self, field: str) -> float | None:
        """A figure the data publish with the value (yoy, net, pp, rank…), or None."""
        return self._published(field)

    @property
    def available(self) -> bool:
        return self._book.raw(self.defn, self.region, self.period) is not None

    @property
    def value(self) -> float:
        v = self._book.raw(self.defn, self.region, self.period)
        if v is None:
            raise self._book.missing(self.defn, self.region, self.period)
        return v

    @property
    def prev(self) -> float:
        v = self._book.raw(self.defn, self.region, self.prev_period)
        if v is None:
            raise self._book.missing(self.defn, self.region, self.prev_period, "（上期）")
        return v

    @property
    def has_prev(self) -> bool:
        return self._book.raw(self.defn, self.region, self.prev_period) is not None

    def _reconcile(self, field: str, label: str, computed: float | None, unit: str) -> float:
        pub = self._published(field)
        if pub is not None:
            self._book.difference(self, field, label, pub, computed, unit)
            pub = self._published_value(field, pub, computed, label, unit)
        if pub is None:
            if computed is None:
                raise MissingDataError(
                    f"无法计算“{self.name}”的{label}{f'（{self.region}）' if self.region else ''}："
                    f"缺少{_period_label(self.prev_period)}（上期）数据"
                    f"或上期为零（为负），且数据中未给出公布值",
                    where=self._book.label,
                    hint=self._book.ds.nearest(self.defn.indicator, self.region, self.prev_period)
                    if not self.defn.formula and not self.has_prev else None,
                )
            return computed
        if computed is not None:
            d = zh.decimals_of(pub)
            if zh.round_to(computed, d) != zh.round_to(pub, d):
                self._book.warn(
                    f"“{self.name}”{self.region}{_period_label(self.period)}{label}："
                    f"公布值 {zh.num(float(pub))}{unit} 与按数据计算的 "
                    f"{zh.num(float(computed), max(d, 1))}{unit} 不一致，采用公布值"
                )
        return pub

    def _pair(self) -> tuple[Any, Any]:
        return (self._book.raw(self.defn, self.region, self.period),
                self._book.raw(self.defn, self.region, self.prev_period))

    @property
    def yoy(self) -> float:
        """Growth over the same period of the previous year, in percent."""
        cur, prev = self._pair()
        g = growth_pct(cur, prev)
        computed = None if g is None else self._traced("growth", g, (("本期", cur), ("上期", prev)), unit="%")
        return self._reconcile("yoy", "同比增速", computed, "%")

    @property
    def yoy_is_published(self) -> bool:
        """The growth shown is a published figure that the two raw values do not reproduce
        (e.g. growth at comparable prices); tables mark such cells."""
        pub = self._published("yoy")
        computed = growth_pct(self._book.raw(self.defn, self.region, self.period),
                              self._book.raw(self.defn, self.region, self.prev_period))
        if pub is None or computed is None:
            return False
        d = zh.decimals_of(pub)
        return zh.round_to(computed, d) != zh.round_to(pub, d)

    @property
    def net(self) -> float:
        cur, prev = self._pair()
        computed = None if cur is None or prev is None else \
            self._traced("net", float(cur) - float(prev), (("本期", cur), ("上期", prev)))
        return self._reconcile("net", "净增量", computed, self.unit)

    @property
    def pp(self) -> float:
        """Change in percentage points (for metrics that are themselves percentages)."""
        if not self.defn.is_ratio:
            raise BriefgenError(
                f"“{self.name}”的单位是{self.unit or '（无）'}，不是百分数，不能用“百分点”表述变化",
                where=self._book.label, hint="增减量请用 .net，增速请用 .yoy",
            )
        cur, prev = self._pair()
        computed = None if cur is None or prev is None else \
            self._traced("pp", float(cur) - float(prev), (("本期", cur), ("上期", prev)), unit="个百分点")
        return self._reconcile("pp", "增减百分点", computed, "个百分点")

    @property
    def rank(self) -> int:
        pub = self._published("rank")
        if pub is not None:
            return self._published_value("rank", int(pub), label="排名", unit="")
        regs = self._book.default_regions(self.defn, self.period)
        ranks = self._book.ranks(self.defn, self.period, regs)
        if self.region not in ranks or len(ranks) < 2:
            # One region ranked alone is not "第一": without the others there is no rank.
            raise MissingDataError(f"无法计算“{self.name}”的排名：缺少各地区数据", where=self._book.label)
        order = "从高到低" if self.defn.higher_is_better else "从低到高"
        return self._traced("rank", ranks[self.region],
                            tuple((r, self._book.raw(self.defn, r, self.period)) for r in regs),
                            note=f"{len(ranks)}个地区按{self.name}{order}排名", unit="")

    @property
    def rank_prev(self) -> int:
        pub = self._published("rank_prev")
        if pub is not None:
            return self._published_value("rank_prev", int(pub), label="上期排名", unit="")
        prev = self._book.value(self.key, self.region, self.prev_period)
        return prev.rank

    @property
    def rank_change(self) -> int:
        """Places moved up since the previous period (positive = better)."""
        rp, r = self.rank_prev, self.rank
        return self._traced("rank_change", int(rp) - int(r), (("上期位次", rp), ("本期位次", r)),
                            note="上期位次 − 本期位次", unit="位")

    @property
    def rank_of(self) -> int:
        pub = self._published("rank_of")
        if pub is not None:
            return self._published_value("rank_of", int(pub), label="排名总数", unit="")
        regs = self._book.default_regions(self.defn, self.period)
        ranks = self._book.ranks(self.defn, self.period, regs)
        return self._traced("count", len(ranks), tuple((r, self._book.raw(self.defn, r, self.period))
                                                        for r in regs if r in ranks),
                            note="参与排名的地区数", unit="")

    @property
    def target(self) -> float:
        pub = self._published("target")
        if pub is not None:
            return self._published_value("target", pub, label="目标值")
        t = self.defn.target
        if t is None:
            raise BriefgenError(f"“{self.name}”没有设定目标值", where=self._book.label)
        if isinstance(t, (int, float)):
            return self._traced("config", float(t), note="配置中的目标值",
                                sources=(Source("config", self._book.label, field=f"metrics.{self.key}.target"),))
        return self._book.value(str(t), self.region, self.period).value

    @property
    def completion(self) -> float:
        """Target completion in percent (100 = exactly met)."""
        t = self.target
        if t == 0:
            raise BriefgenError(f"“{self.name}”的目标值为零，无法计算完成率", where=self._book.label)
        v = self.value
        return self._traced("completion", float(v) / float(t) * 100.0, (("本期", v), ("目标", t)),
                            note="本期 ÷ 目标 × 100", unit="%")

    @property
    def over(self) -> float:
        """Over-fulfilment in percent: 超额完成全年目标的46.5%."""
        c = self.completion
        return self._traced("over", float(c) - 100.0, (("完成率", c),), note="完成率 − 100", unit="%")

    def share_of(self, other: "MetricValue | str") -> float:
        """This value as a percentage of another metric at the same region and period."""
        ov = other if isinstance(other, MetricValue) else self._book.value(other, self.region, self.period)
        a, b = self.value, ov.value
        s = share_pct(a, b)
        if s is None:
            raise BriefgenError(f"“{ov.name}”为零，无法计算占比", where=self._book.label)
        return self._traced("share", s, (("本项", a), ("总量", b)), note=f"本项 ÷ {ov.name} × 100", unit="%")

    def cagr(self, start_period: str) -> float:
        """Average annual growth since `start_period`, in percent."""
        start_period = self._book.code(start_period)
        first = self._book.raw(self.defn, self.region, start_period)
        years = int(self.period[:4]) - int(start_period[:4])
        last = self.value
        r = cagr_pct(first, last, years)
        if r is None:
            raise BriefgenError(f"无法计算“{self.name}”自{_period_label(start_period)}以来的年均增速",
                                where=self._book.label)
        return self._traced("cagr", r, (("起始", first), ("本期", last)), note=f"{years}年年均增速", unit="%")

    def at(self, period: str | None = None, region: str | None = None) -> "MetricValue":
        """The same metric at another period and/or region."""
        return self._book.value(self.key, region or self.region, str(period) if period else self.period)

    @property
    def kind(self) -> str:
        """level, ratio, growth or net (:attr:`MetricDef.kind`)."""
        return self.defn.kind

    @property
    def previous(self) -> "MetricValue":
        """The same metric at the comparison period."""
        return self._book.value(self.key, self.region, self.prev_period)

    def peers(self) -> list["MetricValue"]:
        """The metric at every region it is ranked among (:meth:`MetricBook.default_regions`: the config's
        peers, else the home region's child regions — never the region a total row stands for)."""
        regs = self._book.default_regions(self.defn, self.period)
        return [self._book.value(self.key, r, self.period) for r in regs]

    @property
    def home(self) -> bool:
        """The value is of the briefing's own region (no need to name it in a sentence)."""
        return self.region == self._book.region

    @property
    def num(self) -> str:
        return zh.num(self.value, self.decimals)

    def __str__(self) -> str:
        return zh.qty(self.value, self.unit, self.decimals)

    def __repr__(self) -> str:
        return f"<MetricValue {self.key} {self.region} {self.period}>"


class MetricBook:
    """Resolves metric keys (or raw indicator names) against a dataset."""

    def __init__(self, ds: Dataset, catalogue: dict[str, MetricCfg], *, region: str, period: str,
                 previous: str | None = None, label: str = "", peers: list[str] | None = None,
                 regions: RegionTree | None = None):
        self.ds = ds
        self.peers = list(peers or [])
        self.tree = regions if regions is not None else RegionTree()
        self.region = region
        self.period = periods.code(period)
        self._year = periods.parse(self.period).year
        self._previous = periods.code(previous) if previous else None
        self.label = label
        self.warnings: list[str] = []
        self.defs: dict[str, MetricDef] = {}
        for key, c in catalogue.items():
            self.defs[key] = MetricDef(
                key=key, name=c.name or c.indicator or key, indicator=c.indicator or c.name or key,
                unit=c.unit, decimals=c.decimals, formula=c.formula, scale_to=c.scale_to,
                region=c.region, target=c.target, higher_is_better=c.higher_is_better, note=c.note,
                period=self.code(c.period) if c.period else None, total=c.total, measure=c.measure,
            )
        for key, d in self.defs.items():
            if not d.formula and d.indicator not in ds.indicators:
                raise BriefgenError(
                    f"指标“{d.indicator}”在数据中不存在（metrics.{key}）", where=label,
                    hint=_suggest(d.indicator, list(ds.indicators)),
                )
            if not d.unit and d.indicator in ds.indicators:
                d.unit = ds.indicators[d.indicator].unit
        self._active: list[tuple[str, str, str]] = []  # values being computed, to name a cycle
        self._formula_cache: dict[str, Formula] = {}
        self._memo: dict[tuple[str, str, str], float | None] = {}
        self.why_missing: dict[tuple[str, str, str], str] = {}
        # Every published figure met beside the one computed from the data (for the audit).
        self.differences: dict[tuple[str, str, str, str], Difference] = {}

    def difference(self, mv: "MetricValue", field: str, what: str, published: float, computed: Any,
                   unit: str) -> None:
        """Note a published figure and the computed one it replaces (once per figure)."""
        k = (mv.key, mv.region, mv.period, field)
        if computed is None or k in self.differences:
            return
        o = mv._obs()
        src = o.pub_src.get(field) if o is not None else None
        d = zh.decimals_of(published)
        self.differences[k] = Difference(what, mv.key, mv.name, mv.region, mv.period, unit, published, computed,
                                         d, zh.round_to(computed, d) == zh.round_to(published, d),
                                         (src,) if src else ())

    def code(self, period: str | int) -> str:
        """A period as a template or config writes it (2022年1—9月, 1—9月, 2021) → its canonical code;
        a form without its year is in the briefing's year."""
        p = periods.parse(period, self._year)
        if p.kind == "other":
            raise BriefgenError(f"“{period}”不是可识别的时期", where=self.label, hint=f"可写：{periods.ACCEPTED_FORMS}")
        return p.code

    def previous_of(self, period: str) -> str:
        """The period a period is compared with (上年同期, or `previous:` for the briefing's own)."""
        if period == self.period and self._previous:
            return self._previous
        return periods.previous(period)

    def warn(self, msg: str) -> None:
        """Record a warning once."""
        if msg not in self.warnings:
            self.warnings.append(msg)

    def defn(self, key: str) -> MetricDef:
        """The definition of a metric key, or of an indicator named directly."""
        d = self.defs.get(key)
        if d is not None:
            return d
        ind = self.ds.indicators.get(key)
        if ind is not None:
            d = MetricDef(key=key, name=key, indicator=key, unit=ind.unit, decimals=None)
            self.defs[key] = d
            return d
        raise BriefgenError(
            f"未定义的指标“{key}”", where=self.label,
            hint=_suggest(key, list(self.defs) + list(self.ds.indicators)),
        )

    def value(self, key: str, region: str | None = None, period: str | None = None) -> MetricValue:
        """A metric at a region and period (the briefing's own, or the metric's pinned ones, by default)."""
        d = self.defn(key)
        per = self.code(period) if period not in (None, "") else (d.period or self.period)
        return MetricValue(self, d, region or d.region or self.region, str(per))

    def obs(self, d: MetricDef, region: str, period: str) -> Obs | None:
        """The data observation behind a metric (formula metrics may carry published figures too)."""
        return self.ds.get(d.indicator, region, period)

    def missing(self, d: MetricDef, region: str, period: str, what: str = "") -> MissingDataError:
        """The error for a value that is not there, saying what the data do hold nearby."""
        if not d.formula and d.indicator in self.ds.indicators and period not in self.ds.periods(d.indicator):
            # No region has the period: the config's period (or the file) is wrong, not one county's cell.
            return MissingDataError(f"缺少“{d.name}”{_period_label(period)}{what}的数据：数据中没有这个时期",
                                    where=self.label, hint=self.ds.nearest(d.indicator, region, period))
        why = self.why_missing.get((d.key, region, period))
        if why:
            hint = None
            if not d.formula and self.tree.is_parent(region):
                # A total that failed: say what the counties do have.
                hint = self.ds.nearest(d.indicator, self.tree.leaves(region)[0], period)
            return MissingDataError(f"缺少“{d.name}”{region}{_period_label(period)}{what}的数值：{why}",
                                 where=f"{self.label}：metrics.{d.key}.formula" if d.formula else self.label,
                                 hint=hint)
        hint = None if d.formula else self.ds.nearest(d.indicator, region, period)
        return MissingDataError(f"缺少“{d.name}”{region}{_period_label(period)}{what}的数据", where=self.label,
                             hint=hint)

    # -- values ------------------------------------------------------------------------
    def raw(self, d: MetricDef, region: str, period: str) -> float | None:
        """The metric's value in its display unit, or None if unknown (a total for a parent region)."""
        key = (d.key, region, period)
        if key in self._memo:
            return self._memo[key]
        if key in self._active:
            chain = [k for k, _r, _p in self._active[self._active.index(key):]] + [d.key]
            raise BriefgenError(f"指标公式循环引用：{' → '.join(chain)}", where=f"{self.label}：metrics.{d.key}")
        self._active.append(key)
        try:
            v = self._raw(d, region, period)
        finally:
            self._active.pop()
        self._memo[key] = v
        return v

    def _prov(self, d: MetricDef, region: str, period: str, method: str, value: float, **kw: Any) -> Prov:
        return Prov(method, float(value), key=d.key, name=d.name, indicator=d.indicator, region=region,
                    period=period, unit=d.display_unit, **kw)

    def _raw(self, d: MetricDef, region: str, period: str) -> float | None:
        if d.formula:
            return self._eval(d, d.formula, region, period, "formula")
        o = self.ds.get(d.indicator, region, period)
        own = None
        if o is not None and o.value is not None:
            v = self._scaled(d, o.value)
            scaled = bool(d.scale_to and d.scale_to != d.unit)
            note = f"数据为{zh.num(o.value)}{d.unit}，换算为{d.scale_to}" if scaled else (o.derived or "")
            own = traced(v, self._prov(d, region, period, "scaled" if scaled else "read", v,
                                       sources=(o.src,) if o.src else (), note=note))
        if not self.tree.is_parent(region):
            return own
        total = self._total(d, region, period)
        if own is not None:
            if total is not None:
                dec = zh.decimals_of(own)
                agree = zh.round_to(total, dec) == zh.round_to(own, dec)
                how = "相加" if (d.total or "sum") == "sum" else f"按 {d.total} 计算"
                self.differences.setdefault((d.key, region, period, "total"), Difference(
                    f"各下级地区{how}", d.key, d.name, region, period, d.display_unit, own, total, dec, agree,
                    own.prov.sources))
                own = traced(own, self._prov(d, region, period, "published", own, sources=own.prov.sources,
                                             inputs=(("各下级地区" + how, total),), computed=float(total),
                                             note="公布数（合计行）"))
                if not agree:
                    self.warn(f"“{d.name}”{region}{_period_label(period)}：公布数 {zh.num(float(own))}"
                              f"{d.display_unit} 与各下级地区{how}的 {zh.num(float(total), max(dec, 1))}"
                              f"{d.display_unit} 不一致，采用公布数")
            return own
        return total

    def _scaled(self, d: MetricDef, v: float) -> float:
        if d.scale_to and d.scale_to != d.unit:
            return float(zh.scale(v, d.unit, d.scale_to))
        return v

    def _total(self, d: MetricDef, region: str, period: str) -> float | None:
        """A parent's figure from its children: their sum, or the metric's total formula."""
        mode = (d.total or "").strip()
        kids = self.tree.children_of(region)
        if mode == "none":
            self.why_missing[(d.key, region, period)] = "该指标设为不合计（total: none），数据中也没有它的公布数"
            return None
        if not mode:
            if not additive(d.unit):
                self.why_missing[(d.key, region, period)] = (
                    f"单位为“{d.unit}”，不能由下级地区相加；请在 metrics.{d.key} 中用 total: 写明分子和分母"
                    f"（如 total: a / b * 100），或在数据中给出{region}的公布数")
                return None
            mode = "sum"
        if mode == "sum":
            vals = [(k, self.raw(d, k, period)) for k in kids]
            lacking = [k for k, v in vals if v is None]
            if lacking:
                # Name the counties that lack data, not the group whose total failed because of them.
                lacking = [leaf for k in lacking for leaf in self.tree.leaves(k)
                           if self.raw(d, leaf, period) is None] or lacking
                self.why_missing[(d.key, region, period)] = (
                    f"{'、'.join(lacking[:6])}{'等' if len(lacking) > 6 else ''}缺少数据，无法合计出{region}的数")
                return None
            total = float(sum(float(v) for _k, v in vals if v is not None))
            return traced(total, self._prov(d, region, period, "total", total, inputs=tuple(vals),
                                            note="各下级地区相加：" + "、".join(k for k, _v in vals)))
        return self._eval(d, mode, region, period, "total")

    def _compiled(self, d: MetricDef, text: str, part: str) -> Formula:
        ck = f"{d.key}.{part}"
        expr = self._formula_cache.get(ck)
        if expr is None:
            expr = compile_formula(text, f"{self.label}：metrics.{d.key}.{part}")
            self._formula_cache[ck] = expr
        return expr

    def _eval(self, d: MetricDef, text: str, region: str, period: str, part: str) -> float | None:
        """A formula at a region and period: operands pinned elsewhere are read there."""
        expr = self._compiled(d, text, part)
        env: dict[str, object] = {}
        used: list[tuple[str, Any]] = []
        for n in expr.names:
            nd = self.defn(n)
            reg, per = nd.region or region, nd.period or period
            v = self.raw(nd, reg, per)
            if v is None:
                self.why_missing[(d.key, region, period)] = (
                    f"公式中的“{nd.name}”缺少{reg}{_period_label(per)}的数据"
                    + (f"（{self.why_missing[(nd.key, reg, per)]}）" if (nd.key, reg, per) in self.why_missing
                       else f"（{self.ds.nearest(nd.indicator, reg, per)}）" if not nd.formula else ""))
                return None
            env[n] = Operand(v, n)
            used.append((n, v))
        for n in expr.refs:
            self.defn(n)
            env[n] = Ref(n)
        env.update(self._functions(region, period, used))
        try:
            result = expr(env)
        except ZeroDivisionError:
            # Still "no value" (a chart shows a gap), but say why if someone asks for it.
            self.why_missing[(d.key, region, period)] = f"公式 {text} 中除数为零"
            return None
        except _Missing as e:
            self.why_missing[(d.key, region, period)] = str(e)
            return None
        if result is None:
            return None
        try:
            f = float(result)
        except (TypeError, ValueError):
            raise BriefgenError(f"指标公式的结果不是数字：{result!r}", where=f"metrics.{d.key}.{part}") from None
        if not math.isfinite(f):
            return None
        how = "formula" if part == "formula" else "total"
        note = f"公式 {text}" if part == "formula" else f"合计公式 {text}（用各下级地区的合计计算）"
        return traced(f, self._prov(d, region, period, how, f, inputs=tuple(used), note=note))

    def _functions(self, region: str, period: str, used: list[tuple[str, Any]] | None = None) -> dict[str, object]:
        """sum() mean() max() min() count() over regions and at(), bound to where a formula is computed;
        each result is added to `used` with the values it came from (the formula's provenance)."""
        def values(x: object, over: object, fn: str) -> list[tuple[str, float | None]]:
            xd = self.defn(metric_key(x, fn))
            per = xd.period or period
            return [(r, self.raw(xd, r, per)) for r in self.scope(region, over, fn)]

        def complete(x: object, over: object, fn: str) -> list[tuple[str, Any]]:
            vals = values(x, over, fn)
            lacking = [r for r, v in vals if v is None]
            if lacking:
                name = self.defn(metric_key(x, fn)).name
                raise _Missing(f"{fn}() 中{'、'.join(lacking[:6])}{'等' if len(lacking) > 6 else ''}缺少“{name}”的数据")
            if not vals:
                raise _Missing(f"{fn}() 没有可计算的地区")
            return vals

        def result(fn: str, x: object, vals: list[tuple[str, Any]], v: float) -> float:
            xd = self.defn(metric_key(x, fn))
            out = traced(v, Prov(fn, float(v), key=xd.key, name=xd.name, indicator=xd.indicator, region=region,
                                 period=xd.period or period, unit=xd.display_unit, inputs=tuple(vals),
                                 note=f"{fn}({xd.key})：" + "、".join(r for r, _v in vals)))
            if used is not None:
                used.append((f"{fn}({xd.key})", out))
            return out

        def reduce(fn: str, how: Any) -> Any:
            def call(x: object, over: object = None) -> float:
                vals = complete(x, over, fn)
                return result(fn, x, vals, how([float(v) for _r, v in vals]))
            return call

        def count(x: object, over: object = None) -> float:
            vals = [(r, v) for r, v in values(x, over, "count") if v is not None]
            return result("count", x, vals, float(len(vals)))

        def at(x: object, region: str | None = None, period: str | None = None) -> float:
            xd = self.defn(metric_key(x, "at"))
            reg = str(region) if region else (xd.region or here_region)
            per = self.code(str(period)) if period else (xd.period or here_period)
            v = self.raw(xd, reg, per)
            if v is None:
                raise _Missing(f"at() 中“{xd.name}”缺少{reg}{_period_label(per)}的数据")
            if used is not None:
                used.append((f"at({xd.key})", v))
            return v

        here_region, here_period = region, period
        return {
            "sum": reduce("sum", lambda v: float(sum(v))),
            "mean": reduce("mean", lambda v: sum(v) / len(v)),
            "max": reduce("max", max),
            "min": reduce("min", min),
            "count": count,
            "at": at,
        }

    def scope(self, region: str, over: object = None, fn: str = "sum") -> list[str]:
        """The regions a function runs over at `region`: those named by `over` (the children of a
        parent or group, or a list), else the lowest regions under a parent, else — for a county —
        all the lowest regions of its tree (so gdp / sum(gdp) is its share of the whole)."""
        if over is not None:
            if isinstance(over, str):
                if self.tree.is_parent(over):
                    return self.tree.children_of(over)
                raise BriefgenError(f"{fn}() 中的“{over}”不是地区树（regions:）中的上级地区或分组", where=self.label)
            if isinstance(over, (list, tuple)):
                return [str(r) for r in over]
            raise BriefgenError(f"{fn}() 的第二个参数应为上级地区名或地区列表", where=self.label)
        if self.tree.is_parent(region):
            return self.tree.leaves(region)
        if region in self.tree.parent:
            return self.tree.leaves(self.tree.root_of(region))
        return self.default_regions()

    def default_regions(self, d: MetricDef | None = None, period: str | None = None) -> list[str]:
        """The regions a ranking, regions table or regions chart lists when the config names none:
        `peers`, else the lowest regions under this one in the region tree (or, for a county,
        all the lowest regions of its tree), else the regions in the data (leaving out the one
        a total row stands for)."""
        if self.peers:
            return list(self.peers)
        if self.tree.is_parent(self.region):
            return self.tree.leaves(self.region)
        if self.region in self.tree.parent:
            return self.tree.leaves(self.tree.root_of(self.region))
        regs = self.ds.regions(d.indicator if d is not None and not d.formula else None, period)
        if len(regs) > 1:
            regs = [r for r in regs if r not in self.ds.total_regions and not self.tree.is_parent(r)]
        return regs

    def ranks(self, d: MetricDef, period: str, regions: list[str] | None = None) -> dict[str, int]:
        """Competition ranks of the regions (the default regions unless given) by a metric at a period."""
        regs = regions or self.default_regions(d, period)
        values = {r: self.raw(d, r, period) for r in regs}
        return competition_rank(values, d.higher_is_better)


def _period_label(period: str) -> str:
    try:
        return zh.period_cn(period)
    except zh.ZhFormatError:
        return period


def _suggest(name: str, candidates: list[str]) -> str | None:

    close = difflib.get_close_matches(name, candidates, n=3, cutoff=0.4)
    return f"是否想用：{'、'.join(close)}" if close else None
