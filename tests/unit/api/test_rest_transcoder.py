"""The REST door: routes from google.api.http, JSON in and out, errors, logging, OpenAPI.

Everything runs in-process through ``httpx.ASGITransport`` against fake
servicers that record the request message they were handed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
import pytest
import structlog
from google.api import annotations_pb2, http_pb2
from google.protobuf import (
    descriptor_pb2,
    descriptor_pool,
    timestamp_pb2,
    wrappers_pb2,
)
from google.protobuf.message import Message
from structlog.testing import capture_logs

from osmi.api.binding import ServiceBinding
from osmi.api.rest.routes import routes_for
from osmi.api.rest.template import PathTemplate
from osmi.api.rest.transcoder import MAX_BODY_BYTES, RestCallContext, build_rest_app
from osmi.classic import osmi_pb2
from osmi.domain import errors
from osmi.v1 import catalog_pb2, money_pb2, tickets_pb2

M = TypeVar("M", bound=Message)

OSMI = osmi_pb2.DESCRIPTOR.services_by_name["OsmiService"]
CATALOG = catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"]
TICKETS = tickets_pb2.DESCRIPTOR.services_by_name["TicketService"]


# --------------------------------------------------------------------------- a probe proto
# The real protos have no GET with repeated, bool, enum or nested query fields,
# no verb, no ``**`` and no additional bindings, so a small service built here
# exercises those.

F = descriptor_pb2.FieldDescriptorProto


def _field(name: str, number: int, kind: int, *, repeated: bool = False, type_name: str = "") -> F:
    label = F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL
    made = F(name=name, number=number, type=kind, label=label)  # type: ignore[arg-type]
    if type_name:  # set only for messages and enums: an empty one still counts as set
        made.type_name = type_name
    return made


def _method(name: str, rule: http_pb2.HttpRule) -> descriptor_pb2.MethodDescriptorProto:
    method = descriptor_pb2.MethodDescriptorProto(
        name=name, input_type=".osmitest.ProbeRequest", output_type=".osmitest.ProbeRequest"
    )
    method.options.Extensions[annotations_pb2.http].CopyFrom(rule)  # type: ignore[index, unused-ignore]
    return method


def _probe_file() -> descriptor_pb2.FileDescriptorProto:
    probe = descriptor_pb2.FileDescriptorProto(
        name="osmitest/rest_transcoder_probe.proto",
        package="osmitest",
        syntax="proto3",
        dependency=[  # each imported above, so loaded into the default pool
            annotations_pb2.DESCRIPTOR.name,
            timestamp_pb2.DESCRIPTOR.name,
            wrappers_pb2.DESCRIPTOR.name,
        ],
    )
    mood = probe.enum_type.add(name="Mood")
    for number, name in enumerate(("MOOD_UNSPECIFIED", "HAPPY", "GRUMPY")):
        mood.value.add(name=name, number=number)
    probe.message_type.add(
        name="Filter",
        field=[
            _field("min_price", 1, F.TYPE_INT64),
            _field("labels", 2, F.TYPE_STRING, repeated=True),
        ],
    )
    probe.message_type.add(
        name="ProbeRequest",
        field=[
            _field("id", 1, F.TYPE_STRING),
            _field("tags", 2, F.TYPE_STRING, repeated=True),
            _field("active", 3, F.TYPE_BOOL),
            _field("count", 4, F.TYPE_INT32),
            _field("mood", 5, F.TYPE_ENUM, type_name=".osmitest.Mood"),
            _field("filter", 6, F.TYPE_MESSAGE, type_name=".osmitest.Filter"),
            _field("since", 7, F.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp"),
            _field("limit", 8, F.TYPE_MESSAGE, type_name=".google.protobuf.Int32Value"),
            _field("ratio", 9, F.TYPE_DOUBLE),
            _field("path", 10, F.TYPE_STRING),
            _field("small", 11, F.TYPE_UINT32),
        ],
    )
    rule = http_pb2.HttpRule
    probe.service.add(
        name="ProbeService",
        method=[
            _method(
                "Get", rule(get="/probe/{id}", additional_bindings=[rule(get="/v2/probe/{id}")])
            ),
            _method("GetSpecial", rule(get="/probe/special")),
            _method("Run", rule(post="/probe/{id}:run", body="*")),
            _method("Files", rule(get="/files/{path=**}")),
            _method(
                "Search", rule(custom=http_pb2.CustomHttpPattern(kind="SEARCH", path="/probe"))
            ),
            _method("Wrong", rule(get="/wrong")),
        ],
    )
    probe.service.add(
        name="ClashService",
        method=[_method("A", rule(get="/clash/{id}")), _method("B", rule(get="/clash/{path}"))],
    )
    return probe


_PROBE_FILE = descriptor_pool.Default().AddSerializedFile(_probe_file().SerializeToString())
PROBE = _PROBE_FILE.services_by_name["ProbeService"]
CLASH = _PROBE_FILE.services_by_name["ClashService"]


# --------------------------------------------------------------------------- fakes


@dataclass
class Recorder:
    """Remembers each call; raises ``error`` instead of answering when it is set."""

    calls: list[tuple[str, Message]] = field(default_factory=list)
    contexts: list[RestCallContext] = field(default_factory=list)
    request_ids: list[object] = field(default_factory=list)
    error: Exception | None = None

    def answer(self, name: str, request: Message, context: RestCallContext, response: M) -> M:
        self.calls.append((name, request))
        self.contexts.append(context)
        self.request_ids.append(structlog.contextvars.get_contextvars().get("request_id"))
        if self.error is not None:
            raise self.error
        return response

    @property
    def last(self) -> tuple[str, Any]:
        return self.calls[-1]


class FakeOsmi(Recorder):
    """OsmiService without HealthCheck, CreateCustomer and CreateUser (→ 501)."""

    async def CreateTicket(
        self, request: osmi_pb2.TicketRequest, context: RestCallContext
    ) -> osmi_pb2.TicketResponse:
        response = osmi_pb2.TicketResponse(ticket_id="t-1", status="confirmed", code="ABC")
        return self.answer("CreateTicket", request, context, response)

    async def GetEvent(
        self, request: osmi_pb2.EventLookup, context: RestCallContext
    ) -> osmi_pb2.EventResponse:
        response = osmi_pb2.EventResponse(public_id=request.public_id, name="Fest")
        return self.answer("GetEvent", request, context, response)

    async def ListEvents(
        self, request: osmi_pb2.Empty, context: RestCallContext
    ) -> osmi_pb2.EventListResponse:
        return self.answer("ListEvents", request, context, osmi_pb2.EventListResponse())

    async def GetEventCategories(
        self, request: osmi_pb2.EventLookup, context: RestCallContext
    ) -> osmi_pb2.CategoryListResponse:
        category = osmi_pb2.CategoryResponse(name="VIP", quantity_available=10)
        response = osmi_pb2.CategoryListResponse(categories=[category], event_name="Fest")
        return self.answer("GetEventCategories", request, context, response)

    async def GetCustomer(
        self, request: osmi_pb2.CustomerLookup, context: RestCallContext
    ) -> osmi_pb2.CustomerResponse:
        return self.answer(
            "GetCustomer", request, context, osmi_pb2.CustomerResponse(id=request.id)
        )


TIER = catalog_pb2.TicketType(
    name="events/e1/ticketTypes/t1",
    display_name="VIP",
    price=money_pb2.Money(currency_code="MXN", units_minor=45000),
    capacity=100,
)


class FakeCatalog(Recorder):
    async def CreateTicketType(
        self, request: catalog_pb2.CreateTicketTypeRequest, context: RestCallContext
    ) -> catalog_pb2.TicketType:
        return self.answer("CreateTicketType", request, context, TIER)

    async def GetTicketType(
        self, request: catalog_pb2.GetTicketTypeRequest, context: RestCallContext
    ) -> catalog_pb2.TicketType:
        return self.answer("GetTicketType", request, context, TIER)

    async def ListTicketTypes(
        self, request: catalog_pb2.ListTicketTypesRequest, context: RestCallContext
    ) -> catalog_pb2.ListTicketTypesResponse:
        response = catalog_pb2.ListTicketTypesResponse(ticket_types=[TIER])
        return self.answer("ListTicketTypes", request, context, response)

    async def UpdateTicketType(
        self, request: catalog_pb2.UpdateTicketTypeRequest, context: RestCallContext
    ) -> catalog_pb2.TicketType:
        return self.answer("UpdateTicketType", request, context, TIER)


class FakeTickets(Recorder):
    async def CheckInTicket(
        self, request: tickets_pb2.CheckInTicketRequest, context: RestCallContext
    ) -> tickets_pb2.CheckInTicketResponse:
        response = tickets_pb2.CheckInTicketResponse(
            outcome=tickets_pb2.CheckInTicketResponse.ADMITTED
        )
        return self.answer("CheckInTicket", request, context, response)


class FakeProbe(Recorder):
    """Answers every probe RPC with the request it parsed, to show it as JSON."""

    async def Get(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("Get", request, context, request)

    async def GetSpecial(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("GetSpecial", request, context, request)

    async def Run(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("Run", request, context, request)

    async def Files(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("Files", request, context, request)

    async def Search(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("Search", request, context, request)

    async def Wrong(self, request: Message, context: RestCallContext) -> Message:
        return self.answer("Wrong", request, context, osmi_pb2.Empty())


@dataclass
class Fakes:
    osmi: FakeOsmi = field(default_factory=FakeOsmi)
    catalog: FakeCatalog = field(default_factory=FakeCatalog)
    tickets: FakeTickets = field(default_factory=FakeTickets)
    probe: FakeProbe = field(default_factory=FakeProbe)

    def bindings(self) -> list[ServiceBinding]:
        return [
            ServiceBinding(OSMI, self.osmi),
            ServiceBinding(CATALOG, self.catalog),
            ServiceBinding(TICKETS, self.tickets),
            ServiceBinding(PROBE, self.probe),
        ]


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
async def client(fakes: Fakes) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_rest_app(fakes.bindings()))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
def logs() -> Iterator[list[MutableMapping[str, Any]]]:
    with capture_logs() as captured:
        yield captured


def violations(body: dict[str, Any]) -> list[dict[str, str]]:
    [bad] = [d for d in body["details"] if d["@type"].endswith("google.rpc.BadRequest")]
    return list(bad["fieldViolations"])


def assert_invalid(response: httpx.Response, field_path: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == 3
    assert [v["field"] for v in violations(body)] == [field_path]


# --------------------------------------------------------------------------- path variables


async def test_simple_path_variable_is_percent_decoded(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    response = await client.get("/events/fest%20one%2F2")
    assert response.status_code == 200
    assert response.json()["publicId"] == "fest one/2"
    assert fakes.osmi.last == ("GetEvent", osmi_pb2.EventLookup(public_id="fest one/2"))


async def test_literal_suffix_and_bare_collection_routes_coexist(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    assert (await client.get("/events")).status_code == 200
    assert fakes.osmi.last[0] == "ListEvents"
    assert (await client.get("/events/e1/categories")).status_code == 200
    assert fakes.osmi.last == ("GetEventCategories", osmi_pb2.EventLookup(public_id="e1"))


async def test_literal_segment_beats_variable(client: httpx.AsyncClient, fakes: Fakes) -> None:
    assert (await client.get("/probe/special")).status_code == 200
    assert fakes.probe.last[0] == "GetSpecial"
    assert (await client.get("/probe/other")).json()["id"] == "other"
    assert fakes.probe.last[0] == "Get"


async def test_aip_parent_variable_gets_the_whole_resource_name(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    response = await client.get("/v1/events/e1/ticketTypes")
    assert response.status_code == 200
    assert fakes.catalog.last == (
        "ListTicketTypes",
        catalog_pb2.ListTicketTypesRequest(parent="events/e1"),
    )


async def test_multi_segment_variable_keeps_escaped_slash(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    assert (await client.get("/v1/events/a%2Fb%20c/ticketTypes/t1")).status_code == 200
    assert fakes.catalog.last[1].name == "events/a%2Fb c/ticketTypes/t1"


async def test_double_wildcard_takes_the_rest_of_the_path(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    response = await client.get("/files/docs/a%20b/c.txt")
    assert response.status_code == 200
    assert response.json()["path"] == "docs/a b/c.txt"


async def test_verb_suffix_and_additional_binding(client: httpx.AsyncClient, fakes: Fakes) -> None:
    response = await client.post("/probe/p1:run", json={"count": 4})
    assert response.status_code == 200
    assert fakes.probe.last[0] == "Run"
    assert (response.json()["id"], response.json()["count"]) == ("p1", 4)
    assert (await client.get("/v2/probe/z")).json()["id"] == "z"
    assert fakes.probe.last[0] == "Get"


async def test_custom_http_method(client: httpx.AsyncClient, fakes: Fakes) -> None:
    response = await client.request("SEARCH", "/probe", params={"tags": "x"})
    assert response.status_code == 200
    assert fakes.probe.last[0] == "Search"
    assert response.json()["tags"] == ["x"]


async def test_int_path_variable_is_converted_into_a_oneof(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    assert (await client.get("/customers/42")).json()["id"] == 42
    assert fakes.osmi.last[1].WhichOneof("lookup") == "id"


@pytest.mark.parametrize("value", ["abc", "99999999999", "4.5"])
async def test_unconvertible_path_variable_is_400_naming_it(
    client: httpx.AsyncClient, fakes: Fakes, value: str
) -> None:
    assert_invalid(await client.get(f"/customers/{value}"), "id")
    assert fakes.osmi.calls == []


async def test_path_variable_that_is_not_utf8_is_400(client: httpx.AsyncClient) -> None:
    assert_invalid(await client.get("/probe/%FF"), "id")


# --------------------------------------------------------------------------- bodies


async def test_body_star_accepts_camel_case(client: httpx.AsyncClient, fakes: Fakes) -> None:
    payload = {"eventId": "e1", "userId": "u1", "categoryId": "c1", "quantity": 2}
    response = await client.post("/tickets", json=payload)
    assert response.status_code == 200
    assert fakes.osmi.last == (
        "CreateTicket",
        osmi_pb2.TicketRequest(event_id="e1", user_id="u1", category_id="c1", quantity=2),
    )


async def test_body_star_accepts_snake_case_and_ignores_unknown_fields(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    payload = {"event_id": "e1", "quantity": 3, "coupon": "FREE", "extra": {"deep": [1]}}
    response = await client.post("/tickets", json=payload)
    assert response.status_code == 200
    assert fakes.osmi.last[1] == osmi_pb2.TicketRequest(event_id="e1", quantity=3)


async def test_output_is_camel_case_with_zero_values(client: httpx.AsyncClient) -> None:
    body = (await client.post("/tickets", json={})).json()
    assert body["ticketId"] == "t-1"
    assert body["qrCodeUrl"] == ""
    assert body["price"] == 0
    assert "createdAt" not in body  # unset message fields have presence: left out
    categories = (await client.get("/events/e1/categories")).json()["categories"]
    assert categories[0]["quantitySold"] == 0
    assert categories[0]["isActive"] is False
    assert categories[0]["benefits"] == []


async def test_path_variable_overrides_body_field(client: httpx.AsyncClient, fakes: Fakes) -> None:
    response = await client.post(
        "/v1/events/e1/checkIns", json={"eventId": "other", "code": "ABC", "gate": "north-1"}
    )
    assert response.status_code == 200
    assert response.json()["outcome"] == "ADMITTED"
    assert fakes.tickets.last[1] == tickets_pb2.CheckInTicketRequest(
        event_id="e1", code="ABC", gate="north-1"
    )


async def test_empty_body_is_an_empty_message(client: httpx.AsyncClient, fakes: Fakes) -> None:
    assert (await client.post("/v1/events/e1/checkIns", content=b"")).status_code == 200
    assert fakes.tickets.last[1] == tickets_pb2.CheckInTicketRequest(event_id="e1")


async def test_body_field_with_parent_and_query(client: httpx.AsyncClient, fakes: Fakes) -> None:
    tier = {
        "displayName": "VIP",
        "capacity": 100,
        "price": {"currency_code": "MXN", "unitsMinor": "45000"},
    }
    response = await client.post(
        "/v1/events/e1/ticketTypes", params={"requestId": "r-1"}, json=tier
    )
    assert response.status_code == 200
    assert response.json()["price"] == {"currencyCode": "MXN", "unitsMinor": "45000"}
    assert fakes.catalog.last[1] == catalog_pb2.CreateTicketTypeRequest(
        parent="events/e1",
        request_id="r-1",
        ticket_type=catalog_pb2.TicketType(
            display_name="VIP",
            capacity=100,
            price=money_pb2.Money(currency_code="MXN", units_minor=45000),
        ),
    )


async def test_nested_path_variable_lands_inside_the_body_field(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    response = await client.patch(
        "/v1/events/e1/ticketTypes/t1",
        params={"updateMask": "displayName,maxPerOrder"},
        json={"name": "events/x/ticketTypes/y", "displayName": "Gold"},
    )
    assert response.status_code == 200
    request = fakes.catalog.last[1]
    assert request.ticket_type.name == "events/e1/ticketTypes/t1"
    assert request.ticket_type.display_name == "Gold"
    assert list(request.update_mask.paths) == ["display_name", "max_per_order"]


async def test_body_that_is_not_json_is_400(client: httpx.AsyncClient, fakes: Fakes) -> None:
    assert_invalid(await client.post("/tickets", content=b"{not json"), "body")
    assert_invalid(await client.post("/tickets", content=b"\xff\xfe\x00"), "body")
    assert fakes.osmi.calls == []


async def test_deeply_nested_json_is_400_not_500(client: httpx.AsyncClient) -> None:
    assert_invalid(await client.post("/tickets", content=b"[" * 200_000), "body")


async def test_body_star_must_be_an_object(client: httpx.AsyncClient) -> None:
    assert_invalid(await client.post("/tickets", json=[1, 2]), "body")


@pytest.mark.parametrize(
    ("path", "payload", "field_path"),
    [
        ("/tickets", {"quantity": "many"}, "quantity"),
        ("/tickets", {"eventId": 7}, "event_id"),
        ("/tickets", {"quantity": 2**40}, "quantity"),
        ("/v1/events/e1/ticketTypes", {"capacity": "lots"}, "ticket_type.capacity"),
        (
            "/v1/events/e1/ticketTypes",
            {"price": {"unitsMinor": "x"}},
            "ticket_type.price.units_minor",
        ),
        ("/v1/events/e1/ticketTypes", 5, "ticket_type"),
    ],
)
async def test_json_value_of_the_wrong_type_is_400_naming_the_field(
    client: httpx.AsyncClient, path: str, payload: object, field_path: str
) -> None:
    assert_invalid(await client.post(path, json=payload), field_path)


async def test_body_over_one_mebibyte_is_413(client: httpx.AsyncClient, fakes: Fakes) -> None:
    response = await client.post("/tickets", content=b" " * (MAX_BODY_BYTES + 1))
    assert response.status_code == 413
    assert response.json()["code"] == 8
    assert fakes.osmi.calls == []


async def test_chunked_body_over_the_limit_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(17):
            yield b" " * 65536

    response = await client.post("/tickets", content=chunks())
    assert response.status_code == 413


# --------------------------------------------------------------------------- query strings


@pytest.mark.parametrize("size_key", ["pageSize", "page_size"])
async def test_query_fills_fields_in_either_spelling(
    client: httpx.AsyncClient, fakes: Fakes, size_key: str
) -> None:
    params = {size_key: "5", "pageToken": "tok", "unknown": "x", "parent": "events/evil"}
    assert (await client.get("/v1/events/e1/ticketTypes", params=params)).status_code == 200
    assert fakes.catalog.last[1] == catalog_pb2.ListTicketTypesRequest(
        parent="events/e1", page_size=5, page_token="tok"
    )


async def test_query_cannot_reach_path_or_body_fields(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    assert (await client.get("/customers/42?id=abc")).status_code == 200
    assert fakes.osmi.last[1].id == 42
    response = await client.post(
        "/v1/events/e1/ticketTypes?ticketType.displayName=Other", json={"displayName": "VIP"}
    )
    assert response.status_code == 200
    assert fakes.catalog.last[1].ticket_type.display_name == "VIP"


async def test_query_converts_every_kind_of_field(client: httpx.AsyncClient) -> None:
    params = httpx.QueryParams(
        [
            ("tags", "a"),
            ("tags", "b"),
            ("active", "true"),
            ("count", "-3"),
            ("mood", "GRUMPY"),
            ("filter.minPrice", "10"),
            ("filter.labels", "x"),
            ("since", "2024-01-02T03:04:05Z"),
            ("limit", "7"),
            ("ratio", "0.5"),
        ]
    )
    body = (await client.get("/probe/p1", params=params)).json()
    assert body == {
        "id": "p1",
        "tags": ["a", "b"],
        "active": True,
        "count": -3,
        "mood": "GRUMPY",
        "filter": {"minPrice": "10", "labels": ["x"]},
        "since": "2024-01-02T03:04:05Z",
        "limit": 7,
        "ratio": 0.5,
        "path": "",
        "small": 0,
    }


async def test_query_enum_by_number_and_bool_false(client: httpx.AsyncClient) -> None:
    body = (await client.get("/probe/p1", params={"mood": "1", "active": "false"})).json()
    assert (body["mood"], body["active"]) == ("HAPPY", False)


@pytest.mark.parametrize(
    ("query", "field_path"),
    [
        ("pageSize=abc", "page_size"),
        ("page_size=99999999999", "page_size"),
        ("pageSize=", "page_size"),
        ("pageSize=1&pageSize=2", "page_size"),
    ],
)
async def test_bad_query_value_is_400_naming_the_field(
    client: httpx.AsyncClient, fakes: Fakes, query: str, field_path: str
) -> None:
    assert_invalid(await client.get(f"/v1/events/e1/ticketTypes?{query}"), field_path)
    assert fakes.catalog.calls == []


@pytest.mark.parametrize(
    ("query", "field_path"),
    [
        ("active=yes", "active"),
        ("mood=SAD", "mood"),
        ("small=-1", "small"),
        ("ratio=half", "ratio"),
        ("filter=x", "filter"),
        ("since=yesterday", "since"),
    ],
)
async def test_bad_probe_query_value_is_400(
    client: httpx.AsyncClient, query: str, field_path: str
) -> None:
    assert_invalid(await client.get(f"/probe/p1?{query}"), field_path)


# --------------------------------------------------------------------------- errors


async def test_sold_out_is_409_with_resource_exhausted(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    fakes.osmi.error = errors.TierSoldOut("tier-1", requested=3, available=1)
    response = await client.post("/tickets", json={"quantity": 3})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == 8
    assert body["message"] == "sold out: 1 ticket(s) left, 3 requested"
    [info] = [d for d in body["details"] if d["@type"].endswith("google.rpc.ErrorInfo")]
    assert info["reason"] == "SOLD_OUT"
    assert info["metadata"]["available"] == "1"


async def test_not_found_is_404(client: httpx.AsyncClient, fakes: Fakes) -> None:
    fakes.osmi.error = errors.NotFound("event", "nope")
    response = await client.get("/events/nope")
    assert response.status_code == 404
    assert response.json()["code"] == 5


async def test_invalid_argument_carries_field_violations(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    fakes.osmi.error = errors.InvalidArgument.field("quantity", "must be at least 1")
    response = await client.post("/tickets", json={"quantity": 0})
    assert_invalid(response, "quantity")
    assert violations(response.json())[0]["description"] == "must be at least 1"


async def test_unexpected_exception_is_500_and_logged_without_leaking(
    client: httpx.AsyncClient, fakes: Fakes, logs: list[MutableMapping[str, Any]]
) -> None:
    fakes.osmi.error = RuntimeError("connection to db password=hunter2 failed")
    response = await client.post("/tickets", json={})
    assert response.status_code == 500
    assert response.json() == {"code": 13, "message": "internal error", "details": []}
    [entry] = [e for e in logs if e["event"] == "rest.unhandled_error"]
    assert entry["rpc"] == "osmi.OsmiService/CreateTicket"
    assert entry["log_level"] == "error"
    assert entry["exc_info"] is True


async def test_wrong_response_type_is_500(
    client: httpx.AsyncClient, logs: list[MutableMapping[str, Any]]
) -> None:
    response = await client.get("/wrong")
    assert response.status_code == 500
    assert response.json()["message"] == "internal error"
    assert [e["rpc"] for e in logs if e["event"] == "rest.unhandled_error"] == [
        "osmitest.ProbeService/Wrong"
    ]


async def test_unknown_route_is_404_status_json(client: httpx.AsyncClient) -> None:
    for path in ("/nowhere", "/events/e1/unknown", "/events/", "/events//categories"):
        response = await client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"code": 5, "message": "Not Found", "details": []}


async def test_wrong_method_is_405_with_allow(client: httpx.AsyncClient) -> None:
    response = await client.delete("/events")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.json()["code"] == 12
    assert (await client.post("/probe/p1")).status_code == 405


async def test_unimplemented_servicer_method_is_501(client: httpx.AsyncClient) -> None:
    response = await client.get("/health")
    assert response.status_code == 501
    assert response.json()["code"] == 12


# ------------------------------------------------------------- call context, middleware


async def test_servicer_gets_headers_as_metadata_and_a_peer(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    await client.get("/events/e1", headers={"Authorization": "Bearer tok", "X-Tenant": "a"})
    context = fakes.osmi.contexts[-1]
    metadata = context.invocation_metadata()
    assert ("authorization", "Bearer tok") in metadata
    assert ("x-tenant", "a") in metadata
    assert re.fullmatch(r"ipv4:127\.0\.0\.1:\d+", context.peer())


async def test_request_id_is_echoed_and_bound_while_serving(
    client: httpx.AsyncClient, fakes: Fakes
) -> None:
    response = await client.get("/events/e1", headers={"x-request-id": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert fakes.osmi.request_ids == ["abc-123"]
    assert "request_id" not in structlog.contextvars.get_contextvars()


@pytest.mark.parametrize("sent", [None, "two words", "x" * 200])
async def test_request_id_is_generated_when_missing_or_unsafe(
    client: httpx.AsyncClient, fakes: Fakes, sent: str | None
) -> None:
    headers = {} if sent is None else {"x-request-id": sent}
    response = await client.get("/events/e1", headers=headers)
    generated = response.headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert fakes.osmi.request_ids == [generated]


async def test_one_log_line_per_request_without_query_or_headers(
    client: httpx.AsyncClient, logs: list[MutableMapping[str, Any]]
) -> None:
    await client.post(
        "/tickets?token=s3cret", json={"quantity": 1}, headers={"Authorization": "Bearer s3cret"}
    )
    await client.get("/nowhere%0Aforged")
    lines = [e for e in logs if e["event"] == "http.request"]
    assert len(lines) == 2
    first, second = lines
    assert {k: first[k] for k in ("method", "path", "rpc", "status")} == {
        "method": "POST",
        "path": "/tickets",
        "rpc": "osmi.OsmiService/CreateTicket",
        "status": 200,
    }
    assert isinstance(first["duration_ms"], float)
    assert (second["path"], second["rpc"], second["status"]) == ("/nowhere%0Aforged", "", 404)
    assert "s3cret" not in repr(logs)


# --------------------------------------------------------------------------- route table, OpenAPI


def test_routes_cover_every_annotated_method() -> None:
    routes = routes_for([ServiceBinding(OSMI, object()), ServiceBinding(CATALOG, object())])
    assert len(routes) == len(OSMI.methods) + len(CATALOG.methods)
    assert {(r.http_method, r.template.source, r.rpc) for r in routes} >= {
        ("POST", "/tickets", "osmi.OsmiService/CreateTicket"),
        ("GET", "/v1/{parent=events/*}/ticketTypes", "osmi.v1.CatalogService/ListTicketTypes"),
        (
            "PATCH",
            "/v1/{ticket_type.name=events/*/ticketTypes/*}",
            "osmi.v1.CatalogService/UpdateTicketType",
        ),
    }


def test_same_method_and_shape_is_rejected_as_ambiguous() -> None:
    with pytest.raises(ValueError, match="ambiguous"):
        routes_for([ServiceBinding(CLASH, object())])


@pytest.mark.parametrize(
    "source", ["v1/x", "/v1/{x", "/v1/{x}}", "/v1/{a-b}", "/v1/**/x", "/v1//x", "/v1/{x=a/{y}}"]
)
def test_malformed_templates_are_rejected(source: str) -> None:
    with pytest.raises(ValueError, match="bad path template"):
        PathTemplate.parse(source)


def test_template_parse_and_match() -> None:
    template = PathTemplate.parse("/v1/{name=events/*/ticketTypes/*}:archive")
    assert template.segments == ("v1", "events", "*", "ticketTypes", "*")
    assert template.verb == "archive"
    assert template.match("/v1/events/e/ticketTypes/t:archive") == {
        "name": "events/e/ticketTypes/t"
    }
    assert template.match("/v1/events/e/ticketTypes/t") is None
    assert template.match("/v1/other/e/ticketTypes/t:archive") is None


async def test_openapi_lists_every_route(client: httpx.AsyncClient) -> None:
    response = await client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"] == "3.1.0"
    paths = document["paths"]
    assert paths["/tickets"]["post"]["operationId"] == "osmi.OsmiService/CreateTicket"
    assert set(paths["/v1/events/{event}/ticketTypes"]) == {"get", "post"}
    assert "get" in paths["/v1/events/{event}/ticketTypes/{ticketType}"]
    listing = paths["/v1/events/{event}/ticketTypes"]["get"]
    assert {p["name"] for p in listing["parameters"] if p["in"] == "query"} == {
        "pageSize",
        "pageToken",
    }
    assert paths["/v2/probe/{id}"]["get"]["operationId"] == "osmitest.ProbeService/Get_2"
    assert all("search" not in item for item in paths.values())


async def test_openapi_declares_every_path_parameter(client: httpx.AsyncClient) -> None:
    document = (await client.get("/openapi.json")).json()
    operation_ids = []
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"\{([^}]+)\}", path))
        for operation in item.values():
            operation_ids.append(operation["operationId"])
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == in_path, path
    assert len(operation_ids) == len(set(operation_ids))


async def test_openapi_only_answers_get(client: httpx.AsyncClient) -> None:
    response = await client.post("/openapi.json")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
