"""The seed example built cold (a new `briefgen build` process, DOCX + PDF) against
LibreOffice converting the same DOCX to PDF (`soffice --headless --convert-to pdf`),
interleaved in one run so both see the same machine load.

    python bench/seed_vs_soffice.py [--rounds 7]

"Warm caches" means briefgen's per-user disk caches (font scan, CFF→TrueType glyph
conversions) and LibreOffice's user profile already exist, as on any machine after
the first use; "empty caches" starts both from nothing.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from _common import SEED, briefgen_cmd, child_env, med, print_machine, run, soffice


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    print_machine()
    so = soffice()
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as tmp:
        tmp = Path(tmp)
        profile = (tmp / "lo-profile").as_uri()
        env = child_env()
        bg = briefgen_cmd() + ["build", str(SEED), "--out", str(tmp / "out")]
        run(bg, env)  # writes .pyc files and fills the caches
        docx = tmp / "out" / "yichang-2021.docx"
        lo = [so, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
              "--outdir", str(tmp / "lo"), str(docx)] if so else None
        if lo:
            run(lo, env)  # creates the LibreOffice profile
        b_t, b_m, l_t, l_m = [], [], [], []
        for _ in range(args.rounds):
            t, m, _ = run(bg, env)
            b_t.append(t)
            b_m.append(m)
            if lo:
                t, m, _ = run(lo, env)
                l_t.append(t)
                l_m.append(m)
        print(f"briefgen build (DOCX+PDF), warm caches: median {med(b_t):.2f} s "
              f"(min {min(b_t):.2f}, max {max(b_t):.2f}), peak RSS {max(b_m):.0f} MB")
        if lo:
            print(f"soffice --convert-to pdf of its DOCX:   median {med(l_t):.2f} s "
                  f"(min {min(l_t):.2f}, max {max(l_t):.2f}), peak RSS {max(l_m):.0f} MB")
            ratios = [b / lo_ for b, lo_ in zip(b_t, l_t)]
            print(f"ratio briefgen/soffice: {med(b_t) / med(l_t):.2f} (median of medians; "
                  f"per round {min(ratios):.2f}-{max(ratios):.2f}); target <= 0.33")
        else:
            print("soffice not found: LibreOffice comparison skipped")
        # First run on a fresh machine: empty briefgen caches and a new LibreOffice profile.
        cold_env = child_env(XDG_CACHE_HOME=str(tmp / "empty-cache"))
        t, m, _ = run(bg, cold_env)
        line = f"empty caches: briefgen {t:.2f} s ({m:.0f} MB)"
        if lo:
            lo_cold = [x if not x.startswith("-env:") else f"-env:UserInstallation={(tmp / 'lo-new').as_uri()}"
                       for x in lo]
            t2, m2, _ = run(lo_cold, env)
            line += f", soffice with a new profile {t2:.2f} s ({m2:.0f} MB)"
        print(line)


if __name__ == "__main__":
    main()
