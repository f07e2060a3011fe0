"""The template linter of ``briefgen validate``: wording a template fixes that the data may contradict.

A template that writes 增长 in front of ``{{ hte.yoy | pct }}`` is true only while the figure
rises; next year it prints 增长-3.1%. The linter reads a template's syntax tree and warns,
with file and line and the phrase to use instead, about

* a direction word (增长、提高、高出、超额、突破…) next to an expression that can change sign,
* a growth, percentage-point change or difference printed as a bare number (.yoy | pct, a - b),
* a comparison (比上年) in front of a phrase that may say 持平 (比上年持平),
* a direction written by hand in front of a value (提高到{{ x.value | pct }}),
* a fixed verdict (稳中有进、增势强劲…) outside any condition,
* a reference by position (下图、上表) instead of by number (见图3);

and about config values still holding a starter's placeholder (请填写标题、本地区、本单位).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

from jinja2 import nodes

from briefgen import yamlpos

# Derived figures whose sign the data decide, and the phrase that words them.
SIGNED_ATTRS = {
    "yoy": "{{ X | change }}",
    "pp": "{{ X | change }}",
    "net": "{{ X | net }}",
    "over": "{{ X | target }}",
    "rank_change": "{{ X | rank_move }}",
    "cagr": "{{ X | change }}",
}
NUMBER_FILTERS = {"num", "pct", "qty", "round", "abs", "string", "int", "float", "times"}
# Phrases that choose their own direction word (writing one in front doubles it).
PHRASES = {"growth", "change", "pp", "net", "net_change", "rank_change", "rank_move", "gap", "accel", "target",
           "state", "reach", "grade", "milestone", "regions_count", "trend", "streak"}
# Phrases that may say a bare 持平 when the template gave them prefix="" or on a number.
MAY_SAY_FLAT = {"pp", "rank_change", "growth", "change", "net"}

DIRECTION = re.compile(r"增长|下降|提高|降低|扩大|缩小|收窄|高出|低于|超额|突破|回升|回落|上升|减少|增加(?!值)|"
                       r"净增|净减|加快|放缓|多增|少增|超过|领先|落后")
REACH = re.compile(r"(提高到|提高至|增加到|增至|上升到|上升至|下降到|下降至|降至|降到|减少到|减至|跃升至)$")
COMPARISON = re.compile(r"(比上年同期|比上年|较上年度|较上年|比上月|同比|环比|较上期|比上期)$")
VERDICTS = re.compile(r"稳中有进|稳中向好|总体平稳|增势强劲|跨越式增长|量质齐升|持续加大|较快增长|快速增长|大幅增长|"
                      r"高速增长|持续增长|稳步增长|逐月回升|持续回落|明显加快|有所放缓|增势有所放缓|成效明显|明显成效|"
                      r"加快壮大|显著提升|持续提升|稳步提升|大幅提升|保持较快增长")
REFERENCES = re.compile(r"如下图|如下表|见下图|见下表|详见下图|详见下表|见上图|见上表|下图|上图|下表|上表")
MILESTONE = re.compile(r"(突破|超过)\d+(?:\.\d+)?(?=[家个户件项人亿万千百元吨])")
CLAUSE_END = re.compile(r"[，。；：、（）()\n]")


@dataclass
class Finding:
    """One warning: the template line and what to write instead."""

    line: int
    message: str

    def render(self, label: str, offset: int = 0, tail: str = "") -> str:
        """`file:line：message`, the line shifted by where an inline template starts in its YAML file."""
        return f"{label}:{self.line + offset}{tail}：{self.message}"


def _filters(node: nodes.Node) -> tuple[list[str], nodes.Node]:
    """The filters applied to an expression, outermost first, and the expression under them."""
    names: list[str] = []
    while isinstance(node, nodes.Filter):
        names.append(node.name)
        if node.node is None:
            break
        node = node.node
    return names, node


def _source(node: nodes.Node) -> str:
    """A short readable form of an expression for the message."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, nodes.Sub):
        return f"{_source(node.left)} - {_source(node.right)}"
    if isinstance(node, nodes.Call):
        return f"{_source(node.node)}(…)"
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Filter):
        names, inner = _filters(node)
        return " | ".join([_source(inner), *reversed(names)])
    return "…"


def _owner(node: nodes.Node) -> str:
    """The metric an attribute belongs to (hte in hte.yoy), for the suggestion."""
    while isinstance(node, nodes.Getattr):
        node = node.node
    return _source(node)


def _signed(node: nodes.Node, kinds: dict[str, str]) -> tuple[str, str] | None:
    """(what, suggestion) when the expression is a number whose sign the data decide."""
    if isinstance(node, nodes.Getattr) and node.attr in SIGNED_ATTRS:
        return _source(node), SIGNED_ATTRS[node.attr].replace("X", _owner(node))
    if isinstance(node, nodes.Sub):
        use = "{{ gap(a, b, \"名称\") }}（与基准比较）或 {{ X | change }}"
        return _source(node), use.replace("X", _owner(node.left))
    if isinstance(node, nodes.Getattr) and node.attr == "value" and isinstance(node.node, nodes.Name) \
            and kinds.get(node.node.name) in ("growth", "net"):
        name = node.node.name
        return _source(node), f"{{{{ {name} | change }}}}" if kinds[name] == "growth" else f"{{{{ {name} | net }}}}"
    if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr) and node.node.attr == "cagr":
        return _source(node), "{{ X | change }}".replace("X", _owner(node.node))
    return None


def _is_value(node: nodes.Node, kinds: dict[str, str]) -> bool:
    """A metric's value (hte, hte.value, hte.num), whose direction the template has not checked."""
    if isinstance(node, nodes.Name) and node.name in kinds:
        return True
    return isinstance(node, nodes.Getattr) and node.attr in ("value", "num") and isinstance(node.node, nodes.Name) \
        and node.node.name in kinds


def _walk(node: nodes.Node, conditional: bool = False) -> Iterator[tuple[nodes.Node, bool]]:
    yield node, conditional
    inside = conditional or isinstance(node, (nodes.If, nodes.CondExpr))
    for child in node.iter_child_nodes():
        yield from _walk(child, inside)


def lint_ast(ast: nodes.Template, kinds: dict[str, str] | None = None) -> list[Finding]:
    """Every wording problem in one parsed template (its own text only, not what it extends)."""
    kinds = kinds or {}
    out: list[Finding] = []
    for node, conditional in _walk(ast):
        if isinstance(node, nodes.TemplateData):
            out += _data_findings(node, conditional)
        elif isinstance(node, nodes.Output):
            out += _output_findings(node, kinds)
    seen: set[tuple[int, str]] = set()
    unique = []
    for f in sorted(out, key=lambda f: f.line):
        if (f.line, f.message) not in seen:
            seen.add((f.line, f.message))
            unique.append(f)
    return unique


def _line(node: nodes.Node, text: str, pos: int) -> int:
    return (node.lineno or 1) + text[:pos].count("\n")


def _data_findings(node: nodes.TemplateData, conditional: bool) -> list[Finding]:
    text = node.data
    out = []
    for m in REFERENCES.finditer(text):
        out.append(Finding(_line(node, text, m.start()),
                           f"按位置引用“{m.group()}”：图表可能排到下一页或前面多出一张；"
                           "请改用编号，如 见{{ fig() }}（下一张图）、见{{ table() }}（下一张表）"))
    if not conditional:
        for m in MILESTONE.finditer(text):
            out.append(Finding(_line(node, text, m.start()),
                               f"写死的“{m.group()}”：数值回落或未达到时依然照写；请改用 {{{{ X | milestone(50) }}}}"
                               "（只有本期越过该整数时才写“突破”）"))
        for m in VERDICTS.finditer(text):
            out.append(Finding(_line(node, text, m.start()),
                               f"固定评价“{m.group()}”：数据回落时依然照写；请放进条件中，如 "
                               "{% if rose(hte) %}…{% endif %}、在 conditions: 定义一次后按名称使用，"
                               "或用 {{ X | grade }} / {{ by_direction(X, \"…\", \"…\") }} 按数据选择"))
    return out


def _output_findings(node: nodes.Output, kinds: dict[str, str]) -> list[Finding]:
    out = []
    before = ""
    for child in node.nodes:
        if isinstance(child, nodes.TemplateData):
            before += child.data
            continue
        clause = CLAUSE_END.split(before)[-1]
        filters, inner = _filters(child)
        line = child.lineno or 1
        signed = _signed(inner, kinds)
        if signed and (not filters or filters[0] in NUMBER_FILTERS):
            what, use = signed
            word = DIRECTION.search(clause)
            if word:
                out.append(Finding(line, f"固定的“{word.group()}”后接可能为负的 {what}：数据反向时会写成"
                                         f"“{word.group()}-…”；请改用 {use}"))
            else:
                out.append(Finding(line, f"{what} 以数字原样输出，为负时会写成“-…”（如“增速-3.4%”）；请改用 {use}"))
        elif filters and filters[0] in PHRASES:
            word = DIRECTION.search(clause[-4:])
            if word:
                out.append(Finding(line, f"“{word.group()}”后又接措辞过滤器 {filters[0]}（它自己会写增长/下降等），"
                                         f"同一个变化会说两遍；请删去模板中的“{word.group()}”"))
            elif COMPARISON.search(clause) and filters[0] in MAY_SAY_FLAT:
                m = COMPARISON.search(clause)
                assert m is not None
                use = (f"{{{{ {_owner(inner)} | rank_move(\"{m.group()}\") }}}}" if filters[0] == "rank_change"
                       else f"{{{{ {_owner(inner)} | change }}}}")
                out.append(Finding(line, f"“{m.group()}”后接 {filters[0]}：变化为零时会写成“{m.group()}持平”（应为"
                                         f"“与上年持平”）；请删去“{m.group()}”，改用 {use}"))
            elif filters[0] == "growth" and isinstance(inner, nodes.Getattr) and inner.attr == "yoy":
                out.append(Finding(line, f"{_source(inner)} | growth 在没有上期数据时会使整份简报报错；"
                                         f"请改用 {{{{ {_owner(inner)} | change }}}}（无上期数据时自动省略比较）"))
        elif REACH.search(clause) and _is_value(inner if not filters else inner, kinds):
            m = REACH.search(clause)
            assert m is not None
            out.append(Finding(line, f"固定的“{m.group()}”后接 {_source(child)}：数值回落时依然写“{m.group()}”；"
                                     f"请改用 {{{{ {_owner(inner)} | reach }}}}（达到/降至/为，按数据选择）"))
        before = ""
    return out


# --- values left as placeholders ------------------------------------------------------------

# What starter configs and examples leave for the user to fill in: printed as they are, they go out.
PLACEHOLDER = re.compile(r"请(?:填写|改成|改为|修改|替换|输入)|某某|[XＸ×]{2,}|^本(?:地区|单位|部门|机关|市|县|区)$")
_REGION_TIP = "请改成本地区名称，如 远安县（文中的“{{ region }}”、合计行和没有地区列的数都用它）"


def _template_source(cfg: Any, loc: tuple) -> str | None:
    """The template.yaml of the chain that sets `loc` (child first), for values the config does not write."""
    for t in cfg.template.chain() if cfg.template is not None else []:
        node: Any = t.data
        for comp in loc:
            node = node.get(comp) if isinstance(node, dict) else None
        if node is not None:
            return str(t.path / "template.yaml")
    return None


def placeholder_warnings(cfg: Any) -> list[str]:
    """Warnings for `region` and `meta` values that are still placeholders (请填写标题、本地区、本单位、某某县…)
    and for an empty `meta.organ` where a masthead prints it, with the config line, or the department
    template that sets the value."""
    model = cfg.model
    found: list[tuple[tuple, str]] = [(("region",), str(model.region or ""))]
    meta = model.meta.model_dump(by_alias=True)
    for key, value in meta.items():
        if isinstance(value, str):
            found.append((("meta", key), value))
        elif isinstance(value, dict):  # distribution: 报/送/发/抄送
            for sub, names in value.items():
                for i, name in enumerate(names if isinstance(names, list) else []):
                    found.append((("meta", key, sub, i), str(name)))
    out = []
    if model.form != "plain" and not str(model.meta.organ or "").strip():
        line = yamlpos.value_mark(cfg.root, ("meta", "organ"))[0] or yamlpos.value_mark(cfg.root, ("meta",))[0]
        where = f"{cfg.path}:{line}" if line else str(cfg.path)
        out.append(f"{where}：meta.organ：没有填写编发单位，报头中的单位名将空着；请填写，如 宜昌市科学技术局")
    for loc, value in found:
        if not value or not PLACEHOLDER.search(value.strip()):
            continue
        key = yamlpos.format_loc(loc)
        line, _col, _style = yamlpos.value_mark(cfg.root, loc)
        if key in cfg.overrides:
            where = f"--set {cfg.overrides[key]}：{key}"
        elif line is not None:
            where = f"{cfg.path}:{line}：{key}"
        else:
            source = _template_source(cfg, loc[:2])
            where = f"{source}：{key}" if source else f"{cfg.path}：{key}"
        tip = _REGION_TIP if loc == ("region",) else "请改成实际内容"
        out.append(f"{where}：“{value}”是待填写的占位文字，生成时会照原样印出；{tip}")
    return out
