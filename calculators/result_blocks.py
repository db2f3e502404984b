"""Blocks of the flagship's live result written in Python, called from its Jinja2 template
(calculators/jinja2/calculators/ga/result.html): the eight framework snippets, the
published-recipe rows and the two diagrams.

The same markup as a template loop would give, at a fraction of the cost: these are part of
every live recompute. Every text is escaped."""

from django.utils.safestring import mark_safe

from .diagram import pipeline_diagram as pipeline_layout
from .diagram import pipeline_svg as pipeline_markup
from .diagram import step_diagram as step_layout
from .diagram import step_svg
from .html import escape
from .templatetags.numbers import exact, human, times

NOTE_LABELS = {"rejects": "Refused", "warning": "Check"}


def snippet_html(s) -> str:
    fw = escape(s.framework)
    title = escape(s.title)
    rejected = ' data-rejected="true"' if s.rejected else ""
    badge = ' <span class="badge">cannot run this as is</span>' if s.rejected else ""
    notes = "".join(
        f'<li class="note-{escape(note.kind)}"><strong>{NOTE_LABELS.get(note.kind, "Note")}:'
        f"</strong> {escape(note.text)}</li>"
        for note in s.notes
    )
    alternatives = "".join(
        f'<p class="snippet-label" data-testid="config-{fw}-alt-{i}-label">'
        f"Alternative: {escape(alt.label)}</p>"
        + snippet_pre(f"config-{fw}-alt-{i}", f"{title}, {escape(alt.label)}", s.format, alt.text)
        for i, alt in enumerate(s.alternatives, 1)
    )
    return (
        f'<details class="config" id="config-{fw}" data-testid="config-{fw}"{rejected}>'
        f"<summary>{title}{badge}</summary>"
        + snippet_pre(f"config-{fw}", title, s.format, s.text)
        + f'<ul class="config-notes">{notes}</ul>{alternatives}</details>'
    )


def snippet_pre(ident: str, title: str, fmt: str, text: str) -> str:
    """A copyable snippet; `ident` and `title` are already escaped."""
    return (
        f'<div class="snippet"><button type="button" class="secondary copy-snippet" '
        f'data-copy-text="{ident}-text" hidden>Copy<span class="visually-hidden"> {title}'
        f'</span></button><pre id="{ident}-text" data-format="{escape(fmt)}"><code>'
        f"{escape(text)}</code></pre></div>"
    )


def config_snippets(snippets):
    return mark_safe("\n".join(snippet_html(s) for s in snippets))


def recipe_rows(recipes):
    """The published-recipe comparison rows (part of every recompute)."""
    return mark_safe(
        "".join(
            f'<tr><td><a href="{escape(r.url)}">{escape(r.name)}</a> '
            f'<span class="muted">{escape(r.source)}</span></td>'
            f"<td>{human(r.tokens_per_step)} "
            f'<span class="muted">({exact(r.tokens_per_step)})</span></td>'
            f"<td>{times(r.ratio)}</td></tr>"
            for r in recipes
        )
    )


def step_diagram(plan):
    a = plan.accumulation
    return step_layout(a.data_parallel_size, a.accumulation_steps, plan.inputs.micro_batch)


def svg_markup(diagram):
    # step_svg escapes every text and attribute it writes.
    return mark_safe(step_svg(diagram))


def pipeline_diagram(plan):
    pipe = plan.pipeline
    return pipeline_layout(pipe.pp, pipe.vpp, pipe.microbatches)


def pipeline_svg(diagram):
    # pipeline_svg escapes every text and attribute it writes.
    return mark_safe(pipeline_markup(diagram))
