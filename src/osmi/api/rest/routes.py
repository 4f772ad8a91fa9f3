"""The route table: a ``RestRoute`` per ``google.api.http`` rule of the bound services.

Every annotated unary RPC becomes a route, and each additional binding one
more. Two routes with the same method and shape are a startup error rather
than a first-registered-wins surprise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, cast

# googleapis-common-protos ships .pyi stubs but no py.typed marker; the ignores go unused
# once mypy is told to follow google.api/google.rpc (follow_untyped_imports).
from google.api import annotations_pb2, http_pb2
from google.protobuf import message_factory
from google.protobuf.descriptor import Descriptor, FieldDescriptor, MethodDescriptor
from google.protobuf.message import Message

from osmi.api.binding import ServiceBinding
from osmi.api.rest.template import PathTemplate

if TYPE_CHECKING:
    from google.protobuf.descriptor_pb2 import MethodOptions
    from google.protobuf.internal.extension_dict import _ExtensionFieldDescriptor

# The stubs type the extension as a bare FieldDescriptor, which Extensions[] rejects.
_HTTP: Final = cast(
    "_ExtensionFieldDescriptor[MethodOptions, http_pb2.HttpRule]", annotations_pb2.http
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
        fields = resolve(method.input_type, variable.field_path.split("."))
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


def resolve(descriptor: Descriptor, names: Sequence[str]) -> tuple[FieldDescriptor, ...] | None:
    """Fields along a dotted path (proto or JSON names); None unless it names a plain field."""
    fields: list[FieldDescriptor] = []
    current: Descriptor | None = descriptor
    for name in names:
        if current is None:
            return None
        field = _field_named(current, name)
        if field is None or is_map(field):
            return None
        fields.append(field)
        current = None if field.is_repeated else field.message_type
    return tuple(fields)


def _field_named(descriptor: Descriptor, name: str) -> FieldDescriptor | None:
    by_proto_name = descriptor.fields_by_name.get(name)
    if by_proto_name is not None:
        return by_proto_name
    return next((f for f in descriptor.fields if f.json_name == name), None)


def proto_path(descriptor: Descriptor, names: Sequence[str]) -> str:
    """``ticketType.displayName`` → ``ticket_type.display_name`` as far as it resolves."""
    resolved: list[str] = []
    current: Descriptor | None = descriptor
    for name in names:
        field = _field_named(current, name) if current is not None else None
        resolved.append(field.name if field is not None else name)
        current = field.message_type if field is not None else None
    return ".".join(resolved)


def is_map(field: FieldDescriptor) -> bool:
    entry = field.message_type
    return entry is not None and entry.GetOptions().map_entry
