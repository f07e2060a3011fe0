"""Department templates: a folder with `template.yaml`, Jinja2 narrative files and
optionally a Word letterhead, extending another template.

A template overrides only what differs from its parent: style sheet and meta
defaults are deep-merged, metrics merge by key, sections merge by `id` (every
section with an id in the chain can be named by a child template or the config), and
narrative files inherit through Jinja2 `{% extends "base/..." %}` blocks.

Search order for a template name: `--templates DIR` / `BRIEFGEN_TEMPLATES` →
the project's `templates/` (current folder) → the templates shipped with briefgen.
"""

from __future__ import annotations

import copy
import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2.loaders import split_template_path

from briefgen.errors import BriefgenError
from briefgen.files import is_inside, load_yaml

TEMPLATE_FILE = "template.yaml"
# Keys a template.yaml may set; everything else is a typo worth reporting.
TEMPLATE_KEYS = {
    "name", "title", "description", "extends", "form", "meta", "style", "fonts", "metrics",
    "sections", "reference_docx", "variables", "intro", "regions", "region_groups", "conditions", "phrases",
    "on_missing",
}


# Keys a config inherits from its template chain (mappings merge key by key).
MERGED_KEYS = ("form", "meta", "style", "fonts", "metrics", "variables", "intro", "conditions", "phrases",
               "on_missing")


# --- confinement ---------------------------------------------------------------

CONFINEMENT_RULE = ("模板和正文模板引用的文件（include、extends、import，Word 信笺，字体文件）"
                    "只能位于配置文件所在目录、部门模板目录或 briefgen 内置模板中；"
                    "确需使用其他位置的文件，请在命令中加 --allow-path 该目录")


@dataclass(frozen=True)
class Confinement:
    """Where the files a template pulls in may lie, symlinks resolved: the template roots
    (the config's folder, the template search folders, the department templates) and the
    folders the operator allowed with ``--allow-path``.

    Department templates are shared between units: one must never read a file
    elsewhere on the machine into a document (``templates/sys → /etc``).
    """

    roots: tuple[Path, ...]
    allowed: tuple[Path, ...] = ()

    def check(self, path: Path, what: str, where: str | None = None) -> Path:
        """`path` itself, or a Chinese error naming it and the rule."""
        if is_inside(path, (*self.roots, *self.allowed)):
            return path
        real = os.path.realpath(path)
        shown = f"“{path}”" + (f"（实际位置 {real}）" if real != str(path) else "")
        raise BriefgenError(f"{what}{shown}位于模板目录之外，不允许读取", where=where, hint=CONFINEMENT_RULE)


class ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader that refuses files outside the :class:`Confinement`
    (a symlink inside templates/ pointing out of the project, say)."""

    def __init__(self, searchpath: Iterable[Path], confinement: Confinement | None = None):
        paths = [Path(p) for p in searchpath]
        super().__init__([str(p) for p in paths])
        self.confinement = confinement or Confinement(tuple(paths))

    def get_source(self, environment: jinja2.Environment, template: str) -> Any:
        """The template's source, checked to lie inside the confinement before it is read."""
        pieces = split_template_path(template)
        for folder in self.searchpath:
            candidate = os.path.join(folder, *pieces)
            if os.path.isfile(candidate):
                self.confinement.check(Path(candidate), "模板文件")
                break
        return super().get_source(environment, template)


def builtin_root() -> Path | None:
    """The templates shipped inside the installed package (`briefgen_templates`)."""
    try:
        import briefgen_templates  # noqa: PLC0415 - optional data package

        return Path(briefgen_templates.__file__).parent
    except ImportError:
        return None


def search_roots(extra: list[Path] | None = None) -> list[tuple[Path, str]]:
    """Template roots in priority order with a Chinese label of where they come from."""
    seen: set[Path] = set()
    out = []
    for p, label in candidate_roots(extra):
        key = p.resolve() if p.exists() else p
        if key in seen or not p.is_dir():
            continue
        seen.add(key)
        out.append((p, label))
    return out


def candidate_roots(extra: list[Path] | None = None) -> list[tuple[Path, str]]:
    """Every place a template root may be, whether or not a folder is there (yet): the warm
    server's configs depend on each (a folder created later may hold a template that comes first)."""
    roots: list[tuple[Path, str]] = []
    for p in extra or []:
        roots.append((Path(p), "--templates 指定"))
    env = os.environ.get("BRIEFGEN_TEMPLATES")
    if env:
        roots += [(Path(p), "环境变量 BRIEFGEN_TEMPLATES") for p in env.split(os.pathsep) if p]
    roots.append((Path.cwd() / "templates", "项目 templates/"))
    b = builtin_root()
    if b is not None:
        roots.append((b, "briefgen 内置"))
    return roots


@dataclass
class Template:
    """A department template: its folder, where it was found, its template.yaml and parent."""

    name: str
    path: Path  # the template's folder
    source: str  # where it was found (Chinese label)
    data: dict[str, Any]
    parent: "Template | None" = None

    @property
    def title(self) -> str:
        return str(self.data.get("title") or self.name)

    @property
    def description(self) -> str:
        return str(self.data.get("description") or "")

    def chain(self) -> list["Template"]:
        """This template and its ancestors, child first."""
        out: list[Template] = []
        t: Template | None = self
        while t is not None:
            out.append(t)
            t = t.parent
        return out


def _read_template(folder: Path, name: str, source: str) -> dict[str, Any]:
    path = folder / TEMPLATE_FILE
    data = load_yaml(path, "模板配置文件") or {}
    if not isinstance(data, dict):
        raise BriefgenError("模板配置文件的顶层应为映射（键: 值）", where=str(path))
    unknown = sorted(set(data) - TEMPLATE_KEYS)
    if unknown:

        hints = [f"{k}（是否想写 {m[0]}？）" if (m := difflib.get_close_matches(k, TEMPLATE_KEYS, 1)) else k
                 for k in unknown]
        raise BriefgenError(f"模板配置中有不认识的键：{'、'.join(hints)}", where=str(path))
    return data


def find_template(name: str, roots: list[tuple[Path, str]], *, _seen: tuple[str, ...] = ()) -> Template:
    """Locate `name` in the roots and load its `extends` chain."""
    if name in _seen:
        raise BriefgenError(f"模板继承出现循环：{' → '.join(_seen + (name,))}")
    if "/" in name or "\\" in name or name.startswith("."):
        raise BriefgenError(f"模板名称不能包含路径：{name}")
    for root, label in roots:
        folder = root / name
        if (folder / TEMPLATE_FILE).is_file():
            data = _read_template(folder, name, label)
            parent = None
            if data.get("extends"):
                parent = find_template(str(data["extends"]), roots, _seen=_seen + (name,))
            return Template(name=name, path=folder, source=label, data=data, parent=parent)

    names = [t.name for t in list_templates(roots)]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.3)
    hint = f"是否想用：{'、'.join(close)}" if close else (f"可用模板：{'、'.join(names)}" if names else None)
    raise BriefgenError(f"找不到模板“{name}”", hint=hint)


def list_templates(roots: list[tuple[Path, str]]) -> list[Template]:
    """Every template visible in the roots (a name found earlier shadows later ones)."""
    out: dict[str, Template] = {}
    for root, label in roots:
        for folder in sorted(root.iterdir()):
            if folder.name in out or not (folder / TEMPLATE_FILE).is_file():
                continue
            try:
                data = _read_template(folder, folder.name, label)
            except BriefgenError:
                data = {"description": "（模板配置有误）"}
            out[folder.name] = Template(folder.name, folder, label, data)
    return list(out.values())


def deep_merge(base: Any, over: Any) -> Any:
    """`over` merged into a copy of `base`: mappings merge key by key, anything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = copy.deepcopy(base)
        for k, v in over.items():
            out[k] = deep_merge(out[k], v) if k in out else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


def section_ids(sections: Any) -> dict[str, Any]:
    """The sections of a list that have an id, by id (top level only)."""
    if not isinstance(sections, list):
        return {}
    return {str(s["id"]): s for s in sections if isinstance(s, dict) and s.get("id")}


def merge_sections(base: list[Any], over: list[Any] | None, where: str, library: dict[str, Any] | None = None,
                   *, extend: bool = False) -> list[Any]:
    """Sections by name: a string picks a section by id, a mapping with a known id overrides fields
    of it, any other mapping is a new section. Known ids are those of `base` and of `library` (every
    section with an id anywhere in the template chain, so one a child template left out of its
    default list can still be named).

    With `extend` (a template's own sections over its parent's): unless `over` names sections by a
    bare id — which gives the whole order — the parent's sections stay first, in their order and
    overridden in place, and the new ones follow."""
    if over is None:
        return copy.deepcopy(base)
    mine = section_ids(base)
    by_id = {**(library or {}), **mine}
    out = []
    for i, item in enumerate(over):
        if isinstance(item, str):
            if item not in by_id:

                close = difflib.get_close_matches(item, list(by_id), n=3, cutoff=0.3)
                raise BriefgenError(
                    f"模板中没有 id 为“{item}”的章节", where=f"{where}：sections[{i}]",
                    hint=f"是否想用：{'、'.join(close)}" if close else f"模板章节：{'、'.join(by_id) or '无'}",
                )
            out.append(copy.deepcopy(by_id[item]))
        elif isinstance(item, dict) and item.get("id") in by_id:
            out.append(deep_merge(by_id[item["id"]], item))
        else:
            out.append(copy.deepcopy(item))
    if not extend or any(isinstance(item, str) for item in over):
        return out
    overrides = {str(item["id"]): merged for item, merged in zip(over, out)
                 if isinstance(item, dict) and item.get("id") in mine}
    kept = [overrides.get(str(s.get("id")), s) if isinstance(s, dict) else s for s in copy.deepcopy(base)]
    return kept + [merged for item, merged in zip(over, out)
                   if not (isinstance(item, dict) and item.get("id") in mine)]


@dataclass
class Applied:
    """The result of applying a template chain to a raw config."""

    raw: dict[str, Any]
    template: Template | None = None
    narrative_dirs: list[Path] = field(default_factory=list)
    reference_docx: Path | None = None
    confinement: Confinement | None = None


def apply_template(raw: dict[str, Any], config_path: Path, extra_roots: list[Path] | None = None,
                   allow_paths: Iterable[Path] = ()) -> Applied:
    """Merge the template named by `raw["template"]` (if any) under the config.

    Files the templates name (letterhead, fonts) must lie inside the template roots
    or a folder in `allow_paths` (:class:`Confinement`).
    """
    name = raw.get("template")
    # A department folder is self-contained: its own templates/ comes first.
    roots = search_roots([config_path.parent / "templates", *(extra_roots or [])])
    allowed = tuple(Path(p) for p in allow_paths)
    if not name:
        return Applied(raw, None, [r for r, _ in roots],
                       confinement=Confinement((config_path.parent, *(r for r, _ in roots)), allowed))
    tpl = find_template(str(name), roots)
    box = Confinement((config_path.parent, *(r for r, _ in roots), *(t.path for t in tpl.chain())), allowed)
    merged: dict[str, Any] = {}
    library: dict[str, Any] = {}  # every section with an id in the chain, as last overridden
    reference = None
    for t in reversed(tpl.chain()):  # parent first, child overrides
        d = t.data
        for key in MERGED_KEYS:
            if key in d:
                if key == "fonts":
                    # Font paths in a template are relative to its folder.
                    d = {**d, "fonts": {r: _rel(t.path, v, box, f"{t.path / TEMPLATE_FILE}：fonts.{r}")
                                        for r, v in (d["fonts"] or {}).items()}}
                merged[key] = deep_merge(merged.get(key), d[key]) if key in merged else copy.deepcopy(d[key])
        for key in ("regions", "region_groups"):
            if key in d:  # a region tree is declared whole: a child template's replaces its parent's
                merged[key] = copy.deepcopy(d[key])
        if "sections" in d:
            merged["sections"] = merge_sections(merged.get("sections", []), d["sections"], str(t.path), library,
                                                extend=True)
            library.update(section_ids(merged["sections"]))
        if d.get("reference_docx"):
            reference = box.check(t.path / str(d["reference_docx"]), "Word 信笺文件",
                                  f"{t.path / TEMPLATE_FILE}：reference_docx")
            if not reference.is_file():
                raise BriefgenError("找不到模板指定的 Word 信笺文件", where=str(reference))
    out = dict(raw)
    for key in MERGED_KEYS:
        if key in merged:
            out[key] = deep_merge(merged[key], raw[key]) if key in raw and isinstance(merged[key], dict) \
                else raw.get(key, merged[key])
    for key in ("regions", "region_groups"):
        if key in merged and key not in raw:
            out[key] = merged[key]
    out["sections"] = merge_sections(merged.get("sections", []), raw.get("sections"), str(config_path), library)
    dirs = [t.path for t in tpl.chain()] + [r for r, _ in roots]
    return Applied(out, tpl, dirs, reference, box)


def _rel(folder: Path, value: Any, box: Confinement, where: str) -> Any:
    s = str(value)
    file, sep, index = s.partition("#")
    if any(file.lower().endswith(ext) for ext in (".ttf", ".ttc", ".otf", ".otc")):
        p = Path(file)
        p = box.check(p if p.is_absolute() else folder / p, "字体文件", where)
        return str(p) + sep + index
    return value
