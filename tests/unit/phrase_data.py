"""Small metric books for the phrase tests: one metric, its region's peers and periods."""

from __future__ import annotations

from typing import Any

from briefgen.config import MetricCfg
from briefgen.data import Dataset, Obs
from briefgen.metrics import MetricBook, MetricValue

UNITS = {"level": "家", "amount": "亿元", "ratio": "%", "growth": "%", "net": "家"}
NAMES = {"level": "高新技术企业数", "amount": "高新技术产业增加值", "ratio": "研发投入强度",
         "growth": "规模以上工业增加值增速", "net": "高新技术企业净增数"}


def book(values: dict[tuple[str, str, str], Any], metrics: dict[str, dict], *, period: str = "2021",
         region: str = "宜昌市", peers: list[str] | None = None, units: dict[str, str] | None = None,
         previous: str | None = None) -> MetricBook:
    """values: (indicator, region, period) → value or (value, published)."""
    ds = Dataset()
    for (ind, reg, per), v in values.items():
        pub: dict[str, float] = {}
        if isinstance(v, tuple):
            v, pub = v
        ds.add(ind, reg, per, Obs(v, pub), unit=(units or {}).get(ind, ""))
    cat = {k: MetricCfg(**m) for k, m in metrics.items()}
    return MetricBook(ds, cat, region=region, period=period, label="t.yaml", peers=peers, previous=previous)


def metric(kind: str, cur: float | None, prev: float | None, *, period: str = "2021", decimals: int | None = None,
           published: dict[str, float] | None = None, target: float | None = None, **cfg: Any) -> MetricValue:
    """One metric of a measure kind (level, amount, ratio, growth, net) at `period` and the year before."""
    name = NAMES[kind]
    prev_period = str(int(period[:4]) - 1) + period[4:]
    values: dict[tuple[str, str, str], Any] = {}
    if cur is not None:
        values[(name, "宜昌市", period)] = (cur, published or {})
    if prev is not None:
        values[(name, "宜昌市", prev_period)] = prev
    if not values:
        values[(name, "宜昌市", "1999")] = 1.0  # the indicator exists, the periods do not
    m: dict[str, Any] = {"indicator": name, **cfg}
    if decimals is not None:
        m["decimals"] = decimals
    if target is not None:
        m["target"] = target
    b = book(values, {"x": m}, period=period, units={name: UNITS[kind]})
    return b.value("x")
