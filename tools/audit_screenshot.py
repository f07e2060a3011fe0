"""The README's picture of the audit workbook (docs/images/audit-workbook.png).

Builds the seed with ``--audit``, marks a stretch of rows of the sheet 数字核对 for
printing (the header, frozen and filtered, and the rows of 表1 and the paragraph
under it), prints it to PDF with LibreOffice and crops the first page. LibreOffice
gets the bundled fonts through a private fontconfig file: the machine needs no
Chinese system fonts.

    python tools/audit_screenshot.py [--rows 30:52] [--out docs/images/audit-workbook.png]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", default=str(ROOT / "seeds" / "yichang-2021" / "briefing.yaml"))
    ap.add_argument("--rows", default="", help="first:last data rows of 数字核对 to show (default: 表1)")
    ap.add_argument("--cols", default="A:N")
    ap.add_argument("--out", default=str(ROOT / "docs" / "images" / "audit-workbook.png"))
    ap.add_argument("--dpi", type=int, default=110)
    args = ap.parse_args()

    from openpyxl import load_workbook
    from PIL import Image, ImageChops

    from briefgen.pipeline import build

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice or not shutil.which("pdftoppm"):
        print("需要 soffice 和 pdftoppm", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="audit-shot-") as tmp:
        t = Path(tmp)
        os.chdir(ROOT)  # paths in the sheet as a user who builds from the project folder sees them
        res = build(os.path.relpath(args.config, ROOT), t, ["docx", "pdf"], audit=True)
        assert res.audit is not None
        wb = load_workbook(res.audit)
        ws = wb["数字核对"]
        if args.rows:
            first, last = (int(x) for x in args.rows.split(":"))
        else:
            parts = [c.value or "" for c in ws["C"]]
            hits = [i + 1 for i, v in enumerate(parts) if str(v).startswith("表1 第")]
            first, last = hits[0], hits[0] + 21
        for r in range(2, first):
            ws.row_dimensions[r].hidden = True
        for name in wb.sheetnames:
            if name != "数字核对":
                wb[name].sheet_state = "hidden"
        a, b = args.cols.split(":")
        ws.print_area = f"{a}1:{b}{last}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A3
        ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        shot = t / "shot.xlsx"
        wb.save(shot)
        conf = t / "fonts.conf"
        fonts = ROOT / "src" / "briefgen" / "fonts" / "files"
        conf.write_text(f"""<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{t / 'fc-cache'}</cachedir>
  <alias><family>宋体</family><prefer><family>Briefgen Song</family></prefer></alias>
</fontconfig>
""", encoding="utf-8")
        env = dict(os.environ, FONTCONFIG_FILE=str(conf))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{t / 'lo'}", "--convert-to", "pdf",
                        "--outdir", str(t), str(shot)], check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        subprocess.run(["pdftoppm", "-r", str(args.dpi), "-png", "-f", "1", "-l", "1", str(t / "shot.pdf"),
                        str(t / "page")], check=True)
        page = next(t.glob("page*.png"))
        img = Image.open(page).convert("RGB")
        bg = Image.new("RGB", img.size, (255, 255, 255))
        box = ImageChops.difference(img, bg).getbbox()
        if box:
            img = img.crop((max(0, box[0] - 12), max(0, box[1] - 12), min(img.width, box[2] + 12),
                            min(img.height, box[3] + 12)))
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        img.save(args.out, optimize=True)
        print(f"已生成 {args.out}（{img.width}×{img.height}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
