"""The chart cache: identical charts are copied, any change to the drawing code redraws."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import briefgen.charts.cache as cache
from briefgen.charts import ChartSpec, Series

from .samples import SPECS


@pytest.fixture
def fresh_fingerprint():
    cache._chart_code_fingerprint.cache_clear()
    yield
    cache._chart_code_fingerprint.cache_clear()


def test_pipeline_uses_this_cache():
    import briefgen.pipeline

    assert briefgen.pipeline.cached_chart is cache.cached_chart
    assert not hasattr(briefgen.pipeline, "_chart_key")


def test_fingerprint_covers_every_file_of_the_package(tmp_path, monkeypatch, fresh_fingerprint):
    pkg = Path(cache.__file__).parent
    copy = tmp_path / "briefgen" / "charts"
    shutil.copytree(pkg, copy, ignore=shutil.ignore_patterns("__pycache__"))
    zh = tmp_path / "briefgen" / "zh.py"
    shutil.copyfile(pkg.parent / "zh.py", zh)
    monkeypatch.setattr(cache, "_PACKAGE", copy)
    monkeypatch.setattr(cache, "_ALSO_DRAWS", (zh,))
    base = cache._chart_code_fingerprint()
    files = sorted(copy.rglob("*.py")) + [zh]
    assert {"render.py", "cartesian.py", "theme.py", "cache.py", "zh.py"} <= {f.name for f in files}
    for f in files:
        original = f.read_bytes()
        f.write_bytes(original + b"\n# changed\n")
        cache._chart_code_fingerprint.cache_clear()
        assert cache._chart_code_fingerprint() != base, f"{f.name} is not fingerprinted"
        f.write_bytes(original)
    cache._chart_code_fingerprint.cache_clear()
    assert cache._chart_code_fingerprint() == base


def test_key_follows_spec_and_font(tmp_path):
    font = tmp_path / "f.ttc"
    font.write_bytes(b"font")
    spec = SPECS["bar"]()
    key = cache._chart_key(spec, font, 0)
    assert cache._chart_key(SPECS["bar"](), font, 0) == key
    assert cache._chart_key(spec, font, 1) != key
    assert cache._chart_key(spec, None, 0) != key
    spec.series[0].values[0] += 1
    assert cache._chart_key(spec, font, 0) != key


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), **extra)
    env.pop("LOCALAPPDATA", None)
    return env


_DRAW = (
    "import sys; from pathlib import Path\n"
    "from briefgen.charts import ChartSpec, Series\n"
    "from briefgen.charts.cache import cached_chart\n"
    "spec = ChartSpec('bar', ['甲', '乙'], [Series('值', [874.05, 2])])\n"
    "cached_chart(spec, Path(sys.argv[1]), None)\n"
    "print('matplotlib' in sys.modules)\n"
)


def test_a_hit_copies_the_png_without_loading_matplotlib(tmp_path):
    first = subprocess.run([sys.executable, "-c", _DRAW, str(tmp_path / "a.png")], check=True,
                           capture_output=True, text=True, env=_env(tmp_path))
    assert first.stdout.strip() == "True"  # a miss draws
    assert len(list((tmp_path / "cache" / "briefgen" / "charts").glob("*.png"))) == 1
    second = subprocess.run([sys.executable, "-c", _DRAW, str(tmp_path / "b.png")], check=True,
                            capture_output=True, text=True, env=_env(tmp_path))
    assert second.stdout.strip() == "False"
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("BRIEFGEN_CHART_CACHE", "0")
    spec = ChartSpec("bar", ["甲", "乙"], [Series("值", [1, 2])])
    out = cache.cached_chart(spec, tmp_path / "c.png", None)
    assert out.is_file()
    assert not (tmp_path / "cache" / "briefgen" / "charts").exists()


def test_vector_charts_are_cached_too(tmp_path, monkeypatch):
    """A chart drawn as PNG and vector is copied the next time; only what is missing is drawn.
    A PNG beside the vector chart (a native chart's fallback, painted from the vector drawing)
    is kept apart from a PNG drawn alone, and drawn again with its vector chart."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("BRIEFGEN_CHART_CACHE", raising=False)
    spec = SPECS["bar_line"]()
    calls: list[tuple] = []
    real = cache._render

    def counting(spec, out, vector, font_path, font_index):
        calls.append((out is not None, vector is not None))
        real(spec, out, vector, font_path, font_index)

    monkeypatch.setattr(cache, "_render", counting)
    cache.cached_chart(spec, tmp_path / "a.png", None)  # the PNG only
    cache.cached_chart(spec, None, None, vector=tmp_path / "b.vec.json")
    assert calls == [(True, False), (False, True)]  # the second draws only the vector chart
    cache.cached_chart(spec, tmp_path / "c.png", None, vector=tmp_path / "c.vec.json")
    assert calls[2:] == [(True, True)]  # the fallback picture is drawn with its vector chart
    cache.cached_chart(spec, tmp_path / "d.png", None, vector=tmp_path / "d.vec.json")
    cache.cached_chart(spec, None, None, vector=tmp_path / "e.vec.json")
    cache.cached_chart(spec, tmp_path / "f.png", None)
    assert len(calls) == 3  # hits
    assert (tmp_path / "c.vec.json").read_bytes() == (tmp_path / "b.vec.json").read_bytes() \
        == (tmp_path / "e.vec.json").read_bytes()
    assert (tmp_path / "d.png").read_bytes() == (tmp_path / "c.png").read_bytes()
    assert (tmp_path / "f.png").read_bytes() == (tmp_path / "a.png").read_bytes()
    stored = sorted(p.name.split(".", 1)[1] for p in (tmp_path / "cache" / "briefgen" / "charts").iterdir())
    assert stored == ["fallback.png", "png", "vec.json"]
    (fallback,) = (tmp_path / "cache" / "briefgen" / "charts").glob("*.fallback.png")
    fallback.unlink()
    cache.cached_chart(spec, tmp_path / "g.png", None, vector=tmp_path / "g.vec.json")
    assert calls[3:] == [(True, True)]
    assert (tmp_path / "g.png").read_bytes() == (tmp_path / "c.png").read_bytes()
