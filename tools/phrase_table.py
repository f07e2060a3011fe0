"""The README's phrase tables (《措辞词表》), made by running every phrase on the same small data
for a rise, a fall, no change and a missing previous period.

    python tools/phrase_table.py           # print the tables
    python tools/phrase_table.py --write   # replace them in README.md

tests/e2e/test_readme.py checks that README.md holds exactly what this prints.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from briefgen.config import MetricCfg
from briefgen.data import Dataset, Obs
from briefgen.metrics import MetricBook
from briefgen.narrative import make_env, render

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- phrases:start -->", "<!-- phrases:end -->"
CASES = ("rise", "fall", "zero", "missing")
HEAD = ["上升", "下降", "持平", "缺上期"]

# Annual figures: (2021, 2020) for each case; None = no value.
ANNUAL = {
    "高新技术企业数": {"rise": (857, 640), "fall": (600, 640), "zero": (640, 640), "missing": (857, None)},
    "高新技术产业增加值": {"rise": (874.1, 649.61), "fall": (611.87, 649.61), "zero": (649.61, 649.61),
                   "missing": (874.1, None)},
    "研发投入强度": {"rise": (2.62, 2.36), "fall": (2.30, 2.36), "zero": (2.36, 2.36), "missing": (2.62, None)},
    "高新技术企业净增数": {"rise": (217, 119), "fall": (-40, 119), "zero": (119, 119), "missing": (217, None)},
    "科技型中小企业入库数": {"rise": (1172, 840), "fall": (700, 840), "zero": (800, 800), "missing": (1172, None)},
}
UNITS = {"高新技术企业数": "家", "高新技术产业增加值": "亿元", "研发投入强度": "%", "高新技术企业净增数": "家",
         "科技型中小企业入库数": "家", "高新技术产业增加值增速": "%", "创新能力排名": "位", "工业增加值增速": "%",
         "重点项目投资": "亿元", "重点项目投资目标": "亿元"}
PROVINCE = {"rise": 16.9, "fall": 16.9, "zero": 0.0, "missing": 16.9}
RANK = {"rise": (45, 53), "fall": (58, 53), "zero": (53, 53), "missing": (45, None)}
TARGET = {"rise": 800, "fall": 800, "zero": 800, "missing": 800}

# Monthly: the city's cumulative growth Jan–Jun 2022, four counties in June, a target.
CITY = {"rise": [10.1, 10.4, 10.7, 11.0, 11.3, 11.6], "fall": [5.0, 4.0, 3.0, 1.0, -1.0, -2.0],
        "zero": [0.0] * 6, "missing": [None] * 5 + [11.6]}
COUNTIES = {"rise": {"夷陵区": 14.4, "当阳市": 15.1, "秭归县": 3.3, "西陵区": 9.8},
            "fall": {"夷陵区": -3.4, "当阳市": 2.1, "秭归县": -6.0, "西陵区": -1.2},
            "zero": {"夷陵区": 0.0, "当阳市": 0.0, "秭归县": 0.0, "西陵区": 0.0},
            "missing": {}}
INVEST = {"rise": 55.0, "fall": 45.0, "zero": 50.0, "missing": None}

ANNUAL_ROWS = [
    ("{{ hte | change }}", "总量的变化：增长/下降 %，与上年持平，缺上期时整句省略"),
    ("{{ hte | change(prefix=\"\") }}", "前文已说“比上年”时去掉比较词"),
    ("{{ hti | change(with_net=true) }}", "先写增减量再写增速（统计公报写法）"),
    ("{{ hte | net }}", "净增/净减（计数单位）"),
    ("{{ hti | net }}", "金额的增减：净增/减少"),
    ("{{ hte_net | net }}", "净增量指标本身"),
    ("{{ hte_net | change }}", "净增量与上年比：多增/少增（变号时说上年情况）"),
    ("{{ rd | change }}", "比重、比率的变化：提高/降低 …个百分点"),
    ("{{ rd | state }}", "“为…，比上年…”"),
    ("{{ rd | reach }}", "数值前的动词按变化选择：达到/降至/为"),
    ("{{ hte | reach }}", "总量：达到/为"),
    ("{{ hti | gap(hti_prov, \"全省平均水平\") }}", "增速与基准比较：高出/低于/持平"),
    ("{{ tsme | target }}", "目标完成：完成…的 %／完成／超额完成（为目标的 %）"),
    ("{{ tsme | target(style=\"over\") }}", "超额写成“超额…%完成”"),
    ("{{ icity_rank | rank_move(\"较上年度\") }}", "名次变化：上升/下降 …位"),
    ("{{ icity_rank | place(\"全国\") }}", "名次：位居第一／居第 N 位"),
    ("{{ hte | milestone(50) }}", "里程碑：本期越过才写“突破”"),
    ("{{ hte | grade }}", "分级形容词（阈值可在模板中设置）"),
    ("{{ rd | grade }}", "比重按百分点分级"),
    ("{{ by_direction(rd, \"持续加大\", \"有所回落\", \"保持稳定\", \"稳步推进\") }}", "自己的措辞按方向选择"),
    ("{{ \"是\" if rose(hte) else \"否\" }}", "条件：rose / fell / steady / improved …"),
]
MONTHLY_ROWS = [
    ("{{ industry | change }}", "本身是增速的指标：同比增长/下降，与上年同期持平"),
    ("{{ industry | accel }}", "增速与前期比：加快/回落；均为负时降幅收窄/扩大"),
    ("{{ industry | accel(style=\"range\") }}", "写成增幅扩大/收窄"),
    ("{{ industry | trend }}", "走势：逐月回升／持续回落／先升后降／波动变化"),
    ("{{ industry | peak }}", "最高点及月份（trough 为最低点）"),
    ("{{ industry | streak }}", "连续 N 个月增长/下降"),
    ("{{ industry | regions_count }}", "各地区增减面"),
    ("{{ industry | top_regions(2) }}", "前 N 位及数值（bottom_regions 为末 N 位）"),
    ("{{ above(industry, \"全市水平\") }}", "高于全市水平的地区个数"),
    ("{{ invest | target }}", "月度、季度的目标完成与序时进度"),
]


def _annual(case: str) -> dict[str, Any]:
    ds = Dataset()
    for ind, cases in ANNUAL.items():
        cur, prev = cases[case]
        ds.add(ind, "宜昌市", "2021", Obs(cur), unit=UNITS[ind])
        if prev is not None:
            ds.add(ind, "宜昌市", "2020", Obs(prev), unit=UNITS[ind])
    ds.add("高新技术产业增加值增速", "湖北省", "2021", Obs(PROVINCE[case]), unit="%")
    rank, rank_prev = RANK[case]
    pub = {"rank": rank, **({"rank_prev": rank_prev} if rank_prev is not None else {})}
    ds.add("创新能力排名", "宜昌市", "2021", Obs(rank, pub), unit="位")
    metrics = {
        "hte": MetricCfg(indicator="高新技术企业数", decimals=0), "hti": MetricCfg(indicator="高新技术产业增加值"),
        "rd": MetricCfg(indicator="研发投入强度", decimals=2), "hte_net": MetricCfg(indicator="高新技术企业净增数"),
        "tsme": MetricCfg(indicator="科技型中小企业入库数", target=TARGET[case]),
        "hti_prov": MetricCfg(indicator="高新技术产业增加值增速", region="湖北省", decimals=1),
        "icity_rank": MetricCfg(indicator="创新能力排名", higher_is_better=False),
    }
    book = MetricBook(ds, metrics, region="宜昌市", period="2021")
    return {k: book.value(k) for k in metrics}


def _monthly(case: str) -> dict[str, Any]:
    ds = Dataset()
    for m, v in enumerate(CITY[case], start=1):
        if v is not None:
            ds.add("工业增加值增速", "宜昌市", f"2022-{m:02d}", Obs(v), unit="%")
    for county, v in COUNTIES[case].items():
        ds.add("工业增加值增速", county, "2022-06", Obs(v), unit="%")
    ds.add("重点项目投资", "宜昌市", "2022-06", Obs(INVEST[case]), unit="亿元")
    ds.add("重点项目投资目标", "宜昌市", "2022-06", Obs(100.0 if INVEST[case] is not None else None), unit="亿元")
    metrics = {"industry": MetricCfg(indicator="工业增加值增速", decimals=1),
               "invest": MetricCfg(indicator="重点项目投资", target="invest_goal"),
               "invest_goal": MetricCfg(indicator="重点项目投资目标")}
    book = MetricBook(ds, metrics, region="宜昌市", period="2022-06", peers=list(COUNTIES["rise"]))
    return {k: book.value(k) for k in metrics}


def _cell(env: Any, expr: str, ctx: dict[str, Any]) -> str:
    try:
        out = render(env, source=expr, context=ctx, where="README")
    except Exception as e:  # noqa: BLE001 - a phrase that refuses is shown as such
        return f"（报错：{e}）"
    return out.replace("|", "\\|") or "（空）"


def tables() -> str:
    """The two Markdown tables, as README.md holds them."""
    env = make_env([])
    out = []
    for title, rows, make in (("年度指标（2021年，比上年）", ANNUAL_ROWS, _annual),
                              ("月度累计增速与地区（2022年1—6月，同比）", MONTHLY_ROWS, _monthly)):
        ctxs = [make(c) for c in CASES]
        out.append(f"**{title}**\n")
        out.append("| 写法 | 说明 | " + " | ".join(HEAD) + " |")
        out.append("| --- | --- | " + " | ".join("---" for _ in HEAD) + " |")
        for expr, what in rows:
            cells = [_cell(env, expr, ctx) for ctx in ctxs]
            code = expr.replace("|", "\\|")
            out.append(f"| `{code}` | {what} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = tables()
    if "--write" not in argv:
        sys.stdout.write(text)
        return 0
    readme = ROOT / "README.md"
    src = readme.read_text(encoding="utf-8")
    head, rest = src.split(START, 1)
    _old, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{text}{END}{tail}", encoding="utf-8")
    print(f"已更新 {readme}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
