from django.apps import AppConfig


class GpuFitConfig(AppConfig):
    name = "gpu_fit"

    def ready(self):
        from calculators.catalog.models import MODELS
        from calculators.kit import jinja, registry

        from . import share
        from .cards import CARDS, tool_slug
        from .engine import KV_BY_ID, QUANT_BY_ID
        from .forms import CardForm, FitForm

        jinja.register_filters(
            # 'q4_k_m' -> 'Q4_K_M'; None (nothing fits) -> 'none'.
            quant_label=lambda quant_id: QUANT_BY_ID[quant_id].label if quant_id else "none",
            kv_label=lambda kv_id: KV_BY_ID[kv_id].label,
        )

        shared = ("context", "quant", "kv_cache", "batch", "cards", "ram_gb", "ram_bandwidth_gb_s")
        # Model shape parameters the activation-memory tool shares: a link from there brings
        # that model here as the custom row.
        shape = ("params_b", "layers", "hidden", "heads", "kv_heads", "head_dim", "ffn_hidden")
        accepts = (*shared, *shape, "vocab")
        card_slugs = tuple(tool_slug(c.slug) for c in CARDS)
        registry.register(
            registry.Tool(
                slug="gpus",
                title="What LLM can this GPU run?",
                blurb=f"{len(CARDS)} cards against {len(MODELS)} open models: weights, KV cache "
                "with grouped-query and latent attention, context that fits, best quantization, "
                "decode speed, LoRA and QLoRA.",
                group="Memory and hardware",
                url_name="gpu_fit:index",
                related=(*card_slugs, "activation-memory", "gradient-accumulation"),
                accepts=accepts,
                form_class=FitForm,
                headline=share.index_headline,
            ),
            *(
                registry.Tool(
                    slug=tool_slug(c.slug),
                    title=f"What can an {c.short_name} run?",
                    blurb=f"{c.vram_gib} GiB, {c.bandwidth_gb_s:,} GB/s: which open LLMs fit, "
                    "at what context and quantization, how fast they decode, and whether "
                    "LoRA or QLoRA fine-tuning fits.",
                    group="Memory and hardware",
                    url_name="gpu_fit:card",
                    url_kwargs=(("card", c.slug),),
                    related=(
                        "gpus",
                        *(s for s in card_slugs if s != tool_slug(c.slug)),
                        "activation-memory",
                        "gradient-accumulation",
                    ),
                    # The worked example's model, for the same scenario on another card, and
                    # the fine-tuning estimate's sequence length and rank.
                    accepts=(*accepts, "model", "seq_len", "lora_rank"),
                    form_class=CardForm,
                    headline=share.card_headline,
                    form_kwargs=(("card", c),),
                    in_nav=False,
                )
                for c in CARDS
            ),
        )
