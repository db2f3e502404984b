"""The planner's live result prints its inputs from the result (its Run and Cluster), not from
the form: the fragment comes out byte for byte the same with the form's inputs hidden from the
result block's context (tests/result_only.py); only the hand-off links read the scenario."""

import pytest

from tests.result_only import fragment_pair
from training_plan.forms import TrainingPlanForm

SCENARIOS = [
    "",
    "gpus=8&model=llama-3.3-70b",  # nothing fits
    "seq_len=131072&gpus=128&global_batch=128",  # context parallelism splits the sequence
    "tp=4&pp=4&vpp=2&recompute=full&zero=1",
    "model=custom&layers=48&hidden=6144&heads=48&kv_heads=8&ffn_hidden=16384&vocab=65536",
    "gpu=b200&gpus=64",
]


@pytest.mark.parametrize("query", SCENARIOS)
def test_the_fragment_is_the_same_from_the_result_alone(monkeypatch, query):
    served, hidden = fragment_pair(monkeypatch, TrainingPlanForm, f"/training-plan/?{query}")
    assert hidden == served
