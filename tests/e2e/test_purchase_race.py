"""Many buyers, few seats: a tier never sells past its capacity, over either door."""

from __future__ import annotations

import asyncio
from collections import Counter

import grpc
import httpx

from osmi.classic import osmi_pb2

from .helpers import (
    Door,
    GrpcDoor,
    RestDoor,
    create_customer,
    create_user,
    error_reason,
    on_sale_tier,
    tier_counts,
)
from .server import GrpcClients, RunningServer

BUYERS = 200
SEATS = 50


async def _buyers(door: Door, count: int) -> list[str]:
    """Public ids of ``count`` distinct buyers: customers, and one in ten a user account."""
    users = count // 10
    customers = await asyncio.gather(*(create_customer(door) for _ in range(count - users)))
    accounts = await asyncio.gather(*(create_user(door) for _ in range(users)))
    ids = [c["publicId"] for c in customers] + [u["userId"] for u in accounts]
    assert len(set(ids)) == count
    return ids


async def _grpc_purchase(
    clients: GrpcClients, event_id: str, buyer_id: str, tier_id: str, quantity: int = 1
) -> grpc.StatusCode:
    request = osmi_pb2.TicketRequest(
        event_id=event_id, user_id=buyer_id, category_id=tier_id, quantity=quantity
    )
    try:
        await clients.classic.CreateTicket(request)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


async def _tickets_sold_to(door: Door, buyers: list[str]) -> list[str]:
    """Codes of every ticket the buyers hold."""
    answers = await asyncio.gather(*(door.call("ListTickets", {"user_id": b}) for b in buyers))
    return [t["code"] for answer in answers for t in answer["tickets"]]


async def _assert_sold_exactly(door: Door, event_id: str, tier_id: str, buyers: list[str]) -> None:
    assert await tier_counts(door, event_id, tier_id) == (SEATS, 0)
    codes = await _tickets_sold_to(door, buyers)
    assert len(codes) == SEATS
    assert len(set(codes)) == SEATS
    event = await door.call("GetEvent", {"public_id": event_id})
    assert (event["totalTickets"], event["ticketsSold"]) == (SEATS, SEATS)


async def test_200_grpc_buyers_race_for_50_seats(grpc_clients: GrpcClients) -> None:
    door = GrpcDoor(grpc_clients)
    event_id, tier_id = await on_sale_tier(door, capacity=SEATS)
    buyers = await _buyers(door, BUYERS)

    codes = await asyncio.gather(
        *(_grpc_purchase(grpc_clients, event_id, b, tier_id) for b in buyers)
    )

    assert codes.count(grpc.StatusCode.OK) == SEATS, Counter(codes)
    assert codes.count(grpc.StatusCode.RESOURCE_EXHAUSTED) == BUYERS - SEATS, Counter(codes)
    await _assert_sold_exactly(door, event_id, tier_id, buyers)


async def test_200_rest_buyers_race_for_50_seats(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    door = RestDoor(http)
    event_id, tier_id = await on_sale_tier(door, capacity=SEATS)
    buyers = await _buyers(door, BUYERS)

    # Fresh connections for the burst: keep-alive connections left idle while the buyers
    # were made may be closed by the server (uvicorn: after 5 s) just as they are reused.
    limits = httpx.Limits(max_connections=BUYERS)
    async with httpx.AsyncClient(base_url=server.http_base, timeout=30, limits=limits) as burst:
        responses = await asyncio.gather(
            *(
                burst.post(
                    "/tickets", json={"event_id": event_id, "user_id": b, "category_id": tier_id}
                )
                for b in buyers
            )
        )

    outcomes = Counter(
        (r.status_code, r.json().get("message") if r.status_code != 200 else "") for r in responses
    )
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == SEATS, outcomes
    assert statuses.count(409) == BUYERS - SEATS, outcomes
    for response in responses:
        if response.status_code == 409:
            body = response.json()
            assert body["code"] == grpc.StatusCode.RESOURCE_EXHAUSTED.value[0] == 8
            assert body["message"]
            assert error_reason(body) == "SOLD_OUT"
    await _assert_sold_exactly(door, event_id, tier_id, buyers)


async def test_orders_of_three_never_overfill_a_tier_of_ten(grpc_clients: GrpcClients) -> None:
    door = GrpcDoor(grpc_clients)
    event_id, tier_id = await on_sale_tier(door, capacity=10, max_per_order=3)
    buyers = await _buyers(door, 30)

    codes = await asyncio.gather(
        *(_grpc_purchase(grpc_clients, event_id, b, tier_id, quantity=3) for b in buyers)
    )

    successes = codes.count(grpc.StatusCode.OK)
    assert set(codes) == {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert successes >= 1
    assert 3 * successes <= 10
    # All or nothing: with 30 buyers, orders keep landing until fewer than 3 seats remain.
    assert successes == 3
    sold, available = await tier_counts(door, event_id, tier_id)
    assert (sold, available) == (3 * successes, 10 - 3 * successes)
    held = await _tickets_sold_to(door, buyers)
    assert len(held) == len(set(held)) == sold

    # The last seat still sells to an order of one, and then nothing does.
    last, late = buyers[0], buyers[1]
    assert await _grpc_purchase(grpc_clients, event_id, last, tier_id) is grpc.StatusCode.OK
    assert (
        await _grpc_purchase(grpc_clients, event_id, late, tier_id)
        is grpc.StatusCode.RESOURCE_EXHAUSTED
    )
    assert await tier_counts(door, event_id, tier_id) == (10, 0)
