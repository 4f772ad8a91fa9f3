"""Small builders for integration tests: real rows through the real unit of work."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.ports import Holder, NewEvent, NewTicket, NewTicketType
from osmi.domain.catalog import Event, TicketType
from osmi.domain.identity import Customer
from osmi.domain.tickets import Ticket, TicketStatus, new_ticket_code
from osmi.domain.values import Money


def soon(**delta: float) -> datetime:
    return datetime.now(UTC) + timedelta(**delta)


def new_event(**changes: Any) -> NewEvent:
    event = NewEvent(
        name="Concert",
        description="A night of music",
        short_description="Music",
        starts_at=soon(days=30),
        ends_at=soon(days=30, hours=3),
        location="Main hall",
        venue_details="Door B",
        genre="music",
        tags=("live", "late"),
        is_active=True,
        is_published=True,
        image_url="",
        banner_url="",
        max_attendees=0,
    )
    return replace(event, **changes)


def new_tier(event: Event, **changes: Any) -> NewTicketType:
    tier = NewTicketType(
        event_id=event.id,
        name="General",
        description="",
        price=Money(2500, "USD"),
        capacity=100,
        max_per_order=10,
        sales_start=None,
        sales_end=None,
        is_active=True,
        benefits=(),
    )
    return replace(tier, **changes)


async def add_event(uow: PostgresUnitOfWorkFactory, **changes: Any) -> Event:
    async with uow() as tx:
        event = await tx.events.add(new_event(**changes))
        await tx.commit()
    return event


async def add_tier(uow: PostgresUnitOfWorkFactory, event: Event, **changes: Any) -> TicketType:
    async with uow() as tx:
        tier = await tx.ticket_types.add(new_tier(event, **changes))
        await tx.commit()
    return tier


async def add_customer(
    uow: PostgresUnitOfWorkFactory, email: str = "buyer@example.com"
) -> Customer:
    async with uow() as tx:
        customer = await tx.customers.add("Buyer", email, "")
        await tx.commit()
    return customer


async def issue(
    uow: PostgresUnitOfWorkFactory, tier: TicketType, holder: Holder, count: int = 1
) -> list[Ticket]:
    """Sold tickets written straight through the repository (no seat count)."""
    async with uow() as tx:
        tickets = await tx.tickets.add_many(
            [
                NewTicket(
                    code=new_ticket_code(),
                    event_id=tier.event_id,
                    ticket_type_id=tier.id,
                    holder=holder,
                    price=tier.price,
                    status=TicketStatus.SOLD,
                )
                for _ in range(count)
            ]
        )
        await tx.commit()
    return tickets


async def scalar(engine: AsyncEngine, query: str, **params: Any) -> Any:
    async with engine.connect() as conn:
        return await conn.scalar(text(query), params)


async def execute(engine: AsyncEngine, statement: str, **params: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(text(statement), params)
