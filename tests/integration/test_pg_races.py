"""Concurrency on real PostgreSQL: many buyers, many gates, separate connections.

The services are wired as ``osmi.bootstrap`` wires them, so each call runs in
its own unit of work on its own pooled connection, and the races are real.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from uuid import uuid4

import pytest
from factories import add_customer, add_event, add_tier, scalar
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.clock import SystemClock
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.adapters.security.passwords import Argon2idHasher
from osmi.application import sales as sales_module
from osmi.application.catalog import CatalogService
from osmi.application.checkin import CheckInService, ScanTicket
from osmi.application.identity import IdentityService, RegisterUser
from osmi.application.ports import TierDraft
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.domain.catalog import TicketType
from osmi.domain.errors import TierSoldOut
from osmi.domain.tickets import ScanOutcome
from osmi.domain.values import Money

pytestmark = pytest.mark.integration


@pytest.fixture
def uow(engine: AsyncEngine) -> PostgresUnitOfWorkFactory:
    return PostgresUnitOfWorkFactory(engine)


@pytest.fixture
def sales(uow: PostgresUnitOfWorkFactory) -> SalesService:
    return SalesService(uow, SystemClock())


@pytest.fixture
def checkin(uow: PostgresUnitOfWorkFactory) -> CheckInService:
    return CheckInService(uow, SystemClock())


async def test_100_buyers_racing_for_30_seats_get_exactly_30_tickets(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, sales: SalesService
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=30, max_per_order=10)
    identity = IdentityService(uow, Argon2idHasher())
    user = await identity.register_user(
        RegisterUser("Ada", "ada@example.com", "correct horse battery")
    )
    buyers = [user.public_id] + [
        (await add_customer(uow, f"buyer{i}@example.com")).public_id for i in range(9)
    ]
    orders = [
        PurchaseTickets(event.public_id, buyers[i % len(buyers)], tier.public_id, 1)
        for i in range(100)
    ]

    results = await asyncio.gather(*(sales.purchase(o) for o in orders), return_exceptions=True)

    bought = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, TierSoldOut)]
    unexpected = [r for r in results if not isinstance(r, list | TierSoldOut)]
    assert unexpected == []
    assert (len(bought), len(refused)) == (30, 70)
    assert all(len(r) == 1 for r in bought)
    assert {r.available for r in refused} == {0}
    codes = {t.code for r in bought for t in r}
    assert len(codes) == 30

    assert await scalar(engine, "SELECT count(*) FROM tickets") == 30
    assert await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id) == 30
    async with uow() as tx:
        shown = await tx.events.get(event.public_id)
    assert shown is not None
    assert (shown.total_tickets, shown.tickets_sold) == (30, 30)
    held = [len(await sales.tickets_of(buyer)) for buyer in buyers]
    assert sum(held) == 30


async def test_mixed_quantities_never_oversell(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, sales: SalesService
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=31, max_per_order=4)
    buyer = (await add_customer(uow)).public_id
    quantities = [1 + i % 4 for i in range(40)]  # asks for 100 seats in all

    results = await asyncio.gather(
        *(
            sales.purchase(PurchaseTickets(event.public_id, buyer, tier.public_id, q))
            for q in quantities
        ),
        return_exceptions=True,
    )

    assert all(isinstance(r, list | TierSoldOut) for r in results), results
    issued = sum(len(r) for r in results if isinstance(r, list))
    sold = await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id)
    assert sold == issued == await scalar(engine, "SELECT count(*) FROM tickets")
    assert 31 - 3 <= sold <= 31  # every refusal left fewer seats than it asked for
    for result, quantity in zip(results, quantities, strict=True):
        if isinstance(result, list):
            assert len(result) == quantity


async def test_10_gates_scanning_one_ticket_admit_it_once_and_record_every_scan(
    uow: PostgresUnitOfWorkFactory,
    engine: AsyncEngine,
    sales: SalesService,
    checkin: CheckInService,
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event)
    buyer = await add_customer(uow)
    [ticket] = await sales.purchase(
        PurchaseTickets(event.public_id, buyer.public_id, tier.public_id, 1)
    )

    results = await asyncio.gather(
        *(checkin.scan(ScanTicket(event.public_id, ticket.code, f"gate-{i}")) for i in range(10))
    )

    counts = Counter(r.outcome for r in results)
    assert counts == {ScanOutcome.ADMITTED: 1, ScanOutcome.ALREADY_USED: 9}
    [winner] = [r for r in results if r.outcome is ScanOutcome.ADMITTED]
    assert winner.ticket is not None
    for loser in results:
        assert loser.ticket is not None
        assert loser.ticket.checked_in_gate == winner.ticket.checked_in_gate
    assert await scalar(engine, "SELECT count(*) FROM check_ins") == 10
    assert await scalar(engine, "SELECT count(*) FROM check_ins WHERE outcome = 'admitted'") == 1
    assert (
        await scalar(
            engine,
            "SELECT count(DISTINCT ticket_id) FROM check_ins WHERE ticket_id IS NOT NULL",
        )
        == 1
    )
    status = await scalar(engine, "SELECT status FROM tickets WHERE code = :c", c=ticket.code)
    assert status == "used"


async def test_a_sold_out_purchase_leaves_no_tickets_and_sold_unchanged(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine, sales: SalesService
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=3)
    buyer = (await add_customer(uow)).public_id
    await sales.purchase(PurchaseTickets(event.public_id, buyer, tier.public_id, 2))

    with pytest.raises(TierSoldOut) as exc:
        await sales.purchase(PurchaseTickets(event.public_id, buyer, tier.public_id, 2))
    assert (exc.value.requested, exc.value.available) == (2, 1)

    assert await scalar(engine, "SELECT count(*) FROM tickets") == 2
    assert await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id) == 2


async def test_a_purchase_failing_after_taking_seats_gives_them_back(
    uow: PostgresUnitOfWorkFactory,
    engine: AsyncEngine,
    sales: SalesService,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    event = await add_event(uow)
    tier = await add_tier(uow, event, capacity=5)
    buyer = (await add_customer(uow)).public_id
    # Two tickets with one code: the insert fails after the seat count moved.
    monkeypatch.setattr(sales_module, "new_ticket_code", lambda: "OSM-SAME-SAME-SAME-SAME")

    with pytest.raises(IntegrityError, match="uq_tickets_code"):
        await sales.purchase(PurchaseTickets(event.public_id, buyer, tier.public_id, 2))

    assert await scalar(engine, "SELECT count(*) FROM tickets") == 0
    assert await scalar(engine, "SELECT sold FROM ticket_types WHERE id = :id", id=tier.id) == 0


async def test_concurrent_retries_of_one_create_tier_request_get_the_same_tier(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    catalog = CatalogService(uow, SystemClock())
    event = await add_event(uow)
    request = uuid4()
    draft = TierDraft(name="VIP", price=Money(9900, "USD"), capacity=10)

    results = await asyncio.gather(
        *(catalog.create_tier(event.public_id, draft, request_id=request) for _ in range(8)),
        return_exceptions=True,
    )

    assert await scalar(engine, "SELECT count(*) FROM ticket_types") == 1
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert len({r.public_id for r in results if isinstance(r, TicketType)}) == 1
