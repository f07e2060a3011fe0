"""The same chart pixels are embedded in the PDF once, however many files hold them (issue #14)."""

from __future__ import annotations

from PIL import Image
from pypdf import PdfReader

from briefgen.fonts import resolve_fonts
from briefgen.layout import resolve_style
from briefgen.model import DocMeta, Document, Figure, Paragraph, Run
from briefgen.writers import WriterOptions
from briefgen.writers.pdf import PdfWriter


def _png(path, color):
    img = Image.new("RGB", (300, 180), "white")
    for x in range(40, 260):
        for y in range(60, 120):
            img.putpixel((x, y), color)
    img.save(path, format="png")
    return path


def _image_objects(pdf):
    seen = set()
    for page in PdfReader(str(pdf)).pages:
        xobjs = page["/Resources"].get("/XObject") or {}
        for ref in xobjs.values():
            if ref.get_object()["/Subtype"] == "/Image":
                seen.add(ref.idnum)
    return seen


def test_identical_images_embedded_once(tmp_path):
    a = _png(tmp_path / "a.png", (200, 30, 30))
    b = tmp_path / "b.png"
    b.write_bytes(a.read_bytes())  # another file, the same chart
    c = _png(tmp_path / "c.png", (30, 30, 200))
    figs = [Figure(image=p, caption=f"图{i}", number=f"图{i}") for i, p in enumerate([a, b, c, a], start=1)]
    blocks = []
    for f in figs:
        blocks += [Paragraph([Run("说明文字。")]), f]
    doc = Document(meta=DocMeta(title="图片", organ="某局", date="2024年1月1日", kind="plain"), blocks=blocks)
    style = resolve_style({"chart": {"mode": "image"}})
    out = tmp_path / "x.pdf"
    PdfWriter(WriterOptions(style, fonts=resolve_fonts(None, system=False))).write(doc, out)
    assert len(_image_objects(out)) == 2  # a and b share one; c is its own
