"""The style sheet is typed and checked like the rest of the config."""

import pytest
from pydantic import ValidationError

from briefgen.layout import DEFAULT_STYLE, StyleSheet, resolve_style


def test_defaults_are_gb9704():
    s = StyleSheet()
    assert (s.page.width, s.page.height, s.page.lines, s.page.chars) == (210, 297, 22, 28)
    assert s.element("body").size == 16 and s.element("body").indent == 2
    assert s.element("masthead").color == "#E50012"  # colour name resolved
    assert DEFAULT_STYLE["elements"]["title"]["size"] == 22


def test_override_changes_only_what_it_names():
    s = resolve_style({"elements": {"body": {"size": "小四"}}, "colors": {"red": "#cc0000"}})
    assert s.element("body").size == 12 and s.element("body").indent == 2
    assert s.element("masthead").color == "#CC0000"
    assert s.element("title") == StyleSheet().element("title")


@pytest.mark.parametrize("override", [
    {"elements": {"body": {"szie": 14}}},      # the old bug: a typo was silently ignored
    {"colours": {"red": "#000000"}},
    {"page": {"lines": "many"}},
    {"elements": {"bdy": {"size": 14}}},
    {"colors": {"red": "red"}},
    {"elements": {"body": {"size": "特大号"}}},
])
def test_unknown_keys_and_bad_values_are_refused(override):
    with pytest.raises(ValidationError):
        resolve_style(override)


def test_tracking_fits_28_characters_of_body_text_only():
    s = StyleSheet()
    g = s.geometry
    assert 28 * (16 + s.tracking(16)) == pytest.approx(g.text_width)
    assert s.tracking(42) == 0.0 and s.tracking(14) == 0.0


def test_chart_mode_defaults_to_native_with_fallback():
    s = StyleSheet()
    assert s.chart.mode == "native" and s.chart.fallback is True
    s = resolve_style({"chart": {"mode": "image", "palette": ["#2f5597"]}})
    assert s.chart.mode == "image" and s.chart.palette == ["#2F5597"]
    with pytest.raises(ValidationError, match="mode"):
        resolve_style({"chart": {"mode": "vector"}})
    with pytest.raises(ValidationError, match="fallbak"):
        resolve_style({"chart": {"fallbak": False}})
