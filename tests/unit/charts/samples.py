"""Chart specs and helpers shared by the chart tests."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from PIL import Image

from briefgen.charts import ChartSpec, Series
from briefgen.errors import BriefgenWarning

YEARS = [f"{y}年" for y in range(2019, 2024)]
CITIES = ["宜昌市", "襄阳市", "荆州市", "黄冈市", "孝感市", "十堰市", "荆门市", "咸宁市"]
HAN = re.compile(r"[\u4e00-\u9fff]")


def gdp() -> Series:
    return Series("地区生产总值", [8123.4, 8456.2, 9321.7, 9876.5, 10534.2], unit="亿元", decimals=1)


def growth() -> Series:
    return Series("增长速度", [6.8, 3.2, 8.5, 4.1, 5.6], kind="line", axis="right", unit="%",
                  decimals=1)


SPECS = {
    "bar": lambda: ChartSpec("bar", YEARS, [gdp()], unit="亿元", highlight="2023年"),
    "bar_grouped": lambda: ChartSpec(
        "bar", ["第一季度", "第二季度", "第三季度", "第四季度"],
        [Series("2022年", [120, 135, 150, 170]), Series("2023年", [130, None, 168, 181])],
        unit="亿元", source="市统计局", source_in_image=True),
    "line": lambda: ChartSpec(
        "line", [f"{m}月" for m in range(1, 13)],
        [Series("规上工业增加值增速", [5.2, 6.1, 4.8, -1.2, 3.5, None, 6.0, 6.4, 5.9, 7.1, 6.6, 6.8],
                unit="%", decimals=1),
         Series("固定资产投资增速", [4.0, 4.5, 5.1, 3.9, 3.3, 3.8, 4.2, 6.2, 5.5, 5.0, 4.6, 4.1],
                unit="%", decimals=1)],
        unit="%", target=5.0),
    "bar_line": lambda: ChartSpec("bar_line", YEARS, [gdp(), growth()], unit="亿元", unit2="%",
                                  show_title=True, title="地区生产总值及增长速度"),
    "hbar_rank": lambda: ChartSpec(
        "hbar_rank", CITIES, [Series("增速", [6.2, 5.8, 6.5, 5.1, 6.9, 5.5, 6.0, 7.2], unit="%",
                                     decimals=1)],
        highlight="宜昌市", sort="desc", rank_numbers=True),
    "pie": lambda: ChartSpec("pie", ["第一产业", "第二产业", "第三产业"],
                             [Series("增加值", [412.3, 2381.5, 3012.8], unit="亿元")]),
    "donut": lambda: ChartSpec(
        "donut", ["国有企业", "集体企业", "股份制企业", "外商投资企业", "私营企业", "其他"],
        [Series("企业数", [52, 11, 330, 25, 1210, 3], unit="家")]),
    "stacked_bar": lambda: ChartSpec(
        "stacked_bar", YEARS,
        [Series("第一产业", [410, 432, 451, 470, 488]), Series("第二产业", [3210, 3302, 3655, 3801, 4012]),
         Series("第三产业", [4503, 4722, 5215, 5605, 6034])], unit="亿元"),
    "long_labels": lambda: ChartSpec(
        "bar", ["高新技术产业开发区", "经济技术开发区", "城区", "夷陵区", "点军区", "猇亭区", "宜都市",
                "枝江市", "当阳市", "远安县", "兴山县", "秭归县"],
        [Series("税收收入", [31.5, 28.2, 19.4, 22.6, 5.1, 12.3, 18.8, 17.2, 11.9, 6.4, 5.5, 7.7],
                unit="亿元")], unit="亿元"),
    "negative_bars": lambda: ChartSpec(
        "bar", ["工业", "建筑业", "批发零售", "住宿餐饮"], [Series("增速", [5.2, -3.4, 6.1, -8.7], unit="%")],
        unit="%"),
}

BAD = {
    "unknown type": (lambda: ChartSpec("radar", YEARS, [gdp()]), "未知的图表类型"),
    "no categories": (lambda: ChartSpec("bar", [], [Series("值", [])]), "没有类别"),
    "no series": (lambda: ChartSpec("bar", YEARS, []), "没有数据系列"),
    "all missing": (lambda: ChartSpec("bar", ["甲", "乙"], [Series("值", [None, None])]), "没有任何有效数值"),
    "length mismatch": (lambda: ChartSpec("bar", YEARS, [Series("值", [1, 2, 3])]), "与 5 个类别不一致"),
    "pie negative": (lambda: ChartSpec("pie", ["甲", "乙"], [Series("值", [3, -1])]), "饼图不能有负值"),
    "pie zero": (lambda: ChartSpec("donut", ["甲", "乙"], [Series("值", [0, 0])]), "合计为零"),
    "pie two series": (lambda: ChartSpec("pie", ["甲", "乙"], [Series("a", [1, 2]), Series("b", [1, 2])]),
                       "只能有一个数据系列"),
    "bar_line no line": (lambda: ChartSpec("bar_line", YEARS, [gdp()]), "折线系列"),
    "not a number": (lambda: ChartSpec("bar", ["甲", "乙"], [Series("值", [1, "两"])]), "不是数字"),
    "bad kind": (lambda: ChartSpec("bar", ["甲"], [Series("值", [1], kind="area")]), "类型“area”无效"),
    "bad axis": (lambda: ChartSpec("bar", ["甲"], [Series("值", [1], axis="top")]), "坐标轴"),
    "bad sort": (lambda: ChartSpec("hbar_rank", ["甲"], [Series("值", [1])], sort="up"), "排序方式"),
    "bad colour": (lambda: ChartSpec("bar", ["甲"], [Series("值", [1])], palette=["#12"]), "颜色"),
    "bad size": (lambda: ChartSpec("bar", ["甲"], [Series("值", [1])], width_cm=0), "尺寸"),
    "infinite": (lambda: ChartSpec("bar", ["甲"], [Series("值", [float("inf")])]), "无穷大"),
}


def render(spec: ChartSpec, out: Path) -> list[warnings.WarningMessage]:
    """Render ``spec`` into ``out`` and return every warning raised meanwhile."""
    from briefgen.charts.render import render_chart

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_chart(spec, out)
    return caught


def glyph_warnings(caught) -> list[str]:
    return [str(w.message) for w in caught
            if ("Glyph" in str(w.message) and "missing" in str(w.message))
            or issubclass(w.category, BriefgenWarning)]


def count_near(img: Image.Image, rgb: tuple[int, int, int], tol: int = 12) -> int:
    return sum(n for n, px in img.getcolors(img.width * img.height)
               if all(abs(a - b) <= tol for a, b in zip(px[:3], rgb)))


def hex_rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
