"""Errors are immutable: what is printed is always what the error says now."""

import pickle

import pytest

from briefgen.errors import BriefgenError
from briefgen.yamlpos import ConfigProblems, Problem


def test_error_cannot_be_relocated_in_place():
    e = BriefgenError("缺少数据", where="a.yaml：data[0]")
    with pytest.raises(AttributeError):
        e.where = "elsewhere"  # type: ignore[misc]
    assert str(e) == "a.yaml：data[0]：缺少数据"


def test_at_makes_a_new_error_whose_text_follows():
    """The old bug: `e.where = …` after creation left str(e) naming the old place."""
    e = BriefgenError("缺少数据", where="a.yaml：data[0]", hint="请检查")
    moved = e.at("a.yaml：data[3]")
    assert str(moved) == moved.render() == "a.yaml：data[3]：缺少数据（请检查）"
    assert str(e) == "a.yaml：data[0]：缺少数据（请检查）"
    assert type(moved) is BriefgenError


def test_subclasses_keep_type_and_state_and_pickle():
    e = ConfigProblems([Problem("c.yaml", 3, 1, "meta", "缺少必填项“title”")])
    moved = e.at("其他位置")
    assert isinstance(moved, ConfigProblems) and moved.problems == e.problems
    back = pickle.loads(pickle.dumps(e))
    assert isinstance(back, ConfigProblems) and back.render() == e.render()
    plain = pickle.loads(pickle.dumps(BriefgenError("x", where="w", hint="h")))
    assert plain.render() == "w：x（h）"
