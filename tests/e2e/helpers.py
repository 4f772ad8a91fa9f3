"""Builders and checks shared by the e2e tests.

A :class:`Door` is one way into the running server. Both doors take and
return proto3 JSON dicts (input keys may be snake_case or camelCase, output
keys are camelCase), so one test body can run over gRPC and over REST and
compare the answers word for word.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
from google.protobuf import json_format
from google.protobuf.message import Message
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from osmi.classic import osmi_pb2
from osmi.v1 import catalog_pb2, tickets_pb2

from .server import GrpcClients, RunningServer

Json = dict[str, Any]

# A future event, given with a -06:00 offset, and the same instants in UTC.
START_LOCAL = "2031-05-10T20:00:00-06:00"
END_LOCAL = "2031-05-10T23:30:00-06:00"
START_UTC = "2031-05-11T02:00:00Z"
END_UTC = "2031-05-11T05:30:00Z"

PASSWORD = "correct-horse-battery"

# rpc -> (stub attribute of GrpcClients, request class)
_GRPC: dict[str, tuple[str, type[Message]]] = {
    **{
        name: ("classic", cls)
        for name, cls in {
            "CreateTicket": osmi_pb2.TicketRequest,
            "ListTickets": osmi_pb2.UserLookup,
            "CreateCustomer": osmi_pb2.CustomerRequest,
            "GetCustomer": osmi_pb2.CustomerLookup,
            "CreateUser": osmi_pb2.UserRequest,
            "CreateEvent": osmi_pb2.EventRequest,
            "GetEvent": osmi_pb2.EventLookup,
            "ListEvents": osmi_pb2.Empty,
            "GetEventCategories": osmi_pb2.EventLookup,
            "HealthCheck": osmi_pb2.Empty,
        }.items()
    },
    "CreateTicketType": ("catalog", catalog_pb2.CreateTicketTypeRequest),
    "GetTicket": ("tickets", tickets_pb2.GetTicketRequest),
    "CheckInTicket": ("tickets", tickets_pb2.CheckInTicketRequest),
}

# rpc -> (HTTP method, path with {field} placeholders, body: "" none, "*" all, else a field)
ROUTES: dict[str, tuple[str, str, str]] = {
    "CreateTicket": ("POST", "/tickets", "*"),
    "ListTickets": ("GET", "/users/{user_id}/tickets", ""),
    "CreateCustomer": ("POST", "/customers", "*"),
    "GetCustomer": ("GET", "/customers/{id}", ""),
    "CreateUser": ("POST", "/users", "*"),
    "CreateEvent": ("POST", "/events", "*"),
    "GetEvent": ("GET", "/events/{public_id}", ""),
    "ListEvents": ("GET", "/events", ""),
    "GetEventCategories": ("GET", "/events/{public_id}/categories", ""),
    "HealthCheck": ("GET", "/health", ""),
    "CreateTicketType": ("POST", "/v1/{parent}/ticketTypes", "ticket_type"),
    "GetTicket": ("GET", "/v1/tickets/{code}", ""),
    "CheckInTicket": ("POST", "/v1/events/{event_id}/checkIns", "*"),
}


def to_json(message: Message) -> Json:
    return json_format.MessageToDict(message, always_print_fields_with_no_presence=True)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


class Door:
    name = "door"

    async def call(self, rpc: str, request: Json | None = None) -> Json:
        raise NotImplementedError


class GrpcDoor(Door):
    name = "grpc"

    def __init__(self, clients: GrpcClients) -> None:
        self.clients = clients

    async def call(self, rpc: str, request: Json | None = None) -> Json:
        service, request_class = _GRPC[rpc]
        message = json_format.ParseDict(request or {}, request_class())
        response = await getattr(getattr(self.clients, service), rpc)(message)
        return to_json(response)


class RestDoor(Door):
    name = "rest"

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def send(self, rpc: str, request: Json | None = None) -> httpx.Response:
        """The HTTP exchange for ``rpc``: path fields from ``request``, the rest as the body."""
        method, path, body = ROUTES[rpc]
        fields = dict(request or {})
        while "{" in path:
            start, end = path.index("{"), path.index("}")
            name = path[start + 1 : end]
            key = name if name in fields else _camel(name)
            path = f"{path[:start]}{fields.pop(key, '')}{path[end + 1 :]}"
        payload = None
        if body == "*":
            payload = fields
        elif body:
            payload = fields.get(body, fields.get(_camel(body), {}))
        return await self.http.request(method, path, json=payload)

    async def call(self, rpc: str, request: Json | None = None) -> Json:
        response = await self.send(rpc, request)
        exchange = f"{response.request.method} {response.request.url.path}"
        assert response.status_code == 200, (
            f"{exchange} {response.request.content!r} -> {response.status_code} {response.text}"
        )
        assert response.headers["content-type"].startswith("application/json")
        return response.json()


@dataclass(frozen=True)
class Failure:
    """A failed call, as either door reports it (http_status is None over gRPC)."""

    code: grpc.StatusCode
    http_status: int | None
    message: str
    fields: list[str]
    reason: str | None


_CODES = {code.value[0]: code for code in grpc.StatusCode}


async def failure(door: Door, rpc: str, request: Json | None = None) -> Failure:
    """Make a call that must fail, and say how it failed."""
    if isinstance(door, RestDoor):
        response = await door.send(rpc, request)
        assert response.status_code != 200, f"{rpc} {request} succeeded: {response.text}"
        return rest_failure(response)
    try:
        answer = await door.call(rpc, request)
    except grpc.aio.AioRpcError as error:
        return grpc_failure(error)
    raise AssertionError(f"{rpc} {request} succeeded: {answer}")


def grpc_failure(error: grpc.aio.AioRpcError) -> Failure:
    status = rpc_status.from_call(error)
    assert status is not None, f"no google.rpc.Status in {error.code()} {error.details()}"
    assert status.code == error.code().value[0]
    fields, reason = [], None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields += [v.field for v in bad.field_violations]
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            reason = info.reason
    return Failure(error.code(), None, status.message, fields, reason)


def rest_failure(response: httpx.Response) -> Failure:
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) <= {"code", "message", "details"}, body
    return Failure(
        _CODES[body["code"]],
        response.status_code,
        body["message"],
        http_field_violations(body),
        error_reason(body),
    )


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def unique_email(prefix: str = "buyer") -> str:
    return f"{unique(prefix)}@example.test"


async def create_user(door: Door, **fields: Any) -> Json:
    request = {"name": "Ana López", "email": unique_email("user"), "password": PASSWORD}
    return await door.call("CreateUser", {**request, **fields})


async def create_customer(door: Door, **fields: Any) -> Json:
    request = {"name": "Beto Ruiz", "email": unique_email("customer"), "phone": "+52 55 1234 5678"}
    return await door.call("CreateCustomer", {**request, **fields})


def event_request(**fields: Any) -> Json:
    request = {
        "name": unique("Concierto"),
        "description": "An evening of music",
        "start_date": START_LOCAL,
        "end_date": END_LOCAL,
        "location": "Foro Sol, CDMX",
        "category": "music",
        "tags": ["rock", "live"],
        "is_active": True,
        "is_published": True,
    }
    return {**request, **fields}


async def create_event(door: Door, **fields: Any) -> Json:
    return await door.call("CreateEvent", event_request(**fields))


def tier_request(**fields: Any) -> Json:
    tier = {
        "display_name": unique("General"),
        "price": {"currency_code": "MXN", "units_minor": 45000},
        "capacity": 100,
        "max_per_order": 10,
    }
    return {**tier, **fields}


async def create_tier(door: Door, event_id: str, **fields: Any) -> Json:
    return await door.call(
        "CreateTicketType", {"parent": f"events/{event_id}", "ticket_type": tier_request(**fields)}
    )


async def buy(door: Door, event_id: str, buyer_id: str, tier_id: str, quantity: int = 1) -> Json:
    request = {"event_id": event_id, "user_id": buyer_id, "category_id": tier_id}
    return await door.call("CreateTicket", {**request, "quantity": quantity})


async def tier_counts(door: Door, event_id: str, tier_id: str) -> tuple[int, int]:
    """(quantitySold, quantityAvailable) of one tier, from GetEventCategories."""
    answer = await door.call("GetEventCategories", {"public_id": event_id})
    (tier,) = [c for c in answer["categories"] if c["publicId"] == tier_id]
    return tier["quantitySold"], tier["quantityAvailable"]


async def on_sale_tier(door: Door, **tier_fields: Any) -> tuple[str, str]:
    """A published, active event with one tier: (event id, tier id)."""
    event = await create_event(door)
    tier = await create_tier(door, event["publicId"], **tier_fields)
    return event["publicId"], tier["ticketTypeId"]


# --------------------------------------------------------------------------- errors


def http_field_violations(body: Json) -> list[str]:
    """Fields named by the google.rpc.BadRequest in a JSON google.rpc.Status."""
    return [
        violation["field"]
        for detail in body.get("details", [])
        if detail.get("@type") == "type.googleapis.com/google.rpc.BadRequest"
        for violation in detail.get("fieldViolations", [])
    ]


def error_reason(body: Json) -> str | None:
    """The ErrorInfo reason of a JSON google.rpc.Status."""
    for detail in body.get("details", []):
        if detail.get("@type") == "type.googleapis.com/google.rpc.ErrorInfo":
            return detail.get("reason")
    return None


# --------------------------------------------------------------------------- server log


def log_records(text: str) -> list[Json]:
    """The JSON lines of a server log (anything else, e.g. a traceback line, is skipped)."""
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            records.append(record)
    return records


async def wait_for_log(
    server: RunningServer,
    found: Callable[[list[Json]], bool],
    *,
    since: int = 0,
    within: float = 5.0,
) -> list[Json]:
    """Records logged after offset ``since`` once ``found`` accepts them (else the last read)."""
    deadline = time.monotonic() + within
    while True:
        records = log_records(server.log_text()[since:])
        if found(records) or time.monotonic() > deadline:
            return records
        await asyncio.sleep(0.05)


def internal_failures(text: str) -> list[Json]:
    """Log records of requests that ended in INTERNAL / HTTP 5xx or an unhandled error."""
    return [
        r
        for r in log_records(text)
        if r.get("status") in ("INTERNAL", "UNKNOWN")
        or (isinstance(r.get("status"), int) and r["status"] >= 500)
        or str(r.get("event", "")).endswith("unhandled_error")
    ]
