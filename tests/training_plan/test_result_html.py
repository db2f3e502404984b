"""The planner's result parts written in Python (training_plan/result_html.py) against the
template parts they replaced (result_before.html, as page.html had them), rendered by the site's
Jinja2 with the same page context, over scenarios that take every branch: a plan that fits and
none that does, every recomputation, interleaving, pipeline, tensor and context parallelism, one
micro-batch per step and many, plans that lose to the first by several parts, by none, or by not
fitting, a model that fits whole on each GPU and one split in stages. Also the calibration table,
rendered once per process (training_plan/once.py), against the page's table as it rendered it
on every request."""

import re
from pathlib import Path

import pytest
from django.http import QueryDict
from django.template import engines

from training_plan import once
from training_plan.engine import calibration
from training_plan.forms import SHOWN, TrainingPlanForm

BEFORE = (Path(__file__).parent / "result_before.html").read_text()
SECTIONS = dict(re.findall(r"\{#- section (\w+) -#\}\n(.*?)\n(?=\{#- section|\Z)", BEFORE, re.S))
# The page's result_body opens these for the parts (the plan's time and memory only with a plan
# that fits).
WRAP = "{% with r=result, best=result.best, c=inputs %}{{}}{% endwith %}"
WRAP_BEST = (
    "{% with r=result, best=result.best, c=inputs %}{% with t=best.time, m=best.memory %}"
    "{{}}{% endwith %}{% endwith %}"
)
PLAN_PARTS = ("plan_heads", "plan_rows", "summary_line")
BEST_PARTS = ("headline", "stats", "memory_rows", "time_rows", "worked_example", "handoffs")

QUERIES = [
    "",
    "model=llama-3.3-70b&gpus=1024",
    "model=llama-3.3-70b&gpus=1024&seq_len=32768&global_batch=1024",
    "pp=4&vpp=2",
    "cp=2",
    "recompute=full",
    "recompute=selective",
    "tp=8&pp=2&cp=1&micro_batch=1&recompute=full&zero=1",
    "tp=8&pp=4&vpp=2&zero=3",
    "zero=0",
    "global_batch=64&gpus=64&micro_batch=1&tp=1&pp=1&cp=1",
    "model=custom&layers=24&hidden=2048&heads=16&kv_heads=16&ffn_hidden=8192&vocab=50257&tied=1",
    "model=llama-3.3-70b&gpu=rtx-4090-24gb&gpus=1",
    "model=llama-3.3-70b&gpu=rtx-4090-24gb&gpus=8",
    "gpu=a100-80gb&model=llama-3.1-8b&gpus=64&tp=1&pp=1&zero=0",
    "model=gemma-3-1b&gpus=2&gpus_per_node=2&seq_len=131072",
    "gpu=rtx-4090-24gb&gpus=8&model=llama-3.2-1b",
    "gpu=a100-40gb&gpus=16&gpus_per_node=8&precision=fp32&optimizer=sgd",
]


def page_context(query: str) -> dict:
    form = TrainingPlanForm(QueryDict(query))
    assert form.is_valid(), form.errors
    r = form.result
    shown = list(zip(r.first(SHOWN), r.first_losses(SHOWN), strict=True))
    return {
        "result": r,
        "shown": shown,
        "inputs": form.cleaned_data,
        "links": form.links(r.best) if r.best else {},
        **form.extra_context(),
    }


def rendered(section: str, context: dict) -> str:
    env = next(e for e in engines.all() if hasattr(e, "env")).env
    wrap = WRAP if section in PLAN_PARTS else WRAP_BEST
    return env.from_string(wrap.replace("{{}}", SECTIONS[section])).render(context)


def test_every_section_is_read():
    assert set(SECTIONS) == {*PLAN_PARTS, *BEST_PARTS}


@pytest.mark.parametrize("query", QUERIES)
def test_written_parts_are_the_template_parts(query):
    context = page_context(query)
    for part in PLAN_PARTS:
        assert context[part] == rendered(part, context), part
    if context["result"].best:
        for part in BEST_PARTS:
            assert context[part] == rendered(part, context), part
    else:
        assert not set(BEST_PARTS) & set(context)


def test_the_scenarios_take_every_branch():
    contexts = [page_context(query) for query in QUERIES]
    bests = [c["result"].best for c in contexts if c["result"].best]
    shown = [(i, p, losses) for c in contexts for i, (p, losses) in enumerate(c["shown"], 1)]
    assert len(bests) < len(contexts)  # some scenario has no plan that fits
    assert {b.recompute for b in bests} == {"none", "selective", "full"}
    assert any(b.vpp > 1 for b in bests) and any(b.vpp == 1 for b in bests)
    assert any(b.pp > 1 for b in bests) and any(b.pp == 1 for b in bests)
    assert any(b.tp > 1 for b in bests) and any(b.cp > 1 for b in bests)
    assert any(b.accumulation_steps == 1 for b in bests)
    assert any(b.accumulation_steps > 1 for b in bests)
    assert {b.memory.stage for b in bests} >= {"only", "first"}
    later = [(p, losses) for i, p, losses in shown if i > 1]
    assert any(p.fits and not losses for p, losses in later)  # "within 1% of it"
    assert any(len(losses) > 1 for p, losses in later)
    assert any(not p.fits and losses for p, losses in later)  # "does not fit; also ..."
    assert any(not p.fits and not losses for p, losses in later)
    assert any(not p.fits for i, p, _ in shown if i == 1)  # "#1", not "Recommended"
    kinds = {x.kind for _, losses in later for x in losses}
    assert kinds == {"compute", "recompute", "bubble", "communication"}


def test_calibration_section_is_the_table_the_page_rendered():
    """The table as page.html wrote it in its after_formula block (commit 5f0dfa7)."""
    env = next(e for e in engines.all() if hasattr(e, "env")).env
    source = (Path(__file__).parent / "calibration_before.html").read_text()
    expected = env.from_string(source).render(
        {"calibration": calibration.rows(), "worst": calibration.worst()}
    )
    assert once.calibration_section() == expected
    assert once.calibration_section() is once.calibration_section()  # kept per process
