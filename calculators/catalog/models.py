"""Open-weight decoder LLMs, described by the fields of their official config.json.

Pure data and arithmetic, no Django: any tool that needs a model's size or shape can use it.
Parameter counts are computed from the architecture (never typed in) and checked in the tests
against the totals the publishers state and against Hugging Face Transformers building each
model on the `meta` device (validation/gpu_fit/).

Counting rule, per decoder layer (q = heads x head_dim, kv = kv_heads x head_dim):
  attention  h·q (Wq) + 2·h·kv (Wk, Wv) + q·h (Wo)  [+ q + 2kv biases, + h output bias,
             + 2·head_dim q/k-norm weights, + one sink logit per head: per family below]
  MLA        (DeepSeek-V2) h·q (Wq) + h·(r + d_rope) (W_kv_a: the latent and the RoPE key)
             + r (its RMSNorm) + r·heads·(d_nope + d_v) (W_kv_b: K and V from the latent)
             + heads·d_v·h (Wo), with r = kv_lora_rank
  MLP        3·h·f (gate, up, down: SwiGLU / GeGLU)
  MoE        E·3·h·f_expert + E·h router [+ E router bias, + E·(2f + h) expert biases]
             [+ 3·h·f_shared for the always-on shared expert(s): Llama 4, DeepSeek]
  norms      2·h (pre-attention, pre-MLP) or 4·h (Gemma's sandwich norms)
plus V·h embeddings (twice when the output projection is not tied) and h for the final norm.
An MoE model's first `dense_layers` layers (DeepSeek's first_k_dense_replace) have one dense MLP
of width dense_ffn_hidden instead of experts.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Architecture:
    layers: int  # num_hidden_layers
    hidden: int  # hidden_size
    heads: int  # num_attention_heads
    kv_heads: int  # num_key_value_heads
    head_dim: int  # head_dim (or hidden ÷ heads when the config has none)
    ffn_hidden: int  # intermediate_size (per expert for MoE models)
    vocab: int  # vocab_size
    tied_embeddings: bool  # tie_word_embeddings
    max_context: int  # max_position_embeddings (see each model's note)
    qkv_bias: bool = False  # Qwen2 family; gpt-oss (attention_bias, also on the output)
    output_bias: bool = False
    qk_norm: bool = False  # Qwen3, Gemma 3: RMSNorm over each query and key head
    attention_sinks: bool = False  # gpt-oss: one learned logit per head
    norms_per_layer: int = 2
    experts: int = 0  # num_local_experts / num_experts; 0 = dense
    experts_per_token: int = 0  # num_experts_per_tok
    router_bias: bool = False
    expert_bias: bool = False
    # Sliding-window attention: this many layers only ever attend to the last `sliding_window`
    # tokens, so their KV cache stops growing there (Gemma 2/3, gpt-oss).
    sliding_window: int = 0
    sliding_layers: int = 0
    # Phi-3's code stores Q, K and V as one qkv_proj matrix and gate and up as one gate_up_proj
    # (same parameters; it matters to LoRA, which adapts each stored matrix).
    fused_projections: bool = False
    # Llama 4's local layers attend within fixed chunks of `sliding_window` tokens (a token sees
    # only the earlier tokens of its own chunk) rather than a window sliding with it; the KV
    # cache keeps at most a chunk either way, and llama.cpp sizes both alike.
    chunked_attention: bool = False
    # Multi-head latent attention (DeepSeek-V2, arXiv:2405.04434 section 2.1): K and V are
    # rebuilt from a compressed latent of kv_lora_rank values per token, plus one RoPE key of
    # qk_rope_head_dim shared by all heads. head_dim is then the query/key head
    # (qk_nope_head_dim + qk_rope_head_dim) and v_head_dim the value head.
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    v_head_dim: int = 0
    # MoE extras: always-on shared expert(s), total width (DeepSeek: n_shared_experts ×
    # moe_intermediate_size; Llama 4: one expert of intermediate_size), and leading dense layers.
    shared_ffn_hidden: int = 0
    dense_layers: int = 0
    dense_ffn_hidden: int = 0

    @property
    def q_dim(self) -> int:
        return self.heads * self.head_dim

    @property
    def kv_dim(self) -> int:
        return self.kv_heads * self.head_dim

    @property
    def is_moe(self) -> bool:
        return self.experts > 0

    @property
    def is_mla(self) -> bool:
        return self.kv_lora_rank > 0

    @property
    def qk_nope_head_dim(self) -> int:
        return self.head_dim - self.qk_rope_head_dim

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.is_moe else 0

    @property
    def k_cache_width(self) -> int:
        """Values one token's K takes in one layer's cache: all KV heads of head_dim, or for
        MLA the latent and the RoPE key (what llama.cpp and vLLM cache instead of K)."""
        if self.is_mla:
            return self.kv_lora_rank + self.qk_rope_head_dim
        return self.kv_dim

    @property
    def v_cache_width(self) -> int:
        """Values one token's V takes in one layer's cache: 0 for MLA, whose V is read from the
        latent already stored in the K cache."""
        return 0 if self.is_mla else self.kv_dim


def _attention_matrices(a: Architecture) -> int:
    if a.is_mla:
        heads, r, rope = a.heads, a.kv_lora_rank, a.qk_rope_head_dim
        return (
            a.hidden * a.q_dim
            + a.hidden * (r + rope)
            + r * heads * (a.qk_nope_head_dim + a.v_head_dim)
            + heads * a.v_head_dim * a.hidden
        )
    return a.hidden * a.q_dim + 2 * a.hidden * a.kv_dim + a.q_dim * a.hidden


def attention_params(a: Architecture) -> int:
    count = _attention_matrices(a)
    if a.is_mla:
        count += a.kv_lora_rank  # kv_a_layernorm over the latent
    if a.qkv_bias:
        count += a.q_dim + 2 * a.kv_dim
    if a.output_bias:
        count += a.hidden
    if a.qk_norm:
        count += 2 * a.head_dim
    if a.attention_sinks:
        count += a.heads
    return count


def expert_params(a: Architecture) -> int:
    """One gated MLP (one expert, or the whole MLP of a dense model)."""
    count = 3 * a.hidden * a.ffn_hidden
    if a.expert_bias:
        count += 2 * a.ffn_hidden + a.hidden
    return count


def router_params(a: Architecture) -> int:
    if not a.is_moe:
        return 0
    return a.experts * a.hidden + (a.experts if a.router_bias else 0)


def shared_expert_params(a: Architecture) -> int:
    return 3 * a.hidden * a.shared_ffn_hidden


def dense_mlp_params(a: Architecture) -> int:
    """The MLP of a dense model's layer, or of an MoE model's leading dense layers."""
    if a.is_moe:
        return 3 * a.hidden * a.dense_ffn_hidden
    return expert_params(a)


def embedding_params(a: Architecture) -> int:
    """Input embedding plus, when untied, the output projection."""
    return a.vocab * a.hidden * (1 if a.tied_embeddings else 2)


def _decoder_params(a: Architecture, experts_counted: int) -> int:
    """All decoder layers, counting `experts_counted` routed experts in each MoE layer."""
    per_layer = attention_params(a) + a.norms_per_layer * a.hidden
    dense = a.layers - a.moe_layers
    moe_mlp = expert_params(a) * experts_counted + router_params(a) + shared_expert_params(a)
    return a.layers * per_layer + dense * dense_mlp_params(a) + a.moe_layers * moe_mlp


def parameter_count(a: Architecture) -> int:
    """Every parameter the checkpoint holds: all experts of an MoE model (all must be in memory)."""
    return _decoder_params(a, a.experts) + embedding_params(a) + a.hidden


def active_parameter_count(a: Architecture) -> int:
    """Parameters used for one token: only the routed experts of an MoE layer (what decode reads).

    Both embedding matrices are included, as Mistral counts Mixtral's 12.9B active.
    """
    return _decoder_params(a, a.experts_per_token) + embedding_params(a) + a.hidden


def non_embedding_parameter_count(a: Architecture) -> int:
    """The figure Qwen and Gemma publish next to the total."""
    return parameter_count(a) - embedding_params(a)


def layer_matrix_params(a: Architecture) -> int:
    """The weight matrices inside the decoder layers (attention, every expert's MLP, router):
    what 4-bit fine-tuning quantizes. Embeddings, the output layer, norms and biases are left."""
    dense = a.layers - a.moe_layers
    moe_mlp = a.experts * 3 * a.hidden * a.ffn_hidden + a.experts * a.hidden
    moe_mlp += shared_expert_params(a)
    dense_mlp = 3 * a.hidden * (a.dense_ffn_hidden if a.is_moe else a.ffn_hidden)
    return a.layers * _attention_matrices(a) + dense * dense_mlp + a.moe_layers * moe_mlp


@dataclass(frozen=True)
class Published:
    """A parameter count as its publisher states it, in billions, with where it is stated."""

    total_b: float
    source: str
    active_b: float | None = None
    non_embedding_b: float | None = None
    # The total counts a vision encoder the catalog's text model leaves out (Llama 4): the
    # tests compare it with Transformers' count of the whole multimodal model.
    includes_vision: bool = False


@dataclass(frozen=True)
class Model:
    id: str
    name: str
    family: str  # the Transformers model_type the config names
    arch: Architecture
    config_url: str  # the official config.json the fields are read from
    published: Published | None = None
    note: str = ""

    @property
    def params(self) -> int:
        return parameter_count(self.arch)

    @property
    def active_params(self) -> int:
        return active_parameter_count(self.arch)


HF = "https://huggingface.co/{}/blob/main/config.json"


def _llama(layers, hidden, heads, kv_heads, ffn, vocab, tied, head_dim=None, ctx=131072, **kw):
    return Architecture(
        layers, hidden, heads, kv_heads, head_dim or hidden // heads, ffn, vocab, tied, ctx, **kw
    )


def _qwen2(layers, hidden, heads, kv_heads, ffn, vocab=152064, tied=False, ctx=32768):
    return Architecture(
        layers, hidden, heads, kv_heads, hidden // heads, ffn, vocab, tied, ctx, qkv_bias=True
    )


def _qwen3(layers, hidden, heads, ffn, tied, kv_heads=8):
    return Architecture(
        layers, hidden, heads, kv_heads, 128, ffn, 151936, tied, 40960, qk_norm=True
    )


def _gemma2(layers, hidden, heads, kv_heads, head_dim, ffn):
    # Every other layer (the even-indexed ones) is local with a 4096-token window.
    return Architecture(
        layers, hidden, heads, kv_heads, head_dim, ffn, 256000, True, 8192,
        norms_per_layer=4, sliding_window=4096, sliding_layers=(layers + 1) // 2,
    )  # fmt: skip


def _gemma3(layers, hidden, heads, kv_heads, head_dim, ffn, vocab, ctx, window):
    # Five local layers to one global: layers 6, 12, 18, ... (1-based) attend to everything.
    return Architecture(
        layers, hidden, heads, kv_heads, head_dim, ffn, vocab, True, ctx,
        qk_norm=True, norms_per_layer=4, sliding_window=window, sliding_layers=layers - layers // 6,
    )  # fmt: skip


def _gpt_oss(layers, experts):
    # Alternating sliding (128 tokens) and full attention, starting with a sliding layer.
    return Architecture(
        layers, 2880, 64, 8, 64, 2880, 201088, False, 131072,
        qkv_bias=True, output_bias=True, attention_sinks=True,
        experts=experts, experts_per_token=4, router_bias=True, expert_bias=True,
        sliding_window=128, sliding_layers=(layers + 1) // 2,
    )  # fmt: skip


HF_COUNT = "parameter count on the Hugging Face model page (safetensors)"
# Table 1 of the report: embedding + non-embedding parameters of the language model, without
# the 417M vision encoder. (Its embedding figures are 0.5 % above vocab × hidden.)
GEMMA3_REPORT = "Gemma 3 Technical Report, Table 1 (text model: embedding + non-embedding)"

MODELS: tuple[Model, ...] = (
    Model(
        "llama-3.2-1b", "Llama 3.2 1B", "llama",
        _llama(16, 2048, 32, 8, 8192, 128256, True, head_dim=64),
        HF.format("meta-llama/Llama-3.2-1B-Instruct"),
        Published(1.24, HF_COUNT),
    ),
    Model(
        "llama-3.2-3b", "Llama 3.2 3B", "llama",
        _llama(28, 3072, 24, 8, 8192, 128256, True, head_dim=128),
        HF.format("meta-llama/Llama-3.2-3B-Instruct"),
        Published(3.21, "Llama 3.2 model card (3B = 3.21B)"),
    ),
    Model(
        "llama-3.1-8b", "Llama 3.1 8B", "llama",
        _llama(32, 4096, 32, 8, 14336, 128256, False),
        HF.format("meta-llama/Llama-3.1-8B-Instruct"),
        Published(8.03, HF_COUNT),
    ),
    Model(
        "llama-3.3-70b", "Llama 3.3 70B", "llama",
        _llama(80, 8192, 64, 8, 28672, 128256, False),
        HF.format("meta-llama/Llama-3.3-70B-Instruct"),
        Published(70.6, HF_COUNT),
        note="Same architecture as Llama 3.1 70B.",
    ),
    Model(
        "mistral-7b-v0.3", "Mistral 7B v0.3", "mistral",
        _llama(32, 4096, 32, 8, 14336, 32768, False, ctx=32768),
        HF.format("mistralai/Mistral-7B-Instruct-v0.3"),
        Published(7.25, HF_COUNT),
        note="v0.3 has no sliding window (sliding_window is null).",
    ),
    Model(
        "mistral-nemo-12b", "Mistral NeMo 12B", "mistral",
        _llama(40, 5120, 32, 8, 14336, 131072, False, head_dim=128),
        HF.format("mistralai/Mistral-Nemo-Instruct-2407"),
        Published(12.2, HF_COUNT),
        note="head_dim 128 with hidden 5120 and 32 heads (not 5120 ÷ 32 = 160). The config's "
        "max_position_embeddings is 1,024,000; the model card states a 128k context window, "
        "which is what we use.",
    ),
    Model(
        "qwen2.5-7b", "Qwen2.5 7B", "qwen2",
        _qwen2(28, 3584, 28, 4, 18944),
        HF.format("Qwen/Qwen2.5-7B-Instruct"),
        Published(7.62, HF_COUNT, non_embedding_b=6.53),
        note="32,768 tokens natively; the model card enables 128k with YaRN rope scaling.",
    ),
    Model(
        "qwen2.5-14b", "Qwen2.5 14B", "qwen2",
        _qwen2(48, 5120, 40, 8, 13824),
        HF.format("Qwen/Qwen2.5-14B-Instruct"),
        Published(14.8, HF_COUNT),
        note="32,768 tokens natively; 128k with YaRN.",
    ),
    Model(
        "qwen2.5-32b", "Qwen2.5 32B", "qwen2",
        _qwen2(64, 5120, 40, 8, 27648),
        HF.format("Qwen/Qwen2.5-32B-Instruct"),
        Published(32.8, HF_COUNT),
        note="32,768 tokens natively; 128k with YaRN.",
    ),
    Model(
        "qwen2.5-72b", "Qwen2.5 72B", "qwen2",
        _qwen2(80, 8192, 64, 8, 29568),
        HF.format("Qwen/Qwen2.5-72B-Instruct"),
        Published(72.7, "Qwen2.5-72B-Instruct model card (72.7B)"),
        note="32,768 tokens natively; 128k with YaRN.",
    ),
    Model(
        "qwen3-4b", "Qwen3 4B", "qwen3",
        _qwen3(36, 2560, 32, 9728, True),
        HF.format("Qwen/Qwen3-4B"),
        Published(4.0, "Qwen3-4B model card (4.0B)", non_embedding_b=3.6),
        note="32,768 tokens natively (40,960 positions in the config); 131,072 with YaRN.",
    ),
    Model(
        "qwen3-8b", "Qwen3 8B", "qwen3",
        _qwen3(36, 4096, 32, 12288, False),
        HF.format("Qwen/Qwen3-8B"),
        Published(8.2, "Qwen3-8B model card (8.2B)", non_embedding_b=6.95),
        note="32,768 tokens natively (40,960 positions in the config); 131,072 with YaRN.",
    ),
    Model(
        "qwen3-14b", "Qwen3 14B", "qwen3",
        _qwen3(40, 5120, 40, 17408, False),
        HF.format("Qwen/Qwen3-14B"),
        Published(14.8, "Qwen3-14B model card (14.8B)", non_embedding_b=13.2),
        note="32,768 tokens natively (40,960 positions in the config); 131,072 with YaRN.",
    ),
    Model(
        "qwen3-32b", "Qwen3 32B", "qwen3",
        _qwen3(64, 5120, 64, 25600, False),
        HF.format("Qwen/Qwen3-32B"),
        Published(32.8, "Qwen3-32B model card (32.8B)", non_embedding_b=31.2),
        note="64 query heads of 128 (q width 8192 on a 5120-wide model).",
    ),
    Model(
        "qwen3-30b-a3b", "Qwen3 30B-A3B (MoE)", "qwen3_moe",
        Architecture(
            48, 2048, 32, 4, 128, 768, 151936, False, 40960,
            qk_norm=True, experts=128, experts_per_token=8,
        ),
        HF.format("Qwen/Qwen3-30B-A3B"),
        Published(30.5, "Qwen3-30B-A3B model card", active_b=3.3, non_embedding_b=29.9),
        note="128 experts, 8 routed per token: all 30.5B must be in memory, 3.3B are read per "
        "token.",
    ),  # fmt: skip
    Model(
        "gemma-2-2b", "Gemma 2 2B", "gemma2",
        _gemma2(26, 2304, 8, 4, 256, 9216),
        HF.format("google/gemma-2-2b-it"),
        Published(2.61, HF_COUNT),
    ),
    Model(
        "gemma-2-9b", "Gemma 2 9B", "gemma2",
        _gemma2(42, 3584, 16, 8, 256, 14336),
        HF.format("google/gemma-2-9b-it"),
        Published(9.24, HF_COUNT),
    ),
    Model(
        "gemma-2-27b", "Gemma 2 27B", "gemma2",
        _gemma2(46, 4608, 32, 16, 128, 36864),
        HF.format("google/gemma-2-27b-it"),
        Published(27.2, HF_COUNT),
    ),
    Model(
        "gemma-3-1b", "Gemma 3 1B", "gemma3_text",
        _gemma3(26, 1152, 4, 1, 256, 6912, 262144, 32768, 512),
        HF.format("google/gemma-3-1b-it"),
        Published(1.0, "Gemma 3 Technical Report, Table 1", non_embedding_b=0.698),
        note="Its local layers use a 512-token window (1,024 on the larger Gemma 3 models).",
    ),
    Model(
        "gemma-3-4b", "Gemma 3 4B", "gemma3_text",
        _gemma3(34, 2560, 8, 4, 256, 10240, 262208, 131072, 1024),
        HF.format("google/gemma-3-4b-it"),
        Published(3.884, GEMMA3_REPORT, non_embedding_b=3.209),
        note="Text model only; the 0.42B SigLIP vision encoder loads only for images.",
    ),
    Model(
        "gemma-3-12b", "Gemma 3 12B", "gemma3_text",
        _gemma3(48, 3840, 16, 8, 256, 15360, 262208, 131072, 1024),
        HF.format("google/gemma-3-12b-it"),
        Published(11.771, GEMMA3_REPORT, non_embedding_b=10.759),
        note="Text model only; the 0.42B SigLIP vision encoder loads only for images.",
    ),
    Model(
        "gemma-3-27b", "Gemma 3 27B", "gemma3_text",
        _gemma3(62, 5376, 32, 16, 128, 21504, 262208, 131072, 1024),
        HF.format("google/gemma-3-27b-it"),
        Published(27.016, GEMMA3_REPORT, non_embedding_b=25.6),
        note="Text model only; the 0.42B SigLIP vision encoder loads only for images.",
    ),
    Model(
        "phi-3-mini-4k", "Phi-3 mini 4k", "phi3",
        _llama(32, 3072, 32, 32, 8192, 32064, False, ctx=4096, fused_projections=True),
        HF.format("microsoft/Phi-3-mini-4k-instruct"),
        Published(3.82, HF_COUNT),
        note="Full multi-head attention (32 KV heads), so its KV cache is large per token. "
        "The config sets a 2,047-token sliding window on every layer; we do not cap the KV "
        "cache for it, as llama.cpp disables Phi's sliding window and allocates the full cache.",
    ),
    Model(
        "phi-4", "Phi-4 14B", "phi3",
        _llama(40, 5120, 40, 10, 17920, 100352, False, ctx=16384, fused_projections=True),
        HF.format("microsoft/phi-4"),
        Published(14.7, HF_COUNT),
    ),
    Model(
        "deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill-Qwen 7B", "qwen2",
        _qwen2(28, 3584, 28, 4, 18944, ctx=131072),
        HF.format("deepseek-ai/DeepSeek-R1-Distill-Qwen-7B"),
        Published(7.62, HF_COUNT),
        note="Qwen2.5-Math-7B architecture.",
    ),
    Model(
        "deepseek-r1-distill-llama-8b", "DeepSeek-R1-Distill-Llama 8B", "llama",
        _llama(32, 4096, 32, 8, 14336, 128256, False),
        HF.format("deepseek-ai/DeepSeek-R1-Distill-Llama-8B"),
        Published(8.03, HF_COUNT),
        note="Llama 3.1 8B architecture.",
    ),
    Model(
        "deepseek-r1-distill-qwen-14b", "DeepSeek-R1-Distill-Qwen 14B", "qwen2",
        _qwen2(48, 5120, 40, 8, 13824, ctx=131072),
        HF.format("deepseek-ai/DeepSeek-R1-Distill-Qwen-14B"),
        Published(14.8, HF_COUNT),
        note="Qwen2.5 14B architecture.",
    ),
    Model(
        "deepseek-r1-distill-qwen-32b", "DeepSeek-R1-Distill-Qwen 32B", "qwen2",
        _qwen2(64, 5120, 40, 8, 27648, ctx=131072),
        HF.format("deepseek-ai/DeepSeek-R1-Distill-Qwen-32B"),
        Published(32.8, HF_COUNT),
        note="Qwen2.5 32B architecture.",
    ),
    Model(
        "mistral-small-24b", "Mistral Small 3 24B", "mistral",
        _llama(40, 5120, 32, 8, 32768, 131072, False, head_dim=128, ctx=32768),
        HF.format("mistralai/Mistral-Small-24B-Instruct-2501"),
        Published(23.6, HF_COUNT),
        note="Mistral Small 3 (2501). Mistral Small 3.1 (2503) and 3.2 (2506) keep this text "
        "model, extend its context to 131,072 tokens and add a vision encoder of about 0.4B "
        "parameters that loads only for images.",
    ),
    Model(
        "qwq-32b", "QwQ 32B", "qwen2",
        _qwen2(64, 5120, 40, 8, 27648, ctx=40960),
        HF.format("Qwen/QwQ-32B"),
        Published(32.8, HF_COUNT),
        note="Qwen2.5 32B architecture, trained to reason at length: budget context for its "
        "thinking. 40,960 positions in the config; the model card enables 131,072 with YaRN.",
    ),
    Model(
        "qwen2.5-coder-32b", "Qwen2.5-Coder 32B", "qwen2",
        _qwen2(64, 5120, 40, 8, 27648),
        HF.format("Qwen/Qwen2.5-Coder-32B-Instruct"),
        Published(32.8, HF_COUNT),
        note="Qwen2.5 32B architecture. 32,768 tokens natively; 128k with YaRN.",
    ),
    Model(
        "llama-4-scout", "Llama 4 Scout 17B-16E (MoE)", "llama4_text",
        Architecture(
            48, 5120, 40, 8, 128, 8192, 202048, False, 10485760,
            experts=16, experts_per_token=1, shared_ffn_hidden=8192,
            sliding_window=8192, sliding_layers=36, chunked_attention=True,
        ),
        HF.format("meta-llama/Llama-4-Scout-17B-16E-Instruct"),
        Published(
            109, "Meta, Llama 4 model card: 17B active, 109B total (with the vision encoder)",
            active_b=17, includes_vision=True,
        ),
        note="16 routed experts (one per token) plus a shared expert in every layer: all 108B "
        "text parameters must be in memory, 17B are read per token. Three of every four layers "
        "attend only within their 8,192-token chunk (attention_chunk_size; they use RoPE), the "
        "fourth attends to everything without positional encoding (no_rope_layers): only 12 of "
        "48 layers keep the whole context in the KV cache. Text model only; the 0.9B vision "
        "encoder loads only for images. The config allows 10,485,760 positions.",
    ),
    Model(
        "deepseek-v2-lite", "DeepSeek-V2-Lite 16B (MoE, MLA)", "deepseek_v2",
        Architecture(
            27, 2048, 16, 16, 192, 1408, 102400, False, 32768,
            experts=64, experts_per_token=6, shared_ffn_hidden=2 * 1408,
            dense_layers=1, dense_ffn_hidden=10944,
            kv_lora_rank=512, qk_rope_head_dim=64, v_head_dim=128,
        ),
        HF.format("deepseek-ai/DeepSeek-V2-Lite-Chat"),
        Published(
            15.7, "DeepSeek-V2 paper (arXiv:2405.04434) and model card: 15.7B total, 2.4B active",
            active_b=2.4,
        ),
        note="Multi-head latent attention: each layer caches one compressed latent of 512 values "
        "per token plus a 64-value RoPE key shared by all 16 heads (576 values), where "
        "ordinary attention would cache K and V for every head, 16 × (192 + 128) = 5,120 values: "
        "an 8.9 times smaller KV cache. llama.cpp (GGUFs converted since its MLA support) and "
        "vLLM cache exactly the latent and the RoPE key. 64 routed experts (6 per token) and 2 "
        "shared experts; the first layer is dense. 32k context per the model card (the config's "
        "163,840 positions use YaRN).",
    ),
    Model(
        "mixtral-8x7b", "Mixtral 8x7B (MoE)", "mixtral",
        Architecture(
            32, 4096, 32, 8, 128, 14336, 32000, False, 32768, experts=8, experts_per_token=2
        ),
        HF.format("mistralai/Mixtral-8x7B-Instruct-v0.1"),
        Published(46.7, "Jiang et al. 2024, Mixtral of Experts (12.9B active)", active_b=12.9),
        note="8 experts, 2 routed per token: all 46.7B in memory, 12.9B read per token.",
    ),
    Model(
        "gpt-oss-20b", "gpt-oss-20b (MoE)", "gpt_oss",
        _gpt_oss(24, 32),
        HF.format("openai/gpt-oss-20b"),
        Published(20.91, "OpenAI gpt-oss model card, Table 1", active_b=3.61),
        note="Shipped with MXFP4 expert weights (4.25 bits), which published GGUFs keep; the "
        "quantization you pick here is applied to every weight, as llama.cpp's quantize would "
        "from 16-bit weights, and its 2,880-wide rows make K-quants fall back to Q5_0 and Q8_0. "
        "OpenAI's active count leaves out the input embedding.",
    ),
    Model(
        "gpt-oss-120b", "gpt-oss-120b (MoE)", "gpt_oss",
        _gpt_oss(36, 128),
        HF.format("openai/gpt-oss-120b"),
        Published(116.83, "OpenAI gpt-oss model card, Table 1", active_b=5.13),
        note="Shipped with MXFP4 expert weights (4.25 bits), which published GGUFs keep; the "
        "quantization you pick here is applied to every weight, as llama.cpp's quantize would "
        "from 16-bit weights, and its 2,880-wide rows make K-quants fall back to Q5_0 and Q8_0. "
        "OpenAI's active count leaves out the input embedding.",
    ),
)  # fmt: skip

BY_ID = {m.id: m for m in MODELS}
