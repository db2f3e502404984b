"""The kit's escaping helper (calculators/kit/html.py) writes what Jinja2's autoescape writes
(markupsafe.escape of the value as text), as a plain str, for any value: HTML written in Python
and in a template are the same bytes."""

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from markupsafe import escape as markupsafe_escape

from calculators.kit.html import escape


@given(st.one_of(st.text(), st.text(alphabet="&<>\"'ab -"), st.integers(), st.floats()))
def test_escape_is_markupsafes(value):
    assert escape(value) == str(markupsafe_escape(str(value)))
    assert type(escape(value)) is str


def test_markup_is_escaped_as_text_too():
    assert escape(Markup("<b>")) == "&lt;b&gt;"
