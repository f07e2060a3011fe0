"""Charts: every type renders real Chinese glyphs at the printed size; bad specs fail in Chinese."""

from __future__ import annotations

import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image

from briefgen.charts import (
    ACCENT,
    ChartSpec,
    Series,
    default_font_path,
    register_font,
    render_chart,
    validate_spec,
)
from briefgen.errors import BriefgenError, BriefgenWarning

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


def render(spec: ChartSpec, out: Path) -> list[warnings.WarningMessage]:
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


@pytest.mark.parametrize("name", sorted(SPECS))
def test_renders_each_type(name, tmp_path):
    spec = SPECS[name]()
    out = tmp_path / f"{name}.png"
    caught = render(spec, out)
    assert out.is_file()
    assert glyph_warnings(caught) == []
    with Image.open(out) as im:
        assert im.mode == "RGB"  # opaque: no soft mask in the PDF
        img = im.convert("RGB")
        dpi = im.info.get("dpi")
    assert abs(img.width - spec.width_cm / 2.54 * spec.dpi) <= 2
    assert abs(img.height - spec.height_cm / 2.54 * spec.dpi) <= 2
    assert dpi and round(dpi[0]) == spec.dpi  # writers size the image from this
    white = count_near(img, (255, 255, 255), tol=8)
    assert img.width * img.height - white > 0.03 * img.width * img.height, "image is blank"
    assert img.getpixel((0, 0)) == (255, 255, 255)


def test_highlight_uses_accent_only_when_asked(tmp_path):
    hl = render_chart(SPECS["hbar_rank"](), tmp_path / "hl.png")
    spec = SPECS["hbar_rank"]()
    spec.highlight = None
    plain = render_chart(spec, tmp_path / "plain.png")
    red = hex_rgb(ACCENT)
    with Image.open(hl) as a, Image.open(plain) as b:
        assert count_near(a.convert("RGB"), red) > 500  # the highlighted bar
        assert count_near(b.convert("RGB"), red) == 0  # the accent is kept for emphasis


def test_highlight_custom_accent_and_palette(tmp_path):
    spec = SPECS["bar"]()
    spec.palette = ["#2E75B6", "#A5A5A5"]
    spec.accent = "#00B050"
    out = render_chart(spec, tmp_path / "c.png")
    with Image.open(out) as im:
        img = im.convert("RGB")
    assert count_near(img, (0x00, 0xB0, 0x50)) > 500
    assert count_near(img, (0x2E, 0x75, 0xB6)) > 2000


def test_unknown_highlight_is_ignored(tmp_path):
    # the builder highlights the report's own region, which a chart may not list
    spec = SPECS["bar"]()
    spec.highlight = "不存在的地区"
    assert glyph_warnings(render(spec, tmp_path / "x.png")) == []


def test_labels_off_and_tiny_size(tmp_path):
    for name in ("bar_line", "pie", "hbar_rank", "stacked_bar"):
        spec = SPECS[name]()
        spec.labels = False
        spec.width_cm, spec.height_cm, spec.dpi = 8.0, 5.0, 150
        out = tmp_path / f"{name}.png"
        assert glyph_warnings(render(spec, out)) == []
        with Image.open(out) as im:
            assert abs(im.width - 8.0 / 2.54 * 150) <= 2


def test_output_is_byte_stable(tmp_path):
    a = render_chart(SPECS["bar_line"](), tmp_path / "a.png").read_bytes()
    b = render_chart(SPECS["bar_line"](), tmp_path / "b.png").read_bytes()
    assert a == b


def test_creates_parent_directory(tmp_path):
    out = tmp_path / "deep" / "er" / "fig1.png"
    assert render_chart(SPECS["pie"](), out) == out
    assert out.is_file()


def test_missing_glyph_is_reported(tmp_path):
    # Negative control: proves the glyph-warning capture above would see tofu.
    spec = ChartSpec("bar", ["甲区\ue000", "乙区"], [Series("数值", [1, 2])])
    caught = render(spec, tmp_path / "tofu.png")
    msgs = glyph_warnings(caught)
    assert any("U+E000" in m and HAN.search(m) for m in msgs)
    assert any("Glyph" in m for m in msgs)


# -- fonts ---------------------------------------------------------------------


def test_default_font_is_packaged():
    path = default_font_path()
    assert path.name == "wqy-microhei.ttc" and path.is_file()
    assert register_font() == "WenQuanYi Micro Hei"


def test_explicit_font_and_face_index(tmp_path):
    spec = SPECS["bar"]()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_chart(spec, tmp_path / "mono.png", font_path=default_font_path(), font_index=1)
    assert glyph_warnings(caught) == []
    assert register_font(default_font_path(), 1) == "WenQuanYi Micro Hei Mono"


def test_font_errors_are_chinese(tmp_path):
    import matplotlib

    with pytest.raises(BriefgenError, match="找不到字体文件"):
        render_chart(SPECS["pie"](), tmp_path / "x.png", font_path=tmp_path / "nope.ttf")
    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    with pytest.raises(BriefgenError, match="不含中文"):
        register_font(latin)
    with pytest.raises(BriefgenError, match="序号"):
        register_font(default_font_path(), 7)


def test_no_pyplot_in_worker(tmp_path):
    code = (
        "import sys; from pathlib import Path\n"
        "from briefgen.charts import ChartSpec, Series, render_chart\n"
        "render_chart(ChartSpec('bar', ['甲', '乙'], [Series('值', [1, 2])]), Path(sys.argv[1]))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "w.png")], check=True)


# -- validation ----------------------------------------------------------------

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


@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_rejects_bad_specs(case):
    make, fragment = BAD[case]
    with pytest.raises(BriefgenError) as exc:
        validate_spec(make(), where="charts[0]")
    err = exc.value
    assert fragment in err.message
    assert HAN.search(err.message)
    assert err.where == "charts[0]"


def test_render_validates_too(tmp_path):
    spec, _ = BAD["pie negative"]
    with pytest.raises(BriefgenError):
        render_chart(spec(), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


def test_validate_accepts_gaps_and_where_defaults():
    validate_spec(ChartSpec("line", ["甲", "乙", "丙"], [Series("值", [1.0, None, 2.0])]))
    with pytest.raises(BriefgenError) as exc:
        validate_spec(ChartSpec("bar", [], [], title="图名"))
    assert "图名" in exc.value.where


def test_accepts_numpy_decimal_and_nan(tmp_path):
    from decimal import Decimal

    import numpy as np

    spec = ChartSpec("line", [2021, 2022, 2023, 2024],
                     [Series("值", [np.int64(3), Decimal("4.5"), float("nan"), np.float32(5.25)])],
                     highlight=2022)
    validate_spec(spec)
    assert glyph_warnings(render(spec, tmp_path / "n.png")) == []
    with pytest.raises(BriefgenError, match="没有任何有效数值"):
        validate_spec(ChartSpec("bar", ["甲"], [Series("值", [np.float32("nan")])]))


def test_crowded_ranking_warns_in_chinese(tmp_path):
    cats = [f"第{i}号城市" for i in range(1, 31)]
    spec = ChartSpec("hbar_rank", cats, [Series("值", [float(i) for i in range(30)])], sort="desc")
    with pytest.warns(BriefgenWarning, match="建议把图高设为"):
        render_chart(spec, tmp_path / "r.png")
