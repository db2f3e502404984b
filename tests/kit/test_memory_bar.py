"""The kit's memory bar (activation memory and the training planner draw it): the geometry is
read back from the coordinates it writes and checked against the picture it must be."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

import jinja2
from calculators.kit import numbers
from calculators.kit.memory_bar import WIDTH, coordinate, memory_bar
from calculators.kit.svg import number

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


# The SVG as the ui.memory_bar macro wrote it with template loops, before the kit wrote it in
# Python for speed (calculators/kit/memory_bar.py): the straight version bar.svg() must equal.
MACRO_SVG = """\
<svg viewBox="0 0 {{ bar.width }} {{ bar.height }}" width="{{ bar.width }}" \
height="{{ bar.height }}" role="img" aria-labelledby="bar-title bar-desc" data-testid="memory-bar">
      <title id="bar-title">Memory on the most loaded GPU against its capacity</title>
      <desc id="bar-desc">{{ bar.description }}</desc>
      <rect class="svg-track" x="1" y="{{ bar.bar_y }}" width="{{ bar.width - 2 }}" \
height="{{ bar.bar_h }}"/>
      {% for s in bar.segments %}<rect class="svg-mem-{{ s.key }}" x="{{ s.x }}" \
y="{{ bar.bar_y }}" width="{{ s.w }}" height="{{ bar.bar_h }}"><title>{{ s.label }}: \
{{ s.bytes|gib }}</title></rect>{% endfor %}
      {% for m in bar.markers %}<line class="svg-marker-{{ m.label }}" x1="{{ m.x }}" \
x2="{{ m.x }}" y1="{{ bar.bar_y - 8 }}" y2="{{ bar.bar_y + bar.bar_h + 8 }}"/>{% endfor %}
      {% for m in bar.markers %}{% if m.label == "capacity" %}<text class="svg-label" \
x="{{ m.x }}" y="14" text-anchor="{{ m.anchor }}">{{ m.bytes|gib }} capacity</text>{% else %}\
<text class="svg-label" x="{{ m.x }}" y="{{ bar.height - 6 }}" text-anchor="{{ m.anchor }}">\
usable {{ m.bytes|gib }}</text>{% endif %}{% endfor %}
    </svg>"""


@given(
    parts=st.lists(
        st.tuples(
            st.sampled_from(["weights", "gradients", "optimizer", "activations", "working"]),
            st.sampled_from(["Weights", "Optimizer states", "Recompute and loss buffers"]),
            st.integers(0, 2**45),
        ),
        max_size=6,
    ),
    capacity=st.integers(0, 2**42),
    usable_pct=st.integers(0, 100),
)
def test_the_svg_is_what_the_template_loops_wrote(parts, capacity, usable_pct):
    env = jinja2.Environment(autoescape=True)
    env.filters["gib"] = numbers.gib
    bar = memory_bar(parts, capacity=capacity, usable=capacity * usable_pct // 100)
    assert str(bar.svg()) == env.from_string(MACRO_SVG).render(bar=bar)


@given(st.floats(0, 1e6) | st.integers(0, 10**8).map(lambda n: n / 100) | st.sampled_from(
    [0.0, 0.005, 0.015, 0.125, 0.375, 1.005, 2.675, 638.0, 639.995, 1e-9]
))  # fmt: skip
def test_a_coordinate_is_what_svg_number_wrote_for_the_rounded_value(value):
    assert coordinate(value) == number(round(value, 2))


@given(
    parts=st.lists(st.tuples(st.just("weights"), st.just("Weights"), st.integers(0, 2**45))),
    capacity=st.integers(0, 2**42),
    usable=st.integers(0, 2**42),
)
def test_each_figure_is_the_gib_filter_of_its_bytes(parts, capacity, usable):
    bar = memory_bar(parts, capacity=capacity, usable=usable)
    assert [s.gib for s in bar.segments] == [numbers.gib(s.bytes) for s in bar.segments]
    assert [m.gib for m in bar.markers] == [numbers.gib(usable), numbers.gib(capacity)]
    listed = "; ".join(f"{label} {nbytes / GIB:,.2f} GiB" for _, label, nbytes in parts)
    verdict = "fits within" if bar.total <= usable else "exceeds"
    assert bar.description == (
        f"Memory on the most loaded GPU: {listed}. Total {bar.total / GIB:,.2f} GiB, which "
        f"{verdict} the usable {usable / GIB:,.2f} GiB of {capacity / GIB:,.2f} GiB."
    )
