"""Abuse that once slipped through as internal or transport errors."""

from __future__ import annotations

import base64

import grpc
import httpx
import psycopg
import pytest

from osmi.classic import osmi_pb2

from .helpers import GrpcDoor, RestDoor, create_event, create_tier, grpc_failure
from .server import GrpcClients, RunningServer

pytestmark = pytest.mark.e2e


async def test_a_very_long_bad_id_is_still_a_clear_invalid_argument(
    grpc_clients: GrpcClients,
) -> None:
    # Echoing a 4 KB value twice into the trailers broke gRPC's metadata limit.
    with pytest.raises(grpc.aio.AioRpcError) as exc:
        await grpc_clients.classic.GetEvent(osmi_pb2.EventLookup(public_id="x" * 4000))
    failure = grpc_failure(exc.value)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert failure.fields == ["public_id"]


async def test_a_forged_page_token_is_refused(http: httpx.AsyncClient) -> None:
    event = await create_event(RestDoor(http))
    event_id = event["publicId"]
    forged = base64.urlsafe_b64encode(f"{event_id}:{'9' * 20}".encode()).decode().rstrip("=")
    response = await http.get(f"/v1/events/{event_id}/ticketTypes", params={"pageToken": forged})
    assert response.status_code == 400
    assert response.json()["details"][0]["fieldViolations"][0]["field"] == "page_token"


async def test_list_events_answers_every_event_beyond_a_thousand(
    grpc_clients: GrpcClients, module_database: str
) -> None:
    await create_event(GrpcDoor(grpc_clients))
    with psycopg.connect(module_database) as conn:
        conn.execute(
            "INSERT INTO events (name, starts_at, ends_at, location, is_active, is_published)"
            " SELECT 'Bulk ' || n, now() + interval '1 day', now() + interval '2 days',"
            " 'Somewhere', true, true FROM generate_series(1, 1100) AS n"
        )
        total = conn.execute("SELECT count(*) FROM events").fetchone()
    assert total is not None
    listed = await grpc_clients.classic.ListEvents(osmi_pb2.Empty())
    assert listed.total_count == len(listed.events) == total[0] > 1100


@pytest.mark.parametrize(
    "payload",
    [b"\x0a\x02\xff\xfe", b"\x0a\x05ab"],  # name with bad UTF-8; a truncated field
    ids=["bad-utf8", "truncated"],
)
async def test_undecodable_grpc_messages_are_invalid_arguments(
    server: RunningServer, payload: bytes
) -> None:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        raw = channel.unary_unary("/osmi.OsmiService/CreateCustomer")
        with pytest.raises(grpc.aio.AioRpcError) as exc:
            await raw(payload)
    assert exc.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert grpc_failure(exc.value).fields == ["request"]
    assert "DecodeError" not in (exc.value.details() or "")


@pytest.mark.parametrize(
    "when", ["2027-01-01T00:00:00+25:00", "2027-01", "2027-01-01T00:00:00", 1798761600]
)
async def test_v1_timestamps_follow_the_same_rfc_3339_rules(
    http: httpx.AsyncClient, when: object
) -> None:
    event = await create_event(RestDoor(http))
    body = {
        "displayName": "Early",
        "price": {"currencyCode": "MXN", "unitsMinor": "100"},
        "capacity": 5,
        "saleStartTime": when,
    }
    response = await http.post(f"/v1/events/{event['publicId']}/ticketTypes", json=body)
    assert response.status_code == 400
    violation = response.json()["details"][0]["fieldViolations"][0]
    assert violation["field"] == "ticket_type.sale_start_time"
    assert "%Y" not in violation["description"]


async def test_field_masks_take_the_snake_case_paths_the_protos_document(
    http: httpx.AsyncClient,
) -> None:
    event = await create_event(RestDoor(http))
    tier = await create_tier(RestDoor(http), event["publicId"])
    response = await http.patch(
        f"/v1/{tier['name']}",
        params={"updateMask": "display_name, max_per_order"},
        json={"displayName": "Renamed", "maxPerOrder": 3},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["displayName"], response.json()["maxPerOrder"]) == ("Renamed", 3)


@pytest.mark.parametrize(
    ("body", "field", "description"),
    [
        ({"name": 5}, "name", "must be a JSON string"),
        ({"isActive": "yes"}, "is_active", "must be true or false"),
        ({"maxAttendees": [1]}, "max_attendees", "must be a number"),
    ],
)
async def test_wrong_json_types_are_named_in_the_api_s_terms(
    http: httpx.AsyncClient, body: dict[str, object], field: str, description: str
) -> None:
    response = await http.post("/events", json=body)
    assert response.status_code == 400
    violation = response.json()["details"][0]["fieldViolations"][0]
    assert (violation["field"], violation["description"]) == (field, description)
