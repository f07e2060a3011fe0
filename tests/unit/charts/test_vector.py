"""Vector charts: matplotlib's drawing recorded as shapes and text in points, the same
layout as the PNG, stable JSON for the cache."""

from __future__ import annotations

import pytest

from briefgen.charts import ChartSpec, Series
from briefgen.charts.render import render_chart
from briefgen.charts.vector import Label, Shape, VectorChart

from .samples import SPECS


def _vector(spec, tmp_path, name="c"):
    out = tmp_path / f"{name}.vec.json"
    assert render_chart(spec, None, vector=out) is None
    assert not list(tmp_path.glob("*.png"))  # only what was asked for
    return VectorChart.load(out)


@pytest.mark.parametrize("name", list(SPECS))
def test_every_kind_records_shapes_and_text_inside_the_chart(tmp_path, name):
    spec = SPECS[name]()
    vc = _vector(spec, tmp_path)
    assert vc.width == pytest.approx(spec.width_cm / 2.54 * 72, abs=0.01)
    assert vc.height == pytest.approx(spec.height_cm / 2.54 * 72, abs=0.01)
    shapes = [i for i in vc.items if isinstance(i, Shape)]
    labels = [i for i in vc.items if isinstance(i, Label)]
    assert shapes and labels
    for t in labels:
        assert 0 <= t.x <= vc.width and 0 <= t.y <= vc.height, t
        assert 5 <= t.size <= 13
    for s in shapes:
        xs = [v for op in s.path for v in op[1::2]]
        assert min(xs) >= -1 and max(xs) <= vc.width + 1


def test_labels_are_the_pngs_labels(tmp_path):
    """Same numbers, same rounding as the drawn chart: a gap stays a gap."""
    vc = _vector(SPECS["bar_grouped"](), tmp_path)
    texts = vc.texts()
    for t in ("120", "130", "135", "150", "168", "170", "181", "单位：亿元", "第二季度", "2022年", "2023年"):
        assert t in texts
    # 2023年 has no second quarter: no label, no bar
    assert texts.count("135") == 1
    line = _vector(SPECS["line"](), tmp_path, "line")
    assert "−1.2%" in line.texts() and "目标值 5.0%" in line.texts()
    dashed = [s for s in line.items if isinstance(s, Shape) and s.dash]
    assert dashed and all(s.stroke == "#C00000" for s in dashed)  # the target line in the accent


def test_highlight_and_palette(tmp_path):
    spec = SPECS["bar"]()  # 2023年 highlighted
    vc = _vector(spec, tmp_path)
    fills = [s.fill for s in vc.items if isinstance(s, Shape) and s.fill not in (None, "#FFFFFF")]
    assert fills.count("#C00000") == 1 and fills.count("#1F4E79") == 4
    red = [t.text for t in vc.items if isinstance(t, Label) and t.color == "#C00000"]
    assert red == ["2023年"]
    spec.palette = ["#2F5597", "#8FAADC"]
    vc = _vector(spec, tmp_path, "pal")
    assert "#2F5597" in {s.fill for s in vc.items if isinstance(s, Shape)}


def test_rotated_category_labels_keep_their_angle(tmp_path):
    spec = ChartSpec("bar", [f"第{i}个很长的类别名称" for i in range(12)],
                     [Series("值", [float(i) for i in range(12)])])
    vc = _vector(spec, tmp_path)
    angles = {t.angle for t in vc.items if isinstance(t, Label) and t.text.startswith("第")}
    assert angles == {45.0}


def test_json_is_stable_and_round_trips(tmp_path):
    a = _vector(SPECS["stacked_bar"](), tmp_path, "a")
    b = _vector(SPECS["stacked_bar"](), tmp_path, "b")
    assert (tmp_path / "a.vec.json").read_bytes() == (tmp_path / "b.vec.json").read_bytes()
    assert VectorChart.from_json(a.to_json()) == a == b


def test_foreign_json_is_refused():
    with pytest.raises(ValueError):
        VectorChart.from_json('{"format": "something-else", "version": 1}')


def test_png_and_vector_from_one_layout(tmp_path):
    out = render_chart(SPECS["donut"](), tmp_path / "d.png", vector=tmp_path / "d.vec.json")
    assert out == tmp_path / "d.png" and out.is_file()
    assert "合计\n1631家" not in VectorChart.load(tmp_path / "d.vec.json").texts()  # lines drawn apart
    assert {"合计", "1631家"} <= set(VectorChart.load(tmp_path / "d.vec.json").texts())


@pytest.mark.parametrize("labels", [True, False])
def test_ranking_row_without_a_value_reads_no_data(tmp_path, labels):
    """The drawn chart (PNG and vector are one drawing) writes 无数据 on the missing county's row,
    right of the axis, in the muted grey — with value labels or without."""
    spec = ChartSpec("hbar_rank", ["甲", "乙", "丙"], [Series("数", [120.0, None, 95.0], unit="家")],
                     sort="desc", labels=labels)
    vc = _vector(spec, tmp_path, f"m{labels}")
    labels_ = {t.text: t for t in vc.items if isinstance(t, Label)}
    mark, name, other = labels_["无数据"], labels_["乙"], labels_["丙"]
    assert mark.color == "#595959" and mark.x > name.x
    assert abs(mark.y - name.y) < 3 and name.y < other.y  # on 乙's row, the last one
    assert ("95" in labels_) == labels  # value labels only when asked (an axis otherwise)


def test_the_fallback_picture_is_the_vector_drawing_painted(tmp_path):
    """Beside a vector chart the PNG (Word's fallback picture for a native chart) is painted
    from the recording, not drawn again: the same picture as a PNG drawn alone, but for text and
    edges placed from the unhinted layout (under a pixel or two)."""
    import numpy as np
    from PIL import Image

    for kind in ("bar_line", "hbar_rank", "donut", "stacked_bar"):
        alone = render_chart(SPECS[kind](), tmp_path / f"{kind}.png")
        painted = render_chart(SPECS[kind](), tmp_path / f"{kind}.f.png", vector=tmp_path / f"{kind}.vec.json")
        with Image.open(alone) as a, Image.open(painted) as b:
            assert a.mode == b.mode == "RGB" and a.size == b.size and a.info["dpi"] == b.info["dpi"]
            pa, pb = np.asarray(a).astype(int), np.asarray(b).astype(int)
        ink_a, ink_b = (pa.min(axis=2) < 200).sum(), (pb.min(axis=2) < 200).sum()
        assert abs(ink_a - ink_b) < 0.03 * ink_a, kind  # the same amount of drawing
        far = np.abs(pa - pb).max(axis=2) > 64
        assert far.mean() < 0.03, kind  # nearly every pixel the same
        # and no pixel is far from one at most a pixel or two away in the other picture
        near = np.zeros_like(far)
        for dy in (-2, -1, 0, 1, 2):
            for dx in (-2, -1, 0, 1, 2):
                near |= np.abs(np.roll(pa, (dy, dx), axis=(0, 1)) - pb).max(axis=2) <= 64
        assert near.mean() > 0.999, kind


def test_png_files_hold_the_pixels_drawn(tmp_path):
    """The PNG writer (unfiltered rows, zlib) stores exactly the RGB of the renderer's buffer."""
    import numpy as np
    from PIL import Image

    from briefgen.charts.raster import save_png

    rng = np.random.default_rng(7)
    rgba = rng.integers(0, 256, (37, 53, 4), dtype=np.uint8)
    save_png(rgba.tobytes(), 53, 37, tmp_path / "r.png", 150)
    with Image.open(tmp_path / "r.png") as im:
        assert im.mode == "RGB" and im.size == (53, 37) and round(im.info["dpi"][0]) == 150
        assert np.array_equal(np.asarray(im), rgba[:, :, :3])
