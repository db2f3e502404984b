"""The two tables of the GPU pages' live result with a row for every model of the catalog,
written in Python because a benchmark says so, on a recompute that runs on each keystroke:
- /gpus/'s fit matrix, 31 models × 6 cards, 186 cells of five values each: the Jinja2 loop
  rendered it in 1.09 ms against 0.41 ms here, on a recompute whose form and engine take 2.8 ms;
- a card page's table of every model, 31 rows of eleven cells: 0.87 ms against 0.40 ms, on a
  recompute whose form and engine take 1.8 ms.
(CPU time, best of 300, this project's machine, each pair in one run.) Every text goes through
the kit's one escaping helper. When they replaced the loops, /gpus/ and three card pages, as
page and fragment for five scenarios (valid, custom, invalid), were byte for byte the same."""

from calculators.kit.html import Markup, escape
from calculators.kit.numbers import fixed, gib, human, tokens

from .engine import QUANT_BY_ID


def matrix_rows(rows) -> Markup:
    """`rows`: (model, [(card, its fit)...]) as FitForm.rows() gives them."""
    html = []
    for m, cells in rows:
        model_id = escape(m.id)
        without = "" if m.kv_cache_counted else " without KV cache"
        html.append(
            f'<tr data-testid="row-{model_id}"><th scope="row">{escape(m.name)}<br>'
            f'<span class="muted">{escape(human(m.params))}, needs {escape(gib(m.total_bytes))}'
            f"{without}</span></th>"
        )
        for card, f in cells:
            if f.fits:
                verdict = f"yes, {escape(gib(f.headroom_bytes))} free"
            else:
                verdict = f"no, {escape(gib(-f.headroom_bytes))} over"
            if f.best_quant:
                best = f"best: {escape(QUANT_BY_ID[f.best_quant].label)}"
            else:
                best = "no format fits"
            html.append(
                f'<td class="fit-{"yes" if f.fits else "no"}" '
                f'data-testid="cell-{model_id}-{escape(card.slug)}">{verdict}<br>'
                f'<span class="muted">{best}</span></td>'
            )
        html.append("</tr>")
    return Markup("".join(html))


def model_rows(models, fine_tunings: dict, current_id: str) -> Markup:
    """A card page's row for every model: `models` the card's fits, `fine_tunings` each
    model's LoRA and QLoRA estimate (None without an architecture), `current_id` the worked
    example's model, highlighted."""
    html = []
    for m in models:
        model_id = escape(m.id)
        current = ' class="current"' if m.id == current_id else ""
        moe = f' <span class="muted">({escape(human(m.active_params))} active)</span>'
        if m.fits:
            fits = f'<td class="fit-yes" data-testid="fits-{model_id}">yes, '
            fits += f"{escape(gib(m.headroom_bytes))} free</td>"
            decode = f"{escape(fixed(m.decode_tokens_per_s_low, 0))}–"
            decode += escape(fixed(m.decode_tokens_per_s_high, 0))
        else:
            fits = f'<td class="fit-no" data-testid="fits-{model_id}">no, '
            fits += f"{escape(gib(-m.headroom_bytes))} over</td>"
            decode = "—"
        if not m.kv_cache_counted:
            context = "—"
        else:
            context = escape(tokens(m.max_context)) if m.max_context else "none"
        if m.beyond_model_context:
            context += f' <span class="muted">(model: {escape(tokens(m.model_max_context))})</span>'
        best = QUANT_BY_ID[m.best_quant].label if m.best_quant else "none"
        html.append(
            f'<tr data-testid="row-{model_id}"{current}><th scope="row">{escape(m.name)}</th>'
            f"<td>{escape(human(m.params))}{moe if m.is_moe else ''}</td>"
            f"<td>{escape(gib(m.weights_bytes))}</td>"
            f"<td>{escape(gib(m.kv_cache_bytes)) if m.kv_cache_counted else '—'}</td>"
            f"<td>{escape(gib(m.total_bytes))}</td>{fits}<td>{context}</td>"
            f"<td>{escape(best)}</td><td>{decode}</td>"
        )
        tuned = fine_tunings.get(m.id)
        for t in (tuned.lora, tuned.qlora) if tuned else (None, None):
            if t:
                verdict = "yes" if t.fits else "no"
                html.append(
                    f'<td class="fit-{verdict}" data-testid="{escape(t.method)}-{model_id}">'
                    f"{verdict}, needs {escape(gib(t.total_bytes))}</td>"
                )
            else:
                html.append("<td>—</td>")
        html.append("</tr>")
    return Markup("".join(html))
