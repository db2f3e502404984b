"""What the GPU engine works out in closed form or once per model, against the definitions it
replaced, written out here independently:
- the longest context that fits: a binary search over the context of a KV cache computed cell
  by cell as llama.cpp allocates it (src/llama-context.cpp pads n_ctx to 256 cells;
  src/llama-kv-cache-iswa.cpp gives a sliding-window or chunked layer min(n_ctx,
  pad(n_swa · n_seq + n_ubatch)) cells; src/llama-kv-cache.cpp allocates no V cache for MLA,
  whose K row holds kv_lora_rank + qk_rope_head_dim values; ggml-common.h's block sizes for a
  quantized cache), over every catalog model (MLA: DeepSeek-V2-Lite; chunked: Llama 4 Scout;
  sliding: Gemma, gpt-oss), several cards, numbers of cards, sequences and cache formats;
- the best format that fits: the first of the formats, best first, whose weights fit;
- /gpus/'s reduced table against each card's whole fit;
- the LoRA and QLoRA totals of a card page's table against the whole estimate."""

import pytest

from calculators.catalog.models import MODELS
from gpu_fit import engine, finetune, gguf
from gpu_fit.cards import BY_SLUG, CARDS
from gpu_fit.engine import QUANTS, Scenario, Subject

GIB = 2**30
MIB = 2**20
# ggml-common.h: (bytes, values) of a block
KV_BLOCK = {"f16": (2, 1), "q8_0": (34, 32), "q4_0": (18, 32)}


def pad(x, n=256):
    return (x + n - 1) // n * n


def kv_bytes(a, context, batch, kv):
    """The KV cache layer by layer, as llama.cpp allocates it (see the module's docstring)."""
    block_bytes, block_values = KV_BLOCK[kv]
    if a.kv_lora_rank:  # MLA: one row of latent + RoPE key, no V
        rows = [a.kv_lora_rank + a.qk_rope_head_dim]
    else:
        rows = [a.kv_heads * a.head_dim] * 2
    cell = sum(-(-r * block_bytes // block_values) for r in rows)
    n_ctx = pad(context * batch)
    swa = min(n_ctx, pad(a.sliding_window * batch + 512)) if a.sliding_layers else 0
    cells = (a.layers - a.sliding_layers) * n_ctx + a.sliding_layers * swa
    return cells * cell


def searched_max_context(card, sub, quant, kv, batch, cards):
    """Binary search for the longest context, up to the model's, whose total fits."""
    a = sub.arch
    vram = cards * card.vram_bytes
    compute = max(256 * MIB, 512 * a.vocab * 4)
    fixed = gguf.layout(a, quant).gpu_bytes + cards * 512 * MIB + compute

    def fits(ctx):
        return fixed + kv_bytes(a, ctx, batch, kv) <= vram

    if fits(sub.max_context):
        return sub.max_context
    lo, hi = 0, sub.max_context  # lo fits (or is 0), hi does not
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if fits(mid) else (lo, mid)
    return lo


SUBJECTS = [Subject.from_model(m) for m in MODELS]
SOME_CARDS = [BY_SLUG[s] for s in ("rtx-3060-12gb", "rtx-4090-24gb", "a100-80gb")]


@pytest.mark.parametrize("card", SOME_CARDS, ids=lambda c: c.slug)
@pytest.mark.parametrize("kv", ["f16", "q8_0", "q4_0"])
@pytest.mark.parametrize(("batch", "cards"), [(1, 1), (3, 2), (16, 1), (2, 8)])
@pytest.mark.parametrize("quant", ["q4_k_m", "f16"])
def test_longest_context_equals_a_search_for_every_model(card, kv, batch, cards, quant):
    for sub in SUBJECTS:
        expected = searched_max_context(card, sub, quant, kv, batch, cards)
        assert engine.max_context(card, sub, quant, kv, batch, cards) == expected, sub.id
        f = engine.fit(card, sub, Scenario(8192, quant, kv, batch, cards), extras=False)
        assert f.max_context == expected, sub.id


def test_the_solver_meets_every_kind_of_attention():
    # The catalog holds each case the closed form separates: MLA, chunked, sliding, full.
    archs = {s.id: s.arch for s in SUBJECTS}
    assert archs["deepseek-v2-lite"].v_cache_width == 0
    assert archs["llama-4-scout"].chunked_attention
    assert any(a.sliding_layers and not a.chunked_attention for a in archs.values())
    assert any(not a.sliding_layers for a in archs.values())


def test_a_model_with_every_layer_sliding_fits_any_context_once_its_window_does():
    a = engine.Architecture(
        4, 1024, 8, 8, 128, 4096, 32000, False, 1_000_000, sliding_window=1024, sliding_layers=4
    )
    cell = engine.kv_cell_bytes(a, "f16")
    window = pad(1024 + 512)
    assert engine.context_fitting(a, 4 * window * cell, cell, 1, 1_000_000) == 1_000_000
    # one cell short: the window no longer fits, so the context is what fits below it
    below = engine.context_fitting(a, 4 * window * cell - 1, cell, 1, 1_000_000)
    assert below == window - 256
    assert kv_bytes(a, below, 1, "f16") <= 4 * window * cell - 1 < kv_bytes(a, below + 1, 1, "f16")


@pytest.mark.parametrize("context", [1, 8192, 131072])
def test_best_format_is_the_first_that_fits(context):
    for card in CARDS[:6]:
        for sub in SUBJECTS:
            kv = kv_bytes(sub.arch, context, 1, "f16")
            room = card.vram_bytes - kv - 512 * MIB - max(256 * MIB, 512 * sub.arch.vocab * 4)
            expected = next(
                (q.id for q in QUANTS if gguf.layout(sub.arch, q.id).gpu_bytes <= room), None
            )
            s = Scenario(context, "q4_k_m", "f16", 1)
            assert engine.best_quant(card, sub, s) == expected, (card.slug, sub.id)


def test_a_parameter_count_alone_gets_the_first_format_that_fits():
    sub = Subject("custom", "Your model", 30 * 10**9, 30 * 10**9, None, engine.MAX_CONTEXT, False)
    for card in CARDS:
        room = card.vram_bytes - 512 * MIB - 256 * MIB
        expected = next(
            (q.id for q in QUANTS if engine.weights_bytes(sub.params, q.id) <= room), None
        )
        assert engine.best_quant(card, sub, Scenario(4096, "q4_k_m", "f16", 1)) == expected


@pytest.mark.parametrize(
    "s",
    [Scenario(8192, "q4_k_m", "f16", 1), Scenario(131072, "q8_0", "q4_0", 4, 2, 16)],
    ids=["defaults", "long-quantized-two-cards"],
)
def test_index_table_is_each_cards_whole_fit(s):
    profiles = list(engine.catalog_profiles())
    matrix = engine.fit_matrix(CARDS, profiles, s)
    whole = engine.fit_cards(CARDS, profiles, s, prefill=False)
    assert matrix.fitting == tuple(r.fitting for r in whole)
    for i, row in enumerate(matrix.rows):
        for j, (fits, headroom, best) in enumerate(row.cells):
            m = whole[j].models[i]
            assert (row.id, row.total_bytes) == (m.id, m.total_bytes)
            assert (fits, headroom, best) == (m.fits, m.headroom_bytes, m.best_quant)


@pytest.mark.parametrize(("seq_len", "rank"), [(1, 1), (2048, 16), (131072, 1024)])
def test_fine_tuning_totals_are_the_whole_estimates(seq_len, rank):
    card = BY_SLUG["rtx-4090-24gb"]
    for sub in SUBJECTS:
        whole = finetune.fine_tuning(card, sub, seq_len, rank)
        lora, qlora = finetune.totals(finetune.sizes(sub), seq_len, rank)
        assert (lora, qlora) == (whole.lora.total_bytes, whole.qlora.total_bytes), sub.id
