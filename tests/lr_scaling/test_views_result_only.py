"""The LR page's live result prints its inputs from the result, not from the form: the fragment
comes out byte for byte the same with the form's inputs hidden from the result block's context
(tests/result_only.py)."""

import pytest

from lr_scaling.forms import LRScalingForm
from tests.result_only import fragment_pair

SCENARIOS = [
    "",
    "optimizer=sgd&new_batch=64",
    "critical_batch=512&new_batch=4096",
    "tokens=1e12&seq_len=4096&base_warmup=2000",
    "layers=32&hidden=4096",
]


@pytest.mark.parametrize("query", SCENARIOS)
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, query):
    served, hidden = fragment_pair(monkeypatch, LRScalingForm, f"/lr-scaling/?{query}")
    assert hidden == served
