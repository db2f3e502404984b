"""Every tool's live result prints its inputs from the result, not from the form: the fragment
comes out byte for byte the same with the form's inputs hidden from the result block's context
(tests/result_only.py), at the defaults and with every field at its upper bound, and for the
tools below in the branches that print an input. Activation memory, the GPU pages and the metric
tools have their own scenarios in their folders (test_views_result_only.py)."""

import pytest

from tests.result_only import fragment_pair
from tests.site.tool_fields import TOOLS, upper_bound_path

BRANCHES = {
    "gradient-accumulation": [
        "global_batch=1000&rounding=down",  # not a clean multiple
        "target_tokens=4000000&seq_len=4096",
        "pp=4&vpp=2&gpus=64&global_batch=512",  # the pipeline section and its picture
        "train_tokens=1e12&model=llama-3.1-8b&gpu=a100-80gb&mfu=0.4",  # a catalog GPU's peak
        "train_tokens=1e12&params_b=7&peak_tflops=500&mfu=0.4",  # a custom peak
        "train_tokens=1e11&tokens_per_gpu_s=3000&dataset_sequences=100000",
        "rampup_start=32&rampup_increment=32&rampup_samples=100000&train_tokens=1e10",
        "ref_lr=3e-4&ref_batch=256",
        "compare=micro_batch%3D8",
    ],
    "training-plan": [
        "gpus=8&model=llama-3.3-70b",  # nothing fits
        "seq_len=131072&gpus=128&global_batch=128",  # context parallelism splits the sequence
        "tp=4&pp=4&vpp=2&recompute=full&zero=1",
        "model=custom&layers=48&hidden=6144&heads=48&kv_heads=8&ffn_hidden=16384&vocab=65536",
        "gpu=b200&gpus=64",
    ],
    "lr-scaling": [
        "optimizer=sgd&new_batch=64",
        "critical_batch=512&new_batch=4096",
        "tokens=1e12&seq_len=4096&base_warmup=2000",
        "layers=32&hidden=4096",
    ],
}
CASES = [
    (tool, path)
    for tool in TOOLS
    for path in [
        tool.path,
        upper_bound_path(tool),
        *(f"{tool.path}?{query}" for query in BRANCHES.get(tool.slug, ())),
    ]
]


@pytest.mark.parametrize("tool, path", CASES, ids=lambda v: v if isinstance(v, str) else "")
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, tool, path):
    form_class = type(tool.form({}))
    served, hidden = fragment_pair(monkeypatch, form_class, path)
    assert hidden == served
