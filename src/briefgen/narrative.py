"""Narrative: Jinja2 templates → Chinese sentences → model paragraphs.

Templates render in the sandbox (:mod:`briefgen.sandbox`) with the zh wording
layer's filters; every number a template prints becomes text there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jinja2

from briefgen import zh
from briefgen.errors import BriefgenError
from briefgen.model import Paragraph, Run
from briefgen.sandbox import Sandbox, StepLimit, new_environment, template_error
from briefgen.templates import ConfinedLoader, Confinement

MAX_OUTPUT_CHARS = 200_000  # per template: a runaway loop must not fill the disk


def make_env(search_path: list[Path] | None = None, confinement: Confinement | None = None) -> Sandbox:
    """A sandboxed environment loading template files from `search_path`, with zh filters.

    Files load only from inside `confinement` (by default the search folders themselves),
    symlinks resolved.
    """
    loader = ConfinedLoader([p for p in (search_path or []) if p.is_dir()], confinement)
    env = new_environment(loader, keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(zh.FILTERS)
    env.globals.update({k: v for k, v in zh.FILTERS.items() if k not in env.globals})
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
        raise template_error(e, name) from None
    if len(out) > MAX_OUTPUT_CHARS:
        raise BriefgenError(f"模板生成的文字过长（超过{MAX_OUTPUT_CHARS}字）", where=where)
    return out


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
