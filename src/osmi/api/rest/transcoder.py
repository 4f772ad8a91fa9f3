"""HTTP/JSON routes generated from ``google.api.http`` annotations, served in-process.

The grpc-gateway idea without the proxy hop: every annotated unary RPC of the
bound services becomes a route (``osmi.api.rest.routes``); a request is turned
into the RPC's request message (path variables, JSON body, query string), handed
to the same servicer object the gRPC server uses, and the response message is
written back as proto3 JSON. Failures go through ``osmi.api.errors`` so both
doors agree.

Choices that differ between gateways, fixed here:

* Routing misses answer a JSON ``google.rpc.Status`` like everything else:
  unknown path → 404 / NOT_FOUND; known path, other HTTP method → 405 /
  UNIMPLEMENTED with an ``Allow`` header (grpc-gateway v2 does the same).
* Of the routes that match, the most specific template wins
  (``PathTemplate.rank``).
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
from typing import Any, Final
from urllib.parse import quote

import structlog
from google.protobuf import json_format, message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from google.rpc import code_pb2, status_pb2
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from osmi.api.binding import ServiceBinding
from osmi.api.errors import Mapping as ErrorMapping
from osmi.api.errors import invalid_argument_status, status_to_json, to_status
from osmi.api.rest.fields import OPAQUE_WKTS, from_text, json_type_problem
from osmi.api.rest.middleware import RequestContextMiddleware, set_rpc
from osmi.api.rest.openapi import openapi_document
from osmi.api.rest.routes import RestRoute, is_map, proto_path, resolve, routes_for
from osmi.domain.errors import InvalidArgument
from osmi.domain.values import parse_instant

MAX_BODY_BYTES: Final = 1024 * 1024
OPENAPI_PATH: Final = "/openapi.json"


# --------------------------------------------------------------------------- public API


class RestCallContext:
    """What a servicer receives as ``context`` when called over REST."""

    def __init__(self, headers: Mapping[str, str], *, peer: str = "unknown") -> None:
        self._metadata = tuple((name.lower(), value) for name, value in headers.items())
        self._peer = peer

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata

    def peer(self) -> str:
        return self._peer


def build_rest_app(
    bindings: Sequence[ServiceBinding], *, title: str = "Osmi", version: str = "v1"
) -> Starlette:
    routes = routes_for(bindings)
    dispatcher = _Dispatcher(routes, openapi_document(routes, title=title, version=version))
    return Starlette(
        routes=[Route("/{path:path}", dispatcher)],
        middleware=[Middleware(RequestContextMiddleware)],
    )


# --------------------------------------------------------------------------- requests


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
        converted = [from_text(leaf, value) for value in values]
        value: object = converted if leaf.is_repeated else converted[0]
        json_format.ParseDict({leaf.name: value}, container)
    except (ValueError, json_format.ParseError) as exc:
        raise _invalid(name, _describe(exc)) from None


_PARSE_STEP = re.compile(r"Failed to parse (\w+) field: ")
_PARSE_WHERE = re.compile(r" at [\w.]+\.*$")


def _describe(exc: Exception) -> str:
    detail = _PARSE_STEP.split(str(exc))[-1].rstrip(".")
    return _PARSE_WHERE.sub("", detail)[:200] or "invalid value"


def _parse_error_field(exc: Exception, descriptor: Descriptor, fallback: str) -> str:
    steps = _PARSE_STEP.findall(str(exc))
    return proto_path(descriptor, steps) if steps else fallback


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
        if field.is_repeated and not is_map(field):
            if not isinstance(value, list):
                raise _invalid(name, "must be a JSON array")
            for index, item in enumerate(value):
                _check_message_value(field, item, f"{name}[{index}]")
        elif is_map(field):
            if not isinstance(value, dict):
                raise _invalid(name, "must be a JSON object")
        else:
            _check_message_value(field, value, name)


def _check_message_value(field: FieldDescriptor, value: object, name: str) -> None:
    problem = json_type_problem(field, value)
    if problem:
        raise _invalid(name, problem)
    kind = field.message_type
    if kind is not None and kind.full_name == "google.protobuf.Timestamp":
        _check_timestamp(value, name)
        return
    if kind is None or kind.full_name in OPAQUE_WKTS:
        return
    if not isinstance(value, dict):
        raise _invalid(name, "must be a JSON object")
    _check_shapes(kind, value, name + ".")


def _check_timestamp(value: object, name: str) -> None:
    """The same RFC 3339 rules as everywhere else (json_format alone would take
    offsets such as +25:00 and answer with strptime's wording)."""
    if not isinstance(value, str):
        raise _invalid(name, "must be an RFC 3339 timestamp string")
    try:
        parse_instant(value, name)
    except InvalidArgument as exc:
        raise _invalid(name, exc.violations[0].description) from None


def _apply_query(message: Message, route: RestRoute, items: Iterable[tuple[str, str]]) -> None:
    bound = {v.field_path for v in route.template.variables}
    grouped: dict[tuple[FieldDescriptor, ...], tuple[str, list[str]]] = {}
    for key, value in items:
        fields = resolve(route.method.input_type, key.split("."))
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
