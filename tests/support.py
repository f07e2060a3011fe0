"""Paths and helpers shared by the tests (imported as `support`)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "yichang-2021" / "briefing.yaml"


def squash(text: str) -> str:
    """Remove all whitespace: PDF extraction inserts spaces/newlines at justified gaps and line ends."""
    return re.sub(r"\s+", "", text)
