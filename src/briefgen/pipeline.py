"""One build: config → data → metrics → document model → every requested writer.

Outputs are written to temporary files beside their targets and renamed into
place only when every format succeeded, so a failed or interrupted build
never leaves a half-written document or clobbers an earlier good one.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.charts.cache import cached_chart
from briefgen.config import Config, load_config
from briefgen.checks import magnitude_warnings
from briefgen.data import load_dataset
from briefgen.errors import BriefgenError
from briefgen.layout import DEFAULT_STYLE, merge_style
from briefgen.metrics import MetricBook
from briefgen.model import Document
from briefgen.safety import make_shareable, output_path

FORMATS = ("docx", "pdf")


@dataclass
class BuildResult:
    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    document: Document | None = None


def parse_formats(text: str | None) -> list[str]:
    if not text:
        return list(FORMATS)
    fmts = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in fmts if f not in FORMATS]
    if bad:
        raise BriefgenError(f"不支持的输出格式：{'、'.join(bad)}（支持：{'、'.join(FORMATS)}）")
    return fmts


def template_dirs(cfg: Config) -> list[Path]:
    """Where narrative files are looked up: the config's folder first, then the
    department template chain (child first), then the template roots, so that
    `{% extends "base/narrative/x.j2" %}` resolves."""
    return [cfg.base, cfg.base / "templates", *cfg.narrative_dirs]


def make_document(cfg: Config, chart_dir: Path, chains: dict[str, Any] | None,
                  style: dict[str, Any] | None = None) -> Document:
    from briefgen.builder import Builder

    m = cfg.model
    ds = load_dataset(cfg)
    book = MetricBook(ds, m.metrics, region=m.region, period=m.period, previous=m.previous,
                      label=str(cfg.path), peers=m.peers)
    for w in magnitude_warnings(ds, aggregate_region=m.region):
        book.warn(w)
    face = None
    if chains:
        face = (chains.get("heading1") or chains["body"]).primary

    def draw(spec: Any, out: Path) -> Path:
        return cached_chart(spec, out, face.path if face else None, face.index if face else 0)

    palette = ((style or {}).get("chart") or {}).get("palette")
    builder = Builder(cfg, book, template_dirs=template_dirs(cfg), chart_dir=chart_dir,
                      render_chart=draw, palette=palette)
    return builder.build()


def build(config: str | Path, out_dir: str | Path = "output", formats: list[str] | None = None,
          overrides: list[str] | None = None, extra_templates: list[Path] | None = None) -> BuildResult:
    from briefgen import fonts as fontmod

    cfg = load_config(config, overrides, extra_templates)
    m = cfg.model
    fmts = formats or list(FORMATS)
    style = merge_style(DEFAULT_STYLE, m.style)
    chains = fontmod.resolve_fonts(m.fonts or None, base_dir=cfg.base, where=str(cfg.path))
    out = Path(out_dir)
    # Checked before the (slow) build: a name can never leave the output folder.
    targets = {fmt: output_path(out, m.name, fmt, f"{cfg.path}：name") for fmt in fmts}
    result = BuildResult()
    with tempfile.TemporaryDirectory(prefix="briefgen-") as tmp:
        doc = make_document(cfg, Path(tmp), chains, style)
        result.document = doc
        result.warnings = list(doc.warnings)
        try:
            out.mkdir(parents=True, exist_ok=True)
            for t in targets.values():
                t.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise BriefgenError(f"无法创建输出目录：{e.strerror}", where=str(out)) from None
        pending: list[tuple[Path, Path]] = []
        try:
            for fmt in fmts:
                target = targets[fmt]
                fd, tmpname = tempfile.mkstemp(prefix=f".{Path(target.stem).name}.", suffix=f".{fmt}.part",
                                               dir=target.parent)
                os.close(fd)
                pending.append((Path(tmpname), target))
                if fmt == "docx":
                    from briefgen.writers.docx import DocxWriter

                    DocxWriter(style, base=cfg.reference_docx).write(doc, Path(tmpname))
                else:
                    from briefgen.writers.pdf import PdfWriter

                    PdfWriter(style, chains).write(doc, Path(tmpname))
            for tmpfile, target in pending:
                make_shareable(tmpfile)
                os.replace(tmpfile, target)
                result.outputs.append(target)
        finally:
            for tmpfile, _ in pending:
                if tmpfile.exists():
                    tmpfile.unlink()
    return result
