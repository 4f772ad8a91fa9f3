"""Contention that once surfaced as internal errors: lock order and an exhausted pool."""

from __future__ import annotations

import asyncio

import pytest
from factories import add_customer, add_event, add_tier, scalar
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.clock import SystemClock
from osmi.adapters.postgres.engine import create_engine
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.catalog import CatalogService
from osmi.application.ports import TierDraft
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.domain.errors import Unavailable

pytestmark = pytest.mark.integration


async def test_tier_edits_racing_purchases_never_deadlock(engine: AsyncEngine) -> None:
    # An edit locks the event then the tier; a purchase updates the tier, then its
    # ticket rows take a foreign-key lock on the event. With the event locked
    # FOR UPDATE these two orders deadlocked; FOR NO KEY UPDATE does not.
    uow = PostgresUnitOfWorkFactory(engine)
    sales, catalog = SalesService(uow, SystemClock()), CatalogService(uow, SystemClock())
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=10_000, max_per_order=10)
    buyer = await add_customer(uow)

    purchases = [
        sales.purchase(PurchaseTickets(event.public_id, buyer.public_id, tier.public_id, 1))
        for _ in range(60)
    ]
    edits = [
        catalog.update_tier(
            event.public_id, tier.public_id, TierDraft(capacity=10_000 - i), ["capacity"]
        )
        for i in range(30)
    ]
    results = await asyncio.gather(*purchases, *edits, return_exceptions=True)

    assert [r for r in results if isinstance(r, BaseException)] == []
    sold = await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id)
    assert sold == 60 == await scalar(engine, "SELECT count(*) FROM tickets")


async def test_an_exhausted_pool_is_unavailable_not_an_internal_error(
    fresh_database: str,
) -> None:
    url = "postgresql+psycopg" + fresh_database.removeprefix("postgresql")
    tiny = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    uow = PostgresUnitOfWorkFactory(tiny)
    try:
        event = await add_event(uow)
        tier = await add_tier(uow, event)
        buyer = await add_customer(uow)
        sales = SalesService(uow, SystemClock())
        async with tiny.connect() as held:  # the only connection, taken
            await held.execute(text("SELECT 1"))
            with pytest.raises(Unavailable, match="busy"):
                await sales.purchase(
                    PurchaseTickets(event.public_id, buyer.public_id, tier.public_id, 1)
                )
    finally:
        await tiny.dispose()
