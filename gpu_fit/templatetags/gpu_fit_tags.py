from django import template

from ..engine import KV_BY_ID, QUANT_BY_ID

register = template.Library()


@register.filter
def quant_label(quant_id):
    """'q4_k_m' -> 'Q4_K_M'; None (nothing fits) -> 'none'."""
    return QUANT_BY_ID[quant_id].label if quant_id else "none"


@register.filter
def kv_label(kv_id):
    return KV_BY_ID[kv_id].label


@register.filter
def tokens(count):
    """Context lengths the way model cards write them: 131072 -> '128K', 8192 -> '8K'."""
    if count >= 1024 and count % 1024 == 0:
        return f"{count // 1024:,}K"
    return f"{count:,}"
