"""Buying tickets: the checks the use case makes, and all-or-nothing issue."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from app_fakes import NOW, FakeHasher, FakeUnitOfWorkFactory, FixedClock

from osmi.application.identity import IdentityService, RegisterUser
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import (
    InvalidArgument,
    NotFound,
    NotOnSale,
    PerOrderLimitExceeded,
    TierSoldOut,
)
from osmi.domain.identity import Customer
from osmi.domain.tickets import TicketStatus
from osmi.domain.values import Money


@pytest.fixture
def sales(uow: FakeUnitOfWorkFactory, clock: FixedClock) -> SalesService:
    return SalesService(uow, clock)


@pytest.fixture
async def event(uow: FakeUnitOfWorkFactory) -> Event:
    return await uow.add_event()


@pytest.fixture
async def tier(uow: FakeUnitOfWorkFactory, event: Event) -> TicketType:
    return await uow.add_tier(event, capacity=5, max_per_order=4, price=Money(4200, "EUR"))


@pytest.fixture
async def buyer(uow: FakeUnitOfWorkFactory) -> Customer:
    return await uow.add_customer()


def order(event: Event, tier: TicketType, buyer: UUID, quantity: int = 1) -> PurchaseTickets:
    return PurchaseTickets(
        event_id=event.public_id, buyer_id=buyer, ticket_type_id=tier.public_id, quantity=quantity
    )


async def test_purchase_issues_sold_tickets_and_counts_the_seats(
    sales: SalesService,
    uow: FakeUnitOfWorkFactory,
    event: Event,
    tier: TicketType,
    buyer: Customer,
) -> None:
    tickets = await sales.purchase(order(event, tier, buyer.public_id, 3))
    assert len(tickets) == 3
    assert len({t.code for t in tickets}) == 3
    for ticket in tickets:
        assert ticket.status is TicketStatus.SOLD
        assert ticket.price == Money(4200, "EUR")
        assert ticket.holder_public_id == buyer.public_id
        assert ticket.event_public_id == event.public_id
        assert ticket.ticket_type_public_id == tier.public_id
    assert uow.tier(tier.id).sold == 3
    assert await sales.tickets_of(buyer.public_id) == tickets


async def test_users_can_buy_too(
    sales: SalesService,
    uow: FakeUnitOfWorkFactory,
    event: Event,
    tier: TicketType,
    hasher: FakeHasher,
) -> None:
    identity = IdentityService(uow, hasher)
    user = await identity.register_user(RegisterUser("Ada", "ada@example.com", "password1"))
    [ticket] = await sales.purchase(order(event, tier, user.public_id))
    assert ticket.holder_public_id == user.public_id
    [holder] = uow.store.ticket_holders.values()
    assert holder.user_id is not None
    assert holder.customer_id is None


@pytest.mark.parametrize("quantity", [0, -1])
async def test_quantity_below_one_is_rejected(
    sales: SalesService,
    uow: FakeUnitOfWorkFactory,
    event: Event,
    tier: TicketType,
    buyer: Customer,
    quantity: int,
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await sales.purchase(order(event, tier, buyer.public_id, quantity))
    assert [v.field for v in exc.value.violations] == ["quantity"]
    assert uow.store.tickets == {}


async def test_more_than_the_per_order_limit_is_rejected(
    sales: SalesService, uow: FakeUnitOfWorkFactory, event: Event, tier: TicketType, buyer: Customer
) -> None:
    with pytest.raises(PerOrderLimitExceeded) as exc:
        await sales.purchase(order(event, tier, buyer.public_id, 5))
    assert [v.field for v in exc.value.violations] == ["quantity"]
    assert uow.tier(tier.id).sold == 0
    assert uow.store.tickets == {}


async def test_a_tier_of_another_event_names_category_id(
    sales: SalesService, uow: FakeUnitOfWorkFactory, tier: TicketType, buyer: Customer
) -> None:
    other = await uow.add_event(name="Other")
    with pytest.raises(InvalidArgument) as exc:
        await sales.purchase(order(other, tier, buyer.public_id))
    assert [v.field for v in exc.value.violations] == ["category_id"]
    assert uow.tier(tier.id).sold == 0


async def test_unknown_tier_is_not_found(
    sales: SalesService, event: Event, tier: TicketType, buyer: Customer
) -> None:
    cmd = PurchaseTickets(event.public_id, buyer.public_id, uuid4(), 1)
    with pytest.raises(NotFound) as exc:
        await sales.purchase(cmd)
    assert exc.value.resource == "ticket category"


async def test_unknown_buyer_is_not_found(
    sales: SalesService, uow: FakeUnitOfWorkFactory, event: Event, tier: TicketType
) -> None:
    stranger = uuid4()
    with pytest.raises(NotFound) as exc:
        await sales.purchase(order(event, tier, stranger))
    assert exc.value.key == str(stranger)
    assert uow.tier(tier.id).sold == 0
    assert uow.store.tickets == {}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"is_active": False}, "the event is not active"),
        ({"is_published": False}, "the event is not published"),
        ({"starts_at": NOW - timedelta(hours=3), "ends_at": NOW}, "the event has ended"),
    ],
)
async def test_events_not_on_sale_sell_nothing(
    sales: SalesService,
    uow: FakeUnitOfWorkFactory,
    buyer: Customer,
    changes: dict[str, object],
    why: str,
) -> None:
    event = await uow.add_event(**changes)
    tier = await uow.add_tier(event)
    with pytest.raises(NotOnSale) as exc:
        await sales.purchase(order(event, tier, buyer.public_id))
    assert exc.value.why == why
    assert uow.tier(tier.id).sold == 0
    assert uow.store.tickets == {}


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"is_active": False}, "the ticket tier is not active"),
        ({"sales_start": NOW + timedelta(seconds=1)}, "sales for this tier have not started"),
        ({"sales_end": NOW}, "sales for this tier have ended"),
    ],
)
async def test_tiers_not_on_sale_sell_nothing(
    sales: SalesService,
    uow: FakeUnitOfWorkFactory,
    event: Event,
    buyer: Customer,
    changes: dict[str, object],
    why: str,
) -> None:
    tier = await uow.add_tier(event, **changes)
    with pytest.raises(NotOnSale) as exc:
        await sales.purchase(order(event, tier, buyer.public_id))
    assert exc.value.why == why
    assert uow.store.tickets == {}


async def test_sold_out_says_how_many_are_left_and_leaves_nothing_behind(
    sales: SalesService, uow: FakeUnitOfWorkFactory, event: Event, buyer: Customer
) -> None:
    tier = await uow.add_tier(event, capacity=5, sold=3)
    commits = uow.commits
    with pytest.raises(TierSoldOut) as exc:
        await sales.purchase(order(event, tier, buyer.public_id, 3))
    assert (exc.value.requested, exc.value.available) == (3, 2)
    assert exc.value.ticket_type_id == str(tier.public_id)
    assert uow.tier(tier.id).sold == 3
    assert uow.store.tickets == {}
    assert uow.commits == commits

    # The last two seats are still there.
    assert len(await sales.purchase(order(event, tier, buyer.public_id, 2))) == 2
    assert uow.tier(tier.id).sold == 5


async def test_selling_to_exact_capacity_then_sold_out(
    sales: SalesService, uow: FakeUnitOfWorkFactory, event: Event, tier: TicketType, buyer: Customer
) -> None:
    for _ in range(5):
        await sales.purchase(order(event, tier, buyer.public_id))
    with pytest.raises(TierSoldOut) as exc:
        await sales.purchase(order(event, tier, buyer.public_id))
    assert exc.value.available == 0
    assert len(uow.store.tickets) == 5


async def test_tickets_of_an_unknown_holder_is_not_found(sales: SalesService) -> None:
    with pytest.raises(NotFound):
        await sales.tickets_of(uuid4())


async def test_tickets_of_a_buyer_without_tickets_is_empty(
    sales: SalesService, buyer: Customer
) -> None:
    assert await sales.tickets_of(buyer.public_id) == []
