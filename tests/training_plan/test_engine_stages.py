"""How many layers the pipeline's stages hold when PP does not divide the layers (a pinned PP).

The layout is built here stage by stage, as a person would lay it out: every stage starts with
ceil(L/p) layers; the first and the last give up the surplus in turns (Llama 3: 126 layers on
16 stages are 7, 8 × 14, 7; Dubey et al. 2024, section 3.3.2), each keeping one layer at least,
and what they cannot give up comes off middle stages one layer each. The engine's
(most loaded middle stage, last stage) must be read off that layout."""

from hypothesis import given
from hypothesis import strategies as st

from training_plan.engine.timing import stage_layers


def laid_out(layers: int, pp: int) -> list[int]:
    per = -(-layers // pp)
    stages = [per] * pp
    surplus = per * pp - layers
    turn = [pp - 1, 0]  # the last stage gives up first, then the first, in turns
    i = 0
    while surplus and any(stages[s] > 1 for s in turn):
        s = turn[i % 2]
        if stages[s] > 1:
            stages[s] -= 1
            surplus -= 1
        i += 1
    middle = 1
    while surplus:  # the rest off middle stages, one layer each, never below one
        if stages[middle] > 1:
            stages[middle] -= 1
            surplus -= 1
        middle = middle + 1 if middle < pp - 2 else 1
    return stages


def test_llama_3s_pipeline():
    assert laid_out(126, 16) == [7] + [8] * 14 + [7]
    assert stage_layers(126, 16) == (8, 7)


def test_more_stages_than_the_first_and_last_can_make_room_for():
    # 8 layers on 7 stages: 2, 1, 1, 1, 1, 1, 1 (the last cannot hold -1 layers)
    assert sum(laid_out(8, 7)) == 8
    assert stage_layers(8, 7) == (2, 1)
    assert stage_layers(32, 24) == (2, 1)


@given(pp=st.integers(2, 64), extra=st.integers(0, 200))
def test_the_engine_reads_the_most_loaded_middle_and_the_last_stage_off_the_layout(pp, extra):
    layers = pp + extra  # the planner refuses more stages than layers
    stages = laid_out(layers, pp)
    assert sum(stages) == layers and min(stages) >= 1
    middle = max(stages[1:-1]) if pp > 2 else max(stages)
    assert stage_layers(layers, pp) == (middle, stages[-1])
