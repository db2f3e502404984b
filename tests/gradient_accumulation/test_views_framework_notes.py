"""The frameworks' notes over HTTP, for the scenarios an expert review raised: the JSON notes
and the page agree with the frameworks' own released code (the rules themselves are tested in
test_framework_*.py and test_engine_rampup.py beside this file)."""

URL = "/gradient-accumulation/"


def result(client, query: str) -> dict:
    r = client.get(URL + "?" + query + "&format=json")
    assert r.status_code == 200, r.content
    return r.json()["result"]


def test_megatron_interleaving_with_two_stages_is_accepted(client):
    # megatron-core 0.19.2 arguments.py: with overlap_p2p_comm on (the default) only PP > 1 is
    # asserted; PP > 2 only after --no-overlap-p2p-communication.
    query = "global_batch=1024&micro_batch=4&gpus=64&pp=2&vpp=2"
    notes = result(client, query)["config_notes"]["megatron"]
    assert notes["rejected"] is False
    assert not [n for n in notes["notes"] if n["kind"] == "rejects"]
    assert any("--no-overlap-p2p-communication" in n["text"] for n in notes["notes"])
    html = client.get(URL + "?" + query).content.decode()
    megatron = html.split('data-testid="config-megatron"')[1].split("</details>")[0]
    assert "data-rejected" not in megatron.split(">")[0]
    assert "--no-overlap-p2p-communication" in megatron


def test_trainer_notes_say_data_parallel_size_under_tp_and_cp(client):
    # Transformers 5.24.0 get_total_train_batch_size: world_size // TP // CP // SP.
    notes = result(client, "gpus=16&tp=2&cp=2")["config_notes"]["hf_trainer"]["notes"]
    texts = [n["text"] for n in notes]
    assert not any("world size (processes)" in t for t in texts)
    (total,) = [t for t in texts if "get_total_train_batch_size" in t]
    assert "16 // (2 x 2 x 1) = 4" in total and "4 x 64 x 4 = 1,024" in total


def test_torchtitan_snippet_is_for_the_release_with_main_as_a_labelled_alternative(client):
    # torchtitan 0.3.0 (PyPI) torchtitan/config/configs.py has training.local_batch_size,
    # training.global_batch_size, training.seq_len and
    # parallelism.pipeline_parallel_microbatch_size; the token-denominated names exist only on
    # main after PR #4121.
    query = "gpus=32&pp=4"
    data = result(client, query)
    text = data["configs"]["torchtitan"]
    assert "torchtitan 0.3.0" in text and "configs.py" in text
    assert "config.training.local_batch_size = 128" in text  # 32 micro-batches x 4 sequences
    assert "config.parallelism.pipeline_parallel_microbatch_size = 4" in text
    assert "num_tokens" not in text
    (alt,) = data["config_notes"]["torchtitan"]["alternatives"]
    assert "main" in alt["label"] and "#4121" in alt["label"]
    assert "config.parallelism.num_pp_microbatches = 32" in alt["text"]
    assert data["config_notes"]["deepspeed"]["alternatives"] == []
    html = client.get(URL + "?" + query).content.decode()
    block = html.split('data-testid="config-torchtitan"')[1].split("</details>")[0]
    assert 'id="config-torchtitan-text"' in block and 'id="config-torchtitan-alt-1-text"' in block
    assert "Alternative: torchtitan main (after PR #4121" in block


def test_a_budget_that_ends_inside_the_ramp_is_warned_with_flags_that_match_it(client):
    # megatron-core 0.19.2 update_train_iters (step schedule) counts iterations while
    # consumed < --train-samples; Megatron-LM core_v0.16.1 (up to 0.17, ramp-up) runs a ramp
    # iteration whenever consumed <= --train-samples. Both transcribed in test_engine_rampup.py
    # beside this file: 976,563 (4e9 / 4096, rounded up) gives the budget's 6,709 steps in both;
    # the 976,832 those steps consume would give 6,710 up to 0.17.
    query = "train_tokens=4e9&rampup_start=32&rampup_increment=32&rampup_samples=2000000"
    data = result(client, query)
    budget = data["rampup"]["budget"]
    assert budget["ends_in_ramp"] is True
    assert (budget["optimizer_steps"], budget["megatron_train_samples"]) == (6_709, 976_563)
    assert budget["megatron_train_iters"] == 6_709
    megatron = data["configs"]["megatron"]
    assert "--step-batch-size-schedule" in megatron and "--rampup-batch-size" not in megatron
    assert "--train-samples 976563\n" in megatron
    notes = data["config_notes"]["megatron"]
    assert notes["rejected"] is False
    warnings = [n["text"] for n in notes["notes"] if n["kind"] == "warning"]
    assert any("--rampup-batch-size 32 32 2000000" in t and "inside" in t for t in warnings)
    (alt,) = notes["alternatives"]
    assert alt["label"].startswith("megatron-core ≤ 0.17")
    assert "--rampup-batch-size 32 32 2000000" in alt["text"]
    assert "--train-samples 976563\n" in alt["text"]
    html = client.get(URL + "?" + query).content.decode()
    assert 'data-testid="ramp-budget-inside"' in html
    assert "<code>--train-samples 976563</code>" in html
    ended = result(
        client, "train_tokens=1e11&rampup_start=32&rampup_increment=32&rampup_samples=2000000"
    )
    assert ended["rampup"]["budget"]["ends_in_ramp"] is False
