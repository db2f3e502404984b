"""Jinja2 for every template of the site, through Django's own Jinja2 backend.

One template language for pages, results, fragments and error pages, so a label is changed in
one place. Jinja2 compiles a template to Python functions: the same LR result renders in about
0.5 ms against 2.7 ms through the Django template language, and a live result is re-rendered on
every keystroke.

The backend adds one thing to Django's: `render_block`, which renders one block of a page on its
own. A tool's live fragment is exactly its page's `result` block (tool.html's, filled by the
tool's `result_body`), rendered alone: the pattern of django-htmx-patterns' inline partials. A
block rendered alone sees the view's context and the environment's globals, not its template's
top-level `{% set %}` or `{% import %}`: that is why the macros (templates' `ui`) are a global of
the environment instead of an import.
"""

import functools

from django.conf import settings
from django.template import TemplateSyntaxError
from django.template.backends import jinja2 as django_jinja2
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import json_script
from django.utils.text import slugify
from django_htmx.jinja import htmx_script

import jinja2

from . import numbers, registry
from .fields import field
from .html import Markup

MACROS = "ui.html"


class Template(django_jinja2.Template):
    def render_block(self, name: str, context=None, request=None) -> str:
        """One block of this page rendered alone, as the whole page would render it: with the
        context `render` builds, and with the page's own versions of the blocks inside it, so
        tool.html's `result` block renders the tool's `result_body`."""
        context = {} if context is None else context
        if request is not None:
            context["request"] = request
            context["csrf_input"] = csrf_input_lazy(request)
            context["csrf_token"] = csrf_token_lazy(request)
            for processor in self.backend.template_context_processors:
                context.update(processor(request))
        template = self.template
        env = template.environment
        ctx = template.new_context(context)
        ctx.blocks = dict(page_blocks(template))
        if name not in ctx.blocks:
            raise TemplateSyntaxError(f"{template.name} has no block {name!r}")
        try:
            return env.concat(ctx.blocks[name][0](ctx))
        except Exception:
            return env.handle_exception()


def page_blocks(template) -> dict:
    """Every block the page renders, each with its versions most derived first: what
    {% extends %} gathers when the whole page renders. Kept on the template once built (a
    reloaded template, while developing, starts afresh)."""
    blocks = template.__dict__.get("_page_blocks")
    if blocks is None or template.environment.auto_reload:
        blocks = {name: [render] for name, render in template.blocks.items()}
        for ancestor in ancestors(template.environment, template.name):
            for name, render in template.environment.get_template(ancestor).blocks.items():
                blocks.setdefault(name, []).append(render)
        template._page_blocks = blocks
    return blocks


def ancestors(env, name: str | None) -> tuple[str, ...]:
    """The templates `name` extends, nearest first, read from each one's {% extends %}."""
    chain = []
    while name is not None:  # a template made from a string has no source to read
        source, _, _ = env.loader.get_source(env, name)
        extends = env.parse(source).find(jinja2.nodes.Extends)
        if extends is None or not isinstance(extends.template, jinja2.nodes.Const):
            break
        name = extends.template.value
        chain.append(name)
    return tuple(chain)


class Jinja2(django_jinja2.Jinja2):
    """Django's Jinja2 backend whose templates can also render one block (see above)."""

    def from_string(self, template_code):
        return Template(self.env.from_string(template_code), self)

    def get_template(self, template_name):
        wrapped = super().get_template(template_name)
        return Template(wrapped.template, self)


def pluralize(value, suffix="s"):
    """Django's pluralize: 1 -> '', 2 -> 's'; 'y,ies' gives the singular and plural endings."""
    singular, _, plural = suffix.rpartition(",")
    return singular if value == 1 else plural


def tool_link(slug: str, **values) -> str:
    """A sibling tool carrying the given values it accepts; "" when it is not installed."""
    tool = registry.find(slug)
    return tool.link(values) if tool else ""


def tool_href(slug: str, query: str = "") -> str:
    """A tool's address with an explicit query string (registry links only, never URL names)."""
    tool = registry.find(slug)
    return tool.href(query) if tool else ""


FILTERS = {
    **numbers.FILTERS,
    "pluralize": pluralize,
    "slugify": slugify,
    "json_script": json_script,
}


def register_filters(**filters) -> None:
    """Filters a tool adds for its own templates, from its AppConfig.ready(): the kit imports
    no tool. Apps are ready before the first template is rendered."""
    FILTERS.update(filters)


def register_globals(**functions) -> None:
    """Functions an app adds for the templates, the same way (share_images' share_image)."""
    GLOBALS.update(functions)


GLOBALS = {
    "static": static,
    "url": reverse,  # site pages (home, API); links to a tool go through the registry
    "htmx_script": htmx_script,
    "field": field,
    "tool_link": tool_link,
    "tool_href": tool_href,
    "tool_groups": registry.grouped,
    "nav_groups": registry.nav_groups,
}


def render_once(env, template_name: str, **context) -> Markup:
    """A part of a page that depends on nothing in the request (the model catalog's table):
    rendered by the first page that prints it and kept for the life of the process. What it is
    given must be the same on every request, data of the release and never a request value;
    the cache is keyed by the template's name alone. While developing (auto-reload) it renders
    every time. The GPU pages' catalog of 31 models cost 0.6 ms a page to render."""
    cache = env.__dict__.setdefault("_rendered_once", {})
    html = cache.get(template_name)
    if html is None:
        html = Markup(env.get_template(template_name).render(context))
        if not env.auto_reload:
            cache[template_name] = html
    return html


class LiveMacros:
    """The macros module, fetched through the template cache on each use so that an edited
    ui.html is picked up while developing (DEBUG auto-reload)."""

    def __init__(self, env):
        self.env = env

    def __getattr__(self, name):
        return getattr(self.env.get_template(MACROS).module, name)


def environment(**options):
    # A misspelt name fails the test that renders it, instead of printing nothing.
    env = jinja2.Environment(**{**options, "undefined": jinja2.StrictUndefined})
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    env.globals["render_once"] = functools.partial(render_once, env)
    # Every template and every block can call ui.field(...), ui.note(...) without importing.
    env.globals["ui"] = LiveMacros(env) if settings.DEBUG else env.get_template(MACROS).module
    return env
