"""Geometry of the LR-against-batch chart (points where the rules put them, inside the plot) and
the page's number formatting."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lr_scaling.chart import batch_ticks, lr_chart, lr_ticks
from lr_scaling.engine import ScalingInput, scale


def chart_for(**kwargs):
    inp = ScalingInput(**{"base_lr": 3e-4, "base_batch": 256, "new_batch": 1024, **kwargs})
    return lr_chart(scale(inp))


def slope(segment):
    x1, y1, x2, y2 = segment
    return -(y2 - y1) / (x2 - x1)  # SVG y grows downwards


def test_on_log_axes_the_linear_rule_is_twice_as_steep_as_the_square_root_rule():
    chart = chart_for()
    assert slope(chart.linear) == pytest.approx(2 * slope(chart.sqrt))


def test_markers_sit_on_their_lines_and_the_recommended_one_is_flagged():
    chart = chart_for()
    base, linear, root = chart.markers
    assert (linear.x, root.x) == (chart.new_batch_x, chart.new_batch_x)
    assert root.recommended and not linear.recommended and linear.y < root.y  # linear is higher
    for marker, segment in ((linear, chart.linear), (root, chart.sqrt), (base, chart.sqrt)):
        x1, y1, x2, y2 = segment
        assert marker.y == pytest.approx(y1 + (y2 - y1) * (marker.x - x1) / (x2 - x1))


def test_description_states_the_numbers():
    text = chart_for(optimizer="sgd", critical_batch=2000.0).description
    for part in ("3.00e\u22124", "1.20e\u22123", "6.00e\u22124", "1,024", "256", "critical batch"):
        assert part in text
    assert "SGD with momentum" in text


@given(
    st.integers(min_value=1, max_value=10**12),
    st.integers(min_value=1, max_value=10**12),
    st.floats(min_value=1e-12, max_value=10),
)
def test_everything_stays_inside_the_plot(base, new, lr):
    chart = chart_for(base_lr=lr, base_batch=base, new_batch=new)
    for m in chart.markers:
        assert chart.left - 1e-6 <= m.x <= chart.right + 1e-6
        assert chart.top - 1e-6 <= m.y <= chart.bottom + 1e-6
    assert 1 <= len(chart.x_ticks) <= 7 and 1 <= len(chart.y_ticks) <= 7


def test_ticks():
    assert batch_ticks(128, 4096) == [128, 256, 512, 1024, 2048, 4096]
    assert lr_ticks(1e-4, 1e-3) == pytest.approx([1e-4, 2e-4, 5e-4, 1e-3])
    assert all(math.log10(t).is_integer() for t in lr_ticks(1e-12, 1e3))


def test_approx_filter_keeps_small_estimates_visible():
    from calculators.kit.numbers import approx

    assert approx(621.896) == "622" and approx(2_551_613.4) == "2.55M"
    assert approx(0.0314) == "0.0314" and approx(4.0) == "4"
