"""Build every catalog architecture with Hugging Face Transformers on the `meta` device (no
weights are allocated or downloaded), count its parameters and its sliding-window layers, and
write the table the regular test suite compares the catalog with.

For the LoRA / QLoRA estimate it also counts the weight matrices inside the decoder layers
(what 4-bit loading quantizes) and the trainable parameters PEFT adds with rank-16 LoRA on
every linear layer (`target_modules="all-linear"`).

Run from the repository root, in its own virtualenv (see README.md here):
    /tmp/val-gpu-fit/bin/python validation/gpu_fit/count_params.py
"""

import json
import sys
from pathlib import Path

import peft
import torch
import transformers
from peft import LoraConfig, get_peft_model
from transformers import AutoConfig, AutoModelForCausalLM, AutoModelForImageTextToText

sys.path.insert(0, str(Path(__file__).parent))
from configs import CONFIGS, MULTIMODAL  # noqa: E402

OUT = Path(__file__).parent / "transformers_counts.json"


def count(fields: dict) -> dict:
    fields = dict(fields)
    config = AutoConfig.for_model(fields.pop("model_type"), **fields)
    with torch.device("meta"):
        model = AutoModelForCausalLM.from_config(config)
    # parameters() yields a tied embedding once, as the checkpoint stores it once.
    params = sum(p.numel() for p in model.parameters())
    layer_types = getattr(config, "layer_types", None) or []
    window = getattr(config, "sliding_window", None)
    sliding = sum(t == "sliding_attention" for t in layer_types) if window else 0
    # Llama 4: "chunked_attention" layers see only their own attention_chunk_size chunk.
    chunked = sum(t == "chunked_attention" for t in layer_types)
    if chunked:
        sliding, window = chunked, config.attention_chunk_size
    # Matrices in the decoder layers: linear layers' weights, and MoE experts stored as 3-D
    # tensors (Transformers 5 fuses each layer's experts). Not norms or biases (gpt-oss's fused
    # expert biases are 2-D, hence the name test).
    layer_matrices = sum(
        p.numel()
        for name, p in model.model.layers.named_parameters()
        if p.dim() >= 2 and not name.endswith("bias")
    )
    with torch.device("meta"):
        adapted = get_peft_model(model, LoraConfig(r=16, target_modules="all-linear"))
    lora = sum(p.numel() for p in adapted.parameters() if p.requires_grad)
    return {
        "class": type(model).__name__,
        "params": params,
        "sliding_layers": sliding,
        "sliding_window": window if sliding else 0,
        "layer_matrix_params": layer_matrices,
        "peft_lora_r16_all_linear": lora,
    }


def count_multimodal(fields: dict) -> int:
    """Text and vision together, as a publisher's total for a multimodal checkpoint counts them."""
    fields = dict(fields)
    config = AutoConfig.for_model(fields.pop("model_type"), **fields)
    with torch.device("meta"):
        model = AutoModelForImageTextToText.from_config(config)
    return sum(p.numel() for p in model.parameters())


def main():
    table = {model_id: count(fields) for model_id, fields in CONFIGS.items()}
    for model_id, fields in MULTIMODAL.items():
        table[model_id]["multimodal_params"] = count_multimodal(fields)
    document = {
        "generated_by": "validation/gpu_fit/count_params.py",
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "peft": peft.__version__,
        "models": table,
    }
    OUT.write_text(json.dumps(document, indent=2) + "\n")
    for model_id, row in table.items():
        print(f"{model_id:32} {row['params']:>16,} {row['class']}")


if __name__ == "__main__":
    main()
