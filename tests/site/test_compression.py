"""Responses are gzip-compressed by ISA-L; the bytes must still be plain gzip any client reads."""

import gzip

import pytest

FLAGSHIP = "/gradient-accumulation/?global_batch=1000&micro_batch=4&gpus=8"


@pytest.mark.parametrize(
    "url, headers",
    [
        (FLAGSHIP, {}),
        (FLAGSHIP, {"HX-Request": "true"}),
        (FLAGSHIP + "&format=json", {}),
        ("/", {}),
    ],
)
def test_compressed_body_is_standard_gzip_of_the_plain_body(client, url, headers):
    plain = client.get(url, headers=headers)
    packed = client.get(url, headers={**headers, "Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert int(packed["Content-Length"]) == len(packed.content) < len(plain.content)
    assert gzip.decompress(packed.content) == plain.content
    assert "Accept-Encoding" in packed["Vary"] and "Accept-Encoding" in plain["Vary"]


def test_tiny_responses_are_left_alone(client):
    r = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in r and r.content == b"ok"
