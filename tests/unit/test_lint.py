"""The template linter: each kind of fixed wording found with its line and the phrase to use."""

from __future__ import annotations

import pytest

from briefgen.lint import lint_ast
from briefgen.narrative import make_env

KINDS = {"hte": "level", "hti": "level", "hti_prov": "growth", "hti_share": "ratio", "rd_intensity": "ratio",
         "industry": "growth", "hte_net": "net", "tsme": "level", "icity_rank": "level"}


def findings(source: str) -> list[tuple[int, str]]:
    env = make_env([])
    return [(f.line, f.message) for f in lint_ast(env.parse(source), KINDS)]


@pytest.mark.parametrize("source,line,words", [
    # the examples, as the old templates wrote them
    ("增量比上年扩大{{ hte_net.yoy | pct(1) }}", 1, ["扩大", "hte_net.yoy", "{{ hte_net | change }}"]),
    ("增长32.7%，\n高出全省平均水平{{ (hti.yoy - hti_prov.value) | num(1) }}个百分点", 2,
     ["高出", "hti.yoy - hti_prov.value", "gap("]),
    ("超额完成全年目标的{{ tsme.over | pct(1) }}", 1, ["超额", "{{ tsme | target }}"]),
    ("全市{{ industry.value | pct(1) }}", 1, ["industry.value", "{{ industry | change }}", "-3.4%"]),
    ("比上年{{ hti_share.pp | pp }}", 1, ["比上年持平", "{{ hti_share | change }}"]),
    ("较上年度{{ icity_rank.rank_change | rank_change(flat='持平') }}", 1, ["rank_move"]),
    ("提高到{{ rd_intensity.value | pct(2) }}", 1, ["提高到", "{{ rd_intensity | reach }}"]),
    ("全年{{ hte }}，{{ hte.yoy | growth }}", 1, ["没有上期数据", "{{ hte | change }}"]),
    ("总数{{ hte }}，增长{{ hte | change }}", 1, ["说两遍"]),
    ("\n\n宜昌市经济运行总体平稳、稳中有进。", 3, ["固定评价“总体平稳”", "conditions:"]),
    ("高新技术产业增势强劲", 1, ["固定评价“增势强劲”"]),
    ("加快培育创新主体，高新技术企业突破850家", 1, ["写死的“突破850”", "milestone"]),
    ("增势有所放缓（详见下图）。", 1, ["下图", "fig()"]),
    ("主要指标见下表", 1, ["下表", "table()"]),
])
def test_old_wording_is_found(source, line, words):
    found = findings(source)
    assert found, source
    assert any(ln == line and all(w in msg for w in words) for ln, msg in found), found


@pytest.mark.parametrize("source", [
    "全市高新技术企业总数{{ hte | reach }}{{ hte | change | lead }}。",
    "{{ hti | gap(hti_prov, '全省平均水平') | lead }}{{ hti | place('全省') | lead('，增速') }}",
    "{% if rose(tsme, 30) %}科技型中小企业入库数实现跨越式增长{% endif %}",
    "{{ '稳中向好' if rose(hte) else '总体平稳' }}",
    "主要指标见{{ table() }}，走势见{{ fig() }}。",
    "是全省唯一超过2%的市州",
    "{{ hte_net | net | lead('；高新技术企业') }}{{ hte_net | change(rate=true) | lead }}",
    "比重{{ hti_share | state }}",
    "全市{{ industry | reach }}",
])
def test_new_wording_is_clean(source):
    assert findings(source) == []


def test_verdict_inside_a_macro_needs_a_condition_too():
    src = "{% macro v() %}总体平稳{% endmacro %}{% macro w(k) %}{% if all_rose(k) %}稳中有进{% endif %}{% endmacro %}"
    assert [m for _l, m in findings(src) if "总体平稳" in m] and not [m for _l, m in findings(src) if "稳中有进" in m]
