"""Where in a YAML file a config problem is: line, column and key path.

pydantic reports a problem by its location in the loaded data
(`sections[2].heading`); composing the same text with PyYAML gives every node
its start mark, so each problem can name `file:line:column`. Unknown keys and
values get the closest allowed spelling as a hint.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from briefgen.errors import BriefgenError


@dataclass
class Problem:
    """One config problem: where (file, line, column, key path), what, and a hint."""

    path: str
    line: int | None
    column: int | None
    key: str
    message: str
    hint: str | None = None

    def render(self) -> str:
        """The problem as one line: file:line:col：key：message（hint）."""
        pos = self.path if self.line is None else f"{self.path}:{self.line}:{self.column}"
        text = f"{pos}：{self.key}：{self.message}" if self.key else f"{pos}：{self.message}"
        return text + (f"（{self.hint}）" if self.hint else "")


class ConfigProblems(BriefgenError):
    """Every problem of a config at once, one per line."""

    def __init__(self, problems: list[Problem], title: str = "配置有误"):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line or 0, p.column or 0))
        lines = "\n  ".join(p.render() for p in self.problems)
        n = len(self.problems)
        super().__init__(f"{title}（共{n}处）：\n  {lines}" if n > 1 else f"{title}：\n  {lines}")


# --- node lookup --------------------------------------------------------------

def _child(node: yaml.Node | None, comp: Any) -> tuple[yaml.Node | None, yaml.Node | None]:
    """(value node, key node) of `comp` inside `node`, or (None, None)."""
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(comp):
                return v, k
    elif isinstance(node, yaml.SequenceNode) and isinstance(comp, int) and 0 <= comp < len(node.value):
        return node.value[comp], None
    return None, None


def _data_child(data: Any, comp: Any) -> tuple[bool, Any]:
    if isinstance(data, dict):
        for k in data:
            if k == comp or str(k) == str(comp):
                return True, data[k]
        return False, None
    if isinstance(data, list) and isinstance(comp, int) and 0 <= comp < len(data):
        return True, data[comp]
    return False, None


def clean_loc(loc: tuple, data: Any, keep_last: bool) -> tuple:
    """Drop pydantic's union/validator tags ('int', 'function-after[...]') from a location.

    A component is kept when it indexes the loaded data; the last one is also
    kept for "missing" and "unknown key" problems, which name a key.
    """
    if data is None:
        return loc
    out: list[Any] = []
    cur = data
    for i, comp in enumerate(loc):
        found, nxt = _data_child(cur, comp)
        if found:
            out.append(comp)
            cur = nxt
        elif keep_last and i == len(loc) - 1:
            out.append(comp)
    return tuple(out)


def mark_of(root: yaml.Node | None, loc: tuple, *, key_mark: bool = False) -> yaml.Mark | None:
    """Start mark of the node at `loc` (of its key with `key_mark`); the deepest node found otherwise."""
    node, key, best = root, None, None
    for comp in loc:
        nxt, k = _child(node, comp)
        if nxt is None:
            # A missing key: point at the mapping's own key (e.g. `meta:`), else the mapping.
            return best.start_mark if best is not None else (node.start_mark if node is not None else None)
        node, key = nxt, k
        best = k or nxt
    if node is None:
        return None
    if key_mark and key is not None:
        return key.start_mark
    return node.start_mark


def format_loc(loc: tuple) -> str:
    """A location tuple as a key path: ('sections', 0, 'heading') → sections[0].heading."""
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


# --- model lookup (for suggestions) ---------------------------------------------

def _model_of(tp: Any) -> Any:
    from pydantic import BaseModel  # lazy: only for suggestions

    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tp
    for arg in typing.get_args(tp) if _is_union(tp) else ():
        m = _model_of(arg)
        if m is not None:
            return m
    return None


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (typing.Union, types.UnionType)


def _step(tp: Any, comp: Any) -> Any:
    model = _model_of(tp)
    if model is not None and isinstance(comp, str):
        for name, f in model.model_fields.items():
            if comp in (name, f.alias):
                return f.annotation
        return None
    if _is_union(tp):
        for arg in typing.get_args(tp):
            r = _step(arg, comp)
            if r is not None:
                return r
        return None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (list, tuple, set) and isinstance(comp, int) and args:
        return args[0]
    if origin is dict and len(args) == 2:
        return args[1]
    return None


def allowed_keys(model: Any, loc: tuple) -> list[str]:
    """Keys the model accepts at `loc` (field names and their Chinese aliases)."""
    tp: Any = model
    for comp in loc:
        tp = _step(tp, comp)
        if tp is None:
            return []
    m = _model_of(tp)
    if m is None:
        return []
    keys = []
    for name, f in m.model_fields.items():
        keys.append(f.alias or name)
        if f.alias:
            keys.append(name)
    return keys


def suggest(word: Any, candidates: list[str], *, cutoff: float = 0.6) -> list[str]:
    """Closest spellings: `sectoins` → `sections`; case differences count as close."""
    w = str(word)
    by_lower = {c.lower(): c for c in candidates}
    if w.lower() in by_lower and by_lower[w.lower()] != w:
        return [by_lower[w.lower()]]
    return difflib.get_close_matches(w, candidates, n=3, cutoff=cutoff)


# --- pydantic errors → problems ---------------------------------------------------

_EXPECTED = re.compile(r"'([^']*)'")

MESSAGES = {
    "missing": "缺少必填项",
    "extra_forbidden": "不认识的键",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数（不能有小数）",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "finite_number": "应为有限的数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表（每项以“- ”开头）",
    "dict_type": "应为映射（键: 值）",
    "model_type": "应为映射（键: 值）",
    "model_attributes_type": "应为映射（键: 值）",
    "literal_error": "取值不在允许范围内",
    "date_type": "应为日期，如 2022-01-05",
    "date_from_datetime_parsing": "应为日期，如 2022-01-05",
    "date_parsing": "应为日期，如 2022-01-05",
    "none_required": "应为空",
    "too_short": "项数太少",
    "too_long": "项数太多",
    "string_too_short": "不能为空",
    "greater_than": "数值太小",
    "greater_than_equal": "数值太小",
    "less_than": "数值太大",
    "less_than_equal": "数值太大",
}


#: Error types raised by briefgen's own validators (config.py's PydanticCustomError): whole sentences.
OWN_MESSAGES = {"period", "date", "regions"}


def _message(e: dict, extra: dict[str, str] | None) -> str:
    t = e["type"]
    msg = (extra or {}).get(t) or MESSAGES.get(t)
    ctx = e.get("ctx") or {}
    if t == "too_short" and "min_length" in ctx:
        return f"至少需要{ctx['min_length']}项"
    if t in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        bound = next(iter(ctx.values()), "")
        word = {"greater_than": "应大于", "greater_than_equal": "应不小于", "less_than": "应小于",
                "less_than_equal": "应不大于"}[t]
        return f"{word}{bound}"
    if msg is None and t in OWN_MESSAGES:
        msg = str(e.get("msg", t))  # briefgen's own validators already say what is wrong, in Chinese
    if msg is None:
        msg = f"取值无效：{e.get('msg', t)}"
    return msg


def problems_from_errors(errors: list[Any], path: Path | str, root: yaml.Node | None, data: Any,
                         model: Any, extra_messages: dict[str, str] | None = None) -> list[Problem]:
    """pydantic errors → one Problem each, with position (from the YAML node tree `root`),
    key path and a suggestion.

    Alternatives of one union field ("应为整数" / "应为文字") merge into one problem.
    """
    merged: dict[tuple, Problem] = {}
    locs = [clean_loc(tuple(e["loc"]), data, keep_last=e["type"] in ("missing", "extra_forbidden")) for e in errors]
    for e, loc in zip(errors, locs):
        t = e["type"]
        if t.endswith("_type") and isinstance(e.get("input"), (dict, list)) \
                and any(len(other) > len(loc) and other[:len(loc)] == loc for other in locs):
            # A union's other member (a mapping where text would also do) explains the problem deeper
            # down, e.g. show[2]: rnak; "应为文字" for the whole mapping would only mislead.
            continue
        mark = mark_of(root, loc, key_mark=t in ("extra_forbidden",)) if root is not None else None
        if mark is None and root is not None and t == "missing":
            mark = mark_of(root, loc[:-1])
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        msg, hint = _message(e, extra_messages), None
        if t == "extra_forbidden":
            word = loc[-1] if loc else ""
            msg = f"不认识的键“{word}”"
            keys = allowed_keys(model, loc[:-1])
            close = suggest(word, keys)
            if close:
                hint = f"是否想写 {'、'.join(close)}？"
            elif keys:
                shown = [k for k in keys if k.isascii()][:12]
                hint = "可用的键：" + "、".join(shown) + ("……" if len(keys) > 12 else "")
        elif t == "literal_error":
            options = _EXPECTED.findall(str((e.get("ctx") or {}).get("expected", "")))
            close = suggest(e.get("input"), options, cutoff=0.5)
            msg = f"取值“{e.get('input')}”不在允许范围内"
            hint = (f"是否想写 {close[0]}？" if close else "") + f"允许的值：{'、'.join(options)}"
        elif t == "missing":
            msg = f"缺少必填项“{loc[-1]}”" if loc else msg
        key = format_loc(loc[:-1] if t in ("missing",) else loc) if loc else ""
        if t == "missing" and not key:
            key = ""
        k = (key, t if t in ("missing", "extra_forbidden") else "value", msg if t == "missing" else "")
        if k in merged and t not in ("missing", "extra_forbidden"):
            p = merged[k]
            if msg not in p.message.split(" 或 "):
                p.message += f" 或 {msg}"
            continue
        merged[k] = Problem(str(path), line, col, key, msg, hint)
    return list(merged.values())


def duplicate_keys(root: yaml.Node | None, path: Path | str) -> list[Problem]:
    """Keys written twice in one mapping: YAML keeps only the last, silently losing the first.

    Shared (aliased) nodes are visited once, so an alias bomb costs nothing here.
    """
    out: list[Problem] = []
    visited: set[int] = set()

    def walk(node: yaml.Node | None, loc: tuple) -> None:
        if node is None or id(node) in visited:
            return
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, yaml.Node] = {}
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode):
                    if k.value in seen and k.value != "<<":
                        first = seen[k.value].start_mark.line + 1
                        out.append(Problem(str(path), k.start_mark.line + 1, k.start_mark.column + 1,
                                           format_loc(loc + (k.value,)),
                                           f"键“{k.value}”重复出现（第{first}行已有）",
                                           "YAML 只保留最后一个，前面的内容会被忽略；请合并或删除其一"))
                    seen.setdefault(k.value, k)
                    walk(v, loc + (k.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, loc + (i,))

    walk(root, ())
    return out


def value_mark(root: yaml.Node | None, loc: tuple) -> tuple[int | None, int | None, str | None]:
    """(line, column, block style) of the scalar at `loc`, for mapping template lines to file lines."""
    node = root
    for comp in loc:
        node, _ = _child(node, comp)
        if node is None:
            return None, None, None
    if node is None:
        return None, None, None
    style = getattr(node, "style", None)
    return node.start_mark.line + 1, node.start_mark.column + 1, style


# --- YAML syntax errors in Chinese ------------------------------------------------

_YAML_ZH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"found character '\\t' that cannot start any token"), "不能用 Tab 键缩进，请改用空格"),
    (re.compile(r"found character '(.)' that cannot start any token"),
     "字符“{0}”不能出现在这里（以它开头的值请加引号）"),
    (re.compile(r"mapping values are not allowed here"),
     "此处不能出现“键: 值”（可能是缩进不对，或值里的冒号需要加引号）"),
    (re.compile(r"expected ',' or '\]', but got"), "方括号列表 [...] 没有正确结束（缺少“]”或“,”）"),
    (re.compile(r"expected ',' or '\}', but got"), "花括号 {...} 没有正确结束（缺少“}”或“,”）"),
    (re.compile(r"expected <block end>, but found '\?'"), "列表项“- ”与“键: 值”混在同一层（缩进不一致？）"),
    (re.compile(r"expected <block end>, but found"), "缩进不一致：同一层的键应对齐"),
    (re.compile(r"found unexpected end of stream"), "文件意外结束（引号或括号没有闭合？）"),
    (re.compile(r"found undefined alias '([^']*)'"), "引用了未定义的锚点“*{0}”"),
    (re.compile(r"could not determine a constructor for the tag '([^']*)'"),
     "不支持的 YAML 标签“{0}”（出于安全考虑，配置中不能使用 !! 标签）"),
    (re.compile(r"found unhashable key"), "键不能是列表或映射"),
    (re.compile(r"could not find expected ':'"), "缺少冒号“:”"),
    (re.compile(r"did not find expected key"), "缺少键或缩进不一致"),
    (re.compile(r"did not find expected '-' indicator"), "缺少列表项标记“- ”或缩进不一致"),
    (re.compile(r"found duplicate anchor"), "锚点名称重复"),
]


def yaml_problem_zh(problem: str | None, context: str | None = None, context_line: int | None = None) -> str:
    """PyYAML's English problem description in Chinese (the original when not recognised)."""
    text = problem or ""
    for pat, zh_text in _YAML_ZH:
        m = pat.search(text)
        if m:
            out = zh_text.format(*m.groups())
            break
    else:
        out = text
    if context_line is not None and context and ("flow" in context or "quoted" in context):
        out += f"（从第{context_line}行开始）"
    return out


_KEY = re.compile(r"^[^#'\"\s][^#]*?:(?:\s|$)")
_ITEM = re.compile(r"^(\s*)(-\s+)?(.*)$")


def missing_colon_line(text: str, line: int) -> int | None:
    """For "mapping values are not allowed here" at 0-based `line`: the 0-based line above it whose key
    lacks its colon (``issue 7`` over ``total_issue: 120``, ``- heading 概况`` over ``tables:``), or None.

    PyYAML reads a key without its colon and the next line as one two-line text, and only
    complains at the next line's colon: the line to fix is the first line of that text."""
    lines = text.splitlines()
    if not 0 < line < len(lines):
        return None
    indent = len(lines[line]) - len(lines[line].lstrip(" "))
    start = None
    for k in range(line - 1, -1, -1):
        m = _ITEM.match(lines[k])
        assert m is not None  # the pattern matches any line
        lead, dash, body = len(m[1]), m[2] or "", m[3].strip()
        if not body or body.startswith(("#", "-", "[", "{", "|", ">", "'", '"')) or _KEY.match(body) \
                or lead + len(dash) != indent:
            break
        start = k
        if dash:
            break  # the list item's first line is where the text began
    return start


_JSON_ZH: list[tuple[str, str]] = [
    ("Expecting property name enclosed in double quotes",
     "键名应使用双引号（JSON 不允许单引号，也不允许末尾多余的逗号）"),
    ("Expecting value", "此处缺少值（或有多余的逗号）"),
    ("Expecting ',' delimiter", "缺少逗号“,”"),
    ("Expecting ':' delimiter", "缺少冒号“:”"),
    ("Unterminated string", "字符串没有结束（缺少右引号）"),
    ("Invalid control character", "字符串中有控制字符（如换行），请改写为 \\n"),
    ("Extra data", "内容结束后还有多余的文字"),
    ("Invalid \\escape", "无效的反斜杠转义"),
]


def json_problem_zh(msg: str) -> str:
    """The json module's English message in Chinese (the original when not recognised)."""
    for en, zh_text in _JSON_ZH:
        if msg.startswith(en):
            return zh_text
    return msg
