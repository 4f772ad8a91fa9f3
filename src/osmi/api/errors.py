"""The one table that turns failures into gRPC statuses and HTTP responses.

Both doors call :func:`to_status`, so a failure reads the same over gRPC
(``grpc-status-details-bin`` with ``google.rpc.BadRequest`` and
``google.rpc.ErrorInfo``) and over HTTP (the same ``google.rpc.Status`` as
proto3 JSON, with an HTTP status picked per failure, not per gRPC code:
"sold out" is RESOURCE_EXHAUSTED on gRPC but 409 on HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import any_pb2, json_format
from google.rpc import code_pb2, error_details_pb2, status_pb2

from osmi.domain import errors

DOMAIN = "osmi.dev"


@dataclass(frozen=True, slots=True)
class Mapping:
    grpc_code: grpc.StatusCode
    http_status: int


# Most specific classes first: the first isinstance match wins.
_TABLE: list[tuple[type[errors.OsmiError], Mapping]] = [
    (errors.InvalidArgument, Mapping(grpc.StatusCode.INVALID_ARGUMENT, 400)),
    (errors.NotFound, Mapping(grpc.StatusCode.NOT_FOUND, 404)),
    (errors.AlreadyExists, Mapping(grpc.StatusCode.ALREADY_EXISTS, 409)),
    (errors.TierSoldOut, Mapping(grpc.StatusCode.RESOURCE_EXHAUSTED, 409)),
    (errors.NotOnSale, Mapping(grpc.StatusCode.FAILED_PRECONDITION, 409)),
    (errors.InvalidState, Mapping(grpc.StatusCode.FAILED_PRECONDITION, 409)),
    (errors.Unavailable, Mapping(grpc.StatusCode.UNAVAILABLE, 503)),
    (errors.Aborted, Mapping(grpc.StatusCode.ABORTED, 409)),
]

_INTERNAL = Mapping(grpc.StatusCode.INTERNAL, 500)


def mapping_for(exc: BaseException) -> Mapping:
    for cls, mapping in _TABLE:
        if isinstance(exc, cls):
            return mapping
    return _INTERNAL


def _pack(message: Any) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)
    return packed


def to_status(exc: BaseException) -> tuple[Mapping, status_pb2.Status]:
    """The wire form of a failure. Unexpected exceptions reveal nothing."""
    mapping = mapping_for(exc)
    code = mapping.grpc_code.value[0]
    if isinstance(exc, errors.OsmiError):
        status = status_pb2.Status(code=code, message=exc.message)
        if isinstance(exc, errors.InvalidArgument):
            bad = error_details_pb2.BadRequest(
                field_violations=[
                    error_details_pb2.BadRequest.FieldViolation(
                        field=v.field, description=v.description
                    )
                    for v in exc.violations
                ]
            )
            status.details.append(_pack(bad))
        info = error_details_pb2.ErrorInfo(reason=exc.reason, domain=DOMAIN, metadata=exc.metadata)
        status.details.append(_pack(info))
        return mapping, status
    return mapping, status_pb2.Status(code=code_pb2.INTERNAL, message="internal error")


def invalid_argument_status(field: str, description: str) -> tuple[Mapping, status_pb2.Status]:
    """For failures found by a door itself (unparsable JSON, bad path)."""
    return to_status(errors.InvalidArgument.field(field, description))


def status_to_json(status: status_pb2.Status) -> dict[str, Any]:
    """``google.rpc.Status`` as proto3 JSON: ``{"code", "message", "details"}``."""
    return json_format.MessageToDict(status, always_print_fields_with_no_presence=True)
