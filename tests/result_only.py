"""A tool's live result rendered with the form's inputs hidden from everything that builds it.

The result block prints the result and what the form's extra_context() works out for it
(kit/views.py): the inputs it echoes must come from the result, which holds them as the engine
took them, never from the form's cleaned values. `fragment_from_result` asks for a tool's htmx
fragment twice, as it is and with the form's cleaned data and query hidden once the result is
computed: a template that prints a value passed on from the form (`inputs`, `values`), or a
context builder that reads one, fails the second request or changes its bytes.

Links carry the scenario's inputs by design (the registry's links to other tools, the
permalinks of the flagship's pinned scenarios): a read from a method whose name says it builds a
link or a query (…link…, …query…) is let through.
"""

import sys

from django.test import Client

HTMX = {"HX-Request": "true"}


class ReadTheInputs(AssertionError):
    """Not a LookupError: Jinja2 would take that for a missing key and print nothing."""


class HiddenInputs(dict):
    """The form's cleaned data or query, readable only by code building a link."""

    def _check(self):
        frame = sys._getframe(2)
        while frame is not None and frame.f_code.co_name != "extra_context":
            name = frame.f_code.co_name
            if "link" in name or "query" in name:
                return
            frame = frame.f_back
        raise ReadTheInputs(
            "the result block's context read the form's inputs: echo them in the result"
        )

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._check()
        return super().get(key, default)

    def __contains__(self, key):
        self._check()
        return super().__contains__(key)

    def __iter__(self):
        self._check()
        return super().__iter__()

    def keys(self):
        self._check()
        return super().keys()

    def items(self):
        self._check()
        return super().items()

    def values(self):
        self._check()
        return super().values()

    def __len__(self):
        self._check()
        return super().__len__()


def hide_inputs(monkeypatch, form_class) -> None:
    """From now on, a valid form of `form_class` builds its extra_context with its cleaned data
    and its query hidden (the result is computed by then)."""
    original = form_class.extra_context

    def extra_context(form):
        if form.result is not None:
            form.cleaned_data = HiddenInputs(form.cleaned_data)
            form.data = HiddenInputs(form.data)
        return original(form)

    monkeypatch.setattr(form_class, "extra_context", extra_context)


def fragment_pair(monkeypatch, form_class, path: str, post: dict | None = None):
    """(The fragment as served, the fragment with the inputs hidden), as text."""
    client = Client(SERVER_NAME="localhost")

    def ask():
        if post is None:
            response = client.get(path, headers=HTMX)
        else:
            response = client.post(path, post(), headers=HTMX)
        assert response.status_code == 200, response.content[:500]
        return response.content.decode()

    served = ask()
    with monkeypatch.context() as patched:
        hide_inputs(patched, form_class)
        hidden = ask()
    return served, hidden
