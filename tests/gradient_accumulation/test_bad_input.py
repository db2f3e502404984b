"""Bad input particular to the flagship: a layout that does not divide the GPUs, counts in
scientific notation, pinned scenarios too long or too many. Every field against every kind of
bad value is tests/site/test_bad_input.py."""

URL = "/gradient-accumulation/"


def test_indivisible_parallelism_is_a_field_error(client):
    r = client.get(URL, {"gpus": "10", "tp": "4", "format": "json"})
    assert r.status_code == 400
    assert "TP x PP x CP" in r.json()["errors"]["gpus"][0]


def test_whole_counts_take_scientific_notation_but_not_fractions(client):
    assert client.get(URL, {"train_tokens": "15.6e12", "format": "json"}).status_code == 200
    r = client.get(URL, {"train_tokens": "2.5", "format": "json"})
    assert "must be a whole number" in r.json()["errors"]["train_tokens"][0]


def test_ten_kilobyte_pin_and_many_pins(client):
    r = client.get(URL, {"compare": "g" * 10_240, "format": "json"})
    assert r.status_code == 400 and "too long" in r.json()["errors"]["compare"][0]
    query = "&".join(["compare=gpus%3D16"] * 500)
    r = client.get(f"{URL}?{query}&format=json")
    assert r.status_code == 400 and "at most 4" in r.json()["errors"]["compare"][0]
