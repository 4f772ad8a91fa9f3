"""The classic OsmiService end to end, the same story over gRPC and over REST."""

from __future__ import annotations

import httpx
import pytest

from osmi.classic import osmi_pb2

from .helpers import (
    END_UTC,
    START_UTC,
    Door,
    GrpcDoor,
    RestDoor,
    buy,
    create_customer,
    create_event,
    create_tier,
    create_user,
    unique_email,
)
from .server import GrpcClients


@pytest.fixture(params=["grpc", "rest"])
def door(
    request: pytest.FixtureRequest, grpc_clients: GrpcClients, http: httpx.AsyncClient
) -> Door:
    return GrpcDoor(grpc_clients) if request.param == "grpc" else RestDoor(http)


async def test_user_customer_event_tier_and_purchase(door: Door) -> None:
    email = unique_email("Ana")
    user = await create_user(door, email=email, role="")
    assert user["userId"]
    assert user["email"] == email.lower()
    assert user["role"] == "customer"
    assert user["status"] == "active"
    assert "password" not in user
    assert "user_id" not in user  # output is camelCase

    customer = await create_customer(door, phone="")
    assert customer["id"] > 0
    assert customer["publicId"]

    # snake_case input; start and end given at -06:00 come back as the same instants in UTC.
    event = await create_event(door, start_date="2031-05-10T20:00:00-06:00", max_attendees=500)
    event_id = event["publicId"]
    assert event["startDate"] == START_UTC
    assert event["endDate"] == END_UTC
    assert event["isPublished"] is True
    assert event["category"] == "music"
    assert event["tags"] == ["rock", "live"]
    assert (event["totalTickets"], event["ticketsSold"]) == (0, 0)

    tier = await create_tier(door, event_id, display_name="Platea", capacity=120, max_per_order=4)
    tier_id = tier["ticketTypeId"]
    assert tier["name"] == f"events/{event_id}/ticketTypes/{tier_id}"
    assert tier["price"] == {"currencyCode": "MXN", "unitsMinor": "45000"}
    assert (tier["capacity"], tier["soldCount"], tier["availableCount"]) == (120, 0, 120)

    fetched = await door.call("GetEvent", {"public_id": event_id})
    assert fetched["name"] == event["name"]
    assert fetched["startDate"] == START_UTC
    assert (fetched["totalTickets"], fetched["ticketsSold"]) == (120, 0)

    listed = await door.call("ListEvents")
    assert listed["totalCount"] == len(listed["events"])
    (mine,) = [e for e in listed["events"] if e["publicId"] == event_id]
    assert mine["totalTickets"] == 120

    categories = await door.call("GetEventCategories", {"public_id": event_id})
    assert categories["eventPublicId"] == event_id
    assert categories["eventName"] == event["name"]
    (category,) = categories["categories"]
    assert category["publicId"] == tier_id
    assert category["name"] == "Platea"
    assert category["price"] == 450.0
    assert (category["quantityAvailable"], category["quantitySold"]) == (120, 0)
    assert category["maxTicketsPerOrder"] == 4
    assert category["isActive"] is True

    # camelCase input this time.
    order = {"eventId": event_id, "userId": user["userId"], "categoryId": tier_id, "quantity": 3}
    first = await door.call("CreateTicket", order)
    assert first["status"] == "sold"
    assert first["eventName"] == event["name"]
    assert first["eventDate"] == START_UTC
    assert first["location"] == event["location"]
    assert first["categoryName"] == "Platea"
    assert first["price"] == 450.0

    tickets = await door.call("ListTickets", {"user_id": user["userId"]})
    assert tickets["totalCount"] == 3
    assert len(tickets["tickets"]) == 3
    codes = {t["code"] for t in tickets["tickets"]}
    assert len(codes) == 3
    assert first["code"] in codes
    assert first["ticketId"] == tickets["tickets"][0]["ticketId"]
    assert {t["status"] for t in tickets["tickets"]} == {"sold"}
    assert len({t["ticketId"] for t in tickets["tickets"]}) == 3

    after = await door.call("GetEvent", {"public_id": event_id})
    assert (after["totalTickets"], after["ticketsSold"]) == (120, 3)
    categories = await door.call("GetEventCategories", {"public_id": event_id})
    (category,) = categories["categories"]
    assert (category["quantityAvailable"], category["quantitySold"]) == (117, 3)

    # The customer can buy too, and their tickets are theirs alone.
    await buy(door, event_id, customer["publicId"], tier_id, quantity=0)  # 0 means 1
    theirs = await door.call("ListTickets", {"user_id": customer["publicId"]})
    assert theirs["totalCount"] == 1
    assert theirs["tickets"][0]["code"] not in codes
    assert (await door.call("ListTickets", {"user_id": user["userId"]}))["totalCount"] == 3

    again = await door.call("GetCustomer", {"id": customer["id"]})
    assert again == customer


async def test_camel_case_event_input(door: Door) -> None:
    event = await door.call(
        "CreateEvent",
        {
            "name": "Camel",
            "startDate": "2031-01-01T10:00:00+01:00",
            "endDate": "2031-01-01T12:00:00+01:00",
            "location": "Madrid",
            "shortDescription": "short",
            "venueDetails": "Hall B",
            "isActive": True,
            "isPublished": False,
            "maxAttendees": 40,
        },
    )
    assert event["startDate"] == "2031-01-01T09:00:00Z"
    assert event["endDate"] == "2031-01-01T11:00:00Z"
    assert (event["shortDescription"], event["venueDetails"]) == ("short", "Hall B")
    assert (event["isActive"], event["isPublished"], event["maxAttendees"]) == (True, False, 40)


async def test_both_doors_agree(grpc_clients: GrpcClients, http: httpx.AsyncClient) -> None:
    grpc_door, rest_door = GrpcDoor(grpc_clients), RestDoor(http)
    event = await create_event(grpc_door)
    await create_tier(rest_door, event["publicId"], capacity=7)
    request = {"public_id": event["publicId"]}
    assert await rest_door.call("GetEvent", request) == await grpc_door.call("GetEvent", request)
    assert await rest_door.call("GetEventCategories", request) == await grpc_door.call(
        "GetEventCategories", request
    )


async def test_get_customer_by_id_over_rest_path(http: httpx.AsyncClient) -> None:
    customer = await create_customer(RestDoor(http))
    response = await http.get(f"/customers/{customer['id']}")
    assert response.status_code == 200
    assert response.json() == customer


async def test_get_customer_by_email_and_public_id_over_grpc(grpc_clients: GrpcClients) -> None:
    email = unique_email("Carla")
    created = await grpc_clients.classic.CreateCustomer(
        osmi_pb2.CustomerRequest(name="Carla", email=email, phone="55 1234 5678")
    )
    assert created.phone == "5512345678"
    by_email = await grpc_clients.classic.GetCustomer(osmi_pb2.CustomerLookup(email=email.upper()))
    assert by_email == created
    by_public_id = await grpc_clients.classic.GetCustomer(
        osmi_pb2.CustomerLookup(public_id=created.public_id)
    )
    assert by_public_id == created
    by_id = await grpc_clients.classic.GetCustomer(osmi_pb2.CustomerLookup(id=created.id))
    assert by_id == created


async def test_health_check(door: Door) -> None:
    health = await door.call("HealthCheck")
    assert health["status"] == "healthy"
    assert health["service"]
    assert health["version"]
    assert health["timestamp"].endswith("Z")
