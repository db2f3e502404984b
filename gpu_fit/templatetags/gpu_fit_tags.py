from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from calculators.kit.numbers import fixed, gib, human

from ..engine import KV_BY_ID, QUANT_BY_ID

register = template.Library()


@register.filter
def quant_label(quant_id):
    """'q4_k_m' -> 'Q4_K_M'; None (nothing fits) -> 'none'."""
    return QUANT_BY_ID[quant_id].label if quant_id else "none"


@register.filter
def kv_label(kv_id):
    return KV_BY_ID[kv_id].label


@register.filter
def tokens(count):
    """Context lengths the way model cards write them: 131072 -> '128K', 8192 -> '8K'."""
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024:,}K"
    return f"{count:,}"


# The two big tables of the live result, written in Python: a template loop over every model
# (and, on /gpus/, every card) cost more than computing the fits. Every text is escaped.


def fit_cell(fits: bool, headroom: int, testid: str) -> str:
    words = f"yes, {gib(headroom)} free" if fits else f"no, {gib(-headroom)} over"
    return f'<td class="fit-{"yes" if fits else "no"}" data-testid="{escape(testid)}">{words}'


def context_cell(m) -> str:
    text = tokens(m.max_context) if m.max_context else "none"
    if not m.kv_cache_counted:
        text = "—"
    if m.beyond_model_context:
        text += f' <span class="muted">(model: {tokens(m.model_max_context)})</span>'
    return f"<td>{text}</td>"


def fine_tune_cell(t, model_id: str) -> str:
    if t is None:
        return "<td>—</td>"
    verdict = "yes" if t.fits else "no"
    testid = escape(f"{t.method}-{model_id}")
    return (
        f'<td class="fit-{verdict}" data-testid="{testid}">{verdict}, '
        f"needs {gib(t.total_bytes)}</td>"
    )


@register.simple_tag
def models_table_rows(result, fine_tunings, example_id):
    """One row per model on a card page: inference at the scenario, then LoRA and QLoRA."""
    rows = []
    for m in result.models:
        params = human(m.params)
        if m.is_moe:
            params += f' <span class="muted">({human(m.active_params)} active)</span>'
        decode = (
            f"{fixed(m.decode_tokens_per_s_low, 0)}–{fixed(m.decode_tokens_per_s_high, 0)}"
            if m.fits
            else "—"
        )
        tuned = fine_tunings.get(m.id)
        current = ' class="current"' if m.id == example_id else ""
        rows.append(
            f'<tr data-testid="row-{escape(m.id)}"{current}><th scope="row">{escape(m.name)}</th>'
            f"<td>{params}</td><td>{gib(m.weights_bytes)}</td>"
            f"<td>{gib(m.kv_cache_bytes) if m.kv_cache_counted else '—'}</td>"
            f"<td>{gib(m.total_bytes)}</td>"
            f"{fit_cell(m.fits, m.headroom_bytes, f'fits-{m.id}')}</td>"
            f"{context_cell(m)}<td>{quant_label(m.best_quant)}</td><td>{decode}</td>"
            f"{fine_tune_cell(tuned and tuned.lora, m.id)}"
            f"{fine_tune_cell(tuned and tuned.qlora, m.id)}</tr>"
        )
    return mark_safe("".join(rows))


@register.simple_tag
def fit_matrix_rows(form):
    """/gpus/: one row per model, one cell per card."""
    rows = []
    for m, cells in form.rows():
        without_kv = "" if m.kv_cache_counted else " without KV cache"
        out = [
            f'<tr data-testid="row-{escape(m.id)}"><th scope="row">{escape(m.name)}<br>'
            f'<span class="muted">{human(m.params)}, needs {gib(m.total_bytes)}{without_kv}'
            "</span></th>"
        ]
        for card, f in cells:
            best = f"best: {quant_label(f.best_quant)}" if f.best_quant else "no format fits"
            out.append(
                fit_cell(f.fits, f.headroom_bytes, f"cell-{m.id}-{card.slug}")
                + f'<br><span class="muted">{best}</span></td>'
            )
        rows.append("".join(out) + "</tr>")
    return mark_safe("".join(rows))
