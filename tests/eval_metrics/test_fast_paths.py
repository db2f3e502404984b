"""The faster ways the metric pages are written give exactly what the straight ways gave.

Each fast path (a table body written in Python, a chart frame built once per process, a curve
read from its columns, a stat card written out instead of the ui.stat macro) is compared on
many inputs with the straightforward version it replaced, written out here: the template loop
through the site's own Jinja2 environment, the records read one by one, the kit's svg writer.
"""

import re
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from django.template import engines
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.kit.html import Markup, escape
from calculators.kit.numbers import exact, fixed
from calculators.kit.svg import figure_svg
from eval_metrics import charts, tables
from eval_metrics.engine.log_loss import log_loss_metrics
from eval_metrics.engine.roc import curve_from_points, curve_from_scores
from eval_metrics.json_values import plain


def jinja():
    return engines.all()[0].env


probabilities = st.floats(0, 1, allow_nan=False)
labelled = st.lists(st.tuples(st.integers(0, 1), probabilities), min_size=1, max_size=130)


# The template loops the tables replaced, as the templates wrote them.
SAMPLE_LOOP = (
    '{% for row in rows %}<tr{% if row.worst %} class="highlight"{% endif %}><td>'
    "{{ row.sample }}</td><td>{{ row.y_true }}</td><td>{{ row.y_prob|exact }}</td><td>"
    "{% if row.y_true == 1 %}{{ row.y_prob|exact }}{% else %}{{ (1 - row.y_prob)|exact }}"
    "{% endif %}</td><td>{{ row.loss|exact }}</td></tr>{% endfor %}"
)
POINT_LOOP = (
    "{% for row in rows %}<tr><td>{{ row.number }}</td>{% if r.positives is not none %}<td>"
    "{% if row.point.threshold is none %}above every score{% else %}"
    "{{ row.point.threshold|exact }}{% endif %}</td>{% endif %}<td>{{ row.point.fpr|exact }}"
    "</td><td>{{ row.point.tpr|exact }}</td><td>{% if row.area is not none %}"
    "{{ row.area|exact }}{% endif %}</td><td>{% if row.point.added %}added{% endif %}</td></tr>"
    "{% endfor %}"
)


@settings(max_examples=60)
@given(labelled)
def test_sample_rows_write_what_the_template_loop_wrote(pairs):
    y_true, y_prob = tuple(y for y, _ in pairs), tuple(p for _, p in pairs)
    r = log_loss_metrics(y_true, y_prob)
    worst = {w.index for w in r.worst}
    count = min(r.n, 100)
    rows = [
        SimpleNamespace(
            sample=i + 1, y_true=y_true[i], y_prob=y_prob[i], loss=r.per_sample[i], worst=i in worst
        )
        for i in range(count)
    ]
    expected = jinja().from_string(SAMPLE_LOOP).render(rows=rows)
    assert tables.sample_rows(y_true, y_prob, r.per_sample, worst, count) == expected


def point_rows_by_template(curve):
    points = list(curve.points)  # one record per point, as the old rows held
    rows = [
        SimpleNamespace(
            number=i + 1,
            point=p,
            area=curve.segment_areas[i] if i + 1 < len(points) else None,
        )
        for i, p in enumerate(points[:100])
    ]
    return jinja().from_string(POINT_LOOP).render(rows=rows, r=curve)


@settings(max_examples=40)
@given(st.lists(st.tuples(probabilities, probabilities), min_size=1, max_size=120))
def test_roc_point_rows_from_points_write_what_the_template_loop_wrote(points):
    fpr, tpr = zip(*sorted(points), strict=True)
    tpr = tuple(sorted(tpr))  # a single classifier's rates rise together
    curve = curve_from_points(fpr, tpr)
    shown = min(len(curve.points), 100)
    assert tables.roc_point_rows(curve, shown) == point_rows_by_template(curve)


@settings(max_examples=40)
@given(
    st.lists(
        st.tuples(st.integers(0, 1), st.floats(-1e6, 1e6, allow_nan=False)),
        min_size=2,
        max_size=150,
    ).filter(lambda pairs: len({y for y, _ in pairs}) == 2)
)
def test_roc_point_rows_from_scores_write_what_the_template_loop_wrote(pairs):
    curve = curve_from_scores(tuple(y for y, _ in pairs), tuple(s for _, s in pairs))
    shown = min(len(curve.points), 100)
    assert tables.roc_point_rows(curve, shown) == point_rows_by_template(curve)


def reliability_rows_one_record_at_a_time(bins):
    """The table body as the previous version wrote it: a record per bin, every value escaped."""
    rows = []
    for i, b in enumerate(bins):
        opening = "[" if i == 0 else "("
        head = (
            f"<tr><td>{opening}{escape(fixed(b.lower, 1))}, {escape(fixed(b.upper, 1))}]</td>"
            f"<td>{escape(exact(b.count))}</td>"
        )
        if b.count:
            cells = (
                f"<td>{escape(fixed(b.mean_predicted, 4))}</td>"
                f'<td>{escape(fixed(b.observed, 4))} <span class="muted">'
                f"({escape(exact(b.positives))} of {escape(exact(b.count))})</span></td>"
                f"<td>{escape(fixed(b.gap, 4))}</td>"
            )
        else:
            cells = "<td>—</td><td>—</td><td>—</td>"
        rows.append(f"{head}{cells}</tr>")
    return "".join(rows)


@settings(max_examples=60)
@given(labelled)
def test_reliability_table_and_diagram_from_columns_match_the_records(pairs):
    y_true, y_prob = tuple(y for y, _ in pairs), tuple(p for _, p in pairs)
    r = log_loss_metrics(y_true, y_prob)
    records = list(r.reliability)
    assert tables.reliability_rows(r.reliability) == reliability_rows_one_record_at_a_time(records)
    # The JSON answer: what dataclasses.asdict wrote for the tuple of records.
    assert plain(r)["reliability"] == [asdict(b) for b in records]
    # The diagram: a bar and a dot per filled bin, as computed from each record.
    chart = charts.reliability_diagram(r.reliability, r.ece)
    _, sx, sy = charts.unit_square("", "", *charts.RELIABILITY_AXES)
    filled = [b for b in records if b.count]
    assert chart.bars == [
        charts.Bar(
            sx(b.lower),
            sy(b.observed),
            round(sx(b.upper) - sx(b.lower), 2),
            round(sy(0) - sy(b.observed), 2),
        )
        for b in filled
    ]
    assert [(m.x, m.y) for m in chart.marks] == [
        (sx(b.mean_predicted), sy(b.observed)) for b in filled
    ]
    assert [m.label for m in chart.marks] == [
        f"{b.lower:g} to {b.upper:g}: {b.count:,} samples, mean predicted "
        f"{b.mean_predicted:.4f}, observed {b.observed:.4f}"
        for b in filled
    ]


def fresh_unit_square(x_label, y_label):
    """The unit square built from scratch, as unit_square did before its frame was kept."""
    chart = charts.frame("t", "d", x_label, y_label, height=charts.WIDTH - 60)
    side = min(chart.right - chart.left, chart.bottom - chart.top)
    chart.right = chart.left + side
    chart.width = int(chart.right + charts.MARGIN_RIGHT)
    sx = charts.Scale(0, 1, chart.left, chart.right)
    sy = charts.Scale(0, 1, chart.bottom, chart.top)
    chart.x_ticks, chart.y_ticks = charts.ticks(sx, 0.2), charts.ticks(sy, 0.2)
    return chart, sx, sy


def test_unit_square_kept_frame_is_the_fresh_one_and_never_shared():
    chart, sx, sy = charts.unit_square("t", "d", "x & <x>", "y")
    fresh, fresh_sx, fresh_sy = fresh_unit_square("x & <x>", "y")
    assert (sx, sy) == (fresh_sx, fresh_sy)
    assert chart.axes == charts.axes_svg(fresh)
    fresh.axes = chart.axes
    assert chart == fresh
    # Whatever one chart draws stays off the next.
    chart.marks.append(charts.Mark(1, 2))
    chart.lines.append(charts.Line(1, 2, 3, 4, "diagonal"))
    chart.x_ticks.append(charts.Tick(0, "0"))
    again, _, _ = charts.unit_square("t", "d", "x & <x>", "y")
    assert again.marks == again.lines == [] and again.x_ticks == fresh.x_ticks


@settings(max_examples=60)
@given(st.text(max_size=40), st.text(max_size=80), st.sampled_from(["loss-bars", "a&b"]))
def test_chart_svg_wraps_its_body_as_figure_svg_does(title, description, chart_id):
    chart = charts.frame(title, description, "x", "y")
    chart.axes = "<g/>"
    expected = figure_svg(
        chart.width,
        chart.height,
        title,
        description,
        ["<g/>"],
        id_prefix=chart_id,
        data_testid=chart_id,
    )
    assert charts.chart_svg(chart, chart_id) == expected


@pytest.mark.parametrize("kind", ["", "worst", "cluster-2 negative", 'x"<&'])
def test_css_class_is_the_escaped_class(kind):
    for base in ("svg-ref", "svg-bar", "svg-mark"):
        assert charts.css_class(base, kind) == escape(f"{base} {kind}".rstrip())


@settings(max_examples=60)
@given(st.lists(st.tuples(probabilities, probabilities), min_size=1, max_size=250))
def test_roc_plot_from_columns_draws_what_the_records_drew(points):
    fpr, tpr = zip(*sorted(points), strict=True)
    curve = curve_from_points(fpr, tuple(sorted(tpr)))
    chart = charts.roc_plot(curve.points)
    _, sx, sy = charts.unit_square("", "", "false positive rate (FPR)", "true positive rate (TPR)")
    records = list(curve.points)
    shown = charts.sample_indices(len(records))
    assert chart.polyline == " ".join(f"{sx(records[i].fpr)},{sy(records[i].tpr)}" for i in shown)
    if len(records) <= 200:
        assert chart.marks == [
            charts.Mark(
                sx(p.fpr),
                sy(p.tpr),
                "added" if p.added else "",
                f"FPR {p.fpr:g}, TPR {p.tpr:g}" + (" (added endpoint)" if p.added else ""),
            )
            for p in records
        ]
    else:
        assert chart.marks == []


STAT = re.compile(
    r'<div><dt>(?P<label>[^<]*)</dt><dd data-testid="(?P<testid>[^"]*)">(?P<value>.*?)'
    r'(?: <span class="muted">(?P<detail>[^<]*)</span>)?</dd></div>'
)
NOTE = re.compile(r'<div class="note (?P<kind>\w+)" data-testid="(?P<testid>[\w-]+)">')


@pytest.mark.parametrize(
    "query",
    [
        "/metrics/log-loss/",
        "/metrics/log-loss/?units=bits&y_true=1,1,1&y_prob=0.9,0,0.2",
        "/metrics/log-loss/?y_true=1,0&y_prob=0.1,0.9",
        "/metrics/roc-auc/",
        "/metrics/roc-auc/?fpr=0.3,0.1,0.1&tpr=0.8,0.5,0.5",
        "/metrics/roc-auc/?mode=scores",
        "/metrics/roc-auc/?mode=scores&y_true=1,0,0,0&y_score=0.1,0.5,0.6,0.9",
    ],
)
def test_written_out_stat_cards_and_notes_are_what_the_macros_write(client, query):
    html = client.get(query, headers={"HX-Request": "true"}).content.decode()
    ui = jinja().globals["ui"]
    stats = list(STAT.finditer(html))
    assert stats
    for m in stats:
        label, value, detail = (Markup(m[k] or "") for k in ("label", "value", "detail"))
        card = ui.stat(label, value, m["testid"], detail)
        assert card == m.group(0)
    notes = list(NOTE.finditer(html))
    assert notes
    for m in notes:
        assert str(ui.note(m["kind"], m["testid"], caller=lambda: "")).startswith(m.group(0))
