"""Tickets on real PostgreSQL: issue, list by holder, find by code, admit once."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import pytest
from factories import add_customer, add_event, add_tier, execute, issue, scalar, soon
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.ports import Holder
from osmi.domain.catalog import Event, TicketType
from osmi.domain.identity import Role
from osmi.domain.tickets import TicketStatus

pytestmark = pytest.mark.integration


@pytest.fixture
def uow(engine: AsyncEngine) -> PostgresUnitOfWorkFactory:
    return PostgresUnitOfWorkFactory(engine)


@pytest.fixture
async def event(uow: PostgresUnitOfWorkFactory) -> Event:
    return await add_event(uow)


@pytest.fixture
async def tier(uow: PostgresUnitOfWorkFactory, event: Event) -> TicketType:
    return await add_tier(uow, event, name="VIP")


async def user_holder(uow: PostgresUnitOfWorkFactory, email: str = "ada@example.com") -> Holder:
    async with uow() as tx:
        user = await tx.users.add("Ada", email, "hash", Role.CUSTOMER)
        holder = await tx.holders.find(user.public_id)
        await tx.commit()
    assert holder is not None
    return holder


async def customer_holder(uow: PostgresUnitOfWorkFactory, email: str = "lin@example.com") -> Holder:
    customer = await add_customer(uow, email)
    return Holder(customer.public_id, customer_id=customer.id)


async def test_add_many_returns_tickets_with_their_event_and_tier(
    uow: PostgresUnitOfWorkFactory, event: Event, tier: TicketType
) -> None:
    holder = await user_holder(uow)
    tickets = await issue(uow, tier, holder, 3)
    assert len(tickets) == 3
    assert len({t.code for t in tickets}) == 3
    assert len({t.public_id for t in tickets}) == 3
    for ticket in tickets:
        assert ticket.status is TicketStatus.SOLD
        assert ticket.price == tier.price
        assert (ticket.event_public_id, ticket.event_name) == (event.public_id, event.name)
        assert (ticket.event_starts_at, ticket.event_location) == (event.starts_at, event.location)
        assert (ticket.ticket_type_public_id, ticket.ticket_type_name) == (tier.public_id, "VIP")
        assert ticket.holder_public_id == holder.public_id
        assert (ticket.checked_in_at, ticket.checked_in_gate) == (None, None)


async def test_add_many_of_nothing_is_nothing(uow: PostgresUnitOfWorkFactory) -> None:
    async with uow() as tx:
        assert await tx.tickets.add_many([]) == []


async def test_list_for_holder_separates_users_and_customers(
    uow: PostgresUnitOfWorkFactory, tier: TicketType
) -> None:
    user = await user_holder(uow)
    customer = await customer_holder(uow)
    # The first user and the first customer may share a numeric id: they must not mix.
    mine = await issue(uow, tier, user, 2)
    theirs = await issue(uow, tier, customer, 1)
    mine += await issue(uow, tier, user, 1)
    async with uow() as tx:
        assert await tx.tickets.list_for_holder(user) == mine
        assert await tx.tickets.list_for_holder(customer) == theirs
        nobody = await customer_holder(uow, "nobody@example.com")
        assert await tx.tickets.list_for_holder(nobody) == []


async def test_get_by_code(uow: PostgresUnitOfWorkFactory, tier: TicketType) -> None:
    [ticket] = await issue(uow, tier, await customer_holder(uow))
    async with uow() as tx:
        assert await tx.tickets.get_by_code(ticket.code) == ticket
        assert await tx.tickets.get_by_code(ticket.code.lower()) is None  # callers normalise
        assert await tx.tickets.get_by_code("OSM-0000-0000-0000-0000") is None


async def test_admit_happens_exactly_once(
    uow: PostgresUnitOfWorkFactory, event: Event, tier: TicketType
) -> None:
    [ticket] = await issue(uow, tier, await customer_holder(uow))
    at = soon()
    async with uow() as tx:
        admitted = await tx.tickets.admit(ticket.code, event.public_id, "north-1", at)
        again = await tx.tickets.admit(ticket.code, event.public_id, "north-2", at)
        await tx.commit()
    assert admitted is not None
    assert admitted.public_id == ticket.public_id
    assert (admitted.status, admitted.checked_in_at, admitted.checked_in_gate) == (
        TicketStatus.USED,
        at,
        "north-1",
    )
    assert again is None
    async with uow() as tx:
        assert await tx.tickets.admit(ticket.code, event.public_id, "x", at) is None
        assert await tx.tickets.get_by_code(ticket.code) == admitted


async def test_admit_refuses_other_events_and_unknown_codes(
    uow: PostgresUnitOfWorkFactory, tier: TicketType
) -> None:
    [ticket] = await issue(uow, tier, await customer_holder(uow))
    other = await add_event(uow, name="Other")
    async with uow() as tx:
        assert await tx.tickets.admit(ticket.code, other.public_id, "g", soon()) is None
        assert await tx.tickets.admit(ticket.code, uuid4(), "g", soon()) is None
        assert await tx.tickets.admit("OSM-NOPE", tier.event_public_id, "g", soon()) is None
        found = await tx.tickets.get_by_code(ticket.code)
    assert found is not None
    assert found.status is TicketStatus.SOLD


async def test_admit_refuses_cancelled_tickets(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, event: Event, tier: TicketType
) -> None:
    [ticket] = await issue(uow, tier, await customer_holder(uow))
    await execute(engine, "UPDATE tickets SET status = 'cancelled' WHERE code = :c", c=ticket.code)
    async with uow() as tx:
        assert await tx.tickets.admit(ticket.code, event.public_id, "g", soon()) is None


async def test_record_scan_links_known_tickets(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, event: Event, tier: TicketType
) -> None:
    [ticket] = await issue(uow, tier, await customer_holder(uow))
    at = soon(minutes=-1)
    async with uow() as tx:
        await tx.tickets.record_scan(
            code=ticket.code,
            event_public_id=event.public_id,
            gate="north-1",
            outcome="admitted",
            reason=None,
            ticket_public_id=ticket.public_id,
            scanned_at=at,
        )
        await tx.tickets.record_scan(
            code="OSM-NOPE",
            event_public_id=event.public_id,
            gate="north-1",
            outcome="rejected",
            reason="unknown_code",
            ticket_public_id=None,
            scanned_at=at + timedelta(seconds=1),
        )
        await tx.commit()
    async with engine.connect() as conn:
        rows = (
            await conn.exec_driver_sql(
                "SELECT c.code, c.outcome, c.reason, t.public_id, c.scanned_at"
                " FROM check_ins c LEFT JOIN tickets t ON t.id = c.ticket_id ORDER BY c.id"
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (ticket.code, "admitted", None, ticket.public_id, at),
        ("OSM-NOPE", "rejected", "unknown_code", None, at + timedelta(seconds=1)),
    ]
    assert await scalar(engine, "SELECT count(*) FROM check_ins") == 2
