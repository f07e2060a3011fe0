"""Narrative templates: sandboxed, strict, and turned into paragraphs with runs."""

import pytest

from briefgen.errors import BriefgenError
from briefgen.formula import compile_formula
from briefgen.narrative import make_env, render, to_paragraphs


def test_filters_available_and_strict_undefined():
    env = make_env([])
    assert render(env, source="{{ 32.8 | growth }}", context={}, where="t") == "同比增长32.8%"
    with pytest.raises(BriefgenError, match="未定义的名称“missing”"):
        render(env, source="数量{{ missing }}", context={}, where="t")


def test_sandbox_blocks_python_internals():
    env = make_env([])
    with pytest.raises(BriefgenError, match="不允许"):
        render(env, source="{{ ''.__class__.__mro__[1].__subclasses__() }}", context={}, where="t")


def test_runaway_loop_is_stopped():
    env = make_env([])
    with pytest.raises(BriefgenError):
        render(env, source="{% for i in range(10**9) %}x{% endfor %}", context={}, where="t")
    with pytest.raises(BriefgenError, match="过长"):
        render(env, source="{% for i in range(9000) %}{{ 'x' * 100 }}{% endfor %}", context={}, where="t")


def test_syntax_error_names_place():
    env = make_env([])
    with pytest.raises(BriefgenError, match="模板语法错误"):
        render(env, source="{{ x ", context={"x": 1}, where="cfg.yaml：sections[0]")


def test_paragraph_splitting_and_bold_runs():
    paras = to_paragraphs("第一段第一行\n第一段第二行\n\n**全年**完成目标。\n\nIT\nservices")
    assert [p.text for p in paras] == ["第一段第一行第一段第二行", "全年完成目标。", "IT services"]
    assert paras[1].runs[0].bold and paras[1].runs[0].text == "全年"
    assert not paras[1].runs[1].bold


def test_control_characters_removed():
    assert to_paragraphs("甲\x07乙\x00丙")[0].text == "甲乙丙"


def test_formula_names_and_errors():
    f = compile_formula("a / b * 100", "w")
    assert f.names == ["a", "b"] and f({"a": 1, "b": 4}) == 25
    with pytest.raises(BriefgenError, match="公式语法错误"):
        compile_formula("a / * b", "metrics.x.formula")
