"""Chart geometry for the metric pages: numbers in, pixel positions and labels out.

`chart_svg` draws them as inline SVG (colours come from CSS classes). Every chart carries a
description for its <desc> and caption, its text alternative.
"""

import math
from dataclasses import dataclass, field, replace
from functools import cache
from typing import NamedTuple

from calculators.kit.html import Markup, escape
from calculators.kit.numbers import MINUS
from calculators.kit.svg import Figure, number

WIDTH, HEIGHT = 480, 300
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 56, 16, 12, 44
MAX_MARKS = 1_000  # points drawn per chart; beyond this an even sample is drawn and said


@dataclass(frozen=True)
class Scale:
    lo: float
    hi: float
    px_lo: float
    px_hi: float

    def __call__(self, value: float) -> float:
        span = self.hi - self.lo
        fraction = (value - self.lo) / span if span else 0.5
        return round(self.px_lo + fraction * (self.px_hi - self.px_lo), 2)


# The marks below are NamedTuples, immutable as frozen dataclasses were, but built for 3.6K CPU
# instructions instead of 7.9K (callgrind; a frozen dataclass's __init__ sets each field
# through object.__setattr__), and a chart builds dozens to a thousand of them a request.
class Tick(NamedTuple):
    px: float
    label: str


class Mark(NamedTuple):
    x: float
    y: float
    kind: str = ""  # a CSS modifier: "worst", "added", "best", "cluster-2", ...
    label: str = ""  # text for the mark's <title> tooltip


class Line(NamedTuple):
    x1: float
    y1: float
    x2: float
    y2: float
    kind: str  # "zero", "diagonal", "iso", "mean"


class Bar(NamedTuple):
    x: float
    y: float
    w: float
    h: float
    kind: str = ""


@dataclass
class Chart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    x_label: str
    y_label: str
    title: str
    description: str
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    y_labels: list[Tick] = field(default_factory=list)  # category names, without grid lines
    marks: list[Mark] = field(default_factory=list)
    bars: list[Bar] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    polyline: str = ""  # "x,y x,y ..." for a connected curve
    sampled_from: int = 0  # when only part of the data is drawn: how many there were
    sampled_shown: int = 0  # ... and how many are drawn
    # The markup of the frame (grid, ticks, axes and their labels) when it is known before
    # the data, as a unit square's is; empty, chart_svg writes it from the fields above.
    axes: str = ""

    @property
    def plot_width(self) -> float:
        return self.right - self.left

    @property
    def plot_height(self) -> float:
        return self.bottom - self.top

    @property
    def tick_label_y(self) -> float:
        return self.bottom + 16

    @property
    def x_label_y(self) -> float:
        return self.height - 6

    @property
    def y_tick_x(self) -> float:
        return self.left - 6

    @property
    def x_mid(self) -> float:
        return (self.left + self.right) / 2

    @property
    def y_mid(self) -> float:
        return (self.top + self.bottom) / 2


def frame(title: str, description: str, x_label: str, y_label: str, height: int = HEIGHT) -> Chart:
    return Chart(
        width=WIDTH,
        height=height,
        left=MARGIN_LEFT,
        right=WIDTH - MARGIN_RIGHT,
        top=MARGIN_TOP,
        bottom=height - MARGIN_BOTTOM,
        x_label=x_label,
        y_label=y_label,
        title=title,
        description=description,
    )


def nice_step(span: float, target_ticks: int = 5) -> float:
    raw = span / target_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if raw <= multiple * magnitude:
            return multiple * magnitude
    return 10 * magnitude


def nice_range(lo: float, hi: float) -> tuple[float, float, float]:
    """A padded range with round ends, and its tick step."""
    largest = max(abs(lo), abs(hi))
    # Equal, or too close to tell apart (down to subnormal spans): open a window around them.
    if hi - lo <= largest * 1e-12 or hi - lo < 1e-290:
        pad = largest * 0.1 if largest > 1e-290 else 1.0
        lo, hi = lo - pad, hi + pad
    step = nice_step(hi - lo)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


def padded_range(lo: float, hi: float) -> tuple[float, float, float]:
    """nice_range with a 4% margin, so points at the extremes are not drawn on the frame."""
    margin = (hi - lo) * 0.04
    return nice_range(lo - margin, hi + margin)


def short_number(value: float) -> str:
    """Four significant digits with a true minus sign: tick labels and one-line summaries."""
    text = f"{value:.4g}"
    return "0" if text in ("-0", "0") else text.replace("-", MINUS)


def ticks(scale: Scale, step: float) -> list[Tick]:
    count = round((scale.hi - scale.lo) / step)
    values = [scale.lo + i * step for i in range(count + 1)]
    return [Tick(scale(v), short_number(v)) for v in values]


def sample_indices(n: int, limit: int = MAX_MARKS) -> list[int]:
    """All indices, or an evenly spaced `limit` of them (first and last included)."""
    if n <= limit:
        return list(range(n))
    return sorted({round(i * (n - 1) / (limit - 1)) for i in range(limit)})


def residual_plot(y_pred, residuals, worst) -> Chart:
    n = len(residuals)
    chart = frame(
        "Residuals against predictions",
        f"Scatter plot of {n:,} residuals (true minus predicted) against the predicted value, "
        "with a line at zero; points above it were under-predicted, points below over-predicted."
        " The largest errors are highlighted.",
        "predicted value",
        "residual (true − predicted)",
    )
    x_lo, x_hi, x_step = padded_range(min(y_pred), max(y_pred))
    top = max(abs(r) for r in residuals) or 1.0
    y_lo, y_hi, y_step = padded_range(-top, top)
    sx = Scale(x_lo, x_hi, chart.left, chart.right)
    sy = Scale(y_lo, y_hi, chart.bottom, chart.top)
    chart.x_ticks, chart.y_ticks = ticks(sx, x_step), ticks(sy, y_step)
    chart.lines.append(Line(chart.left, sy(0), chart.right, sy(0), "zero"))
    highlighted = set(worst)
    shown = sample_indices(n)
    chart.sampled_from, chart.sampled_shown = (n, len(shown)) if len(shown) < n else (0, 0)
    for i in sorted(set(shown) | highlighted, key=lambda i: i in highlighted):
        chart.marks.append(
            Mark(
                sx(y_pred[i]),
                sy(residuals[i]),
                "worst" if i in highlighted else "",
                f"sample {i + 1}: predicted {y_pred[i]:g}, residual {residuals[i]:g}",
            )
        )
    return chart


def roc_plot(
    points, *, best=None, iso_slope=None, title="ROC curve", extra_description=""
) -> Chart:
    """Points: objects with fpr, tpr and `added`; best: one of them to highlight."""
    # A square plot area keeps the diagonal at 45 degrees.
    chart, sx, sy = unit_square(
        title,
        f"ROC curve through {len(points):,} points from (0, 0) to (1, 1), true positive rate "
        "against false positive rate, with the diagonal of a random classifier for comparison."
        + extra_description,
        "false positive rate (FPR)",
        "true positive rate (TPR)",
    )
    chart.lines.append(Line(sx(0), sy(0), sx(1), sy(1), "diagonal"))
    # The curve's columns, not a RocPoint record built per point (engine.common.Rows).
    fprs, tprs, added = (points.columns[name] for name in ("fpr", "tpr", "added"))
    shown = sample_indices(len(points))
    if len(shown) < len(points):
        chart.sampled_from, chart.sampled_shown = len(points), len(shown)
    drawn = [(sx(fprs[i]), sy(tprs[i])) for i in shown]
    chart.polyline = " ".join(f"{x},{y}" for x, y in drawn)
    if len(points) <= 200:  # individual markers only while they stay distinguishable
        # Every point is drawn then (200 < MAX_MARKS), in order.
        for (x, y), fpr, tpr, was_added in zip(drawn, fprs, tprs, added, strict=True):
            label = f"FPR {fpr:g}, TPR {tpr:g}" + (" (added endpoint)" if was_added else "")
            chart.marks.append(Mark(x, y, "added" if was_added else "", label))
    if best is not None:
        chart.marks.append(
            Mark(
                sx(best.fpr), sy(best.tpr), "best", f"cheapest: FPR {best.fpr:g}, TPR {best.tpr:g}"
            )
        )
        if iso_slope is not None:
            chart.lines.append(iso_line(best, iso_slope, sx, sy))
    return chart


def unit_square(title: str, description: str, x_label: str, y_label: str):
    """A chart of [0, 1] × [0, 1] with a square plot area, and its two scales."""
    square = unit_square_frame(x_label, y_label)
    pattern = square.chart
    # A fresh chart: every list its own, so nothing drawn on one reaches the next.
    chart = replace(
        pattern,
        title=title,
        description=description,
        x_ticks=list(pattern.x_ticks),
        y_ticks=list(pattern.y_ticks),
        y_labels=[],
        marks=[],
        bars=[],
        lines=[],
    )
    return chart, square.sx, square.sy


class UnitSquare(NamedTuple):
    chart: Chart  # a pattern for unit_square to copy, never drawn itself
    sx: Scale
    sy: Scale


@cache
def unit_square_frame(x_label: str, y_label: str) -> UnitSquare:
    """The unit square's frame, scales, ticks and axes markup: they depend on nothing but the
    axis labels, which are the code's own constants, so they are built once per process
    (0.2M CPU instructions a chart, callgrind, for a ROC plot of a few points)."""
    chart = frame("", "", x_label, y_label, height=WIDTH - 60)
    side = min(chart.right - chart.left, chart.bottom - chart.top)
    chart.right = chart.left + side
    chart.width = int(chart.right + MARGIN_RIGHT)
    sx = Scale(0, 1, chart.left, chart.right)
    sy = Scale(0, 1, chart.bottom, chart.top)
    chart.x_ticks, chart.y_ticks = ticks(sx, 0.2), ticks(sy, 0.2)
    chart.axes = axes_svg(chart)
    return UnitSquare(chart, sx, sy)


def pr_plot(curve, curve_points: int, prevalence: float, average_precision: float) -> Chart:
    """The precision-recall curve (PrPoint recall, precision, already thinned by the engine to
    at most 1,000 points) drawn as scikit-learn's PrecisionRecallDisplay draws it: a step
    line, precision held until recall moves, which is the area average precision sums."""
    chart, sx, sy = unit_square(
        "Precision-recall curve",
        f"Precision against recall at every score threshold, from recall 0 (precision 1) to "
        f"recall 1, drawn as steps; average precision {average_precision:.4f} is the area "
        f"under these steps. A dashed line marks the prevalence, {prevalence:.4f}: the "
        "precision of a random ranking.",
        "recall (TPR)",
        "precision",
    )
    chart.lines.append(Line(sx(0), sy(prevalence), sx(1), sy(prevalence), "diagonal"))
    if len(curve) < curve_points:
        chart.sampled_from, chart.sampled_shown = curve_points, len(curve)
    # A step after each point: recall moves first at the previous precision, then precision
    # drops or rises at the new recall (sklearn draws drawstyle="steps-post" on recall order).
    steps = []
    previous = None
    for p in curve:
        if previous is not None:
            steps.append(f"{sx(p.recall)},{sy(previous.precision)}")
        steps.append(f"{sx(p.recall)},{sy(p.precision)}")
        previous = p
    chart.polyline = " ".join(steps)
    return chart


RELIABILITY_AXES = ("predicted probability of 1", "observed frequency of 1")


def reliability_diagram(bins, ece: float) -> Chart:
    """One bar per non-empty equal-width bin, as wide as the bin and as tall as its observed
    frequency of 1s, with a dot at (mean predicted probability, observed frequency) and the
    diagonal of perfect calibration. `bins`: the engine's ReliabilityBins, held as columns
    (engine.common.Rows), read without building a record per bin."""
    columns = bins.columns
    filled = [
        row
        for row in zip(
            *(columns[name] for name in ("lower", "upper", "count", "mean_predicted", "observed")),
            strict=True,
        )
        if row[2]
    ]
    chart, sx, sy = unit_square(
        "Reliability diagram",
        f"For each of {len(bins)} equal-width bins of predicted probability, a bar as tall as "
        f"the fraction of its samples labelled 1 and a dot at the bin's mean predicted "
        f"probability; {len(filled)} bins hold samples. A calibrated model's dots lie on the "
        f"dashed diagonal; the sample-weighted mean distance from it is the ECE, {ece:.4f}.",
        *RELIABILITY_AXES,
    )
    base = sy(0)
    chart.lines.append(Line(sx(0), base, sx(1), sy(1), "diagonal"))
    for lower, upper, count, mean_predicted, observed in filled:
        top = sy(observed)
        x, width, span = bin_column(lower, upper)
        chart.bars.append(Bar(x, top, width, round(base - top, 2)))
        chart.marks.append(
            Mark(
                sx(mean_predicted),
                top,
                "",
                f"{span}: {count:,} samples, mean predicted {mean_predicted:.4f}, observed "
                f"{observed:.4f}",
            )
        )
    return chart


@cache
def bin_column(lower: float, upper: float) -> tuple[float, float, str]:
    """A reliability bin's bar position and width, and its span as the tooltip says it. The
    edges are the engine's ten fixed bins, never the data, so each is worked out once per
    process."""
    _, sx, _ = unit_square_frame(*RELIABILITY_AXES)
    return sx(lower), round(sx(upper) - sx(lower), 2), f"{lower:g} to {upper:g}"


def iso_line(best, slope, sx, sy):
    """The line of equal expected cost through the best point, clipped to the unit square."""
    candidates = []
    for fpr in (0.0, 1.0):
        candidates.append((fpr, best.tpr + slope * (fpr - best.fpr)))
    if slope:
        for tpr in (0.0, 1.0):
            candidates.append((best.fpr + (tpr - best.tpr) / slope, tpr))
    inside = sorted(
        {(f, t) for f, t in candidates if -1e-12 <= f <= 1 + 1e-12 and -1e-12 <= t <= 1 + 1e-12}
    )
    if not inside:  # only by rounding at a corner: mark the point itself
        inside = [(best.fpr, best.tpr)]
    (f1, t1), (f2, t2) = inside[0], inside[-1]
    return Line(sx(f1), sy(t1), sx(f2), sy(t2), "iso")


def silhouette_bars(points, mean_value) -> Chart:
    """The classic silhouette plot: one horizontal bar per point, grouped by cluster, sorted."""
    n = len(points)
    bar_h = min(14.0, 480 / n)
    gap = bar_h * 2 if n <= 60 else 6
    ordered = sorted(points, key=lambda p: (p.label, -p.silhouette, p.index))
    colours = cluster_colours(points)
    clusters = len(colours)
    height = int(MARGIN_TOP + n * bar_h + (clusters - 1) * gap + MARGIN_BOTTOM + 4)
    chart = frame(
        "Silhouette of every point",
        f"Horizontal bar chart of the silhouette width of each of {n:,} points, grouped by "
        f"cluster and sorted within each cluster, on a scale from −1 to 1; a vertical line marks "
        f"the mean, {mean_value:.3f}.",
        "silhouette width s",
        "points, by cluster label",
        height=height,
    )
    sx = Scale(-1, 1, chart.left, chart.right)
    chart.x_ticks = ticks(sx, 0.5)
    y = chart.top
    previous = None
    group_start = y
    for p in ordered:
        if previous is not None and p.label != previous:
            chart.y_labels.append(Tick(round((group_start + y) / 2, 2), str(previous)))
            y += gap
            group_start = y
        start, end = sorted((sx(0), sx(p.silhouette)))
        kind = f"cluster-{colours[p.label]}" + (" negative" if p.silhouette < 0 else "")
        chart.bars.append(
            Bar(start, round(y, 2), round(end - start, 2), round(bar_h * 0.85, 2), kind)
        )
        y += bar_h
        previous = p.label
    chart.y_labels.append(Tick(round((group_start + y) / 2, 2), str(previous)))
    chart.lines.append(Line(sx(0), chart.top, sx(0), chart.bottom, "zero"))
    chart.lines.append(Line(sx(mean_value), chart.top, sx(mean_value), chart.bottom, "mean"))
    return chart


def cluster_colours(points) -> dict[int, int]:
    """A colour index 0-5 for each label, by its rank among the labels present."""
    return {label: rank % 6 for rank, label in enumerate(sorted({p.label for p in points}))}


def cluster_scatter(points) -> Chart:
    chart = frame(
        "The points by cluster",
        f"Scatter plot of the {len(points):,} points in the plane, coloured by cluster label; "
        "points with a negative silhouette are ringed.",
        "x",
        "y",
    )
    xs, ys = [p.x for p in points], [p.y for p in points]
    x_lo, x_hi, x_step = padded_range(min(xs), max(xs))
    y_lo, y_hi, y_step = padded_range(min(ys), max(ys))
    sx = Scale(x_lo, x_hi, chart.left, chart.right)
    sy = Scale(y_lo, y_hi, chart.bottom, chart.top)
    chart.x_ticks, chart.y_ticks = ticks(sx, x_step), ticks(sy, y_step)
    colours = cluster_colours(points)
    for p in points:
        kind = f"cluster-{colours[p.label]}" + (" negative" if p.silhouette < 0 else "")
        chart.marks.append(
            Mark(
                sx(p.x),
                sy(p.y),
                kind,
                f"point {p.index + 1} ({p.x:g}, {p.y:g}), cluster {p.label}, "
                f"s = {p.silhouette:.3f}",
            )
        )
    return chart


def contribution_bars(losses, worst) -> Chart:
    """One vertical bar per sample's log loss, in input order; the costliest highlighted."""
    n = len(losses)
    chart = frame(
        "Each sample's share of the log loss",
        f"Bar chart of the log loss of each of {n:,} samples in input order, in nats; the "
        "costliest samples are highlighted.",
        "sample",
        "loss (nats)",
    )
    shown = sample_indices(n)
    if len(shown) < n:
        chart.sampled_from, chart.sampled_shown = n, len(shown)
    y_lo, y_hi, y_step = nice_range(0, max(losses))
    sy = Scale(0, y_hi, chart.bottom, chart.top)
    chart.y_ticks = ticks(sy, y_step)
    slot = chart.plot_width / len(shown)
    highlighted = set(worst)
    left, bottom, width = chart.left, chart.bottom, round(max(slot * 0.8, 0.5), 2)
    for position, i in enumerate(shown):
        top = sy(losses[i])
        chart.bars.append(
            Bar(
                round(left + position * slot + slot * 0.1, 2),
                top,
                width,
                round(bottom - top, 2),
                "worst" if i in highlighted else "",
            )
        )
    first, last = shown[0], shown[-1]
    chart.x_ticks = [
        Tick(round(chart.left + slot / 2, 2), str(first + 1)),
        Tick(round(chart.left + (len(shown) - 0.5) * slot, 2), str(last + 1)),
    ]
    return chart


def chart_svg(chart: Chart, chart_id: str) -> str:
    """The chart as inline SVG, written in Python (it may hold a thousand marks, and a template
    loop over them cost more than the metrics). Each repeated element is one f-string, every
    number through svg.number and every text through the kit's escape: the same markup as a
    call to svg.element per element wrote, attributes in the same order, for 0.98M CPU
    instructions instead of 2.62M on the log-loss page's two charts (callgrind)."""
    n = number
    body = [chart.axes or axes_svg(chart)]
    body += [
        f'<line class="{css_class("svg-ref", ln.kind)}" x1="{n(ln.x1)}" y1="{n(ln.y1)}" '
        f'x2="{n(ln.x2)}" y2="{n(ln.y2)}"/>'
        for ln in chart.lines
    ]
    body += [
        f'<rect class="{css_class("svg-bar", b.kind)}" x="{n(b.x)}" y="{n(b.y)}" '
        f'width="{n(b.w)}" height="{n(b.h)}"/>'
        for b in chart.bars
    ]
    if chart.polyline:
        body.append(f'<polyline class="svg-line" points="{escape(chart.polyline)}"/>')
    body += [
        f'<circle class="{css_class("svg-mark", m.kind)}" cx="{n(m.x)}" cy="{n(m.y)}" '
        f'r="{"6" if m.kind == "best" else "3.5"}">{title(m.label)}</circle>'
        for m in chart.marks
    ]
    # The <svg> around it as svg.figure_svg writes it, attributes in the same order, in one
    # f-string: figure_svg's generic attribute loop took 0.10M instructions a chart, and this
    # saves 0.05M-0.07M of it (callgrind, the log-loss page's two charts).
    width, height, slug = n(chart.width), n(chart.height), escape(chart_id)
    return (
        f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{slug}-title {slug}-desc" data-testid="{slug}">'
        f"{labelled('title', slug, chart.title)}{labelled('desc', slug, chart.description)}"
        f"{''.join(body)}</svg>"
    )


def labelled(tag: str, slug: str, words: str) -> str:
    """The chart's <title> or <desc>, with the id its aria-labelledby names."""
    words = escape(words)
    if words:
        return f'<{tag} id="{slug}-{tag}">{words}</{tag}>'
    return f'<{tag} id="{slug}-{tag}"/>'


@cache
def css_class(base: str, kind: str) -> str:
    """An element's class attribute, escaped. Kinds are the code's own few words ("worst",
    "cluster-2 negative"), so each is written once per process, not once per mark."""
    return escape(f"{base} {kind}".rstrip())


def axes_svg(chart: Chart) -> str:
    """The frame's markup: grid lines with their tick labels, the plot's outline and the two
    axis labels."""
    n = number
    top, bottom, left, right = n(chart.top), n(chart.bottom), n(chart.left), n(chart.right)
    label_y, tick_x = n(chart.tick_label_y), n(chart.y_tick_x)
    body = []
    for t in chart.x_ticks:
        x = n(t.px)
        body.append(
            f'<line class="svg-grid" x1="{x}" y1="{top}" x2="{x}" y2="{bottom}"/>'
            + label(x, label_y, t.label, ' class="svg-label" text-anchor="middle"')
        )
    for t in chart.y_ticks:
        y = n(t.px)
        body.append(f'<line class="svg-grid" x1="{left}" y1="{y}" x2="{right}" y2="{y}"/>')
    for t in chart.y_ticks + chart.y_labels:
        body.append(
            label(
                tick_x,
                n(t.px),
                t.label,
                ' class="svg-label" text-anchor="end" dominant-baseline="middle"',
            )
        )
    body.append(
        f'<rect class="svg-axis" x="{left}" y="{top}" width="{n(chart.plot_width)}" '
        f'height="{n(chart.plot_height)}"/>'
    )
    body.append(
        label(
            n(chart.x_mid),
            n(chart.x_label_y),
            chart.x_label,
            ' class="svg-label" text-anchor="middle"',
        )
    )
    y_mid = n(chart.y_mid)
    turned = escape(f"rotate(-90 14 {y_mid})")
    body.append(
        label(
            "14",
            y_mid,
            chart.y_label,
            f' class="svg-label" text-anchor="middle" transform="{turned}"',
        )
    )
    return "".join(body)


def label(x: str, y: str, words: str, rest: str) -> str:
    """svg.text(x, y, words, ...) for numbers already written and the other attributes as
    markup: a <text> element, empty ones closed as svg.element closes them."""
    words = escape(words)
    if words:
        return f'<text x="{x}" y="{y}"{rest}>{words}</text>'
    return f'<text x="{x}" y="{y}"{rest}/>'


def title(words: str) -> str:
    words = escape(words)
    return f"<title>{words}</title>" if words else "<title/>"


def caption_text(chart: Chart, extra: str = "") -> str:
    """The figure caption: the description, what was sampled, and the page's reading hint."""
    words = chart.description
    if chart.sampled_from:
        words += (
            f" The chart draws an even sample of {chart.sampled_shown:,} of the "
            f"{chart.sampled_from:,} points; every number above uses all of them."
        )
    return f"{words} {extra}" if extra else words


def figure(chart: Chart, chart_id: str) -> Figure:
    """The chart drawn, with its caption (the page may add a reading hint after it)."""
    return Figure(Markup(chart_svg(chart, chart_id)), caption_text(chart))
