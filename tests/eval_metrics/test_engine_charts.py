"""Chart geometry: all marks land inside the plot; big inputs are sampled, not dropped."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eval_metrics import charts
from eval_metrics.engine.regression import regression_metrics
from eval_metrics.engine.roc import curve_from_points, curve_from_scores
from eval_metrics.engine.silhouette import clustering
from eval_metrics.engine.threshold_cost import threshold_cost


def inside(chart, x, y):
    return (
        chart.left - 0.01 <= x <= chart.right + 0.01
        and chart.top - 0.01 <= y <= chart.bottom + 0.01
    )


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=2, max_size=30))
def test_residual_marks_stay_in_the_plot(values):
    y_pred = tuple(values)
    result = regression_metrics(tuple(v * 0.9 + 1 for v in values), y_pred)
    chart = charts.residual_plot(y_pred, result.residuals, result.worst)
    assert chart.marks and all(inside(chart, m.x, m.y) for m in chart.marks)
    assert sum(1 for m in chart.marks if m.kind == "worst") == len(result.worst)
    assert chart.x_ticks[0].px == pytest.approx(chart.left)
    assert chart.x_ticks[-1].px == pytest.approx(chart.right)


def test_large_inputs_are_sampled_and_said():
    n = 10_000
    result = regression_metrics(tuple(range(n)), tuple(v + (v % 7) for v in range(n)))
    chart = charts.residual_plot(
        tuple(v + (v % 7) for v in range(n)), result.residuals, result.worst
    )
    assert chart.sampled_from == n and chart.sampled_shown == charts.MAX_MARKS
    assert len(chart.marks) <= charts.MAX_MARKS + len(result.worst)


def test_roc_plot_is_square_and_iso_line_inside():
    costs = threshold_cost(1, 5, 0.1, (0.05, 0.1, 0.3), (0.4, 0.6, 0.9)).curve
    chart = charts.roc_plot(costs.curve.points, best=costs.best, iso_slope=costs.iso_cost_slope)
    assert chart.plot_width == chart.plot_height
    iso = [line for line in chart.lines if line.kind == "iso"]
    assert (
        len(iso) == 1
        and inside(chart, iso[0].x1, iso[0].y1)
        and inside(chart, iso[0].x2, iso[0].y2)
    )
    assert [m.kind for m in chart.marks].count("added") == 2


def test_dense_roc_draws_a_line_without_markers():
    y = tuple(i % 2 for i in range(3000))
    curve = curve_from_scores(y, tuple((i * 7919) % 3001 for i in range(3000)))
    chart = charts.roc_plot(curve.points)
    assert chart.polyline.count(" ") + 1 <= charts.MAX_MARKS and not chart.marks


def test_silhouette_bars_one_per_point_and_negative_flagged():
    r = clustering((0, 1, 0.6, 10, 11), (0, 0, 0, 0, 0), (0, 0, 1, 1, 1))
    chart = charts.silhouette_bars(r.points, r.silhouette)
    assert len(chart.bars) == 5
    negative = [b for b in chart.bars if "negative" in b.kind]
    assert len(negative) == r.negative >= 1
    assert all(chart.left <= b.x and b.x + b.w <= chart.right + 0.01 for b in chart.bars)


def test_nice_range_covers_the_data():
    cases = [(0, 1), (-3.2, 7.9), (5, 5), (1e-9, 3e-9), (-1e15, 1e15), (-5e-324, 5e-324)]
    for lo, hi in cases + [(1e15, 1e15 + 0.125), (0, 1e-300), (-1e-310, 0)]:
        low, high, step = charts.nice_range(lo, hi)
        assert low <= lo and high >= hi and step > 0 and (high - low) / step <= 12


def test_a_single_point_curve_marks_its_corners():
    chart = charts.roc_plot(curve_from_points((0.3,), (0.7,)).points)
    assert len(chart.marks) == 3
