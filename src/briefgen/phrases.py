"""The phrase vocabulary: every judgement about direction, size and comparison, chosen from the data.

Templates never write 增长/下降/提高/高出/超额/突破 in front of a number they did not
check. They hand a metric (a :class:`~briefgen.metrics.MetricValue`) to a phrase, and
the phrase picks the words from the figures: ``{{ hte | change }}`` is
"比上年增长32.8%", "比上年下降3.1%", "与上年持平", or nothing at all when the data
hold no previous period. Part of the zh wording layer: every number becomes
text through :mod:`briefgen.zh`.

A phrase that leaves a comparison out for want of data says so through
:func:`collecting` (``briefgen validate`` lists where).
"""

from __future__ import annotations

import contextlib
import contextvars
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from briefgen import periods, zh
from briefgen.errors import BriefgenError, MissingDataError
from briefgen.metrics import MetricValue
from briefgen.provenance import Prov, retrace, traced

__all__ = [
    "PhraseSettings", "DEFAULT_GRADES", "check_grades", "collecting", "direction",
    "change", "net", "net_change", "state", "reach", "gap", "accel", "target", "rank_move", "place",
    "regions_count", "top_regions", "bottom_regions", "above", "above_count", "leader",
    "trend", "peak", "trough", "streak", "grade", "milestone", "by_direction",
    "rose", "fell", "steady", "in_top", "topic", "higher", "lower", "improved", "worsened",
    "all_rose", "all_fell", "any_rose", "any_fell", "clauses", "lead", "FILTERS", "GLOBALS",
]

# Units of things counted one by one: a fall is 净减 (净减3家); for amounts it is 减少 (减少1.2亿元).
COUNT_UNITS = frozenset(
    "家 个 户 件 项 人 位 所 名 份 笔 场 场次 次 台 辆 座 套 处 条 篇 部 支 批 株 头 只 间 张 本 种 例 起 宗 单"
    " 位次 人次 户次".split()
)

# Graded adjectives: from the top, the first step whose `min` the value reaches; the last has no min.
DEFAULT_GRADES: dict[str, list[tuple[float | None, str]]] = {
    "growth": [(20.0, "大幅增长"), (10.0, "较快增长"), (3.0, "稳步增长"), (0.5, "小幅增长"),
               (-0.5, "基本持平"), (-3.0, "小幅下降"), (-10.0, "有所下降"), (None, "大幅下降")],
    "pp": [(1.0, "明显提高"), (0.1, "有所提高"), (-0.1, "基本持平"), (-1.0, "有所降低"), (None, "明显降低")],
}

UP_WORDS = ("增长", "提高", "上升", "回升", "增加", "加快", "扩大", "增强", "走高", "攀升")
DOWN_WORDS = ("下降", "降低", "回落", "减少", "放缓", "收窄", "下滑", "走低", "萎缩")


@dataclass
class PhraseSettings:
    """What a department may set: graded adjectives and the collective name of its regions."""

    grades: dict[str, list[tuple[float | None, str]]] = field(default_factory=lambda: dict(DEFAULT_GRADES))
    region_noun: str = "县市区"


def check_grades(table: Sequence[tuple[float | None, str]], scale: str, where: str) -> None:
    """Refuse a grade table whose words contradict its thresholds (增长 for a fall, 持平 away from zero)."""
    if not table:
        raise BriefgenError("分级措辞不能为空", where=where)
    upper = math.inf
    for i, (low, word) in enumerate(table):
        here = f"{where}[{i}]"
        last = i == len(table) - 1
        if last and low is not None:
            raise BriefgenError("最后一级不应写 min（表示其余所有数值）", where=here,
                                hint="在末尾加一级，如 {word: 大幅下降}")
        if not last and low is None:
            raise BriefgenError("只有最后一级可以不写 min", where=here)
        lo = -math.inf if low is None else low
        if lo >= upper:
            raise BriefgenError(f"min 应从高到低排列：{zh.num(lo)} 不低于上一级的 {zh.num(upper)}", where=here)
        unit = "%" if scale == "growth" else "个百分点"
        if any(w in word for w in UP_WORDS) and lo <= 0:
            raise BriefgenError(f"“{word}”表示上升，但这一级包含不大于零的数值（min 为 {zh.num(lo)}{unit}）",
                                where=here, hint="表示上升的措辞的 min 应大于 0")
        if any(w in word for w in DOWN_WORDS) and upper > 0:
            raise BriefgenError(f"“{word}”表示下降，但这一级包含大于零的数值", where=here,
                                hint="表示下降的措辞应排在 min 不大于 0 的一级之后")
        if "持平" in word and not (lo <= 0 < upper):
            raise BriefgenError(f"“{word}”表示持平，但这一级不包含零", where=here)
        upper = lo


# ---------------------------------------------------------------------------
# Comparisons left out for want of data
# ---------------------------------------------------------------------------

_OMITTED: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar("briefgen_omitted", default=None)


@contextlib.contextmanager
def collecting() -> Iterator[list[str]]:
    """Collect, while active, a note for every comparison a phrase left out for want of data."""
    notes: list[str] = []
    token = _OMITTED.set(notes)
    try:
        yield notes
    finally:
        _OMITTED.reset(token)


def _omit(mv: MetricValue, what: str, period: str | None = None) -> str:
    notes = _OMITTED.get()
    if notes is not None:
        per = _period_name(period or mv.prev_period)
        note = f"“{mv.name}”{'' if mv.home else mv.region}缺少{per}数据，已省略{what}"
        if note not in notes:
            notes.append(note)
    return ""


def _period_name(code: str) -> str:
    try:
        return zh.period_cn(code)
    except zh.ZhFormatError:
        return str(code)


# ---------------------------------------------------------------------------
# Figures without exceptions: None where the data say nothing
# ---------------------------------------------------------------------------


def _get(mv: MetricValue, attr: str) -> Any:
    """A derived figure, or None when the data do not hold it (a config mistake still raises)."""
    try:
        return getattr(mv, attr)
    except MissingDataError:
        return None


def _cur(mv: MetricValue) -> float | None:
    return _get(mv, "value")


def _prev(mv: MetricValue) -> float | None:
    return _get(mv, "prev")


def _is_metric(x: Any) -> bool:
    return isinstance(x, MetricValue)


def _metric(x: Any, what: str) -> MetricValue:
    if not isinstance(x, MetricValue):
        raise BriefgenError(f"{what}需要一个指标（如 hte），收到 {x!r}")
    return x


def _dec(mv: MetricValue, default: int) -> int:
    return mv.decimals if mv.decimals is not None else default


def _amount_dec(mv: MetricValue, *values: float | None) -> int:
    """Decimals of an amount: the metric's own, else as many as the data carry (at most 4)."""
    if mv.decimals is not None:
        return mv.decimals
    return min(4, max((zh.decimals_of(v) for v in values if v is not None), default=0))


def _zero(x: float, decimals: int) -> bool:
    return zh.round_to(x, decimals) == 0


def _sign(x: float, decimals: int) -> int:
    r = zh.round_to(x, decimals)
    return 0 if r == 0 else (1 if r > 0 else -1)


def _abs(x: float, decimals: int | None) -> str:
    return zh.num(abs(x), decimals)


def _int(x: Any, what: str) -> int:
    f = float(zh.round_to(x, 6))
    if not f.is_integer():
        raise zh.ZhFormatError(f"{what}必须是整数，收到 {x!r}")
    return retrace(int(f), x)


def _counted(n: int, what: str, mv: MetricValue, items: list[tuple[str, Any]]) -> Any:
    """A count a phrase prints (13个县市区中11个增长), traced to the values it counted."""
    return traced(n, Prov("count", float(n), key=mv.key, name=mv.name, indicator=mv.defn.indicator,
                          period=mv.period, inputs=tuple((r, v) for r, v in items if v is not None),
                          note=what))


def is_count(unit: str) -> bool:
    """A unit of things counted one by one (家, 个, 项…), as opposed to an amount (亿元, 吨…)."""
    return unit in COUNT_UNITS


# ---------------------------------------------------------------------------
# What a period is compared with
# ---------------------------------------------------------------------------


def comparison(mv: MetricValue) -> tuple[str, str]:
    """The words that compare a value with its previous period: (比上年, 与上年) for a year,
    (同比, 与上年同期) for a month, quarter or cumulative period, (比上月, 与上月) against the
    month before, else (比2022年3月, 与2022年3月)."""
    cur, prev = str(mv.period), str(mv.prev_period)
    try:
        yoy = periods.shift_year(cur, -1) == prev
    except BriefgenError:
        yoy = False
    if yoy:
        return ("比上年", "与上年") if periods.is_annual(cur) else ("同比", "与上年同期")
    p, q = periods.parse(cur), periods.parse(prev)
    if p.year is not None and q.year is not None and p.kind == q.kind:
        step = {"month": 12, "quarter": 4, "half": 2}.get(p.kind)
        if step and p.year * step + p.number - (q.year * step + q.number) == 1:
            word = {"month": "上月", "quarter": "上季度", "half": "上半年"}[p.kind]
            return "比" + word, "与" + word
    label = _period_name(prev)
    return "比" + label, "与" + label


def _flat(prefix: str | None, mv: MetricValue | None, word: str = "持平") -> str:
    """持平 with its comparison: 与上年持平 — never 比上年持平."""
    if prefix is None and mv is not None:
        return comparison(mv)[1] + word
    p = prefix or ""
    if p.startswith(("比", "较")):
        return "与" + p[1:] + word
    return p + word


def _pre(prefix: str | None, mv: MetricValue) -> str:
    return comparison(mv)[0] if prefix is None else prefix


# ---------------------------------------------------------------------------
# The change of one metric against its previous period
# ---------------------------------------------------------------------------


@dataclass
class Delta:
    """A metric's change in the terms its measure is worded in.

    ``exact`` says whether the two values a reader sees are the same: a change that rounds to
    zero between two different values is worded with more decimals (增长0.04%) or, below that,
    as 基本持平 — never 持平 beside two different figures.
    """

    value: float
    decimals: int
    scale: str  # growth (%), pp (个百分点), amount (the metric's unit)
    exact: bool = True

    @property
    def sign(self) -> int:
        """+1, -1, or 0 for a change that reads as none."""
        return _sign(self.value, self.decimals)

    @property
    def flat_word(self) -> str:
        return "持平" if self.exact else "基本持平"


def _shown(mv: MetricValue, v: float) -> float:
    """A value as printed: rounded to the metric's decimals (or the data's own, up to 4)."""
    return zh.round_to(v, mv.decimals if mv.decimals is not None else min(zh.decimals_of(v), 4))


def _refine(d: Delta, cur: float, prev: float, mv: MetricValue) -> Delta:
    """More decimals for a change that would otherwise read as none between different values."""
    if d.sign != 0:
        return d
    if _shown(mv, cur) == _shown(mv, prev):
        return d
    for extra in (1, 2):
        if _sign(d.value, d.decimals + extra):
            return Delta(d.value, d.decimals + extra, d.scale)
    return Delta(d.value, d.decimals, d.scale, exact=False)


def delta(mv: MetricValue, decimals: int | None = None) -> Delta | None:
    """The change a phrase words for this metric, or None without the data to say it.

    level → growth in % (the published figure wins), or the difference when the base is not
    positive; ratio → percentage points; growth → the value itself (it is already a change);
    net → the value (the net increase).
    """
    kind = mv.kind
    if kind in ("growth", "net"):
        v = _cur(mv)
        if v is None:
            return None
        if kind == "growth":
            return Delta(v, decimals if decimals is not None else _dec(mv, 1), "growth")
        return Delta(v, decimals if decimals is not None else _amount_dec(mv, v), "amount")
    cur, prev = _cur(mv), _prev(mv)
    if cur is None or prev is None:
        return None
    if kind == "ratio":
        d = _get(mv, "pp")
        return None if d is None else _refine(Delta(d, decimals if decimals is not None else _dec(mv, 2), "pp"),
                                               cur, prev, mv)
    if prev > 0 and cur >= 0:
        g = _get(mv, "yoy")
        if g is not None:
            return _refine(Delta(g, 1 if decimals is None else decimals, "growth"), cur, prev, mv)
    n = _get(mv, "net")
    if n is None:
        return None
    return _refine(Delta(n, _amount_dec(mv, cur, prev) if decimals is None else decimals, "amount"), cur, prev, mv)


def direction(x: Any) -> str | None:
    """"up", "down", "flat" as the wording would put it (after rounding), or None without data."""
    if x is None:
        return None
    if _is_metric(x):
        d = delta(x)
        if d is None:
            return None
        s = d.sign
    else:
        s = _sign(float(zh.round_to(x, 4)), 4)
    return None if s is None else ("up" if s > 0 else "down" if s < 0 else "flat")


def _growth_words(value: float, decimals: int, times: bool) -> str:
    if times and value >= 100:
        return f"增长{zh.num(value / 100, 1)}倍"
    return f"{'增长' if value > 0 else '下降'}{_abs(value, decimals)}%"


def change(x: Any, unit: str = "", decimals: int | None = None, *, prefix: str | None = None,
           times: bool = False, with_net: bool = False, rate: bool = False, up: str = "增加", down: str = "减少",
           flat: str = "持平") -> str:
    """The change of a metric against its previous period, words chosen from the data.

    level: 比上年增长32.8% · 比上年下降3.1% · 与上年持平 · "" (no previous value);
    ``times=True`` writes 增长1.5倍 from 150 % up (the statistical convention);
    ``with_net=True`` puts the amount first: 比上年净增224.49亿元，增长32.7%.
    ratio: 比上年提高0.26个百分点 · 比上年降低0.06个百分点 · 与上年持平.
    growth (the value is a growth rate): 同比增长11.6% · 同比下降3.4% · 与上年同期持平.
    net (the value is a net increase): 比上年多增98家 · 少增 · 多减 · 少减, or 上年为净减20家;
    ``rate=True`` adds the growth of the net increase when both are increases (、增长82.4%).
    ``prefix`` replaces the comparison words (``prefix=""`` where the sentence already said it).
    A plain number is an amount: 217 → 增加217家 (unit="家"), as :func:`briefgen.zh.change`.
    """
    if not _is_metric(x):
        return zh.change(x, unit, decimals, up=up, down=down, flat=flat)
    mv = x
    if mv.kind == "net":
        return net_change(mv, decimals, prefix=prefix, rate=rate)
    d = delta(mv, decimals)
    if d is None:
        return _omit(mv, "与上期的比较")
    s = d.sign
    if s == 0:
        return _flat(prefix, mv, d.flat_word)
    pre = _pre(prefix, mv)
    if d.scale == "pp":
        return f"{pre}{'提高' if s > 0 else '降低'}{_abs(d.value, d.decimals)}个百分点"
    if d.scale == "amount":
        return pre + _amount_words(d.value, mv.unit, d.decimals, net_words=False)
    text = pre + _growth_words(d.value, d.decimals, times)
    if with_net and mv.kind == "level":
        n = _get(mv, "net")
        nd = _amount_dec(mv, _cur(mv), _prev(mv), mv.published("net"))
        if n is not None and _sign(n, nd) == s:
            text = pre + _amount_words(n, mv.unit, nd, net_words=True) + "，" + _growth_words(
                d.value, d.decimals, times)
    return text


def _amount_words(v: float, unit: str, decimals: int | None, net_words: bool) -> str:
    if v > 0:
        word = "净增" if net_words else "增加"
    else:
        word = "净减" if net_words and is_count(unit) else "减少"
    return f"{word}{_abs(v, decimals)}{unit}"


def net(x: Any, unit: str = "", decimals: int | None = None, *, prefix: str | None = "") -> str:
    """The net change of a level (净增217家 · 净减3家 · 减少1.2亿元 for amounts · 与上年持平 · "");
    of a net-increase metric, its value in words. A plain number: :func:`briefgen.zh.net`.

    ``prefix`` goes before the words (``prefix=None``: 比上年 / 同比 from the period).
    """
    if not _is_metric(x):
        return zh.net(x, unit, decimals)
    mv = x
    u = unit or mv.unit
    if mv.kind == "net":
        v = _cur(mv)
        if v is None:
            return ""
        dec = _amount_dec(mv, v) if decimals is None else decimals
        if _zero(v, dec):
            return _flat(None, mv)
        return (_pre(prefix, mv) if prefix is None else prefix) + _amount_words(v, u, dec, net_words=True)
    n = _get(mv, "net") if _prev(mv) is not None else None
    if n is None:
        return _omit(mv, "净增量")
    dec = _amount_dec(mv, _cur(mv), _prev(mv), mv.published("net")) if decimals is None else decimals
    if _zero(n, dec):
        return _flat(None if prefix in (None, "") else prefix, mv)
    return (_pre(prefix, mv) if prefix is None else prefix) + _amount_words(n, u, dec, net_words=True)


def net_change(x: MetricValue, decimals: int | None = None, *, prefix: str | None = None,
               rate: bool = False) -> str:
    """How this period's net increase compares with the last one's: 比上年多增98家 · 少增 ·
    (both falls) 多减 · 少减 · (sign changed) 上年为净减20家 · 与上年持平 · "".
    ``rate=True`` adds the growth of the net increase when both are increases: 比上年多增98家、增长82.4%.

    For a net-increase metric the values are its own; for a level, the net change of this
    period and of the previous one (which needs the period before that too).
    """
    mv = _metric(x, "net_change")
    if mv.kind == "net":
        cur, prev = _cur(mv), _prev(mv)
        missing = mv.prev_period
    else:
        cur = _get(mv, "net") if _prev(mv) is not None else None
        pmv = mv.previous
        prev = _get(pmv, "net") if _prev(pmv) is not None else None
        missing = pmv.prev_period if prev is None else mv.prev_period
    if cur is None:
        return ""
    if prev is None:
        return _omit(mv, "净增量与上期的比较", missing)
    dec = _amount_dec(mv, cur, prev) if decimals is None else decimals
    u = mv.unit
    pre = _pre(prefix, mv)
    sc, sp = _sign(cur, dec), _sign(prev, dec)
    diff = cur - prev
    if _zero(diff, dec):
        return _flat(prefix, mv)
    if sc >= 0 and sp >= 0:
        text = f"{pre}{'多增' if diff > 0 else '少增'}{_abs(diff, dec)}{u}"
        g = _get(mv, "yoy") if rate and mv.kind == "net" and sc > 0 and sp > 0 else None
        return text + (f"、{_growth_words(g, 1, False)}" if g is not None and _sign(g, 1) else "")
    if sc < 0 and sp <= 0:
        return f"{pre}{'少减' if diff > 0 else '多减'}{_abs(diff, dec)}{u}"
    # The sign changed: 多增/少增 would mislead; say what last period was.
    last = comparison(mv)[1].removeprefix("与")
    word = "净增" if prev > 0 else ("净减" if is_count(u) else "减少")
    return f"{last}为{word}{_abs(prev, dec)}{u}"


def reach(x: MetricValue, decimals: int | None = None) -> str:
    """The value with a verb that agrees with its change: 达到2.62% · 降至2.30% · 达到857家 ·
    为600家 (a fall or no change: the neutral 为; no previous value: 达到); a growth rate as
    增长11.6% · 下降3.4%."""
    mv = _metric(x, "reach")
    v = _cur(mv)
    if v is None:
        _ = mv.value  # raises the book's error: what is missing and which periods the data do hold
        raise MissingDataError(f"缺少“{mv.name}”{_period_name(mv.period)}的数据")
    text = _value_text(mv, decimals)
    if mv.kind == "growth":
        return text  # 增长11.6% already says where it went
    d = direction(mv) if mv.kind in ("level", "ratio") else None
    if d in ("up", None):
        return "达到" + text  # without a comparison 达到 only says "amounts to", as the articles write
    if d == "down" and mv.kind == "ratio":
        return "降至" + text
    return "为" + text


def state(x: MetricValue, decimals: int | None = None, *, verb: bool = False) -> str:
    """"为2.62%，比上年提高0.26个百分点" (``verb=True``: 达到2.62%，…); the value alone when
    nothing compares."""
    mv = _metric(x, "state")
    if mv.kind == "growth":
        return reach(mv, decimals)  # the value is the change
    head = reach(mv, decimals) if verb else "为" + _value_text(mv, decimals)
    return clauses(head, change(mv))


def _value_text(mv: MetricValue, decimals: int | None = None) -> str:
    v = mv.value
    dec = decimals if decimals is not None else mv.decimals
    if mv.kind == "growth":
        dec = _dec(mv, 1) if decimals is None else decimals
        return _growth_state(v, dec) if _sign(v, dec) else comparison(mv)[1] + "持平"
    if mv.kind == "net":
        d = _amount_dec(mv, v) if dec is None else dec
        return _amount_words(v, mv.unit, d, net_words=True) if not _zero(v, d) else "持平"
    # A value below zero (a loss, a deficit) reads 负1.5亿元 in prose, never -1.5亿元.
    # zh.num writes the minus sign "−", never "-": the sign is judged on the value as rounded.
    sign = "负" if zh.round_to(v, dec if dec is not None else zh.AUTO_DECIMALS) < 0 else ""
    if mv.unit in ("%", "‰", "％"):
        return sign + zh.num(abs(v), dec if dec is not None else 2) + mv.unit
    return sign + zh.qty(abs(v), mv.unit, dec)


# ---------------------------------------------------------------------------
# Against a benchmark, an earlier period, a target
# ---------------------------------------------------------------------------


def _bench_pair(a: Any, b: Any) -> tuple[float | None, float | None, str, MetricValue | None]:
    """(a, b, scale) to compare: a growth against a growth, a ratio against a ratio, or levels."""
    ma = a if _is_metric(a) else None
    mb = b if _is_metric(b) else None
    if ma is None and mb is None:
        return (None if a is None else float(a)), (None if b is None else float(b)), "pp", None
    ka = ma.kind if ma else ("growth" if mb and mb.kind == "growth" else "ratio")
    kb = mb.kind if mb else ("growth" if ka in ("growth", "level") else ka)
    if ka == "level" and kb == "growth":  # a level's growth against a growth rate
        av = _get(ma, "yoy") if ma is not None and _prev(ma) is not None else None
        return av, (_cur(mb) if mb else float(b) if b is not None else None), "pp", ma
    if ka == "growth" and kb == "level":
        bv = _get(mb, "yoy") if mb is not None and _prev(mb) is not None else None
        return (_cur(ma) if ma else float(a)), bv, "pp", ma
    av = _cur(ma) if ma else (None if a is None else float(a))
    bv = _cur(mb) if mb else (None if b is None else float(b))
    scale = "pp" if ka in ("growth", "ratio") or kb in ("growth", "ratio") else "times"
    return av, bv, scale, ma


def gap(a: Any, b: Any, name: str = "", decimals: int | None = None, *, by: str | None = None) -> str:
    """A figure against a benchmark (province, nation, 全市, a peer): 高出全省平均水平15.8个百分点 ·
    低于全省平均水平3.2个百分点 · 与全省平均水平持平 · "" (either side missing).

    Metrics compare as their measures say: a level's growth against a growth rate, ratio
    against ratio (个百分点), level against level (``by="times"``: 是全省的1.5倍 · 相当于全省的85.0%).
    """
    av, bv, scale, ma = _bench_pair(a, b)
    if by is not None:
        if by not in ("pp", "times"):
            raise BriefgenError(f"gap 的 by 只能是 pp 或 times，收到“{by}”")
        scale = by
    if av is None or bv is None:
        if ma is not None:
            _omit(ma, f"与{name or '基准'}的比较", ma.period if _cur(ma) is None else None)
        return ""
    if scale == "times":
        if bv <= 0 or av < 0:
            return ""
        r = av / bv
        if r >= 1:
            return f"是{name}的{zh.num(r, 1 if decimals is None else decimals)}倍"
        return f"相当于{name}的{zh.pct(r * 100, 1 if decimals is None else decimals)}"
    dec = 1 if decimals is None else decimals
    if ma is not None and ma.kind == "ratio" and decimals is None:
        dec = _dec(ma, 2)
    diff = av - bv
    s = _sign(diff, dec)
    if s == 0:
        return f"与{name}持平"
    return f"{'高出' if s > 0 else '低于'}{name}{_abs(diff, dec)}个百分点"


def _versus(a: Any, b: Any) -> int | None:
    av, bv, scale, ma = _bench_pair(a, b)
    if av is None or bv is None:
        return None
    dec = 1 if scale == "pp" and (ma is None or ma.kind != "ratio") else (_dec(ma, 2) if ma else 2)
    return _sign(av - bv, dec)


def higher(a: Any, b: Any) -> bool:
    """True when a is above benchmark b as :func:`gap` would word it (高出…); False without data."""
    return _versus(a, b) == 1


def lower(a: Any, b: Any) -> bool:
    """True when a is below benchmark b as :func:`gap` would word it (低于…)."""
    return _versus(a, b) == -1


def _earlier(mv: MetricValue) -> tuple[str, str] | None:
    """The period a growth rate is compared with in a trend sentence, and its short name."""
    p = periods.parse(str(mv.period))
    if p.year is None:
        return None
    if p.kind in ("month", "ytd"):
        if p.number <= 1:
            return None
        m = p.number - 1
        code = _like(str(mv.period), p.year, m)
        return code, ("1月" if m == 1 else f"1—{m}月")
    if p.kind == "quarter":
        if p.number <= 1:
            return None
        return f"{p.year}Q{p.number - 1}", "一季度" if p.number == 2 else f"前{zh.cn_int(p.number - 1)}季度"
    if p.kind == "half":
        return (f"{p.year}H1", "上半年") if p.number == 2 else None
    if p.kind == "year":
        return str(p.year - 1), "上年"
    return None


def _like(code: str, year: int, month: int) -> str:
    """A month code in the same spelling as `code` (2022-06 → 2022-05, 2022M06 → 2022M05)."""
    if len(code) >= 7 and code[4] in "-/.Mm" and code[:4].isdigit():
        return f"{year}{code[4]}{month:02d}"
    return periods.month(year, month).code


def _growth_of(mv: MetricValue) -> float | None:
    if mv.kind == "growth":
        return _cur(mv)
    if mv.kind == "level":
        return _get(mv, "yoy") if _prev(mv) is not None else None
    return None


def accel(x: MetricValue, than: str | None = None, label: str | None = None, *, style: str = "speed",
          decimals: int | None = None) -> str:
    """A growth rate against an earlier period's: 增速比1—5月加快1.2个百分点 · 回落 · 与1—5月持平;
    both falls: 降幅比1—5月收窄/扩大; sign changed: 由1—5月下降2.0%转为增长1.5%.
    ``style="range"`` says 增幅扩大/收窄 instead of 加快/回落. ``than`` is the earlier period
    (default: the month, quarter or year before), ``label`` its name in the sentence.
    """
    mv = _metric(x, "accel")
    if style not in ("speed", "range"):
        raise BriefgenError(f"accel 的 style 只能是 speed 或 range，收到“{style}”")
    if than is None:
        e = _earlier(mv)
        if e is None:
            return ""
        than, auto = e
        label = label or auto
    label = label or _period_name(str(than))
    cur = _growth_of(mv)
    prev = _growth_of(mv.at(period=str(than)))
    if cur is None:
        return ""
    if prev is None:
        return _omit(mv, "增速与前期的比较", str(than))
    dec = _dec(mv, 1) if mv.kind == "growth" and decimals is None else (1 if decimals is None else decimals)
    sc, sp = _sign(cur, dec), _sign(prev, dec)
    diff = cur - prev
    if sc < 0 and sp < 0:
        if _zero(diff, dec):
            return f"降幅与{label}持平"
        return f"降幅比{label}{'收窄' if diff > 0 else '扩大'}{_abs(diff, dec)}个百分点"
    if sc < 0 <= sp or sp < 0 <= sc:
        # The sentence already gave this period's figure: say how far it moved, and that it turned.
        turn = "由降转增" if sc > 0 else "由增转降" if sc < 0 and sp > 0 else "由降转平" if sc == 0 else "由平转降"
        return f"增速比{label}{'加快' if diff > 0 else '回落'}{_abs(diff, dec)}个百分点，{turn}"
    if _zero(diff, dec):
        return f"增速与{label}持平"
    if style == "range":
        return f"增幅比{label}{'扩大' if diff > 0 else '收窄'}{_abs(diff, dec)}个百分点"
    return f"增速比{label}{'加快' if diff > 0 else '回落'}{_abs(diff, dec)}个百分点"


def _growth_state(v: float, dec: int) -> str:
    s = _sign(v, dec)
    return "持平" if s == 0 else f"{'增长' if s > 0 else '下降'}{_abs(v, dec)}%"


def _schedule(code: str) -> float | None:
    """The share of the year a period has run, in percent (序时进度); None for a whole year."""
    p = periods.parse(code)
    if p.kind in ("month", "ytd"):
        return p.number / 12 * 100
    if p.kind == "quarter":
        return p.number / 4 * 100
    if p.kind == "half":
        return p.number / 2 * 100
    return None


def target(x: Any, name: str = "全年目标", decimals: int = 1, *, style: str = "share",
           period: str | None = None) -> str:
    """Target completion in words: 完成全年目标的87.5% · 完成全年目标 · 超额完成全年目标（为目标的146.5%）
    (``style="over"``: 超额46.5%完成全年目标); for a month or quarter also the 序时进度:
    1—9月完成全年目标的78.0%，快于序时进度3.0个百分点 · 提前完成全年目标. "" without a target value.
    A plain number is a completion in percent.
    """
    if style not in ("share", "over"):
        raise BriefgenError(f"target 的 style 只能是 share 或 over，收到“{style}”")
    if _is_metric(x):
        mv = x
        if _cur(mv) is None or _get(mv, "target") is None:
            return ""
        c = mv.completion
        per = str(mv.period)
    else:
        if x is None:
            return ""
        c = float(zh.round_to(x, 6))
        per = str(period) if period is not None else ""
    sched = _schedule(per) if per else None
    cr = zh.round_to(c, decimals)
    if sched is not None:
        if cr >= 100:
            return f"提前完成{name}" + ("" if cr == 100 else f"（为目标的{zh.pct(c, decimals)}）")
        d = c - sched
        pace = ("与序时进度持平" if _zero(d, decimals) else
                f"{'快于' if d > 0 else '慢于'}序时进度{_abs(d, decimals)}个百分点")
        return f"完成{name}的{zh.pct(c, decimals)}，{pace}"
    if cr == 100:
        return f"完成{name}"
    if cr > 100:
        if style == "over":
            return f"超额{zh.pct(c - 100, decimals)}完成{name}"
        return f"超额完成{name}（为目标的{zh.pct(c, decimals)}）"
    return f"完成{name}的{zh.pct(c, decimals)}"


# ---------------------------------------------------------------------------
# Ranks
# ---------------------------------------------------------------------------


def rank_move(x: Any, prefix: str | None = None, unit: str = "位") -> str:
    """Places moved: 比上年上升8位 · 比上年下降3位 · 与上年持平 · "" (no earlier rank).
    ``prefix="较上年度"`` → 较上年度上升8位 · 与上年度持平. A number: places moved up."""
    if _is_metric(x):
        mv: MetricValue | None = x
        if _get(x, "rank") is None:
            return ""
        n = _get(x, "rank_change")
        if n is None:
            return _omit(x, "名次与上期的比较")
        pre = _pre(prefix, x)
    else:
        if x is None:
            return ""
        mv, n, pre = None, x, prefix or ""
    v = _int(n, "名次变化")
    if v == 0:
        return _flat(prefix, mv) if (mv is not None or prefix) else "持平"
    return f"{pre}{'上升' if v > 0 else '下降'}{zh.num(abs(v))}{unit or ''}"


def place(x: Any, scope: str = "", *, top: int | None = None) -> str:
    """A rank in words: 位居全省第一 · 居全省第5位; ``top=3`` → 居全省前三 for places 2–3. "" without a rank."""
    if _is_metric(x):
        n = _get(x, "rank")
    else:
        n = x
    if n is None:
        return ""
    v = _int(n, "名次")
    if v < 1:
        raise zh.ZhFormatError(f"名次必须是正整数，收到 {n!r}")
    if v == 1:
        return f"位居{scope}第{zh.cn_int(v)}"
    if top is not None and v <= top:
        return f"居{scope}前{zh.cn_int(top)}"
    return f"居{scope}第{zh.num(v)}位"


# ---------------------------------------------------------------------------
# Across regions
# ---------------------------------------------------------------------------


def _region_rows(mv: MetricValue) -> list[tuple[str, MetricValue]]:
    return [(p.region, p) for p in mv.peers()]


def _ranked(mv: MetricValue) -> list[MetricValue]:
    """Regions best first (ties by name), those without a value left out."""
    rows = [p for _r, p in _region_rows(mv) if _cur(p) is not None]
    sign = -1 if mv.defn.higher_is_better else 1
    return sorted(rows, key=lambda p: (sign * p.value, p.region))


def regions_count(x: MetricValue, noun: str | None = None) -> str:
    """How many regions rose and fell: 13个县市区中10个增长、3个下降 · 13个县市区均实现增长 ·
    均有所下降 · 均与上年持平 (ratios: 提高/降低; net increases: 净增/净减). "" without data."""
    mv = _metric(x, "regions_count")
    noun = noun if noun is not None else _settings_noun()
    ups = downs = flats = 0
    seen: dict[str, list[tuple[str, Any]]] = {"up": [], "down": [], "flat": []}
    for r, p in _region_rows(mv):
        d = direction(p)
        if d == "up":
            ups += 1
        elif d == "down":
            downs += 1
        elif d == "flat":
            flats += 1
        if d is not None:
            dl = delta(p)
            seen[d].append((r, dl.value if dl is not None else None))
    total = ups + downs + flats
    if total == 0:
        return ""
    up, down = {"ratio": ("提高", "降低"), "net": ("净增", "净减")}.get(mv.kind, ("增长", "下降"))
    every = seen["up"] + seen["down"] + seen["flat"]
    head = f"{zh.num(_counted(total, f'有数据的{noun}数', mv, every))}个{noun}"
    if ups == total:
        return head + {"ratio": "均有所提高", "net": "均为净增"}.get(mv.kind, "均实现增长")
    if downs == total:
        return head + {"ratio": "均有所降低", "net": "均为净减"}.get(mv.kind, "均有所下降")
    if flats == total:
        return f"{head}均{comparison(mv)[1]}持平"
    parts = [f"{zh.num(_counted(n, f'{w}的{noun}数', mv, seen[k]))}个{w}"
             for n, w, k in ((ups, up, "up"), (downs, down, "down"), (flats, "持平", "flat")) if n]
    return f"{head}中" + "、".join(parts)


def _region_value(p: MetricValue) -> str:
    if p.kind == "growth":
        return _growth_state(p.value, _dec(p, 1))
    return _value_text(p)


def _spread(rows: list[MetricValue]) -> bool:
    """The regions differ as printed (all equal: no one is first or last)."""
    return len({_shown(p, p.value) for p in rows}) > 1


def top_regions(x: MetricValue, n: int = 3, values: bool = True) -> str:
    """The n best regions, best first: 当阳市（增长15.1%）、夷陵区（增长14.4%）和西陵区（增长13.8%);
    "" when all regions are equal."""
    mv = _metric(x, "top_regions")
    ranked = _ranked(mv)
    if not _spread(ranked):
        return ""
    rows = ranked[: max(0, int(n))]
    return zh.join_cn([f"{p.region}（{_region_value(p)}）" if values else p.region for p in rows])


def bottom_regions(x: MetricValue, n: int = 1, values: bool = True) -> str:
    """The n last regions, last first: 秭归县（增长3.3%）; "" when all regions are equal."""
    mv = _metric(x, "bottom_regions")
    ranked = _ranked(mv)
    if not _spread(ranked):
        return ""
    rows = list(reversed(ranked))[: max(0, int(n))]
    return zh.join_cn([f"{p.region}（{_region_value(p)}）" if values else p.region for p in rows])


def leader(x: MetricValue) -> str:
    """The region that ranks first by the metric ("" when none has a value)."""
    rows = _ranked(_metric(x, "leader"))
    return rows[0].region if rows else ""


def above_count(x: MetricValue, than: Any = None) -> int | None:
    """How many regions are above a level (default: this metric's own value, e.g. 全市)."""
    mv = _metric(x, "above_count")
    ref = _cur(than) if _is_metric(than) else (than if than is not None else _cur(mv))
    if ref is None:
        return None
    dec = _dec(mv, 2)
    better = (lambda v: zh.round_to(v, dec) > zh.round_to(ref, dec)) if mv.defn.higher_is_better else \
        (lambda v: zh.round_to(v, dec) < zh.round_to(ref, dec))
    rows = [(r, v) for r, p in _region_rows(mv) if (v := _cur(p)) is not None and p.region != mv.region]
    if not rows:
        return None
    hits = [(r, v) for r, v in rows if better(v)]
    word = "高于" if mv.defn.higher_is_better else "优于"
    return _counted(len(hits), f"{word}{zh.num(float(ref), dec)}的地区数", mv,
                    [*hits, ("参照值", ref)])


def above(x: MetricValue, name: str = "全市水平", than: Any = None, noun: str | None = None) -> str:
    """高于全市水平的县市区有4个 · 没有高于全市水平的县市区 · 各县市区均高于全市水平 (lower-is-better
    metrics: 优于). "" without the reference value."""
    mv = _metric(x, "above")
    noun = noun if noun is not None else _settings_noun()
    k = above_count(mv, than)
    if k is None:
        return ""
    word = "高于" if mv.defn.higher_is_better else "优于"
    others = sum(1 for _r, p in _region_rows(mv) if _cur(p) is not None and p.region != mv.region)
    if k == 0:
        return f"没有{word}{name}的{noun}"
    if k == others:
        return f"各{noun}均{word}{name}"
    return f"{word}{name}的{noun}有{zh.num(k)}个"


# ---------------------------------------------------------------------------
# Across a series of periods
# ---------------------------------------------------------------------------


def _series_periods(mv: MetricValue, given: Sequence[Any] | None) -> list[str]:
    if given:
        return [str(p) for p in given]
    p = periods.parse(str(mv.period))
    if p.year is None:
        return [str(mv.period)]
    if p.kind in ("month", "ytd"):
        return [_like(str(mv.period), p.year, m) for m in range(1, p.number + 1)]
    if p.kind == "quarter":
        return [f"{p.year}Q{q}" for q in range(1, p.number + 1)]
    if p.kind == "year":
        return [str(y) for y in range(p.year - 4, p.year + 1)]
    return [str(mv.period)]


def _series(mv: MetricValue, given: Sequence[Any] | None) -> list[tuple[str, float]]:
    out = []
    for code in _series_periods(mv, given):
        v = _cur(mv.at(period=code))
        if v is not None:
            out.append((code, v))
    return out


def _step_word(mv: MetricValue) -> tuple[str, str]:
    """(逐月, 个月) by the kind of period the series runs over."""
    kind = periods.parse(str(mv.period)).kind
    return {"quarter": ("逐季", "个季度"), "half": ("逐期", "期"), "year": ("逐年", "年")}.get(kind, ("逐月", "个月"))


def _short_label(code: str, year: int | None) -> str:
    p = periods.parse(code)
    if p.year is not None and p.year == year and p.kind in ("month", "ytd"):
        return f"{p.number}月"
    if p.year is not None and p.year == year and p.kind == "quarter":
        return f"{zh.cn_int(p.number)}季度"
    return _period_name(code)


def trend(x: MetricValue, periods_: Sequence[Any] | None = None) -> str:
    """The shape of a series: 逐月回升 · 持续回落 · 先升后降 · 先降后升 · 总体回升 · 保持平稳 · 波动变化
    (levels: 逐月增加 · 持续减少). "" with fewer than three values."""
    mv = _metric(x, "trend")
    vals = [v for _c, v in _series(mv, periods_)]
    if len(vals) < 3:
        return ""
    dec = _dec(mv, 1 if mv.kind in ("growth", "ratio") else 2)
    r = [zh.round_to(v, dec) for v in vals]
    steps = [(b > a) - (b < a) for a, b in zip(r, r[1:])]
    step, _n = _step_word(mv)
    up, down = ("回升", "回落") if mv.kind in ("growth", "ratio") else ("增加", "减少")
    if all(s == 0 for s in steps):
        return "保持平稳"
    if all(s > 0 for s in steps):
        return f"{step}{up}"
    if all(s < 0 for s in steps):
        return f"持续{down}"
    if all(s >= 0 for s in steps):
        return f"总体{up}"
    if all(s <= 0 for s in steps):
        return f"总体{down}"
    moves = [s for s in steps if s != 0]
    turns = sum(1 for a, b in zip(moves, moves[1:]) if a != b)
    if turns == 1:
        return "先升后降" if moves[0] > 0 else "先降后升"
    return "波动变化"


def _extreme(mv: MetricValue, periods_: Sequence[Any] | None, highest: bool) -> str:
    s = _series(mv, periods_)
    if len(s) < 2:
        return ""
    year = periods.parse(str(mv.period)).year
    dec = _dec(mv, 1 if mv.kind in ("growth", "ratio") else 2)
    if len({zh.round_to(v, dec) for _c, v in s}) < 2:
        return ""  # a flat series has no highest or lowest point
    best = (max if highest else min)(s, key=lambda cv: zh.round_to(cv[1], dec))
    shown = _growth_state(best[1], dec) if mv.kind == "growth" else _value_text(mv.at(period=best[0]))
    return f"{_short_label(best[0], year)}{'最高' if highest else '最低'}（{shown}）"


def peak(x: MetricValue, periods_: Sequence[Any] | None = None) -> str:
    """The highest point of a series with its period: 4月最高（增长12.0%）."""
    return _extreme(_metric(x, "peak"), periods_, True)


def trough(x: MetricValue, periods_: Sequence[Any] | None = None) -> str:
    """The lowest point of a series with its period: 1月最低（增长5.2%）."""
    return _extreme(_metric(x, "trough"), periods_, False)


def streak(x: MetricValue, periods_: Sequence[Any] | None = None, at_least: int = 2) -> str:
    """Consecutive periods, ending now, of growth or of decline: 连续6个月保持增长 · 连续3个月下降."""
    mv = _metric(x, "streak")
    codes = _series_periods(mv, periods_)
    signs = [direction(mv.at(period=code)) for code in codes]
    if not signs or signs[-1] not in ("up", "down"):
        return ""
    last = signs[-1]
    n = 0
    for s in reversed(signs):
        if s != last:
            break
        n += 1
    if n < at_least:
        return ""
    _step, unit = _step_word(mv)
    shown = _counted(n, f"截至本期连续{'增长' if last == 'up' else '下降'}的期数", mv,
                     [(c, _growth_of(mv.at(period=c))) for c in codes[len(codes) - n:]])
    return f"连续{zh.num(shown)}{unit}" + ("保持增长" if last == "up" else "下降")


# ---------------------------------------------------------------------------
# Graded adjectives, milestones, words chosen by direction
# ---------------------------------------------------------------------------

_SETTINGS: contextvars.ContextVar[PhraseSettings] = contextvars.ContextVar("briefgen_phrases")


@contextlib.contextmanager
def using(settings: PhraseSettings) -> Iterator[PhraseSettings]:
    """Render with a department's settings (grades, region noun)."""
    token = _SETTINGS.set(settings)
    try:
        yield settings
    finally:
        _SETTINGS.reset(token)


def _settings() -> PhraseSettings:
    try:
        return _SETTINGS.get()
    except LookupError:
        return PhraseSettings()


def _settings_noun() -> str:
    return _settings().region_noun


def grade(x: Any, scale: str | None = None) -> str:
    """A graded adjective from the department's thresholds: 大幅增长 · 较快增长 · 稳步增长 · 小幅增长 ·
    基本持平 · 小幅下降 · 有所下降 · 大幅下降 (ratios by 个百分点: 明显提高 … 明显降低). "" without data."""
    if _is_metric(x):
        d = delta(x)
        if d is None:
            return ""
        if d.scale == "amount":
            return {"up": "有所增加", "down": "有所减少", "flat": "基本持平"}.get(direction(x) or "", "")
        value, sc = zh.round_to(d.value, d.decimals), d.scale
    else:
        if x is None:
            return ""
        value, sc = zh.round_to(x, 2), (scale or "growth")
    if sc not in ("growth", "pp"):
        raise BriefgenError(f"grade 的 scale 只能是 growth 或 pp，收到“{sc}”")
    for low, word in _settings().grades.get(sc, DEFAULT_GRADES[sc]):
        if low is None or value >= low:
            return word
    return ""


def milestone(x: MetricValue, step: float, decimals: int | None = None) -> str:
    """A round figure the value passed: 突破850家 when it crossed 850 this period; 超过850家 when it
    was already above (or nothing compares); else the value itself: 达到857家 · 600家."""
    mv = _metric(x, "milestone")
    if not step or step <= 0:
        raise BriefgenError(f"milestone 的步长必须是正数，收到 {step!r}")
    v = mv.value
    mark = math.floor(float(v) / step) * step
    mark = traced(mark, Prov("milestone", float(mark), key=mv.key, name=mv.name, region=mv.region,
                             period=mv.period, unit=mv.unit, inputs=(("数值", v),),
                             note=f"数值按{zh.num(step)}{mv.unit}向下取整"))
    prev = _prev(mv)
    mark_text = zh.qty(mark, mv.unit, decimals if decimals is not None else mv.decimals)
    if mark > 0 and v > mark:
        if prev is not None and prev < mark:
            return "突破" + mark_text
        if prev is None:
            return "超过" + mark_text
    if direction(mv) == "up":
        return "达到" + _value_text(mv, decimals)
    return _value_text(mv, decimals)


def by_direction(x: Any, up: str, down: str, flat: str | None = None, missing: str = "") -> str:
    """The caller's own words chosen by the data: ``by_direction(rd, "持续加大", "有所回落", "保持稳定")``."""
    d = direction(x)
    if d is None:
        return missing
    return up if d == "up" else down if d == "down" else (flat if flat is not None else missing)


def _each(xs: Any) -> list[Any]:
    return list(xs) if isinstance(xs, (list, tuple)) else [xs]


def _by(x: Any, by: float | None, up: bool) -> bool:
    if direction(x) != ("up" if up else "down"):
        return False
    if by is None:
        return True
    if _is_metric(x):
        d = delta(x)
        v = 0.0 if d is None else d.value
    else:
        v = float(zh.round_to(x, 6))
    return v >= by if up else v <= -abs(by)


def rose(x: Any, by: float | None = None) -> bool:
    """True when the metric rose (as worded: a change that rounds to zero is not a rise);
    ``by``: by at least that much (in % for levels and growth rates, 个百分点 for ratios)."""
    return _by(x, by, True)


def fell(x: Any, by: float | None = None) -> bool:
    """True when the metric fell (``by``: by at least that much)."""
    return _by(x, by, False)


def in_top(x: Any, n: int = 1) -> bool:
    """True when the metric's rank is n or better (False without a rank)."""
    r = _get(x, "rank") if _is_metric(x) else x
    return r is not None and r <= n


def topic(x: MetricValue) -> str:
    """A growth-rate metric's subject without the word 增速: 规模以上工业增加值增速 → 规模以上工业增加值."""
    name = _metric(x, "topic").name
    for w in ("增长速度", "增速", "增长率", "增幅"):
        if name.endswith(w) and len(name) > len(w):
            return name[: -len(w)]
    return name


def steady(x: Any) -> bool:
    """True when the metric is unchanged as worded (与上年持平)."""
    return direction(x) == "flat"


def improved(x: Any) -> bool:
    """Rose for a higher-is-better metric, fell for a lower-is-better one."""
    d = direction(x)
    good = "up" if (not _is_metric(x) or x.defn.higher_is_better) else "down"
    return d == good


def worsened(x: Any) -> bool:
    """The opposite of :func:`improved` (unchanged and missing are neither)."""
    d = direction(x)
    bad = "down" if (not _is_metric(x) or x.defn.higher_is_better) else "up"
    return d == bad


def all_rose(xs: Any) -> bool:
    """Every metric of the list rose (False for an empty list)."""
    items = _each(xs)
    return bool(items) and all(rose(x) for x in items)


def all_fell(xs: Any) -> bool:
    """Every metric of the list fell."""
    items = _each(xs)
    return bool(items) and all(fell(x) for x in items)


def any_rose(xs: Any) -> bool:
    """At least one metric of the list rose."""
    return any(rose(x) for x in _each(xs))


def any_fell(xs: Any) -> bool:
    """At least one metric of the list fell."""
    return any(fell(x) for x in _each(xs))


# ---------------------------------------------------------------------------
# Joining clauses that may be empty
# ---------------------------------------------------------------------------


def clauses(*parts: Any, sep: str = "，") -> str:
    """Non-empty parts joined: clauses("净增217家", "", "比上年多增98家") → "净增217家，比上年多增98家"."""
    return sep.join(str(p) for p in parts if p is not None and str(p) != "")


def lead(text: Any, sep: str = "，") -> str:
    """The separator and the text, or nothing for an empty text: {{ hte | change | lead }}."""
    s = "" if text is None else str(text)
    return sep + s if s else ""


FILTERS: dict[str, Callable[..., Any]] = {
    "change": change, "net": net, "net_change": net_change, "state": state, "reach": reach, "gap": gap,
    "accel": accel, "target": target, "rank_move": rank_move, "place": place,
    "regions_count": regions_count, "top_regions": top_regions, "bottom_regions": bottom_regions,
    "above": above, "above_count": above_count, "leader": leader,
    "trend": trend, "peak": peak, "trough": trough, "streak": streak,
    "grade": grade, "milestone": milestone, "by_direction": by_direction, "lead": lead,
    "direction": direction, "topic": topic,
}

GLOBALS: dict[str, Callable[..., Any]] = {
    **FILTERS,
    "rose": rose, "fell": fell, "steady": steady, "improved": improved, "worsened": worsened,
    "all_rose": all_rose, "all_fell": all_fell, "any_rose": any_rose, "any_fell": any_fell,
    "in_top": in_top, "higher": higher, "lower": lower, "clauses": clauses,
}


def grades_from(cfg: Any, where: str) -> dict[str, list[tuple[float | None, str]]]:
    """The grade tables of a config's ``phrases.grades`` (checked), over the defaults."""
    out = dict(DEFAULT_GRADES)
    for scale, steps in (cfg or {}).items():
        table = [(s.min, s.word) for s in steps]
        check_grades(table, scale, f"{where}.{scale}")
        out[scale] = table
    return out
