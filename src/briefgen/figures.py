"""Charts as the config asks for them → the neutral :class:`~briefgen.charts.ChartSpec`.

Which metric values fill which series, in what units and with how many
decimals; the drawing itself is :mod:`briefgen.charts`.
"""

from __future__ import annotations

from briefgen import periods, zh
from briefgen.charts import ChartSpec, Series
from briefgen.config import ChartCfg
from briefgen.errors import BriefgenError
from briefgen.formula import compile_formula
from briefgen.metrics import MetricBook, MetricDef, MetricValue
from briefgen.provenance import retrace


def _field(mv: MetricValue, field: str) -> float | None:
    try:
        v = getattr(mv, field)
    except BriefgenError:
        return None  # a gap in the chart, not an error: e.g. no growth for the first year
    # A float that still knows where it came from: the audit traces the chart's labels.
    return retrace(float(v), v)


def data_decimals(values: list[float | None], cap: int = 2) -> int:
    """Decimals that show every value as the data has it (649.61 stays 649.61 on a chart label)."""
    return min(cap, max((zh.decimals_of(v) for v in values if v is not None), default=0))


def chart_spec(book: MetricBook, c: ChartCfg, palette: list[str] | None = None) -> ChartSpec:
    """The neutral chart specification of a chart config: categories, series and units."""
    series_out: list[Series] = []
    if c.x == "metrics":
        cats, vals = [], []
        for s in c.series:
            mv = book.value(s.metric, s.region, s.period)
            cats.append(s.name or mv.name)
            vals.append(_field(mv, s.field))
        first = book.value(c.series[0].metric)
        series_out.append(Series(name=c.caption, values=vals, kind=c.series[0].kind or "bar",
                                 unit=first.unit, decimals=c.series[0].decimals if c.series[0].decimals is not None
                                 else first.decimals if first.decimals is not None else data_decimals(vals)))
    else:
        if c.x == "periods":
            keys = [book.code(p) for p in c.periods] if c.periods else default_periods(book, c)
            if not keys:
                raise BriefgenError(f"图表“{c.caption}”没有可画的时期", where=book.label,
                                    hint="请在图表中用 periods: 列出时期")
            cats = zh.period_axis(keys)
        else:
            keys = c.regions or book.default_regions(book.defn(c.series[0].metric), book.period)
            cats = list(keys)
        for s in c.series:
            d = book.defn(s.metric)
            vals = []
            for k in keys:
                if c.x == "periods":
                    mv = book.value(s.metric, s.region, k)
                else:
                    mv = book.value(s.metric, k, s.period)
                vals.append(_field(mv, s.field))
            unit = "%" if s.field in ("yoy", "completion") else d.display_unit
            kind = s.kind or ("line" if s.axis == "right" else "bar")
            series_out.append(Series(
                name=s.name or (d.name + ("增速" if s.field == "yoy" else "")), values=vals,
                kind=kind, axis=s.axis, unit=unit,
                decimals=s.decimals if s.decimals is not None else (
                    1 if s.field == "yoy" else d.decimals if d.decimals is not None else data_decimals(vals)),
            ))
    left = [s for s in series_out if s.axis == "left"]
    right = [s for s in series_out if s.axis == "right"]
    return ChartSpec(
        type=c.type, categories=cats, series=series_out, title=c.caption,
        unit=c.unit if c.unit is not None else (left[0].unit if left else ""),
        unit2=c.unit2 if c.unit2 is not None else (right[0].unit if right else ""),
        source=c.source, labels=c.labels, highlight=c.highlight or (book.region if c.x == "regions" else None),
        sort=c.sort, target=c.target, height_cm=c.height_cm, palette=palette,
    )


def default_periods(book: MetricBook, c: ChartCfg) -> list[str]:
    """The periods a periods chart shows when the config lists none: those of the first series'
    indicator at its region in the briefing's year up to the briefing's period, of the same
    family (cumulative 1—N月, months, quarters …); another family only if the indicator has
    none of the briefing's."""
    s = c.series[0]
    d = book.defn(s.metric)
    region = s.region or d.region or book.region
    if d.formula:
        ops = [book.defn(n) for n in _formula_names(book, d)]
        have = sorted({p for o in ops if not o.formula for p in book.ds.periods(o.indicator, region)},
                      key=periods.sort_key)
    else:
        have = book.ds.periods(d.indicator, region)
    now = periods.parse(book.period)
    if now.year is None or now.end is None:
        return have
    pers = [periods.parse(p) for p in have]
    same_year = [p for p in pers if p.year == now.year and p.end is not None and p.end <= now.end]
    groups: dict[str, list[periods.Period]] = {"cumulative": [p for p in same_year if p.cumulative]}
    for p in same_year:
        groups.setdefault(periods.family(p), []).append(p)
    fam = "cumulative" if now.cumulative and now.kind != "month" else periods.family(now)
    mine = groups.get(fam, [])
    if len(mine) < 2:
        mine = max(groups.values(), key=len)
    return [p.code for p in mine]


def _formula_names(book: MetricBook, d: MetricDef) -> list[str]:
    return compile_formula(d.formula or "", book.label).names
