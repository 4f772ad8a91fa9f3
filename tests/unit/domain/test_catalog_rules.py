"""Events and tiers: when they are on sale, and how many tickets one order may take."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import pytest

from osmi.domain.catalog import (
    MAX_CAPACITY,
    MAX_TICKETS_PER_ORDER,
    Event,
    TicketType,
    check_capacity,
    check_event_window,
    check_max_per_order,
    check_sale_window,
)
from osmi.domain.errors import InvalidArgument, NotOnSale, PerOrderLimitExceeded
from osmi.domain.values import Money

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def make_event(**changes: Any) -> Event:
    event = Event(
        id=1,
        public_id=uuid4(),
        name="Concert",
        description="",
        short_description="",
        starts_at=NOW + 24 * HOUR,
        ends_at=NOW + 27 * HOUR,
        location="Hall",
        venue_details="",
        genre="music",
        tags=(),
        is_active=True,
        is_published=True,
        image_url="",
        banner_url="",
        max_attendees=0,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(event, **changes)


def make_tier(**changes: Any) -> TicketType:
    tier = TicketType(
        id=1,
        public_id=uuid4(),
        event_id=1,
        event_public_id=uuid4(),
        name="General",
        description="",
        price=Money(2500, "USD"),
        capacity=100,
        sold=0,
        reserved=0,
        max_per_order=4,
        sales_start=None,
        sales_end=None,
        is_active=True,
    )
    return replace(tier, **changes)


# --- TicketType ------------------------------------------------------------------------


def test_an_active_tier_without_window_is_on_sale() -> None:
    make_tier().check_on_sale(NOW)


def test_an_inactive_tier_is_not_on_sale() -> None:
    tier = make_tier(is_active=False)
    with pytest.raises(NotOnSale) as exc:
        tier.check_on_sale(NOW)
    assert exc.value.metadata == {"ticket_type_id": str(tier.public_id)}
    assert "not active" in exc.value.why


def test_sales_open_exactly_at_sales_start() -> None:
    tier = make_tier(sales_start=NOW)
    tier.check_on_sale(NOW)
    with pytest.raises(NotOnSale, match="not started"):
        tier.check_on_sale(NOW - timedelta(microseconds=1))


def test_sales_close_exactly_at_sales_end() -> None:
    tier = make_tier(sales_end=NOW)
    tier.check_on_sale(NOW - timedelta(microseconds=1))
    with pytest.raises(NotOnSale, match="ended"):
        tier.check_on_sale(NOW)


def test_inside_the_window_is_on_sale() -> None:
    make_tier(sales_start=NOW - HOUR, sales_end=NOW + HOUR).check_on_sale(NOW)


def test_tier_on_sale_ignores_capacity() -> None:
    # The store checks seats atomically; a full tier is still "on sale" here.
    make_tier(capacity=5, sold=5).check_on_sale(NOW)


@pytest.mark.parametrize("quantity", [1, 3, 4])
def test_quantities_up_to_the_limit_pass(quantity: int) -> None:
    make_tier(max_per_order=4).check_quantity(quantity)


@pytest.mark.parametrize("quantity", [0, -1])
def test_quantity_must_be_positive(quantity: int) -> None:
    with pytest.raises(InvalidArgument) as exc:
        make_tier().check_quantity(quantity)
    assert not isinstance(exc.value, PerOrderLimitExceeded)
    [violation] = exc.value.violations
    assert violation.field == "quantity"


def test_quantity_over_the_limit_names_field_quantity() -> None:
    with pytest.raises(PerOrderLimitExceeded) as exc:
        make_tier(max_per_order=4).check_quantity(5)
    assert isinstance(exc.value, InvalidArgument)
    assert exc.value.reason == "PER_ORDER_LIMIT_EXCEEDED"
    assert (exc.value.requested, exc.value.limit) == (5, 4)
    [violation] = exc.value.violations
    assert violation.field == "quantity"
    assert "4" in violation.description
    assert "5" in violation.description


@pytest.mark.parametrize(
    ("capacity", "sold", "reserved", "available"),
    [(10, 0, 0, 10), (10, 3, 2, 5), (10, 10, 0, 0), (10, 8, 5, 0)],
)
def test_available_never_goes_negative(
    capacity: int, sold: int, reserved: int, available: int
) -> None:
    assert make_tier(capacity=capacity, sold=sold, reserved=reserved).available == available


# --- Event -----------------------------------------------------------------------------


def test_an_active_published_future_event_is_on_sale() -> None:
    make_event().check_on_sale(NOW)


def test_sales_continue_while_the_event_runs() -> None:
    event = make_event(starts_at=NOW - HOUR, ends_at=NOW + HOUR)
    event.check_on_sale(NOW)


@pytest.mark.parametrize(
    ("changes", "why"),
    [
        ({"is_active": False}, "the event is not active"),
        ({"is_published": False}, "the event is not published"),
        ({"starts_at": NOW - 3 * HOUR, "ends_at": NOW}, "the event has ended"),
        ({"starts_at": NOW - 3 * HOUR, "ends_at": NOW - HOUR}, "the event has ended"),
    ],
)
def test_events_not_on_sale_say_why(changes: dict[str, Any], why: str) -> None:
    event = make_event(**changes)
    with pytest.raises(NotOnSale) as exc:
        event.check_on_sale(NOW)
    assert exc.value.why == why
    assert exc.value.metadata == {"event_id": str(event.public_id)}
    assert exc.value.reason == "NOT_ON_SALE"


def test_event_defaults_count_no_tickets() -> None:
    event = make_event()
    assert (event.total_tickets, event.tickets_sold) == (0, 0)


# --- Windows and limits ----------------------------------------------------------------


def test_event_window_must_move_forward() -> None:
    check_event_window(NOW, NOW + timedelta(microseconds=1))
    for ends in (NOW, NOW - HOUR):
        with pytest.raises(InvalidArgument) as exc:
            check_event_window(NOW, ends)
        [violation] = exc.value.violations
        assert violation.field == "end_date"


def test_sale_window_is_checked_only_when_both_ends_are_set() -> None:
    check_sale_window(None, None)
    check_sale_window(NOW, None)
    check_sale_window(None, NOW)
    check_sale_window(NOW, NOW + HOUR)
    with pytest.raises(InvalidArgument) as exc:
        check_sale_window(NOW, NOW, prefix="ticket_type.")
    assert exc.value.violations[0].field == "ticket_type.sale_end_time"


@pytest.mark.parametrize("capacity", [0, -1, MAX_CAPACITY + 1])
def test_capacity_bounds(capacity: int) -> None:
    check_capacity(1)
    check_capacity(MAX_CAPACITY)
    with pytest.raises(InvalidArgument) as exc:
        check_capacity(capacity, field_name="ticket_type.capacity")
    assert exc.value.violations[0].field == "ticket_type.capacity"


@pytest.mark.parametrize("limit", [0, MAX_TICKETS_PER_ORDER + 1])
def test_max_per_order_bounds(limit: int) -> None:
    check_max_per_order(1)
    check_max_per_order(MAX_TICKETS_PER_ORDER)
    with pytest.raises(InvalidArgument) as exc:
        check_max_per_order(limit)
    assert exc.value.violations[0].field == "max_per_order"
