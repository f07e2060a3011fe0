"""Data-label placement: labels never cover each other; lines and bars are avoided."""

from __future__ import annotations

from briefgen.charts.placement import Placer


def test_first_free_box_wins_and_is_taken():
    p = Placer(100, 100)
    assert p.choose([(10, 10, 20, 20), (50, 50, 60, 60)]) == 0
    assert p.choose([(10, 10, 20, 20), (50, 50, 60, 60)]) == 1  # the first is now taken


def test_all_colliding_gives_none_unless_forced():
    p = Placer(100, 100)
    p.choose([(10, 10, 20, 20)])
    assert p.choose([(11, 11, 19, 19)]) is None
    assert p.choose([(11, 11, 19, 19)], force=True) == 0
    assert p.choose([(0, 95, 10, 110)]) is None  # outside the plot


def test_crossing_a_line_is_avoided_but_allowed():
    p = Placer(100, 100)
    p.segs.append(((0, 15), (100, 15)))
    assert p.choose([(10, 10, 20, 20), (10, 30, 20, 40)]) == 1
    p.bars.append((0, 0, 100, 100))
    assert p.choose([(40, 10, 50, 20)]) == 0  # a line or a bar alone never blocks a label
