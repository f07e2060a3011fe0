"""Jobs files: explicit jobs and template × region × period matrices → concrete jobs.

Nothing is built here and no config is validated; each job is a config path plus
``--set``-style overrides and the output path it will be written to.
"""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from briefgen import periods, zh
from briefgen.config import load_config
from briefgen.data import load_dataset
from briefgen.errors import BriefgenError
from briefgen.files import load_yaml, safe_component, safe_filename
from briefgen.writers import FORMATS

DEFAULT_PATTERN = "{name}"

_TOP_KEYS = {"output", "pattern", "formats", "templates", "matrix", "jobs", "timeout", "audit"}
_MATRIX_KEYS = {"template", "name", "region", "period", "vars", "pattern", "formats", "audit"}
_JOB_KEYS = {"config", "name", "region", "period", "vars", "pattern", "output", "formats", "audit"}


def period_fields(p: periods.Period) -> dict[str, Any]:
    """The placeholders a resolved period gives an output pattern or `vars`."""
    label = zh.period_label(p) if p.kind != "other" else p.code
    return {
        "period": p.slug,
        "period_code": p.code,
        "period_kind": p.kind,
        "period_label": label,
        "period_start": p.start.isoformat() if p.start else "",
        "period_end": p.end.isoformat() if p.end else "",
        # The usual 编发日期: the first working day after the month the period ends in.
        "issue_date": periods.issue_date(p.end).isoformat() if p.end else "",
        "year": p.start.year if p.start else "",
        # A year to date of 1—3月 or 1—6月 is the quarter or half it equals, still "month 3/6" of the run.
        "month": p.number if p.kind in ("month", "ytd") else p.end.month if p.end is not None
        and p.slug.endswith(f"~{p.end.month:02d}") else "",
        "quarter": p.number if p.kind == "quarter" else "",
    }


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
        """Output path of each format under the output folder `root`."""
        return {fmt: root / f"{self.output}.{fmt}" for fmt in self.formats}

    def params(self) -> dict[str, Any]:
        """What, besides the input files, determines the outputs."""
        return {"config": str(self.config), "overrides": list(self.overrides), "formats": list(self.formats),
                "output": self.output}


@dataclass
class Plan:
    """A jobs file expanded: every job, the output folder and the base date of relative periods."""

    jobs_file: Path
    out: Path
    jobs: list[Job]
    templates: list[Path]  # extra department-template folders (--templates)
    as_of: _dt.date
    allow_paths: tuple[Path, ...] = ()  # folders outside the template roots templates may read (--allow-path)
    timeout: float = 0.0  # seconds one job may run (0: DEFAULT_TIMEOUT)


class _Fields(dict):
    """Placeholder values; an unknown `{name}` names the ones that exist."""

    where = ""

    def __missing__(self, key: str) -> Any:
        raise BriefgenError(f"不认识的占位符“{{{key}}}”", where=self.where,
                            hint="可用：" + "、".join("{" + k + "}" for k in sorted(self)))


def _fill(text: str, fields: dict[str, Any], where: str) -> str:
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


def check_keys(d: Any, allowed: set[str], where: str) -> dict[str, Any]:
    """`d` as a mapping with only `allowed` keys, else a Chinese error naming the others."""
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


def _regions_from_data(config: Path, spec: dict[str, Any], templates: list[Path], where: str,
                       allow_paths: tuple[Path, ...] = ()) -> list[str]:
    """`region: {from_data: true, indicator: …, exclude: […]}`: the regions the data has."""
    check_keys(spec, {"from_data", "indicator", "exclude", "period"}, where)

    cfg = load_config(config, [], templates, allow_paths)
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


def _config_value(config: Path, key: str, cache: dict[Path, dict]) -> Any:
    if config not in cache:
        raw = load_yaml(config, "简报配置文件")
        cache[config] = raw if isinstance(raw, dict) else {}
    return cache[config].get(key)


def load_top(path: Path, keys: Any, what: str) -> tuple[dict[str, Any], Callable[[Any], Path]]:
    """Read a jobs/schedule YAML file: its checked top-level mapping, and a resolver
    for paths written in it (relative to the file's folder)."""
    raw = load_yaml(path, what)
    if raw is None:
        raise BriefgenError(f"{what}为空", where=str(path))
    top = check_keys(raw, keys, str(path))
    base = path.resolve().parent

    def rel(p: Any) -> Path:
        q = Path(str(p))
        return q if q.is_absolute() else base / q

    return top, rel


def load_plan(jobs_file: str | Path, out: str | Path | None = None, as_of: _dt.date | None = None,
              templates: Iterable[Path] = (), allow_paths: Iterable[Path] = (),
              timeout: float | None = None) -> Plan:
    """Read a jobs file and expand it into concrete jobs (no config is validated yet).

    `timeout` (seconds per job) overrides the file's ``timeout:``; `allow_paths` are
    folders outside the template roots that templates may read (``--allow-path``).
    """
    path = Path(jobs_file)
    top, rel = load_top(path, _TOP_KEYS, "任务文件")
    as_of = as_of or _dt.date.today()
    allowed = tuple(Path(p) for p in allow_paths)
    job_timeout = timeout if timeout is not None else _timeout(top.get("timeout"), f"{path}：timeout")

    out_dir = Path(out) if out is not None else (rel(top["output"]) if top.get("output")
                                                 else Path("output") / path.stem)
    extra_templates = [Path(t) for t in templates] + [rel(t) for t in _as_list(top.get("templates"))]
    default_pattern = str(top.get("pattern") or DEFAULT_PATTERN)
    default_formats = _formats(top.get("formats"), list(FORMATS), f"{path}：formats")
    raw_cache: dict[Path, dict] = {}
    jobs: list[Job] = []

    def make(config: Path, name: Any, region: Any, period: periods.Period | None, vars_: dict[str, Any],
             pattern: str, formats: list[str], where: str, output: str | None = None, audit: Any = None) -> None:
        if not config.exists():
            raise BriefgenError("找不到简报配置文件", where=f"{where}：{config}")
        fields: dict[str, Any] = {"template": config.stem, "as_of": as_of.isoformat(), "index": len(jobs) + 1}
        fields["name"] = str(name) if name not in (None, "") else config.stem
        if period is not None:
            fields.update(period_fields(period))
        if region is not None:
            fields["region"] = str(region)
        # Patterns may name {region}/{period} of a job that keeps its config's own.
        for key in ("region", "period"):
            if key not in fields and ("{" + key) in (output or pattern):
                val = _config_value(config, key, raw_cache)
                if val is not None:
                    p = periods.resolve(val, as_of, where) if key == "period" else None
                    fields.update(period_fields(p) if p else {key: str(val)})
        overrides: list[str] = []
        if region is not None:
            overrides.append(_override("region", json.dumps(str(region), ensure_ascii=False)))
        if period is not None:
            overrides.append(_override("period", json.dumps(period.code, ensure_ascii=False)))
        for k, v in (vars_ or {}).items():
            if isinstance(v, str):
                v = _fill(v, fields, f"{where}：vars.{k}")
            overrides.append(_override(str(k), v))
        # Placeholder values come from data: each becomes one safe path component.
        safe = {k: (safe_component(v, f"{where}：{{{k}}}") if isinstance(v, str) and v else v)
                for k, v in fields.items()}
        stem = _fill(output or pattern, safe, f"{where}：pattern")
        rel_out = safe_filename(stem, f"{where}：pattern")
        overrides.append(_override("name", json.dumps(rel_out.rsplit("/", 1)[-1], ensure_ascii=False)))
        audit = top.get("audit") if audit is None else audit
        if audit is not None:
            if not isinstance(audit, bool):
                raise BriefgenError(f"audit 应为 true 或 false，实际是“{audit}”", where=f"{where}.audit")
            overrides.append(_override("audit", audit))  # the <name>.audit.xlsx beside the outputs
        jobs.append(Job(config=config.resolve(), name=fields["name"], output=rel_out, overrides=overrides,
                        formats=formats, fields=fields, source=where))

    for i, m in enumerate(_as_list(top.get("matrix"))):
        where = f"{path}：matrix[{i}]"
        m = check_keys(m, _MATRIX_KEYS, where)
        templates_ = [rel(t) for t in _as_list(m.get("template"))]
        if not templates_:
            raise BriefgenError("缺少 template（简报配置文件）", where=where)
        vars_ = _vars(m.get("vars"), f"{where}.vars")
        pattern = str(m.get("pattern") or default_pattern)
        formats = _formats(m.get("formats"), default_formats, f"{where}.formats")
        job_periods: list[periods.Period | None] = [
            periods.resolve(p, as_of, f"{where}.period") for p in _as_list(m.get("period"))] or [None]
        for config in templates_:
            reg = m.get("region")
            if isinstance(reg, dict):
                regions: list[Any] = _regions_from_data(config, reg, extra_templates, f"{where}.region", allowed)
            else:
                regions = [str(r) for r in _as_list(reg)] or [None]
            for period in job_periods:
                for region in regions:
                    make(config, m.get("name"), region, period, vars_, pattern, formats, where, audit=m.get("audit"))
    for i, j in enumerate(_as_list(top.get("jobs"))):
        where = f"{path}：jobs[{i}]"
        if isinstance(j, str):
            j = {"config": j}
        j = check_keys(j, _JOB_KEYS, where)
        if not j.get("config"):
            raise BriefgenError("缺少 config（简报配置文件）", where=where)
        job_period = periods.resolve(j["period"], as_of, f"{where}.period") if j.get("period") is not None else None
        vars_ = _vars(j.get("vars"), f"{where}.vars")
        make(rel(j["config"]), j.get("name"), j.get("region"), job_period, vars_,
             str(j.get("pattern") or default_pattern), _formats(j.get("formats"), default_formats, where),
             where, output=str(j["output"]) if j.get("output") else None, audit=j.get("audit"))
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
    return Plan(jobs_file=path.resolve(), out=out_dir, jobs=jobs, templates=extra_templates, as_of=as_of,
                allow_paths=allowed, timeout=job_timeout)


def _timeout(v: Any, where: str) -> float:
    """The jobs file's ``timeout:`` in seconds (0 when absent: the default applies)."""
    if v is None:
        return 0.0
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v <= 7 * 24 * 3600:
        raise BriefgenError(f"timeout 应为正数（秒），实际是“{v}”", where=where,
                            hint="如 timeout: 600 表示每份最多10分钟")
    return float(v)
