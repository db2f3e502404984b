"""The site's Jinja2 environment prints each {{ value }} through escape_output instead of
markupsafe.escape (calculators/kit/jinja.py, for speed). The independent reference is
markupsafe itself: escape_output must print exactly what markupsafe.escape prints, for text,
numbers, None, objects and values that are already HTML, and a template must render to the
same text in our environment as in a stock Jinja2 environment with autoescape on."""

from decimal import Decimal

from django.utils.safestring import mark_safe
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

import jinja2
from calculators.kit.html import escape_text, escape_text_python
from calculators.kit.jinja import Environment, escape_output

HOSTILE = "<script>alert(\"x\" & 'y')</script>"


@given(st.text())
def test_text_is_escaped_as_markupsafe_escapes_it(text):
    assert escape_output(text) == str(escape(text))
    assert escape_text(text) == str(escape(text))
    assert escape_text_python(text) == str(escape(text))
    assert type(escape_output(text)) is str


@given(st.one_of(st.integers(), st.floats(), st.decimals(), st.none(), st.booleans()))
def test_other_values_are_escaped_as_markupsafe_escapes_them(value):
    assert escape_output(value) == str(escape(value))


def test_html_is_printed_as_it_is():
    for value in (Markup("<b>x</b>"), mark_safe("<i>&amp;</i>")):
        assert escape_output(value) == str(escape(value)) == str(value)


class Hostile:
    def __str__(self):
        return HOSTILE


class Html:
    def __html__(self):
        return "<em>kept</em>"


TEMPLATE = """
{%- macro box(label, value) -%}<b title="{{ label }}">{{ value }}</b>{%- endmacro -%}
{%- macro wrap() -%}<div>{{ caller() }}</div>{%- endmacro -%}
{{ text }}|{{ number }}|{{ ratio }}|{{ none }}|{{ safe }}|{{ obj }}|{{ html }}|{{ text ~ "&" }}
{{ box(text, number) }}{{ box(safe, text) }}
{% call wrap() %}{{ text }}<p>{{ obj }}</p>{% endcall %}
{% set captured %}{{ text }}{{ safe }}{% endset %}{{ captured }}{{ captured|length }}
{% for x in items %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %}
{{ text|e }}{{ text|safe }}{{ (text ~ safe)|upper }}{{ items|join(text) }}
{% autoescape false %}{{ text }}{% endautoescape %}
{% autoescape flag %}{{ text }}{% endautoescape %}
{{ "<const>" }}{{ 3 }}
"""


def test_a_template_renders_the_same_as_in_stock_jinja2():
    context = {
        "text": HOSTILE,
        "number": 1_234_567,
        "ratio": Decimal("0.5"),
        "none": None,
        "safe": Markup("<br>"),
        "obj": Hostile(),
        "html": Html(),
        "items": ["a<b", Markup("<i>c</i>"), 3],
        "flag": True,
    }
    ours = Environment(autoescape=True).from_string(TEMPLATE).render(context)
    stock = jinja2.Environment(autoescape=True).from_string(TEMPLATE).render(context)
    assert ours == stock
    assert "&lt;script&gt;" in ours and "<script>" in ours  # escaped, and once not (autoescape off)


def test_the_site_environment_compiles_outputs_to_escape_output():
    from django.template import engines

    env = engines.all()[0].env
    assert isinstance(env, Environment)
    assert "environment.escape_output(" in env.compile("{{ x }}", raw=True)
