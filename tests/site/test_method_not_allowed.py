"""405 answers: the Allow header names what the URL accepts, and the headers every other
response carries (the Content-Security-Policy first) are on them too."""

import pytest

from calculators.kit import registry

# Tools whose form takes POST for data too large for a URL, and the others.
POST_TOOLS = [t.path for t in registry.all_tools() if t.form_class.accepts_post]
GET_TOOLS = [t.path for t in registry.all_tools() if t.path not in POST_TOOLS]


def allow(response) -> set[str]:
    return {method.strip() for method in response["Allow"].split(",")}


def test_there_are_tools_of_both_kinds():
    assert "/metrics/roc-auc/" in POST_TOOLS and "/gradient-accumulation/" in GET_TOOLS


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_a_tool_that_takes_post_says_so(client, method):
    for path in POST_TOOLS:
        r = getattr(client, method)(path)
        assert r.status_code == 405
        # RFC 9110 section 15.5.6: Allow lists the methods the target resource supports.
        assert allow(r) == {"GET", "HEAD", "POST"}, path


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_other_urls_allow_get_and_head(client, method):
    # A POST waits for its URL to be resolved (the middleware asks the view), so a POST to
    # a page that does not exist is a 404; other methods are refused before that.
    unknown = [] if method == "post" else ["/no-such-page/"]
    for path in [*GET_TOOLS, "/", *unknown]:
        r = getattr(client, method)(path)
        assert r.status_code == 405, (path, method)
        assert allow(r) == {"GET", "HEAD"}, (path, method)


@pytest.mark.parametrize(
    "method, path",
    [
        ("put", "/metrics/roc-auc/"),
        ("delete", "/"),
        ("post", "/gradient-accumulation/"),
        ("patch", "/no-such-page/"),
    ],
)
def test_a_405_carries_the_same_content_security_policy(client, method, path):
    policy = client.get("/")["Content-Security-Policy"]
    assert "default-src" in policy
    r = getattr(client, method)(path)
    assert r.status_code == 405
    assert r["Content-Security-Policy"] == policy
