"""Architecture presets. Every value is the model's published configuration (cited per preset);
selecting one fills the form's architecture fields, and the permalink carries the fields.

Modern models the site's shared catalog (calculators/catalog/models.py) already
describes take their fields from it, so one config.json reading serves every tool. The rest
are written out here: GPT-3 and the paper's models (not open-weight decoders the catalog
covers), Llama 2 7B, and Mistral 7B v0.1 (its paper's 32,000-token vocabulary; the catalog
holds v0.3, 32,768 tokens).
"""

from dataclasses import asdict, dataclass

from calculators.catalog import models as model_catalog


@dataclass(frozen=True)
class Preset:
    id: str
    name: str
    source: str  # where the numbers come from
    arch: str
    hidden: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int  # 0: hidden / heads (true of every preset here)
    ffn_hidden: int
    vocab: int
    tied: int  # 1 when the output layer reuses the input embedding matrix

    def fields(self) -> dict:
        """The form fields this preset sets, by query-parameter name."""
        values = asdict(self)
        for key in ("id", "name", "source"):
            values.pop(key)
        return values


def from_catalog(preset_id: str, name: str, catalog_id: str, source: str) -> Preset:
    """A Llama-style preset whose architecture is the catalog entry `catalog_id`."""
    a = model_catalog.BY_ID[catalog_id].arch
    return Preset(
        preset_id,
        name,
        source,
        "llama",
        hidden=a.hidden,
        layers=a.layers,
        heads=a.heads,
        kv_heads=a.kv_heads,
        head_dim=0 if a.q_dim == a.hidden else a.head_dim,
        ffn_hidden=a.ffn_hidden,
        vocab=a.vocab,
        tied=int(a.tied_embeddings),
    )


ARCHITECTURE_FIELDS = tuple(
    name for name in Preset.__dataclass_fields__ if name not in ("id", "name", "source")
)

PRESETS = (
    Preset(
        "llama-2-7b",
        "Llama 2 7B",
        "Touvron et al. 2023 (arXiv:2307.09288); meta-llama/Llama-2-7b-hf config.json",
        "llama",
        4096,
        32,
        32,
        32,
        0,
        11008,
        32000,
        0,
    ),
    from_catalog(
        "llama-3.1-8b",
        "Llama 3.1 8B",
        "llama-3.1-8b",
        "Llama Team 2024 (arXiv:2407.21783) Table 3; meta-llama/Llama-3.1-8B config.json",
    ),
    from_catalog(
        "llama-3.1-70b",
        "Llama 3.1 70B",
        "llama-3.3-70b",  # the same architecture
        "Llama Team 2024 (arXiv:2407.21783) Table 3; meta-llama/Llama-3.1-70B config.json",
    ),
    Preset(
        "mistral-7b",
        "Mistral 7B",
        "Jiang et al. 2023 (arXiv:2310.06825) Table 1; mistralai/Mistral-7B-v0.1 config.json",
        "llama",
        4096,
        32,
        32,
        8,
        0,
        14336,
        32000,
        0,
    ),
    from_catalog(
        "qwen2.5-7b",
        "Qwen2.5 7B",
        "qwen2.5-7b",
        "Qwen Team 2024 (arXiv:2412.15115); Qwen/Qwen2.5-7B config.json",
    ),
    Preset(
        "gpt-3-175b",
        "GPT-3 175B",
        "Brown et al. 2020 (arXiv:2005.14165) Table 2.1; GPT-2 BPE vocabulary of 50,257",
        "gpt",
        12288,
        96,
        96,
        96,
        0,
        49152,
        50257,
        1,
    ),
    Preset(
        "paper-22b",
        "22B (Korthikanti et al.)",
        "Korthikanti et al. 2022 (arXiv:2205.05198) Table 3",
        "gpt",
        6144,
        48,
        64,
        64,
        0,
        24576,
        51200,
        1,
    ),
    Preset(
        "paper-530b",
        "530B MT-NLG (Korthikanti et al.)",
        "Korthikanti et al. 2022 (arXiv:2205.05198) Table 3",
        "gpt",
        20480,
        105,
        128,
        128,
        0,
        81920,
        51200,
        1,
    ),
    Preset(
        "paper-1t",
        "1T (Korthikanti et al.)",
        "Korthikanti et al. 2022 (arXiv:2205.05198) Table 3",
        "gpt",
        25600,
        128,
        160,
        160,
        0,
        102400,
        51200,
        1,
    ),
)
BY_ID = {p.id: p for p in PRESETS}
DEFAULT = BY_ID["llama-2-7b"]


# Each preset's fields, and the same as the strings a query holds: presets are fixed data, so
# this is worked out once per process rather than through dataclasses.asdict (which deep-copies
# every value) on every request; the form asks on each one.
FIELDS = {p.id: p.fields() for p in PRESETS}
_FIELD_STRINGS = tuple(
    (pid, tuple((k, str(v)) for k, v in fields.items())) for pid, fields in FIELDS.items()
)


def matching(values: dict) -> str:
    """The id of the preset whose fields equal `values` (strings or ints), else "custom"."""
    for pid, pairs in _FIELD_STRINGS:
        if all(str(values.get(k)) == v for k, v in pairs):
            return pid
    return "custom"


# The paper's Table 3 runs (s = 2048, v = 51200, A100 80GB, no data parallelism; interleaving
# m = 3 for 175B and 530B, section 6), as query parameters for this page.
PAPER_RUNS = (
    ("paper-22b", {"tp": 8, "pp": 1, "vpp": 1, "gpus": 8, "micro_batch": 4}),
    ("gpt-3-175b", {"tp": 8, "pp": 8, "vpp": 3, "gpus": 64, "micro_batch": 1, "vocab": 51200}),
    ("paper-530b", {"tp": 8, "pp": 35, "vpp": 3, "gpus": 280, "micro_batch": 1}),
    ("paper-1t", {"tp": 8, "pp": 64, "vpp": 1, "gpus": 512, "micro_batch": 1}),
)
PAPER_RUN_COMMON = {
    "seq_len": 2048,
    "sp": 1,
    "recompute": "selective",
    "attention": "eager",
    "gpu": "a100-80gb",
    "zero": 0,
    "precision": "mixed_fp32_grads",
}


def paper_run_queries() -> list[tuple[str, dict]]:
    """(name, full query) for each Table 3 run, architecture fields included."""
    return [
        (BY_ID[pid].name, {"preset": pid, **BY_ID[pid].fields(), **PAPER_RUN_COMMON, **extra})
        for pid, extra in PAPER_RUNS
    ]
