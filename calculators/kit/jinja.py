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

from collections import ChainMap

import jinja2.compiler
import jinja2.runtime
from django.conf import settings
from django.core.signals import setting_changed
from django.template import TemplateSyntaxError
from django.template.backends import jinja2 as django_jinja2
from django.template.backends.utils import csrf_input_lazy, csrf_token_lazy
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import json_script
from django.utils.text import slugify
from django_htmx.jinja import htmx_script

import jinja2

from . import numbers, registry, svg
from .fields import field
from .html import escape_text

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
    """A sibling tool carrying the given values it accepts (none: its bare address); "" when
    it is not installed. Registry links only, never URL names or a query of the template's."""
    tool = registry.find(slug)
    return tool.link(values) if tool else ""


FILTERS = {
    **numbers.FILTERS,
    "pluralize": pluralize,
    "slugify": slugify,
    "json_script": json_script,
    "svg_number": svg.number,
}


def register_filters(**filters) -> None:
    """Filters a tool adds for its own templates, from its AppConfig.ready(): the kit imports
    no tool. Apps are ready before the first template is rendered."""
    FILTERS.update(filters)


def register_globals(**functions) -> None:
    """Functions an app adds for the templates, the same way (share_images' share_image)."""
    GLOBALS.update(functions)


# --- Per-process answers for the page shell ------------------------------------------------
# Every page prints the same static file addresses, site links, htmx script tag and header nav:
# answers that depend only on the code, the settings, the registry and the script prefix,
# never on the request's query. Asked afresh they cost about 0.2 ms a page (4 static() lookups
# through the manifest storage, 3 reverse() calls, the nav macro's loop over every tool: 12%
# of the threshold-cost page's Python calls, cProfile), so each is worked out once per
# process and kept here. Not while developing (DEBUG), where files and templates change under
# a running server; a changed setting (tests) or a newly registered tool starts afresh.
_shell: dict = {}


def _forget_shell(**kwargs):
    _shell.clear()


setting_changed.connect(_forget_shell)


def _kept(key, make):
    if settings.DEBUG:
        return make()
    try:
        return _shell[key]
    except KeyError:
        value = _shell[key] = make()
        return value


def static_url(path: str) -> str:
    """Django's static(), kept per process (the manifest is read once at start anyway)."""
    return _kept(("static", path), lambda: static(path))


def site_url(viewname: str, *args, **kwargs) -> str:
    """Django's reverse(); a site page's address without arguments is kept per process."""
    if args or kwargs:
        return reverse(viewname, args=args, kwargs=kwargs)
    key = ("url", viewname, get_script_prefix(), get_urlconf())
    return _kept(key, lambda: reverse(viewname))


def htmx_script_tag(**options):
    """django-htmx's script tag (it looks the file up in the static manifest), kept."""
    return _kept(("htmx", tuple(sorted(options.items()))), lambda: htmx_script(**options))


GLOBALS = {
    "static": static_url,
    "url": site_url,  # site pages (home, API); links to a tool go through the registry
    "htmx_script": htmx_script_tag,
    "field": field,
    "tool_link": tool_link,
    "tool_groups": registry.grouped,
    "nav_groups": registry.nav_groups,
}


class LiveMacros:
    """The macros module, fetched through the template cache on each use so that an edited
    ui.html is picked up while developing (DEBUG auto-reload)."""

    def __init__(self, env):
        self.env = env

    def __getattr__(self, name):
        return getattr(self.env.get_template(MACROS).module, name)


def escape_output(value) -> str:
    """What markupsafe.escape prints, as a plain str: a value that is already HTML (has
    __html__, as Markup and Django's SafeString do) as it is, anything else as text with the same
    five characters replaced by the same entities. markupsafe.escape also wraps each answer in a
    new Markup object, and that wrapper is most of its cost, for nothing: Jinja2 joins a
    template's outputs into one str (a macro or a captured block wraps its joined buffer in
    Markup itself)."""
    if type(value) is not str:
        html = getattr(value, "__html__", None)
        if html is not None:
            return str(html())
        value = str(value)
    return escape_text(value)


class CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja2's code generator, with every autoescaped {{ ... }} written through
    escape_output instead of markupsafe.escape: the same text, without the Markup object. This
    is the hook Jinja2 itself uses for its native-types environment (jinja2.nativetypes
    overrides the same method). Measured with callgrind: a {{ value }} cost about 5,000
    instructions, 4,400 of them in markupsafe.escape, and a tool page prints 300 to 400 of
    them; with escape_output the activation-memory fragment went from 6.31 to 5.50 M
    instructions a request, its page from 11.44 to 10.43 M."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.autoescape and not frame.eval_ctx.volatile:
            # `environment` is in scope in every function a template compiles to.
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)
        else:
            super()._output_child_pre(node, frame, finalize)


class JinjaTemplate(jinja2.Template):
    def new_context(self, vars=None, shared=False, locals=None):
        """Jinja2's new_context, given the template's globals as one dict. Jinja2 keeps them as
        a ChainMap (the template's own over the environment's) and copies them into every new
        context twice, through ChainMap's iteration and lookups, which are Python: 17 globals,
        about 80,000 CPU instructions a render (callgrind), every page and every fragment. The
        dict is read from the same mappings at the same moment, in C."""
        globals = self.globals
        if isinstance(globals, ChainMap):
            flat = {}
            for mapping in reversed(globals.maps):
                flat.update(mapping)
            globals = flat
        return jinja2.runtime.new_context(
            self.environment, self.name, self.blocks, vars, shared, globals, locals
        )


class Environment(jinja2.Environment):
    """Jinja2's environment with the two changes above, each through a documented hook."""

    code_generator_class = CodeGenerator
    template_class = JinjaTemplate
    escape_output = staticmethod(escape_output)


def environment(**options):
    # A misspelt name fails the test that renders it, instead of printing nothing.
    env = Environment(**{**options, "undefined": jinja2.StrictUndefined})
    env.filters.update(FILTERS)
    env.globals.update(GLOBALS)
    # Every template and every block can call ui.field(...), ui.note(...) without importing.
    env.globals["ui"] = LiveMacros(env) if settings.DEBUG else env.get_template(MACROS).module

    def site_nav(here=None):
        """The header's nav (ui.site_nav), written once per tool and process: it depends only
        on which tool is current, the registry and the home page's address."""
        key = ("nav", here.slug if here else None, registry.generation(), get_script_prefix())
        return _kept(key, lambda: env.globals["ui"].site_nav(here))

    env.globals["site_nav"] = site_nav
    return env
