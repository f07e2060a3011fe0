"""Where a single `briefgen build` spends its time (pyinstrument, not a project dependency).

    pip install pyinstrument && python bench/profile_build.py [CONFIG]

Prints the call tree of one whole build (imports included) and, separately, of
repeated builds in one process (what a batch worker pays per briefing).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _common import SEED


def main() -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None
    config = Path(sys.argv[1]) if len(sys.argv) > 1 else SEED
    with tempfile.TemporaryDirectory() as tmp:
        p = Profiler(interval=0.001)
        p.start()
        from briefgen.pipeline import build

        build(config, tmp)
        p.stop()
        print("== first build in a fresh process (imports included) ==")
        print(p.output_text(color=False, show_all=False))
        p = Profiler(interval=0.001)
        p.start()
        for _ in range(3):
            build(config, tmp)
        p.stop()
        print("== three more builds in the same process (a batch worker's steady state) ==")
        print(p.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()
