"""The command to start it: llama.cpp, vLLM and Ollama, each flag checked in the engine's source.

- llama.cpp common/arg.cpp (commit 0c1e57098, vendored in llama-cpp-python 0.3.36): `-m`,
  `-c/--ctx-size` (the context of all slots together), `-ngl/--n-gpu-layers` (N, or `all`),
  `-fa/--flash-attn [on|off|auto]`, `-ctk/--cache-type-k`, `-ctv/--cache-type-v`,
  `-np/--parallel`, `-sm/--split-mode {none,layer,row,tensor}` (layer is the default),
  `-ts/--tensor-split N0,N1,...`, `-ncmoe/--n-cpu-moe N` ("keep the MoE weights of the first N
  layers in the CPU"); a quantized V cache needs flash attention (src/llama-context.cpp).
- vLLM 0.33.0 vllm/engine/arg_utils.py: `--max-model-len`, `--gpu-memory-utilization`,
  `--tensor-parallel-size`, `--kv-cache-dtype` (fp8), `--quantization` (fp8, awq_marlin),
  `--max-num-seqs`.
- Ollama envconfig/config.go (v0.33.0-rc2): OLLAMA_FLASH_ATTENTION, OLLAMA_KV_CACHE_TYPE,
  OLLAMA_CONTEXT_LENGTH, OLLAMA_NUM_PARALLEL, OLLAMA_SCHED_SPREAD; the Modelfile's
  `PARAMETER num_ctx` and `num_gpu` (layers on the GPU).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    text: str | None
    reason: str  # why it is None, or a note on what the command assumes


def gguf_name(model_name: str, repo: str, quant_label: str) -> str:
    base = repo.rsplit("/", 1)[-1] if repo else model_name.replace(" ", "-")
    return f"{base}-{quant_label}.gguf"


def llama_cpp(
    file: str, context: int, batch: int, kv: str, cards: int, mode: str, gpu_layers: int | None,
    cpu_moe_layers: int,
) -> Command:  # fmt: skip
    if mode == "none":
        return Command(None, "It fits neither the VRAM nor, with offload, the system RAM given.")
    parts = [f"llama-server -m {file}", f"-c {context * batch}"]
    if mode == "layers":
        parts.append(f"-ngl {gpu_layers}")
    else:
        parts.append("-ngl all")
    if cpu_moe_layers:
        parts.append(f"--n-cpu-moe {cpu_moe_layers}")
    parts.append("-fa on")
    if kv != "f16":
        parts.append(f"-ctk {kv} -ctv {kv}")
    if batch > 1:
        parts.append(f"-np {batch}")
    if cards > 1:
        parts.append("--split-mode layer -ts " + ",".join("1" for _ in range(cards)))
    return Command(" ".join(parts), "")


def vllm(repo: str, context: int, batch: int, kv: str, cards: int, serving) -> Command:
    if not repo:
        return Command(None, "vLLM loads a Hugging Face checkpoint; your model has none named.")
    if serving.problem:
        return Command(None, serving.problem)
    source = repo if serving.format != "int4" else f"./{repo.rsplit('/', 1)[-1]}-AWQ"
    parts = [f"vllm serve {source}", f"--max-model-len {context}", "--gpu-memory-utilization 0.9"]
    if cards > 1:
        parts.append(f"--tensor-parallel-size {cards}")
    if serving.format == "fp8":
        parts.append("--quantization fp8")
    elif serving.format == "int4":
        parts.append("--quantization awq_marlin")
    if kv != "f16":
        parts.append("--kv-cache-dtype fp8")
    if batch > 1:
        parts.append(f"--max-num-seqs {batch}")
    note = ""
    if serving.format == "int4":
        note = f"A local directory holding an AWQ INT4 checkpoint of {repo}."
    if kv != "f16":
        note += " vLLM's nearest KV format to llama.cpp's quantized cache is FP8."
    return Command(" ".join(parts), note.strip())


def ollama(file: str, context: int, batch: int, kv: str, cards: int, mode: str, gpu_layers):
    if mode == "none":
        return Command(None, "It fits neither the VRAM nor, with offload, the system RAM given.")
    if mode == "experts":
        return Command(
            None,
            "Ollama has no option to keep only the MoE experts in system RAM; it would offload "
            "whole layers instead, which is slower. Use llama.cpp's --n-cpu-moe.",
        )
    env = ["OLLAMA_FLASH_ATTENTION=1"]
    if kv != "f16":
        env.append(f"OLLAMA_KV_CACHE_TYPE={kv}")
    if batch > 1:
        env.append(f"OLLAMA_NUM_PARALLEL={batch}")
    if cards > 1:
        env.append("OLLAMA_SCHED_SPREAD=1")
    name = file.removesuffix(".gguf").lower()
    lines = [
        f"printf 'FROM ./{file}\\nPARAMETER num_ctx {context}\\n"
        + (f"PARAMETER num_gpu {gpu_layers}\\n" if mode == "layers" else "")
        + "' > Modelfile",
        " ".join(env) + " ollama serve &",
        f"ollama create {name} -f Modelfile",
        f"ollama run {name}",
    ]
    return Command("\n".join(lines), "")
