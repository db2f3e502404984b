"""The kit's escaping helper (calculators/kit/html.py) skips the standard library's escape
when a value has none of the five characters; its answer must still be the standard
library's, html.escape(str(value)), for any value."""

import html

from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from calculators.kit.html import escape


@given(st.one_of(st.text(), st.text(alphabet="&<>\"'ab -"), st.integers(), st.floats()))
def test_escape_is_the_standard_librarys(value):
    assert escape(value) == html.escape(str(value))
    assert type(escape(value)) is str


def test_markup_is_escaped_as_text_too():
    assert escape(Markup("<b>")) == "&lt;b&gt;"
