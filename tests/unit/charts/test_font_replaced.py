"""A font file replaced under the same name (issue #14 review, finding 1): a long-lived process
(the build server, a batch worker) draws with the new file, the chart cache does not hand out
charts drawn with the old one, and a replacement without Chinese glyphs fails as it would in a
fresh process."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import matplotlib
import pytest

from briefgen.charts.cache import cached_chart
from briefgen.errors import BriefgenError
from briefgen.fonts.chains import bundled_dir

from .samples import SPECS

HEI = bundled_dir() / "BriefgenHei-Medium.ttf"
KAI = bundled_dir() / "BriefgenKai-Regular.ttf"
DEJAVU = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


def _replace(target: Path, source: Path) -> None:
    """Put `source` at `target` as an installer would, keeping the old file's times."""
    st = target.stat()
    tmp = target.with_suffix(".new")
    shutil.copyfile(source, tmp)
    os.utime(tmp, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(tmp, target)


@pytest.mark.parametrize("cache", ["1", "0"])
def test_replaced_font_is_drawn_with(tmp_path, monkeypatch, cache):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFGEN_CHART_CACHE", cache)
    font = tmp_path / "fonts" / "chart.ttf"
    font.parent.mkdir()
    shutil.copyfile(HEI, font)
    spec = SPECS["bar"]()
    cached_chart(spec, tmp_path / "hei.png", font)
    _replace(font, KAI)
    cached_chart(spec, tmp_path / "after.png", font)
    shutil.copyfile(KAI, tmp_path / "kai.ttf")
    monkeypatch.setenv("BRIEFGEN_CHART_CACHE", "0")
    cached_chart(spec, tmp_path / "kai.png", tmp_path / "kai.ttf")
    after = (tmp_path / "after.png").read_bytes()
    assert after != (tmp_path / "hei.png").read_bytes()
    assert after == (tmp_path / "kai.png").read_bytes()
    # a font without Chinese glyphs put in its place: refused, as by a fresh process
    _replace(font, DEJAVU)
    monkeypatch.setenv("BRIEFGEN_CHART_CACHE", cache)
    with pytest.raises(BriefgenError, match="字体不含中文字形"):
        cached_chart(spec, tmp_path / "bad.png", font)
