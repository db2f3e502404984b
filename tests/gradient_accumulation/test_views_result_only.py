"""The flagship's live result prints its inputs from the result (the Plan and its options, the
GPU behind an estimated peak included), not from the form: the fragment comes out byte for byte
the same with the form's inputs hidden from the result block's context (tests/result_only.py)."""

import pytest

from calculators.forms import GradAccumForm
from tests.result_only import fragment_pair

SCENARIOS = [
    "",
    "global_batch=1000&rounding=down",  # not a clean multiple
    "target_tokens=4000000&seq_len=4096",
    "pp=4&vpp=2&gpus=64&global_batch=512",  # the pipeline section and its picture
    "train_tokens=1e12&model=llama-3.1-8b&gpu=a100-80gb&mfu=0.4",  # a catalog GPU's peak
    "train_tokens=1e12&params_b=7&peak_tflops=500&mfu=0.4",  # a custom peak
    "train_tokens=1e11&tokens_per_gpu_s=3000&dataset_sequences=100000",
    "rampup_start=32&rampup_increment=32&rampup_samples=100000&train_tokens=1e10",
    "ref_lr=3e-4&ref_batch=256",
    "compare=micro_batch%3D8",
]


@pytest.mark.parametrize("query", SCENARIOS)
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, query):
    served, hidden = fragment_pair(monkeypatch, GradAccumForm, f"/gradient-accumulation/?{query}")
    assert hidden == served
