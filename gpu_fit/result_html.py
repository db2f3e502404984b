"""Parts of a card page's live result written in Python, because a benchmark says so: the result
is rendered on every keystroke, and in Jinja2 every printed value costs an autoescape (a Python
call building a Markup object) and every ui macro call far more. The text these print is
numbers from the kit's formatters (digits, separators, a unit: no character HTML escapes) and
the constants below; anything else goes through the kit's one escaping helper. The template's
parts they replaced are in tests/gpu_fit/test_fast_paths.py, rendered against these.

Callgrind, a card page's default fragment (instructions a request): the result block rendered
3.58M in the template and 2.19M with these four parts written here, which cost 0.37M together
(the worked example's figures, eleven ui.stat calls, 0.78M in the template and 0.13M here; the
memory bar's shapes, the vLLM rows and the LoRA and QLoRA rows the rest).
"""

from calculators.catalog.gpus import GPU
from calculators.kit.html import Markup, escape
from calculators.kit.numbers import exact, fixed, gb, gib, human

from .diagram import MemoryBar
from .engine import QUANT_BY_ID, ModelFit, Scenario
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
        # &#39; is the apostrophe as Jinja2's autoescape wrote it.
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
