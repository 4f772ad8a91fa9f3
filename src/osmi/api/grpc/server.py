"""Builds the gRPC server: Osmi's services, health checking and reflection."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import message_factory
from google.protobuf.message import DecodeError, Message
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from osmi.api.binding import ServiceBinding
from osmi.api.grpc.interceptors import ObservabilityInterceptor
from osmi.domain.errors import InvalidArgument

_MAX_MESSAGE_BYTES = 4 * 1024 * 1024


def create_server(
    bindings: Sequence[ServiceBinding], address: str, *, max_concurrent_rpcs: int = 1000
) -> tuple[grpc.aio.Server, int, health.aio.HealthServicer]:
    """A server with every binding registered, bound to ``address``.

    Returns the server (not started), the port it bound (useful with port
    0) and the health servicer, whose statuses the caller keeps current.
    """
    server = grpc.aio.server(
        interceptors=[ObservabilityInterceptor()],
        # Beyond this, calls are refused at once with RESOURCE_EXHAUSTED rather
        # than queued until gRPC cancels them.
        maximum_concurrent_rpcs=max_concurrent_rpcs,
        options=[
            ("grpc.max_receive_message_length", _MAX_MESSAGE_BYTES),
            # Off, so a second server on a taken port fails instead of silently
            # sharing it. TODO(scale): turn on for `osmi serve --workers N`.
            ("grpc.so_reuseport", 0),
        ],
    )
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    names = [health_pb2.DESCRIPTOR.services_by_name["Health"].full_name]
    for binding in bindings:
        generic = grpc.method_handlers_generic_handler(
            binding.descriptor.full_name, _handlers(binding)
        )
        server.add_generic_rpc_handlers((generic,))
        names.append(binding.descriptor.full_name)
    reflection.enable_server_reflection([*names, reflection.SERVICE_NAME], server)
    port = server.add_insecure_port(address)
    return server, port, health_servicer


def _handlers(binding: ServiceBinding) -> dict[str, grpc.RpcMethodHandler]:
    handlers = {}
    for method in binding.descriptor.methods:
        request_cls = message_factory.GetMessageClass(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type)
        handlers[method.name] = grpc.unary_unary_rpc_method_handler(
            _refusing_undecodable(getattr(binding.servicer, method.name)),
            request_deserializer=_lenient_decoder(request_cls),
            response_serializer=response_cls.SerializeToString,
        )
    return handlers


@dataclass(frozen=True, slots=True)
class _Undecodable:
    type_name: str


Behavior = Callable[[Any, Any], Awaitable[Any]]


def _lenient_decoder(request_cls: type[Message]) -> Callable[[bytes], object]:
    """Decode, or hand on a marker: a failing deserializer would make gRPC answer
    UNKNOWN with library internals, and skip our interceptor and its log line."""

    def decode(data: bytes) -> object:
        try:
            return request_cls.FromString(data)
        except DecodeError:
            return _Undecodable(request_cls.DESCRIPTOR.full_name)

    return decode


def _refusing_undecodable(behavior: Behavior) -> Behavior:
    async def call(request: Any, context: Any) -> Any:
        if isinstance(request, _Undecodable):
            raise InvalidArgument.field(
                "request", f"is not a valid {request.type_name} message (bad wire format)"
            )
        return await behavior(request, context)

    return call
