"""Events and tiers on real PostgreSQL: totals, paging, updates, names and seats."""

from __future__ import annotations

from uuid import uuid4

import pytest
from factories import add_event, add_tier, execute, new_event, new_tier, scalar, soon
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.clock import SystemClock
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.catalog import CatalogService
from osmi.application.ports import TierChanges, TierDraft
from osmi.domain.errors import AlreadyExists, InvalidState
from osmi.domain.values import Money

pytestmark = pytest.mark.integration


@pytest.fixture
def uow(engine: AsyncEngine) -> PostgresUnitOfWorkFactory:
    return PostgresUnitOfWorkFactory(engine)


@pytest.fixture
def catalog(uow: PostgresUnitOfWorkFactory) -> CatalogService:
    return CatalogService(uow, SystemClock())


# --- Events ----------------------------------------------------------------------------


async def test_add_and_get_an_event(uow: PostgresUnitOfWorkFactory) -> None:
    draft = new_event()
    async with uow() as tx:
        event = await tx.events.add(draft)
        await tx.commit()
    assert (event.name, event.location, event.tags) == ("Concert", "Main hall", ("live", "late"))
    assert event.starts_at == draft.starts_at
    assert event.ends_at == draft.ends_at
    assert (event.total_tickets, event.tickets_sold) == (0, 0)
    async with uow() as tx:
        assert await tx.events.get(event.public_id) == event
        assert await tx.events.get(event.public_id, for_update=True) == event
        assert await tx.events.get(uuid4()) is None


async def test_event_totals_sum_capacity_and_sold_over_its_tiers(
    uow: PostgresUnitOfWorkFactory,
) -> None:
    event = await add_event(uow)
    other = await add_event(uow, name="Other")
    vip = await add_tier(uow, event, name="VIP", capacity=10)
    ga = await add_tier(uow, event, name="GA", capacity=25)
    await add_tier(uow, other, name="GA", capacity=1000)
    async with uow() as tx:
        assert await tx.ticket_types.take_seats(vip.id, 3, soon())
        assert await tx.ticket_types.take_seats(ga.id, 5, soon())
        assert await tx.ticket_types.take_seats(ga.id, 2, soon())
        await tx.commit()
    async with uow() as tx:
        shown = await tx.events.get(event.public_id)
        locked = await tx.events.get(event.public_id, for_update=True)
        listed = {e.public_id: e for e in await tx.events.list(10)}
    assert shown is not None
    assert (shown.total_tickets, shown.tickets_sold) == (35, 10)
    assert locked == shown
    assert listed[event.public_id] == shown
    assert (listed[other.public_id].total_tickets, listed[other.public_id].tickets_sold) == (
        1000,
        0,
    )


async def test_events_list_by_start_then_creation(uow: PostgresUnitOfWorkFactory) -> None:
    later = await add_event(uow, name="Later", starts_at=soon(days=40), ends_at=soon(days=41))
    early = await add_event(uow, name="Early", starts_at=soon(days=10), ends_at=soon(days=11))
    async with uow() as tx:
        assert [e.name for e in await tx.events.list(10)] == [early.name, later.name]
        assert [e.name for e in await tx.events.list(1)] == [early.name]


# --- Tiers -----------------------------------------------------------------------------


async def test_add_and_get_a_tier(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    request = uuid4()
    async with uow() as tx:
        tier = await tx.ticket_types.add(
            new_tier(
                event,
                name="VIP",
                price=Money(1234, "KWD"),
                capacity=50,
                max_per_order=4,
                sales_start=soon(days=-1),
                sales_end=soon(days=1),
                benefits=("lounge", "parking"),
                request_id=request,
            )
        )
        await tx.commit()
    assert tier.event_public_id == event.public_id
    assert tier.price == Money(1234, "KWD")
    assert (tier.capacity, tier.sold, tier.reserved, tier.max_per_order) == (50, 0, 0, 4)
    assert tier.benefits == ("lounge", "parking")
    async with uow() as tx:
        assert await tx.ticket_types.get(tier.public_id) == tier
        assert await tx.ticket_types.get(tier.public_id, for_update=True) == tier
        assert await tx.ticket_types.get_by_request_id(request) == tier
        assert await tx.ticket_types.get_by_request_id(uuid4()) is None
        assert await tx.ticket_types.get(uuid4()) is None


async def test_list_for_event_pages_in_creation_order(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    other = await add_event(uow, name="Other")
    created = []
    for i, name in enumerate(["Zeta", "alpha", "Mid", "Beta", "omega"]):
        created.append(await add_tier(uow, event, name=name, capacity=i + 1))
        await add_tier(uow, other, name=name)
    async with uow() as tx:
        everything = await tx.ticket_types.list_for_event(event.id)
        first = await tx.ticket_types.list_for_event(event.id, limit=2)
        second = await tx.ticket_types.list_for_event(event.id, after_id=first[-1].id, limit=2)
        third = await tx.ticket_types.list_for_event(event.id, after_id=second[-1].id, limit=2)
    assert [t.public_id for t in everything] == [t.public_id for t in created]
    assert [t.name for t in [*first, *second, *third]] == ["Zeta", "alpha", "Mid", "Beta", "omega"]
    assert len(third) == 1


async def test_service_pages_through_real_tiers(
    uow: PostgresUnitOfWorkFactory, catalog: CatalogService
) -> None:
    event = await add_event(uow)
    for i in range(5):
        await add_tier(uow, event, name=f"T{i}")
    page = await catalog.list_tiers(event.public_id, page_size=2, after_id=None)
    names = [t.name for t in page.tiers]
    while page.next_after_id is not None:
        page = await catalog.list_tiers(event.public_id, page_size=2, after_id=page.next_after_id)
        names += [t.name for t in page.tiers]
    assert names == ["T0", "T1", "T2", "T3", "T4"]


async def test_tier_names_are_unique_per_event_ignoring_case(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    event = await add_event(uow)
    other = await add_event(uow, name="Other")
    await add_tier(uow, event, name="VIP")
    async with uow() as tx:
        with pytest.raises(AlreadyExists) as exc:
            await tx.ticket_types.add(new_tier(event, name="vip"))
        assert (exc.value.resource, exc.value.field, exc.value.value) == (
            "ticket type",
            "display_name",
            "vip",
        )
        # Still usable, and the same name is fine for another event.
        await tx.ticket_types.add(new_tier(other, name="VIP"))
        await tx.ticket_types.add(new_tier(event, name="GA"))
        await tx.commit()
    assert await scalar(engine, "SELECT count(*) FROM ticket_types") == 3


async def test_update_writes_only_the_named_fields(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, name="VIP", benefits=("lounge",), description="old")
    values = TierDraft(
        name="Gold",
        description="ignored",
        price=Money(500, "EUR"),
        capacity=70,
        benefits=("bar", "parking"),
        sales_end=soon(days=2),
    )
    changes = TierChanges(values, frozenset({"name", "price", "capacity", "benefits"}))
    async with uow() as tx:
        updated = await tx.ticket_types.update(tier.id, changes)
        await tx.commit()
    assert (updated.name, updated.price, updated.capacity) == ("Gold", Money(500, "EUR"), 70)
    assert updated.benefits == ("bar", "parking")
    assert (updated.description, updated.sales_end) == ("old", None)
    assert updated.updated_at is not None
    assert tier.updated_at is not None
    assert updated.updated_at >= tier.updated_at
    async with uow() as tx:
        assert await tx.ticket_types.get(tier.public_id) == updated


async def test_update_can_clear_the_sale_window_and_benefits(
    uow: PostgresUnitOfWorkFactory,
) -> None:
    event = await add_event(uow)
    tier = await add_tier(
        uow, event, sales_start=soon(days=-1), sales_end=soon(days=1), benefits=("x",)
    )
    changes = TierChanges(TierDraft(), frozenset({"sales_start", "sales_end", "benefits"}))
    async with uow() as tx:
        updated = await tx.ticket_types.update(tier.id, changes)
        await tx.commit()
    assert (updated.sales_start, updated.sales_end, updated.benefits) == (None, None, ())


async def test_renaming_onto_a_taken_name_already_exists(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    await add_tier(uow, event, name="VIP")
    tier = await add_tier(uow, event, name="GA")
    async with uow() as tx:
        with pytest.raises(AlreadyExists):
            await tx.ticket_types.update(
                tier.id, TierChanges(TierDraft(name="Vip"), frozenset({"name"}))
            )
        # The savepoint rolled back only the rename.
        renamed = await tx.ticket_types.update(
            tier.id, TierChanges(TierDraft(name="ga"), frozenset({"name"}))
        )
        await tx.commit()
    assert renamed.name == "ga"


async def test_total_capacity_with_and_without_a_tier(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    empty = await add_event(uow, name="Empty")
    a = await add_tier(uow, event, name="A", capacity=10)
    await add_tier(uow, event, name="B", capacity=32)
    async with uow() as tx:
        assert await tx.ticket_types.total_capacity(event.id) == 42
        assert await tx.ticket_types.total_capacity(event.id, excluding=a.id) == 32
        assert await tx.ticket_types.total_capacity(empty.id) == 0


async def test_service_creates_and_updates_tiers_on_postgres(
    uow: PostgresUnitOfWorkFactory, catalog: CatalogService
) -> None:
    event = await add_event(uow, max_attendees=100)
    request = uuid4()
    draft = TierDraft(name="VIP", price=Money(9900, "USD"), capacity=60)
    tier = await catalog.create_tier(event.public_id, draft, request_id=request)
    assert (tier.max_per_order, tier.is_active) == (10, True)
    assert await catalog.create_tier(event.public_id, draft, request_id=request) == tier

    async with uow() as tx:
        assert await tx.ticket_types.take_seats(tier.id, 20, soon())
        await tx.commit()
    with pytest.raises(InvalidState):
        await catalog.update_tier(
            event.public_id, tier.public_id, TierDraft(capacity=19), ["capacity"]
        )
    updated = await catalog.update_tier(
        event.public_id, tier.public_id, TierDraft(capacity=20), ["capacity"]
    )
    assert (updated.capacity, updated.sold) == (20, 20)


# --- Seats -----------------------------------------------------------------------------


async def test_take_seats_up_to_capacity_and_not_beyond(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=5)
    async with uow() as tx:
        assert await tx.ticket_types.take_seats(tier.id, 3, soon())
        assert not await tx.ticket_types.take_seats(tier.id, 3, soon())
        assert await tx.ticket_types.take_seats(tier.id, 2, soon())
        assert not await tx.ticket_types.take_seats(tier.id, 1, soon())
        await tx.commit()
    assert await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id) == 5


async def test_reserved_seats_count_against_capacity(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=5)
    await execute(engine, "UPDATE ticket_types SET reserved = 4 WHERE id = :id", id=tier.id)
    async with uow() as tx:
        assert not await tx.ticket_types.take_seats(tier.id, 2, soon())
        assert await tx.ticket_types.take_seats(tier.id, 1, soon())
        refreshed = await tx.ticket_types.get(tier.public_id)
    assert refreshed is not None
    assert (refreshed.sold, refreshed.reserved, refreshed.available) == (1, 4, 0)


@pytest.mark.parametrize(
    "changes",
    [
        {"is_active": False},
        {"sales_start": soon(days=1)},
        {"sales_end": soon(seconds=-1)},
        {"sales_start": soon(days=-2), "sales_end": soon(days=-1)},
    ],
    ids=["inactive", "not-started", "ended", "window-past"],
)
async def test_take_seats_refuses_tiers_off_sale(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, changes: dict[str, object]
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=5, **changes)
    async with uow() as tx:
        assert not await tx.ticket_types.take_seats(tier.id, 1, soon())
        await tx.commit()
    assert await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id) == 0


async def test_take_seats_window_edges(uow: PostgresUnitOfWorkFactory) -> None:
    event = await add_event(uow)
    start, end = soon(days=-1), soon(days=1)
    tier = await add_tier(uow, event, capacity=5, sales_start=start, sales_end=end)
    async with uow() as tx:
        assert await tx.ticket_types.take_seats(tier.id, 1, start)  # opens at sales_start
        assert not await tx.ticket_types.take_seats(tier.id, 1, end)  # closed at sales_end
        await tx.commit()
