"""The GPU pages' fast paths against the straight computations they replaced, written out here:
- decode speed as speed.py's docstring states it, one sum per end of the range;
- a model's fit built as one dict against the dataclass's own constructor;
- /gpus/'s table rows, written once per VRAM size with the catalog's parts kept per process,
  against every cell written out in full (as it was first written: the same elements,
  attributes and text, each cell's two attributes now in the order gzip prefers);
- the lists of cards the templates looped over, now written in Python with each address's
  query escaped once, against those template loops rendered by the site's Jinja2."""

import dataclasses

import pytest
from django.template import engines
from hypothesis import given, settings
from hypothesis import strategies as st

from calculators.catalog.models import MODELS
from calculators.kit.html import escape
from calculators.kit.numbers import fixed, gib, human, tokens
from gpu_fit import engine, finetune, offload, serving, speed, tables
from gpu_fit.cards import CARDS
from gpu_fit.engine import QUANT_BY_ID, QUANTS, Profile, Scenario
from gpu_fit.forms import card_href
from tests.gpu_fit.dom import dom

cards = st.sampled_from(CARDS)
quants = st.sampled_from([q.id for q in QUANTS])
kvs = st.sampled_from(["f16", "q8_0", "q4_0"])
byte_counts = st.integers(0, 2 * 10**12)


@settings(max_examples=300, deadline=None)
@given(
    cards, st.integers(0, 200), byte_counts, byte_counts, byte_counts, st.integers(1, 8),
    st.integers(0, 200), st.floats(1, 2000),
)  # fmt: skip
def test_decode_speed_is_the_documented_sum(card, layers, w, kv, cpu, n, cpu_layers, ram_bw):
    """time = layers × c + weights ÷ (bandwidth × e) + KV ÷ (bandwidth × e_kv)
    + RAM part ÷ (RAM bandwidth × e_cpu) + CPU layers × c_cpu + (cards − 1) × hop."""
    if layers + w + kv + cpu + cpu_layers + n - 1 == 0:
        return  # nothing to read: no finite speed
    hbm = "HBM" in (card.memory or "")
    e = speed.HBM_WEIGHT_EFFICIENCY if hbm else speed.WEIGHT_EFFICIENCY
    expected = []
    for i in range(3):
        seconds = (
            layers * speed.LAYER_COST_S[i]
            + w / (card.bandwidth_gb_s * 1e9 * e[i])
            + kv / (card.bandwidth_gb_s * 1e9 * speed.KV_EFFICIENCY[i])
            + cpu / (ram_bw * 1e9 * speed.CPU_EFFICIENCY[i])
            + cpu_layers * speed.CPU_LAYER_COST_S[i]
            + (n - 1) * speed.HOP_S[i]
        )
        expected.append(1 / seconds)
    got = speed.decode_ends(card, layers, w, kv, cpu, n, cpu_layers, ram_bw)
    assert got == pytest.approx(expected, rel=1e-12)
    assert speed.decode_reads(card, layers, w, kv, cpu, n, cpu_layers, ram_bw) == speed.Range(*got)


@settings(max_examples=500, deadline=None)
@given(cards, st.integers(0, 200), byte_counts, byte_counts, st.floats(1, 2000))
def test_decode_speed_all_in_vram_is_the_whole_sum_to_the_bit(card, layers, w, kv, ram_bw):
    """With nothing in system RAM and one card, decode_ends leaves out the terms that are 0.0:
    the whole sum, written out with them, is the same float."""
    if layers + w + kv == 0:
        return
    bw = card.bandwidth_gb_s * 1e9
    e = speed.weight_efficiency(card)
    expected = tuple(
        1
        / (
            layers * speed.LAYER_COST_S[i]
            + w / bw / e[i]
            + kv / bw / speed.KV_EFFICIENCY[i]
            + 0 / (ram_bw * 1e9) / speed.CPU_EFFICIENCY[i]
            + 0 * speed.CPU_LAYER_COST_S[i]
            + 0 * speed.HOP_S[i]
        )
        for i in range(3)
    )
    assert speed.decode_ends(card, layers, w, kv, 0, 1, 0, ram_bw) == expected


def plan_cases():
    """Every catalog architecture in every format, with rooms from none to nearly all of it,
    one sequence or many, RAM enough or not, and forced counts as a published run gives them."""
    for m in MODELS:
        a = m.arch
        for quant in ("f16", "q4_k_m", "q2_k"):
            w = engine.weights(engine.Subject.from_model(m), quant)
            kv = engine.kv_cache_bytes(a, 8192, 1, "f16")
            for share in (-0.1, 0.0, 0.3, 0.7, 0.99):
                for ram_gb, batch, force in ((64, 1, None), (8, 4, None), (1024, 1, 2)):
                    room = round(share * (w.gpu_bytes + kv))
                    yield (a, quant, kv, w.cpu_bytes, w.embedding_row_bytes, room, ram_gb, batch,
                           force)  # fmt: skip


def test_plans_are_the_dataclass_built_field_by_field():
    names = [f.name for f in dataclasses.fields(offload.Plan)]
    modes = set()
    for case in plan_cases():
        p = offload.plan(*case)
        assert list(p.__dict__) == names
        assert offload.Plan(**p.__dict__) == p
        modes.add(p.mode)
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.mode = "gpu"
    assert modes == {"experts", "layers"}


def test_servings_are_the_dataclass_built_field_by_field():
    """Every catalog model in each vLLM format on one to eight cards, served or not."""
    names = [f.name for f in dataclasses.fields(serving.Serving)]
    served = set()
    for m in MODELS:
        a = m.arch
        per_token = engine.kv_f16_per_token(a)
        for card in (CARDS[0], CARDS[-1]):
            for tp in (1, 2, 3, 8):
                for fmt in serving.FORMAT_BY_ID:
                    r = serving.serve(card, a, m.params, m.active_params, per_token, 32768, fmt, tp)
                    assert list(r.__dict__) == names  # the JSON's key order
                    assert serving.Serving(**r.__dict__) == r
                    served.add(r.problem is None)
    assert served == {True, False}


SCENARIOS = [
    Scenario(8192, "q4_k_m", "f16", 1),
    Scenario(131072, "q8_0", "q4_0", 4, 2, 16),
    Scenario(1, "f16", "q8_0", 1, 1, 1, 1.0),
    Scenario(1_048_576, "q2_k", "f16", 256, 8, 4096, 2000.0),
    Scenario(32768, "q3_k_m", "q8_0", 3, 3, 8, 45.5),
]
CUSTOM = [
    engine.custom_subject({"params_b": 13.0}),
    engine.custom_subject(
        {
            "layers": 40,
            "hidden": 5120,
            "heads": 40,
            "kv_heads": 8,
            "ffn_hidden": 13824,
            "vocab": 32000,
        }
    ),  # fmt: skip
]


def profiles():
    return [*engine.catalog_profiles(), *(Profile(x) for x in CUSTOM)]


@pytest.mark.parametrize("prefill", [True, False])
@pytest.mark.parametrize("s", SCENARIOS)
def test_a_fit_is_the_dataclass_built_field_by_field(s, prefill):
    names = [f.name for f in dataclasses.fields(engine.ModelFit)]
    for card in (CARDS[0], CARDS[-1]):
        for fit in engine.fit_cards((card,), profiles(), s, prefill)[0].models:
            assert list(fit.__dict__) == names  # the JSON's key order
            assert engine.ModelFit(**fit.__dict__) == fit
            with pytest.raises(dataclasses.FrozenInstanceError):
                fit.fits = not fit.fits


def straight_matrix_rows(matrix) -> str:
    """Every row and cell written out in full (the table as it was first written)."""
    html = []
    for m in matrix.rows:
        without = "" if m.kv_cache_counted else " without KV cache"
        html.append(
            f'<tr data-testid="row-{escape(m.id)}"><th scope="row">{escape(m.name)}<br>'
            f'<span class="muted">{escape(human(m.params))}, needs {escape(gib(m.total_bytes))}'
            f"{without}</span></th>"
        )
        for c, (fits, headroom, best) in zip(matrix.cards, m.cells, strict=True):
            yes_no = "yes" if fits else "no"
            amount = f"{gib(headroom)} free" if fits else f"{gib(-headroom)} over"
            best_text = f"best: {escape(QUANT_BY_ID[best].label)}" if best else "no format fits"
            html.append(
                f'<td class="fit-{yes_no}" data-testid="cell-{escape(m.id)}-{escape(c.slug)}">'
                f'{yes_no}, {amount}<br><span class="muted">{best_text}</span></td>'
            )
        html.append("</tr>")
    return "".join(html)


@pytest.mark.parametrize("s", SCENARIOS)
def test_index_rows_are_every_cell_written_out(s):
    for _ in range(2):  # the second time from what the first kept
        matrix = engine.fit_matrix(CARDS, profiles(), s)
        assert dom(str(tables.matrix_rows(matrix))) == dom(straight_matrix_rows(matrix))


def test_index_cells_worked_out_once_per_vram_size_are_each_cards_fit():
    s = SCENARIOS[0]
    matrix = engine.fit_matrix(CARDS, list(engine.catalog_profiles()), s)
    whole = engine.fit_cards(CARDS, list(engine.catalog_profiles()), s, prefill=False)
    for i, row in enumerate(matrix.rows):
        for j, card in enumerate(CARDS):
            m = whole[j].models[i]
            assert row.cells[j] == (m.fits, m.headroom_bytes, m.best_quant), (row.id, card.slug)
    assert len({c.vram_bytes for c in CARDS}) < len(CARDS)  # some cards do share a size
    assert len(MODELS) == len(matrix.rows)


# A permalink's query is percent-encoded (kit/querystrings.py): "&" is the one character in it
# that HTML escapes, and the kit's escape and Jinja2's agree on it.
QUERIES = ["", "context=8192&quant=q4_k_m&kv_cache=f16", "x=%3Cb%3E&y=a+b&z=%22%27&w=1.5"]


@pytest.mark.parametrize("query", QUERIES)
def test_card_links_are_each_address_escaped(query):
    links = tables.card_links(query)
    assert links == {c.slug: escape(card_href(c.slug, query)) for c in CARDS}


def jinja():
    return next(e for e in engines.all() if hasattr(e, "env")).env


# The loops as the templates wrote them before they moved to tables.py.
FIT_COUNTS = (
    '{% for c in result.cards %}<li><a href="{{ card_hrefs[c.slug] }}">{{ c.short_name }}</a>: '
    '<strong data-testid="fitting-{{ c.slug }}">{{ result.fitting[loop.index0] }}</strong> of '
    "{{ result.rows|length }}</li>{% endfor %}"
)
MATRIX_HEAD = (
    '{% for c in result.cards %}<th scope="col"><a href="{{ card_hrefs[c.slug] }}">'
    "{{ c.short_name }}</a></th>{% endfor %}"
)
OTHER_CARDS = (
    '{% for c in cards %}{% if c.slug != card.slug %}<a href="{{ card_hrefs[c.slug] }}" '
    'data-testid="card-link-{{ c.slug }}">{{ c.short_name }}</a>, {% endif %}{% endfor %}'
)


@pytest.mark.parametrize("query", QUERIES)
def test_card_lists_are_the_template_loops_they_replaced(query):
    hrefs = {c.slug: card_href(c.slug, query) for c in CARDS}
    links = tables.card_links(query)
    matrix = engine.fit_matrix(CARDS, profiles(), SCENARIOS[1])
    context = {"result": matrix, "card_hrefs": hrefs, "cards": CARDS}
    env = jinja()
    assert tables.fit_count_items(matrix, links) == env.from_string(FIT_COUNTS).render(context)
    assert tables.matrix_head(matrix, links) == env.from_string(MATRIX_HEAD).render(context)
    for card in (CARDS[0], CARDS[7]):
        expected = env.from_string(OTHER_CARDS).render({**context, "card": card})
        assert tables.other_card_links(links, card.slug) == expected


@settings(max_examples=500, deadline=None)
@given(st.floats(-1e7, 1e7) | st.integers(-(10**9), 10**9).map(float))
def test_whole_numbers_are_the_kits_fixed_to_no_digits(value):
    assert tables._whole(value) == fixed(value, 0)


# Byte counts about the boundaries where "%" stops being enough: 999.99 GiB and 1,000 GiB,
# exact halves of a hundredth (k × 2**30 / 200 bytes with 25 | k: ties, rounded to even).
GIB_EDGES = [
    round(g * 2**30) + d
    for g in (0, 0.005, 0.015, 0.125, 0.375, 999.985, 999.99, 999.995, 1000, 12_345.675)
    for d in (-2, -1, 0, 1, 2)
]


@settings(max_examples=1000, deadline=None)
@given(
    st.integers(-(2**45), 2**45)
    | st.sampled_from(GIB_EDGES + [-e for e in GIB_EDGES])
    | st.floats(-1e15, 1e15)
)
def test_table_gib_is_the_kits_gib(nbytes):
    assert tables._gib(nbytes) == gib(nbytes)


def straight_model_rows(models, totals, card, current_id) -> str:
    """A card page's table rows with every cell written out (the kit's formatters throughout)."""
    html = []
    for m in models:
        mid = escape(m.id)
        params = escape(human(m.params))
        if m.is_moe:
            params += f' <span class="muted">({escape(human(m.active_params))} active)</span>'
        current = ' class="current"' if m.id == current_id else ""
        yes_no = "yes" if m.fits else "no"
        amount = f"{gib(m.headroom_bytes)} free" if m.fits else f"{gib(-m.headroom_bytes)} over"
        kv = gib(m.kv_cache_bytes) if m.kv_cache_counted else "—"
        context = (
            (tokens(m.max_context) if m.max_context else "none") if m.kv_cache_counted else "—"
        )
        if m.beyond_model_context:
            context += f' <span class="muted">(model: {tokens(m.model_max_context)})</span>'
        decode = "—"
        if m.runs:
            decode = f"{fixed(m.decode_tokens_per_s_low, 0)}–{fixed(m.decode_tokens_per_s_high, 0)}"
            if not m.fits:
                where = (
                    "experts in RAM"
                    if m.offload == "experts"
                    else f"{m.gpu_layers}/{m.layers} layers"
                )
                decode += f' <span class="muted">({where})</span>'
        best = escape(QUANT_BY_ID[m.best_quant].label) if m.best_quant else "none"
        html.append(
            f'<tr data-testid="row-{mid}"{current}><th scope="row">{escape(m.name)}</th>'
            f"<td>{params}</td><td>{gib(m.weights_bytes)}</td><td>{kv}</td>"
            f'<td>{gib(m.total_bytes)}</td><td class="fit-{yes_no}" data-testid="fits-{mid}">'
            f"{yes_no}, {amount}</td><td>{context}</td><td>{best}</td><td>{decode}</td>"
        )
        pair = totals.get(m.id)
        if pair is None:
            html.append("<td>—</td><td>—</td></tr>")
            continue
        for kind, total in zip(("lora", "qlora"), pair, strict=True):
            verdict = "yes" if total <= card.vram_bytes else "no"
            html.append(
                f'<td class="fit-{verdict}" data-testid="{kind}-{mid}">{verdict}, needs '
                f"{gib(total)}</td>"
            )
        html.append("</tr>")
    return "".join(html)


@pytest.mark.parametrize("s", SCENARIOS)
def test_model_rows_are_every_cell_written_out(s):
    for card in (CARDS[0], CARDS[14]):
        fits = engine.fit_cards((card,), profiles(), s)[0].models
        totals = {
            p.subject.id: finetune.totals(z, 2048, 16) if (z := finetune.sizes(p.subject)) else None
            for p in profiles()
        }
        for _ in range(2):  # the second time from what the first kept
            got = str(tables.model_rows(fits, totals, card, "qwen3-8b"))
            assert got == straight_model_rows(fits, totals, card, "qwen3-8b")
