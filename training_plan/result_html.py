"""Parts of the planner's live result written in Python, because a benchmark says so: the result
is rendered on every keystroke, and in Jinja2 every printed value costs an autoescape, every
attribute an environment.getattr, every loop a LoopContext and every ui macro call far more.
The text these print is numbers from the kit's formatters (digits, separators, a unit: nothing
HTML escapes) and the constants below; anything else (model and GPU names, the engine's words)
goes through the kit's one escaping helper (the same entities as Jinja2's autoescape). The
template's parts they replaced are in tests/training_plan/result_before.html, rendered against
these by
tests/training_plan/test_result_html.py.

Callgrind, the default /training-plan/ fragment (instructions a request): the result block
rendered in 1.88M with these parts in the template (of which the plans table 0.49M, the headline
and stat cards 0.37M, the worked example 0.20M, the step-time and memory tables 0.29M, the
hand-off list 0.11M, the one-line summary 0.10M) and in 0.30M without them; written here they
cost about 0.8M, most of it the kit's number formatting, which the template paid too. The whole
fragment went from 12.90M to 12.21M with the first five, 11.79M to 11.66M with the last two.
"""

from calculators.kit.html import Markup, escape
from calculators.kit.numbers import approx, duration, exact, fixed, gib, human, percent

# What each kind of loss (the engine's Loss.kind) is called in the "why slower" row.
LOSS_WORDS = {
    "compute": "smaller GEMMs",
    "recompute": "recomputation",
    "bubble": "pipeline bubble",
    "communication": "communication",
}


def stat(label: str, value: str, testid: str, detail: str = "") -> str:
    """jinja2/ui.html's stat macro (one figure of a result's <dl class="stats">), for text that
    needs no escaping."""
    more = f' <span class="muted">{detail}</span>' if detail else ""
    return f'<div><dt>{label}</dt><dd data-testid="{testid}">{value}{more}</dd></div>'


def headline(r, best) -> Markup:
    """The recommended layout in one sentence."""
    steps = best.accumulation_steps
    chunks = f", {best.vpp} interleaved chunks" if best.vpp > 1 else ""
    return Markup(
        f'<p class="headline">For {escape(r.shape.name)} on {exact(r.cluster.gpus)} × '
        f'{escape(r.cluster.name)}: <span class="big" data-testid="best-layout">TP {best.tp} · '
        f'PP {best.pp} · CP {best.cp} · DP {best.dp}</span> <span class="muted">micro-batch '
        f"{best.micro_batch}, {exact(steps)} micro-batch{'' if steps == 1 else 'es'} per step"
        f"{chunks}, recompute {escape(best.recompute)}, ZeRO {best.zero_stage}</span></p>"
    )


def stats(r, best) -> Markup:
    """The recommended plan's stat cards, one per line as the template wrote them."""
    if best.recompute == "full":
        hardware = ", with the recomputed forward"
    else:
        hardware = ", the same: nothing recomputed"
    lines = (
        stat("Time per step", f"{fixed(best.seconds_per_step, 2)} s", "seconds_per_step"),
        stat(
            "Throughput",
            f"{human(best.tokens_per_s)} tokens/s",
            "tokens_per_s",
            f"({approx(best.tokens_per_s / r.cluster.gpus)} per GPU)",
        ),
        stat(
            "Model TFLOP/s per GPU",
            fixed(best.tflops_per_gpu, 0),
            "tflops_per_gpu",
            f"MFU {percent(best.mfu)}",
        ),
        stat(
            "Hardware TFLOP/s per GPU",
            fixed(best.hardware_tflops_per_gpu, 0),
            "hardware_tflops_per_gpu",
            f"{percent(best.hfu)} of peak{hardware}",
        ),
        stat(
            "Whole run",
            duration(best.run_seconds),
            "run_time",
            f"({exact(best.optimizer_steps)} steps of {human(r.run.tokens_per_step)} tokens)",
        ),
        stat(
            "Memory, most loaded GPU",
            gib(best.memory.total),
            "memory_total",
            f"of {gib(r.usable_bytes)} usable",
        ),
    )
    return Markup("\n    ".join(lines))


def plan_heads(shown) -> Markup:
    """The plans table's column headings after "Plan"."""
    return Markup(
        "".join(
            f'<th scope="col">{"Recommended" if i == 1 and p.fits else f"#{i}"}</th>'
            for i, (p, _) in enumerate(shown, 1)
        )
    )


def why_slower(i: int, p, losses) -> str:
    """The last row's cell: what a plan loses against the first, or why it is not listed as
    recommended."""
    if i == 1:
        return "—"
    parts = "; ".join(f"{LOSS_WORDS[x.kind]} +{fixed(x.seconds, 2)} s" for x in losses)
    if not p.fits:
        return f"does not fit in memory; also {parts}" if parts else "does not fit in memory"
    return parts or "within 1% of it"


def plan_rows(shown) -> Markup:
    """The plans table's rows: one per figure, one column per plan (`shown` is (plan, losses)
    fastest first)."""
    numbered = list(enumerate(shown, 1))
    plans = [p for p, _ in shown]

    def row(heading: str, cells) -> str:
        return f'<tr><th scope="row">{heading}</th>{"".join(cells)}</tr>'

    rows = (
        row(
            "TP · PP · CP · DP",
            (
                f'<td data-testid="plan-{i}-layout">{p.tp} · {p.pp} · {p.cp} · {p.dp}</td>'
                for i, (p, _) in numbered
            ),
        ),
        row("Interleaved chunks", (f"<td>{p.vpp}</td>" for p in plans)),
        row(
            "Micro-batch × micro-batches",
            (f"<td>{exact(p.micro_batch)} × {exact(p.accumulation_steps)}</td>" for p in plans),
        ),
        row(
            "Recompute, ZeRO",
            (f"<td>{escape(p.recompute)}, {p.zero_stage}</td>" for p in plans),
        ),
        row(
            "Memory (most loaded GPU)",
            (
                f"<td>{gib(p.memory.total)}"
                f"{'' if p.fits else ' <strong>does not fit</strong>'}</td>"
                for p in plans
            ),
        ),
        row(
            "Time per step",
            (
                f'<td data-testid="plan-{i}-seconds">{fixed(p.seconds_per_step, 2)} s</td>'
                for i, (p, _) in numbered
            ),
        ),
        row("MFU", (f"<td>{percent(p.mfu)}</td>" for p in plans)),
        row(
            "Pipeline bubble",
            (f"<td>{percent(p.pipeline_bubble) if p.pp > 1 else 'none'}</td>" for p in plans),
        ),
        row(
            "Why it is slower than the first",
            (
                f'<td data-testid="plan-{i}-why">{why_slower(i, p, losses)}</td>'
                for i, (p, losses) in numbered
            ),
        ),
    )
    return Markup("\n      ".join(rows))


def memory_rows(r, bar, memory) -> Markup:
    """The memory table's rows: the bar's parts, the total and the usable memory."""
    parts = "".join(
        f'<tr><td><span class="swatch svg-mem-{escape(s.key)}" aria-hidden="true"></span>'
        f"{escape(s.label)}</td><td>{s.gib}</td><td>{exact(s.bytes)}</td></tr>"
        for s in bar.segments
    )
    return Markup(
        f"{parts}\n"
        f'      <tr><th scope="row">Total</th><td>{gib(memory.total)}</td>'
        f'<td data-testid="memory_bytes">{exact(memory.total)}</td></tr>\n'
        f'      <tr><th scope="row">Usable of {escape(r.cluster.name)}</th>'
        f"<td>{gib(r.usable_bytes)}</td><td>{exact(r.usable_bytes)}</td></tr>"
    )


def time_rows(t) -> Markup:
    """The step-time table's rows: each part of a step, then the step."""
    # &#39; is the apostrophe as the kit's escape and Jinja2's autoescape write it.
    layers = f"Layers&#39; forward and backward at {percent(t.efficiency)} of peak"
    parts = (
        (layers, t.compute - t.recompute),
        ("Recomputation&#39;s extra forward", t.recompute),
        ("Pipeline bubble", t.bubble),
        ("Tensor-parallel all-reduces", t.tensor_parallel),
        ("Context-parallel K/V exchange", t.context_parallel),
        ("Pipeline sends", t.pipeline_p2p),
        ("Data-parallel communication not hidden", t.data_parallel),
    )  # fmt: skip
    rows = "".join(
        f"<tr><td>{label}</td><td>{fixed(value, 3)}</td><td>{percent(value / t.seconds)}</td></tr>"
        for label, value in parts
    )
    return Markup(
        f"{rows}\n"
        f'      <tr><th scope="row">Step</th><td>{fixed(t.seconds, 3)}</td><td>100%</td></tr>'
    )


def worked_example(r, best) -> Markup:
    """The worked example's steps with this request's numbers, one <li> per line."""
    t = best.time
    steps = exact(best.accumulation_steps)
    gpus, batch = exact(r.cluster.gpus), exact(r.run.global_batch)
    flops, tokens = human(r.flops_per_token), exact(r.run.tokens_per_step)
    t_mb, step = fixed(t.micro_batch_seconds, 4), fixed(t.seconds, 3)
    peak = r.cluster.peak_flops / 1e12
    extras = (
        (", plus a third for recomputation" if best.recompute == "full" else "")
        + (", plus tensor-parallel all-reduces" if best.tp > 1 else "")
        + (", plus pipeline sends" if best.pp > 1 else "")
    )
    layout = f"TP {best.tp} × PP {best.pp} × CP {best.cp} × DP {best.dp}"
    items = (
        f"{gpus} GPUs = {layout}; each data-parallel rank takes "
        f"{exact(r.run.global_batch // best.dp)} of the {batch} sequences as m = {steps} "
        f"micro-batches of {best.micro_batch}.",
        f"Model FLOPs per token (PaLM's count, 6N + 12·L·H·Q·T) = {flops}; a step is "
        f"{tokens} tokens.",
        f"One micro-batch through the slowest stage: t_mb = {t_mb} s (GEMMs at "
        f"{percent(t.efficiency)} of {fixed(peak, 0)} TFLOP/s{extras}).",
        f"Step = (m + (p − 1)/v) × t_mb + exposed data-parallel time = ({steps} + "
        f"{best.pp - 1}/{best.vpp}) × {t_mb} + {fixed(t.data_parallel, 3)} = "
        f"<strong>{step} s</strong>.",
        f"MFU = {tokens} × {flops} ÷ ({gpus} × {fixed(peak, 1)} TFLOP/s × {step} s) = "
        f"<strong>{percent(best.mfu)}</strong>.",
    )
    return Markup("\n    ".join(f"<li>{item}</li>" for item in items))


def summary_line(r, best) -> str:
    """The result's headline in one line of text (tool.html's result_summary)."""
    if best is None:
        return f"No layout fits in {gib(r.usable_bytes)} per GPU"
    return (
        f"TP {best.tp} · PP {best.pp} · CP {best.cp} · DP {best.dp} · "
        f"{fixed(best.seconds_per_step, 2)} s per step · MFU {percent(best.mfu)}"
    )


def handoffs(links: dict, r, best) -> Markup:
    """The hand-off list's items, one per line: the sibling tools with this plan's numbers (a
    tool that is not installed leaves its line empty)."""
    batch = exact(r.run.global_batch)
    lines = ["", "", ""]
    if links.get("accumulation"):
        vpp = f", VPP {best.vpp}" if best.vpp > 1 else ""
        lines[0] = (
            f'<li><a href="{escape(links["accumulation"])}" data-testid="link-accumulation">'
            f"Gradient accumulation with this layout</a>: global batch {batch}, micro-batch "
            f"{best.micro_batch}, TP {best.tp}, PP {best.pp}, CP {best.cp}{vpp} on "
            f"{exact(r.cluster.gpus)} GPUs.</li>"
        )
    if links.get("activation"):
        split = (
            f" ({exact(r.run.seq_len // best.cp)} tokens per GPU: CP {best.cp} splits the sequence)"
            if best.cp > 1
            else ""
        )
        lines[1] = (
            f'<li><a href="{escape(links["activation"])}" data-testid="link-activation">'
            f"Activation memory of this model at micro-batch {best.micro_batch}</a>{split}, the "
            "same count this page uses.</li>"
        )
    if links.get("lr"):
        lines[2] = (
            f'<li><a href="{escape(links["lr"])}" data-testid="link-lr">Learning rate for a '
            f"global batch of {batch}</a>.</li>"
        )
    return Markup("\n    ".join(lines))
