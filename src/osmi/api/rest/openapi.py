"""A small OpenAPI 3.1 document describing the REST routes (message shapes left out)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from google.protobuf.descriptor import FieldDescriptor

from osmi.api.rest.fields import FLOAT_TYPES, INT_TYPES, STRING_WKTS, WRAPPERS
from osmi.api.rest.routes import RestRoute
from osmi.api.rest.template import PathTemplate

_OPENAPI_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_STATUS_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "google.rpc.Status",
    "properties": {
        "code": {"type": "integer", "format": "int32"},
        "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}},
    },
}


def openapi_document(
    routes: Iterable[RestRoute], *, title: str = "Osmi", version: str = "v1"
) -> dict[str, Any]:
    """A small OpenAPI 3.1 description of the routes (shapes of messages left out)."""
    paths: dict[str, dict[str, Any]] = {}
    for route in routes:
        method = route.http_method.lower()
        if method not in _OPENAPI_METHODS:
            continue  # custom verbs have no OpenAPI 3.1 slot
        path, parameters = _openapi_path(route.template)
        paths.setdefault(path, {}).setdefault(method, _operation(route, parameters))
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {"schemas": {"Status": _STATUS_SCHEMA}},
    }


def _openapi_path(template: PathTemplate) -> tuple[str, list[dict[str, Any]]]:
    """``/v1/{name=events/*/ticketTypes/*}`` → ``/v1/events/{name_1}/ticketTypes/{name_2}``.

    OpenAPI path parameters are single segments, so each wildcard of a variable
    becomes one, and its description says how they compose the field's value.
    """
    shown = list(template.segments)
    parameters: list[dict[str, Any]] = []
    for variable in template.variables:
        span = range(variable.start, variable.end)
        wild = [i for i in span if shown[i] in ("*", "**")]
        for n, i in enumerate(wild, start=1):
            name = variable.field_path if len(wild) == 1 else f"{variable.field_path}_{n}"
            shown[i] = "{" + name + "}"
        composed = "/".join(shown[i] for i in span)
        for i in wild:
            note = " (may span several segments)" if template.segments[i] == "**" else ""
            text = f"`{variable.field_path}` is sent as {composed}{note}"
            parameters.append(_path_parameter(shown[i][1:-1], text))
    for i, segment in enumerate(shown):  # wildcards outside any variable
        if segment in ("*", "**"):
            shown[i] = "{" + f"segment{i}" + "}"
            parameters.append(_path_parameter(f"segment{i}", "any value (ignored)"))
    path = "/" + "/".join(shown) + (f":{template.verb}" if template.verb else "")
    return path, parameters


def _path_parameter(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


def _operation(route: RestRoute, parameters: list[dict[str, Any]]) -> dict[str, Any]:
    json_body = {"application/json": {"schema": {"type": "object"}}}
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.method.name,
        "tags": [route.method.containing_service.full_name],
        "parameters": parameters + _query_parameters(route),
        "responses": {
            "200": {"description": route.method.output_type.full_name, "content": json_body},
            "default": {
                "description": "An error, as google.rpc.Status",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Status"}}
                },
            },
        },
    }
    if route.body:
        target = route.method.input_type.full_name
        if route.body != "*":
            target = f"{target}.{route.body}"
        operation["requestBody"] = {"description": target, "content": json_body}
    return operation


def _query_parameters(route: RestRoute) -> list[dict[str, Any]]:
    """Top-level scalar fields left for the query string (nested ones work but go unlisted)."""
    if route.body == "*":
        return []
    bound = {v.field_path.split(".")[0] for v in route.template.variables}
    return [
        {"name": f.json_name, "in": "query", "schema": _query_schema(f)}
        for f in route.method.input_type.fields
        if f.name not in bound and f.name != route.body and _is_texty(f)
    ]


def _is_texty(field: FieldDescriptor) -> bool:
    kind = field.message_type.full_name if field.message_type is not None else ""
    return not kind or kind in STRING_WKTS or kind in WRAPPERS


def _query_schema(field: FieldDescriptor) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_BOOL:
        schema: dict[str, Any] = {"type": "boolean"}
    elif field.type in INT_TYPES:
        schema = {"type": "integer"}
    elif field.type in FLOAT_TYPES:
        schema = {"type": "number"}
    elif field.enum_type is not None:
        schema = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    else:
        schema = {"type": "string"}
    return {"type": "array", "items": schema} if field.is_repeated else schema
