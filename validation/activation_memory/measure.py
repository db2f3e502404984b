"""Measure the bytes PyTorch autograd keeps for backward, to check the activation-memory calculator.

Runs on the CPU with Hugging Face Transformers' own GPT-2 and Llama code (not ours), builds tiny
models with 1 and 2 layers, and counts every distinct storage that autograd saves during one
training forward pass (saved_tensors_hooks; a storage is counted once, by its data_ptr).
Parameters and registered buffers are excluded: they are model state, not activations.

  one layer      = saved(2 layers) - saved(1 layer)
  outside layers = saved(1 layer) - one layer      (embeddings, final norm, logits, loss)

Writes validation/activation_memory/measured.json. Run from the repository root:
  python3 -m venv /tmp/val5
  /tmp/val5/bin/pip install -r validation/activation_memory/requirements.txt
  /tmp/val5/bin/python validation/activation_memory/measure.py
"""

import functools
import json
import platform
from pathlib import Path

import torch
import transformers
from torch.utils.checkpoint import checkpoint
from transformers import (
    AttentionInterface,
    AttentionMaskInterface,
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
)
from transformers.masking_utils import eager_mask
from transformers.models.gpt2 import modeling_gpt2
from transformers.models.llama import modeling_llama

OUT = Path(__file__).with_name("measured.json")
DTYPES = {2: torch.bfloat16, 4: torch.float32}


def selective(eager_fn):
    """Megatron's selective recomputation: checkpoint only the attention core (QK^T, softmax,
    dropout, x V). The mask rides in the closure so only q, k, v are saved as inputs."""

    def attention(module, query, key, value, attention_mask, **kwargs):
        core = functools.partial(eager_fn, module, attention_mask=attention_mask, **kwargs)
        out = checkpoint(lambda q, k, v: core(q, k, v)[0], query, key, value, use_reentrant=True)
        return out, None

    return attention


AttentionInterface.register("selective_gpt2", selective(modeling_gpt2.eager_attention_forward))
AttentionInterface.register("selective_llama", selective(modeling_llama.eager_attention_forward))
AttentionMaskInterface.register("selective_gpt2", eager_mask)
AttentionMaskInterface.register("selective_llama", eager_mask)
ATTENTION = {
    ("gpt", "eager", "none"): "eager",
    ("gpt", "flash", "none"): "sdpa",
    ("gpt", "eager", "selective"): "selective_gpt2",
    ("llama", "eager", "none"): "eager",
    ("llama", "flash", "none"): "sdpa",
    ("llama", "eager", "selective"): "selective_llama",
}


def saved_bytes(model, input_ids) -> int:
    """Bytes of distinct non-parameter storages autograd saves in one forward with loss."""
    state = {t.untyped_storage().data_ptr() for t in [*model.parameters(), *model.buffers()]}
    seen: dict[int, int] = {}

    def pack(tensor):
        storage = tensor.untyped_storage()
        ptr = storage.data_ptr()
        if ptr not in state:
            seen.setdefault(ptr, storage.nbytes())
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda tensor: tensor):
        # use_cache=False: a training step builds no KV cache (GPT-2 would copy K and V into one).
        loss = model(input_ids=input_ids, labels=input_ids, use_cache=False).loss
    loss.backward()  # proves the graph is complete; gradients are not measured
    return sum(seen.values())


def build(arch, shape, layers, attention, recompute, dtype_bytes):
    s, b, h, a, kv, head_dim, f, v = (shape[k] for k in ("s", "b", "h", "a", "kv", "d", "f", "v"))
    impl = ATTENTION[(arch, attention, "selective" if recompute == "selective" else "none")]
    if arch == "gpt":
        # The paper's block: LayerNorm, GeLU MLP, dropout 0.1 everywhere. The CPU has no flash
        # kernel with dropout, so the flash rows set attention dropout to 0 (residual and
        # embedding dropout stay); flash kernels on GPUs keep only an RNG seed for it anyway.
        config = GPT2Config(
            n_embd=h,
            n_head=a,
            n_layer=layers,
            n_inner=f,
            vocab_size=v,
            n_positions=s,
            activation_function="gelu",
            resid_pdrop=0.1,
            embd_pdrop=0.1,
            attn_pdrop=0.0 if attention == "flash" else 0.1,
            attn_implementation=impl,
        )
        model = GPT2LMHeadModel(config)
    else:
        config = LlamaConfig(
            hidden_size=h,
            num_attention_heads=a,
            num_key_value_heads=kv,
            head_dim=head_dim,
            intermediate_size=f,
            num_hidden_layers=layers,
            vocab_size=v,
            max_position_embeddings=s,
            tie_word_embeddings=False,
            attn_implementation=impl,
        )
        model = LlamaForCausalLM(config)
    model.to(DTYPES[dtype_bytes]).train()
    if recompute == "full":
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": True})
    return model


def measure(arch, shape, attention, recompute, dtype_bytes):
    totals = {}
    for layers in (1, 2):
        torch.manual_seed(0)
        model = build(arch, shape, layers, attention, recompute, dtype_bytes)
        ids = torch.randint(0, shape["v"], (shape["b"], shape["s"]))
        totals[layers] = saved_bytes(model, ids)
    per_layer = totals[2] - totals[1]
    return {
        "arch": arch,
        **shape,
        "attention": attention,
        "recompute": recompute,
        "dtype_bytes": dtype_bytes,
        "per_layer_bytes": per_layer,
        "outside_bytes": totals[1] - per_layer,
        "two_layer_total_bytes": totals[2],
    }


GPT_SHAPES = [
    dict(s=128, b=2, h=256, a=4, kv=4, d=64, f=1024, v=512),
    dict(s=256, b=1, h=384, a=6, kv=6, d=64, f=1536, v=1000),
    dict(s=64, b=4, h=512, a=8, kv=8, d=64, f=2048, v=768),
    dict(s=192, b=2, h=256, a=8, kv=8, d=32, f=768, v=640),  # ffn != 4h
]
LLAMA_SHAPES = [
    dict(s=128, b=2, h=256, a=8, kv=2, d=32, f=688, v=512),  # GQA 4:1
    dict(s=256, b=1, h=384, a=6, kv=6, d=64, f=1024, v=1000),  # MHA
    dict(s=64, b=4, h=256, a=4, kv=1, d=96, f=512, v=2048),  # head_dim x heads != hidden, MQA
    dict(s=160, b=2, h=320, a=10, kv=5, d=32, f=864, v=4096),  # large vocab relative to h
]


def main():
    torch.set_num_threads(1)
    rows = []
    for arch, shapes in (("gpt", GPT_SHAPES), ("llama", LLAMA_SHAPES)):
        for shape in shapes:
            for attention, recompute in (
                ("eager", "none"),
                ("flash", "none"),
                ("eager", "selective"),
                ("eager", "full"),
                ("flash", "full"),
            ):
                rows.append(measure(arch, shape, attention, recompute, 2))
                print(json.dumps(rows[-1]))
        rows.append(measure(arch, shapes[0], "eager", "none", 4))
        rows.append(measure(arch, shapes[0], "flash", "none", 4))
    # What CUDA's fused dropout saves: torch.native_dropout returns its keep-mask as bool.
    _, mask = torch.native_dropout(torch.ones(8, dtype=torch.bfloat16), 0.1, True)
    cpu_mask = torch.nn.functional.dropout(
        torch.ones(8, dtype=torch.bfloat16, requires_grad=True), 0.1, True
    ).grad_fn._saved_other.dtype
    OUT.write_text(
        json.dumps(
            {
                "generated_by": "validation/activation_memory/measure.py",
                "torch": torch.__version__,
                "transformers": transformers.__version__,
                "python": platform.python_version(),
                "device": "cpu",
                "native_dropout_mask_dtype": str(mask.dtype),
                "cpu_dropout_saved_mask_dtype": str(cpu_mask),
                "rows": rows,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {len(rows)} rows to {OUT}")


if __name__ == "__main__":
    main()
