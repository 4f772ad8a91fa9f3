"""HTTP/JSON routes generated from ``google.api.http`` annotations, served in-process.

The grpc-gateway idea without the proxy hop: every annotated unary RPC of the
bound services becomes a route; a request is turned into the RPC's request
message (path variables, JSON body, query string), handed to the same
servicer object the gRPC server uses, and the response message is written back
as proto3 JSON. Failures go through ``osmi.api.errors`` so both doors agree.

Choices that differ between gateways, fixed here:

* Routing misses answer a JSON ``google.rpc.Status`` like everything else:
  unknown path → 404 / NOT_FOUND; known path, other HTTP method → 405 /
  UNIMPLEMENTED with an ``Allow`` header (grpc-gateway v2 does the same).
* The most specific template wins: segment by segment, a literal beats ``*``
  which beats ``**``; two routes with the same method and shape are a
  startup error rather than a first-registered-wins surprise.
* Unknown JSON fields and unknown query parameters are ignored; a value that
  does not fit its field is a 400 naming the field.
* Query parameters fill fields not bound by the path or the body (also for
  ``body: "field"`` rules); ``body: "*"`` takes no query parameters.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import aclosing
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, cast
from urllib.parse import quote, unquote

import structlog

# googleapis-common-protos ships .pyi stubs but no py.typed marker; the ignores go unused
# once mypy is told to follow google.api/google.rpc (follow_untyped_imports).
from google.api import annotations_pb2, http_pb2
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import (
    Descriptor,
    FieldDescriptor,
    MethodDescriptor,
    ServiceDescriptor,
)
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from osmi.api.errors import Mapping as ErrorMapping
from osmi.api.errors import invalid_argument_status, status_to_json, to_status
from osmi.api.rest.middleware import RequestContextMiddleware, set_rpc

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import MethodOptions
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor

MAX_BODY_BYTES: Final = 1024 * 1024
# The stubs type the extension as a bare FieldDescriptor, which Extensions[] rejects.
_HTTP: Final = cast(
    "_ExtensionFieldDescriptor[MethodOptions, http_pb2.HttpRule]", annotations_pb2.http
)
OPENAPI_PATH: Final = "/openapi.json"


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LITERAL = re.compile(r"[^/{}=*:]+")
_ESCAPED_SLASH = re.compile(r"(%2[Ff])")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
_FLOAT_WORDS = frozenset({"NaN", "Infinity", "-Infinity"})
_TRUE = frozenset({"true", "t", "1"})
_FALSE = frozenset({"false", "f", "0"})
_OPENAPI_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options", "trace"})
# Well-known messages whose proto3 JSON form is a string, so a path or query
# value can fill them.
_STRING_WKTS = frozenset(
    {"google.protobuf.Timestamp", "google.protobuf.Duration", "google.protobuf.FieldMask"}
)
_WRAPPERS = frozenset(
    f"google.protobuf.{n}Value"
    for n in ("Double", "Float", "Int64", "UInt64", "Int32", "UInt32", "Bool", "String", "Bytes")
)
# Well-known messages whose JSON form is not an object with their fields.
_OPAQUE_WKTS = (
    _STRING_WKTS
    | _WRAPPERS
    | {"google.protobuf.Value", "google.protobuf.ListValue", "google.protobuf.Struct"}
    | {"google.protobuf.Any", "google.protobuf.Empty"}
)
_INT_TYPES = frozenset(
    {
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_SINT64,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED32,
        FieldDescriptor.TYPE_SFIXED64,
    }
)
_FLOAT_TYPES = frozenset({FieldDescriptor.TYPE_FLOAT, FieldDescriptor.TYPE_DOUBLE})


# --------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class ServiceBinding:
    descriptor: ServiceDescriptor
    servicer: object


class RestCallContext:
    """What a servicer receives as ``context`` when called over REST."""

    def __init__(self, headers: Mapping[str, str], *, peer: str = "unknown") -> None:
        self._metadata = tuple((name.lower(), value) for name, value in headers.items())
        self._peer = peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer(self) -> str:
        return self._peer


@dataclass(frozen=True, slots=True)
class _Variable:
    field_path: str  # dotted proto field names: "ticket_type.name"
    start: int
    end: int  # exclusive; for a trailing ``**`` the template's segment count


@dataclass(frozen=True, slots=True)
class PathTemplate:
    """A parsed ``google.api.http`` path template (``/v1/{name=events/*}:verb``)."""

    source: str
    segments: tuple[str, ...]  # literal text, "*" or "**"
    variables: tuple[_Variable, ...]
    verb: str

    @classmethod
    def parse(cls, source: str) -> PathTemplate:
        path, verb = _split_verb(source)
        if not path.startswith("/") or (verb and not _LITERAL.fullmatch(verb)):
            raise ValueError(f"bad path template {source!r}")
        segments: list[str] = []
        variables: list[_Variable] = []
        for piece in _top_level_pieces(path[1:], source):
            if piece.startswith("{"):
                variables.append(_parse_variable(piece, len(segments), segments, source))
            else:
                _check_segment(piece, source)
                segments.append(piece)
        if "**" in segments[:-1]:
            raise ValueError(f"bad path template {source!r}: '**' must come last")
        return cls(source, tuple(segments), tuple(variables), verb)

    @property
    def rank(self) -> tuple[tuple[int, ...], int]:
        """Sort key among templates matching one path: smaller is more specific."""
        kinds = tuple({"*": 1, "**": 2}.get(segment, 0) for segment in self.segments)
        return kinds, 0 if self.verb else 1

    def match(self, raw_path: str) -> dict[str, str] | None:
        """Raw (still percent-encoded) variable values by field path, or None."""
        if self.verb:
            if not raw_path.endswith(":" + self.verb):
                return None
            raw_path = raw_path[: -len(self.verb) - 1]
        if not raw_path.startswith("/"):
            return None
        parts = raw_path[1:].split("/")
        if not self._fits(parts):
            return None
        return {
            v.field_path: "/".join(parts[v.start : len(parts) if self._is_deep(v) else v.end])
            for v in self.variables
        }

    def _fits(self, parts: list[str]) -> bool:
        deep = self.segments[-1:] == ("**",)
        fixed = len(self.segments) - deep
        if len(parts) < fixed or (not deep and len(parts) != fixed):
            return False
        for segment, part in zip(self.segments[:fixed], parts, strict=False):
            if segment == "*":
                if not part:
                    return False
            elif unquote(part, errors="replace") != segment:
                return False
        return True

    def _is_deep(self, variable: _Variable) -> bool:
        return self.segments[variable.end - 1] == "**"

    def decode(self, field_path: str, raw: str) -> str:
        """Percent-decode per http.proto: multi-segment values keep ``%2F`` as is."""
        variable = next(v for v in self.variables if v.field_path == field_path)
        if variable.end - variable.start == 1 and not self._is_deep(variable):
            return _unquote(raw)
        return "".join(
            part if _ESCAPED_SLASH.fullmatch(part) else _unquote(part)
            for part in _ESCAPED_SLASH.split(raw)
        )


@dataclass(frozen=True)
class RestRoute:
    http_method: str  # upper case: "GET", or a custom kind
    template: PathTemplate
    body: str  # "", "*" or a top-level request field name
    response_body: str
    rpc: str  # "osmi.v1.CatalogService/GetTicketType"
    operation_id: str  # rpc, suffixed "_2", "_3"… for additional bindings
    method: MethodDescriptor
    servicer: object
    path_fields: Mapping[str, tuple[FieldDescriptor, ...]]  # by variable field path

    @property
    def request_class(self) -> type[Message]:
        return message_factory.GetMessageClass(self.method.input_type)


def routes_for(bindings: Sequence[ServiceBinding]) -> list[RestRoute]:
    """Every HTTP route of the bound services' annotated unary methods."""
    routes: list[RestRoute] = []
    for binding in bindings:
        for method in binding.descriptor.methods:
            if method.client_streaming or method.server_streaming:
                continue  # streams have no unary JSON form
            options = method.GetOptions()
            if not options.HasExtension(_HTTP):
                continue
            rule = options.Extensions[_HTTP]
            for index, each in enumerate([rule, *rule.additional_bindings]):
                routes.append(_route(binding, method, each, index))
    _reject_ambiguity(routes)
    return routes


def build_rest_app(
    bindings: Sequence[ServiceBinding], *, title: str = "Osmi", version: str = "v1"
) -> Starlette:
    routes = routes_for(bindings)
    dispatcher = _Dispatcher(routes, openapi_document(routes, title=title, version=version))
    return Starlette(
        routes=[Route("/{path:path}", dispatcher)],
        middleware=[Middleware(RequestContextMiddleware)],
    )


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


# --------------------------------------------------------------------------- templates


def _split_verb(source: str) -> tuple[str, str]:
    tail = max(source.rfind("/"), source.rfind("}")) + 1
    colon = source.find(":", tail)
    return (source, "") if colon < 0 else (source[:colon], source[colon + 1 :])


def _top_level_pieces(path: str, source: str) -> list[str]:
    """Split on '/' outside braces."""
    pieces: list[str] = []
    current: list[str] = []
    depth = 0
    for char in path:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth not in (0, 1):
            raise ValueError(f"bad path template {source!r}: unbalanced braces")
        if char == "/" and depth == 0:
            pieces.append("".join(current))
            current = []
        else:
            current.append(char)
    if depth:
        raise ValueError(f"bad path template {source!r}: unbalanced braces")
    pieces.append("".join(current))
    return pieces


def _parse_variable(piece: str, start: int, segments: list[str], source: str) -> _Variable:
    if not piece.endswith("}"):
        raise ValueError(f"bad path template {source!r}: text after '}}'")
    name, _, pattern = piece[1:-1].partition("=")
    if not all(_IDENT.fullmatch(part) for part in name.split(".")):
        raise ValueError(f"bad path template {source!r}: bad field path {name!r}")
    for segment in (pattern or "*").split("/"):
        _check_segment(segment, source)
        segments.append(segment)
    return _Variable(name, start, len(segments))


def _check_segment(segment: str, source: str) -> None:
    if segment not in ("*", "**") and not _LITERAL.fullmatch(segment):
        raise ValueError(f"bad path template {source!r}: bad segment {segment!r}")


def _unquote(text: str) -> str:
    # Strict UTF-8: a mangled value is the caller's error (400), not U+FFFD.
    return unquote(text, errors="strict")


# --------------------------------------------------------------------------- route table


def _route(
    binding: ServiceBinding, method: MethodDescriptor, rule: http_pb2.HttpRule, index: int
) -> RestRoute:
    rpc = f"{method.containing_service.full_name}/{method.name}"
    kind = rule.WhichOneof("pattern")
    if kind is None:
        raise ValueError(f"{rpc}: google.api.http rule without a pattern")
    http_method, source = (
        (rule.custom.kind.upper(), rule.custom.path)
        if kind == "custom"
        else (kind.upper(), getattr(rule, kind))
    )
    template = PathTemplate.parse(source)
    path_fields = {}
    for variable in template.variables:
        fields = _resolve(method.input_type, variable.field_path.split("."))
        if fields is None or fields[-1].is_repeated:
            raise ValueError(f"{rpc}: {source!r} binds bad field {variable.field_path!r}")
        path_fields[variable.field_path] = fields
    if rule.body not in ("", "*") and rule.body not in method.input_type.fields_by_name:
        raise ValueError(f"{rpc}: body names unknown field {rule.body!r}")
    return RestRoute(
        http_method=http_method,
        template=template,
        body=rule.body,
        response_body=rule.response_body,
        rpc=rpc,
        operation_id=rpc if index == 0 else f"{rpc}_{index + 1}",
        method=method,
        servicer=binding.servicer,
        path_fields=path_fields,
    )


def _reject_ambiguity(routes: list[RestRoute]) -> None:
    seen: dict[tuple[str, tuple[str, ...], str], RestRoute] = {}
    for route in routes:
        key = (route.http_method, route.template.segments, route.template.verb)
        if (other := seen.setdefault(key, route)) is not route:
            raise ValueError(
                f"ambiguous routes: {route.http_method} {route.template.source} ({route.rpc}) "
                f"and {other.template.source} ({other.rpc})"
            )


# --------------------------------------------------------------------------- field paths


def _resolve(descriptor: Descriptor, names: Sequence[str]) -> tuple[FieldDescriptor, ...] | None:
    """Fields along a dotted path (proto or JSON names); None unless it names a plain field."""
    fields: list[FieldDescriptor] = []
    current: Descriptor | None = descriptor
    for name in names:
        if current is None:
            return None
        field = _field_named(current, name)
        if field is None or _is_map(field):
            return None
        fields.append(field)
        current = None if field.is_repeated else field.message_type
    return tuple(fields)


def _field_named(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    by_proto_name = descriptor.fields_by_name.get(name)
    if by_proto_name is not None:
        return by_proto_name
    return next((f for f in descriptor.fields if f.json_name == name), None)


def _proto_path(descriptor: Descriptor, names: Sequence[str]) -> str:
    """``ticketType.displayName`` → ``ticket_type.display_name`` as far as it resolves."""
    resolved: list[str] = []
    current: Descriptor | None = descriptor
    for name in names:
        field = _field_named(current, name) if current is not None else None
        resolved.append(field.name if field is not None else name)
        current = field.message_type if field is not None else None
    return ".".join(resolved)


def _is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return entry is not None and entry.GetOptions().map_entry


class _RejectError(Exception):
    """A request the door itself turns away before any servicer sees it."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def _invalid(field: str, description: str) -> _RejectError:
    return _RejectError(_status_response(*invalid_argument_status(field, description)))


def _assign(
    message: Message, fields: Sequence[FieldDescriptor], values: list[str], name: str
) -> None:
    """Set a (possibly nested) field from its text form(s), as the field's own type."""
    leaf = fields[-1]
    if not leaf.is_repeated and len(values) > 1:
        raise _invalid(name, f"expected one value, got {len(values)}")
    container = message
    for field in fields[:-1]:
        container = getattr(container, field.name)
    try:
        converted = [_from_text(leaf, value) for value in values]
        value: object = converted if leaf.is_repeated else converted[0]
        json_format.ParseDict({leaf.name: value}, container)
    except (ValueError, json_format.ParseError) as exc:
        raise _invalid(name, _describe(exc)) from None


def _from_text(field: FieldDescriptor, text: str) -> object:
    """The JSON value ``json_format`` expects for ``text`` (it range-checks ints)."""
    if field.message_type is not None:
        kind = field.message_type.full_name
        if kind in _WRAPPERS:
            return _from_text(field.message_type.fields_by_name["value"], text)
        if kind in _STRING_WKTS:
            return text
        raise ValueError(f"a {kind} cannot be given as text")
    if field.type == FieldDescriptor.TYPE_BOOL:
        return _bool(text)
    if field.type in _INT_TYPES:
        if not _INTEGER.fullmatch(text):
            raise ValueError(f"{text[:40]!r} is not an integer")
        return int(text)
    if field.type in _FLOAT_TYPES:
        if text in _FLOAT_WORDS:
            return text
        if not _DECIMAL.fullmatch(text):
            raise ValueError(f"{text[:40]!r} is not a number")
        return float(text)
    if field.type == FieldDescriptor.TYPE_ENUM and _INTEGER.fullmatch(text):
        return int(text)
    return text  # strings, enum names, base64 bytes: as in JSON


def _bool(text: str) -> bool:
    if text.lower() in _TRUE:
        return True
    if text.lower() in _FALSE:
        return False
    raise ValueError(f"{text[:40]!r} is not a boolean (true or false)")


_PARSE_STEP = re.compile(r"Failed to parse (\w+) field: ")
_PARSE_WHERE = re.compile(r" at [\w.]+\.*$")


def _describe(exc: Exception) -> str:
    detail = _PARSE_STEP.split(str(exc))[-1].rstrip(".")
    return _PARSE_WHERE.sub("", detail)[:200] or "invalid value"


def _parse_error_field(exc: Exception, descriptor: Descriptor, fallback: str) -> str:
    steps = _PARSE_STEP.findall(str(exc))
    return _proto_path(descriptor, steps) if steps else fallback


# --------------------------------------------------------------------------- requests


async def _read_json(request: Request) -> object | None:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _too_large()
    chunks: list[bytes] = []
    size = 0
    try:
        async with aclosing(request.stream()) as stream:
            async for chunk in stream:
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise _too_large()
                chunks.append(chunk)
    except ClientDisconnect:
        raise _invalid("body", "client disconnected while sending the body") from None
    raw = b"".join(chunks)
    if not raw.strip():
        return None
    try:
        payload: object = json.loads(raw)
    except (ValueError, RecursionError):
        raise _invalid("body", "not valid JSON") from None
    return payload


def _apply_body(message: Message, route: RestRoute, payload: object) -> None:
    # json_format's errors read "Failed to parse a field: Failed to parse b field: …";
    # the chain of names becomes the violation's field path.
    if route.body == "*":
        if not isinstance(payload, dict):
            raise _invalid("body", "must be a JSON object")
        document = payload
    else:
        document = {route.body: payload}
    _check_shapes(route.method.input_type, document, "")
    try:
        json_format.ParseDict(document, message, ignore_unknown_fields=True)
    except (json_format.ParseError, ValueError, TypeError, RecursionError) as exc:
        field = _parse_error_field(exc, route.method.input_type, "body")
        raise _invalid(field, _describe(exc)) from None


def _check_shapes(descriptor: Descriptor, document: dict[str, Any], prefix: str) -> None:
    """Refuse a JSON value of the wrong shape for a message or repeated field.

    With unknown fields ignored, json_format would read a string given for a
    message as an object of unknown keys and silently produce an empty one.
    """
    for key, value in document.items():
        field = descriptor.fields_by_camelcase_name.get(key) or descriptor.fields_by_name.get(key)
        if field is None or value is None:
            continue
        name = prefix + field.name
        if field.is_repeated and not _is_map(field):
            if not isinstance(value, list):
                raise _invalid(name, "must be a JSON array")
            for index, item in enumerate(value):
                _check_message_value(field, item, f"{name}[{index}]")
        elif _is_map(field):
            if not isinstance(value, dict):
                raise _invalid(name, "must be a JSON object")
        else:
            _check_message_value(field, value, name)


def _check_message_value(field: FieldDescriptor, value: object, name: str) -> None:
    kind = field.message_type
    if kind is None or kind.full_name in _OPAQUE_WKTS:
        return
    if not isinstance(value, dict):
        raise _invalid(name, "must be a JSON object")
    _check_shapes(kind, value, name + ".")


def _apply_query(message: Message, route: RestRoute, items: Iterable[tuple[str, str]]) -> None:
    bound = {v.field_path for v in route.template.variables}
    grouped: dict[tuple[FieldDescriptor, ...], tuple[str, list[str]]] = {}
    for key, value in items:
        fields = _resolve(route.method.input_type, key.split("."))
        if fields is None:
            continue  # unknown parameters are ignored, as grpc-gateway does
        path = ".".join(f.name for f in fields)
        if path in bound or fields[0].name == route.body:
            continue
        grouped.setdefault(fields, (path, []))[1].append(value)
    for fields, (path, values) in grouped.items():
        _assign(message, fields, values, path)


def _apply_path(message: Message, route: RestRoute, variables: Mapping[str, str]) -> None:
    for path, raw in variables.items():
        try:
            value = route.template.decode(path, raw)
        except UnicodeDecodeError:
            raise _invalid(path, "not valid percent-encoded UTF-8") from None
        _assign(message, route.path_fields[path], [value], path)


async def _build_request(
    route: RestRoute, variables: Mapping[str, str], request: Request
) -> Message:
    message = route.request_class()
    if route.body:
        payload = await _read_json(request)
        if payload is not None:
            _apply_body(message, route, payload)
    if route.body != "*":
        _apply_query(message, route, request.query_params.multi_items())
    _apply_path(message, route, variables)  # the path wins over body and query
    return message


# --------------------------------------------------------------------------- responses


def _status_response(mapping: ErrorMapping, status: status_pb2.Status) -> JSONResponse:
    return JSONResponse(status_to_json(status), status_code=mapping.http_status)


def _plain_status(
    http_status: int, code: int, message: str, headers: Mapping[str, str] | None = None
) -> JSONResponse:
    status = status_pb2.Status(code=code, message=message)
    return JSONResponse(status_to_json(status), status_code=http_status, headers=headers)


def _too_large() -> _RejectError:
    return _RejectError(
        _plain_status(
            413, code_pb2.RESOURCE_EXHAUSTED, f"request body larger than {MAX_BODY_BYTES} bytes"
        )
    )


def _failure(exc: Exception, rpc: str) -> JSONResponse:
    mapping, status = to_status(exc)
    if mapping.http_status == 500:
        # Fetched per use: a logger cached at import ignores later configuration.
        structlog.get_logger("osmi.http").exception("rest.unhandled_error", rpc=rpc)
    elif mapping.http_status >= 500:
        structlog.get_logger("osmi.http").warning("rest.unavailable", rpc=rpc, error=status.message)
    return _status_response(mapping, status)


def _render(route: RestRoute, response: object) -> object:
    expected = message_factory.GetMessageClass(route.method.output_type)
    if not isinstance(response, expected):
        raise TypeError(f"{route.rpc} returned {type(response).__name__}")
    document = json_format.MessageToDict(response, always_print_fields_with_no_presence=True)
    if route.response_body:
        field = route.method.output_type.fields_by_name[route.response_body]
        return document.get(field.json_name)
    return document


def _peer(scope: Scope) -> str:
    client = scope.get("client")
    if not client:
        return "unknown"
    host, port = client
    return f"ipv6:[{host}]:{port}" if ":" in host else f"ipv4:{host}:{port}"


async def _call(route: RestRoute, variables: Mapping[str, str], request: Request) -> Response:
    handler = getattr(route.servicer, route.method.name, None)
    if handler is None:
        return _plain_status(501, code_pb2.UNIMPLEMENTED, f"{route.rpc} is not implemented")
    try:
        message = await _build_request(route, variables, request)
    except _RejectError as reject:
        return reject.response
    context = RestCallContext(request.headers, peer=_peer(request.scope))
    try:
        result = handler(message, context)
        response = await result if inspect.isawaitable(result) else result
        return JSONResponse(_render(route, response))
    except Exception as exc:
        return _failure(exc, route.rpc)


# --------------------------------------------------------------------------- dispatch


def _raw_path(scope: Scope) -> str:
    raw: bytes | None = scope.get("raw_path")
    if raw is None:
        return quote(scope["path"])
    root = scope.get("root_path", "").encode("latin-1")
    if root and raw.startswith(root):
        raw = raw[len(root) :]
    return raw.decode("latin-1")


class _Dispatcher:
    """The ASGI app behind the catch-all route (an ASGI app, so every HTTP method reaches it)."""

    def __init__(self, routes: list[RestRoute], openapi: dict[str, Any]) -> None:
        self._routes = routes
        self._openapi = openapi

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await self.respond(Request(scope, receive))
        await response(scope, receive, send)

    async def respond(self, request: Request) -> Response:
        path = _raw_path(request.scope)
        if path == OPENAPI_PATH:
            if request.method != "GET":
                return _method_not_allowed(["GET"])
            return JSONResponse(self._openapi)
        matches = [(r, v) for r in self._routes if (v := r.template.match(path)) is not None]
        if not matches:
            return _plain_status(404, code_pb2.NOT_FOUND, "Not Found")
        allowed = [(r, v) for r, v in matches if r.http_method == request.method]
        if not allowed:
            return _method_not_allowed(sorted({r.http_method for r, _ in matches}))
        route, variables = min(allowed, key=lambda pair: pair[0].template.rank)
        set_rpc(request.scope, route.rpc)
        return await _call(route, variables, request)


def _method_not_allowed(methods: list[str]) -> JSONResponse:
    return _plain_status(
        405, code_pb2.UNIMPLEMENTED, "Method Not Allowed", headers={"Allow": ", ".join(methods)}
    )


# --------------------------------------------------------------------------- OpenAPI

_STATUS_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "description": "google.rpc.Status",
    "properties": {
        "code": {"type": "integer", "format": "int32"},
        "message": {"type": "string"},
        "details": {"type": "array", "items": {"type": "object"}},
    },
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
    return not kind or kind in _STRING_WKTS or kind in _WRAPPERS


def _query_schema(field: FieldDescriptor) -> dict[str, Any]:
    if field.type == FieldDescriptor.TYPE_BOOL:
        schema: dict[str, Any] = {"type": "boolean"}
    elif field.type in _INT_TYPES:
        schema = {"type": "integer"}
    elif field.type in _FLOAT_TYPES:
        schema = {"type": "number"}
    elif field.enum_type is not None:
        schema = {"type": "string", "enum": [v.name for v in field.enum_type.values]}
    else:
        schema = {"type": "string"}
    return {"type": "array", "items": schema} if field.is_repeated else schema
