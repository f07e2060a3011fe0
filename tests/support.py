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
