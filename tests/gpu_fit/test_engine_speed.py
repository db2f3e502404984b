"""Speed against published measurements, several cards, offload, prefill, vLLM's memory rules
and the engines' flags.

The measured figures are the published ones (gpu_fit/measurements.py, each row citing its
source; quoted again here where a test names one); never numbers this code produced."""

import math

import pytest

from calculators.catalog import gpus
from calculators.catalog.models import BY_ID
from gpu_fit import calibration, engine, gguf, offload, serving, speed
from gpu_fit.cards import BY_SLUG
from gpu_fit.engine import Scenario, Subject, fit
from gpu_fit.measurements import MEASUREMENTS, OFFLOAD_MEASUREMENTS

GIB = 2**30


def subject(model_id):
    return Subject.from_model(BY_ID[model_id])


SHOWN = [m for m in MEASUREMENTS if calibration.card_of(m) is not None]


def row_id(m):
    return f"{m.card}x{m.cards}-{m.model}-{m.quant}-{m.test.replace(' ', '')}"


@pytest.mark.parametrize("m", SHOWN, ids=[row_id(m) for m in SHOWN])
def test_every_published_run_is_inside_the_range_with_the_middle_within_20_percent(m):
    r = calibration.estimate(m)
    assert r is not None
    assert r.low <= m.tokens_per_s <= r.high
    assert abs(r.mid / m.tokens_per_s - 1) <= 0.20


def test_the_issues_figures_are_covered():
    # XiongjieDai/GPU-Benchmarks-on-LLM-Inference, tg 1024: Llama 3 8B F16 46.51 t/s on an RTX
    # 3090, 54.34 on a 4090, 40.25 on an RTX A6000; 70B Q4_K_M 14.58 on the A6000.
    wanted = {
        ("rtx-3090-24gb", "f16", "llama-3.1-8b"): 46.51,
        ("rtx-4090-24gb", "f16", "llama-3.1-8b"): 54.34,
        ("rtx-a6000-48gb", "f16", "llama-3.1-8b"): 40.25,
        ("rtx-a6000-48gb", "q4_k_m", "llama-3.3-70b"): 14.58,
    }
    for m in SHOWN:
        key = (m.card, m.quant, m.model)
        if m.cards == 1 and m.test == "tg 1024" and key in wanted:
            assert m.tokens_per_s == wanted.pop(key)
            r = calibration.estimate(m)
            assert r.low <= m.tokens_per_s <= r.high
    assert not wanted


def test_two_3090s_run_llama_70b_q4_k_m_at_8k_entirely_on_gpu_near_16_tokens_per_s():
    # XiongjieDai: "3090 24GB * 2", 70B Q4_K_M, tg 1024 16.29 t/s (tg 8192: 14.34).
    card = BY_SLUG["rtx-3090-24gb"]
    r = fit(card, subject("llama-3.3-70b"), Scenario(8192, "q4_k_m", "f16", 1, cards=2))
    assert r.fits and r.offload == "gpu" and r.gpu_layers == 80
    assert r.decode_tokens_per_s_low <= 14.34 <= r.decode_tokens_per_s_high
    one = fit(card, subject("llama-3.3-70b"), Scenario(8192, "q4_k_m", "f16", 1))
    assert not one.fits
    assert "--split-mode layer -ts 1,1" in r.commands["llama_cpp"]
    assert "--tensor-parallel-size 2" in r.commands["vllm"]


def test_layer_split_is_never_faster_than_one_card():
    card = BY_SLUG["rtx-4090-24gb"]
    one = fit(card, subject("llama-3.1-8b"), Scenario(4096, "q4_k_m", "f16", 1))
    for n in range(2, 9):
        more = fit(card, subject("llama-3.1-8b"), Scenario(4096, "q4_k_m", "f16", 1, cards=n))
        assert more.decode_tokens_per_s < one.decode_tokens_per_s
        assert more.overhead_bytes == one.overhead_bytes + (n - 1) * engine.RUNTIME_BYTES


def test_cpu_decode_efficiency_covers_llama_cpp_issue_4716():
    # llama.cpp issue #4716: Mixtral 8x7B Q8_0 on a Ryzen 7950X, dual-channel DDR5-3600
    # (2 × 8 bytes × 3,600 MT/s = 57.6 GB/s): 3.37 t/s; on a 5900X with DDR4-3600: 3.58 t/s.
    lay = gguf.layout(BY_ID["mixtral-8x7b"].arch, "q8_0")
    read = lay.active_gpu_bytes + lay.embedding_row_bytes
    for tokens_per_s in (3.37, 3.58):
        efficiency = tokens_per_s * read / 57.6e9
        assert speed.CPU_EFFICIENCY[0] <= efficiency <= speed.CPU_EFFICIENCY[2]


def test_default_ram_is_dual_channel_ddr5_5600():
    assert speed.DEFAULT_RAM_BANDWIDTH_GB_S == 2 * 8 * 5600 / 1000


@pytest.mark.parametrize("model_id", ["gpt-oss-120b", "qwen3-30b-a3b"])
def test_moe_on_a_24_gb_card_keeps_experts_in_ram_and_everything_else_on_the_gpu(model_id):
    card = BY_SLUG["rtx-3090-24gb"]
    s = Scenario(32768, "q8_0" if model_id == "qwen3-30b-a3b" else "q4_k_m", "f16", 1)
    r = fit(card, subject(model_id), s)
    a = BY_ID[model_id].arch
    assert not r.fits and r.offload == "experts" and r.gpu_layers == a.layers
    assert 0 < r.cpu_moe_layers <= a.layers
    assert f"--n-cpu-moe {r.cpu_moe_layers}" in r.commands["llama_cpp"]
    assert "-ngl all" in r.commands["llama_cpp"]
    assert r.commands["ollama"] is None and "experts" in r.commands_notes["ollama"]
    # What moved is whole layers' experts: the GPU keeps the rest and fits.
    lay = gguf.layout(a, s.quant)
    per_layer = lay.expert_bytes / a.layers
    gpu = lay.gpu_bytes - r.cpu_moe_layers * per_layer + r.kv_cache_bytes + r.overhead_bytes
    assert gpu <= card.vram_bytes < gpu + per_layer


def test_partial_offload_puts_as_many_layers_as_fit_and_the_rest_needs_ram():
    card = BY_SLUG["rtx-4090-24gb"]
    a = BY_ID["llama-3.3-70b"].arch
    s = Scenario(8192, "q4_k_m", "f16", 1)
    r = fit(card, subject("llama-3.3-70b"), s)
    lay = gguf.layout(a, "q4_k_m")
    per_layer = (
        sum(
            t.rows * gguf.tensor_type(a, t, "q4_k_m").row_bytes(t.row)
            for t in gguf.tensors(a)
            if t.layer is not None
        )
        / a.layers
    )
    kv_layer = r.kv_cache_bytes / a.layers
    room = card.vram_bytes - r.overhead_bytes
    assert r.gpu_layers == math.floor(room / (per_layer + kv_layer))
    assert f"-ngl {r.gpu_layers}" in r.commands["llama_cpp"]
    # System RAM holds the other layers, their KV cache, the output layer and the embedding.
    assert r.system_ram_bytes == pytest.approx(
        lay.file_bytes - r.gpu_layers * per_layer + (a.layers - r.gpu_layers) * kv_layer, rel=1e-6
    )


def test_prefill_matches_pp512_and_ttft_grows_faster_than_the_context():
    card = BY_SLUG["rtx-3090-24gb"]
    short = fit(card, subject("llama-3.1-8b"), Scenario(512, "q4_k_m", "f16", 1))
    # XiongjieDai "3090 24GB", 8B Q4_K_M, pp 512: 4030.40 t/s.
    assert short.prefill_tokens_per_s_low <= 4030.40 <= short.prefill_tokens_per_s_high
    long = fit(card, subject("llama-3.1-8b"), Scenario(32768, "q4_k_m", "f16", 1))
    assert long.ttft_s > 64 * short.ttft_s  # attention grows with the square of the prompt
    assert long.prefill_tokens_per_s < short.prefill_tokens_per_s


def test_attended_tokens_is_the_causal_sum():
    assert speed.attended_tokens(4) == 1 + 2 + 3 + 4
    assert speed.attended_tokens(6, window=3) == 1 + 2 + 3 + 3 + 3 + 3


# --- vLLM -----------------------------------------------------------------------------------


def vllm_blocks(total_bytes, weights, other, kv_heads_per_gpu, head_dim, layers, dtype_bytes=2):
    """vLLM 0.33.0, written out from its source: requested = ceil(total × 0.9)
    (v1/worker/utils.py request_memory); available = requested − non-KV memory
    (v1/worker/gpu_worker.py); page = kv heads × 16 × (K + V head size) × dtype
    (v1/kv_cache_interface.py AttentionSpec); num_blocks = available // page // layers
    (v1/core/kv_cache_utils.py get_num_blocks)."""
    available = math.ceil(total_bytes * 0.9) - weights - other
    page = kv_heads_per_gpu * 16 * (head_dim + head_dim) * dtype_bytes
    return int(available // page // layers)


def test_vllm_blocks_and_concurrency_follow_its_own_rules():
    card = BY_SLUG["rtx-4090-24gb"]
    a = BY_ID["llama-3.1-8b"].arch
    r = fit(card, subject("llama-3.1-8b"), Scenario(8192, "f16", "f16", 1))
    v = r.vllm["bf16"]
    other = serving.activation_bytes(a, 1) + serving.NON_TORCH_BYTES + serving.CUDA_GRAPH_BYTES
    weights = 2 * BY_ID["llama-3.1-8b"].params
    # vLLM issue #10517: an RTX 3090 (24 GiB) logs total_gpu_memory=23.58GiB.
    blocks = vllm_blocks(24 * GIB - round(0.42 * GIB), weights, other, 8, 128, 32)
    assert v["kv_blocks"] == blocks
    # get_max_concurrency_for_kv_cache_config: num_blocks ÷ cdiv(max_model_len, 16).
    assert v["max_sequences"] == blocks // (8192 // 16)
    assert "--gpu-memory-utilization 0.9" in r.commands["vllm"]


def test_vllm_block_rule_reproduces_a_published_log():
    # vLLM issue #10517, RTX 3090, meta-llama/Llama-3.1-8B-Instruct, utilization 0.90,
    # --max-model-len 20000: "kv_cache_size=3.81GiB", "GPU blocks: 1952",
    # "Maximum concurrency for 20000 tokens per request: 1.56x".
    a = BY_ID["llama-3.1-8b"].arch
    per_token = engine.kv_f16_per_token(a)  # 32 layers × 2 × 8 KV heads × 128 × 2 bytes
    page_all_layers = per_token * serving.BLOCK
    assert round(1952 * page_all_layers / GIB, 2) == 3.81
    assert round(1952 / math.ceil(20000 / serving.BLOCK), 2) == 1.56
    assert round(1952 * 16 / 20000, 2) == 1.56  # the log's own formula in vLLM 0.6


def test_vllm_sliding_window_layers_hold_only_their_window():
    # vllm/v1/kv_cache_interface.py SlidingWindowSpec: cdiv(min(window − 1 + in-flight tokens,
    # max_model_len), 16) + 1 blocks; in-flight = 2 × 2,048 with async scheduling.
    a = BY_ID["gemma-3-27b"].arch  # 62 layers, 52 with a 1,024-token window
    full = 10 * math.ceil(32768 / 16)
    sliding = 52 * (math.ceil(min(1024 - 1 + 4096, 32768) / 16) + 1)
    assert serving.request_blocks(a, 32768) == full + sliding


def test_vllm_tensor_parallel_must_divide_the_heads():
    # vllm/config/model.py: total attention heads % tensor_parallel_size must be 0.
    a = BY_ID["qwen2.5-7b"].arch  # 28 heads, 4 KV heads
    assert serving.tp_problem(a, 2) is None and serving.tp_problem(a, 4) is None
    assert "28 attention heads" in serving.tp_problem(a, 8)
    card = BY_SLUG["rtx-3060-12gb"]
    r = fit(card, subject("qwen2.5-7b"), Scenario(4096, "q4_k_m", "f16", 1, cards=8))
    assert r.commands["vllm"] is None and "divide" in r.commands_notes["vllm"]


def test_int4_weights_carry_their_group_scales():
    # AWQ/GPTQ group 128: an FP16 scale and a packed 4-bit zero per 128 weights.
    assert pytest.approx(4 + (16 + 4) / 128) == serving.INT4_BITS


# --- Commands -------------------------------------------------------------------------------


def test_llama_cpp_command_uses_flags_of_its_arg_cpp():
    # common/arg.cpp (llama.cpp 0c1e57098): -c/--ctx-size, -ngl N|all, -fa [on|off|auto],
    # -ctk/-ctv TYPE, -np N; a quantized V cache needs flash attention.
    card = BY_SLUG["rtx-4090-24gb"]
    r = fit(card, subject("llama-3.1-8b"), Scenario(16384, "q4_k_m", "q8_0", 2))
    cmd = r.commands["llama_cpp"]
    assert cmd.startswith("llama-server -m Llama-3.1-8B-Instruct-Q4_K_M.gguf")
    # llama-server's -c is the context of all slots together.
    assert "-c 32768" in cmd and "-np 2" in cmd and "-ngl all" in cmd
    assert "-ctk q8_0 -ctv q8_0" in cmd and "-fa on" in cmd


def test_vllm_and_ollama_commands_use_their_flags_and_variables():
    # vllm/engine/arg_utils.py (0.33.0): --max-model-len, --gpu-memory-utilization,
    # --quantization (fp8, awq_marlin), --kv-cache-dtype fp8, --max-num-seqs.
    card = BY_SLUG["rtx-a6000-48gb"]
    r = fit(card, subject("qwen3-14b"), Scenario(8192, "q8_0", "q8_0", 3))
    v = r.commands["vllm"]
    assert v.startswith("vllm serve Qwen/Qwen3-14B --max-model-len 8192")
    assert "--quantization fp8" in v and "--kv-cache-dtype fp8" in v and "--max-num-seqs 3" in v
    # ollama envconfig/config.go: OLLAMA_FLASH_ATTENTION, OLLAMA_KV_CACHE_TYPE,
    # OLLAMA_NUM_PARALLEL; the Modelfile's num_ctx.
    o = r.commands["ollama"]
    assert "OLLAMA_FLASH_ATTENTION=1" in o and "OLLAMA_KV_CACHE_TYPE=q8_0" in o
    assert "OLLAMA_NUM_PARALLEL=3" in o and "PARAMETER num_ctx 8192" in o


def test_a_model_that_cannot_run_has_no_commands_and_says_why():
    card = BY_SLUG["rtx-3060-12gb"]
    r = fit(card, subject("qwen2.5-72b"), Scenario(8192, "f16", "f16", 1, ram_gb=16))
    assert not r.runs
    for engine_id in ("llama_cpp", "vllm", "ollama"):
        assert r.commands[engine_id] is None and r.commands_notes[engine_id]


def test_cards_input_is_bounded():
    with pytest.raises(Exception, match="1 to 8"):
        Scenario(8192, "q4_k_m", "f16", 1, cards=9)


def test_catalog_cards_resolve_by_id():
    for m in SHOWN:
        assert gpus.get(m.card).bandwidth_gb_s


@pytest.mark.parametrize("m", OFFLOAD_MEASUREMENTS, ids=[m.model for m in OFFLOAD_MEASUREMENTS])
def test_published_offload_runs_are_inside_the_range(m):
    # Each row is a published run with -ngl or --n-cpu-moe (llmfit pull requests #755, #778);
    # the speed follows from the same plan the page makes, with the source's layer count.
    card = gpus.GPU(m.card, m.card, m.card, vram_gib=m.vram_gib, bandwidth_gb_s=m.bandwidth_gb_s)
    sub = subject(m.model)
    a = sub.arch
    w = engine.weights(sub, m.quant)
    kv = engine.kv_cache_bytes(a, m.context, 1, "f16")
    force = m.gpu_layers if m.gpu_layers is not None else m.cpu_moe_layers
    room = card.vram_bytes - engine.overhead_bytes(a)
    p = offload.plan(a, m.quant, kv, w.cpu_bytes, w.embedding_row_bytes, room, 64, 1, force=force)
    assert p.mode == ("experts" if a.is_moe else "layers")
    reads = speed.Reads(a.layers, p.read_gpu_bytes, p.gpu_kv_bytes, p.read_cpu_bytes, 1,
                        p.cpu_layers)  # fmt: skip
    r = speed.decode(card, reads, m.ram_bandwidth_gb_s)
    assert r.low <= m.tokens_per_s <= r.high
    assert abs(r.mid / m.tokens_per_s - 1) <= 0.20


def test_vllm_tensor_parallel_adds_bandwidth_less_two_all_reduces_per_layer():
    card = BY_SLUG["rtx-3090-24gb"]
    one = fit(card, subject("llama-3.1-8b"), Scenario(8192, "f16", "f16", 1)).vllm["bf16"]
    two = fit(card, subject("llama-3.1-8b"), Scenario(8192, "f16", "f16", 1, cards=2)).vllm["bf16"]
    a = BY_ID["llama-3.1-8b"].arch
    bw = 936e9
    weights = 2 * BY_ID["llama-3.1-8b"].params  # BF16, every weight read per token
    kv = 2 * 32 * 8 * 128 * 2 * 8192  # the F16 cache filled to 8K, all layers

    def seconds(n):
        return (
            a.layers * speed.LAYER_COST_S[1]
            + weights / n / (bw * speed.WEIGHT_EFFICIENCY[1])
            + kv / n / (bw * speed.KV_EFFICIENCY[1])
            + (2 * a.layers * speed.ALLREDUCE_S[1] if n > 1 else 0)
        )

    assert one["one_sequence_tokens_per_s"] == pytest.approx(1 / seconds(1))
    assert two["one_sequence_tokens_per_s"] == pytest.approx(1 / seconds(2))
    assert 1 < two["one_sequence_tokens_per_s"] / one["one_sequence_tokens_per_s"] < 2
