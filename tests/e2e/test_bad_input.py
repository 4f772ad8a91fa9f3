"""Bad requests get precise, typed answers on both doors, and change nothing.

gRPC failures carry a ``google.rpc.Status`` (BadRequest field violations and
ErrorInfo); REST failures are the same Status as JSON with an HTTP status
chosen per failure. Nothing here may ever be a 500 / INTERNAL.
"""

from __future__ import annotations

import re
import uuid

import grpc
import httpx
import pytest

from .helpers import (
    PASSWORD,
    Door,
    GrpcDoor,
    Json,
    RestDoor,
    buy,
    create_customer,
    create_event,
    create_tier,
    create_user,
    event_request,
    failure,
    internal_failures,
    on_sale_tier,
    rest_failure,
    tier_counts,
    tier_request,
    unique,
    unique_email,
)
from .server import GrpcClients, RunningServer

INVALID = grpc.StatusCode.INVALID_ARGUMENT
NOT_FOUND = grpc.StatusCode.NOT_FOUND
SOME_UUID = "3f2b8c1e-9d4a-4e6b-8a7c-1d2e3f4a5b6c"
EMAIL = "someone@example.test"


@pytest.fixture(params=["grpc", "rest"])
def door(
    request: pytest.FixtureRequest, grpc_clients: GrpcClients, http: httpx.AsyncClient
) -> Door:
    return GrpcDoor(grpc_clients) if request.param == "grpc" else RestDoor(http)


def order(**fields: object) -> Json:
    """A CreateTicket request; any id not given is a well-formed UUID."""
    return {"event_id": SOME_UUID, "user_id": SOME_UUID, "category_id": SOME_UUID, **fields}


async def assert_invalid(door: Door, rpc: str, request: Json, field: str) -> None:
    failed = await failure(door, rpc, request)
    assert (failed.code, failed.http_status) in ((INVALID, None), (INVALID, 400)), failed
    assert field in failed.fields, failed
    assert failed.message.startswith("invalid request")


# (rpc, request, field named in the BadRequest): over both doors.
BOTH_DOORS = [
    ("CreateUser", {"email": EMAIL, "password": PASSWORD}, "name"),
    ("CreateUser", {"name": "Ana", "password": PASSWORD}, "email"),
    ("CreateUser", {"name": "Ana", "email": "not-an-email", "password": PASSWORD}, "email"),
    ("CreateUser", {"name": "Ana", "email": EMAIL, "password": "short"}, "password"),
    ("CreateUser", {"name": "Ana", "email": "a\x00b@example.test", "password": PASSWORD}, "email"),
    ("CreateUser", {"name": "Ana", "email": EMAIL, "password": PASSWORD, "role": "root"}, "role"),
    ("CreateCustomer", {"email": EMAIL}, "name"),
    ("CreateCustomer", {"name": "Beto", "email": "  "}, "email"),
    ("CreateCustomer", {"name": "Beto", "email": EMAIL, "phone": "12"}, "phone"),
    ("CreateCustomer", {"name": "Beto", "email": "a\x00b@example.test"}, "email"),
    ("CreateEvent", event_request(name=""), "name"),
    ("CreateEvent", event_request(location=" "), "location"),
    ("CreateEvent", event_request(start_date=""), "start_date"),
    ("CreateEvent", event_request(end_date="2031-05-10T19:59:59-06:00"), "end_date"),
    ("CreateEvent", event_request(end_date="2031-05-10T20:00:00-06:00"), "end_date"),
    ("CreateEvent", event_request(start_date="2031-05-10T20:00:00"), "start_date"),
    ("CreateEvent", event_request(start_date="next friday"), "start_date"),
    ("CreateEvent", event_request(start_date="0001-01-01T00:00:00+01:00"), "start_date"),
    (
        "CreateEvent",
        event_request(start_date="9999-12-31T22:00:00-06:00", end_date="9999-12-31T23:00:00-06:00"),
        "start_date",
    ),
    ("CreateEvent", event_request(max_attendees=-1), "max_attendees"),
    ("CreateTicket", order(event_id="nope"), "event_id"),
    ("CreateTicket", order(user_id="12"), "user_id"),
    ("CreateTicket", order(category_id=""), "category_id"),
    ("CreateTicket", order(quantity=-1), "quantity"),
    ("GetEvent", {"public_id": "123"}, "public_id"),
    ("GetEventCategories", {"public_id": "xyz"}, "public_id"),
    ("ListTickets", {"user_id": "not-a-uuid"}, "user_id"),
    ("GetCustomer", {"id": -5}, "id"),
    ("CreateTicketType", {"parent": "events/not-a-uuid", "ticket_type": tier_request()}, "parent"),
    ("CheckInTicket", {"event_id": "x", "code": "OSM-1", "gate": "north"}, "event_id"),
    ("CheckInTicket", {"event_id": SOME_UUID, "code": " ", "gate": "north"}, "code"),
    ("CheckInTicket", {"event_id": SOME_UUID, "code": "OSM-1", "gate": ""}, "gate"),
    ("CheckInTicket", {"event_id": SOME_UUID, "code": "OSM-\x00", "gate": "north"}, "code"),
]


@pytest.mark.parametrize(
    ("rpc", "request_", "field"), BOTH_DOORS, ids=[f"{rpc}:{field}" for rpc, _, field in BOTH_DOORS]
)
async def test_invalid_argument_names_the_field(
    door: Door, rpc: str, request_: Json, field: str
) -> None:
    await assert_invalid(door, rpc, request_, field)


# Requests REST cannot route (oneof members, empty path segments), or tested below as raw paths.
@pytest.mark.parametrize(
    ("rpc", "request_", "field"),
    [
        ("GetCustomer", {}, "lookup"),
        ("GetCustomer", {"public_id": "nope"}, "public_id"),
        ("GetCustomer", {"email": "nope"}, "email"),
        ("GetEventCategories", {"public_id": ""}, "public_id"),
        ("GetTicket", {"code": ""}, "code"),
        ("GetTicket", {"code": "OSM-\x00"}, "code"),
        ("GetCustomer", {"email": "a\x00b@example.test"}, "email"),
    ],
)
async def test_invalid_argument_over_grpc_only(
    grpc_clients: GrpcClients, rpc: str, request_: Json, field: str
) -> None:
    await assert_invalid(GrpcDoor(grpc_clients), rpc, request_, field)


@pytest.mark.parametrize(
    ("tier", "field"),
    [
        ({"price": {"currency_code": "XYZ", "units_minor": 100}}, "price.currency_code"),
        ({"price": {"currency_code": "MXN", "units_minor": -1}}, "price.units_minor"),
        ({"price": None}, "price"),
        ({"capacity": 0}, "capacity"),
        ({"capacity": -3}, "capacity"),
        ({"display_name": " "}, "display_name"),
        ({"max_per_order": 101}, "max_per_order"),
        (
            {
                "sale_start_time": "2031-01-02T00:00:00Z",
                "sale_end_time": "2031-01-01T00:00:00Z",
            },
            "sale_end_time",
        ),
    ],
)
async def test_invalid_tier(door: Door, tier: Json, field: str) -> None:
    event = await create_event(door)
    ticket_type = {k: v for k, v in tier_request(**tier).items() if v is not None}
    request = {"parent": f"events/{event['publicId']}", "ticket_type": ticket_type}
    await assert_invalid(door, "CreateTicketType", request, f"ticket_type.{field}")
    assert (await door.call("GetEvent", {"public_id": event["publicId"]}))["totalTickets"] == 0


async def test_failed_event_is_not_stored(door: Door) -> None:
    name = unique("never-stored")
    await assert_invalid(door, "CreateEvent", event_request(name=name, location=""), "location")
    events = await door.call("ListEvents")
    assert name not in {e["name"] for e in events["events"]}


# --------------------------------------------------------------------------- purchases


async def test_quantity_over_max_per_order(door: Door) -> None:
    event_id, tier_id = await on_sale_tier(door, capacity=50, max_per_order=2)
    buyer = (await create_customer(door))["publicId"]
    request = {"event_id": event_id, "user_id": buyer, "category_id": tier_id, "quantity": 3}
    failed = await failure(door, "CreateTicket", request)
    assert (failed.code, failed.http_status or 400) == (INVALID, 400)
    assert failed.fields == ["quantity"]
    assert failed.reason == "PER_ORDER_LIMIT_EXCEEDED"
    assert await tier_counts(door, event_id, tier_id) == (0, 50)
    assert (await door.call("ListTickets", {"user_id": buyer}))["totalCount"] == 0


async def test_sold_out_order_leaves_nothing_behind(door: Door) -> None:
    event_id, tier_id = await on_sale_tier(door, capacity=2)
    buyer = (await create_customer(door))["publicId"]
    request = {"event_id": event_id, "user_id": buyer, "category_id": tier_id, "quantity": 3}
    failed = await failure(door, "CreateTicket", request)
    assert (failed.code, failed.http_status or 409) == (grpc.StatusCode.RESOURCE_EXHAUSTED, 409)
    assert failed.reason == "SOLD_OUT"
    assert await tier_counts(door, event_id, tier_id) == (0, 2)
    assert (await door.call("ListTickets", {"user_id": buyer}))["totalCount"] == 0
    # The refused order held no seats back.
    await buy(door, event_id, buyer, tier_id, quantity=2)
    assert await tier_counts(door, event_id, tier_id) == (2, 0)


async def test_tier_of_another_event(door: Door) -> None:
    event_id, _ = await on_sale_tier(door)
    _, other_tier = await on_sale_tier(door)
    buyer = (await create_customer(door))["publicId"]
    request = {"event_id": event_id, "user_id": buyer, "category_id": other_tier}
    await assert_invalid(door, "CreateTicket", request, "category_id")


@pytest.mark.parametrize(
    ("event", "tier"),
    [
        ({"is_published": False}, {}),  # a draft
        ({"is_active": False}, {}),
        ({"start_date": "2020-01-01T20:00:00-06:00", "end_date": "2020-01-01T23:00:00-06:00"}, {}),
        ({}, {"active": False}),
        ({}, {"sale_start_time": "2030-12-31T00:00:00Z"}),
        ({}, {"sale_end_time": "2021-01-01T00:00:00Z"}),
    ],
    ids=["draft", "inactive", "ended", "tier-inactive", "sales-not-started", "sales-ended"],
)
async def test_not_on_sale(door: Door, event: Json, tier: Json) -> None:
    event_id = (await create_event(door, **event))["publicId"]
    tier_id = (await create_tier(door, event_id, capacity=5, **tier))["ticketTypeId"]
    buyer = (await create_customer(door))["publicId"]
    request = {"event_id": event_id, "user_id": buyer, "category_id": tier_id}
    failed = await failure(door, "CreateTicket", request)
    assert (failed.code, failed.http_status or 409) == (grpc.StatusCode.FAILED_PRECONDITION, 409)
    assert failed.reason == "NOT_ON_SALE"
    assert await tier_counts(door, event_id, tier_id) == (0, 5)
    assert (await door.call("ListTickets", {"user_id": buyer}))["totalCount"] == 0


# --------------------------------------------------------------------------- unknown ids


async def test_unknown_ids_are_not_found(door: Door) -> None:
    event_id, tier_id = await on_sale_tier(door)
    buyer = (await create_customer(door))["publicId"]
    missing = str(uuid.uuid4())
    cases: list[tuple[str, Json]] = [
        ("GetEvent", {"public_id": missing}),
        ("GetEventCategories", {"public_id": missing}),
        ("ListTickets", {"user_id": missing}),
        ("GetCustomer", {"id": 2_000_000_000}),
        ("GetTicket", {"code": "OSM-ZZZZ-ZZZZ-ZZZZ-ZZZZ"}),
        ("CreateTicketType", {"parent": f"events/{missing}", "ticket_type": tier_request()}),
        ("CreateTicket", {"event_id": event_id, "user_id": buyer, "category_id": missing}),
        ("CreateTicket", {"event_id": event_id, "user_id": missing, "category_id": tier_id}),
    ]
    for rpc, request in cases:
        failed = await failure(door, rpc, request)
        assert (failed.code, failed.http_status or 404) == (NOT_FOUND, 404), (rpc, failed)
        assert failed.reason == "NOT_FOUND"
    assert await tier_counts(door, event_id, tier_id) == (0, 100)


async def test_unknown_customer_email_and_public_id(grpc_clients: GrpcClients) -> None:
    door = GrpcDoor(grpc_clients)
    for lookup in ({"email": unique_email("ghost")}, {"public_id": str(uuid.uuid4())}):
        assert (await failure(door, "GetCustomer", lookup)).code is NOT_FOUND


# --------------------------------------------------------------------------- duplicates


async def test_duplicate_user_email(door: Door) -> None:
    email = unique_email("dup")
    await create_user(door, email=email)
    failed = await failure(
        door, "CreateUser", {"name": "Other", "email": email.upper(), "password": PASSWORD}
    )
    assert (failed.code, failed.http_status or 409) == (grpc.StatusCode.ALREADY_EXISTS, 409)
    assert failed.reason == "ALREADY_EXISTS"


async def test_duplicate_customer_email(door: Door) -> None:
    email = unique_email("dup")
    first = await create_customer(door, email=email)
    failed = await failure(door, "CreateCustomer", {"name": "Other", "email": f" {email} "})
    assert (failed.code, failed.http_status or 409) == (grpc.StatusCode.ALREADY_EXISTS, 409)
    if isinstance(door, GrpcDoor):
        found = await door.call("GetCustomer", {"email": email})
        assert found == first  # the first one is untouched


# --------------------------------------------------------------------------- REST only


def _rest_invalid(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    failed = rest_failure(response)
    assert failed.code is INVALID
    assert field in failed.fields, failed


async def test_malformed_json_body(http: httpx.AsyncClient) -> None:
    for body in (b'{"name": "Ana", ', b"not json", b"\xff\xfe"):
        response = await http.post(
            "/users", content=body, headers={"content-type": "application/json"}
        )
        _rest_invalid(response, "body")


@pytest.mark.parametrize("body", [[1, 2], "a string", 42, None])
async def test_json_body_that_is_not_an_object(http: httpx.AsyncClient, body: object) -> None:
    response = await http.post("/customers", json=body)
    if body is None:  # JSON null is an empty request: the name is missing
        _rest_invalid(response, "name")
    else:
        _rest_invalid(response, "body")


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/users", {"name": 5, "email": EMAIL, "password": PASSWORD}, "name"),
        ("/users", {"name": "Ana", "email": ["a@b.c"], "password": PASSWORD}, "email"),
        ("/tickets", {"eventId": SOME_UUID, "quantity": "three"}, "quantity"),
        ("/tickets", {"quantity": 1.5}, "quantity"),
        ("/tickets", {"quantity": 3_000_000_000}, "quantity"),
        ("/events", {**event_request(), "isPublished": "yes"}, "is_published"),
        ("/events", {**event_request(), "tags": "rock"}, "tags"),
        ("/events", {**event_request(), "max_attendees": {"n": 1}}, "max_attendees"),
    ],
)
async def test_wrong_json_types(http: httpx.AsyncClient, path: str, body: Json, field: str) -> None:
    _rest_invalid(await http.post(path, json=body), field)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"capacity": "many"}, "ticket_type.capacity"),
        ({"price": {"currencyCode": "MXN", "unitsMinor": 1.5}}, "ticket_type.price.units_minor"),
        ({"price": "450 MXN"}, "ticket_type.price"),
        ("just a string", "ticket_type"),
        ([1, 2], "ticket_type"),
        ({"saleStartTime": "tomorrow"}, "ticket_type.sale_start_time"),
    ],
)
async def test_wrong_json_types_in_a_tier(
    http: httpx.AsyncClient, body: object, field: str
) -> None:
    event = await create_event(RestDoor(http))
    response = await http.post(f"/v1/events/{event['publicId']}/ticketTypes", json=body)
    _rest_invalid(response, field)


@pytest.mark.parametrize("raw_id", ["abc", "1.5", "99999999999", "%20", "%FF"])
async def test_customer_id_in_path_must_be_an_int32(http: httpx.AsyncClient, raw_id: str) -> None:
    _rest_invalid(await http.get(f"/customers/{raw_id}"), "id")


async def test_nul_in_a_ticket_code_path(http: httpx.AsyncClient) -> None:
    _rest_invalid(await http.get("/v1/tickets/OSM-%00"), "code")


async def test_customer_id_zero_is_invalid_and_unknown_id_is_404(http: httpx.AsyncClient) -> None:
    _rest_invalid(await http.get("/customers/0"), "id")
    response = await http.get("/customers/2147483647")
    assert response.status_code == 404
    assert rest_failure(response).code is NOT_FOUND


async def test_routing_misses(http: httpx.AsyncClient) -> None:
    missing = await http.get("/no/such/route")
    assert missing.status_code == 404
    assert rest_failure(missing).code is NOT_FOUND
    wrong_method = await http.delete("/events")
    assert wrong_method.status_code == 405
    assert rest_failure(wrong_method).code is grpc.StatusCode.UNIMPLEMENTED
    assert set(wrong_method.headers["allow"].replace(" ", "").split(",")) == {"GET", "POST"}


# --------------------------------------------------------------------------- last


def test_the_server_never_failed_internally(server: RunningServer) -> None:
    """Every request this module made was answered without a 500 / INTERNAL."""
    records = internal_failures(server.log_text())
    raised = {r.get("rpc") for r in records if r.get("exception")}
    failures = set()
    for record in records:
        trace = str(record.get("exception", "")).splitlines()
        lines = [line for line in trace if re.match(r"[\w.]+(Error|Exception): ", line)]
        if lines:
            failures.add(f"{record.get('rpc')}: {lines[-1][:160]}")
        elif record.get("rpc") not in raised:
            failures.add(f"{record.get('rpc')}: status {record.get('status')}")
    assert not failures, "\n".join(sorted(failures))
