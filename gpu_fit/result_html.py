"""Parts of a card page's live result written in Python, because a benchmark says so: the result
is rendered on every keystroke, and in Jinja2 every printed value costs an autoescape (a Python
call building a Markup object) and every ui macro call far more. The text these print is
numbers from the kit's formatters (digits, separators, a unit: no character HTML escapes) and
the constants below; anything else goes through the kit's one escaping helper. The template's
parts they replaced are in tests/gpu_fit/card_result_before.html, rendered against these by
tests/gpu_fit/test_result_html.py.

Callgrind, a card page's default fragment (instructions a request): the result block rendered
3.58M in the template and 2.19M with these four parts written here, which cost 0.37M together
(the worked example's figures, eleven ui.stat calls, 0.78M in the template and 0.13M here; the
memory bar's shapes, the vLLM rows and the LoRA and QLoRA rows the rest). The worked example's
steps followed (worked_example: 0.50M in the template, 0.18M here; fine_tuning_worked: 0.30M
against 0.11M).
"""

from typing import NamedTuple

from calculators.catalog.gpus import GPU
from calculators.catalog.models import BY_ID
from calculators.kit.html import Markup, escape
from calculators.kit.numbers import exact, fixed, gb, gib, human

from . import speed
from .diagram import MemoryBar
from .engine import QUANT_BY_ID, Explanation, ModelFit, Scenario
from .finetune import FineTuning


def stat(label: str, value: str, testid: str = "", detail: str = "") -> str:
    """jinja2/ui.html's stat macro (one figure of a result's <dl class="stats">), for text that
    needs no escaping."""
    dd = f' data-testid="{testid}"' if testid else ""
    more = f' <span class="muted">{detail}</span>' if detail else ""
    return f"<div><dt>{label}</dt><dd{dd}>{value}{more}</dd></div>"


def quant_label(quant_id: str | None) -> str:
    """The quant_label filter: 'q4_k_m' -> 'Q4_K_M'; None (nothing fits) -> 'none'."""
    return QUANT_BY_ID[quant_id].label if quant_id else "none"


def example_stats(f: ModelFit, s: Scenario, card: GPU) -> Markup:
    """The worked example's figures, one per line of the template's <dl>: a figure that does
    not apply leaves its line empty, as the template's {% if %} did."""
    cards = s.cards
    vram = f"of {cards * card.vram_gib} GiB" + (f" on {cards} cards" if cards > 1 else "")
    if f.kv_cache_counted:
        longest = f"{exact(f.max_context)} tokens" if f.max_context else "none"
        at_limit = f.max_context and f.max_context == f.model_max_context
    else:
        longest, at_limit = "needs the architecture", False
    if f.fits:
        decode_note = "per sequence" if s.batch > 1 else ""
    else:
        decode_note = "with offload to system RAM" if f.runs else "(does not run)"
    decode = (
        f"{fixed(f.decode_tokens_per_s_low, 0)}–{fixed(f.decode_tokens_per_s_high, 0)} tokens/s"
        if f.runs
        else "—"
    )
    lines = [
        stat("Total", gib(f.total_bytes), "total", vram),
        stat(
            "Headroom" if f.fits else "Short by",
            gib(f.headroom_bytes if f.fits else -f.headroom_bytes),
            "headroom",
        ),
        stat(f"Weights in VRAM ({quant_label(s.quant)})", gib(f.weights_bytes), "weights"),
        stat(
            "GGUF file",
            gb(f.file_bytes),
            "file",
            f"+ metadata; its {gib(f.cpu_weights_bytes)} embedding table stays in system RAM",
        )
        if f.cpu_weights_bytes
        else "",
        stat(
            "KV cache", gib(f.kv_cache_bytes) if f.kv_cache_counted else "not counted", "kv_cache"
        ),
        stat("Overhead", gib(f.overhead_bytes), "overhead"),
        # &#39; is the apostrophe as the kit's escape and Jinja2's autoescape write it.
        stat(
            "Longest context that fits",
            longest,
            "max_context",
            "(the model&#39;s limit)" if at_limit else "",
        ),
        stat("Best quantization that fits", quant_label(f.best_quant), "best_quant"),
        stat("Decode speed", decode, "decode", decode_note),
        stat(
            "Time to first token",
            f"{fixed(f.ttft_s_low, 1)}–{fixed(f.ttft_s_high, 1)} s",
            "ttft",
            f"for a {exact(s.context)}-token prompt, {fixed(f.prefill_tokens_per_s, 0)} tokens/s",
        )
        if f.ttft_s is not None
        else "",
        stat(
            "Layers on the GPU" + ("s" if cards > 1 else ""),
            f"{f.gpu_layers} of {f.layers}",
            "gpu_layers",
            f"experts of {f.cpu_moe_layers} layers in system RAM"
            if f.cpu_moe_layers
            else (f"split over {cards} cards" if cards > 1 else ""),
        )
        if f.gpu_layers is not None
        else "",
    ]
    return Markup("\n    ".join(lines))


def bar_shapes(bar: MemoryBar, vram_gib: int) -> Markup:
    """The memory bar's track, segments, VRAM marker and legend (diagram.memory_bar's
    geometry), one element per line as the template drew them."""
    y, h, bottom, x = bar.bar_y, bar.bar_h, bar.height, bar.vram_x
    segments = "".join(
        f'<rect class="svg-{seg.kind}" x="{seg.x}" y="{y}" width="{seg.w}" height="{h}"/>'
        for seg in bar.segments
    )
    return Markup(
        f'<rect class="svg-track" x="1" y="{y}" width="{x - 1}" height="{h}" rx="3"/>\n'
        f"      {segments}\n"
        f'      <line class="svg-vram" x1="{x}" y1="{y - 8}" x2="{x}" y2="{y + h + 8}"/>\n'
        f'      <text class="svg-label" x="{x}" y="14" text-anchor="{bar.vram_anchor}">'
        f"VRAM {vram_gib} GiB</text>\n"
        f'      <rect class="svg-weights" x="4" y="{bottom - 16}" width="10" height="10"/>'
        f'<text class="svg-label" x="18" y="{bottom - 6}">weights</text>\n'
        f'      <rect class="svg-kv" x="90" y="{bottom - 16}" width="10" height="10"/>'
        f'<text class="svg-label" x="104" y="{bottom - 6}">KV cache</text>\n'
        f'      <rect class="svg-overhead" x="186" y="{bottom - 16}" width="10" height="10"/>'
        f'<text class="svg-label" x="200" y="{bottom - 6}">overhead</text>'
    )


def vllm_rows(vllm: dict) -> Markup:
    """The vLLM table's rows, one per weight format (engine.with_serving's `vllm`)."""
    html = []
    for v in vllm.values():
        fmt = escape(v["format"])
        head = (
            f'<tr data-testid="vllm-{fmt}"><th scope="row">{escape(v["label"])}</th>'
            f"<td>{gib(v['weights_per_gpu_bytes'])}</td>"
        )
        if v["problem"]:
            html.append(f'{head}<td colspan="5" class="fit-no">{escape(v["problem"])}</td></tr>')
            continue
        one = (
            f"{fixed(v['one_sequence_tokens_per_s_low'], 0)}–"
            f"{fixed(v['one_sequence_tokens_per_s_high'], 0)}"
        )
        html.append(
            f"{head}<td>{gib(v['kv_cache_per_gpu_bytes'])} ({exact(v['kv_blocks'])} blocks)</td>"
            f'<td data-testid="vllm-seqs-{fmt}">{exact(v["max_sequences"])}</td>'
            f"<td>{exact(v['max_sequences_fp8_kv'])}</td>"
            f"<td>{fixed(v['aggregate_tokens_per_s'], 0)}</td>"
            f'<td data-testid="vllm-one-{fmt}">{one}</td></tr>'
        )
    return Markup("".join(html))


def fine_tuning_rows(t: FineTuning, vram_gib: int) -> Markup:
    """The LoRA and QLoRA table's rows: memory by part, then the total against the card."""
    lora, qlora = t.lora, t.qlora

    def total(e, testid: str) -> str:
        verdict = ("fit-yes", "fits") if e.fits else ("fit-no", "does not fit")
        return (
            f'<td class="{verdict[0]}" data-testid="{testid}">{gib(e.total_bytes)}: '
            f"{verdict[1]}</td>"
        )

    rows = (
        f'<tr><th scope="row">Frozen base</th><td data-testid="lora-base">'
        f'{gib(lora.base_weights_bytes)}</td><td data-testid="qlora-base">'
        f"{gib(qlora.base_weights_bytes)}</td></tr>",
        f'<tr><th scope="row">Adapters ({human(lora.adapter_params)}) with gradients and Adam '
        f"states</th><td>{gib(lora.adapter_bytes)}</td><td>{gib(qlora.adapter_bytes)}</td></tr>",
        f'<tr><th scope="row">Activations (estimate)</th><td>'
        f"{gib(lora.activations.total_bytes)}</td><td>{gib(qlora.activations.total_bytes)}"
        "</td></tr>",
        f'<tr><th scope="row">CUDA runtime</th><td>{gib(lora.overhead_bytes)}</td><td>'
        f"{gib(qlora.overhead_bytes)}</td></tr>",
        f'<tr><th scope="row">Total, of {vram_gib} GiB</th>{total(lora, "lora-total")}'
        f"{total(qlora, 'qlora-total')}</tr>",
    )
    return Markup("\n      ".join(rows))


# The speed model's constants as the worked example prints them (mid values), written once: a
# float's shortest repr is among the costlier things a request formats.
_LAYER_US = fixed(speed.LAYER_COST_S[1] * 1e6, 0)
_HOP_MS = fixed(speed.HOP_S[1] * 1e3, 1)
_KV_EFFICIENCY = str(speed.KV_EFFICIENCY[1])
_CPU_EFFICIENCY = str(speed.CPU_EFFICIENCY[1])
_ATTENTION_EFFICIENCY = str(speed.ATTENTION_EFFICIENCY[1])
_MATMUL_F16 = str(speed.MATMUL_EFFICIENCY_F16[1])
_MATMUL_QUANT = str(speed.MATMUL_EFFICIENCY_QUANT[1])


class CardText(NamedTuple):
    vram: str  # bytes, exact
    bandwidth: str  # GB/s, exact
    weight_efficiency: str  # the mid value for its memory (HBM or not)
    tflops: str  # FP16 tensor TFLOPS, one decimal ("" when the catalog has no figure)


_CARD_TEXT: dict[str, tuple[GPU, CardText]] = {}


def _card_text(card: GPU) -> CardText:
    """A card's spec-sheet figures as the worked example prints them: catalog data, once per
    process for each card (kept with the card they were written from)."""
    kept = _CARD_TEXT.get(card.slug)
    if kept is None or kept[0] is not card:
        text = CardText(
            exact(card.vram_bytes),
            exact(card.bandwidth_gb_s),
            str(speed.weight_efficiency(card)[1]),
            fixed(card.fp16_tensor_tflops, 1) if card.fp16_tensor_tflops else "",
        )
        kept = _CARD_TEXT[card.slug] = (card, text)
    return kept[1]


def worked_example(x: Explanation, card: GPU) -> Markup:
    """The worked example's steps (weights, KV cache, overhead, total, decode, time to first
    token), each substituted with this scenario's numbers, with the whitespace the template's
    lines left between them. Callgrind, a card page's default fragment: 0.50M instructions a
    request in the template (some 90 printed values, each a lookup, a filter and an escape),
    0.18M here, with what depends only on the catalog (a catalog model's weights step in each
    format, the cards' figures, the speed constants) written once per process."""
    s, f, a, w = x.scenario, x.fit, x.arch, x.weights
    lay = w.layout
    if lay:
        weights = _worked_weights(x) if f.id not in BY_ID else _catalog_weights(x)
    else:
        rate = (
            ' <span class="muted">(a parameter count alone: the whole-file rate of '
            f"{escape(x.quant.label)}, from the {escape(x.quant.gib_at_llama3_8b)} GiB llama.cpp "
            "lists for Llama 3 8B's 8,030,261,248 parameters, all counted in VRAM; give the "
            "architecture for the tensor-by-tensor figure)</span>"
            if x.quant.gib_at_llama3_8b
            else ""
        )
        weights = (
            f"<li>Weights = parameters × bits per weight ÷ 8 = {exact(f.params)} × "
            f"{fixed(x.quant.bits_per_weight, 3)} ÷ 8 = <strong>{exact(f.weights_bytes)} bytes "
            f"= {gib(f.weights_bytes)}</strong>{rate}</li>"
        )
    kv = (
        _worked_kv_cache(x) if a else "<li>KV cache: not counted, the architecture is unknown.</li>"
    )
    cards = s.cards
    on_cards = f" ({cards} cards, one each)" if cards > 1 else ""
    logits = (
        ' <span class="muted">(the larger of 0.25 GiB and 512 tokens × '
        f"{exact(a.vocab)} vocabulary × 4 bytes of logits)</span>"
        if a
        else ""
    )
    overhead = (
        f"<li>Overhead = CUDA context and runtime {gib(x.runtime_bytes)}{on_cards} + compute "
        f"buffer {gib(x.compute_bytes)}{logits} = <strong>{gib(f.overhead_bytes)}</strong></li>"
    )
    verdict = (
        f"fits, {gib(f.headroom_bytes)} to spare"
        if f.fits
        else f"{gib(-f.headroom_bytes)} too much"
    )
    total = (
        f"<li>Total = {gib(f.weights_bytes)} + {gib(f.kv_cache_bytes)} + "
        f"{gib(f.overhead_bytes)} = <strong>{gib(f.total_bytes)}</strong> against "
        f"{f'{cards} × ' if cards > 1 else ''}{card.vram_gib} GiB ({_card_text(card).vram} "
        f"bytes): {verdict}.</li>"
    )
    decode = _worked_decode(x, card) if x.decode else ""
    prefill = _worked_prefill(x, card) if f.ttft_s is not None and a else ""
    return Markup(
        f"\n    {weights}\n    \n    \n    {kv}\n    \n    {overhead}\n    {total}\n    "
        f"{decode}\n    {prefill}\n    "
    )


_CATALOG_WEIGHTS: dict[tuple[str, str], str] = {}


def _catalog_weights(x: Explanation) -> str:
    """A catalog model's weights step depends on the model and the format alone (its layout):
    written once per process for each of the eight formats."""
    key = (x.fit.id, x.scenario.quant)
    text = _CATALOG_WEIGHTS.get(key)
    if text is None:
        text = _CATALOG_WEIGHTS[key] = _worked_weights(x)
    return text


def _worked_weights(x: Explanation) -> str:
    """The weights step of a model laid out tensor by tensor (its architecture is known)."""
    f, a, lay = x.fit, x.arch, x.weights.layout
    tied = (
        " (the embedding, tied to the output, takes the output's type)"
        if a.tied_embeddings and lay.embedding_type != "F16"
        else ""
    )
    fallback = (
        f". Here {exact(lay.fallback_tensors)} tensors have rows that are not a multiple of "
        "256 values (the K-quant block), so they fall back to a 32-value format (Q4_K → "
        "Q5_0, Q5_K → Q5_1, Q6_K → Q8_0, Q2_K and Q3_K → Q4_0)"
        if lay.fallback_tensors
        else ""
    )
    shares = " + ".join(
        f"{escape(sh.type)} {exact(sh.elements)} values × {sh.block_bytes} bytes per "
        f"{sh.block_elements}"
        for sh in lay.shares
    )
    copy = (
        "; this model's output layer is the same matrix, which llama.cpp copies to the GPU, "
        "so it is counted above"
        if lay.tied_copy_bytes
        else ", so it is not counted above"
    )
    weights = (
        f"<li>Weights: llama.cpp's quantize gives each tensor of the {escape(x.quant.label)} "
        f"file its own type: {escape(x.quant.mix)}{tied}{fallback}. In VRAM: {shares} = "
        f"<strong>{exact(f.weights_bytes)} bytes = {gib(f.weights_bytes)}</strong> "
        '<span class="muted">(norms and biases stay F32)</span>. The embedding table, '
        f"token_embd ({exact(a.vocab)} × {exact(a.hidden)} in "
        f"{escape(lay.embedding_type)} = {exact(lay.cpu_bytes)} bytes), stays in system "
        f"RAM: llama.cpp keeps the input layer on the CPU{copy}. The file: "
        f"{exact(lay.file_bytes)} bytes of tensors ({gb(lay.file_bytes)}) plus a few MB of "
        "metadata and tokenizer.</li>"
    )
    return weights


def _worked_kv_cache(x: Explanation) -> str:
    s, f, a = x.scenario, x.fit, x.arch
    if a.is_mla:
        kind = (
            "KV cache = (latent + RoPE key) × bytes per value × cells, over the layers: "
            f"multi-head latent attention caches one compressed latent of {a.kv_lora_rank} "
            f"values and one {a.qk_rope_head_dim}-value RoPE key per token and layer, "
            f"{a.k_cache_width} values, from which every head's K and V are rebuilt, where "
            f"ordinary attention would cache K and V for every head, {a.kv_heads} × "
            f"({a.head_dim} + {a.v_head_dim}) = {exact(a.kv_heads * (a.head_dim + a.v_head_dim))}"
            "; llama.cpp stores it as the K cache and allocates no V cache "
            "(src/llama-kv-cache.cpp: has_v = !is_mla), as vLLM's MLA cache does. llama.cpp"
        )
        row = f"{a.k_cache_width} × {exact(x.kv.bytes_per_element)}"
    else:
        kind = (
            "KV cache = 2 (K and V) × KV heads × head dim × bytes per value × cells, over the "
            "layers. llama.cpp"
        )
        row = f"2 × {a.kv_heads} × {a.head_dim} × {exact(x.kv.bytes_per_element)}"
    full_cells = exact(x.full_cells)
    sliding = ""
    sliding_sum = ""
    if x.sliding_layers:
        local = "chunked" if a.chunked_attention else "sliding-window"
        sliding = (
            f", and each of the {x.sliding_layers} {local} layers min(n_ctx, window × sequences "
            f"+ 512 rounded up to a multiple of 256) = min({full_cells}, "
            f"{exact(a.sliding_window)} × {s.batch} + 512 = {exact(x.sliding_wanted)} → "
            f"{exact(x.sliding_padded)}) = <strong>{exact(x.sliding_cells)}</strong> cells"
        )
        sliding_sum = f" + {x.sliding_layers} × {exact(x.sliding_cells)}"
    if x.sliding_layers and a.chunked_attention:
        note = (
            f' <span class="muted">({x.sliding_layers} of {a.layers} layers attend only within '
            f"their own {exact(a.sliding_window)}-token chunk; llama.cpp sizes their cache as "
            "for a sliding window: one chunk for each sequence plus one 512-token "
            "micro-batch)</span>"
        )
    elif x.sliding_layers:
        note = (
            f' <span class="muted">({x.sliding_layers} of {a.layers} layers attend only to the '
            f"last {exact(a.sliding_window)} tokens; llama.cpp keeps that window for each "
            "sequence plus one 512-token micro-batch)</span>"
        )
    elif a.kv_heads < a.heads:
        note = (
            f' <span class="muted">(grouped-query attention: {a.kv_heads} KV heads serve '
            f"{a.heads} query heads)</span>"
        )
    else:
        note = ""
    return (
        f"<li>{kind} gives each full-attention layer n_ctx = context × sequences rounded up to "
        f"a multiple of 256 = <strong>{full_cells}</strong> cells{sliding}: {row} × "
        f"({x.full_layers} × {full_cells}{sliding_sum}) = <strong>{exact(f.kv_cache_bytes)} "
        f"bytes = {gib(f.kv_cache_bytes)}</strong>{note}</li>"
    )


def _worked_decode(x: Explanation, card: GPU) -> str:
    s, f, a, w = x.scenario, x.fit, x.arch, x.weights
    text = _card_text(card)
    bandwidth = text.bandwidth
    if f.offload == "gpu":
        row = (
            f" + {s.batch} × {exact(w.embedding_row_bytes)} bytes of embedding row"
            if w.embedding_row_bytes
            else ""
        )
        reads = (
            f" + {gb(x.bytes_per_step)} read ({gb(w.active_gpu_bytes)} of "
            f"{'active ' if f.is_moe else ''}weights{row}) ÷ ({bandwidth} GB/s × "
            f"{text.weight_efficiency}) + {gb(f.kv_cache_bytes)} KV cache ÷ "
            f"({bandwidth} GB/s × {_KV_EFFICIENCY})"
        )
    else:
        reads = (
            f" + the GPU part at {bandwidth} GB/s + the system-RAM part at "
            f"{fixed(s.ram_bandwidth_gb_s, 1)} GB/s × {_CPU_EFFICIENCY}"
        )
    hops = f" + {s.cards - 1} × {_HOP_MS} ms between cards" if s.cards > 1 else ""
    lookup = (
        ' <span class="muted">(each new token looks up one row of the embedding table, not the '
        "table)</span>"
        if w.embedding_row_bytes
        else ""
    )
    return (
        f'<li data-testid="worked-decode">Decode: seconds per token = '
        f"{a.layers if a else 0} layers × {_LAYER_US} µs{reads}"
        f"{hops}: <strong>{fixed(x.decode.mid, 1)} tokens/s</strong>, "
        f"{fixed(x.decode.low, 1)} to {fixed(x.decode.high, 1)} with the constants' ranges"
        f"{lookup}.</li>"
    )


def _worked_prefill(x: Explanation, card: GPU) -> str:
    s, f, a = x.scenario, x.fit, x.arch
    matrices = f.active_params - a.vocab * a.hidden * (1 if a.tied_embeddings else 2)
    tflops = _card_text(card).tflops
    matmul = _MATMUL_F16 if s.quant == "f16" else _MATMUL_QUANT
    copying = (
        " + copying the RAM layers to the GPU per 512-token batch" if f.offload != "gpu" else ""
    )
    return (
        f'<li data-testid="worked-prefill">Time to first token = 2 × {exact(matrices)} matrix '
        f"parameters × {exact(s.context)} tokens ÷ ({tflops} TFLOPS × {matmul}) + attention ÷ "
        f"({tflops} TFLOPS × {_ATTENTION_EFFICIENCY}){copying} = <strong>"
        f"{fixed(f.ttft_s, 2)} s</strong> ({fixed(f.prefill_tokens_per_s, 0)} tokens/s; "
        f"{fixed(f.ttft_s_low, 2)} to {fixed(f.ttft_s_high, 2)} s).</li>"
    )


class ArchText(NamedTuple):
    """An architecture's sizes as the fine-tuning steps print them."""

    hidden: str
    q_dim: str
    kv_dim: str
    ffn_hidden: str
    vocab: str
    adapters: str  # the adapter count's formula, then its substitution after "= rank × layers × "
    adapters_substituted: str


_ARCH_TEXT: dict[str, tuple] = {}


def _arch_text(model_id: str, a) -> ArchText:
    """A catalog model's once per process (kept with the architecture it was written from);
    the user's own every time."""
    kept = _ARCH_TEXT.get(model_id)
    if kept is not None and kept[0] is a:
        return kept[1]
    h, q, kv, f = exact(a.hidden), exact(a.q_dim), exact(a.kv_dim), exact(a.ffn_hidden)
    if a.fused_projections:
        formula = "[(h + q + 2kv) + (q + h) + (h + 2f) + (f + h)]"
        substituted = f"[({h} + {q} + 2 × {kv}) + ({q} + {h}) + ({h} + 2 × {f}) + ({f} + {h})]"
    else:
        experts = f"{a.experts} experts × " if a.is_moe else ""
        formula = f"[(h + q) + 2 × (h + kv) + (q + h) + {experts}3 × (h + f)]"
        experts = f"{a.experts} × " if a.is_moe else ""
        substituted = f"[({h} + {q}) + 2 × ({h} + {kv}) + ({q} + {h}) + {experts}3 × ({h} + {f})]"
    text = ArchText(h, q, kv, f, exact(a.vocab), formula, substituted)
    if model_id in BY_ID:  # bounded by the catalog: never a request's own values
        _ARCH_TEXT[model_id] = (a, text)
    return text


def fine_tuning_worked(
    t: FineTuning, f: ModelFit, a, rank: int, seq_len: int, quantized: int, unquantized: int,
    mlp_width: int, vram_gib: int,
) -> Markup:  # fmt: skip
    """The LoRA and QLoRA estimate's steps, one line each as the template wrote them.
    Callgrind, a card page's default fragment: 0.30M instructions a request in the template
    (some 50 printed values), 0.11M here."""
    x = _arch_text(f.id, a)
    seq = exact(seq_len)
    lora, qlora, acts = t.lora, t.qlora, t.lora.activations
    fused = (
        ' <span class="muted">(this model stores Q, K and V as one matrix, and gate and up as '
        "one: fewer, wider adapters)</span>"
        if a.fused_projections
        else ""
    )
    routed = (
        f' <span class="muted">(f = {a.experts_per_token} routed experts × {x.ffn_hidden})</span>'
        if a.is_moe
        else ""
    )
    acts_total = gib(acts.total_bytes)
    qlora_base = gib(qlora.base_weights_bytes)
    lines = (
        f"<li>Adapter parameters = rank × layers × {x.adapters} = {rank} × {a.layers} × "
        f"{x.adapters_substituted} = <strong>{exact(lora.adapter_params)}</strong>; × 16 bytes "
        "(weights, gradients, Adam's two states and master copy) = "
        f"{gib(lora.adapter_bytes)}{fused}</li>",
        f"<li>LoRA base = {exact(f.params)} parameters × 2 bytes = <strong>"
        f"{gib(lora.base_weights_bytes)}</strong></li>",
        "<li>QLoRA base = layer matrices × 8,452 bytes per 16,384 weights (4.127 bits) + the "
        f"rest × 2 bytes = {exact(quantized)} × 8,452 ÷ 16,384 + {exact(unquantized)} × 2 = "
        f"<strong>{qlora_base}</strong></li>",
        "<li>Activations ≈ layers × 2 × s × h (checkpoints) + s × (16h + 4q + 4kv + 4 × heads + "
        "8f + 8) (one layer rebuilt) + 14 × s × vocabulary (the loss) = "
        f"{a.layers} × 2 × {seq} × {x.hidden} + {seq} × (16 × {x.hidden} + 4 × {x.q_dim} + "
        f"4 × {x.kv_dim} + 4 × {a.heads} + 8 × {exact(mlp_width)} + 8) + 14 × {seq} × "
        f"{x.vocab} = {gib(acts.checkpoints_bytes)} + {gib(acts.layer_bytes)} + "
        f"{gib(acts.loss_bytes)} = <strong>{acts_total}</strong>{routed}</li>",
        f"<li>QLoRA total = {qlora_base} + {gib(qlora.adapter_bytes)} + {acts_total} + "
        f"{gib(qlora.overhead_bytes)} = <strong>{gib(qlora.total_bytes)}</strong>; LoRA total "
        f"<strong>{gib(lora.total_bytes)}</strong>, against {vram_gib} GiB.</li>",
    )
    return Markup("\n    ".join(lines))
