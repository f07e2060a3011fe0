"""One build: config → data → metrics → document model → every requested writer.

Outputs are written to temporary files beside their targets and renamed into
place only when every format succeeded, so a failed or interrupted build
never leaves a half-written document or clobbers an earlier good one.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from briefgen import provenance, yamlpos
from briefgen.builder import Builder
from briefgen.charts import helper as chart_helper
from briefgen.charts.cache import cached_chart
from briefgen.charts.vector import SUFFIX as VECTOR_SUFFIX
from briefgen.checks import magnitude_warnings
from briefgen.config import Config, load_config
from briefgen.data import Dataset, load_dataset
from briefgen.errors import BriefgenError
from briefgen.files import StagedFiles, os_error, output_path
from briefgen.fonts import resolve_fonts
from briefgen.layout import ChartStyle
from briefgen.lint import placeholder_warnings
from briefgen.metrics import MetricBook
from briefgen.model import Document
from briefgen.regions import unknown_home
from briefgen.safety import check_document_text
from briefgen.writers import FORMATS, WriterOptions, writer_for
from briefgen.writers import prepare as prepare_writer

if TYPE_CHECKING:
    from briefgen.audit import Audit
    from briefgen.audit.compare import CheckReport

#: The audit workbook beside the outputs: <name>.audit.xlsx.
AUDIT_SUFFIX = "audit.xlsx"


@dataclass
class BuildResult:
    """What a build wrote, the warnings it raised, and the document it made."""

    outputs: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    document: Document | None = None
    audit: Path | None = None  # the audit workbook, when asked for (also in outputs)
    report: "Audit | None" = None


class Inputs:
    """What a build reads before it makes the document: the config, the fonts, the data and the
    plausibility checks of the data. Read afresh every time here; the warm server and batch
    workers use :class:`briefgen.server.warm.WarmInputs`, which keeps them while their files are unchanged."""

    def config(self, path: str | Path, overrides: list[str] | None = None, templates: list[Path] | None = None,
               allow_paths: Iterable[Path] = ()) -> Config:
        """The validated config (:func:`~briefgen.config.load_config`)."""
        return load_config(path, overrides, templates, allow_paths)

    def fonts(self, overrides: dict[str, str] | None, base_dir: Path, where: str) -> dict[str, Any]:
        """The font chain of every role (:func:`~briefgen.fonts.resolve_fonts`)."""
        return resolve_fonts(overrides, base_dir=base_dir, where=where)

    def dataset(self, cfg: Config) -> Dataset:
        """Every data source of `cfg` in one dataset (:func:`~briefgen.data.load_dataset`)."""
        return load_dataset(cfg)

    def plausibility(self, ds: Dataset, region: str) -> list[str]:
        """Warnings for figures far off their peers (:func:`~briefgen.checks.magnitude_warnings`)."""
        return list(magnitude_warnings(ds, aggregate_region=region))


def template_dirs(cfg: Config) -> list[Path]:
    """Where narrative files are looked up: the config's folder first, then the
    department template chain (child first), then the template roots, so that
    `{% extends "base/narrative/x.j2" %}` resolves."""
    return [cfg.base, cfg.base / "templates", *cfg.narrative_dirs]


def chart_outputs(style: ChartStyle, formats: Sequence[str]) -> tuple[bool, bool]:
    """Which chart files the writers of `formats` need: (PNG, vector graphics).

    ``mode: image`` puts the PNG in every format. ``mode: native`` builds Word charts
    from the spec (the PNG only as their fallback picture) and paints vector
    graphics in the PDF.
    """
    if style.mode == "image":
        return True, False
    return "docx" in formats and style.fallback, "pdf" in formats


def make_builder(cfg: Config, chart_dir: Path | None, chains: dict[str, Any] | None,
                 ds: Dataset | None = None, formats: Sequence[str] = FORMATS,
                 plausibility: list[str] | None = None) -> Builder:
    """Data → metrics → the builder that makes the :class:`Document` (see :func:`make_document`).

    `chart_dir` receives the chart files the writers of `formats` need; with None,
    charts are specified and checked but not drawn (``briefgen validate`` writes nothing).
    `plausibility` gives the magnitude warnings of `ds` when they are known already.
    """
    m = cfg.model
    ds = ds if ds is not None else load_dataset(cfg)
    unknown = unknown_home(m.region, cfg.regions, [r for r in ds.regions() if r]) \
        if any(not mc.region for mc in m.metrics.values()) else None
    problem = None
    if unknown:
        line = yamlpos.value_mark(cfg.root, ("region",))[0]
        where = f"--set {cfg.overrides['region']}：region" if "region" in cfg.overrides else \
            f"{cfg.path}:{line}：region" if line else f"{cfg.path}：region"
        problem = BriefgenError(unknown[0], where=where, hint=unknown[1])
        if m.on_missing == "error":
            raise problem
    book = MetricBook(ds, m.metrics, region=m.region, period=m.period, previous=m.previous,
                      label=str(cfg.path), peers=m.peers, regions=cfg.regions)
    if problem is not None:  # on_missing: skip / fallback: a county without data this month is expected
        book.warn(problem.render())
    found = plausibility if plausibility is not None else magnitude_warnings(ds, aggregate_region=m.region)
    for w in [*ds.warnings, *found]:
        book.warn(w)
    face = None
    if chains:
        # The PDF writer sets vector charts' text in this role's chain (writers.pdf.vector.CHART_ROLE).
        face = (chains.get("heading1") or chains["body"]).primary
    png, vec = chart_outputs(m.style.chart, formats)

    helper = chart_helper.current()

    def draw(spec: Any, out: Path) -> Path | None:
        vector = out.with_suffix(VECTOR_SUFFIX) if vec else None
        args = (spec, out if png else None, face.path if face else None, face.index if face else 0)
        if helper is not None:
            helper.submit(*args, vector)  # drawn on the other processor; waited for before the writers
        else:
            cached_chart(*args, vector=vector)
        return vector

    return Builder(cfg, book, template_dirs=template_dirs(cfg), chart_dir=chart_dir or Path("."),
                   render_chart=draw if chart_dir is not None else None, palette=m.style.chart.palette)


def make_document(cfg: Config, chart_dir: Path | None, chains: dict[str, Any] | None,
                  formats: Sequence[str] = FORMATS, ds: Dataset | None = None,
                  plausibility: list[str] | None = None) -> Document:
    """The one place a :class:`Document` is made (charts for `formats` drawn into `chart_dir`; with None
    only specified). `ds` replaces the config's data (tests rebuild examples under other figures)."""
    doc = make_builder(cfg, chart_dir, chains, ds, formats=formats, plausibility=plausibility).build()
    check_document_text(doc, str(cfg.path))  # before the writers spend a minute on a 300,000-character title
    return doc


def audited_document(cfg: Config, chart_dir: Path | None, chains: dict[str, Any] | None,
                     formats: Sequence[str] = FORMATS, ds: Dataset | None = None,
                     plausibility: list[str] | None = None) -> tuple[Document, "Audit"]:
    """The document and its audit: every printed figure with where it came from
    (:mod:`briefgen.audit`). With `chart_dir` None, charts are specified but not drawn."""
    from briefgen.audit import collect  # local: only audited builds and `check` need it

    with provenance.recording():
        builder = make_builder(cfg, chart_dir, chains, ds, formats=formats, plausibility=plausibility)
        doc = builder.build()
    check_document_text(doc, str(cfg.path))
    helper = chart_helper.current()
    if helper is not None:
        helper.wait()  # the audit reads the drawn vector charts' labels
    return doc, collect(doc, cfg, builder.book)


def build(config: str | Path, out_dir: str | Path = "output", formats: list[str] | None = None,
          overrides: list[str] | None = None, extra_templates: list[Path] | None = None,
          allow_paths: Iterable[Path] = (), audit: bool | None = None, *, inputs: Inputs | None = None,
          cancelled: Callable[[], bool] | None = None) -> BuildResult:
    """Build one briefing: read `config`, write every format into `out_dir`; with `audit`
    (or ``audit: true`` in the config) also the audit workbook ``<name>.audit.xlsx``.

    Outputs appear together or not at all (:class:`~briefgen.files.StagedFiles`).
    Files pulled in by templates must lie in the template roots or `allow_paths`.
    Raises :class:`BriefgenError` for anything the user can fix. `inputs` reads the
    config, fonts and data (a warm one remembers them); when `cancelled` says so just
    before the outputs are put in place, nothing is written (KeyboardInterrupt).
    """
    inputs = inputs or Inputs()
    cfg = inputs.config(config, overrides, extra_templates, allow_paths)
    m = cfg.model
    fmts = formats or list(FORMATS)
    audited = m.audit if audit is None else (audit or m.audit)
    chains = inputs.fonts(m.fonts or None, base_dir=cfg.base, where=str(cfg.path))
    out = Path(out_dir)
    # Checked before the (slow) build: a name can never leave the output folder.
    targets = {fmt: output_path(out, m.name, fmt, f"{cfg.path}：name") for fmt in fmts}
    if audited:
        targets[AUDIT_SUFFIX] = output_path(out, m.name, AUDIT_SUFFIX, f"{cfg.path}：name")
    options = WriterOptions(style=m.style, fonts=chains, reference_docx=cfg.reference_docx)
    result = BuildResult()
    with tempfile.TemporaryDirectory(prefix="briefgen-") as tmp:
        ds = inputs.dataset(cfg)
        helper = chart_helper.current()
        try:
            _document_and_writes(
                inputs, cfg, ds, Path(tmp), chains, fmts, audited, options, helper, targets, out, cancelled, result)
        finally:
            if helper is not None:
                helper.close()  # one build per helper: its process ends with the build
    if audited:
        result.audit = targets[AUDIT_SUFFIX]
    return result


def _document_and_writes(inputs: Inputs, cfg: Config, ds: Dataset, tmp: Path, chains: dict[str, Any],
                         fmts: list[str], audited: bool, options: WriterOptions, helper: Any,
                         targets: dict[str, Path], out: Path, cancelled: Callable[[], bool] | None,
                         result: BuildResult) -> None:
    """The document (charts handed to `helper` when there is one), then every format written
    and put in place together (:func:`build`'s second half); what it made goes into `result`."""
    m = cfg.model
    report = None
    plausible = inputs.plausibility(ds, m.region)
    if audited:
        doc, report = audited_document(cfg, tmp, chains, fmts, ds=ds, plausibility=plausible)
    else:
        doc = make_document(cfg, tmp, chains, fmts, ds=ds, plausibility=plausible)
    if helper is not None:
        for fmt in fmts:
            prepare_writer(fmt, options)  # meanwhile: the writers' first-use loading
        # The writers wait for each chart as they reach it: the text before it is set
        # while the helper still draws (all are waited for before the outputs appear).
        options = replace(options, chart_ready=helper.wait_for)
    result.document, result.report = doc, report
    # A starter's 请填写标题 / 本地区 left in: the build goes on, but the scheduler's summary says so.
    result.warnings = list(doc.warnings) + placeholder_warnings(cfg)
    if cancelled is not None and cancelled():
        raise KeyboardInterrupt  # before even the output folder is made
    made = sorted({p for t in targets.values() for p in (t.parent, *t.parent.parents) if not p.exists()},
                  key=lambda p: len(p.parts))
    try:
        for t in targets.values():
            t.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise os_error(e, out, "创建输出目录") from None
    target = out
    try:
        with StagedFiles() as staged:
            for fmt in fmts:
                target = targets[fmt]
                writer_for(fmt, options).write(doc, staged.stage(target))
            if helper is not None:
                helper.wait()  # charts no writer read: their errors and warnings, before any output
            if report is not None:
                from briefgen.audit.workbook import write_workbook  # local: xlsxwriter only for audits

                target = targets[AUDIT_SUFFIX]
                write_workbook(report, staged.stage(target))
            target = out
            if cancelled is not None and cancelled():
                raise KeyboardInterrupt  # the client went away: as after Ctrl-C, nothing is written
            result.outputs = staged.commit()
    except KeyboardInterrupt:
        for d in reversed(made):  # the folders this build made, innermost first: nothing is left
            try:
                d.rmdir()
            except OSError:
                break
        raise
    except OSError as e:
        # Read-only folder, full disk, no permission: the temporaries are gone, earlier outputs intact.
        raise os_error(e, target, "写入输出文件") from None


def check_document(document: str | Path, config: str | Path, overrides: list[str] | None = None,
                   extra_templates: list[Path] | None = None) -> "CheckReport":
    """``briefgen check``: the figures of `document` (a DOCX or PDF that may have been edited by hand)
    against a fresh build of `config`. Writes no output (PDF charts are drawn in a temporary folder:
    their text is part of the PDF's)."""
    from briefgen.audit.compare import compare  # local: only `check` compares documents
    from briefgen.audit.reading import read_figures  # local: as above

    path = Path(document)
    found = read_figures(path)
    cfg = load_config(config, overrides, extra_templates)
    if path.suffix.lower() == ".pdf":
        chains = resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
        with tempfile.TemporaryDirectory(prefix="briefgen-check-") as tmp:
            _doc, audit = audited_document(cfg, Path(tmp), chains, ["pdf"])
    else:
        _doc, audit = audited_document(cfg, None, None, ["docx"])
    return compare(found, audit, path)
