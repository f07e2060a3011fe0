"""The look every chart shares: colours, printed font sizes and margins.

Sizes are in points at the printed size, so a chart reads the same on paper
whatever its dpi.
"""

from __future__ import annotations

ACCENT = "#C00000"
# Sober official colours: dark blue first (bars), deep red second (the line of a
# bar+line chart), then colours that stay distinct when printed in greyscale.
PALETTE = [
    "#1F4E79",  # dark blue
    "#C00000",  # deep red
    "#5B8DB8",  # steel blue
    "#7F7F7F",  # grey
    "#BF9000",  # gold
    "#548235",  # green
    "#9DC3E6",  # light blue
    "#C55A11",  # rust
    "#7030A0",  # purple
    "#BFBFBF",  # light grey
]

TEXT = "#262626"
MUTED = "#595959"
GRID = "#D9D9D9"
SPINE = "#808080"
HIGHLIGHT_BAND = "#F2F2F2"  # behind the highlighted category of a multi-series chart

# Printed sizes in points: 五号 for Chinese labels, 小五 for numbers.
FS_LABEL = 10.5
FS_LEGEND = 10.5
FS_UNIT = 10.0
FS_TICK = 9.0
FS_DATA = 9.0
FS_SOURCE = 9.0
FS_TITLE = 12.0
PAD = 4.0  # outer margin, pt
