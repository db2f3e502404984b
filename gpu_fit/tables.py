"""The GPU pages' tables with a row for every model of the catalog, written in Python because
a benchmark says so: the live result runs on each keystroke, and these loops were most of its
template's time. Every text goes through the kit's one escaping helper; the pages and
fragments they replaced were byte for byte the same (checked over /gpus/ and all 19 card
pages, seven scenarios).

- /gpus/'s fit matrix, 36 models × 19 cards, 684 cells: the Jinja2 loop rendered it in 4.3 ms,
  this in 1.1 ms (mean of 200, in one process; the whole fragment took 130 ms before the
  engine's work was cut, 4 ms after).
"""

from calculators.kit.html import Markup, escape
from calculators.kit.numbers import gib, human

from .engine import QUANT_BY_ID, Matrix


def matrix_rows(matrix: Matrix) -> Markup:
    """The rows of /gpus/'s table: a model, then one cell per card in the matrix's order."""
    slugs = [escape(c.slug) for c in matrix.cards]
    best_text = {q: f"best: {escape(label.label)}" for q, label in QUANT_BY_ID.items()}
    best_text[None] = "no format fits"
    html = []
    add = html.append
    for m in matrix.rows:
        model_id = escape(m.id)
        without = "" if m.kv_cache_counted else " without KV cache"
        add(
            f'<tr data-testid="row-{model_id}"><th scope="row">{escape(m.name)}<br>'
            f'<span class="muted">{escape(human(m.params))}, needs {escape(gib(m.total_bytes))}'
            f"{without}</span></th>"
        )
        for slug, (fits, headroom, best) in zip(slugs, m.cells, strict=True):
            if fits:
                verdict = f'yes" data-testid="cell-{model_id}-{slug}">yes, {gib(headroom)} free'
            else:
                verdict = f'no" data-testid="cell-{model_id}-{slug}">no, {gib(-headroom)} over'
            add(f'<td class="fit-{verdict}<br><span class="muted">{best_text[best]}</span></td>')
        add("</tr>")
    return Markup("".join(html))
