"""Scanning tickets at the door: admit once, explain the rest, record every scan."""

from __future__ import annotations

from dataclasses import replace
from uuid import uuid4

import pytest
from app_fakes import NOW, FakeUnitOfWorkFactory, FixedClock

from osmi.application.checkin import MAX_CODE_LENGTH, CheckInService, ScanTicket
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.domain.catalog import Event
from osmi.domain.errors import InvalidArgument, NotFound
from osmi.domain.tickets import RejectionReason, ScanOutcome, Ticket, TicketStatus


@pytest.fixture
def checkin(uow: FakeUnitOfWorkFactory, clock: FixedClock) -> CheckInService:
    return CheckInService(uow, clock)


@pytest.fixture
async def event(uow: FakeUnitOfWorkFactory) -> Event:
    return await uow.add_event()


@pytest.fixture
async def ticket(uow: FakeUnitOfWorkFactory, clock: FixedClock, event: Event) -> Ticket:
    tier = await uow.add_tier(event)
    buyer = await uow.add_customer()
    sales = SalesService(uow, clock)
    [ticket] = await sales.purchase(
        PurchaseTickets(event.public_id, buyer.public_id, tier.public_id, 1)
    )
    return ticket


def stored(uow: FakeUnitOfWorkFactory, code: str) -> Ticket:
    [found] = [t for t in uow.store.tickets.values() if t.code == code]
    return found


async def test_a_sold_ticket_is_admitted_and_marked_used(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, event: Event, ticket: Ticket
) -> None:
    result = await checkin.scan(ScanTicket(event.public_id, ticket.code, "north-1"))
    assert result.outcome is ScanOutcome.ADMITTED
    assert result.reason is None
    assert result.scanned_at == NOW
    assert result.ticket is not None
    assert result.ticket.public_id == ticket.public_id
    assert result.message == "Admitted"
    used = stored(uow, ticket.code)
    assert (used.status, used.checked_in_at, used.checked_in_gate) == (
        TicketStatus.USED,
        NOW,
        "north-1",
    )
    assert uow.store.scans == [
        {
            "code": ticket.code,
            "event_public_id": event.public_id,
            "gate": "north-1",
            "outcome": "admitted",
            "reason": None,
            "ticket_public_id": ticket.public_id,
            "scanned_at": NOW,
        }
    ]


async def test_loosely_typed_codes_are_admitted(
    checkin: CheckInService, event: Event, ticket: Ticket
) -> None:
    typed = f"  {ticket.code.lower()[:8]} {ticket.code.lower()[8:]} "
    result = await checkin.scan(ScanTicket(event.public_id, typed, "north-1"))
    assert result.outcome is ScanOutcome.ADMITTED


async def test_a_second_scan_is_already_used_and_names_the_first_gate(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, event: Event, ticket: Ticket
) -> None:
    await checkin.scan(ScanTicket(event.public_id, ticket.code, "north-1"))
    again = await checkin.scan(ScanTicket(event.public_id, ticket.code, "south-2"))
    assert again.outcome is ScanOutcome.ALREADY_USED
    assert again.message == "Already used at gate north-1"
    assert [s["outcome"] for s in uow.store.scans] == ["admitted", "already_used"]
    assert uow.store.scans[1]["gate"] == "south-2"
    assert uow.store.scans[1]["ticket_public_id"] == ticket.public_id
    assert stored(uow, ticket.code).checked_in_gate == "north-1"


async def test_an_unknown_code_is_rejected_and_recorded(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    result = await checkin.scan(ScanTicket(event.public_id, "OSM-NOPE", "north-1"))
    assert (result.outcome, result.reason) == (ScanOutcome.REJECTED, RejectionReason.UNKNOWN_CODE)
    assert result.ticket is None
    [scan] = uow.store.scans
    assert (scan["outcome"], scan["reason"], scan["ticket_public_id"]) == (
        "rejected",
        "unknown_code",
        None,
    )


async def test_a_ticket_for_another_event_is_rejected_and_stays_sold(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, ticket: Ticket
) -> None:
    other = await uow.add_event(name="Other")
    result = await checkin.scan(ScanTicket(other.public_id, ticket.code, "north-1"))
    assert (result.outcome, result.reason) == (ScanOutcome.REJECTED, RejectionReason.WRONG_EVENT)
    assert stored(uow, ticket.code).status is TicketStatus.SOLD
    [scan] = uow.store.scans
    assert (scan["reason"], scan["event_public_id"]) == ("wrong_event", other.public_id)


async def test_a_cancelled_ticket_is_rejected(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, event: Event, ticket: Ticket
) -> None:
    [ticket_id] = uow.store.tickets
    uow.store.tickets[ticket_id] = replace(ticket, status=TicketStatus.CANCELLED)
    result = await checkin.scan(ScanTicket(event.public_id, ticket.code, "north-1"))
    assert (result.outcome, result.reason) == (ScanOutcome.REJECTED, RejectionReason.CANCELLED)
    assert [s["reason"] for s in uow.store.scans] == ["cancelled"]


async def test_every_scan_is_recorded(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, event: Event, ticket: Ticket
) -> None:
    codes = [ticket.code, ticket.code, "OSM-0000", ticket.code]
    for i, code in enumerate(codes):
        await checkin.scan(ScanTicket(event.public_id, code, f"gate-{i}"))
    assert [s["outcome"] for s in uow.store.scans] == [
        "admitted",
        "already_used",
        "rejected",
        "already_used",
    ]
    assert [s["gate"] for s in uow.store.scans] == ["gate-0", "gate-1", "gate-2", "gate-3"]
    assert uow.commits >= len(codes)


@pytest.mark.parametrize(
    ("code", "gate", "field"),
    [
        ("", "north-1", "code"),
        ("   ", "north-1", "code"),
        ("X" * (MAX_CODE_LENGTH + 1), "north-1", "code"),
        ("OSM-0000", "", "gate"),
        ("OSM-0000", "g" * 101, "gate"),
    ],
)
async def test_bad_scans_name_the_field_and_record_nothing(
    checkin: CheckInService, uow: FakeUnitOfWorkFactory, code: str, gate: str, field: str
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await checkin.scan(ScanTicket(uuid4(), code, gate))
    assert [v.field for v in exc.value.violations] == [field]
    assert uow.store.scans == []


async def test_get_ticket_by_loosely_typed_code(checkin: CheckInService, ticket: Ticket) -> None:
    assert await checkin.get_ticket(ticket.code.lower()) == ticket


async def test_get_unknown_ticket_is_not_found(checkin: CheckInService) -> None:
    with pytest.raises(NotFound) as exc:
        await checkin.get_ticket(" osm-zzzz ")
    assert (exc.value.resource, exc.value.key) == ("ticket", "OSM-ZZZZ")
