"""The door: a ticket is admitted exactly once, however many gates scan it at once."""

from __future__ import annotations

import asyncio

import httpx

from .helpers import Door, GrpcDoor, Json, RestDoor, buy, create_customer, on_sale_tier
from .server import GrpcClients


async def _sold_codes(door: Door, count: int) -> tuple[str, list[str]]:
    """An event and the codes of ``count`` tickets sold for it."""
    event_id, tier_id = await on_sale_tier(door, capacity=count, max_per_order=count)
    buyer = await create_customer(door)
    await buy(door, event_id, buyer["publicId"], tier_id, quantity=count)
    tickets = await door.call("ListTickets", {"user_id": buyer["publicId"]})
    return event_id, [t["code"] for t in tickets["tickets"]]


def _scan(door: Door, event_id: str, code: str, gate: str) -> asyncio.Future[Json]:
    request = {"event_id": event_id, "code": code, "gate": gate}
    return asyncio.ensure_future(door.call("CheckInTicket", request))


def _winner_and_loser(gates: tuple[str, str], answers: tuple[Json, Json]) -> tuple[str, Json, Json]:
    """Checks one ADMITTED and one ALREADY_USED; returns (winning gate, winner, loser)."""
    outcomes = sorted(a["outcome"] for a in answers)
    assert outcomes == ["ADMITTED", "ALREADY_USED"], answers
    won = 0 if answers[0]["outcome"] == "ADMITTED" else 1
    winner, loser = answers[won], answers[1 - won]
    gate = gates[won]
    assert winner["reason"] == loser["reason"] == "REJECTION_REASON_UNSPECIFIED"
    assert winner["ticket"]["state"] == "TICKET_STATE_USED"
    assert winner["ticket"]["checkInGate"] == gate
    assert winner["ticket"]["checkInTime"] == winner["scanTime"]
    assert loser["firstCheckInGate"] == gate
    assert loser["firstCheckInTime"] == winner["scanTime"]
    assert loser["ticket"]["code"] == winner["ticket"]["code"]
    assert gate in loser["message"]
    return gate, winner, loser


async def _assert_used_at(door: Door, code: str, gate: str, winner: Json) -> None:
    ticket = await door.call("GetTicket", {"code": code})
    assert ticket["state"] == "TICKET_STATE_USED"
    assert ticket["checkInGate"] == gate
    assert ticket["checkInTime"] == winner["scanTime"]


async def test_two_gates_scan_one_ticket_at_once(grpc_clients: GrpcClients) -> None:
    door = GrpcDoor(grpc_clients)
    event_id, (code,) = await _sold_codes(door, 1)
    before = await door.call("GetTicket", {"code": code})
    assert before["state"] == "TICKET_STATE_SOLD"
    assert before["checkInGate"] == ""

    gates = ("north-1", "south-2")
    answers = await asyncio.gather(*(_scan(door, event_id, code, g) for g in gates))

    gate, winner, _ = _winner_and_loser(gates, (answers[0], answers[1]))
    await _assert_used_at(door, code, gate, winner)
    # A later scan, even at the winning gate, still names the first admission.
    later = await door.call("CheckInTicket", {"event_id": event_id, "code": code, "gate": gate})
    assert later["outcome"] == "ALREADY_USED"
    assert (later["firstCheckInGate"], later["firstCheckInTime"]) == (gate, winner["scanTime"])


async def test_twenty_tickets_two_gates_each(grpc_clients: GrpcClients) -> None:
    door = GrpcDoor(grpc_clients)
    event_id, codes = await _sold_codes(door, 20)
    gates = ("east", "west")

    answers = await asyncio.gather(
        *(_scan(door, event_id, code, gate) for code in codes for gate in gates)
    )

    for i, code in enumerate(codes):
        pair = (answers[2 * i], answers[2 * i + 1])
        assert {a["ticket"]["code"] for a in pair} == {code}
        gate, winner, _ = _winner_and_loser(gates, pair)
        await _assert_used_at(door, code, gate, winner)


async def test_rest_and_grpc_gates_scan_at_once(
    grpc_clients: GrpcClients, http: httpx.AsyncClient
) -> None:
    grpc_door, rest_door = GrpcDoor(grpc_clients), RestDoor(http)
    event_id, codes = await _sold_codes(grpc_door, 10)
    gates = ("rest-gate", "grpc-gate")
    for code in codes:
        answers = await asyncio.gather(
            _scan(rest_door, event_id, code, gates[0]), _scan(grpc_door, event_id, code, gates[1])
        )
        gate, winner, _ = _winner_and_loser(gates, (answers[0], answers[1]))
        await _assert_used_at(rest_door, code, gate, winner)


async def test_unknown_code_is_rejected(grpc_clients: GrpcClients, http: httpx.AsyncClient) -> None:
    event_id, _ = await _sold_codes(GrpcDoor(grpc_clients), 1)
    for door in (GrpcDoor(grpc_clients), RestDoor(http)):
        answer = await door.call(
            "CheckInTicket",
            {"event_id": event_id, "code": "OSM-0000-0000-0000-0000", "gate": "north-1"},
        )
        assert answer["outcome"] == "REJECTED"
        assert answer["reason"] == "UNKNOWN_CODE"
        assert "ticket" not in answer
        assert answer["firstCheckInGate"] == ""


async def test_ticket_of_another_event_is_rejected_and_stays_valid(
    grpc_clients: GrpcClients, http: httpx.AsyncClient
) -> None:
    door = GrpcDoor(grpc_clients)
    event_id, (code,) = await _sold_codes(door, 1)
    other_event_id, _ = await _sold_codes(door, 1)

    for each in (door, RestDoor(http)):
        answer = await each.call(
            "CheckInTicket", {"event_id": other_event_id, "code": code, "gate": "north-1"}
        )
        assert answer["outcome"] == "REJECTED"
        assert answer["reason"] == "WRONG_EVENT"
        assert answer["ticket"]["eventId"] == event_id
        assert answer["ticket"]["state"] == "TICKET_STATE_SOLD"

    # The wrong door did not use the ticket up; scanners may send it in lower case.
    ticket = await door.call("GetTicket", {"code": code})
    assert ticket["state"] == "TICKET_STATE_SOLD"
    answer = await door.call(
        "CheckInTicket", {"event_id": event_id, "code": f" {code.lower()} ", "gate": "north-1"}
    )
    assert answer["outcome"] == "ADMITTED"
    assert answer["ticket"]["code"] == code
