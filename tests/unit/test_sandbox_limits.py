"""Template limits enforced before the work is done (issue #13): big integers, text built
by join, +, ~, %, replace, format…, output that grows past the limit, and wall time."""

from __future__ import annotations

import tracemalloc

import pytest

from briefgen.errors import BriefgenError
from briefgen.narrative import make_env, render

A = "{% set a = ['x' * 100000] * 100 %}"  # small in memory, 10 MB once printed


@pytest.mark.parametrize("src,msg", [
    ("{{ ((9 ** 4000) ** 4000) ** 4000 }}", "乘方过大"),
    ("{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}",
     "整数过大"),
    ("{{ range(10000)|join('x' * 200000) }}", "过长"),
    (A + "{{ a|join }}", "过长"),
    (A + "{{ a }}", "过长"),
    (A + "{{ a|string }}", "过长"),
    (A + "{{ a|tojson }}", "过长"),
    (A + "{{ ''.join(a) }}", "过长"),
    (A + "{{ a ~ '' }}", "过长"),
    (A + "{{ '%s' % (a,) }}", "过长"),
    ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}", "过长"),
    ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}", "过长"),
    ("{{ ('x' * 200000)|replace('', 'yy') }}", "过长"),
    ("{{ ('x' * 200000).replace('x', 'yyy') }}", "过长"),
    ("{{ ('\t' * 100000).expandtabs(1000) }}", "过长"),
    ("{{ ('x' * 200000).translate({120: 'y' * 1000}) }}", "过长"),
    ("{{ lipsum(1000, False, 100, 1000) }}", "过长"),
    ("{% set L = [1] * 10000 %}{{ ([L] * 10000)|sum(start=[])|length }}", "过长"),
    ("{{ ('a\n' * 100000)|indent('y' * 100) }}", "过长"),
    ("{{ '%s %s'|format('x' * 150000, 'y' * 150000) }}", "过长"),
    ("{{ '{}{}'.format('x' * 150000, 'y' * 150000) }}", "过长"),
    ("{% for i in range(10000) %}{{ 'x' * 1000 }}{% endfor %}", "过长"),
    ("{% macro m() %}{% for i in range(10000) %}{{ 'x' * 100 }}{% endfor %}{% endmacro %}{% set y = m() %}", "过长"),
])
def test_refused_before_memory_or_time_is_spent(src, msg):
    tracemalloc.start()
    try:
        with pytest.raises(BriefgenError, match=msg):
            render(make_env([]), source=src, context={}, where="t")
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"{peak / 2**20:.0f} MB allocated before the refusal"


def test_wall_time_limit_between_template_lines(monkeypatch):
    """Each operation is bounded in size; the clock bounds how many of them a render runs."""
    from briefgen import sandbox

    monkeypatch.setattr(sandbox, "MAX_TEMPLATE_SECONDS", 0.5)
    src = ("{% set a = ['x' * 1000] * 190 %}{% for i in range(10000) %}{% for j in range(10000) %}"
           "{% set s = a|join %}{% endfor %}{% endfor %}")
    with pytest.raises(BriefgenError, match="运行时间过长"):
        render(make_env([]), source=src, context={}, where="t")


def test_ordinary_text_operations_still_work():
    src = ("{{ [1, 2, 3]|join('、') }} {{ 2 ** 10 }} {{ (10 ** 20) * (10 ** 20) }} {{ 'ab' ~ 'cd' ~ 3 }} "
           "{{ 'a b'|replace(' ', '-') }} {{ '%.1f' % 3.14159 }} {{ '%s和%s' % ('甲', '乙') }} {{ 'x' + 'y' }} "
           "{{ ([1] + [2])|sum }} {{ ['a', 'b']|sum(start='') if false else 'ok' }} {{ '{}年'.format(2021) }} "
           "{{ 'a\tb'.expandtabs(2) }} {{ 'x'|center(5) }}|{{ ','.join(['p', 'q']) }} {{ [['a'], ['b']]|sum(start=[]) }}"
           "{% set ns = namespace(s='') %}{% for i in range(5) %}{% set ns.s = ns.s ~ i %}{% endfor %} {{ ns.s }}")
    out = render(make_env([]), source=src, context={}, where="t")
    assert out == ("1、2、3 1024 10000000000000000000000000000000000000000 abcd3 a-b 3.1 甲和乙 xy 3 ok 2021年 "
                   "a b   x  |p,q ['a', 'b'] 01234")
