"""Narrative: Jinja2 templates → Chinese sentences → model paragraphs.

Templates come from department staff and colleagues, so they always render
in Jinja2's sandbox with undefined names raising errors (a typo must never
print an empty string into an official document).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Callable

import jinja2
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

from briefgen import safety, zh
from briefgen.errors import BriefgenError
from briefgen.model import Paragraph, Run

MAX_OUTPUT_CHARS = 200_000  # per template: a runaway loop must not fill the disk


class _Sandbox(SandboxedEnvironment):
    # Cap range() well below the default so a careless loop fails fast.
    MAX_RANGE = 10_000
    # `'x' * 10**9`, `10 ** 10 ** 10` and `'%999999999d' % 1` must fail, not eat memory or time.
    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        safety.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        safety.check_call(__obj, args, kwargs)
        return super().call(__context, __obj, *args, **kwargs)


def make_env(search_path: list[Path] | None = None) -> SandboxedEnvironment:
    loader = jinja2.FileSystemLoader([str(p) for p in (search_path or []) if p.is_dir()])
    env = _Sandbox(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(zh.FILTERS)
    safety.guard_filters(env.filters)
    env.globals.update({k: v for k, v in zh.FILTERS.items() if k not in env.globals})
    return env


class Formula:
    """A compiled metric formula with the names it reads."""

    def __init__(self, fn: Callable[..., Any], names: list[str]):
        self._fn = fn
        self.names = names

    def __call__(self, values: dict[str, float]) -> Any:
        return self._fn(**values)


_FORMULA_ENV = _Sandbox(undefined=jinja2.StrictUndefined)


def compile_formula(text: str, where: str) -> Formula:
    try:
        ast = _FORMULA_ENV.parse("{{ " + text + " }}")
        names = sorted(meta.find_undeclared_variables(ast))
        fn = _FORMULA_ENV.compile_expression(text, undefined_to_none=False)
    except jinja2.TemplateSyntaxError as e:
        raise BriefgenError(f"公式语法错误：{syntax_message_zh(e.message)}", where=where) from None
    return Formula(fn, names)


def _template_error(e: Exception, name: str) -> BriefgenError:
    if isinstance(e, BriefgenError):
        # Raised inside the template (a limit, a metric that cannot be computed):
        # the template line is the most useful place to point at.
        # Errors that already name a config key (metrics.x.formula) keep it.
        line = _template_line(e, name)
        if e.where is None or (line and "：" not in e.where):
            e.where = f"{name}:{line}" if line else name
        return e
    if isinstance(e, jinja2.TemplateSyntaxError):
        where = f"{e.filename or name}:{e.lineno}"
        return BriefgenError(f"模板语法错误：{syntax_message_zh(e.message)}", where=where)
    line = _template_line(e, name)
    where = f"{name}:{line}" if line else name
    if isinstance(e, jinja2.UndefinedError):
        m = re.search(r"'([^']+)' is undefined", str(e))
        what = f"“{m.group(1)}”" if m else str(e)
        return BriefgenError(f"模板引用了未定义的名称{what}", where=where)
    if isinstance(e, jinja2.exceptions.SecurityError):
        m = re.search(r"access to attribute '([^']+)' of '([^']+)' object is unsafe", str(e))
        what = f"访问“{m.group(2)}”对象的内部属性“{m.group(1)}”" if m else str(e)
        return BriefgenError(f"模板执行了不允许的操作：{what}", where=where,
                             hint="模板在沙箱中运行，只能使用指标、变量和过滤器")
    if isinstance(e, zh.ZhFormatError):
        return BriefgenError(str(e), where=where)
    if isinstance(e, OverflowError):
        return BriefgenError("模板生成的内容过长（可能是循环次数过多）", where=where)
    if isinstance(e, RecursionError):
        return BriefgenError("模板递归层数过多（可能是宏调用了自身）", where=where)
    if isinstance(e, MemoryError):
        return BriefgenError("模板生成的内容过大，内存不足", where=where)
    return BriefgenError(f"模板渲染失败：{type(e).__name__}: {e}", where=where)


def _template_line(e: Exception, name: str) -> int | None:
    tb = e.__traceback__
    line = None
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename in (name, "<template>") or code.co_filename.endswith((".j2", ".jinja")):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def render(env: SandboxedEnvironment, *, source: str | None = None, file: str | None = None,
           context: dict[str, Any], where: str) -> str:
    """Render inline template text or a template file; errors name the place."""
    name = file or where
    try:
        tpl = env.get_template(file) if file else env.from_string(source or "")
        with safety.StepLimit(env):
            out = tpl.render(context)
    except jinja2.TemplateNotFound as e:
        raise BriefgenError(f"找不到模板文件“{e.name}”", where=where) from None
    except Exception as e:  # noqa: BLE001 - every template failure becomes one clear message
        raise _template_error(e, name) from None
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


_TOKENS_ZH = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾",
              "name": "名称", "end of comment": "#}"}


def _tok(t: str) -> str:
    return _TOKENS_ZH.get(t, t)


_SYNTAX_ZH: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"Unexpected end of template\. Jinja was looking for the following tags: .*?"
                r"The innermost block that needs to be closed is '(\w+)'", re.S),
     lambda m: f"模板意外结束：{{% {m[1]} %}} 缺少对应的 {{% end{m[1]} %}}"),
    (re.compile(r"Encountered unknown tag '(\w+)'\.(.*)", re.S), lambda m: _unknown_tag(m[1], m[2])),
    (re.compile(r"Expected an expression, got '([^']+)'"), lambda m: f"此处应为表达式，实际是“{_tok(m[1])}”"),
    (re.compile(r"expected token '([^']+)', got '([^']+)'"),
     lambda m: f"此处应为“{_tok(m[1])}”，实际是“{_tok(m[2])}”"),
    (re.compile(r"unexpected end of template, expected '([^']+)'"),
     lambda m: f"模板意外结束，缺少“{_tok(m[1])}”"),
    (re.compile(r"unexpected char '(.+)' at \d+"), lambda m: f"不允许的字符“{m[1]}”"),
    (re.compile(r"[Uu]nexpected '([^']+)'"), lambda m: f"意外的“{_tok(m[1])}”"),
    (re.compile(r"tag name expected"), lambda m: "{% 后应为标签名，如 if、for、set"),
]


def _unknown_tag(tag: str, rest: str) -> str:
    import difflib

    wanted = re.findall(r"'(\w+)'", rest.split("innermost")[0])
    close = difflib.get_close_matches(tag, wanted, n=1, cutoff=0.5)
    return f"不认识的标签“{tag}”" + (f"（是否想写 {{% {close[0]} %}}？）" if close else "")


def syntax_message_zh(message: str | None) -> str:
    """Jinja's English syntax messages in Chinese (the original when not recognised)."""
    text = message or ""
    for pat, fn in _SYNTAX_ZH:
        m = pat.search(text)
        if m:
            return fn(m)
    return text
