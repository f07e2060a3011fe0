"""Safety: output names stay in the output folder, failed builds lose nothing,
YAML builds no objects, templates have limits, nothing reaches the network."""

from __future__ import annotations

import sys

import pytest

from briefgen.errors import BriefgenError


@pytest.mark.parametrize("src", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.system('id') }}",
    "{{ metric.__globals__ }}",
    "{{ self._TemplateReference__context }}",
])
def test_sandbox_refuses_python_internals(src):
    from briefgen.narrative import make_env, render

    with pytest.raises(BriefgenError):
        render(make_env([]), source=src, context={"metric": lambda: 1}, where="t")


@pytest.mark.parametrize("src,msg", [
    ("{% set r = range(3000)|list %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}", "运行时间过长"),
    ("{{ 'x' * 10**9 }}", "过长"),
    ("{{ [0] * 10**9 }}", "过长"),
    ("{{ 7 ** 100000000 }}", "乘方过大"),
    ("{{ 'x'.ljust(10**9) }}", "参数过大"),
    ("{{ 'x'|center(10**9) }}", "参数过大"),
    ("{{ '{:>999999999}'.format(1) }}", "格式宽度过大"),
    ("{{ '%999999999d' % 1 }}", "格式宽度过大"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "递归"),
    ("{% for i in range(10**9) %}{% endfor %}", "过长"),
])
def test_template_limits(src, msg):
    from briefgen.narrative import make_env, render

    with pytest.raises(BriefgenError, match=msg) as e:
        render(make_env([]), source=src, context={}, where="b.yaml：sections[0].text")
    assert e.value.where.startswith("b.yaml：sections[0].text")


def test_ordinary_templates_unaffected_by_limits():
    from briefgen.narrative import make_env, render

    src = "{% for i in range(200) %}{{ '%02d' % i }}{{ 'ab' * 3 }}{{ 2 ** 10 }}{% endfor %}{{ 'x'|center(9) }}"
    assert len(render(make_env([]), source=src, context={}, where="t")) > 2000


def test_step_limit_restores_previous_tracer():
    from briefgen.narrative import make_env, render

    def tracer(frame, event, arg):
        return None

    old = sys.gettrace()
    sys.settrace(tracer)
    try:
        render(make_env([]), source="{{ 1 }}", context={}, where="t")
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(old)
