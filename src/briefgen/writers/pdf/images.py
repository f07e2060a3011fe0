"""Fast PDF embedding of chart PNGs and binary (not ASCII85) PDF streams.

reportlab decodes every PNG to raw pixels, hashes them, deflates them again
and ASCII85-encodes the result: about 0.1 s per 200-dpi chart, in pure Python
for the ASCII85 part. PDF's FlateDecode with the PNG predictor reads a PNG's
IDAT data as it is, so an 8-bit grey or RGB, non-interlaced PNG (what
`charts.render_chart` writes) is copied into the PDF byte for byte. The page
shows exactly the same pixels; anything else falls back to reportlab.
"""

from __future__ import annotations

import contextlib
import hashlib
import struct
from pathlib import Path
from typing import Any, Iterator

from reportlab import rl_config
from reportlab.lib.utils import _digester
from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFImageXObject, PDFName, PDFStream
from reportlab.platypus import Image

_PNG_SIG = b"\x89PNG\r\n\x1a\n"
_COLORS = {0: ("DeviceGray", 1), 2: ("DeviceRGB", 3)}


def png_info(path: str | Path) -> dict[str, Any] | None:
    """Width, height, colour space and IDAT bytes of a PNG the PDF can take as is, else None."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if not data.startswith(_PNG_SIG):
        return None
    pos, idat, info = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            return None
        if kind == b"IHDR":
            w, h, depth, ctype, _comp, _filt, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or ctype not in _COLORS or interlace:
                return None
            info = {"width": w, "height": h, "space": _COLORS[ctype][0], "colors": _COLORS[ctype][1]}
        elif kind == b"tRNS":
            return None  # transparency needs a mask: leave it to reportlab
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        pos += 12 + length
    if info is None or not idat:
        return None
    info["data"] = b"".join(idat)
    return info


class PngXObject(PDFImageXObject):
    """An image XObject whose stream is the PNG's own deflate data."""

    def __init__(self, name: str, info: dict[str, Any]):
        self.name = name
        self.width = info["width"]
        self.height = info["height"]
        self.colorSpace = info["space"]
        self.colors = info["colors"]
        self.bitsPerComponent = 8
        self.streamContent = info["data"]
        self.mask = None

    def format(self, document: Any) -> bytes:
        """The image XObject with the PNG's IDAT data as it is (no re-encoding)."""
        s = PDFStream(content=self.streamContent)
        d = s.dictionary
        d["Type"] = PDFName("XObject")
        d["Subtype"] = PDFName("Image")
        d["Width"] = self.width
        d["Height"] = self.height
        d["BitsPerComponent"] = 8
        d["ColorSpace"] = PDFName(self.colorSpace)
        # "Filter" present: PDFStream leaves the already-deflated bytes alone. With an
        # array of filters readers want an array of parameters too, so use a single name.
        d["Filter"] = PDFName("FlateDecode")
        d["DecodeParms"] = PDFDictionary({"Predictor": 15, "Colors": self.colors, "BitsPerComponent": 8,
                                          "Columns": self.width})
        d["Length"] = len(self.streamContent)
        return s.format(document)


class PngImage(Image):
    """`platypus.Image` for a PNG file, embedded without decoding when possible."""

    def __init__(self, filename: str | Path, width: float, height: float, **kw: Any):
        self._png = png_info(filename)
        super().__init__(str(filename), width=width, height=height, **kw)
        if self._png is not None:
            # Size known from the header: never open the file with PIL.
            self.imageWidth, self.imageHeight = self._png["width"], self._png["height"]
            self.drawWidth, self.drawHeight = width, height

    def draw(self) -> None:
        """Draw through a PngXObject shared by every use of the same pixels (one copy in the
        PDF however many files, e.g. the same chart in several briefing sections, hold them)."""
        if self._png is not None:
            c = self.canv
            info = self._png
            key = "briefgen-png:" + hashlib.sha256(
                f"{info['width']}x{info['height']}{info['space']}".encode() + info["data"]).hexdigest()
            # The name canvas.drawImage gives a "file" of that name: it then finds ours and reuses it.
            name = _digester(f"{key}{self._mask}".encode("utf-8"))
            reg = c._doc.getXObjectName(name)
            if c._doc.idToObject.get(reg) is None:
                obj = PngXObject(name, self._png)
                c._setXObjects(obj)
                c._doc.Reference(obj, reg)
                c._doc.addForm(name, obj)
            c.drawImage(key, getattr(self, "_offs_x", 0), getattr(self, "_offs_y", 0),
                        self.drawWidth, self.drawHeight, mask=self._mask)
            return
        super().draw()


@contextlib.contextmanager
def binary_streams() -> Iterator[None]:
    """Write PDF streams as binary deflate data instead of ASCII85 text (smaller, faster)."""
    old = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = old
