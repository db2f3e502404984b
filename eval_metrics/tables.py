"""Table rows written in Python, where a measurement showed the template loop too slow.

Each function writes exactly the markup its template loop wrote (the tests compare the pages
byte for byte before and after). Text goes through the kit's escaping helper; a number goes in
as the kit's formatters (exact, fixed) write it, digits, group commas, a point, a sign and at
most "e", "inf" or "nan", as svg.number's figures go into every chart: nothing to escape, and
escaping each one took the per-sample table from 0.14M to 0.25M instructions (callgrind)."""

from functools import cache

from calculators.kit.html import Markup
from calculators.kit.numbers import exact, fixed


def reliability_rows(bins) -> Markup:
    """The log-loss page's reliability table body, one <tr> per bin, from the engine's
    ReliabilityBins held as columns (engine.common.Rows). The template loop wrote some 250
    pieces for the default ten bins: log-loss fragment 7.54M -> 7.30M instructions a request
    (callgrind); the bins' fixed first cells written once and the numbers left unescaped,
    0.58M -> 0.26M for this table."""
    names = ("lower", "upper", "count", "positives", "mean_predicted", "observed", "gap")
    rows = []
    for i, (lower, upper, count, positives, mean_predicted, observed, gap) in enumerate(
        zip(*(bins.columns[name] for name in names), strict=True)
    ):
        samples = exact(count)
        if count:
            cells = (
                f"<td>{fixed(mean_predicted, 4)}</td>"
                f'<td>{fixed(observed, 4)} <span class="muted">'
                f"({exact(positives)} of {samples})</span></td>"
                f"<td>{fixed(gap, 4)}</td>"
            )
        else:
            cells = "<td>—</td><td>—</td><td>—</td>"
        rows.append(f"{bin_cell(i == 0, lower, upper)}<td>{samples}</td>{cells}</tr>")
    return Markup("".join(rows))


@cache
def bin_cell(first: bool, lower: float, upper: float) -> str:
    """A bin's row opening and first cell, "[0.0, 0.1]" or "(0.1, 0.2]": the edges are the
    engine's ten fixed bins, so each is written once per process."""
    return f"<tr><td>{'[' if first else '('}{fixed(lower, 1)}, {fixed(upper, 1)}]</td>"


def sample_rows(y_true, y_prob, losses, worst: set[int], count: int) -> Markup:
    """The log-loss page's per-sample table body for the first `count` samples, the worst
    ones highlighted. As a template loop over a namespace per row: 0.55M instructions for the
    default 8 rows, 5.26M for 100 (callgrind); here 0.14M and 1.55M."""
    rows = []
    for i in range(count):
        y, p = y_true[i], y_prob[i]
        shown = exact(p)
        own = shown if y == 1 else exact(1 - p)  # the probability given to the true label
        opening = '<tr class="highlight">' if i in worst else "<tr>"
        rows.append(
            f"{opening}<td>{i + 1}</td><td>{y}</td><td>{shown}</td><td>{own}</td>"
            f"<td>{exact(losses[i])}</td></tr>"
        )
    return Markup("".join(rows))


def roc_point_rows(curve, count: int) -> Markup:
    """The ROC page's table of the curve's first `count` points, each with the trapezoid to
    the next (none for the last), and the threshold column when the curve came from scores.
    Read from the curve's columns, with no record built per point: as a template loop over
    a namespace per row, each holding two RocPoints, 0.60M instructions for the default six
    points and 10.0M for 100 (callgrind); here 0.12M and 2.3M."""
    columns = curve.points.columns
    fprs, tprs, thresholds, added = (columns[name] for name in ("fpr", "tpr", "threshold", "added"))
    areas = curve.segment_areas
    scored = curve.positives is not None
    rows = []
    for i in range(count):
        if not scored:
            cut = ""
        elif thresholds[i] is None:
            cut = "<td>above every score</td>"
        else:
            cut = f"<td>{exact(thresholds[i])}</td>"
        area = exact(areas[i]) if i < len(areas) else ""
        rows.append(
            f"<tr><td>{i + 1}</td>{cut}<td>{exact(fprs[i])}</td><td>{exact(tprs[i])}</td>"
            f"<td>{area}</td><td>{'added' if added[i] else ''}</td></tr>"
        )
    return Markup("".join(rows))
