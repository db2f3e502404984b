"""OpenAPI 3.1 description of every tool's `format=json` API, generated from the forms.

Parameters come from the form fields (names, bounds, defaults, choices); result keys come from
running each form on its defaults and describing the JSON it returns, and, where a form names an
`API_EXAMPLE` query that opens its optional sections, on that too, so keys that are null at the
defaults are described as well. Nothing is written by hand, so the description cannot drift
from the site.
"""

from django import forms
from django.conf import settings

from . import registry
from .fields import CatalogGpuField, DecimalNumberField, WholeNumberField
from .list_fields import NumberListField


def field_schema(field: forms.Field, as_output: bool = False) -> dict:
    """A query parameter's schema, or (as_output) the cleaned value's schema in `inputs`."""
    if as_output and isinstance(field, forms.TypedChoiceField):
        values = [field.coerce(value) for value, _ in field.choices]
        kind = "integer" if all(isinstance(v, int) for v in values) else "string"
        schema = {"type": kind, "enum": values}
    elif isinstance(field, WholeNumberField):
        schema = {"type": "integer", "minimum": field.lo, "maximum": field.hi}
    elif isinstance(field, DecimalNumberField):
        schema = {"type": "number", "minimum": field.lo, "maximum": field.hi}
    elif isinstance(field, CatalogGpuField):
        # A GPU is answered (in `inputs`) by its catalog slug, and asked for by any of its ids.
        offered = [value for value, _ in field.choices]
        schema = {"type": "string", "enum": offered if as_output else [*offered, *field.other_ids]}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [value for value, _ in field.choices]}
    elif isinstance(field, NumberListField):
        item = {"type": "integer" if field.whole else "number"}
        if as_output:
            schema = {"type": "array", "items": item, "maxItems": field.max_count}
        else:
            schema = {"type": "string", "maxLength": field.max_chars}
            schema["description"] = (
                f"{field.min_count:,} to {field.max_count:,} numbers separated by commas, "
                "spaces or newlines"
            )
    elif as_output:
        schema = {}  # a pasted table is split into its columns; the column fields say more
    else:
        schema = {"type": "string"}
    if field.initial is not None and not as_output:
        schema["default"] = field.initial
    return schema


def is_file(field: forms.Field) -> bool:
    """A file travels only in a multipart POST body, never in a query string."""
    return isinstance(field.widget, forms.FileInput)


def parameter(name: str, field: forms.Field) -> dict:
    description = field.help_text or str(field.label)
    if isinstance(field, CatalogGpuField) and field.other_ids:
        others = ", ".join(f"{alias} (= {slug})" for alias, slug in field.other_ids.items())
        description += f" Also takes {others}; `inputs` answers with the slug."
    unit = getattr(field, "unit", "")
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{field.label}{f' ({unit})' if unit else ''}: {description}",
        "schema": field_schema(field),
    }


SCALARS = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def is_object(schema: dict) -> bool:
    kinds = schema.get("type")
    return kinds == "object" or (isinstance(kinds, list) and "object" in kinds)


def value_schema(value, top: bool = False) -> dict:
    """Describe a JSON value by example: the defaults' answer shows every key and its type.
    A figure or a section that does not apply to a scenario (no quantization fits, say, or
    no vLLM serving for a model known only by its size) is null."""
    for kind, name in SCALARS:
        if isinstance(value, kind):
            return {"type": [name, "null"]}
    if value is None:
        return {}  # optional: absent from the example, so any JSON value is allowed
    if isinstance(value, list | tuple):  # JSON arrays
        items = [value_schema(v) for v in value]
        merged = items[0] if items else {}
        for item in items[1:]:
            merged = merge(merged, item)
        return {"type": "array", "items": merged}
    # No "required": a tool's modes answer with different subsets of these keys.
    kind = "object" if top else ["null", "object"]
    return {"type": kind, "properties": {k: value_schema(v) for k, v in value.items()}}


def merge(a: dict, b: dict) -> dict:
    """One schema that accepts both examples (list items may differ, e.g. null vs a name)."""
    if a == b:
        return a
    if not a or not b:
        return {}
    if is_object(a) and is_object(b):
        keys = list(dict.fromkeys([*a["properties"], *b["properties"]]))
        return {
            "type": a["type"] if a["type"] == b["type"] else ["null", "object"],
            "properties": {
                k: merge(a["properties"].get(k, {}), b["properties"].get(k, {})) for k in keys
            },
        }
    if a.get("type") == "array" and b.get("type") == "array":
        return {"type": "array", "items": merge(a["items"], b["items"])}
    if isinstance(a.get("type"), list) and isinstance(b.get("type"), list):
        return {"type": sorted({*a["type"], *b["type"]})}
    return {}


def nullable(schema: dict) -> dict:
    if "type" not in schema:
        return schema  # already accepts anything, null included
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    widened = {**schema, "type": sorted(set(kinds) | {"null"})}
    if "enum" in schema and None not in schema["enum"]:
        widened["enum"] = [*schema["enum"], None]  # an enum holds back null otherwise
    return widened


def with_example(default: dict, example: dict) -> dict:
    """The defaults' result schema, completed by an example that opens the optional sections:
    a key null (so undescribed) at the defaults takes the example's schema, and may be null."""
    if is_object(default) and is_object(example):
        keys = dict.fromkeys([*default["properties"], *example["properties"]])
        return {
            "type": default["type"],
            "properties": {
                k: with_example(default["properties"].get(k, {}), example["properties"].get(k, {}))
                for k in keys
            },
        }
    return default if default else may_be_null(example)


def may_be_null(schema: dict) -> dict:
    """An optional section's schema: it, and every object inside it, may be null (a section's
    parts switch off with their inputs, as a measured throughput has no FLOP breakdown)."""
    if is_object(schema):
        properties = {k: may_be_null(v) for k, v in schema["properties"].items()}
        return {"type": ["null", "object"], "properties": properties}
    if schema.get("type") == "array":
        return {"type": ["array", "null"], "items": may_be_null(schema["items"])}
    return nullable(schema)


def result_schema(tool: registry.Tool) -> dict:
    form = tool.form({})
    form.is_valid()
    schema = value_schema(form.result_json(), top=True)
    example = tool.form_class.API_EXAMPLE
    if example:
        full = tool.form(example)
        if not full.is_valid():
            raise ValueError(f"{tool.slug}: API_EXAMPLE is not valid: {dict(full.errors)}")
        schema = with_example(schema, value_schema(full.result_json(), top=True))
    return schema


def post_body(tool: registry.Tool) -> dict:
    """The request body of a tool whose form accepts POST (kit/views.py): the same fields as the
    query, form-encoded or as multipart/form-data with a CSV file in `file`."""
    form = tool.form({})
    fields = {
        name: {"type": "string", "format": "binary", "description": str(f.help_text)}
        if is_file(f)
        else {**field_schema(f), "description": str(f.label)}
        for name, f in form.fields.items()
    }
    fields["format"] = {"type": "string", "enum": ["json"]}
    plain = {k: v for k, v in fields.items() if v.get("format") != "binary"}
    return {
        "required": False,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {"type": "object", "properties": plain}
            },
            "multipart/form-data": {"schema": {"type": "object", "properties": fields}},
        },
    }


def post_operation(tool: registry.Tool, get: dict) -> dict:
    """POST answers like GET for data too large for a URL, and nothing is stored."""
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    responses = {
        **get["responses"],
        "413": {"description": f"The body is over {limit / 2**20:g} MiB."},
    }
    del responses["414"]
    return {
        **get,
        "operationId": get["operationId"] + "_post",
        "description": tool.blurb + " Data too large for a URL: the same fields in the body "
        f"(bodies up to {limit / 2**20:g} MiB, stored nowhere); format=json in the query string "
        "or the body. A POSTed result has no permalink.",
        "parameters": [get["parameters"][0]],  # format, which may also be in the body
        "requestBody": post_body(tool),
        "responses": responses,
    }


def operation(tool: registry.Tool) -> dict:
    form = tool.form({})
    input_schema = {
        "type": "object",
        "properties": {
            name: field_schema(f, True) if f.required else nullable(field_schema(f, True))
            for name, f in form.fields.items()
            if not is_file(f)
        },
    }
    errors = {
        "type": "object",
        "properties": {
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            }
        },
        "required": ["errors"],
    }
    fmt = {
        "name": "format",
        "in": "query",
        "required": False,
        "schema": {"type": "string", "enum": ["json"]},
        "description": "json for this JSON answer; without it the same URL is the HTML page.",
    }
    html = {"text/html": {"schema": {"type": "string"}}}
    return {
        "summary": tool.title,
        "description": tool.blurb,
        "operationId": tool.slug.replace("-", "_"),
        "tags": [tool.group],
        "parameters": [fmt]
        + [parameter(name, f) for name, f in form.fields.items() if not is_file(f)],
        "responses": {
            "200": {
                "description": "The result for these inputs (missing inputs take defaults); "
                "without format=json, the HTML page, which shows input errors inline.",
                "content": {
                    **html,
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"inputs": input_schema, "result": result_schema(tool)},
                            "required": ["inputs", "result"],
                        }
                    },
                },
            },
            "414": {"description": "The URL is longer than the server accepts (about 4 KB)."},
            "400": {
                "description": "Invalid input: each message names the field and what is allowed.",
                "content": {"application/json": {"schema": errors}},
            },
        },
    }


def describe(server_url: str = "/") -> dict:
    paths = {}
    for tool in registry.all_tools():
        get = operation(tool)
        paths[tool.path] = {"get": get}
        if tool.form_class.accepts_post:
            paths[tool.path]["post"] = post_operation(tool, get)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "GradAcc calculators",
            "version": "1",
            "description": "Every calculator answers as JSON on its own URL with format=json. "
            "Parameters and result keys are only ever added to, never renamed.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
    }
