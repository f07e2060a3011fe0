"""Paths and helpers shared by the tests (imported as `support`)."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"


#: The smallest data: one indicator over two years.
MINI_CSV = "指标,时期,数值,单位\n高企,2021,857,家\n高企,2020,640,家\n"


def mini_config(**extra) -> dict:
    """The smallest config over MINI_CSV (as d.csv); `extra` keys replace its own."""
    cfg = {"name": "mini", "region": "宜昌市", "period": 2021, "meta": {"title": "测试简报", "organ": "某局"},
           "data": [{"file": "d.csv"}], "metrics": {"hte": "高企"},
           "sections": [{"heading": "总体情况", "text": "全市高企{{ hte }}，{{ hte.yoy | growth }}。"}]}
    cfg.update(extra)
    return cfg


def write_config(folder: Path, cfg: dict, csv: str | None = MINI_CSV, sort_keys: bool = True) -> Path:
    """`cfg` as folder/b.yaml, with `csv` (unless None) as folder/d.csv beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    if csv is not None:
        (folder / "d.csv").write_text(csv, encoding="utf-8")
    path = folder / "b.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=sort_keys), encoding="utf-8")
    return path


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
