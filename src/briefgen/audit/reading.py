"""The figures of a finished document (DOCX or PDF), perhaps edited by hand after the build.

A DOCX is read as the XML it is (paragraphs, tables and text boxes of the body, in
order; headers and footers hold only page numbers). A PDF is read with pdfminer.six,
character by character: characters on one baseline form a line, a gap wider than a
quarter of the font size is a space (so two chart labels side by side stay two
numbers), and turned text (the labels of a vertical bar chart) is read along its
own direction.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator
from xml.etree import ElementTree as ET

from briefgen.audit.rows import category_of, tokens
from briefgen.errors import BriefgenError

__all__ = ["Found", "read_figures", "read_docx", "read_pdf"]

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
MAX_XML_BYTES = 64 * 1024 * 1024  # a briefing's document.xml is a few hundred KB


@dataclass
class Found:
    """A figure as it stands in the document."""

    text: str  # 857 · 32.8 · −4.8 · 一
    place: str  # 第27段 · 第1个表格第2行第3列 · 第3页第14行
    context: str  # the text around it, the figure in 【】
    category: str | None  # 时间 · 期号 · 图表编号 · 序号 · 页码, or None for a figure
    line: str = ""  # the whole paragraph, cell or line

    @property
    def value(self) -> float | None:
        """The number it reads as (None for what is no number)."""
        return parse_figure(self.text)


_CN = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def parse_figure(text: str) -> float | None:
    """857 → 857.0, −4.8 → −4.8, 1,172 → 1172.0, 十二 → 12.0; None for anything else."""
    t = text.replace("−", "-").replace(",", "")
    try:
        return float(t)
    except ValueError:
        pass
    if not t or any(ch not in _CN and ch not in "十百" for ch in t):
        return None
    total, num = 0, 0
    for ch in t:
        if ch in _CN:
            num = _CN[ch]
        elif ch == "十":
            total += (num or 1) * 10
            num = 0
        elif ch == "百":
            total += (num or 1) * 100
            num = 0
    return float(total + num)


def _figures(text: str, place: str) -> list[Found]:
    out = []
    for m in tokens(text):
        left = text[max(0, m.start() - 14):m.start()].replace("\n", "")
        right = text[m.end():m.end() + 14].replace("\n", "")
        out.append(Found(m.group(), place, f"{left}【{m.group()}】{right}", category_of(text, m.start(), m.end()),
                         text))
    return out


def read_figures(path: Path) -> list[Found]:
    """Every figure of a DOCX or PDF, in reading order."""
    suffix = Path(path).suffix.lower()
    if not Path(path).is_file():
        raise BriefgenError("找不到要检查的文档", where=str(path))
    if suffix == ".docx":
        return read_docx(Path(path))
    if suffix == ".pdf":
        return read_pdf(Path(path))
    raise BriefgenError(f"只能检查 .docx 或 .pdf 文档，收到“{suffix or '（无扩展名）'}”", where=str(path))


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def read_docx(path: Path) -> list[Found]:
    """The figures of a DOCX body: paragraphs, table cells and text boxes, in order."""
    try:
        with zipfile.ZipFile(path) as z:
            info = z.getinfo("word/document.xml")
            if info.file_size > MAX_XML_BYTES:
                raise BriefgenError("文档正文过大，无法检查", where=str(path))
            root = ET.fromstring(z.read(info))
    except (zipfile.BadZipFile, KeyError, ET.ParseError, OSError):
        raise BriefgenError("无法读取 Word 文档：文件已损坏、不完整，或不是 .docx 格式", where=str(path),
                            hint="请在 Word 或 WPS 中打开后另存为 .docx") from None
    body = root.find(f"{_W}body")
    if body is None:
        return []
    out: list[Found] = []
    counter = {"p": 0, "t": 0}
    for kind, text, place in _docx_blocks(body, counter):
        if kind and text.strip():
            out += _figures(text, place)
    return out


def _docx_blocks(el: Any, counter: dict[str, int]) -> Iterator[tuple[str, str, str]]:
    for child in el:
        tag = child.tag
        if tag == f"{_W}p":
            counter["p"] += 1
            text = _para_text(child)
            if text.strip():
                yield "p", text, f"第{counter['p']}段"
            # Text boxes anchored in the paragraph (报尾/版记), once (not their VML fallback copy).
            for box in _text_boxes(child):
                for p in box.iter(f"{_W}p"):
                    t = _para_text(p)
                    if t.strip():
                        yield "p", t, f"第{counter['p']}段（文本框）"
        elif tag == f"{_W}tbl":
            counter["t"] += 1
            n = counter["t"]
            for i, tr in enumerate(child.findall(f"{_W}tr"), start=1):
                for j, tc in enumerate(tr.findall(f"{_W}tc"), start=1):
                    text = "\n".join(_para_text(p) for p in tc.iter(f"{_W}p"))
                    if text.strip():
                        yield "c", text, f"第{n}个表格第{i}行第{j}列"
        elif tag in (f"{_W}sdt", f"{_W}sdtContent", f"{_W}customXml", f"{_W}smartTag"):
            yield from _docx_blocks(child, counter)


def _text_boxes(p: Any) -> list[Any]:
    boxes = []
    fallback = {id(x) for fb in p.iter(_MC_FALLBACK) for x in fb.iter()}
    for box in p.iter(f"{_W}txbxContent"):
        if id(box) not in fallback:
            boxes.append(box)
    return boxes


def _para_text(p: Any) -> str:
    """A paragraph's own text (runs, tabs, breaks; hyperlinks and fields' shown text), not its text boxes."""
    parts: list[str] = []

    def walk(el: Any) -> None:
        for ch in el:
            tag = ch.tag
            if tag == f"{_W}txbxContent" or tag == _MC_FALLBACK or tag.endswith("}AlternateContent") \
                    or tag.endswith("}drawing") or tag.endswith("}pict"):
                continue
            if tag == f"{_W}t":
                parts.append(ch.text or "")
            elif tag == f"{_W}tab":
                parts.append("\t")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag in (f"{_W}delText", f"{_W}instrText"):
                continue  # deleted text (tracked changes) and field codes are not shown
            else:
                walk(ch)

    walk(p)
    return "".join(parts)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------


def read_pdf(path: Path) -> list[Found]:
    """The figures of a PDF, page by page and line by line (turned text along its direction)."""
    out: list[Found] = []
    for page, lineno, text in pdf_lines(path):
        out += _figures(text, f"第{page}页第{lineno}行")
    return out


def pdf_lines(path: Path) -> list[tuple[int, int, str]]:
    """(page, line, text) of every line of text in a PDF."""
    try:
        from pdfminer.high_level import extract_pages  # local: only `check` of a PDF reads PDFs
        from pdfminer.layout import LTChar  # local: as above
        from pdfminer.pdfparser import PDFSyntaxError  # local: as above
    except ImportError:  # pragma: no cover - a dependency of briefgen
        raise BriefgenError("检查 PDF 需要 pdfminer.six", hint="请重新安装 briefgen") from None

    def chars(obj: Any) -> Iterator[Any]:
        if isinstance(obj, LTChar):
            yield obj
        elif hasattr(obj, "__iter__"):
            for o in obj:
                yield from chars(o)

    out: list[tuple[int, int, str]] = []
    try:
        pages = list(extract_pages(str(path), laparams=None))
    except (PDFSyntaxError, ValueError, KeyError, TypeError, OSError):
        raise BriefgenError("无法读取 PDF 文档：文件已损坏、加密或不完整", where=str(path)) from None
    except Exception as e:  # noqa: BLE001 - pdfminer raises its own types for damaged files
        if type(e).__module__.startswith("pdfminer"):
            raise BriefgenError("无法读取 PDF 文档：文件已损坏、加密或不完整", where=str(path)) from None
        raise
    for pno, page in enumerate(pages, start=1):
        cs = list(chars(page))
        lines = _rows([c for c in cs if c.upright])
        turned: dict[int, list[Any]] = {}
        for c in cs:
            if not c.upright:
                turned.setdefault(round(c.x0), []).append(c)
        n = 0
        for text in lines:
            n += 1
            out.append((pno, n, text))
        for _x, col in sorted(turned.items()):
            col.sort(key=lambda c: c.y0)
            n += 1
            out.append((pno, n, "".join(c.get_text() for c in col)))
    return out


def _rows(chars: list[Any]) -> list[str]:
    """Upright characters → lines, top to bottom; a gap wider than a quarter em is a space."""
    rows: list[dict[str, Any]] = []
    for c in sorted(chars, key=lambda c: (-c.y0, c.x0)):
        for r in rows[-6:]:
            if abs(r["y"] - c.y0) <= max(1.5, 0.25 * min(r["size"], c.size)):
                r["chars"].append(c)
                break
        else:
            rows.append({"y": c.y0, "size": c.size, "chars": [c]})
    out = []
    for r in sorted(rows, key=lambda r: -r["y"]):
        cs = sorted(r["chars"], key=lambda c: c.x0)
        s, prev = "", None
        for c in cs:
            if prev is not None and c.x0 - prev.x1 > 0.25 * max(c.size, 1.0):
                s += " "
            s += c.get_text()
            prev = c
        out.append(re.sub(r"\s+", " ", s).strip())
    return [x for x in out if x]
