"""The flagship's time estimate over HTTP: model FLOPs with attention (PaLM, Appendix B), the
`model` parameter (catalog ids, as on the GPU pages) or a custom shape, and their errors.

Expected figures are written from PaLM's formula, 6N + 12·L·H·Q·T, with N from Transformers'
own parameter count of Llama 3.1 8B (validation/gpu_fit/transformers_counts.json), never from
the code under test."""

import re

import pytest

from calculators.kit import openapi

URL = "/gradient-accumulation/"
HX = {"HTTP_HX_REQUEST": "true"}
H100 = 989.4e12  # the page's default GPU, dense BF16

# Llama 3.1 8B: 8,030,261,248 parameters, of which the untied 128,256 x 4,096 input embedding
# is a lookup; 32 layers of 32 query heads x 128.
LLAMA_N = 8_030_261_248 - 128_256 * 4096
LLAMA_F_4K = 6 * LLAMA_N + 12 * 32 * 32 * 128 * 4096


def get_json(client, **params):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 200, r.content
    return r.json()


def errors(client, **params):
    r = client.get(URL, {**params, "format": "json"})
    assert r.status_code == 400, r.content
    return r.json()["errors"]


def test_catalog_model_counts_attention_in_flops_per_token_and_time(client):
    data = get_json(client, model="llama-3.1-8b", gpus="64", micro_batch="2", train_tokens="2e12")
    assert data["inputs"]["model"] == "llama-3.1-8b"
    t = data["result"]["throughput"]
    assert t["flops_per_token"] == LLAMA_F_4K
    assert t["flops"]["weights"] == 6 * LLAMA_N
    assert t["flops"]["attention"] == 12 * 32 * 32 * 128 * 4096
    assert t["flops"]["includes_attention"] is True
    tokens_per_step = 1024 * 4096
    step = tokens_per_step * LLAMA_F_4K / (64 * H100 * 0.4)
    assert t["seconds_per_step"] == pytest.approx(step)
    # Longer than the 6N-only figure, by the attention share (14 % here).
    assert step / (tokens_per_step * 6 * LLAMA_N / (64 * H100 * 0.4)) == pytest.approx(1.143, 1e-3)


def test_measured_throughput_implies_mfu_against_the_full_count(client):
    t = get_json(client, model="llama-3.1-8b", tokens_per_gpu_s="3000")["result"]["throughput"]
    assert t["mfu"] == pytest.approx(3000 * LLAMA_F_4K / H100)


def test_params_b_alone_still_counts_6n_and_is_labelled(client):
    t = get_json(client, params_b="8")["result"]["throughput"]
    assert t["flops_per_token"] == 6 * 8e9
    assert t["flops"]["attention"] is None and t["flops"]["includes_attention"] is False
    html = client.get(URL, {"params_b": "8"}, **HX).content.decode()
    assert 'data-testid="flops-label">6N only, attention left out<' in html


def test_custom_shape_adds_palm_attention_with_the_query_width(client):
    t = get_json(client, params_b="8", layers="32", hidden="4096")["result"]["throughput"]
    assert t["flops_per_token"] == 6 * 8e9 + 12 * 32 * 4096 * 4096
    # Grouped-query model whose query width is not hidden (Qwen3 32B: 64 x 128 on 5120).
    shape = {"params_b": "32", "layers": "64", "hidden": "5120", "heads": "64", "head_dim": "128"}
    t = get_json(client, **shape, seq_len="8192")["result"]["throughput"]
    assert t["flops"]["attention"] == 12 * 64 * 64 * 128 * 8192
    # Heads without head dim: H·Q = hidden.
    t = get_json(client, params_b="8", layers="32", hidden="4096", heads="32")["result"]
    assert t["throughput"]["flops"]["attention"] == 12 * 32 * 4096 * 4096


def test_worked_example_substitutes_both_terms(client):
    html = client.get(URL, {"model": "llama-3.1-8b"}, **HX).content.decode()
    worked = re.search(r'data-testid="flops-worked">(.*?)</ol>', html, re.S).group(1)
    text = re.sub(r"<[^>]+>", "", worked)
    assert f"6N = 6 × {LLAMA_N:,} = {6 * LLAMA_N / 1e9:,.6g} GFLOP" in text
    assert f"12 × 32 × 32 × 128 × 4,096 = {12 * 32 * 32 * 128 * 4096 / 1e9:,.6g} GFLOP" in text
    assert f"({LLAMA_F_4K:,})" in text
    which_n = re.search(r'data-testid="which-n">(.*?)</p>', html, re.S).group(1)
    assert "input embedding" in which_n and "8.03B" in which_n


@pytest.mark.parametrize(
    ("params", "field", "says"),
    [
        ({"model": "llama-3-8b"}, "model", "/gpus/"),
        ({"model": "llama-3-8b"}, "model", "llama-3.1-8b"),
        ({"model": "llama-3.1-8b", "params_b": "8"}, "params_b", "catalog model"),
        ({"model": "llama-3.1-8b", "layers": "32"}, "layers", "catalog model"),
        ({"params_b": "8", "layers": "32"}, "hidden", "Hidden is needed"),
        ({"params_b": "8", "hidden": "4096"}, "layers", "Layers is needed"),
        ({"layers": "32", "hidden": "4096"}, "params_b", "Model size is needed"),
        ({"params_b": "8", "layers": "32", "hidden": "4096", "head_dim": "128"}, "heads", "Heads"),
        ({"params_b": "8", "layers": "0", "hidden": "4096"}, "layers", "from 1 to 1,024"),
    ],
)
def test_bad_model_input_names_the_field(client, params, field, says):
    messages = errors(client, **params)[field]
    assert any(says in m for m in messages), messages
    page = client.get(URL, params).content.decode()  # the page answers with the message inline
    assert says.replace("'", "&#39;") in page


def test_page_has_a_labelled_model_select_and_pins_keep_the_model(client):
    html = client.get(URL, {"model": "qwen3-8b"}).content.decode()
    assert re.search(r'<label for="id_model">Model', html)
    assert re.search(r'<select name="model"[^>]*id="id_model"', html)
    assert '<option value="qwen3-8b" selected>' in html
    data = get_json(client, model="qwen3-8b", compare="model=llama-3.1-8b")
    pinned = data["result"]["compare"][0]
    assert pinned["query"] == "model=llama-3.1-8b" and pinned["inputs"]["model"] == "llama-3.1-8b"


def test_api_description_documents_the_flops_keys_and_answers_fit_it(client):
    jsonschema_rs = pytest.importorskip("jsonschema_rs")  # schemathesis's validator
    spec = client.get("/api/openapi.json").json()
    operation = spec["paths"][URL]["get"]
    model = next(p for p in operation["parameters"] if p["name"] == "model")
    assert "llama-3.1-8b" in model["schema"]["enum"]
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    throughput = schema["properties"]["result"]["properties"]["throughput"]
    assert {"flops_per_token", "flops"} <= set(throughput["properties"])
    assert {"weights", "attention", "total"} <= set(throughput["properties"]["flops"]["properties"])
    validator = jsonschema_rs.validator_for(schema)
    for params in (
        {},
        {"model": "llama-3.1-8b", "train_tokens": "2e12"},
        {"model": "gemma-2-9b", "seq_len": "8192", "tokens_per_gpu_s": "3000"},
        {"params_b": "7.3"},
        {"params_b": "7.3", "layers": "32", "hidden": "4096", "peak_tflops": "123.4"},
        {"tokens_per_gpu_s": "1234.5"},
        {"dataset_sequences": "1000", "ref_lr": "3e-4", "ref_batch": "256"},
    ):
        answer = get_json(client, **params)
        assert validator.is_valid(answer), (params, [str(e) for e in validator.iter_errors(answer)])
    assert openapi.describe()["paths"][URL]["get"] == operation
