"""Write src/briefgen/fonts/files/facts.json: what briefgen would otherwise work out with
fontTools on a user's first build — each bundled face's character coverage and its
punctuation extents — read once here from the bundled font files.

    python tools/font_facts.py

Run it whenever a bundled font changes; tests/unit/fonts/test_font_facts.py checks that
the file matches the fonts.
"""

from __future__ import annotations

import json

from fontTools.ttLib import TTFont

from briefgen.fonts import discovery, metrics


def facts() -> dict:
    """File name → {size, coverage, punct} for every bundled font file."""
    out = {}
    for path in sorted(discovery.FACTS_FILE.parent.glob("*.ttf")):
        with TTFont(str(path), lazy=True) as font:
            cov = discovery.code_ranges((font.getBestCmap() or {}).keys())
        out[path.name] = {"size": path.stat().st_size, "coverage": cov, "punct": metrics._read(path, 0)}
    return out


def main() -> None:
    discovery.FACTS_FILE.write_text(json.dumps(facts(), ensure_ascii=False, separators=(",", ":")) + "\n",
                                    encoding="utf-8")
    print(f"wrote {discovery.FACTS_FILE}")


if __name__ == "__main__":
    main()
