"""The live result prints its inputs from the result (FitResult.scenario and .hardware), not from
the form: the fragment comes out byte for byte the same with the form's inputs hidden from the
result block's context (tests/result_only.py), in every branch of its notes and worked example
that prints an input."""

from types import SimpleNamespace

import pytest
from django.template import engines
from django.test import Client

from activation_memory.forms import ActivationMemoryForm
from tests.result_only import HTMX, HiddenInputs, ReadTheInputs, fragment_pair, hide_inputs

SCENARIOS = [
    "",
    "pp=4&accumulation_steps=2",  # fewer micro-batches than stages
    "pp=4&vpp=2",  # interleaved, n assumed
    "pp=4&vpp=2&accumulation_steps=64",
    "pp=2&tp=4&sp=1&gpus=16",
    "gpu=custom&gpu_gib=24.5&reserve_pct=5",  # the GPU's name from the capacity
    "preset=llama-3.1-70b&gpu=rtx-4090-24gb&gpus=1&zero=0",  # not even one sequence fits
    "arch=gpt&attention=eager&recompute=selective&dtype_bytes=4",
    "recompute=full&micro_batch=64&tp=2",
]


@pytest.mark.parametrize("query", SCENARIOS)
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, query):
    served, hidden = fragment_pair(
        monkeypatch, ActivationMemoryForm, f"/activation-memory/?{query}"
    )
    assert hidden == served


def test_a_context_builder_that_reads_the_inputs_is_caught(monkeypatch):
    original = ActivationMemoryForm.extra_context

    def reads_the_inputs(form):  # what the page did before: the values passed on
        return {**original(form), "values": SimpleNamespace(**form.cleaned_data)}

    monkeypatch.setattr(ActivationMemoryForm, "extra_context", reads_the_inputs)
    hide_inputs(monkeypatch, ActivationMemoryForm)
    with pytest.raises(ReadTheInputs):
        Client(SERVER_NAME="localhost").get("/activation-memory/", headers=HTMX)


def test_a_template_that_prints_the_inputs_is_caught():
    env = next(e for e in engines.all() if hasattr(e, "env")).env
    with pytest.raises(ReadTheInputs):
        env.from_string("{{ inputs.pp }}").render(inputs=HiddenInputs(pp=4))
