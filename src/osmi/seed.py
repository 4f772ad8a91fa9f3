"""Demo data for a fresh Osmi: an organizer, two venues, three events.

Loaded through the same use cases the API uses, so the data obeys every
rule. Running it twice changes nothing: it stops when the organizer exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.clock import SystemClock
from osmi.adapters.postgres import tables as t
from osmi.adapters.postgres.engine import create_engine
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.adapters.security.passwords import Argon2idHasher
from osmi.application.catalog import CatalogService
from osmi.application.identity import IdentityService, RegisterCustomer, RegisterUser
from osmi.application.ports import NewEvent, TierDraft
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.domain.errors import AlreadyExists
from osmi.domain.values import Money

ORGANIZER_EMAIL = "organizer@demo.osmi.dev"
# Shown in the README: a demo account, not a secret.
ORGANIZER_PASSWORD = "demo-organizer-2027"  # noqa: S105


@dataclass(frozen=True)
class _Venue:
    name: str
    address: str
    city: str
    country_code: str
    time_zone: str
    capacity: int


VENUES = (
    _Venue("Foro Aurora", "Av. Insurgentes Sur 1500", "Ciudad de México", "MX",
           "America/Mexico_City", 3000),
    _Venue("The Blue Loft", "210 Bleecker St", "New York", "US", "America/New_York", 120),
)  # fmt: skip


def _local(zone: str, days_ahead: int, hour: int) -> datetime:
    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=days_ahead)
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZoneInfo(zone))


async def _add_venues(engine: AsyncEngine) -> list[UUID]:
    async with engine.begin() as conn:
        rows = [v.__dict__ for v in VENUES]
        result = await conn.execute(insert(t.venues).returning(t.venues.c.public_id), rows)
        return list(result.scalars())


async def _already_seeded(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        found = await conn.scalar(select(t.users.c.id).where(t.users.c.email == ORGANIZER_EMAIL))
    return found is not None


def _event(name: str, venue: UUID, zone: str, days: int, **fields: Any) -> NewEvent:
    starts = _local(zone, days, 20)
    defaults: dict[str, Any] = {
        "description": "", "short_description": "", "venue_details": "", "tags": (),
        "is_active": True, "is_published": True, "image_url": "", "banner_url": "",
        "max_attendees": 0, "genre": "music",
    }  # fmt: skip
    defaults.update(fields)
    return NewEvent(
        name=name, starts_at=starts, ends_at=starts + timedelta(hours=4),
        venue_id=venue, **defaults,
    )  # fmt: skip


def _tier(name: str, minor: int, currency: str, capacity: int, **fields: Any) -> TierDraft:
    return TierDraft(name=name, price=Money(minor, currency), capacity=capacity, **fields)


async def load_demo_data(sqlalchemy_url: str) -> dict[str, Any]:
    engine = create_engine(sqlalchemy_url, pool_size=2, max_overflow=0, pool_timeout=30)
    try:
        if await _already_seeded(engine):
            return {"seeded": False, "reason": "demo organizer already exists"}
        return await _seed(engine)
    finally:
        await engine.dispose()


async def _seed(engine: AsyncEngine) -> dict[str, Any]:
    uow, clock = PostgresUnitOfWorkFactory(engine), SystemClock()
    identity = IdentityService(uow, Argon2idHasher())
    catalog, sales = CatalogService(uow, clock), SalesService(uow, clock)
    try:
        organizer = await identity.register_user(
            RegisterUser("Producciones Aurora", ORGANIZER_EMAIL, ORGANIZER_PASSWORD, "organizer")
        )
    except AlreadyExists:  # another seed run got here first
        return {"seeded": False, "reason": "demo organizer already exists"}
    foro, loft = await _add_venues(engine)

    on_sale = await catalog.create_event(
        _event(
            "Festival Sonoro 2027", foro, "America/Mexico_City", 60,
            location="Foro Aurora, Ciudad de México", tags=("festival", "rock", "pop"),
            short_description="Dos escenarios, doce bandas.", organizer_id=organizer.public_id,
        )
    )  # fmt: skip
    for tier in (
        _tier("General", 65000, "MXN", 2000, max_per_order=8),
        _tier("Preferente", 120000, "MXN", 500, max_per_order=6),
        _tier("VIP", 350000, "MXN", 80, max_per_order=4,
              benefits=("Acceso anticipado", "Zona exclusiva", "Bebida de cortesía")),
    ):  # fmt: skip
        await catalog.create_tier(on_sale.public_id, tier)

    sold_out = await catalog.create_event(
        _event(
            "Jazz at the Loft", loft, "America/New_York", 21, genre="jazz",
            location="The Blue Loft, New York", max_attendees=40, tags=("jazz",),
            organizer_id=organizer.public_id,
        )
    )  # fmt: skip
    sold_tiers = [
        await catalog.create_tier(sold_out.public_id, _tier("Standing", 4500, "USD", 30)),
        await catalog.create_tier(sold_out.public_id, _tier("Table", 12000, "USD", 10)),
    ]
    sold = await _sell_out(identity, sales, sold_out.public_id, sold_tiers)

    draft = await catalog.create_event(
        _event(
            "Stand-up en Español: Gira 2027", loft, "America/New_York", 90, genre="comedy",
            location="The Blue Loft, New York", is_published=False,
            organizer_id=organizer.public_id,
        )
    )  # fmt: skip
    await catalog.create_tier(draft.public_id, _tier("General", 2500, "USD", 100))
    await catalog.create_tier(draft.public_id, _tier("Preventa", 30000, "MXN", 20))

    return {
        "seeded": True,
        "organizer_email": ORGANIZER_EMAIL,
        "on_sale_event": str(on_sale.public_id),
        "sold_out_event": str(sold_out.public_id),
        "draft_event": str(draft.public_id),
        "tickets_sold": sold,
    }


async def _sell_out(
    identity: IdentityService, sales: SalesService, event_id: UUID, tiers: list[Any]
) -> int:
    sold = 0
    for index, tier in enumerate(tiers):
        remaining = tier.capacity
        while remaining:
            buyer = await identity.register_customer(
                RegisterCustomer(f"Demo Buyer {index}-{sold}", f"buyer{index}-{sold}@demo.osmi.dev")
            )
            quantity = min(remaining, tier.max_per_order)
            await sales.purchase(
                PurchaseTickets(event_id, buyer.public_id, tier.public_id, quantity)
            )
            remaining -= quantity
            sold += quantity
    return sold
