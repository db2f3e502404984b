"""Bad input particular to the flagship: a layout that does not divide the GPUs. Every field
against every kind of bad value is tests/site/test_bad_input.py."""

URL = "/gradient-accumulation/"


def test_indivisible_parallelism_is_a_field_error(client):
    r = client.get(URL, {"gpus": "10", "tp": "4", "format": "json"})
    assert r.status_code == 400
    assert "TP x PP x CP" in r.json()["errors"]["gpus"][0]
