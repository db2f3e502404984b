"""Template helpers for the metric pages: charts from results, and short previews of lists."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import charts

register = template.Library()
TABLE_ROWS = 100  # per-sample tables stop here; the JSON carries every sample


@register.filter
def preview(values, count=3):
    """The first `count` items of a list, for worked examples that show a few terms."""
    return list(values)[: int(count)]


@register.filter
def more_than(values, count=3):
    return len(values) > int(count)


@register.simple_tag
def chart_figure(chart, chart_id, caption=""):
    """<figure> with the chart's SVG and a caption repeating its text alternative."""
    svg = charts.chart_svg(chart, chart_id)
    words = escape(charts.caption_text(chart, caption))
    return mark_safe(f'<figure class="chart">{svg}<figcaption>{words}</figcaption></figure>')


@register.simple_tag
def residual_chart(y_pred, result):
    return charts.residual_plot(y_pred, result.residuals, result.worst)


@register.simple_tag
def roc_chart(curve, costs=None):
    if costs is None:
        return charts.roc_plot(curve.points)
    return charts.roc_plot(
        curve.points,
        best=costs.best,
        iso_slope=costs.iso_cost_slope,
        title="ROC curve and the cheapest operating point",
        extra_description=" The cheapest operating point is ringed, with the line of equal "
        "expected cost through it.",
    )


@register.simple_tag
def silhouette_chart(result):
    return charts.silhouette_bars(result.points, result.silhouette)


@register.simple_tag
def cluster_chart(result):
    return charts.cluster_scatter(result.points)


@register.simple_tag
def log_loss_rows(y_true, y_prob, result):
    """Per-sample rows for the table (the first TABLE_ROWS), the worst ones flagged."""
    worst = {w.index for w in result.worst}
    return [
        {
            "sample": i + 1,
            "y_true": y_true[i],
            "y_prob": y_prob[i],
            "loss": result.per_sample[i],
            "worst": i in worst,
        }
        for i in range(min(len(y_true), TABLE_ROWS))
    ]


@register.simple_tag
def first_pairs(first, second, count=3):
    """(first[i], second[i]) for the first `count` samples: the terms a worked example shows."""
    return list(zip(first, second, strict=False))[:count]


@register.filter
def minus(value, other):
    return value - other


@register.simple_tag
def worst_rows(y_true, y_pred, result):
    """The largest absolute errors, largest first, as table rows."""
    return [
        {"sample": i + 1, "y_true": y_true[i], "y_pred": y_pred[i], "residual": result.residuals[i]}
        for i in result.worst
    ]


@register.simple_tag
def loss_in(result, units):
    """The mean loss and its baseline in the unit the reader chose."""
    if units == "bits":
        return {
            "loss": result.log_loss_bits,
            "baseline": result.baseline_log_loss_bits,
            "unit": "bits",
        }
    return {"loss": result.log_loss, "baseline": result.baseline_log_loss, "unit": "nats"}


@register.simple_tag
def roc_rows(curve):
    """The curve's points (the first TABLE_ROWS), each with the next point and the trapezoid
    between them (None for the last point)."""
    points = curve.points
    return [
        {
            "number": i + 1,
            "point": p,
            "next": points[i + 1] if i + 1 < len(points) else None,
            "area": curve.segment_areas[i] if i + 1 < len(points) else None,
        }
        for i, p in enumerate(points[:TABLE_ROWS])
    ]


@register.filter
def max_of(value, other):
    return max(value, other)


@register.simple_tag
def contribution_chart(result):
    return charts.contribution_bars(result.per_sample, [w.index for w in result.worst])
