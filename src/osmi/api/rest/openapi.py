"""The OpenAPI 3.1 document of the REST routes, message shapes included.

Schemas follow the proto3 JSON mapping as the transcoder speaks it: camelCase
property names, 64-bit integers as strings (numbers are accepted too), enums by
value name, well-known types in their JSON form. Each message and enum reached
from a route is one entry of ``components.schemas``, keyed by its full proto
name; well-known types are written inline where they are used.

Path parameters are single segments in OpenAPI, so each wildcard of a template
becomes one, named after the collection before it (``events/{event}``) or, for
a plain ``{field}`` variable, after the field as the template writes it. Each
one's description says which request field it fills and how.

The generated ``_pb2`` modules carry no source comments, so fields have no
descriptions here.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from typing import Any, Final

from google.protobuf.descriptor import Descriptor, EnumDescriptor, FieldDescriptor

from osmi.api.rest.fields import OPAQUE_WKTS, STRING_WKTS, WRAPPERS
from osmi.api.rest.routes import RestRoute, is_map
from osmi.api.rest.template import PathTemplate

Schema = dict[str, Any]

_OPENAPI_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
_WILDCARDS = frozenset({"*", "**"})
# A literal a wildcard can be named after: a word, but not an API version (v1, v2beta1).
_COLLECTION = re.compile(r"(?!v[0-9])[A-Za-z][A-Za-z0-9_]*")

_ANY: Final[Schema] = {
    "type": "object",
    "description": "google.protobuf.Any: `@type` names the message, the rest are its fields",
    "properties": {"@type": {"type": "string"}},
    "required": ["@type"],
    "additionalProperties": True,
}
_STATUS_SCHEMA: Final[Schema] = {
    "type": "object",
    "description": "google.rpc.Status",
    "properties": {
        "code": {"type": "integer", "format": "int32"},
        "message": {"type": "string"},
        "details": {"type": "array", "items": _ANY},
    },
}
_STATUS_REF: Final = "#/components/schemas/Status"

# --------------------------------------------------------------------------- value schemas

_STRING: Final[Schema] = {"type": "string"}
_INT32: Final[Schema] = {"type": "integer", "format": "int32"}
_UINT32: Final[Schema] = {"type": "integer", "format": "int64", "minimum": 0, "maximum": 2**32 - 1}
# Written as strings; the door also takes JSON numbers.
_INT64: Final[Schema] = {"type": ["string", "integer"], "format": "int64", "pattern": "^-?[0-9]+$"}
_UINT64: Final[Schema] = {
    "type": ["string", "integer"],
    "format": "uint64",
    "pattern": "^[0-9]+$",
    "minimum": 0,
}
_SCALARS: Final[dict[int, Schema]] = {
    FieldDescriptor.TYPE_INT32: _INT32,
    FieldDescriptor.TYPE_SINT32: _INT32,
    FieldDescriptor.TYPE_SFIXED32: _INT32,
    FieldDescriptor.TYPE_UINT32: _UINT32,
    FieldDescriptor.TYPE_FIXED32: _UINT32,
    FieldDescriptor.TYPE_INT64: _INT64,
    FieldDescriptor.TYPE_SINT64: _INT64,
    FieldDescriptor.TYPE_SFIXED64: _INT64,
    FieldDescriptor.TYPE_UINT64: _UINT64,
    FieldDescriptor.TYPE_FIXED64: _UINT64,
    FieldDescriptor.TYPE_DOUBLE: {"type": "number", "format": "double"},
    FieldDescriptor.TYPE_FLOAT: {"type": "number", "format": "float"},
    FieldDescriptor.TYPE_BOOL: {"type": "boolean"},
    FieldDescriptor.TYPE_STRING: _STRING,
    FieldDescriptor.TYPE_BYTES: {"type": "string", "format": "byte", "contentEncoding": "base64"},
}
# Wrappers are not here: they take the schema of the value they wrap.
_WELL_KNOWN: Final[dict[str, Schema]] = {
    "google.protobuf.Timestamp": {"type": "string", "format": "date-time"},
    "google.protobuf.Duration": {
        "type": "string",
        "description": "seconds with an `s` suffix, e.g. `1.5s`",
        "pattern": r"^-?[0-9]+(\.[0-9]{1,9})?s$",
    },
    "google.protobuf.FieldMask": {
        "type": "string",
        "description": "field paths separated by commas, e.g. `displayName,price`",
    },
    "google.protobuf.Struct": {"type": "object", "additionalProperties": True},
    "google.protobuf.Value": {"description": "any JSON value"},
    "google.protobuf.ListValue": {"type": "array", "items": {}},
    "google.protobuf.Any": _ANY,
    "google.protobuf.Empty": {"type": "object", "description": "always `{}`"},
}


def _scalar(field: FieldDescriptor) -> Schema:
    return copy.deepcopy(_SCALARS[field.type])


def _nullable(schema: Schema) -> Schema:
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    return {**schema, "type": [*kinds, "null"]}


def _ref(full_name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{full_name}"}


class _Schemas:
    """``components.schemas``, filled as messages and enums are referenced."""

    def __init__(self) -> None:
        self.components: dict[str, Schema] = {}

    def message(self, descriptor: Descriptor) -> Schema:
        """A ``$ref`` to the message's schema, or a well-known type's schema inline."""
        kind = descriptor.full_name
        if kind in WRAPPERS:
            return _nullable(_scalar(descriptor.fields_by_name["value"]))
        if kind in _WELL_KNOWN:
            return copy.deepcopy(_WELL_KNOWN[kind])
        if kind not in self.components:
            self.components[kind] = {}  # claimed first: a recursive message stops here
            self.components[kind] = self._object(descriptor)
        return _ref(kind)

    def enum(self, descriptor: EnumDescriptor) -> Schema:
        if descriptor.full_name == "google.protobuf.NullValue":
            return {"type": "null"}
        names = [value.name for value in descriptor.values]
        self.components.setdefault(descriptor.full_name, {"type": "string", "enum": names})
        return _ref(descriptor.full_name)

    def field(self, field: FieldDescriptor) -> Schema:
        """The JSON value of a whole field: maps are objects, repeated fields arrays."""
        entry = field.message_type
        if entry is not None and is_map(field):
            value = self.single(entry.fields_by_name["value"])
            return {"type": "object", "additionalProperties": value}
        item = self.single(field)
        return {"type": "array", "items": item} if field.is_repeated else item

    def single(self, field: FieldDescriptor) -> Schema:
        """One value of the field's type."""
        if field.message_type is not None:
            return self.message(field.message_type)
        if field.enum_type is not None:
            return self.enum(field.enum_type)
        return _scalar(field)

    def text(self, field: FieldDescriptor) -> Schema:
        """A path or query value: like JSON, but a wrapper cannot be null there."""
        kind = field.message_type
        if kind is not None and kind.full_name in WRAPPERS:
            item = _scalar(kind.fields_by_name["value"])
        else:
            item = self.single(field)
        return {"type": "array", "items": item} if field.is_repeated else item

    def _object(self, descriptor: Descriptor) -> Schema:
        schema: Schema = {
            "type": "object",
            "properties": {f.json_name: self.field(f) for f in descriptor.fields},
        }
        notes = [
            f"At most one of {', '.join(f'`{f.json_name}`' for f in oneof.fields)} "
            f"(oneof `{oneof.name}`)."
            for oneof in descriptor.oneofs
            if len(oneof.fields) > 1  # a proto3 `optional` is a oneof of one
        ]
        if notes:
            schema["description"] = " ".join(notes)
        return schema


# --------------------------------------------------------------------------- the document


def openapi_document(
    routes: Iterable[RestRoute], *, title: str = "Osmi", version: str
) -> dict[str, Any]:
    """The OpenAPI 3.1 description of the routes; ``version`` is the server's."""
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    # Paths differing only in parameter names are one path to OpenAPI: the first names stay.
    names_by_shape: dict[tuple[str, ...], dict[int, str]] = {}
    for route in routes:
        schemas.message(route.method.input_type)  # listed even when no body refers to it
        schemas.message(route.method.output_type)
        method = route.http_method.lower()
        if method not in _OPENAPI_METHODS:
            continue  # custom verbs have no OpenAPI 3.1 slot
        names = names_by_shape.setdefault(_shape(route.template), _wildcard_names(route.template))
        path, parameters = _openapi_path(route, names, schemas)
        paths.setdefault(path, {}).setdefault(method, _operation(route, parameters, schemas))
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": {"Status": copy.deepcopy(_STATUS_SCHEMA), **_sorted(schemas.components)}
        },
    }


def _sorted(mapping: dict[str, Schema]) -> dict[str, Schema]:
    return dict(sorted(mapping.items()))


def _shape(template: PathTemplate) -> tuple[str, ...]:
    """The template as OpenAPI tells paths apart: wildcards all alike."""
    return (*("" if s in _WILDCARDS else s for s in template.segments), template.verb)


def _operation(route: RestRoute, parameters: list[Schema], schemas: _Schemas) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": route.operation_id,
        "summary": route.method.name,
        "tags": [route.method.containing_service.full_name],
        "parameters": parameters + _query_parameters(route, schemas),
        "responses": {
            "200": _json(f"`{_response_name(route)}`", _response_schema(route, schemas)),
            "default": _json("An error, as google.rpc.Status", {"$ref": _STATUS_REF}),
        },
    }
    if route.body:
        body = _json(_body_description(route), _body_schema(route, schemas))
        operation["requestBody"] = {"required": True, **body}
    return operation


def _json(description: str, schema: Schema) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body_schema(route: RestRoute, schemas: _Schemas) -> Schema:
    request = route.method.input_type
    if route.body == "*":
        return schemas.message(request)
    return schemas.field(request.fields_by_name[route.body])


def _body_description(route: RestRoute) -> str:
    request = route.method.input_type.full_name
    if route.body == "*":
        text = f"The whole `{request}`"
        return text + (
            "; the path's values win over the body's" if route.template.variables else ""
        )
    return f"Field `{route.body}` of `{request}`"


def _response_schema(route: RestRoute, schemas: _Schemas) -> Schema:
    response = route.method.output_type
    if not route.response_body:
        return schemas.message(response)
    field = response.fields_by_name[route.response_body]
    schema = schemas.field(field)
    # An unset message field comes out as null.
    return {"anyOf": [schema, {"type": "null"}]} if field.has_presence else schema


def _response_name(route: RestRoute) -> str:
    name = route.method.output_type.full_name
    return f"{name}.{route.response_body}" if route.response_body else name


# --------------------------------------------------------------------------- query


def _query_parameters(route: RestRoute, schemas: _Schemas) -> list[Schema]:
    """Fields the query string may set: those outside the path and body, nested ones dotted."""
    if route.body == "*":
        return []
    bound = {v.field_path for v in route.template.variables}
    request = route.method.input_type
    # A top-level oneof the path already chose (GetCustomer's `id`) takes no rival.
    chosen = {
        field.containing_oneof.name
        for field in request.fields
        if field.name in bound and field.containing_oneof is not None
    }
    return [
        {"name": json_path, "in": "query", "schema": schemas.text(leaf)}
        for proto_path, json_path, leaf in _text_fields(request, (request,))
        if proto_path not in bound
        and proto_path.split(".")[0] != route.body
        and not (
            leaf.containing_oneof is not None
            and leaf.containing_oneof.name in chosen
            and leaf.containing_type is request
        )
    ]


def _text_fields(
    descriptor: Descriptor, chain: tuple[Descriptor, ...]
) -> Iterator[tuple[str, str, FieldDescriptor]]:
    """(proto path, JSON path, field) of each field a text value can set, as ``resolve`` finds.

    ``chain`` holds the messages walked into so far; a recursive one is not entered again.
    """
    for field in descriptor.fields:
        kind = field.message_type
        if is_map(field):
            continue
        if kind is None or kind.full_name in STRING_WKTS or kind.full_name in WRAPPERS:
            yield field.name, field.json_name, field
        elif not field.is_repeated and kind.full_name not in OPAQUE_WKTS and kind not in chain:
            for proto_path, json_path, leaf in _text_fields(kind, (*chain, kind)):
                yield f"{field.name}.{proto_path}", f"{field.json_name}.{json_path}", leaf


# --------------------------------------------------------------------------- path


def _openapi_path(
    route: RestRoute, names: dict[int, str], schemas: _Schemas
) -> tuple[str, list[Schema]]:
    """``/v1/{name=events/*/ticketTypes/*}`` → ``/v1/events/{event}/ticketTypes/{ticketType}``.

    ``names`` are the parameter names by wildcard segment index.
    """
    template = route.template
    shown = [
        "{" + names[i] + "}" if i in names else segment
        for i, segment in enumerate(template.segments)
    ]
    parameters: list[Schema] = []
    for variable in template.variables:
        span = range(variable.start, variable.end)
        description = f"fills {_fills(route, variable.field_path)}"
        if len(span) > 1:
            description += f" as `{'/'.join(shown[i] for i in span)}`"
        leaf = route.path_fields[variable.field_path][-1]
        for i in (i for i in span if i in names):
            if template.segments[i] == "**":
                text, schema = description + "; may span several segments", _STRING
            else:  # a variable of a single `*` takes its field's own type
                text, schema = description, schemas.text(leaf) if len(span) == 1 else _STRING
            parameters.append(_path_parameter(names[i], text, schema))
    owned = {i for v in template.variables for i in range(v.start, v.end)}
    for i in sorted(set(names) - owned):
        parameters.append(_path_parameter(names[i], "any value (not used)", _STRING))
    verb = f":{template.verb}" if template.verb else ""
    return "/" + "/".join(shown) + verb, parameters


def _wildcard_names(template: PathTemplate) -> dict[int, str]:
    """A unique parameter name per wildcard segment, by segment index.

    A plain ``{field}`` variable keeps the template's field path; any other
    wildcard is named after the collection segment before it, in singular.
    """
    taken: set[str] = set()
    names: dict[int, str] = {}
    for variable in template.variables:
        if variable.end - variable.start == 1:
            names[variable.start] = _unique(variable.field_path, taken)
    for i, segment in enumerate(template.segments):
        if segment in _WILDCARDS and i not in names:
            names[i] = _unique(_wildcard_base(template, i), taken)
    return names


def _wildcard_base(template: PathTemplate, index: int) -> str:
    before = template.segments[index - 1] if index else ""
    if before not in _WILDCARDS and _COLLECTION.fullmatch(before):
        return _singular(before)
    owner = next((v for v in template.variables if v.start <= index < v.end), None)
    return owner.field_path.split(".")[-1] if owner else "segment"


def _singular(word: str) -> str:
    """``ticketTypes`` → ``ticketType``, ``categories`` → ``category`` (a plain heuristic)."""
    if word.endswith("ies") and len(word) > 3:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 1:
        return word[:-1]
    return word


def _unique(base: str, taken: set[str]) -> str:
    name, n = base, 2
    while name in taken:
        name, n = f"{base}{n}", n + 1
    taken.add(name)
    return name


def _fills(route: RestRoute, field_path: str) -> str:
    """The field path as the template writes it, plus its JSON spelling when that differs."""
    json_path = ".".join(f.json_name for f in route.path_fields[field_path])
    extra = f" (`{json_path}` in JSON)" if json_path != field_path else ""
    return f"`{field_path}`{extra}"


def _path_parameter(name: str, description: str, schema: Schema) -> Schema:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": copy.deepcopy(schema),
    }
