"""The 1F1B bubble against Narayanan et al. 2021 (arXiv 2104.04473, Section 2.2) and against an
independent simulation of the 1F1B schedule itself."""

from fractions import Fraction
from xml.etree import ElementTree

import pytest
from django.template.loader import get_template
from hypothesis import given
from hypothesis import strategies as st

from calculators.catalog.pipeline import (
    bubble_fraction,
    bubble_share_of_total,
    min_microbatches_below,
    pipeline,
)
from calculators.diagram import mid, pipeline_diagram, step_diagram, step_svg
from calculators.kit.errors import InputError


def test_reference_examples_from_the_paper_formula():
    # p = 8, m = 32: (p - 1) / m = 21.9 % of the ideal time, 17.9 % of the total
    assert round(float(bubble_fraction(8, 1, 32)) * 100, 1) == 21.9
    assert round(float(bubble_share_of_total(8, 1, 32)) * 100, 1) == 17.9
    # interleaving with v = 2 halves it: 10.9 %
    assert round(float(bubble_fraction(8, 2, 32)) * 100, 1) == 10.9
    # p = 16, m = 64, v = 4: 5.9 %
    assert round(float(bubble_fraction(16, 4, 64)) * 100, 1) == 5.9


def simulate_1f1b(p: int, m: int, t_forward: int = 1, t_backward: int = 2) -> int:
    """Makespan of one 1F1B flush: stage s runs min(p - s - 1, m) warm-up forwards, then
    alternates one forward and one backward, then drains the backwards. A forward needs the
    previous stage's forward of the same micro-batch; a backward needs the next stage's."""
    orders = []
    for s in range(p):
        warm = min(p - s - 1, m)
        ops = [("F", i) for i in range(warm)]
        forward, backward = warm, 0
        while forward < m:
            ops += [("F", forward), ("B", backward)]
            forward, backward = forward + 1, backward + 1
        ops += [("B", i) for i in range(backward, m)]
        orders.append(ops)
    finished, free, position = {}, [0] * p, [0] * p
    while any(position[s] < len(orders[s]) for s in range(p)):
        for s in range(p):
            if position[s] == len(orders[s]):
                continue
            kind, i = orders[s][position[s]]
            if kind == "F":
                needs = [("F", s - 1, i)] if s else []
            else:
                needs = [("F", s, i)] + ([("B", s + 1, i)] if s < p - 1 else [])
            if all(n in finished for n in needs):
                start = max([free[s]] + [finished[n] for n in needs])
                free[s] = start + (t_forward if kind == "F" else t_backward)
                finished[(kind, s, i)] = free[s]
                position[s] += 1
    return max(free)


@pytest.mark.parametrize(("p", "m"), [(8, 32), (4, 4), (4, 2), (2, 1), (3, 7), (16, 64)])
def test_formula_matches_a_simulated_1f1b_schedule(p, m):
    ideal = m * 3  # t_f + t_b per micro-batch, t_b = 2 t_f
    makespan = simulate_1f1b(p, m)
    assert Fraction(makespan - ideal, ideal) == bubble_fraction(p, 1, m)
    assert Fraction(makespan - ideal, makespan) == bubble_share_of_total(p, 1, m)


def brute_min_m(p, v, limit=Fraction(1, 20)):
    m = 1
    while Fraction(p - 1, v * m) >= limit:
        m += 1
    return m


@given(st.integers(2, 64), st.integers(1, 8))
def test_smallest_m_under_5_percent(p, v):
    m = min_microbatches_below(p, v)
    assert m == brute_min_m(p, v)
    assert bubble_fraction(p, v, m) < Fraction(1, 20) <= bubble_fraction(p, v, m - 1) or m == 1


def test_smallest_m_examples():
    assert min_microbatches_below(8, 1) == 141  # 7 / 140 is exactly 5 %, not under it
    assert min_microbatches_below(16, 4) == 76  # 15 / 300 = 5 %; 15 / 304 < 5 %
    assert min_microbatches_below(2, 1) == 21


def test_pipeline_summary_and_warnings():
    p = pipeline(8, 1, 4)
    assert p.fewer_microbatches_than_stages and p.bubble_fraction == pytest.approx(7 / 4)
    assert pipeline(8, 1, 8).fewer_microbatches_than_stages is False
    flat = pipeline(1, 1, 32)
    assert flat.bubble_fraction == 0 and not flat.enabled


def test_interleaving_needs_a_pipeline():
    with pytest.raises(InputError) as err:
        pipeline(1, 2, 32)
    assert err.value.field == "vpp"


@pytest.mark.parametrize(("p", "v", "m"), [(4, 1, 8), (8, 2, 3), (16, 1, 64), (1024, 1, 1)])
def test_pipeline_picture_is_well_formed_and_idles_the_bubble(p, v, m):
    # Read the SVG back as XML: every drawn stage must idle (p - 1)/v of the m + (p - 1)/v time
    # units, the bubble's share of the total (within the 0.1-unit rounding of the coordinates).
    figure = get_template("calculators/_pipeline_diagram.html").render(
        {"pipeline": pipeline_diagram(p, v, m)}
    )
    svg = ElementTree.fromstring(figure).find("svg")
    assert svg.get("role") == "img" and svg.findtext("title")
    assert svg.findtext("desc").startswith(f"One pipeline flush over {p:,} stages")
    rows = {}
    for rect in svg.iterfind("rect"):
        kind = rect.get("class")
        row = rows.setdefault(rect.get("y"), {"svg-micro": 0.0, "svg-idle": 0.0})
        row[kind] += float(rect.get("width"))
    assert len(rows) == min(p, 6) - (1 if p > 6 else 0)  # the elided middle stage draws nothing
    for widths in rows.values():
        idle_share = widths["svg-idle"] / (widths["svg-idle"] + widths["svg-micro"])
        assert idle_share == pytest.approx(float(bubble_share_of_total(p, v, m)), abs=0.01)


@pytest.mark.parametrize("dp", [1, 2, 3, 8, 1024])
def test_step_picture_keeps_every_box_and_rotated_label_inside(dp):
    d = step_diagram(dp, 32, 4)
    bottom_row = d.row_labels[-1].y - d.rank_cells[0].y  # every GPU row repeats the top one
    for b in d.rank_cells + d.side + d.row_labels:
        assert b.x >= 0 and b.y >= 0 and b.x + b.w <= d.width
        assert b.y + b.h + (bottom_row if b in d.rank_cells else 0) <= d.height
    # "optimizer step" runs vertically at 11 px: about 14 characters x 6 px must fit the box.
    assert all(b.h >= len(b.label) * 6 for b in d.side)


@pytest.mark.parametrize(("dp", "steps"), [(1, 1), (2, 3), (8, 31), (1024, 7)])
def test_step_picture_draws_every_shown_gpu_row_with_its_micro_steps(dp, steps):
    # Read the SVG back, following <use> copies of the drawn row: each GPU labelled on the left
    # must have one box per shown micro-step, level with its label, holding the micro-batch.
    svg = ElementTree.fromstring(step_svg(step_diagram(dp, steps, 4)))
    assert svg.findtext("title") == "One optimizer step"
    row = svg.find("g")
    cells = [(float(t.get("y")), t.text) for t in row.iterfind("text")]
    drawn = {y for y, _ in cells}
    for use in svg.iterfind("use"):
        assert use.get("href") == "#" + row.get("id")
        drawn |= {y + float(use.get("y")) for y, _ in cells}
    labels = {
        float(t.get("y")): t.text for t in svg.iterfind("text") if (t.text or "").startswith("GPU")
    }
    assert set(labels) == drawn
    assert len(labels) == min(dp, 3 if dp > 4 else 4)  # four rows shown, one of them "⋮"
    assert labels[min(labels)] == "GPU 0" and labels[max(labels)] == f"GPU {dp - 1}"
    shown_steps = min(steps, 7)  # eight columns when condensed, one of them "…"
    assert [text for _, text in cells].count("4") == shown_steps


@given(st.integers(-(10**7), 10**7), st.integers(0, 10**6))
def test_a_box_centre_is_written_as_the_float_format_writes_it(start, size):
    # calculators/diagram.mid skips float formatting where the centre is whole (for speed).
    assert mid(start, size) == f"{start + size / 2:g}"


@given(st.integers(1, 5000), st.integers(1, 5000), st.integers(1, 65_536))
def test_every_centre_in_the_step_picture_is_what_g_formatting_writes(dp, steps, micro_batch):
    # The same picture with each centre formatted as a float, as it was written before mid().
    d = step_diagram(dp, steps, micro_batch)
    svg = step_svg(d)
    for b in d.rank_cells + d.side + d.column_labels + d.row_labels:
        assert f'x="{b.cx:g}"' in svg or f'x="{b.w}"' in svg
    for b in d.rank_cells + d.side:
        if b.kind != "ellipsis":
            assert f'<text class="svg-on-box" x="{b.cx:g}" y="{b.cy:g}"' in svg
