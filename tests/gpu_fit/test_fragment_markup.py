"""/gpus/'s fit matrix is written for the wire (tables.matrix_rows: each cell's data-testid before
its class, which gzip compresses better), and must show exactly what the cells as first written
showed (test_fast_paths.straight_matrix_rows): the page and its live fragment, over scenarios
that fit, do not fit, spread over cards and add the visitor's own model, build the same DOM,
element by element, with the same attributes and text."""

import pytest

from calculators.kit.html import Markup
from gpu_fit import tables
from tests.gpu_fit.dom import dom
from tests.gpu_fit.test_fast_paths import straight_matrix_rows

SHAPE = "layers=32&hidden=4096&heads=32&kv_heads=8&ffn_hidden=14336&vocab=128256"
QUERIES = [
    "",
    "cards=4",
    "quant=f16&context=32768",
    "context=131072&batch=8&kv_cache=q4_0",
    "cards=8&quant=q2_k&context=1048576",
    f"params_b=7&{SHAPE}",
    "params_b=13",
    "context=1048576&quant=q2_k&kv_cache=q4_0&batch=256&cards=8&ram_gb=4096"
    "&ram_bandwidth_gb_s=2000&params_b=2000&layers=1024&hidden=65536&heads=1024&kv_heads=1024"
    "&head_dim=4096&ffn_hidden=262144&vocab=1048576",
]
HTMX = {"HX-Request": "true"}


def answers(client, query):
    path = f"/gpus/?{query}"
    return [client.get(path).content.decode(), client.get(path, headers=HTMX).content.decode()]


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_shows_what_the_cells_as_first_written_showed(client, monkeypatch, query):
    sent = answers(client, query)
    monkeypatch.setattr(tables, "matrix_rows", lambda m: Markup(straight_matrix_rows(m)))
    first = answers(client, query)
    assert sent != first  # the markup did change ...
    for now, then in zip(sent, first, strict=True):
        assert dom(now) == dom(then)  # ... and what it builds did not


def test_dom_tells_apart_what_a_reader_would():
    cell = '<td class="fit-yes" data-testid="cell-a-b">yes, 1.00 GiB free</td>'
    assert dom(cell) == dom('<td data-testid="cell-a-b" class="fit-yes">yes, 1.00 GiB free</td>')
    for other in (
        cell.replace("cell-a-b", "cell-a-c"),
        cell.replace("fit-yes", "fit-no"),
        cell.replace("1.00", "1.01"),
        cell.replace("<td ", "<th ").replace("</td>", "</th>"),
    ):
        assert dom(other) != dom(cell), other
