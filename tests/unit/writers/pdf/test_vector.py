"""Vector charts in briefgen's PDF: drawn with path operators, their labels real text in
the document's embedded font (pdfplumber reads them where the chart shows them)."""

from __future__ import annotations

import pdfplumber
import pytest

from briefgen.charts import ChartSpec, Series
from briefgen.charts.render import render_chart
from briefgen.fonts import resolve_fonts
from briefgen.layout import resolve_style
from briefgen.model import DocMeta, Document, Figure
from briefgen.writers import WriterOptions
from briefgen.writers.pdf import PdfWriter

# Data that move: a fall, a flat year, a missing year, a line on the right axis.
SPEC = ChartSpec("bar_line", ["2019年", "2020年", "2021年", "2022年"],
                 [Series("工业增加值", [812.4, 790.2, 790.2, None], unit="亿元", decimals=1),
                  Series("增速", [6.1, -2.7, 0.0, None], kind="line", axis="right", unit="%", decimals=1)],
                 unit="亿元", unit2="%")


@pytest.fixture(scope="module")
def chains():
    return resolve_fonts(None, system=False)


def _write(tmp_path, chains, mode: str):
    png, vec = tmp_path / "fig1.png", tmp_path / "fig1.vec.json"
    render_chart(SPEC, png, vector=vec)
    doc = Document(DocMeta(title="测试", organ="统计局", date="2024年1月1日", kind="plain"),
                   [Figure(image=png, spec=SPEC, vector=vec, caption="工业增加值", number="图1",
                           aspect=SPEC.height_cm / SPEC.width_cm)])
    style = resolve_style({"chart": {"mode": mode}})
    out = tmp_path / f"{mode}.pdf"
    PdfWriter(WriterOptions(style, chains)).write(doc, out)
    return out


def test_labels_are_text_inside_the_chart(tmp_path, chains):
    out = _write(tmp_path, chains, "native")
    with pdfplumber.open(str(out)) as pdf:
        page = pdf.pages[0]
        assert not page.images
        words = {w["text"]: w for w in page.extract_words()}
        for t in ("812.4", "790.2", "−2.7%", "0.0%", "单位：亿元", "单位：%", "工业增加值", "2022年"):
            assert t in words, t
        caption = next(w for w in page.extract_words() if w["text"].startswith("图1"))
        assert words["812.4"]["bottom"] < caption["top"]
        # the curves and bars are vector paths, not pixels
        assert len(page.rects) + len(page.curves) + len(page.lines) > 10
        fonts = {c["fontname"] for c in page.chars if c["text"] in "812.4单位"}
        assert fonts and all("+" in f for f in fonts)  # subset-embedded


def test_image_mode_keeps_the_png(tmp_path, chains):
    out = _write(tmp_path, chains, "image")
    with pdfplumber.open(str(out)) as pdf:
        page = pdf.pages[0]
        assert len(page.images) == 1
        assert "812.4" not in (page.extract_text() or "")


def test_vector_chart_sits_where_the_png_would(tmp_path, chains):
    """Same size and place on the page as the picture of the image route (centred)."""
    with pdfplumber.open(str(_write(tmp_path, chains, "image"))) as pdf:
        img = pdf.pages[0].images[0]
        box = (img["x0"], img["top"], img["x1"], img["bottom"])
    with pdfplumber.open(str(_write(tmp_path, chains, "native"))) as pdf:
        # the chart's white background is its first, full-size rectangle
        bg = max(pdf.pages[0].rects, key=lambda r: r["width"] * r["height"])
        assert (bg["x0"], bg["top"], bg["x1"], bg["bottom"]) == pytest.approx(box, abs=0.5)
