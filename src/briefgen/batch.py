"""Batch runs: a jobs file → many briefings, built in parallel, incrementally and safely.

A jobs file lists briefings explicitly (`jobs:`) or as a matrix (`matrix:`
template × region × period). Each job is an ordinary briefing config plus
`--set`-style overrides (region, period, name and any `vars`), built by
:func:`briefgen.pipeline.build` in a worker process that keeps matplotlib,
reportlab, python-docx and the fonts loaded across jobs.

Safety model:

* every output file is written by the pipeline to a temporary file and renamed
  into place, so a killed run never leaves a half-written document;
* ``manifest.json`` (rewritten atomically, at most once a second and at the end)
  records each finished job with the hashes of all its inputs; a job whose
  inputs are unchanged and whose outputs exist is skipped on the next run;
* one run at a time per output folder: an OS lock (``flock``/``msvcrt``) on
  ``.briefgen-batch.lock``, released by the OS even if the process is killed,
  so there are no stale locks; leftover ``.*.part`` temporaries of a killed run
  are removed by the next run while it holds the lock.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import fnmatch
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

import click

from briefgen import __version__
from briefgen.errors import BriefgenError

MANIFEST = "manifest.json"
LOCK_FILE = ".briefgen-batch.lock"
MANIFEST_FORMAT = 1
DEFAULT_PATTERN = "{name}"
FORMATS = ("docx", "pdf")
_MANIFEST_EVERY = 1.0  # seconds between manifest rewrites while jobs finish

_TOP_KEYS = {"output", "pattern", "formats", "templates", "matrix", "jobs"}
_MATRIX_KEYS = {"template", "name", "region", "period", "vars", "pattern", "formats"}
_JOB_KEYS = {"config", "name", "region", "period", "vars", "pattern", "output", "formats"}


# --------------------------------------------------------------------------- periods

RELATIVE_PERIODS = ("last-month", "last-quarter", "last-year", "year-to-date")
_REL_RE = re.compile(r"(last-month|last-quarter|last-year|year-to-date)(?:-(\d{1,3}))?")
_CN_Q = "一二三四"


@dataclass(frozen=True)
class Period:
    """A statistical period resolved for one job."""

    code: str  # what the config's `period` gets: 2024-05, 2024Q1, 2024, 2024H1
    slug: str  # what `{period}` in an output pattern gives (year-to-date: 2024-01~05)
    kind: str  # month | quarter | half | year | ytd | other
    label: str  # 2024年5月, 2024年第一季度, 2024年1—5月
    start: _dt.date | None = None
    end: _dt.date | None = None

    def fields(self) -> dict[str, Any]:
        return {
            "period": self.slug,
            "period_code": self.code,
            "period_kind": self.kind,
            "period_label": self.label,
            "period_start": self.start.isoformat() if self.start else "",
            "period_end": self.end.isoformat() if self.end else "",
            "year": self.start.year if self.start else "",
            "month": self.end.month if self.kind in ("month", "ytd") and self.end else "",
            "quarter": (self.end.month + 2) // 3 if self.kind == "quarter" and self.end else "",
        }


def _month_end(y: int, m: int) -> _dt.date:
    return _dt.date(y, m, calendar.monthrange(y, m)[1])


def _month(y: int, m: int) -> Period:
    code = f"{y}-{m:02d}"
    return Period(code, code, "month", f"{y}年{m}月", _dt.date(y, m, 1), _month_end(y, m))


def _quarter(y: int, q: int) -> Period:
    return Period(f"{y}Q{q}", f"{y}Q{q}", "quarter", f"{y}年第{_CN_Q[q - 1]}季度",
                  _dt.date(y, 3 * q - 2, 1), _month_end(y, 3 * q))


def _half(y: int, h: int) -> Period:
    return Period(f"{y}H{h}", f"{y}H{h}", "half", f"{y}年{'上' if h == 1 else '下'}半年",
                  _dt.date(y, 6 * h - 5, 1), _month_end(y, 6 * h))


def _year(y: int) -> Period:
    return Period(str(y), str(y), "year", f"{y}年", _dt.date(y, 1, 1), _dt.date(y, 12, 31))


def _ytd(y: int, m: int) -> Period:
    # Cumulative figures are published under the month they run to ("1—5月" as 2024-05).
    label = f"{y}年1月" if m == 1 else f"{y}年1—{m}月"
    return Period(f"{y}-{m:02d}", f"{y}-01~{m:02d}", "ytd", label, _dt.date(y, 1, 1), _month_end(y, m))


def resolve_period(value: Any, as_of: _dt.date, where: str | None = None) -> Period:
    """A period code or a relative token (``last-month``, ``last-quarter``, ``last-year``,
    ``year-to-date``; the first three accept ``-N`` for N further periods back) → Period.

    Relative periods count complete periods before ``as_of``: on 2024-04-01 the last
    month is 2024-03 and the last quarter 2024Q1. ``year-to-date`` runs from January to
    the last complete month; in January that is the whole previous year.
    """
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, _dt.date):
        return _month(value.year, value.month)
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise BriefgenError(f"时期“{value}”无效", where=where,
                            hint="写 2024-05、2024Q1、2024 等，或 last-month、last-quarter、last-year、year-to-date")
    s = str(value).strip()
    hit = _REL_RE.fullmatch(s.lower())
    if hit:
        token, back = hit.group(1), int(hit.group(2) or 0)
        if token == "last-month":
            n = as_of.year * 12 + (as_of.month - 1) - 1 - back
            return _month(n // 12, n % 12 + 1)
        if token == "last-quarter":
            n = as_of.year * 4 + (as_of.month - 1) // 3 - 1 - back
            return _quarter(n // 4, n % 4 + 1)
        if token == "last-year":
            return _year(as_of.year - 1 - back)
        if back:
            raise BriefgenError(f"“{s}”无效：year-to-date 不能加期数", where=where,
                                hint="上年同期的累计数请用 last-year 或写明时期，如 2023-05")
        if as_of.month == 1:
            return _ytd(as_of.year - 1, 12)
        return _ytd(as_of.year, as_of.month - 1)
    if s.lower().startswith(("last-", "year-to", "this-", "next-")):
        raise BriefgenError(f"不认识的相对时期“{s}”", where=where,
                            hint="可用：" + "、".join(RELATIVE_PERIODS) + "（前三个可加 -N 表示再往前 N 期）")
    if m := re.fullmatch(r"(\d{4})年?", s):
        return _year(int(m[1]))
    if m := re.fullmatch(r"(\d{4})(?:-|/|\.|M|年)(\d{1,2})月?", s, re.IGNORECASE):
        if 1 <= int(m[2]) <= 12:
            p = _month(int(m[1]), int(m[2]))
            return p if s == p.code else Period(s, s, p.kind, p.label, p.start, p.end)
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", s, re.IGNORECASE):
        p = _quarter(int(m[1]), int(m[2]))
        return Period(s, s, p.kind, p.label, p.start, p.end)
    if m := re.fullmatch(r"(\d{4})-?H([12])", s, re.IGNORECASE):
        p = _half(int(m[1]), int(m[2]))
        return Period(s, s, p.kind, p.label, p.start, p.end)
    # Anything else is passed through: the config and data decide what it means.
    return Period(s, s, "other", s)


def parse_as_of(text: str | _dt.date | None) -> _dt.date:
    if text is None or text == "":
        return _dt.date.today()
    if isinstance(text, _dt.datetime):
        return text.date()
    if isinstance(text, _dt.date):
        return text
    try:
        return _dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise BriefgenError(f"--as-of 日期“{text}”无效", hint="应写作 2024-05-01") from None


# --------------------------------------------------------------------------- jobs file


@dataclass
class Job:
    """One briefing to build."""

    config: Path  # absolute path of the briefing config
    name: str
    output: str  # POSIX path of the output files without extension, relative to the output folder
    overrides: list[str]
    formats: list[str]
    fields: dict[str, Any]
    source: str  # where in the jobs file it comes from, for messages

    @property
    def region(self) -> str:
        return str(self.fields.get("region") or "")

    @property
    def period(self) -> str:
        return str(self.fields.get("period") or "")

    def files(self, root: Path) -> dict[str, Path]:
        return {fmt: root / f"{self.output}.{fmt}" for fmt in self.formats}

    def params(self) -> dict[str, Any]:
        """What, besides the input files, determines the outputs."""
        return {"config": str(self.config), "overrides": list(self.overrides), "formats": list(self.formats),
                "output": self.output}


@dataclass
class Plan:
    jobs_file: Path
    out: Path
    jobs: list[Job]
    templates: list[Path]  # extra department-template folders (--templates)
    as_of: _dt.date


class _Fields(dict):
    """Placeholder values; an unknown `{name}` names the ones that exist."""

    where = ""

    def __missing__(self, key: str) -> Any:
        raise BriefgenError(f"不认识的占位符“{{{key}}}”", where=self.where,
                            hint="可用：" + "、".join("{" + k + "}" for k in sorted(self)))


def _fmt(text: str, fields: dict[str, Any], where: str) -> str:
    f = _Fields(fields)
    f.where = where
    try:
        return str(text).format_map(f)
    except (ValueError, IndexError, AttributeError, TypeError) as e:
        raise BriefgenError(f"占位符写法有误：{text}（{e}）", where=where,
                            hint="占位符写作 {region}、{period}，大括号本身写作 {{ }}") from None


def _override(key: str, value: Any) -> str:
    # JSON is valid YAML, so quoted strings survive apply_overrides' YAML parsing exactly.
    if isinstance(value, str):
        return f"{key}={value}"
    if isinstance(value, (_dt.date, _dt.datetime)):
        return f"{key}={value.isoformat()}"
    return f"{key}={json.dumps(value, ensure_ascii=False, default=str)}"


def _as_list(v: Any) -> list[Any]:
    if v is None:
        return []
    return list(v) if isinstance(v, (list, tuple)) else [v]


def _load_yaml_file(path: Path) -> Any:
    import yaml

    from briefgen.config import read_text

    text = read_text(path, "任务文件")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise BriefgenError(f"YAML 格式错误：{getattr(e, 'problem', None) or e}", where=where) from None


def _check_keys(d: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(d, dict):
        raise BriefgenError("应为映射（键: 值）", where=where)
    extra = [str(k) for k in d if k not in allowed]
    if extra:
        raise BriefgenError(f"不认识的键：{'、'.join(extra)}", where=where,
                            hint="可用：" + "、".join(sorted(allowed)))
    return d


def _formats(v: Any, default: list[str], where: str) -> list[str]:
    if v is None:
        return list(default)
    items = [str(x).strip().lower() for x in (v.split(",") if isinstance(v, str) else _as_list(v))]
    items = [x for x in items if x]
    bad = [x for x in items if x not in FORMATS]
    if bad or not items:
        raise BriefgenError(f"输出格式无效：{'、'.join(bad) or '（空）'}", where=where, hint="可用：docx、pdf")
    return items


def _regions_from_data(config: Path, spec: dict[str, Any], templates: list[Path], where: str) -> list[str]:
    """`region: {from_data: true, indicator: …, exclude: […]}`: the regions the data has."""
    _check_keys(spec, {"from_data", "indicator", "exclude", "period"}, where)
    from briefgen.data import load_dataset

    cfg = _load_config(config, [], templates)
    ds = load_dataset(cfg)
    indicator = spec.get("indicator")
    if indicator is None and spec.get("from_data") not in (True, None):
        indicator = str(spec["from_data"])
    regions = ds.regions(None if indicator is None else str(indicator),
                         None if spec.get("period") is None else str(spec["period"]))
    exclude = {str(x) for x in _as_list(spec.get("exclude"))}
    out = [r for r in regions if r and r not in exclude]
    if not out:
        raise BriefgenError("数据中没有找到任何地区", where=where)
    return out


def _vars(v: Any, where: str) -> dict[str, Any]:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise BriefgenError("vars 应为映射（配置项: 值），如 meta.issue: \"{month}\"", where=where)
    return v


def _load_config(path: Path, overrides: list[str], templates: list[Path]) -> Any:
    import inspect

    from briefgen.config import load_config

    if templates and len(inspect.signature(load_config).parameters) >= 3:
        return load_config(path, overrides, templates)
    return load_config(path, overrides)


def _config_value(config: Path, key: str, cache: dict[Path, dict]) -> Any:
    if config not in cache:
        raw = _load_yaml_file(config)
        cache[config] = raw if isinstance(raw, dict) else {}
    return cache[config].get(key)


def load_top(path: Path, keys: Any, what: str) -> tuple[dict[str, Any], Callable[[Any], Path]]:
    """Read a jobs/schedule YAML file: its checked top-level mapping, and a resolver
    for paths written in it (relative to the file's folder)."""
    raw = _load_yaml_file(path)
    if raw is None:
        raise BriefgenError(f"{what}为空", where=str(path))
    top = _check_keys(raw, keys, str(path))
    base = path.resolve().parent

    def rel(p: Any) -> Path:
        q = Path(str(p))
        return q if q.is_absolute() else base / q

    return top, rel


def load_plan(jobs_file: str | Path, out: str | Path | None = None, as_of: _dt.date | None = None,
              templates: Iterable[Path] = ()) -> Plan:
    """Read a jobs file and expand it into concrete jobs (no config is validated yet)."""
    from briefgen import safety

    path = Path(jobs_file)
    top, rel = load_top(path, _TOP_KEYS, "任务文件")
    as_of = as_of or _dt.date.today()

    out_dir = Path(out) if out is not None else (rel(top["output"]) if top.get("output")
                                                 else Path("output") / path.stem)
    extra_templates = [Path(t) for t in templates] + [rel(t) for t in _as_list(top.get("templates"))]
    default_pattern = str(top.get("pattern") or DEFAULT_PATTERN)
    default_formats = _formats(top.get("formats"), list(FORMATS), f"{path}：formats")
    raw_cache: dict[Path, dict] = {}
    jobs: list[Job] = []

    def make(config: Path, name: Any, region: Any, period: Period | None, vars_: dict[str, Any],
             pattern: str, formats: list[str], where: str, output: str | None = None) -> None:
        if not config.exists():
            raise BriefgenError("找不到简报配置文件", where=f"{where}：{config}")
        fields: dict[str, Any] = {"template": config.stem, "as_of": as_of.isoformat(), "index": len(jobs) + 1}
        fields["name"] = str(name) if name not in (None, "") else config.stem
        if period is not None:
            fields.update(period.fields())
        if region is not None:
            fields["region"] = str(region)
        # Patterns may name {region}/{period} of a job that keeps its config's own.
        for key in ("region", "period"):
            if key not in fields and ("{" + key) in (output or pattern):
                val = _config_value(config, key, raw_cache)
                if val is not None:
                    p = resolve_period(val, as_of, where) if key == "period" else None
                    fields.update(p.fields() if p else {key: str(val)})
        overrides: list[str] = []
        if region is not None:
            overrides.append(_override("region", json.dumps(str(region), ensure_ascii=False)))
        if period is not None:
            overrides.append(_override("period", json.dumps(period.code, ensure_ascii=False)))
        for k, v in (vars_ or {}).items():
            if isinstance(v, str):
                v = _fmt(v, fields, f"{where}：vars.{k}")
            overrides.append(_override(str(k), v))
        # Placeholder values come from data: each becomes one safe path component.
        safe = {k: (safety.safe_component(v, f"{where}：{{{k}}}") if isinstance(v, str) and v else v)
                for k, v in fields.items()}
        stem = _fmt(output or pattern, safe, f"{where}：pattern")
        rel_out = safety.safe_filename(stem, f"{where}：pattern")
        overrides.append(_override("name", json.dumps(rel_out.rsplit("/", 1)[-1], ensure_ascii=False)))
        jobs.append(Job(config=config.resolve(), name=fields["name"], output=rel_out, overrides=overrides,
                        formats=formats, fields=fields, source=where))

    for i, m in enumerate(_as_list(top.get("matrix"))):
        where = f"{path}：matrix[{i}]"
        m = _check_keys(m, _MATRIX_KEYS, where)
        templates_ = [rel(t) for t in _as_list(m.get("template"))]
        if not templates_:
            raise BriefgenError("缺少 template（简报配置文件）", where=where)
        vars_ = _vars(m.get("vars"), f"{where}.vars")
        pattern = str(m.get("pattern") or default_pattern)
        formats = _formats(m.get("formats"), default_formats, f"{where}.formats")
        periods = [resolve_period(p, as_of, f"{where}.period") for p in _as_list(m.get("period"))] or [None]
        for config in templates_:
            reg = m.get("region")
            if isinstance(reg, dict):
                regions: list[Any] = _regions_from_data(config, reg, extra_templates, f"{where}.region")
            else:
                regions = [str(r) for r in _as_list(reg)] or [None]
            for period in periods:
                for region in regions:
                    make(config, m.get("name"), region, period, vars_, pattern, formats, where)
    for i, j in enumerate(_as_list(top.get("jobs"))):
        where = f"{path}：jobs[{i}]"
        if isinstance(j, str):
            j = {"config": j}
        j = _check_keys(j, _JOB_KEYS, where)
        if not j.get("config"):
            raise BriefgenError("缺少 config（简报配置文件）", where=where)
        period = resolve_period(j["period"], as_of, f"{where}.period") if j.get("period") is not None else None
        vars_ = _vars(j.get("vars"), f"{where}.vars")
        make(rel(j["config"]), j.get("name"), j.get("region"), period, vars_,
             str(j.get("pattern") or default_pattern), _formats(j.get("formats"), default_formats, where),
             where, output=str(j["output"]) if j.get("output") else None)
    if not jobs:
        raise BriefgenError("任务文件中没有任何任务", where=str(path), hint="用 matrix: 或 jobs: 列出要生成的简报")
    seen: dict[str, Job] = {}
    for job in jobs:
        key = job.output.casefold()  # Windows and macOS folders ignore case
        if key in seen:
            raise BriefgenError(
                f"两个任务的输出文件同名：{job.output}（{seen[key].source} 与 {job.source}）",
                where=str(path), hint="在 pattern 中加入 {region}、{period} 等占位符以区分")
        seen[key] = job
    return Plan(jobs_file=path.resolve(), out=out_dir, jobs=jobs, templates=extra_templates, as_of=as_of)


# --------------------------------------------------------------------------- input hashing


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


class Stamps:
    """Content hashes of input files, recomputed only when size or mtime changed."""

    def __init__(self) -> None:
        self._memo: dict[str, dict[str, Any] | None] = {}

    def stamp(self, path: Path | str) -> dict[str, Any] | None:
        key = os.path.abspath(path)
        if key not in self._memo:
            try:
                st = os.stat(key)
                self._memo[key] = {"sha256": _sha256_file(Path(key)), "size": st.st_size,
                                   "mtime_ns": st.st_mtime_ns}
            except OSError:
                self._memo[key] = None
        return self._memo[key]

    def current(self, path: str, recorded: dict[str, Any]) -> str | None:
        """Hash of `path` now, trusting `recorded` while size and mtime match (like make)."""
        key = os.path.abspath(path)
        if key in self._memo:
            s = self._memo[key]
            return s["sha256"] if s else None
        try:
            st = os.stat(key)
        except OSError:
            self._memo[key] = None
            return None
        if st.st_size == recorded.get("size") and st.st_mtime_ns == recorded.get("mtime_ns"):
            self._memo[key] = dict(recorded)
            return recorded.get("sha256")
        return (self.stamp(key) or {}).get("sha256")


_NARRATIVE_EXT = {".j2", ".jinja", ".jinja2", ".txt", ".md", ".yaml", ".yml", ".docx", ".dotx"}


def _folder_files(folder: Path, recursive: bool, limit: int = 2000) -> list[Path]:
    if not folder.is_dir():
        return []
    it = folder.rglob("*") if recursive else folder.iterdir()
    out = []
    for p in it:
        if p.suffix.lower() in _NARRATIVE_EXT and p.is_file() and not p.name.startswith("."):
            out.append(p)
            if len(out) >= limit:
                break
    return sorted(out)


def _font_stamp(face: Any) -> dict[str, Any]:
    try:
        st = os.stat(face.path)
        return {"path": str(face.path), "index": face.index, "size": st.st_size, "mtime_ns": st.st_mtime_ns}
    except OSError:
        return {"path": str(face.path), "index": face.index}


def _chain_stamps(chains: dict[str, Any]) -> list[dict[str, Any]]:
    seen, out = set(), []
    for chain in chains.values():
        for face in chain.faces:
            k = (str(face.path), face.index)
            if k not in seen:
                seen.add(k)
                out.append(_font_stamp(face))
    return sorted(out, key=lambda d: (d["path"], d["index"]))


def _dep_overrides(overrides: list[str]) -> tuple[str, ...]:
    # Only these keys can change which files a config reads; region/period cannot.
    return tuple(o for o in overrides if o.split("=", 1)[0].strip().split(".")[0] in ("data", "fonts", "template"))


class Inputs:
    """Which files a job reads, computed once per config (and per file-changing override)."""

    def __init__(self, templates: list[Path], stamps: Stamps | None = None):
        self.templates = templates
        self.stamps = stamps or Stamps()
        self._deps: dict[tuple, tuple[list[Path], list[dict[str, Any]]]] = {}

    def deps(self, job: Job) -> tuple[list[Path], list[dict[str, Any]]]:
        key = (str(job.config), _dep_overrides(job.overrides))
        if key not in self._deps:
            self._deps[key] = self._compute(job.config, list(key[1]))
        return self._deps[key]

    def _compute(self, config: Path, overrides: list[str]) -> tuple[list[Path], list[dict[str, Any]]]:
        from briefgen import fonts as fontmod

        cfg = _load_config(config, overrides, self.templates)
        files: list[Path] = [config]
        for src in cfg.model.data:
            for rel in (src.file, src.database):
                if rel:
                    files.append(cfg.resolve(rel))
        files += [p for p in _folder_files(cfg.base, recursive=False) if p.suffix.lower() in (".j2", ".jinja", ".jinja2")]
        files += _folder_files(cfg.base / "templates", recursive=True)
        tpl = getattr(cfg, "template", None)
        chain = tpl.chain() if tpl is not None and hasattr(tpl, "chain") else []
        for t in chain:
            files += _folder_files(Path(t.path), recursive=True)
        for d in getattr(cfg, "narrative_dirs", []) or []:
            if not any(Path(d) == Path(t.path) for t in chain):
                files += _folder_files(Path(d), recursive=True, limit=500)
        ref = getattr(cfg, "reference_docx", None)
        if ref:
            files.append(Path(ref))
        for v in (cfg.model.fonts or {}).values():
            p = cfg.resolve(str(v).split("#")[0]) if v else None
            if p is not None and p.is_file():
                files.append(p)
        chains = fontmod.resolve_fonts(cfg.model.fonts or None, base_dir=cfg.base, where=str(cfg.path))
        unique = list(dict.fromkeys(Path(os.path.abspath(f)) for f in files))
        return unique, _chain_stamps(chains)

    def record(self, job: Job) -> dict[str, Any]:
        files, fonts = self.deps(job)
        inputs = {}
        for f in files:
            s = self.stamps.stamp(f)
            if s is not None:
                inputs[str(f)] = s
        return {"inputs": inputs, "fonts": fonts}


def environment(templates: list[Path] | None = None) -> dict[str, Any]:
    """Everything outside the job's own files that shapes the output."""
    from importlib import metadata

    import briefgen

    pkg = Path(briefgen.__file__).parent
    code = hashlib.sha256()
    for p in sorted(pkg.rglob("*.py")):
        code.update(str(p.relative_to(pkg)).encode())
        code.update(p.read_bytes())
    versions = {}
    for dist in ("matplotlib", "reportlab", "python-docx", "jinja2", "fonttools", "pillow", "pyyaml"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    from briefgen import fonts as fontmod

    default_fonts = _chain_stamps(fontmod.resolve_fonts(None))
    roots: list[str] = []
    try:
        from briefgen.templates import search_roots

        roots = [str(Path(p).resolve()) for p, _label in search_roots(templates or None)]
    except Exception:  # noqa: BLE001 - department templates are optional here
        pass
    env = {
        "briefgen": __version__,
        "code": code.hexdigest()[:16],
        "python": ".".join(map(str, sys.version_info[:3])),
        "packages": versions,
        "fonts": hashlib.sha256(json.dumps(default_fonts, sort_keys=True).encode()).hexdigest()[:16],
        "template_roots": roots,
        "env": {k: v for k, v in sorted(os.environ.items()) if k.startswith("BRIEFGEN_")},
    }
    return env


def job_key(job: Job, record: dict[str, Any], env: dict[str, Any]) -> str:
    data = {
        "job": job.params(),
        "inputs": {k: v.get("sha256") for k, v in sorted(record["inputs"].items())},
        "fonts": record["fonts"],
        "env": env,
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def up_to_date(job: Job, entry: dict[str, Any] | None, root: Path, stamps: Stamps, env: dict[str, Any]) -> bool:
    """True when the manifest entry was built from exactly these inputs and its files are intact."""
    if not entry or not isinstance(entry.get("inputs"), dict) or "key" not in entry:
        return False
    inputs = {}
    for path, rec in entry["inputs"].items():
        sha = stamps.current(path, rec if isinstance(rec, dict) else {})
        if sha is None:
            return False
        inputs[path] = {"sha256": sha}
    for f in entry.get("fonts") or []:
        try:
            st = os.stat(f["path"])
        except (OSError, KeyError, TypeError):
            return False
        if st.st_size != f.get("size") or st.st_mtime_ns != f.get("mtime_ns"):
            return False
    if job_key(job, {"inputs": inputs, "fonts": entry.get("fonts") or []}, env) != entry["key"]:
        return False
    files = entry.get("files") or {}
    for fmt, path in job.files(root).items():
        rec = files.get(fmt)
        try:
            if not rec or path.stat().st_size != rec.get("size"):
                return False
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------- manifest and lock


def read_manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    return data


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        from briefgen.safety import make_shareable

        make_shareable(tmp)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class FolderLock:
    """One batch at a time per output folder; the OS drops the lock when the process dies."""

    def __init__(self, root: Path):
        self.path = root / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            if os.name == "nt":
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = ""
            try:
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip() if hasattr(os, "pread") else ""
            except OSError:
                pass
            os.close(fd)
            raise BriefgenError("另一个批量任务正在写入该输出目录" + (f"（{holder}）" if holder else ""),
                                where=str(self.path.parent),
                                hint="等它结束后再运行，或用 --out 换一个输出目录") from None
        info = f"进程 {os.getpid()}，开始于 {_dt.datetime.now().isoformat(timespec='seconds')}"
        try:
            os.ftruncate(fd, 0)
            os.lseek(fd, 0 if os.name != "nt" else 1, 0)
            os.write(fd, info.encode("utf-8"))
        except OSError:
            pass
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            try:
                if os.name == "nt":
                    import msvcrt

                    os.lseek(self.fd, 0, 0)
                    msvcrt.locking(self.fd, msvcrt.LK_UNLCK, 1)
                else:
                    import fcntl

                    fcntl.flock(self.fd, fcntl.LOCK_UN)
            finally:
                os.close(self.fd)
                self.fd = None

    def __enter__(self) -> "FolderLock":
        self.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def clean_partials(root: Path) -> int:
    """Remove temporaries a killed run left behind (we hold the folder lock)."""
    n = 0
    for p in root.rglob(".*"):
        if p.is_file() and (p.name.endswith(".part") or (p.name.startswith(f".{MANIFEST}.") and p.name.endswith(".tmp"))):
            try:
                p.unlink()
                n += 1
            except OSError:
                pass
    return n


# --------------------------------------------------------------------------- workers

_IN_JOB = False


class _Terminated(BaseException):
    """SIGTERM while building: unwind so the pipeline removes its temporaries, then exit."""


def _on_sigterm(signum: int, frame: Any) -> None:
    if _IN_JOB:
        raise _Terminated()
    os._exit(128 + signum)


def warm_up() -> None:
    """Load everything a build needs once per process, so each job pays only for itself."""
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.figure  # noqa: F401

    import briefgen.builder  # noqa: F401
    import briefgen.charts.render  # noqa: F401
    import briefgen.pipeline  # noqa: F401
    import briefgen.writers.docx  # noqa: F401
    import briefgen.writers.pdf  # noqa: F401
    from briefgen import fonts as fontmod

    try:
        fontmod.resolve_fonts(None)
    except BriefgenError:
        pass  # the job will report it


def _worker_init(cwd: str, env: dict[str, str]) -> None:
    # A forkserver child starts with the server's cwd and environment, not ours.
    os.chdir(cwd)
    for k in [k for k in os.environ if k.startswith("BRIEFGEN_") and k not in env]:
        del os.environ[k]
    os.environ.update(env)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _on_sigterm)
    warm_up()


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1024 * 1024) if sys.platform == "darwin" else rss / 1024


def run_job(job: Job, root: str, templates: list[Path] | None = None, debug: bool = False) -> dict[str, Any]:
    """Build one job; never raises for a job's own problems (failures are results)."""
    global _IN_JOB
    from briefgen.pipeline import build

    t0 = time.perf_counter()
    rootp = Path(root)
    target = rootp / job.output
    res: dict[str, Any] = {"output": job.output, "pid": os.getpid()}
    _IN_JOB = True
    try:
        import warnings

        # Python warnings (e.g. glyphs missing from a font) go to the report, not to stderr.
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build(job.config, target.parent, list(job.formats), list(job.overrides), templates or None)
        files = {}
        for p in result.outputs:
            fmt = p.suffix.lstrip(".").lower()
            files[fmt] = {"path": Path(os.path.relpath(p, rootp)).as_posix(), "sha256": _sha256_file(p),
                          "size": p.stat().st_size}
        extra = [str(w.message) for w in caught if str(w.message) not in result.warnings]
        res.update(ok=True, files=files, warnings=list(result.warnings) + list(dict.fromkeys(extra)))
    except _Terminated:
        os._exit(143)
    except BriefgenError as e:
        res.update(ok=False, error=e.render())
    except Exception as e:  # noqa: BLE001 - isolate every job
        import traceback

        res.update(ok=False, error=f"内部错误：{type(e).__name__}: {e}",
                   traceback=traceback.format_exc() if debug else None)
    finally:
        _IN_JOB = False
    res["seconds"] = round(time.perf_counter() - t0, 3)
    res["peak_rss_mb"] = _peak_rss_mb()
    return res


def _pool_context():
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    if "forkserver" in methods:
        ctx = mp.get_context("forkserver")
        # Imported once in the fork server; every worker forked from it starts warm.
        ctx.set_forkserver_preload(["briefgen.batch", "briefgen.pipeline", "briefgen.charts.render",
                                    "matplotlib.figure", "matplotlib.backends.backend_agg",
                                    "briefgen.writers.docx", "briefgen.writers.pdf", "briefgen.builder"])
        return ctx
    return mp.get_context("spawn")


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


# --------------------------------------------------------------------------- the run


@dataclass
class Report:
    out: Path
    total: int = 0
    built: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 0
    worker_peak_rss_mb: float | None = None
    interrupted: bool = False
    cleaned: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed and not self.interrupted

    @property
    def exit_code(self) -> int:
        return 130 if self.interrupted else (1 if self.failed else 0)


def _now_iso() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


class _ManifestWriter:
    def __init__(self, root: Path, plan: Plan, env: dict[str, Any]):
        self.root = root
        self.data = read_manifest(root)
        self.data.setdefault("outputs", {})
        self.data.update(format=MANIFEST_FORMAT, generator=f"briefgen {__version__}", environment=env,
                         jobs_file=str(plan.jobs_file), as_of=plan.as_of.isoformat())
        self.last = 0.0
        self.dirty = False

    @property
    def outputs(self) -> dict[str, Any]:
        return self.data["outputs"]

    def save(self, force: bool = False) -> None:
        if not (self.dirty or force):
            return
        if not force and time.monotonic() - self.last < _MANIFEST_EVERY:
            return
        self.data["updated"] = _now_iso()
        _atomic_write_text(self.root / MANIFEST, json.dumps(self.data, ensure_ascii=False, indent=1, sort_keys=True))
        self.last = time.monotonic()
        self.dirty = False


def run_batch(plan: Plan, *, workers: int | None = None, force: bool = False, only: Iterable[str] = (),
              debug: bool = False, on_event: Callable[[str, dict[str, Any]], None] | None = None,
              dry_run: bool = False) -> Report:
    """Build every job of `plan` that is out of date; see the module docstring."""
    t0 = time.perf_counter()
    root = plan.out
    report = Report(out=root)
    emit = on_event or (lambda kind, data: None)
    patterns = [p for p in only if p]
    jobs = [j for j in plan.jobs if not patterns or any(fnmatch.fnmatchcase(j.output, p) for p in patterns)]
    report.total = len(jobs)
    if dry_run:
        # Read-only: no folder, no lock, nothing cleaned.
        env = environment(plan.templates or None)
        outputs = read_manifest(root).get("outputs") or {}
        stamps = Stamps()
        for job in jobs:
            if not force and up_to_date(job, outputs.get(job.output), root, stamps, env):
                report.skipped.append(job.output)
            else:
                report.built.append({"output": job.output, "planned": True})
        report.seconds = time.perf_counter() - t0
        return report
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise BriefgenError(f"无法创建输出目录：{e.strerror}", where=str(root)) from None
    lock = FolderLock(root)
    lock.acquire()
    try:
        report.cleaned = clean_partials(root)
        env = environment(plan.templates or None)
        manifest = _ManifestWriter(root, plan, env)
        stamps = Stamps()
        todo: list[Job] = []
        for job in jobs:
            if not force and up_to_date(job, manifest.outputs.get(job.output), root, stamps, env):
                report.skipped.append(job.output)
            else:
                todo.append(job)
        emit("plan", {"total": len(jobs), "todo": len(todo), "skipped": len(report.skipped)})
        inputs = Inputs(plan.templates, stamps)
        records: dict[str, tuple[dict[str, Any], str]] = {}
        runnable: list[Job] = []
        for job in todo:
            try:
                rec = inputs.record(job)  # hashed before the build: a change during it shows up next run
                records[job.output] = (rec, job_key(job, rec, env))
                runnable.append(job)
            except BriefgenError as e:
                _record_failure(report, manifest, job, e.render(), emit)
            except Exception as e:  # noqa: BLE001 - one bad config must not stop the batch
                _record_failure(report, manifest, job, f"内部错误：{type(e).__name__}: {e}", emit)
        n = max(1, min(workers or default_workers(), len(runnable) or 1))
        report.workers = n if runnable else 0

        def done(job: Job, res: dict[str, Any]) -> None:
            if res.get("peak_rss_mb") is not None:
                report.worker_peak_rss_mb = max(report.worker_peak_rss_mb or 0.0, res["peak_rss_mb"])
            if not res.get("ok"):
                _record_failure(report, manifest, job, res.get("error") or "未知错误", emit, res.get("traceback"))
                return
            rec, key = records[job.output]
            manifest.outputs[job.output] = {
                "job": {**job.params(), "name": job.name, "region": job.region,
                        "period": job.fields.get("period_code", "")},
                "key": key, "inputs": rec["inputs"], "fonts": rec["fonts"], "files": res.get("files", {}),
                "built": _now_iso(), "seconds": res.get("seconds"), "warnings": res.get("warnings", []),
            }
            manifest.dirty = True
            report.built.append(res)
            report.warnings += [f"{job.output}：{w}" for w in res.get("warnings", [])]
            emit("done", {"job": job, "result": res})
            manifest.save()

        old_term = None
        if hasattr(signal, "SIGTERM") and _is_main_thread():
            old_term = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            if n == 1 or len(runnable) <= 1:
                for job in runnable:
                    emit("start", {"job": job})
                    done(job, run_job(job, str(root), plan.templates, debug))
            else:
                _run_pool(runnable, root, plan.templates, n, debug, done, emit)
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            if old_term is not None:
                signal.signal(signal.SIGTERM, old_term)
            manifest.data["last_run"] = {
                "finished": _now_iso(), "jobs": len(jobs), "built": len(report.built),
                "skipped": len(report.skipped), "failed": len(report.failed),
                "interrupted": report.interrupted, "seconds": round(time.perf_counter() - t0, 3),
                "workers": report.workers, "worker_peak_rss_mb": report.worker_peak_rss_mb,
                "failures": [{"output": f["output"], "reason": f["reason"]} for f in report.failed],
            }
            manifest.save(force=True)
    finally:
        lock.release()
        report.seconds = time.perf_counter() - t0
    return report


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _raise_interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _record_failure(report: Report, manifest: _ManifestWriter, job: Job, reason: str,
                    emit: Callable[[str, dict[str, Any]], None], tb: str | None = None) -> None:
    # The old files (if any) were built from other inputs: forget them so the next run retries.
    if manifest.outputs.pop(job.output, None) is not None:
        manifest.dirty = True
    entry = {"output": job.output, "reason": reason, "config": str(job.config)}
    if tb:
        entry["traceback"] = tb
    report.failed.append(entry)
    emit("failed", {"job": job, "reason": reason})


def _run_pool(jobs: list[Job], root: Path, templates: list[Path], n: int, debug: bool,
              done: Callable[[Job, dict[str, Any]], None], emit: Callable[[str, dict[str, Any]], None]) -> None:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    env = {k: v for k, v in os.environ.items() if k.startswith("BRIEFGEN_")}
    pending = list(reversed(jobs))  # pop() from the end keeps the file order
    retries: dict[str, int] = {}
    while pending:
        ex = ProcessPoolExecutor(max_workers=min(n, len(pending)), mp_context=_pool_context(),
                                 initializer=_worker_init, initargs=(os.getcwd(), env))
        running: dict[Any, Job] = {}
        broken = False
        try:
            # Keep at most 2 jobs per worker queued so an interrupt cancels the rest at once.
            while pending or running:
                while pending and len(running) < 2 * n:
                    job = pending.pop()
                    emit("start", {"job": job})
                    running[ex.submit(run_job, job, str(root), templates, debug)] = job
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in finished:
                    job = running.pop(fut)
                    try:
                        res = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        retries[job.output] = retries.get(job.output, 0) + 1
                        if retries[job.output] > 1:
                            done(job, {"ok": False, "output": job.output,
                                       "error": "工作进程意外退出（可能内存不足或被系统终止）"})
                        else:
                            pending.append(job)
                        continue
                    except Exception as e:  # noqa: BLE001 - e.g. an unpicklable result
                        res = {"ok": False, "output": job.output, "error": f"内部错误：{type(e).__name__}: {e}"}
                    done(job, res)
                if broken:
                    # The pool is unusable: requeue what was in flight and start a fresh one.
                    for fut, job in running.items():
                        retries[job.output] = retries.get(job.output, 0) + 1
                        pending.append(job)
                    running.clear()
                    break
        except BaseException:
            _stop_pool(ex)
            raise
        else:
            ex.shutdown(wait=True)
        if not broken:
            break


def _stop_pool(ex: Any) -> None:
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        try:
            p.terminate()  # SIGTERM: a worker mid-build unwinds and removes its temporaries
        except Exception:  # noqa: BLE001
            pass
    for p in procs:
        p.join(timeout=5)


# --------------------------------------------------------------------------- command line


def _print_summary(report: Report, console: Any, verbose: bool) -> None:
    from rich.table import Table
    from rich.text import Text

    rate = len(report.built) / report.seconds if report.seconds > 0 and report.built else 0.0
    t = Table(title="批量生成结果", show_header=True)
    t.add_column("项目")
    t.add_column("数量", justify="right")
    t.add_column("说明")
    t.add_row("任务", str(report.total), Text(str(report.out)))
    t.add_row("生成", str(len(report.built)), f"{rate:.2f} 份/秒" if report.built else "")
    t.add_row("跳过", str(len(report.skipped)), "输入未变化且文件完好（--force 可强制重新生成）" if report.skipped else "")
    t.add_row("失败", str(len(report.failed)), "见下表" if report.failed else "",
              style="red" if report.failed else None)
    if report.warnings:
        t.add_row("警告", str(len(report.warnings)), "详见 manifest.json")
    t.add_row("用时", f"{report.seconds:.2f} 秒",
              f"{report.workers} 个工作进程" + (f"，单进程峰值内存 {report.worker_peak_rss_mb:.0f} MB"
                                            if report.worker_peak_rss_mb else ""))
    console.print(t)
    if report.failed:
        ft = Table(title="失败的任务", show_header=True, title_style="bold red")
        ft.add_column("输出")
        ft.add_column("原因", overflow="fold")
        for f in report.failed:
            ft.add_row(Text(f["output"]), Text(f["reason"]))  # data text, never markup
        console.print(ft)
        for f in report.failed:
            if f.get("traceback"):
                console.print(f["traceback"], markup=False, highlight=False)
    if report.warnings and verbose:
        for w in report.warnings:
            console.print(f"警告：{w}", style="yellow", markup=False, highlight=False, soft_wrap=True)
    if report.interrupted:
        console.print("[red]已中断：已完成的文件完好，重新运行同一命令即可继续生成其余部分。[/]")


def run_cli(jobs_file: Path, out: Path | None, workers: int | None, as_of: str | None, force: bool,
            only: tuple[str, ...], templates: tuple[Path, ...], dry_run: bool, quiet: bool,
            verbose: bool, debug: bool) -> int:
    """The `briefgen batch` command body; returns the exit status."""
    from rich.console import Console
    from rich.markup import escape

    console = Console(stderr=False, highlight=False)
    plan = load_plan(jobs_file, out, parse_as_of(as_of), templates)
    if dry_run:
        report = run_batch(plan, workers=workers, force=force, only=only, dry_run=True)
        todo = {b["output"] for b in report.built}
        for job in plan.jobs:
            if only and not any(fnmatch.fnmatchcase(job.output, p) for p in only):
                continue
            state = "生成" if job.output in todo else "跳过"
            console.print(f"{state}  {job.output}  ← {job.config.name}  "
                          f"{job.region or ''} {job.fields.get('period_code', '')}".rstrip(), markup=False)
        console.print(f"共 {report.total} 份：需生成 {len(todo)} 份，跳过 {len(report.skipped)} 份。", markup=False)
        return 0
    interactive = console.is_terminal and not quiet
    progress = None
    task = None
    state = {"done": 0, "total": 0}

    def on_event(kind: str, data: dict[str, Any]) -> None:
        nonlocal progress, task
        if kind == "plan":
            state["total"] = data["todo"]
            if data["todo"] and interactive:
                from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                           TimeElapsedColumn, TimeRemainingColumn)

                progress = Progress(TextColumn("[bold]批量生成"), BarColumn(), MofNCompleteColumn(),
                                    TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
                                    TextColumn("{task.description}"), console=console, transient=False)
                progress.start()
                task = progress.add_task("", total=data["todo"])
            elif not quiet:
                console.print(f"共 {data['total']} 份：需生成 {data['todo']} 份，跳过 {data['skipped']} 份（未变化）。",
                              markup=False, soft_wrap=True)
        elif kind in ("done", "failed"):
            state["done"] += 1
            job = data["job"]
            if progress is not None and task is not None:
                progress.update(task, advance=1, description=job.output)
                if kind == "failed":
                    progress.console.print(f"[red]失败[/] {escape(job.output)}：{escape(data['reason'])}",
                                           highlight=False)
            elif not quiet:
                if kind == "failed":
                    console.print(f"[{state['done']}/{state['total']}] 失败 {job.output}：{data['reason']}",
                                  markup=False, style="red", soft_wrap=True)
                else:
                    console.print(f"[{state['done']}/{state['total']}] 完成 {job.output}"
                                  f"（{data['result'].get('seconds', 0):.2f} 秒）", markup=False, soft_wrap=True)

    try:
        report = run_batch(plan, workers=workers, force=force, only=only, debug=debug, on_event=on_event)
    finally:
        if progress is not None:
            progress.stop()
    if not quiet or not report.ok:
        _print_summary(report, console, verbose)
    return report.exit_code


@click.command("batch")
@click.argument("jobs_file", metavar="JOBS.yaml", type=click.Path(path_type=Path))
@click.option("--out", "out", type=click.Path(path_type=Path), help="输出目录（默认取任务文件中的 output:）")
@click.option("--jobs", "-j", "workers", type=click.IntRange(1, 256), help="并行的工作进程数（默认：CPU 核数）")
@click.option("--as-of", "as_of", metavar="DATE", help="相对时期（last-month 等）的基准日期，默认今天")
@click.option("--force", is_flag=True, help="忽略增量记录，全部重新生成")
@click.option("--only", multiple=True, metavar="GLOB", help="只生成输出路径匹配的任务，如 --only '宜都市/*'")
@click.option("--templates", multiple=True, type=click.Path(path_type=Path), help="额外的部门模板目录")
@click.option("--dry-run", is_flag=True, help="只列出将要生成和跳过的任务，不生成")
@click.option("--quiet", "-q", is_flag=True, help="只在出错时输出")
@click.option("--verbose", "-v", is_flag=True, help="列出每条警告")
@click.option("--debug", is_flag=True, help="出错时显示完整的调用栈")
def batch_cmd(jobs_file: Path, out: Path | None, workers: int | None, as_of: str | None, force: bool,
              only: tuple[str, ...], templates: tuple[Path, ...], dry_run: bool, quiet: bool, verbose: bool,
              debug: bool) -> None:
    """按任务文件 JOBS.yaml 批量生成简报（并行、增量、可中断后续跑）。"""
    from briefgen.cli import _fail

    try:
        code = run_cli(jobs_file, out, workers, as_of, force, only, templates, dry_run, quiet, verbose, debug)
    except (BriefgenError, Exception) as e:  # noqa: BLE001
        _fail(e, debug)
        return
    sys.exit(code)
