"""Category labels: wrapping and fitting, measured here with a fixed-pitch stand-in."""

from __future__ import annotations

from briefgen.charts.text import _split, fit_xlabels, wrap


class Pitch:
    """Every character one em wide: enough to test the decisions, not the font."""

    def width(self, s: str, size: float) -> float:
        return max(len(line) for line in s.split("\n")) * size

    def glyph_h(self, size: float) -> float:
        return size

    def line_h(self, size: float) -> float:
        return size * 1.2


def test_split_keeps_numbers_whole_and_puts_longer_lines_last():
    assert _split("高新技术产业开发区", 2) == ["高新技术", "产业开发区"]
    assert _split("第12345号城市", 2) == ["第", "12345号城市"]


def test_wrap_uses_the_fewest_lines_that_fit():
    m = Pitch()
    assert wrap(m, "高新技术产业开发区", 10, 50) == "高新技术\n产业开发区"
    assert wrap(m, "高新技术产业开发区", 10, 30) == "高新技\n术产业\n开发区"
    assert wrap(m, "高新技术产业开发区", 10, 10) is None
    assert wrap(m, "城区", 10, 10) is None  # one character per line reads worse than rotating


def test_fit_xlabels_upright_wrapped_rotated_or_sparse():
    m = Pitch()
    up = fit_xlabels(m, ["一月", "二月"], 40)
    assert (up.rotation, up.texts) == (0, ["一月", "二月"])
    wrapped = fit_xlabels(m, ["高新技术产业开发区", "城区"], 60)
    assert wrapped.rotation == 0 and "\n" in wrapped.texts[0]
    rotated = fit_xlabels(m, ["一二三四五六七八九十"] * 3, 20)
    assert rotated.rotation == 45
    sparse = fit_xlabels(m, [f"{i}" for i in range(100)], 2)
    assert sparse.rotation == 90 and sparse.texts[1] == "" and sparse.texts[0] == "0"
