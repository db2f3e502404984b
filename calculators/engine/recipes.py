"""Published pretraining batch sizes, for comparing tokens per optimizer step.

Sequences x sequence length as the papers state them (see each `source`); a paper that gives
tokens only is converted with its own sequence length.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    name: str
    sequences: int
    seq_len: int
    source: str
    url: str

    @property
    def tokens_per_step(self) -> int:
        return self.sequences * self.seq_len


RECIPES = (
    Recipe(
        "GPT-3 175B",
        1536,
        2048,
        "Brown et al. 2020, Table 2.1 (3.2M tokens)",
        "https://arxiv.org/abs/2005.14165",
    ),
    Recipe(
        "Llama 2 (7B-70B)",
        1024,
        4096,
        "Touvron et al. 2023, Section 2.2 (4M tokens)",
        "https://arxiv.org/abs/2307.09288",
    ),
    Recipe(
        "OLMo 2 7B",
        1024,
        4096,
        "OLMo et al. 2024, stage-1 config (4,194,304 tokens)",
        "https://arxiv.org/abs/2501.00656",
    ),
    Recipe(
        "Llama 3 405B, final stage",
        2048,
        8192,
        "Llama Team 2024, Section 3.4.1 (16M tokens)",
        "https://arxiv.org/abs/2407.21783",
    ),
    Recipe(
        "DeepSeek-V3, after ramp-up",
        15360,
        4096,
        "DeepSeek-AI 2024, Section 4.2 (15,360 sequences)",
        "https://arxiv.org/abs/2412.19437",
    ),
)
