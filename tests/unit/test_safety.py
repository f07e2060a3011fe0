"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import pytest

from briefgen.safety import clean_text, is_url


@pytest.mark.parametrize("text,url", [
    ("https://example.com/d.csv", True), ("ftp://x/y", True), ("file:///etc/passwd", True),
    ("\\\\server\\share\\d.csv", True), ("//server/share", True),
    ("data/d.csv", False), ("C:\\data\\d.csv", False), ("d:x.csv", False),
])
def test_is_url(text, url):
    assert is_url(text) is url


def test_clean_text():
    assert clean_text("a\x00b\x07c\td\ne\rf\x7fg\x9fh\ufffei\uffffj") == "abc\td\ne\rfghij"
    assert clean_text("表情😀") == "表情😀"
    assert clean_text("") == ""
