"""The architecture fields of each catalog model's official config.json, transcribed here
separately from calculators/catalog/models.py so the two can check each other.

Only the keys that shape the parameters or the KV cache are kept; Transformers fills the rest
with its defaults (rope settings, dropout, token ids do not change either). Gemma 3 4B/12B/27B
ship a multimodal config; their `text_config` is used, as the text model alone is counted.
So does Llama 4 Scout; MULTIMODAL holds its whole config.json (text and vision) as well, so the
vision encoder that Meta's 109B total includes is counted by Transformers too.
"""


def _llama(**kw):
    return {"model_type": "llama", "attention_bias": False, "mlp_bias": False, **kw}


def _qwen2(**kw):
    return {"model_type": "qwen2", "use_sliding_window": False, **kw}


def _qwen3(**kw):
    return {"model_type": "qwen3", "head_dim": 128, "num_key_value_heads": 8,
            "vocab_size": 151936, "max_position_embeddings": 40960, **kw}  # fmt: skip


def _gemma3(**kw):
    return {"model_type": "gemma3_text", "sliding_window_pattern": 6, **kw}


def _gpt_oss(**kw):
    return {"model_type": "gpt_oss", "hidden_size": 2880, "intermediate_size": 2880,
            "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 64,
            "num_experts_per_tok": 4, "vocab_size": 201088, "sliding_window": 128,
            "attention_bias": True, "tie_word_embeddings": False,
            "max_position_embeddings": 131072, **kw}  # fmt: skip


# meta-llama/Llama-4-Scout-17B-16E-Instruct, config.json: text_config (no_rope_layers is
# [1, 1, 1, 0] repeated: 1 = RoPE and chunked attention, 0 = NoPE and full attention).
_llama4_text = {
    "model_type": "llama4_text",
    "num_hidden_layers": 48,
    "hidden_size": 5120,
    "num_attention_heads": 40,
    "num_key_value_heads": 8,
    "head_dim": 128,
    "intermediate_size": 8192,
    "intermediate_size_mlp": 16384,
    "num_local_experts": 16,
    "num_experts_per_tok": 1,
    "interleave_moe_layer_step": 1,
    "use_qk_norm": True,
    "attention_chunk_size": 8192,
    "no_rope_layers": [1, 1, 1, 0] * 12,
    "attention_bias": False,
    "vocab_size": 202048,
    "tie_word_embeddings": False,
    "max_position_embeddings": 10485760,
}
# ... and its vision_config.
_llama4_vision = {
    "model_type": "llama4_vision_model",
    "hidden_size": 1408,
    "intermediate_size": 5632,
    "num_attention_heads": 16,
    "num_hidden_layers": 34,
    "image_size": 336,
    "patch_size": 14,
    "num_channels": 3,
    "pixel_shuffle_ratio": 0.5,
    "projector_input_dim": 4096,
    "projector_output_dim": 4096,
    "vision_output_dim": 4096,
    "multi_modal_projector_bias": False,
}

CONFIGS = {
    "llama-3.2-1b": _llama(num_hidden_layers=16, hidden_size=2048, num_attention_heads=32,
        num_key_value_heads=8, head_dim=64, intermediate_size=8192, vocab_size=128256,
        tie_word_embeddings=True, max_position_embeddings=131072),
    "llama-3.2-3b": _llama(num_hidden_layers=28, hidden_size=3072, num_attention_heads=24,
        num_key_value_heads=8, head_dim=128, intermediate_size=8192, vocab_size=128256,
        tie_word_embeddings=True, max_position_embeddings=131072),
    "llama-3.1-8b": _llama(num_hidden_layers=32, hidden_size=4096, num_attention_heads=32,
        num_key_value_heads=8, intermediate_size=14336, vocab_size=128256,
        tie_word_embeddings=False, max_position_embeddings=131072),
    "llama-3.3-70b": _llama(num_hidden_layers=80, hidden_size=8192, num_attention_heads=64,
        num_key_value_heads=8, intermediate_size=28672, vocab_size=128256,
        tie_word_embeddings=False, max_position_embeddings=131072),
    "mistral-7b-v0.3": {"model_type": "mistral", "num_hidden_layers": 32, "hidden_size": 4096,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
        "vocab_size": 32768, "sliding_window": None, "tie_word_embeddings": False,
        "max_position_embeddings": 32768},
    "mistral-nemo-12b": {"model_type": "mistral", "num_hidden_layers": 40, "hidden_size": 5120,
        "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 128,
        "intermediate_size": 14336, "vocab_size": 131072, "sliding_window": None,
        "tie_word_embeddings": False, "max_position_embeddings": 1024000},
    "qwen2.5-7b": _qwen2(num_hidden_layers=28, hidden_size=3584, num_attention_heads=28,
        num_key_value_heads=4, intermediate_size=18944, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=32768),
    "qwen2.5-14b": _qwen2(num_hidden_layers=48, hidden_size=5120, num_attention_heads=40,
        num_key_value_heads=8, intermediate_size=13824, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=32768),
    "qwen2.5-32b": _qwen2(num_hidden_layers=64, hidden_size=5120, num_attention_heads=40,
        num_key_value_heads=8, intermediate_size=27648, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=32768),
    "qwen2.5-72b": _qwen2(num_hidden_layers=80, hidden_size=8192, num_attention_heads=64,
        num_key_value_heads=8, intermediate_size=29568, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=32768),
    "qwen3-4b": _qwen3(num_hidden_layers=36, hidden_size=2560, num_attention_heads=32,
        intermediate_size=9728, tie_word_embeddings=True),
    "qwen3-8b": _qwen3(num_hidden_layers=36, hidden_size=4096, num_attention_heads=32,
        intermediate_size=12288, tie_word_embeddings=False),
    "qwen3-14b": _qwen3(num_hidden_layers=40, hidden_size=5120, num_attention_heads=40,
        intermediate_size=17408, tie_word_embeddings=False),
    "qwen3-32b": _qwen3(num_hidden_layers=64, hidden_size=5120, num_attention_heads=64,
        intermediate_size=25600, tie_word_embeddings=False),
    "qwen3-30b-a3b": {"model_type": "qwen3_moe", "num_hidden_layers": 48, "hidden_size": 2048,
        "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128,
        "intermediate_size": 6144, "moe_intermediate_size": 768, "num_experts": 128,
        "num_experts_per_tok": 8, "decoder_sparse_step": 1, "mlp_only_layers": [],
        "vocab_size": 151936, "tie_word_embeddings": False, "max_position_embeddings": 40960},
    "gemma-2-2b": {"model_type": "gemma2", "num_hidden_layers": 26, "hidden_size": 2304,
        "num_attention_heads": 8, "num_key_value_heads": 4, "head_dim": 256,
        "intermediate_size": 9216, "vocab_size": 256000, "sliding_window": 4096,
        "max_position_embeddings": 8192},
    "gemma-2-9b": {"model_type": "gemma2", "num_hidden_layers": 42, "hidden_size": 3584,
        "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256,
        "intermediate_size": 14336, "vocab_size": 256000, "sliding_window": 4096,
        "max_position_embeddings": 8192},
    "gemma-2-27b": {"model_type": "gemma2", "num_hidden_layers": 46, "hidden_size": 4608,
        "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128,
        "intermediate_size": 36864, "vocab_size": 256000, "sliding_window": 4096,
        "max_position_embeddings": 8192},
    "gemma-3-1b": _gemma3(num_hidden_layers=26, hidden_size=1152, num_attention_heads=4,
        num_key_value_heads=1, head_dim=256, intermediate_size=6912, vocab_size=262144,
        sliding_window=512, max_position_embeddings=32768),
    "gemma-3-4b": _gemma3(num_hidden_layers=34, hidden_size=2560, num_attention_heads=8,
        num_key_value_heads=4, head_dim=256, intermediate_size=10240, vocab_size=262208,
        sliding_window=1024, max_position_embeddings=131072),
    "gemma-3-12b": _gemma3(num_hidden_layers=48, hidden_size=3840, num_attention_heads=16,
        num_key_value_heads=8, head_dim=256, intermediate_size=15360, vocab_size=262208,
        sliding_window=1024, max_position_embeddings=131072),
    "gemma-3-27b": _gemma3(num_hidden_layers=62, hidden_size=5376, num_attention_heads=32,
        num_key_value_heads=16, head_dim=128, intermediate_size=21504, vocab_size=262208,
        sliding_window=1024, max_position_embeddings=131072),
    "phi-3-mini-4k": {"model_type": "phi3", "num_hidden_layers": 32, "hidden_size": 3072,
        "num_attention_heads": 32, "num_key_value_heads": 32, "intermediate_size": 8192,
        "vocab_size": 32064, "tie_word_embeddings": False, "max_position_embeddings": 4096,
        "sliding_window": 2047},
    "phi-4": {"model_type": "phi3", "num_hidden_layers": 40, "hidden_size": 5120,
        "num_attention_heads": 40, "num_key_value_heads": 10, "intermediate_size": 17920,
        "vocab_size": 100352, "tie_word_embeddings": False, "max_position_embeddings": 16384},
    "deepseek-r1-distill-qwen-7b": _qwen2(num_hidden_layers=28, hidden_size=3584,
        num_attention_heads=28, num_key_value_heads=4, intermediate_size=18944,
        vocab_size=152064, tie_word_embeddings=False, max_position_embeddings=131072),
    "deepseek-r1-distill-llama-8b": _llama(num_hidden_layers=32, hidden_size=4096,
        num_attention_heads=32, num_key_value_heads=8, intermediate_size=14336,
        vocab_size=128256, tie_word_embeddings=False, max_position_embeddings=131072),
    "deepseek-r1-distill-qwen-14b": _qwen2(num_hidden_layers=48, hidden_size=5120,
        num_attention_heads=40, num_key_value_heads=8, intermediate_size=13824,
        vocab_size=152064, tie_word_embeddings=False, max_position_embeddings=131072),
    "deepseek-r1-distill-qwen-32b": _qwen2(num_hidden_layers=64, hidden_size=5120,
        num_attention_heads=40, num_key_value_heads=8, intermediate_size=27648,
        vocab_size=152064, tie_word_embeddings=False, max_position_embeddings=131072),
    "mixtral-8x7b": {"model_type": "mixtral", "num_hidden_layers": 32, "hidden_size": 4096,
        "num_attention_heads": 32, "num_key_value_heads": 8, "intermediate_size": 14336,
        "num_local_experts": 8, "num_experts_per_tok": 2, "vocab_size": 32000,
        "tie_word_embeddings": False, "max_position_embeddings": 32768, "sliding_window": None},
    "mistral-small-24b": {"model_type": "mistral", "num_hidden_layers": 40,
        "hidden_size": 5120, "num_attention_heads": 32, "num_key_value_heads": 8,
        "head_dim": 128, "intermediate_size": 32768, "vocab_size": 131072,
        "sliding_window": None, "tie_word_embeddings": False, "max_position_embeddings": 32768},
    "qwq-32b": _qwen2(num_hidden_layers=64, hidden_size=5120, num_attention_heads=40,
        num_key_value_heads=8, intermediate_size=27648, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=40960),
    "qwen2.5-coder-32b": _qwen2(num_hidden_layers=64, hidden_size=5120, num_attention_heads=40,
        num_key_value_heads=8, intermediate_size=27648, vocab_size=152064,
        tie_word_embeddings=False, max_position_embeddings=32768),
    "llama-4-scout": _llama4_text,
    "deepseek-v2-lite": {"model_type": "deepseek_v2", "num_hidden_layers": 27,
        "hidden_size": 2048, "intermediate_size": 10944, "moe_intermediate_size": 1408,
        "num_attention_heads": 16, "num_key_value_heads": 16, "q_lora_rank": None,
        "kv_lora_rank": 512, "qk_nope_head_dim": 128, "qk_rope_head_dim": 64,
        "v_head_dim": 128, "n_routed_experts": 64, "n_shared_experts": 2,
        "num_experts_per_tok": 6, "first_k_dense_replace": 1, "attention_bias": False,
        "vocab_size": 102400, "tie_word_embeddings": False, "max_position_embeddings": 163840},
    "gpt-oss-20b": _gpt_oss(num_hidden_layers=24, num_local_experts=32),
    "gpt-oss-120b": _gpt_oss(num_hidden_layers=36, num_local_experts=128),
}  # fmt: skip

MULTIMODAL = {
    "llama-4-scout": {"model_type": "llama4", "tie_word_embeddings": False,
        "text_config": {k: v for k, v in _llama4_text.items() if k != "model_type"},
        "vision_config": {k: v for k, v in _llama4_vision.items() if k != "model_type"}},
}  # fmt: skip
