"""The GPU pages in a real browser: formats, card links, fine-tuning, several cards, system RAM
and the copy buttons. Live recompute, the permalink, no-JS, phone width and accessibility for
every tool are tests/site/."""

import re

import pytest

from tests.browser import control, settled_after

pytestmark = pytest.mark.browser
CARD = "/gpus/rtx-4090-24gb/"


def fitting(page):
    return int(page.get_by_test_id("fitting").inner_text())


def test_choosing_a_format_recomputes(page, site_server):
    page.goto(site_server.url + CARD)
    before = fitting(page)
    control(page, "quant").select_option("f16")
    page.wait_for_url(re.compile(r"quant=f16"))
    page.get_by_test_id("best_quant").wait_for()
    page.wait_for_function(
        f"document.querySelector('[data-testid=fitting]').textContent.trim() !== '{before}'"
    )
    assert fitting(page) < before


def test_link_to_another_card_carries_the_scenario(page, site_server):
    page.goto(site_server.url + CARD + "?context=16384&quant=q8_0")
    page.get_by_test_id("card-link-rtx-3060-12gb").click()
    page.wait_for_url(re.compile(r"/gpus/rtx-3060-12gb/\?context=16384&quant=q8_0"))
    assert control(page, "quant").input_value() == "q8_0"
    assert "RTX 3060 12GB" in page.title()


def test_fine_tuning_inputs_recompute_the_lora_and_qlora_estimate(page, site_server):
    page.goto(site_server.url + CARD)
    before = page.get_by_test_id("qlora-total").inner_text()
    control(page, "seq_len").fill("8192")
    page.wait_for_url(re.compile(r"seq_len=8192"))
    page.wait_for_function(
        f"document.querySelector('[data-testid=qlora-total]').textContent.trim() !== '{before}'"
    )
    assert "8,192" in page.get_by_test_id("finetune-worked").inner_text()


def test_cards_and_system_ram_inputs_recompute_and_commands_copy(page, site_server):
    page.goto(site_server.url + "/gpus/rtx-3090-24gb/?model=llama-3.3-70b")
    assert "-ngl " in page.get_by_test_id("cmd-llama_cpp").inner_text()  # partial offload
    control(page, "cards").fill("2")
    page.wait_for_url(re.compile(r"cards=2"))
    page.get_by_test_id("cmd-llama_cpp").filter(has_text="-ts 1,1").wait_for()
    assert page.get_by_test_id("gpu_layers").inner_text().startswith("80 of 80")
    # The copy button arrives with the swapped result and is wired up (shown) by site.js.
    page.locator("[data-copy-text=cmd-llama_cpp-text]").wait_for(state="visible")
    page.reload()
    assert control(page, "cards").input_value() == "2"
    # System RAM, in its section: too little for the offload leaves nothing to run.
    control(page, "cards").fill("1")
    page.wait_for_url(re.compile(r"cards=1"))
    page.locator("summary", has_text="System RAM").click()
    control(page, "ram_gb").fill("8")
    page.wait_for_url(re.compile(r"ram_gb=8"))
    page.get_by_test_id("cmd-llama_cpp-none").wait_for()


# What the result region shows: its text as a reader sees it, and every data-testid in it with
# its text (what tests and scripts read).
SHOWN = """() => {
    const result = document.querySelector('#result');
    return [result.innerText, [...result.querySelectorAll('[data-testid]')]
        .map((e) => [e.dataset.testid, e.textContent])];
}"""


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        (CARD, "context", "32768"),
        ("/gpus/rtx-3060-12gb/?model=gpt-oss-120b", "cards", "2"),
        ("/gpus/", "batch", "4"),
        ("/gpus/?cards=2", "quant", "q8_0"),
    ],
)
def test_a_recompute_shows_what_loading_its_address_shows(page, site_server, path, name, value):
    """The live fragment (written for the wire: tests/gpu_fit/test_fragment_markup.py) swapped
    into the page shows, to the character and the data-testid, what the page loaded afresh at
    the new address shows."""
    page.goto(site_server.url + path)
    field = control(page, name)
    if name == "quant":
        settled_after(page, lambda: field.select_option(value), name, value)
    else:
        settled_after(page, lambda: field.fill(value), name, value)
    live_text, live_testids = page.evaluate(SHOWN)
    page.goto(page.url)  # a fresh load of the permalink, not the swapped document
    fresh_text, fresh_testids = page.evaluate(SHOWN)
    assert live_testids == fresh_testids
    assert live_text == fresh_text
    assert len(live_testids) > 100  # the whole catalog's table came with the recompute
