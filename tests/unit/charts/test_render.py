"""Rendering: every type renders real Chinese glyphs at the printed size."""

from __future__ import annotations

import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from PIL import Image

from briefgen.charts import ACCENT, CHART_TYPES, ChartSpec, Series, validate_spec
from briefgen.charts.render import default_font_path, register_font, render_chart
from briefgen.errors import BriefgenError, BriefgenWarning

from .samples import BAD, HAN, SPECS, count_near, glyph_warnings, hex_rgb, render


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


def test_every_type_has_a_drawer():
    from briefgen.charts.kinds import DRAWERS

    assert set(DRAWERS) == set(CHART_TYPES)


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


def _drawn_texts(monkeypatch, spec: ChartSpec, out: Path) -> list[str]:
    """Every text matplotlib draws for ``spec``."""
    from matplotlib.text import Text

    drawn: list[str] = []
    real = Text.draw

    def spy(self, renderer):
        if self.get_visible() and self.get_text():
            drawn.append(self.get_text())
        return real(self, renderer)

    monkeypatch.setattr(Text, "draw", spy)  # Annotation.draw ends in Text.draw too
    render_chart(spec, out)
    return drawn


@pytest.mark.parametrize("kind", ["bar", "hbar_rank", "line"])
def test_drawn_label_rounds_like_the_text(kind, monkeypatch, tmp_path):
    spec = ChartSpec(kind, ["宜昌市", "襄阳市"], [Series("值", [874.05, 812.3], unit="亿元", decimals=1)])
    drawn = _drawn_texts(monkeypatch, spec, tmp_path / "r.png")
    assert "874.1" in drawn and "874.0" not in drawn


def test_drawn_pie_share_rounds_like_the_text(monkeypatch, tmp_path):
    # 1/8 = 12.5 % exactly: half to even would print 12%
    spec = ChartSpec("pie", ["甲", "乙"], [Series("值", [1, 7], unit="%", decimals=0)])
    drawn = _drawn_texts(monkeypatch, spec, tmp_path / "p.png")
    assert "甲 13%" in drawn


# -- fonts ---------------------------------------------------------------------


def test_default_font_is_packaged():
    """Charts use the bundled 黑体 face, shipped inside the package."""
    path = default_font_path()
    assert path.name == "BriefgenHei-Medium.ttf" and path.is_file()
    assert path.parent.name == "files" and path.parent.parent.name == "fonts"
    assert register_font() == "Briefgen Hei"


def _two_face_collection(path: Path, text: str) -> Path:
    """A small .ttc of the bundled 黑体 and 楷体, each cut down to `text`."""
    from fontTools import subset
    from fontTools.ttLib import TTCollection, TTFont

    faces = []
    for name in ("BriefgenHei-Medium.ttf", "BriefgenKai-Regular.ttf"):
        font = TTFont(str(default_font_path().parent / name))
        sub = subset.Subsetter(subset.Options(name_IDs=["*"], notdef_outline=True))
        sub.populate(text=text)
        sub.subset(font)
        faces.append(font)
    coll = TTCollection()
    coll.fonts = faces
    coll.save(str(path))
    return path


def test_explicit_font_and_face_index(tmp_path):
    spec = SPECS["bar"]()
    # Every label the chart can draw: its spec's text, ASCII and GB 2312 level 1.
    level1 = bytes(b for r in range(0xB0, 0xD8) for c in range(0xA1, 0xFF) for b in (r, c))
    text = repr(spec) + "".join(map(chr, range(32, 127))) + level1.decode("gb2312", "ignore") + "：（）、％"
    ttc = _two_face_collection(tmp_path / "pair.ttc", text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        render_chart(spec, tmp_path / "kai.png", font_path=ttc, font_index=1)
    assert glyph_warnings(caught) == []
    assert register_font(ttc, 1) == "Briefgen Kai"
    assert register_font(ttc, 0) == "Briefgen Hei"


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


# -- input the drawing must cope with ------------------------------------------


def test_render_validates_too(tmp_path):
    spec, _ = BAD["pie negative"]
    with pytest.raises(BriefgenError):
        render_chart(spec(), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


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
    with pytest.warns(BriefgenWarning, match="建议把图高设为") as caught:
        render_chart(spec, tmp_path / "r.png")
    # reported where render_chart was called, not inside the package
    assert [w.filename for w in caught if issubclass(w.category, BriefgenWarning)] == [__file__]


@pytest.mark.parametrize("kind", ["bar_line", "bar", "line", "stacked_bar"])
def test_a_right_axis_with_no_values_still_draws(kind, tmp_path):
    """A county in its first year has amounts but no growth rates: the chart with its growth
    series on the right axis draws the amounts (it used to fail with a TypeError, which the
    CLI reports as an internal error)."""
    spec = ChartSpec(kind, ["夷陵区", "西陵区", "宜都市"],
                     [Series("技术合同成交额", [3.2, 5.4, 2.1], unit="亿元"),
                      Series("同比增速", [None, None, None], kind="line", axis="right", unit="%")])
    out = render_chart(spec, tmp_path / "c.png", vector=tmp_path / "c.vec.json")
    with Image.open(out) as im:
        img = im.convert("RGB")
    assert img.width * img.height - count_near(img, (255, 255, 255), tol=8) > 0.02 * img.width * img.height
    assert "5.4" in (tmp_path / "c.vec.json").read_text(encoding="utf-8")  # the left series' labels
