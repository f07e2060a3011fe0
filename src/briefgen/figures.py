"""Charts as the config asks for them → the neutral :class:`~briefgen.charts.ChartSpec`.

Which metric values fill which series, in what units and with how many
decimals; the drawing itself is :mod:`briefgen.charts`.
"""

from __future__ import annotations

from briefgen import zh
from briefgen.charts import ChartSpec, Series
from briefgen.config import ChartCfg
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricBook, MetricValue


def _field(mv: MetricValue, field: str) -> float | None:
    try:
        return float(getattr(mv, field))
    except BriefgenError:
        return None  # a gap in the chart, not an error: e.g. no growth for the first year


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
            keys = c.periods or book.ds.periods(book.defn(c.series[0].metric).indicator, book.region)
            cats = [zh.period_cn(p) for p in keys]
        else:
            keys = c.regions or book.peers or book.ds.regions(book.defn(c.series[0].metric).indicator, book.period)
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
