"""OpenAPI 3.1 description of every tool's `format=json` API, generated from the forms.

Parameters come from the form fields (names, bounds, defaults, choices); result keys come from
running each form on its defaults and describing the JSON it returns. Nothing is written by
hand, so the description cannot drift from the site.
"""

from django import forms

from . import registry
from .fields import DecimalNumberField, WholeNumberField


def field_schema(field: forms.Field) -> dict:
    if isinstance(field, WholeNumberField):
        schema = {"type": "integer", "minimum": field.lo, "maximum": field.hi}
    elif isinstance(field, DecimalNumberField):
        schema = {"type": "number", "minimum": field.lo, "maximum": field.hi}
    elif isinstance(field, forms.ChoiceField):
        schema = {"type": "string", "enum": [value for value, _ in field.choices]}
    else:
        schema = {"type": "string"}
        limit = getattr(field, "max_values", None)
        if limit:
            schema["description"] = (
                f"up to {limit:,} numbers separated by commas, spaces or newlines"
            )
    if field.initial is not None:
        schema["default"] = field.initial
    return schema


def parameter(name: str, field: forms.Field) -> dict:
    description = field.help_text or str(field.label)
    unit = getattr(field, "unit", "")
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": f"{field.label}{f' ({unit})' if unit else ''}: {description}",
        "schema": field_schema(field),
    }


def value_schema(value) -> dict:
    """Describe a JSON value by example: the defaults' answer shows every key."""
    if isinstance(value, bool):
        return {"type": "boolean"}
    if isinstance(value, int):
        return {"type": "integer"}
    if isinstance(value, float):
        return {"type": "number"}
    if isinstance(value, str):
        return {"type": "string"}
    if value is None:
        return {"type": ["number", "string", "null"]}
    if isinstance(value, list):
        return {"type": "array", "items": value_schema(value[0]) if value else {}}
    return {
        "type": "object",
        "properties": {k: value_schema(v) for k, v in value.items()},
        "required": list(value),
    }


def nullable(schema: dict) -> dict:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": sorted(set(kinds) | {"null"})}


def operation(tool: registry.Tool) -> dict:
    form = tool.form_class({})
    form.is_valid()
    inputs = form.inputs()
    result = form.result_json()
    input_schema = {
        "type": "object",
        "properties": {
            name: nullable(field_schema(f)) if not f.required else field_schema(f)
            for name, f in form.fields.items()
        },
        "required": list(inputs),
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
        "parameters": [fmt] + [parameter(name, f) for name, f in form.fields.items()],
        "responses": {
            "200": {
                "description": "The result for these inputs (missing inputs take defaults); "
                "without format=json, the HTML page, which shows input errors inline.",
                "content": {
                    **html,
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"inputs": input_schema, "result": value_schema(result)},
                            "required": ["inputs", "result"],
                        }
                    },
                },
            },
            "400": {
                "description": "Invalid input: each message names the field and what is allowed.",
                "content": {"application/json": {"schema": errors}},
            },
        },
    }


def describe(server_url: str = "/") -> dict:
    paths = {
        tool.path: {"get": operation(tool)}
        for tool in registry.all_tools()
        if tool.form_class is not None
    }
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
