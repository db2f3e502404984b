"""Every link from one tool to another, on every tool's page (its defaults and a few scenarios of
each sibling that hands off to another): it carries only parameters the target declares in its
registry entry and has as fields, a related link none of the target's hand-off-only ones, and
following it gives a page that computes, with every value the link carried in its inputs."""

import pytest

from calculators.kit import registry

from .tool_links import control_values, links_to_tools

# Scenarios whose links differ from the defaults': pinned layouts, custom models, GPUs the
# target does not list, a reference LR, a custom capacity, several cards.
SCENARIOS = {
    "gradient-accumulation": [
        "ref_lr=3e-4&ref_batch=256&seq_len=2048",
        "tp=2&pp=2&cp=2&vpp=2&gpus=64",
        "model=llama-3.1-8b&train_tokens=1000000000&gpu=a100",
    ],
    "training-plan": [
        "model=llama-3.3-70b&gpus=256&global_batch=1024",  # CP 2, VPP 4
        "model=llama-3.2-1b&gpu=rtx-3090-24gb&gpus=8&seq_len=2048",  # no such GPU there
        "model=custom&layers=24&hidden=2048&heads=16&kv_heads=16&ffn_hidden=8192&vocab=50000"
        "&tied=1",
        "gpu=a100-40gb&gpus=16&precision=bf16&optimizer=sgd&reserve_pct=12.5",
        "model=qwen2.5-72b&gpus=512&gpu=a100-80gb&seq_len=4096&global_batch=2048",
    ],
    "activation-memory": [
        "seq_len=2048&gpus=16&tp=2",
        "preset=mistral-7b&micro_batch=3",
        "gpu=custom&gpu_gib=40",
        "pp=4&vpp=2&tp=2&sp=1&gpus=64",
    ],
    "lr-scaling": ["seq_len=2048&new_batch=4096", "optimizer=sgd"],
    "gpus": [
        "context=32768&quant=q6_k",
        "params_b=7&layers=32&hidden=4096&heads=32&kv_heads=8&ffn_hidden=14336&vocab=128256",
    ],
    "gpus-rtx-4090-24gb": [
        "model=qwen2.5-7b&seq_len=4096",
        "model=custom&params_b=7&layers=32&hidden=4096&heads=32&kv_heads=8&ffn_hidden=14336"
        "&vocab=128256&cards=2",
    ],
}
PAGES = [t.path for t in registry.all_tools()] + [
    f"{registry.get(slug).path}?{query}" for slug, queries in SCENARIOS.items() for query in queries
]


@pytest.fixture(scope="module")
def links():
    """Every cross-tool link of every page above: (page, target, href, pairs, testid)."""
    from django.test import Client

    client = Client()
    found = []
    for page in PAGES:
        response = client.get(page)
        assert response.status_code == 200, page
        own = page.split("?")[0]
        found += [(page, *link) for link in links_to_tools(response.content.decode(), own)]
    return found


def test_the_pages_link_to_their_siblings(links):
    # The hand-offs and related links are all here: a change that lost them would pass
    # every test below vacuously.
    targets = {(page.split("?")[0], target.slug) for page, target, *_ in links}
    for tool in registry.all_tools():
        for slug in tool.related:
            assert (tool.path, slug) in targets, (tool.slug, slug)
    hand_offs = {(page.split("?")[0], testid) for page, _, _, _, testid in links}
    assert {
        ("/training-plan/", "link-accumulation"),
        ("/training-plan/", "link-activation"),
        ("/training-plan/", "link-lr"),
        ("/activation-memory/", "accumulation-link"),
        ("/gpus/rtx-4090-24gb/", "activation-link"),
        ("/gradient-accumulation/", "lr-scaling-link"),
        ("/lr-scaling/", "flagship-link"),
    } <= hand_offs


def test_every_link_carries_only_what_the_target_accepts(links):
    for page, target, href, pairs, testid in links:
        names = [name for name, _ in pairs]
        assert len(names) == len(set(names)), (page, href)  # each parameter once
        assert set(names) <= set(target.accepts), (page, href, set(names) - set(target.accepts))
        assert set(names) <= set(target.form_class.base_fields), (page, href)
        # In the target's declared order, as the registry writes it.
        assert names == [k for k in target.accepts if k in names], (page, href)
        if testid.startswith("related-"):
            assert not set(names) & set(target.hand_off_only), (page, href)


def test_following_every_link_gives_a_page_that_computes_with_what_it_carried(client, links):
    followed = {}
    for page, _target, href, pairs, _ in links:
        if href in followed:
            continue
        response = client.get(href)
        text = response.content.decode()
        followed[href] = page
        assert response.status_code == 200, (page, href)
        assert 'data-testid="errors"' not in text, (page, href)
        assert "Cannot calculate yet" not in text, (page, href)
        shown = control_values(text)
        for name, value in pairs:
            assert shown.get(name) == value, (page, href, name, shown.get(name))
    assert len(followed) > 40
