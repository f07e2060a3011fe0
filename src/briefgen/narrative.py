"""Narrative: Jinja2 templates → Chinese sentences → model paragraphs.

Templates render in the sandbox (:mod:`briefgen.sandbox`) with the zh wording
layer's filters; every number a template prints becomes text there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import jinja2

from briefgen import phrases, provenance, zh
from briefgen.errors import BriefgenError
from briefgen.metrics import MetricValue
from briefgen.model import Paragraph, Run
from briefgen.sandbox import Sandbox, StepLimit, new_environment, template_error
from briefgen.templates import ConfinedLoader, Confinement

MAX_OUTPUT_CHARS = 200_000  # per template: a runaway loop must not fill the disk

# Phrases whose first argument is a metric; a key written as text ("hte") is looked up too.
_METRIC_FIRST = set(phrases.GLOBALS) - {"clauses", "lead"}


def growth(x: Any, decimals: int | None = 1, prefix: str | None = None, **words: Any) -> str:
    """``{{ hte | growth }}``: a metric's change in words (:func:`briefgen.phrases.change`); a number
    is a growth rate in percent (:func:`briefgen.zh.growth`, 同比 unless `prefix` says otherwise)."""
    if isinstance(x, MetricValue):
        return phrases.change(x, decimals=None if decimals == 1 else decimals, prefix=prefix)
    return zh.growth(x, decimals, "同比" if prefix is None else prefix, **words)


def pp(x: Any, decimals: int | None = 2, **words: Any) -> str:
    """A metric's change in percentage points (:func:`briefgen.phrases.change`); a number as
    :func:`briefgen.zh.pp`."""
    if isinstance(x, MetricValue):
        return phrases.change(x)
    return zh.pp(x, decimals, **words)


def rank_change(x: Any, *args: Any, **kwargs: Any) -> str:
    """A metric's places moved (:func:`briefgen.phrases.rank_move`); a number as :func:`briefgen.zh.rank_change`."""
    if isinstance(x, MetricValue):
        return phrases.rank_move(x, *args, **kwargs)
    return zh.rank_change(x, *args, **kwargs)


def resolving(fn: Callable[..., Any], second: bool = False) -> Callable[..., Any]:
    """The phrase with metric keys written as text looked up (``all_rose(overview_metrics)``)."""

    @jinja2.pass_environment
    def call(env: Any, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        find = getattr(env, "resolve_metric", None)
        if find is not None:
            x = _lookup(find, x)
            if second and args:
                args = (_lookup(find, args[0]), *args[1:])
        return fn(x, *args, **kwargs)

    call.__name__ = getattr(fn, "__name__", "phrase")
    call.__doc__ = fn.__doc__
    return call


def _lookup(find: Callable[[str], Any], x: Any) -> Any:
    if isinstance(x, str):
        return find(x)
    if isinstance(x, (list, tuple)) and x and all(isinstance(i, str) for i in x):
        return [find(i) for i in x]
    return x


def make_env(search_path: list[Path] | None = None, confinement: Confinement | None = None) -> Sandbox:
    """A sandboxed environment loading template files from `search_path`, with the zh filters
    and the phrase vocabulary (:mod:`briefgen.phrases`).

    Files load only from inside `confinement` (by default the search folders themselves),
    symlinks resolved.
    """
    loader = ConfinedLoader([p for p in (search_path or []) if p.is_dir()], confinement)
    env = new_environment(loader, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True,
                          finalize=_printed)
    env.filters.update(zh.FILTERS)
    words: dict[str, Callable[..., Any]] = {"growth": growth, "pp": pp, "rank_change": rank_change}
    for name, fn in phrases.GLOBALS.items():
        words[name] = resolving(fn, second=name == "gap") if name in _METRIC_FIRST else fn
    for name in ("growth", "pp", "rank_change"):
        words[name] = resolving(words[name])
    env.filters.update({k: v for k, v in words.items() if k in phrases.FILTERS or k in zh.FILTERS})
    env.globals.update({k: v for k, v in zh.FILTERS.items() if k not in env.globals})
    env.globals.update(words)
    # Figure and table numbers: the builder counts; these stand in where nothing is built (validate).
    env.globals.setdefault("fig", lambda k=1: f"图{k}")
    env.globals.setdefault("table", lambda k=1: f"表{k}")
    return env


def render(env: Sandbox, *, source: str | None = None, file: str | None = None,
           context: dict[str, Any], where: str) -> str:
    """Render inline template text or a template file; errors name the place."""
    name = file or where
    try:
        tpl = env.get_template(file) if file else env.from_string(source or "")
        with StepLimit(env):
            out = tpl.render(context)
    except jinja2.TemplateNotFound as e:
        raise BriefgenError(f"找不到模板文件“{e.name}”", where=where) from None
    except Exception as e:  # noqa: BLE001 - every template failure becomes one clear message
        raise template_error(e, name, env) from None
    if len(out) > MAX_OUTPUT_CHARS:
        raise BriefgenError(f"模板生成的文字过长（超过{MAX_OUTPUT_CHARS}字）", where=where)
    return out


def _printed(value: Any) -> Any:
    """What ``{{ x }}`` prints, unchanged; a traced figure printed as it is (``{{ city_rank.rank_of }}``)
    is noted for the audit like one printed through the zh layer."""
    if provenance.is_traced(value) and provenance.active():
        text = str(value)
        provenance.note(text, value)
        return text
    return value


_BOLD = re.compile(r"\*\*(.+?)\*\*")
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def to_paragraphs(text: str, style: str = "body") -> list[Paragraph]:
    """Blank-line separated text → paragraphs; **bold** → bold runs.

    Lines inside a paragraph are joined without a space, as Chinese needs;
    a space is kept only between two Latin characters.
    """
    paras = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        joined = lines[0]
        for ln in lines[1:]:
            sep = " " if joined[-1].isascii() and joined[-1].isalnum() and ln[0].isascii() and ln[0].isalnum() else ""
            joined += sep + ln
        joined = _CTRL.sub("", joined)
        runs: list[Run] = []
        pos = 0
        for m in _BOLD.finditer(joined):
            if m.start() > pos:
                runs.append(Run(joined[pos:m.start()]))
            runs.append(Run(m.group(1), bold=True))
            pos = m.end()
        if pos < len(joined):
            runs.append(Run(joined[pos:]))
        paras.append(Paragraph(runs, style=style))
    return paras
