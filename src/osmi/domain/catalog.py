"""Events and their ticket tiers, and the rules for selling from a tier."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from osmi.domain.errors import InvalidArgument, NotOnSale, PerOrderLimitExceeded
from osmi.domain.values import Money

DEFAULT_MAX_PER_ORDER = 10
MAX_CAPACITY = 1_000_000
MAX_TICKETS_PER_ORDER = 100


def check_event_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise InvalidArgument.field("end_date", "must be after start_date")


def check_sale_window(
    sales_start: datetime | None, sales_end: datetime | None, *, prefix: str = ""
) -> None:
    if sales_start is not None and sales_end is not None and sales_end <= sales_start:
        raise InvalidArgument.field(f"{prefix}sale_end_time", "must be after sale_start_time")


def check_capacity(capacity: int, *, field_name: str = "capacity") -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidArgument.field(field_name, f"must be between 1 and {MAX_CAPACITY}")


def check_max_per_order(limit: int, *, field_name: str = "max_per_order") -> None:
    if not 1 <= limit <= MAX_TICKETS_PER_ORDER:
        raise InvalidArgument.field(field_name, f"must be between 1 and {MAX_TICKETS_PER_ORDER}")


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    public_id: UUID
    name: str
    description: str
    short_description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    venue_details: str
    genre: str
    tags: tuple[str, ...]
    is_active: bool
    is_published: bool
    image_url: str
    banner_url: str
    max_attendees: int
    created_at: datetime
    updated_at: datetime
    total_tickets: int = 0
    tickets_sold: int = 0

    def check_on_sale(self, now: datetime) -> None:
        if not self.is_active:
            raise NotOnSale("the event is not active", event_id=str(self.public_id))
        if not self.is_published:
            raise NotOnSale("the event is not published", event_id=str(self.public_id))
        if now >= self.ends_at:
            raise NotOnSale("the event has ended", event_id=str(self.public_id))


@dataclass(frozen=True, slots=True)
class TicketType:
    """A tier of an event (VIP, General): price, seats and sale window."""

    id: int
    public_id: UUID
    event_id: int
    event_public_id: UUID
    name: str
    description: str
    price: Money
    capacity: int
    sold: int
    reserved: int
    max_per_order: int
    sales_start: datetime | None
    sales_end: datetime | None
    is_active: bool
    benefits: tuple[str, ...] = field(default_factory=tuple)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def available(self) -> int:
        return max(self.capacity - self.sold - self.reserved, 0)

    def check_quantity(self, quantity: int) -> None:
        if quantity < 1:
            raise InvalidArgument.field("quantity", "must be at least 1")
        if quantity > self.max_per_order:
            raise PerOrderLimitExceeded(quantity, self.max_per_order)

    def check_on_sale(self, now: datetime) -> None:
        """Everything but capacity, which the store checks atomically."""
        tier = str(self.public_id)
        if not self.is_active:
            raise NotOnSale("the ticket tier is not active", ticket_type_id=tier)
        if self.sales_start is not None and now < self.sales_start:
            raise NotOnSale("sales for this tier have not started", ticket_type_id=tier)
        if self.sales_end is not None and now >= self.sales_end:
            raise NotOnSale("sales for this tier have ended", ticket_type_id=tier)
