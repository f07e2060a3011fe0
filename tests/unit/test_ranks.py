"""Competition ranks in O(n log n) give exactly the places of the pairwise definition (issue #14)."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from briefgen.metrics import competition_rank


def _pairwise(values, higher_is_better=True):
    valid = {k: v for k, v in values.items() if v is not None}
    return {k: 1 + sum(1 for w in valid.values() if (w > v if higher_is_better else w < v))
            for k, v in valid.items()}


values = st.dictionaries(st.text(min_size=1, max_size=3),
                         st.one_of(st.none(), st.sampled_from([0.0, -0.0, 1.5, 2.0, math.nan, math.inf]),
                                   st.floats(-1e6, 1e6)), max_size=30)


@given(values, st.booleans())
def test_same_places_as_pairwise(vals, higher):
    assert competition_rank(vals, higher) == _pairwise(vals, higher)


def test_ties_share_the_better_place():
    assert competition_rank({"甲": 3, "乙": 5, "丙": 5, "丁": 1, "戊": None}) == {"乙": 1, "丙": 1, "甲": 3, "丁": 4}
    assert competition_rank({"甲": 3, "乙": 5, "丙": 5, "丁": 1}, False) == {"丁": 1, "甲": 2, "乙": 3, "丙": 3}
