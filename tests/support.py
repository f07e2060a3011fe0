"""Paths and helpers shared by the tests (imported as `support`)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"


def squash(text: str) -> str:
    """Remove all whitespace: PDF extraction inserts spaces/newlines at justified gaps and line ends."""
    return re.sub(r"\s+", "", text)


C_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_chart_parts(d) -> list:
    """The native chart parts a python-docx Document shows, in document order."""
    return [d.part.related_parts[ref.get(f"{{{R_NS}}}id")] for ref in d.element.body.iter(f"{{{C_NS}}}chart")]


def _keeps_with_next(p) -> bool:
    """A paragraph's keep-with-next, set on it or inherited from its style."""
    if p.paragraph_format.keep_with_next is not None:
        return bool(p.paragraph_format.keep_with_next)
    style = p.style
    while style is not None:
        if style.paragraph_format.keep_with_next is not None:
            return bool(style.paragraph_format.keep_with_next)
        style = style.base_style
    return False


def docx_keep_chain(d, heading: str) -> list[tuple[str, bool]]:
    """From the paragraph reading `heading` to the float under it: (text, keeps with next) for each
    paragraph, ending with ("table", every cell of its first row keeps) or ("drawing", the chart's
    paragraph keeps)."""
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    paras = {p._p: p for p in d.paragraphs}
    el = next(p._p for p in d.paragraphs if squash(p.text) == squash(heading))
    chain: list[tuple[str, bool]] = []
    while el is not None:
        if el.tag == qn("w:tbl"):
            cells = [Paragraph(p, None) for p in el.findall(qn("w:tr"))[0].iter(qn("w:p"))]
            return chain + [("table", all(c.paragraph_format.keep_with_next for c in cells))]
        p = paras[el]
        if el.find(".//" + qn("w:drawing")) is not None:
            return chain + [("drawing", _keeps_with_next(p))]
        chain.append((p.text, _keeps_with_next(p)))
        el = el.getnext()
    return chain
