"""Events and tiers: creating, listing and changing what is on offer."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import uuid4

import pytest
from app_fakes import NOW, FakeUnitOfWorkFactory, FixedClock

from osmi.application.catalog import CatalogService
from osmi.application.ports import NewEvent, TierDraft
from osmi.domain.catalog import DEFAULT_MAX_PER_ORDER, Event, TicketType
from osmi.domain.errors import AlreadyExists, InvalidArgument, InvalidState, NotFound
from osmi.domain.values import Money

DRAFT = TierDraft(name="VIP", price=Money(9900, "USD"), capacity=50)


@pytest.fixture
def catalog(uow: FakeUnitOfWorkFactory, clock: FixedClock) -> CatalogService:
    return CatalogService(uow, clock)


@pytest.fixture
async def event(uow: FakeUnitOfWorkFactory) -> Event:
    return await uow.add_event()


def fields_of(exc: pytest.ExceptionInfo[InvalidArgument]) -> list[str]:
    return [v.field for v in exc.value.violations]


# --- Events ----------------------------------------------------------------------------


def new_event(**changes: object) -> NewEvent:
    event = NewEvent(
        name=" Jazz night ",
        description="",
        short_description="",
        starts_at=NOW + timedelta(days=1),
        ends_at=NOW + timedelta(days=1, hours=2),
        location=" Club ",
        venue_details="",
        genre="jazz",
        tags=(" late ", "", "live"),
        is_active=True,
        is_published=True,
        image_url="",
        banner_url="",
        max_attendees=0,
    )
    return replace(event, **changes)  # type: ignore[arg-type]


async def test_create_event_trims_text_and_drops_blank_tags(catalog: CatalogService) -> None:
    event = await catalog.create_event(new_event())
    assert (event.name, event.location, event.tags) == ("Jazz night", "Club", ("late", "live"))
    assert await catalog.get_event(event.public_id) == event


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"ends_at": NOW + timedelta(days=1)}, "end_date"),
        ({"name": "  "}, "name"),
        ({"location": ""}, "location"),
        ({"max_attendees": -1}, "max_attendees"),
        ({"tags": ("x",) * 51}, "tags"),
    ],
)
async def test_create_event_validation_names_the_field(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await catalog.create_event(new_event(**changes))
    assert fields_of(exc) == [field]
    assert uow.store.events == {}


async def test_get_unknown_event_is_not_found(catalog: CatalogService) -> None:
    with pytest.raises(NotFound) as exc:
        await catalog.get_event(uuid4())
    assert exc.value.resource == "event"


# --- Creating tiers --------------------------------------------------------------------


async def test_create_tier_defaults(catalog: CatalogService, event: Event) -> None:
    tier = await catalog.create_tier(event.public_id, DRAFT)
    assert tier.max_per_order == DEFAULT_MAX_PER_ORDER == 10
    assert tier.is_active is True
    assert (tier.sold, tier.reserved, tier.capacity) == (0, 0, 50)
    assert tier.event_public_id == event.public_id
    assert (tier.sales_start, tier.sales_end, tier.benefits) == (None, None, ())


async def test_create_tier_keeps_explicit_values(catalog: CatalogService, event: Event) -> None:
    draft = replace(
        DRAFT,
        max_per_order=2,
        is_active=False,
        benefits=(" lounge ", " ", "parking"),
        sales_start=NOW,
        sales_end=NOW + timedelta(days=1),
    )
    tier = await catalog.create_tier(event.public_id, draft)
    assert (tier.max_per_order, tier.is_active) == (2, False)
    assert tier.benefits == ("lounge", "parking")
    assert (tier.sales_start, tier.sales_end) == (NOW, NOW + timedelta(days=1))


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (replace(DRAFT, price=None), "ticket_type.price"),
        (replace(DRAFT, capacity=None), "ticket_type.capacity"),
        (replace(DRAFT, capacity=0), "ticket_type.capacity"),
        (replace(DRAFT, max_per_order=101), "ticket_type.max_per_order"),
        (replace(DRAFT, name=" "), "ticket_type.display_name"),
        (replace(DRAFT, name=None), "ticket_type.display_name"),
        (replace(DRAFT, sales_start=NOW, sales_end=NOW), "ticket_type.sale_end_time"),
        (replace(DRAFT, benefits=("x" * 201,)), "ticket_type.benefits"),
    ],
)
async def test_create_tier_validation_names_the_field(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event, draft: TierDraft, field: str
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await catalog.create_tier(event.public_id, draft)
    assert fields_of(exc) == [field]
    assert uow.store.tiers == {}


async def test_create_tier_of_unknown_event_is_not_found(catalog: CatalogService) -> None:
    with pytest.raises(NotFound):
        await catalog.create_tier(uuid4(), DRAFT)


async def test_create_tier_with_a_taken_name_already_exists(
    catalog: CatalogService, event: Event
) -> None:
    await catalog.create_tier(event.public_id, DRAFT)
    with pytest.raises(AlreadyExists) as exc:
        await catalog.create_tier(event.public_id, replace(DRAFT, name="vip"))
    assert exc.value.field == "display_name"


async def test_request_id_makes_create_tier_idempotent(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    request = uuid4()
    first = await catalog.create_tier(event.public_id, DRAFT, request_id=request)
    again = await catalog.create_tier(event.public_id, DRAFT, request_id=request)
    assert again == first
    assert len(uow.store.tiers) == 1

    other = await catalog.create_tier(event.public_id, replace(DRAFT, name="GA"), uuid4())
    assert other.public_id != first.public_id
    assert len(uow.store.tiers) == 2


async def test_a_request_id_reused_for_another_event_already_exists(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    request = uuid4()
    await catalog.create_tier(event.public_id, DRAFT, request_id=request)
    other = await uow.add_event(name="Other")
    with pytest.raises(AlreadyExists) as exc:
        await catalog.create_tier(other.public_id, DRAFT, request_id=request)
    assert exc.value.field == "request_id"


async def test_tiers_cannot_exceed_the_events_attendee_cap(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory
) -> None:
    event = await uow.add_event(max_attendees=80)
    await catalog.create_tier(event.public_id, DRAFT)  # 50 seats
    with pytest.raises(InvalidArgument) as exc:
        await catalog.create_tier(event.public_id, replace(DRAFT, name="GA", capacity=31))
    assert fields_of(exc) == ["ticket_type.capacity"]
    await catalog.create_tier(event.public_id, replace(DRAFT, name="GA", capacity=30))


# --- Listing tiers ---------------------------------------------------------------------


async def test_list_tiers_pages_in_creation_order(catalog: CatalogService, event: Event) -> None:
    created = [
        await catalog.create_tier(event.public_id, replace(DRAFT, name=f"T{i}", capacity=1))
        for i in range(5)
    ]
    seen: list[TicketType] = []
    after = None
    while True:
        page = await catalog.list_tiers(event.public_id, page_size=2, after_id=after)
        seen.extend(page.tiers)
        assert len(page.tiers) <= 2
        if page.next_after_id is None:
            break
        after = page.next_after_id
    assert [t.public_id for t in seen] == [t.public_id for t in created]

    everything = await catalog.list_tiers(event.public_id, page_size=0, after_id=None)
    assert len(everything.tiers) == 5
    assert everything.next_after_id is None


async def test_list_tiers_rejects_a_negative_page_size(
    catalog: CatalogService, event: Event
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await catalog.list_tiers(event.public_id, page_size=-1, after_id=None)
    assert fields_of(exc) == ["page_size"]


async def test_event_tiers_counts_seats(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    await uow.add_tier(event, capacity=10, sold=4)
    await uow.add_tier(event, capacity=5, sold=5)
    shown, tiers = await catalog.event_tiers(event.public_id)
    assert (shown.total_tickets, shown.tickets_sold) == (15, 9)
    assert len(tiers) == 2


# --- Updating tiers --------------------------------------------------------------------


async def test_update_changes_only_the_masked_fields(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    tier = await catalog.create_tier(event.public_id, DRAFT)
    draft = TierDraft(name="Gold", capacity=60, price=Money(1, "EUR"), description="ignored")
    updated = await catalog.update_tier(
        event.public_id, tier.public_id, draft, ["name", "capacity"]
    )
    assert (updated.name, updated.capacity) == ("Gold", 60)
    assert updated.price == tier.price
    assert updated.description == tier.description
    assert uow.tier(tier.id) == updated


async def test_update_with_an_empty_mask_changes_nothing(
    catalog: CatalogService, event: Event
) -> None:
    tier = await catalog.create_tier(event.public_id, DRAFT)
    assert await catalog.update_tier(event.public_id, tier.public_id, TierDraft(), []) == tier


async def test_capacity_below_seats_sold_is_invalid_state(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    tier = await uow.add_tier(event, capacity=10, sold=7)
    with pytest.raises(InvalidState):
        await catalog.update_tier(
            event.public_id, tier.public_id, TierDraft(capacity=6), ["capacity"]
        )
    assert uow.tier(tier.id).capacity == 10
    updated = await catalog.update_tier(
        event.public_id, tier.public_id, TierDraft(capacity=7), ["capacity"]
    )
    assert updated.capacity == 7


async def test_currency_of_a_tier_with_sales_cannot_change(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    sold = await uow.add_tier(event, sold=1)
    with pytest.raises(InvalidState):
        await catalog.update_tier(
            event.public_id, sold.public_id, TierDraft(price=Money(100, "EUR")), ["price"]
        )
    repriced = await catalog.update_tier(
        event.public_id, sold.public_id, TierDraft(price=Money(100, "USD")), ["price"]
    )
    assert repriced.price == Money(100, "USD")
    unsold = await uow.add_tier(event)
    moved = await catalog.update_tier(
        event.public_id, unsold.public_id, TierDraft(price=Money(100, "EUR")), ["price"]
    )
    assert moved.price == Money(100, "EUR")


@pytest.mark.parametrize(
    ("draft", "mask", "field"),
    [
        (TierDraft(), ["event_id"], "update_mask"),
        (TierDraft(), ["sold"], "update_mask"),
        (TierDraft(name=" "), ["name"], "ticket_type.display_name"),
        (TierDraft(), ["price"], "ticket_type.price"),
        (TierDraft(), ["capacity"], "ticket_type.capacity"),
        (TierDraft(capacity=0), ["capacity"], "ticket_type.capacity"),
        (TierDraft(max_per_order=101), ["max_per_order"], "ticket_type.max_per_order"),
        (TierDraft(sales_end=NOW), ["sales_end"], "ticket_type.sale_end_time"),
        (TierDraft(benefits=("b" * 201,)), ["benefits"], "ticket_type.benefits"),
    ],
)
async def test_update_validation_names_the_field(
    catalog: CatalogService,
    uow: FakeUnitOfWorkFactory,
    event: Event,
    draft: TierDraft,
    mask: list[str],
    field: str,
) -> None:
    tier = await uow.add_tier(event, sales_start=NOW)
    with pytest.raises(InvalidArgument) as exc:
        await catalog.update_tier(event.public_id, tier.public_id, draft, mask)
    assert fields_of(exc) == [field]
    assert uow.tier(tier.id) == tier


async def test_update_clearing_defaults(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    tier = await uow.add_tier(event, max_per_order=3, is_active=False, benefits=("x",))
    updated = await catalog.update_tier(
        event.public_id, tier.public_id, TierDraft(), ["max_per_order", "is_active", "benefits"]
    )
    assert (updated.max_per_order, updated.is_active, updated.benefits) == (10, True, ())


async def test_update_to_a_taken_name_already_exists(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    await uow.add_tier(event, name="VIP")
    tier = await uow.add_tier(event, name="GA")
    with pytest.raises(AlreadyExists):
        await catalog.update_tier(event.public_id, tier.public_id, TierDraft(name="vip"), ["name"])


async def test_update_through_another_event_is_not_found(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory, event: Event
) -> None:
    tier = await uow.add_tier(event)
    other = await uow.add_event(name="Other")
    with pytest.raises(NotFound) as exc:
        await catalog.update_tier(
            other.public_id, tier.public_id, TierDraft(capacity=5), ["capacity"]
        )
    assert exc.value.resource == "ticket type"
    with pytest.raises(NotFound):
        await catalog.get_tier(other.public_id, tier.public_id)
    assert await catalog.get_tier(event.public_id, tier.public_id) == tier


async def test_update_capacity_respects_the_attendee_cap(
    catalog: CatalogService, uow: FakeUnitOfWorkFactory
) -> None:
    event = await uow.add_event(max_attendees=100)
    await uow.add_tier(event, capacity=60)
    tier = await uow.add_tier(event, capacity=40)
    with pytest.raises(InvalidArgument) as exc:
        await catalog.update_tier(
            event.public_id, tier.public_id, TierDraft(capacity=41), ["capacity"]
        )
    assert fields_of(exc) == ["ticket_type.capacity"]
