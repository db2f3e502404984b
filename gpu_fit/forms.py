"""Query parameters of /gpus/ and /gpus/<card>/, and the custom-model row. The API description
(/api/openapi.json) is built from these fields."""

from dataclasses import asdict, dataclass

from calculators.catalog.gpus import GPU
from calculators.catalog.models import MODELS
from calculators.kit import registry
from calculators.kit.fields import DecimalNumberField, PlainChoiceField, WholeNumberField
from calculators.kit.forms import CalculatorForm
from calculators.kit.numbers import gib

from . import engine, finetune, once, result_html, share, speed, tables
from .cards import CARDS, tool_slug
from .diagram import MemoryBar, memory_bar

# The card pages, one family: every one accepts the same parameters (registry.family_query).
CARD_TOOLS = tuple(tool_slug(c.slug) for c in CARDS)
_CATALOG_SIZES: tuple = ()  # finetune.Sizes of engine.catalog_profiles(), once per process
CUSTOM_FIELDS = tuple(engine.CUSTOM_LABELS)  # params_b, layers, hidden, ... vocab
L = engine.CUSTOM_LABELS


def optional_whole(name, unit, hi, help_text):
    return WholeNumberField(
        label=L[name], unit=unit, min_value=1, max_value=hi, required=False, help_text=help_text
    )


class FitForm(CalculatorForm):
    context = WholeNumberField(
        label="Context",
        unit="tokens per sequence",
        min_value=1,
        max_value=engine.MAX_CONTEXT,
        initial=8192,
        help_text="Prompt plus generated tokens the KV cache must hold for each sequence.",
    )
    quant = PlainChoiceField(
        label="Weight format",
        choices=[(q.id, q.label) for q in engine.QUANTS],
        initial="q4_k_m",
        help_text="GGUF quantization of the weights (F16 is unquantized).",
    )
    kv_cache = PlainChoiceField(
        label="KV-cache format",
        choices=[(k.id, k.label) for k in engine.KV_FORMATS],
        initial="f16",
        help_text="llama.cpp --cache-type-k/-v; Q8_0 about halves the cache.",
    )
    batch = WholeNumberField(
        label="Concurrent sequences",
        unit="batch",
        min_value=1,
        max_value=256,
        initial=1,
        help_text="Sequences served at once; each needs its own KV cache.",
    )
    cards = WholeNumberField(
        label="Cards",
        unit="identical cards",
        min_value=1,
        max_value=engine.MAX_CARDS,
        initial=1,
        help_text="llama.cpp splits the layers across them; vLLM splits every layer "
        "(tensor parallel).",
    )
    ram_gb = WholeNumberField(
        label="System RAM",
        unit="GB",
        min_value=1,
        max_value=engine.MAX_RAM_GB,
        initial=speed.DEFAULT_RAM_GB,
        help_text="For what does not fit the card: layers, or an MoE model's experts.",
    )
    ram_bandwidth_gb_s = DecimalNumberField(
        label="RAM bandwidth",
        unit="GB/s",
        min_value=1.0,
        max_value=2000.0,
        initial=speed.DEFAULT_RAM_BANDWIDTH_GB_S,
        help_text="Theoretical: channels × 8 bytes × MT/s. Dual-channel DDR5-5600 is 89.6.",
    )
    params_b = DecimalNumberField(
        label=L["params_b"],
        unit="billions, optional",
        min_value=0.001,
        max_value=2000.0,
        required=False,
        help_text="Alone, it gives weights and overhead; add the shape below for the KV cache.",
    )
    layers = optional_whole("layers", "num_hidden_layers", 1024, "Transformer blocks.")
    hidden = optional_whole("hidden", "hidden_size", 65_536, "Model width.")
    heads = optional_whole("heads", "num_attention_heads", 1024, "Query heads.")
    kv_heads = optional_whole(
        "kv_heads", "num_key_value_heads", 1024, "Fewer than heads with grouped-query attention."
    )
    head_dim = optional_whole(
        "head_dim", "optional", 4096, "Only if the config has head_dim; else hidden ÷ heads."
    )
    ffn_hidden = optional_whole("ffn_hidden", "intermediate_size", 262_144, "MLP width.")
    vocab = optional_whole("vocab", "vocab_size", 1_048_576, "Tokenizer vocabulary.")

    def scenario(self, cleaned) -> engine.Scenario:
        return engine.Scenario(
            cleaned["context"], cleaned["quant"], cleaned["kv_cache"], cleaned["batch"],
            cleaned["cards"], cleaned["ram_gb"], cleaned["ram_bandwidth_gb_s"],
        )  # fmt: skip

    def subjects(self, cleaned) -> list[engine.Subject]:
        return [p.subject for p in self.profiles(cleaned)]

    def profiles(self, cleaned) -> list[engine.Profile]:
        """The catalog's models (profiled once per process) and the user's own, if given."""
        catalog = engine.catalog_profiles()
        custom = engine.custom_subject({name: cleaned.get(name) for name in CUSTOM_FIELDS})
        return [*catalog, engine.Profile(custom)] if custom else list(catalog)

    sections = {"custom": CUSTOM_FIELDS, "system": ("ram_gb", "ram_bandwidth_gb_s")}

    def has_custom(self) -> bool:
        """Whether any custom-model field was given (a validation rule, not presentation)."""
        return any(self.data.get(name) not in (None, "") for name in CUSTOM_FIELDS)

    def extra_context(self) -> dict:
        context = self.page_context()
        if self.result:
            links = context["card_links"]
            context["fit_count_items"] = tables.fit_count_items(self.result, links)
            context["matrix_head"] = tables.matrix_head(self.result, links)
            context["matrix_rows"] = tables.matrix_rows(self.result)
        return context

    def page_context(self) -> dict:
        """What /gpus/ and every card page print around the result: the cards and models,
        each card's page and the index with this scenario."""
        values = self.link_values()
        return {
            "cards": CARDS,
            "models": MODELS,
            "card_links": tables.card_links(registry.family_query(CARD_TOOLS, values)),
            "index_href": registry.get("gpus").link(values),
            "catalog_section": once.catalog_section,
            "card_spec_rows": tables.card_spec_rows,
            "other_card_links": tables.other_card_links,
        }

    def link_values(self) -> dict:
        """The scenario the card and index links carry (nothing when it does not compute)."""
        return self.inputs() if self.result else {}

    def compute(self, cleaned):
        # The index answers every card at once and shows, per card and model, whether it
        # fits, the memory left over and the best format: that is all it works out here. The
        # JSON answer has each whole fit (result_json); prompt processing, vLLM serving and
        # the commands are on the card pages (and in their JSON).
        self._profiles = self.profiles(cleaned)
        return engine.fit_matrix(CARDS, self._profiles, self.scenario(cleaned))

    def quant_label(self) -> str:
        return engine.QUANT_BY_ID[self.cleaned_data["quant"]].label

    def summary(self) -> str:
        if not self.result:
            return "Which open LLMs fit on the RTX 3060, 4060 Ti, 3090, 4090, 5090 and A6000."
        c = self.cleaned_data
        r = self.result
        counts = ", ".join(f"{c.short_name} {n}" for c, n in zip(r.cards, r.fitting, strict=True))
        total = len(r.rows)
        return (
            f"Of {total} open models at {self.quant_label()} with {c['context']:,} tokens of "
            f"context, how many fit: {counts}."
        )

    def result_json(self) -> dict:
        fits = engine.fit_cards(CARDS, self._profiles, self.result.scenario, prefill=False)
        return {"cards": [card_json(r) for r in fits]}

    def headline_answer(self) -> dict:
        """The JSON answer's keys that the headline reads (share.index_headline): per card,
        each model's name, parameters and whether it fits, from the page's matrix; and the
        whole fit of the largest model any card runs, on the first card that runs it, the
        only one whose memory and speed it prints. The JSON's 720 whole fits cost 29 M CPU
        instructions, this 2.4 M (callgrind)."""
        m = self.result
        cards = [
            {
                "card": {"slug": card.slug, "name": card.name},
                "models": [
                    {"id": row.id, "name": row.name, "params": row.params, "fits": row.cells[i][0]}
                    for row in m.rows
                ],
            }
            for i, card in enumerate(m.cards)
        ]
        found = share.largest_anywhere(cards)
        if found:
            best, card = found
            profile = next(p for p in self._profiles if p.subject.id == best["id"])
            gpu = next(c for c in m.cards if c.slug == card["card"]["slug"])
            fit = engine.fit_cards((gpu,), [profile], m.scenario, prefill=False)[0].models[0]
            card["models"][card["models"].index(best)] = dict(fit.__dict__)
        return {"cards": cards}


def card_href(card_slug: str, query: str = "") -> str:
    """A card page's address with a query the registry wrote for the family (family_query)."""
    return registry.get(tool_slug(card_slug)).href(query)


def card_json(r: engine.CardFit) -> dict:
    return {
        "card": {
            "slug": r.card.slug,
            "name": r.card.name,
            "vram_bytes": r.card.vram_bytes,
            "bandwidth_gb_s": r.card.bandwidth_gb_s,
        },
        # A model's fields are numbers, strings and flat dicts: a shallow copy is the same JSON
        # as asdict, whose recursive deep copy cost 2 ms of a card page's 31 models.
        "models": [dict(m.__dict__) for m in r.models],
    }


@dataclass(frozen=True)
class CardResult(engine.CardFit):
    """A card page's answer: every model's fit on the card, with the choices its other parts
    were worked out for (the worked example's model, the fine-tuning estimate's sequence and
    rank), so that the result block and what is written for it read them here, never from the
    form."""

    example_id: str  # the model of the worked example, the chart and the highlighted row
    seq_len: int  # tokens per training sequence, for LoRA and QLoRA
    lora_rank: int


class CardForm(FitForm):
    model = PlainChoiceField(
        label="Worked example for",
        choices=[(m.id, m.name) for m in MODELS] + [("custom", "Your model (below)")],
        initial="llama-3.1-8b",
        help_text="The model whose numbers the worked example and chart show.",
    )

    seq_len = WholeNumberField(
        label="Training sequence length",
        unit="tokens",
        min_value=1,
        max_value=finetune.MAX_SEQ_LEN,
        initial=2048,
        help_text="For the LoRA and QLoRA estimate: tokens per training sequence, one sequence "
        "per micro-batch (gradient accumulation makes up the batch).",
    )
    lora_rank = WholeNumberField(
        label="LoRA rank",
        unit="r",
        min_value=1,
        max_value=finetune.MAX_RANK,
        initial=16,
        help_text="Rank of every adapter; all linear layers (q, k, v, o, gate, up, down) adapted.",
    )

    def __init__(self, query=None, card: GPU | None = None):
        self.card = card
        self._example_tuning: finetune.FineTuning | None = None
        super().__init__(query)

    def clean(self):
        cleaned = self.cleaned_data
        wants_custom = cleaned.get("model") == "custom"
        if wants_custom and not self.has_custom() and "model" not in self.errors:
            self.add_error(
                "model",
                "Worked example for “Your model” needs its parameter count or architecture: "
                "fill in the custom-model fields, or pick a catalog model.",
            )
        return super().clean()

    def compute(self, cleaned):
        profiles = self.profiles(cleaned)
        self._subjects = {p.subject.id: p.subject for p in profiles}
        seq_len, rank = cleaned["seq_len"], cleaned["lora_rank"]
        # The table of every model shows only each fine-tuning's total; the whole estimate is
        # built for the worked example (example_fine_tuning) and for JSON (result_json).
        self.fine_tune_totals = {
            p.subject.id: finetune.totals(z, seq_len, rank) if z else None
            for p, z in zip(profiles, self._fine_tune_sizes(profiles), strict=True)
        }
        # vLLM serving and the commands are added where they are shown: for the worked example
        # on the page, for every model in JSON (result_json), which keeps the live recompute
        # to one model's share of that work.
        # Prompt processing is shown for the worked example alone (explanation), and in JSON
        # for every model (result_json): the table of every model does not show it.
        self._profiles = profiles
        fits = engine.fit_cards((self.card,), profiles, self.scenario(cleaned), prefill=False)[0]
        return CardResult(fits.card, fits.scenario, fits.models, cleaned["model"], seq_len, rank)

    def extra_context(self) -> dict:
        context = {
            **self.page_context(),
            "card": self.card,
            "measured_section": once.measured_section,
            "constants": speed,
        }
        if self.result is None:
            return context
        r = self.result
        tuned = self.example_fine_tuning()
        example = self.explanation()
        bar = self.bar()
        return {
            **context,
            "example": example,
            "example_stats": result_html.example_stats(example.fit, example.scenario, self.card),
            "worked_example": result_html.worked_example(example, self.card),
            "vllm_rows": result_html.vllm_rows(example.fit.vllm) if example.fit.vllm else "",
            "fine_tuning_rows": result_html.fine_tuning_rows(tuned, self.card.vram_gib)
            if tuned
            else "",
            "bar": bar,
            "bar_shapes": result_html.bar_shapes(bar, r.scenario.cards * self.card.vram_gib),
            "model_rows": tables.model_rows(
                r.models, self.fine_tune_totals, self.card, r.example_id
            ),
            "fine_tuning": tuned,
            "fine_tuning_worked": result_html.fine_tuning_worked(
                tuned,
                example.fit,
                example.arch,
                r.lora_rank,
                r.seq_len,
                self.example_quantized_params(),
                self.example_unquantized_params(),
                self.example_mlp_width(),
                self.card.vram_gib,
            )
            if tuned
            else "",
            "activation_link": self.activation_memory_link(),
        }

    def example(self) -> engine.ModelFit:
        wanted = self.result.example_id
        return next(m for m in self.result.models if m.id == wanted)

    def example_fine_tuning(self) -> finetune.FineTuning | None:
        if self._example_tuning is None:
            self._example_tuning = self._fine_tuning(self._subjects[self.result.example_id])
        return self._example_tuning

    def _fine_tuning(self, subject: engine.Subject) -> finetune.FineTuning | None:
        r = self.result
        return finetune.fine_tuning(self.card, subject, r.seq_len, r.lora_rank)

    @staticmethod
    def _fine_tune_sizes(profiles) -> list[finetune.Sizes | None]:
        """Each model's fine-tuning sizes: the catalog's once per process."""
        global _CATALOG_SIZES
        catalog = engine.catalog_profiles()
        if not _CATALOG_SIZES:
            _CATALOG_SIZES = tuple(finetune.sizes(p.subject) for p in catalog)
        return [*_CATALOG_SIZES, *(finetune.sizes(p.subject) for p in profiles[len(catalog) :])]

    def example_quantized_params(self) -> int:
        """The example's layer matrices, which QLoRA stores in 4 bits (for the worked example)."""
        subject = self._subjects[self.result.example_id]
        return finetune.quantized_params(subject.params, subject.arch)

    def example_unquantized_params(self) -> int:
        return self.example().params - self.example_quantized_params()

    def example_mlp_width(self) -> int:
        return finetune.mlp_width(self._subjects[self.result.example_id].arch)

    def activation_memory_link(self) -> str:
        """The example model on the activation-memory calculator, set up as this estimate is
        (gradient checkpointing, one sequence), to see its activations tensor by tensor."""
        subject = self._subjects[self.cleaned_data["model"]]
        a = subject.arch
        if a is None or a.is_moe:
            return ""  # that calculator models dense layers
        values = {
            "arch": "llama", "hidden": a.hidden, "layers": a.layers, "heads": a.heads,
            "kv_heads": a.kv_heads, "head_dim": a.head_dim, "ffn_hidden": a.ffn_hidden,
            "vocab": a.vocab, "tied": int(a.tied_embeddings),
            "seq_len": self.cleaned_data["seq_len"], "micro_batch": 1, "recompute": "full",
            "attention": "flash", "gpus": 1,
        }  # fmt: skip
        tool = registry.find("activation-memory")
        return tool.link(values) if tool else ""

    def explanation(self) -> engine.Explanation:
        wanted = self.result.example_id
        profile = next(p for p in self._profiles if p.subject.id == wanted)
        return engine.explain(self.card, profile.subject, self.result.scenario, profile)

    def bar(self) -> MemoryBar:
        cards = self.result.scenario.cards
        name = self.card.short_name if cards == 1 else f"{cards} × {self.card.short_name}"
        return memory_bar(self.example(), cards * self.card.vram_bytes, name)

    def summary(self) -> str:
        name = self.card.short_name
        if not self.result:
            return f"Which open LLMs fit in the {self.card.vram_gib} GB of an {name}."
        c, r = self.cleaned_data, self.result
        example = self.example()
        verdict = "fits" if example.fits else "does not fit"
        on, vram = f"an {name}", self.card.vram_gib
        if c["cards"] > 1:
            on, vram = f"{c['cards']} × {name}", c["cards"] * vram
        text = (
            f"{r.fitting} of {len(r.models)} open models fit on {on} at "
            f"{self.quant_label()} with {c['context']:,} tokens of context; {example.name} "
            f"{verdict} ({gib(example.total_bytes)} of {vram} GiB)."
        )
        tuned = self.example_fine_tuning()
        if tuned:
            text += (
                f" QLoRA fine-tuning on {c['seq_len']:,}-token sequences needs about "
                f"{gib(tuned.qlora.total_bytes)}, LoRA {gib(tuned.lora.total_bytes)}."
            )
        return text

    def headline_answer(self) -> dict:
        # The page's own fits: the JSON answer adds prompt processing and vLLM's settings to
        # each of them, which the headline does not read (27 M of a first view's 40 M CPU
        # instructions, callgrind).
        return card_json(self.result)

    def result_json(self) -> dict:
        tunings = (self._fine_tuning(x) for x in self._subjects.values())
        fine_tuning = [asdict(t) for t in tunings if t is not None]
        card, s = self.card, self.result.scenario
        fits = engine.fit_cards((card,), self._profiles, s)[0].models
        full = engine.CardFit(
            card, s, tuple(engine.with_serving(card, self._subjects[m.id], s, m) for m in fits)
        )
        return {
            **card_json(full),
            "example_model": self.cleaned_data["model"],
            "fine_tuning": fine_tuning,
        }
