"""The kit's memory bar (activation memory and the training planner draw it): the geometry is
read back from the coordinates it writes and checked against the picture it must be."""

import pytest

from calculators.kit.memory_bar import WIDTH, memory_bar

GIB = 2**30


def test_parts_stack_left_to_right_in_proportion_to_their_bytes():
    parts = [("weights", "Weights", 6 * GIB), ("activations", "Activations", 2 * GIB)]
    bar = memory_bar(parts, capacity=16 * GIB, usable=14 * GIB)
    inner = WIDTH - 2  # a 1-unit border each side; the capacity spans the inner width
    xs = [float(s.x) for s in bar.segments]
    ws = [float(s.w) for s in bar.segments]
    assert xs == [1.0, pytest.approx(1 + 6 / 16 * inner, abs=0.01)]
    assert ws == [pytest.approx(6 / 16 * inner, abs=0.01), pytest.approx(2 / 16 * inner, abs=0.01)]
    usable, capacity = bar.markers
    assert float(usable.x) == pytest.approx(1 + 14 / 16 * inner, abs=0.01)
    assert float(capacity.x) == pytest.approx(WIDTH - 1, abs=0.01)
    assert bar.total == 8 * GIB
    assert "fits within the usable 14.00 GiB of 16.00 GiB" in bar.description


def test_a_need_over_capacity_fills_the_bar_and_says_so():
    bar = memory_bar([("weights", "Weights", 40 * GIB)], capacity=24 * GIB, usable=22 * GIB)
    assert float(bar.segments[0].w) == pytest.approx(WIDTH - 2, abs=0.01)
    assert float(bar.markers[1].x) == pytest.approx(1 + 24 / 40 * (WIDTH - 2), abs=0.01)
    assert "exceeds the usable 22.00 GiB" in bar.description


def test_labels_near_the_left_edge_run_rightwards_to_stay_in_the_picture():
    bar = memory_bar([("weights", "Weights", 100 * GIB)], capacity=10 * GIB, usable=9 * GIB)
    assert [m.anchor for m in bar.markers] == ["start", "start"]
    bar = memory_bar([("weights", "Weights", GIB)], capacity=10 * GIB, usable=9 * GIB)
    assert [m.anchor for m in bar.markers] == ["end", "end"]


def test_nothing_at_all_draws_without_dividing_by_zero():
    bar = memory_bar([("weights", "Weights", 0)], capacity=0, usable=0)
    assert bar.segments[0].w == "0" and bar.total == 0
