"""The kit every tool stands on and nothing tool-specific: the page/fragment/JSON view, the
registry, fields and the base form, number formatting, the SVG writer, the Jinja2 environment
and the middleware. The kit imports no tool."""
