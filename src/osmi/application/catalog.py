"""Events and ticket tiers: what is on offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from osmi.application.ports import Clock, NewEvent, NewTicketType, UnitOfWork, UnitOfWorkFactory
from osmi.domain import catalog as rules
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import AlreadyExists, InvalidArgument, InvalidState, NotFound
from osmi.domain.values import Money, limit_text, require_text

MAX_EVENTS_LISTED = 1000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True, slots=True)
class TierDraft:
    """Client input for a tier: required on create, optional on update."""

    name: str | None = None
    description: str | None = None
    price: Money | None = None
    capacity: int | None = None
    max_per_order: int | None = None
    sales_start: datetime | None = None
    sales_end: datetime | None = None
    is_active: bool | None = None
    benefits: tuple[str, ...] | None = None


# Field names of TierDraft a partial update may touch, with their column names.
UPDATABLE_TIER_FIELDS = {
    "name": "name",
    "description": "description",
    "price": "price",
    "capacity": "capacity",
    "max_per_order": "max_per_order",
    "sales_start": "sales_start",
    "sales_end": "sales_end",
    "is_active": "is_active",
    "benefits": "benefits",
}


@dataclass(frozen=True, slots=True)
class TierPage:
    tiers: Sequence[TicketType]
    next_after_id: int | None


class CatalogService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def create_event(self, draft: NewEvent) -> Event:
        event = _checked_event(draft)
        async with self._uow() as uow:
            created = await uow.events.add(event)
            await uow.commit()
        return created

    async def get_event(self, public_id: UUID) -> Event:
        async with self._uow() as uow:
            return await _event(uow, public_id)

    async def list_events(self) -> Sequence[Event]:
        # TODO(catalog): cursor pagination arrives with the osmi.v1 event API;
        # the classic ListEvents has no paging fields, so it is capped instead.
        async with self._uow() as uow:
            return await uow.events.list(MAX_EVENTS_LISTED)

    async def event_tiers(self, public_id: UUID) -> tuple[Event, Sequence[TicketType]]:
        async with self._uow() as uow:
            event = await _event(uow, public_id)
            return event, await uow.ticket_types.list_for_event(event.id)

    async def list_tiers(
        self, event_public_id: UUID, *, page_size: int, after_id: int | None
    ) -> TierPage:
        if page_size < 0:
            raise InvalidArgument.field("page_size", "must not be negative")
        size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        async with self._uow() as uow:
            event = await _event(uow, event_public_id)
            tiers = await uow.ticket_types.list_for_event(
                event.id, after_id=after_id, limit=size + 1
            )
        more = len(tiers) > size
        shown = tiers[:size]
        return TierPage(shown, shown[-1].id if more and shown else None)

    async def get_tier(self, event_public_id: UUID, tier_public_id: UUID) -> TicketType:
        async with self._uow() as uow:
            return await _tier_of(uow, event_public_id, tier_public_id)

    async def create_tier(
        self, event_public_id: UUID, draft: TierDraft, request_id: UUID | None = None
    ) -> TicketType:
        new = _checked_new_tier(draft)
        async with self._uow() as uow:
            if request_id is not None:
                earlier = await uow.ticket_types.get_by_request_id(request_id)
                if earlier is not None:
                    return _same_request(earlier, event_public_id)
            # Lock the event so concurrent tier changes cannot together
            # exceed its max_attendees.
            event = await _event(uow, event_public_id, for_update=True)
            await _check_attendee_cap(uow, event, new.capacity, excluding=None)
            tier = await uow.ticket_types.add(
                replace(new, event_id=event.id, request_id=request_id)
            )
            await uow.commit()
        return tier

    async def update_tier(
        self,
        event_public_id: UUID,
        tier_public_id: UUID,
        draft: TierDraft,
        fields: Sequence[str],
    ) -> TicketType:
        changes = _checked_changes(draft, fields)
        async with self._uow() as uow:
            event = await _event(uow, event_public_id, for_update=True)
            tier = await _tier_of(uow, event_public_id, tier_public_id, for_update=True)
            # Re-checked under the row locks: sales may have moved on since.
            _check_tier_update(tier, changes)
            if "capacity" in changes:
                capacity = changes["capacity"]
                assert isinstance(capacity, int)
                await _check_attendee_cap(uow, event, capacity, excluding=tier.id)
            updated = await uow.ticket_types.update(tier.id, changes) if changes else tier
            await uow.commit()
        return updated


async def _event(uow: UnitOfWork, public_id: UUID, *, for_update: bool = False) -> Event:
    event = await uow.events.get(public_id, for_update=for_update)
    if event is None:
        raise NotFound("event", str(public_id))
    return event


async def _tier_of(
    uow: UnitOfWork, event_public_id: UUID, tier_public_id: UUID, *, for_update: bool = False
) -> TicketType:
    tier = await uow.ticket_types.get(tier_public_id, for_update=for_update)
    if tier is None or tier.event_public_id != event_public_id:
        raise NotFound("ticket type", str(tier_public_id))
    return tier


def _same_request(earlier: TicketType, event_public_id: UUID) -> TicketType:
    if earlier.event_public_id != event_public_id:
        raise AlreadyExists("ticket type", "request_id", str(earlier.public_id))
    return earlier


async def _check_attendee_cap(
    uow: UnitOfWork, event: Event, capacity: int, *, excluding: int | None
) -> None:
    if event.max_attendees <= 0:
        return
    others = await uow.ticket_types.total_capacity(event.id, excluding=excluding)
    if others + capacity > event.max_attendees:
        raise InvalidArgument.field(
            "ticket_type.capacity",
            f"tiers would hold {others + capacity} seats; the event allows "
            f"{event.max_attendees} attendees",
        )


def _checked_event(draft: NewEvent) -> NewEvent:
    rules.check_event_window(draft.starts_at, draft.ends_at)
    if draft.max_attendees < 0:
        raise InvalidArgument.field("max_attendees", "must not be negative")
    if len(draft.tags) > 50:
        raise InvalidArgument.field("tags", "at most 50 tags")
    for tag in draft.tags:
        limit_text(tag, "tags", max_length=50)
    return replace(
        draft,
        name=require_text(draft.name, "name"),
        location=require_text(draft.location, "location", max_length=500),
        description=limit_text(draft.description, "description", max_length=20_000),
        short_description=limit_text(draft.short_description, "short_description", max_length=500),
        venue_details=limit_text(draft.venue_details, "venue_details", max_length=2000),
        genre=limit_text(draft.genre, "category", max_length=100),
        image_url=limit_text(draft.image_url, "image_url", max_length=2000),
        banner_url=limit_text(draft.banner_url, "banner_url", max_length=2000),
        tags=tuple(t.strip() for t in draft.tags if t.strip()),
    )


_P = "ticket_type."


def _checked_new_tier(draft: TierDraft) -> NewTicketType:
    if draft.price is None:
        raise InvalidArgument.field(f"{_P}price", "is required")
    if draft.capacity is None:
        raise InvalidArgument.field(f"{_P}capacity", "is required")
    rules.check_capacity(draft.capacity, field_name=f"{_P}capacity")
    max_per_order = draft.max_per_order or rules.DEFAULT_MAX_PER_ORDER
    rules.check_max_per_order(max_per_order, field_name=f"{_P}max_per_order")
    rules.check_sale_window(draft.sales_start, draft.sales_end, prefix=_P)
    return NewTicketType(
        event_id=0,
        name=require_text(draft.name or "", f"{_P}display_name", max_length=100),
        description=limit_text(draft.description or "", f"{_P}description", max_length=2000),
        price=draft.price,
        capacity=draft.capacity,
        max_per_order=max_per_order,
        sales_start=draft.sales_start,
        sales_end=draft.sales_end,
        is_active=True if draft.is_active is None else draft.is_active,
        benefits=_checked_benefits(draft.benefits or ()),
    )


def _checked_benefits(benefits: tuple[str, ...]) -> tuple[str, ...]:
    if len(benefits) > 50:
        raise InvalidArgument.field(f"{_P}benefits", "at most 50 benefits")
    for benefit in benefits:
        limit_text(benefit, f"{_P}benefits", max_length=200)
    return tuple(b.strip() for b in benefits if b.strip())


def _checked_changes(draft: TierDraft, fields: Sequence[str]) -> dict[str, object]:
    changes: dict[str, object] = {}
    for name in fields:
        if name not in UPDATABLE_TIER_FIELDS:
            raise InvalidArgument.field("update_mask", f"{name!r} cannot be updated")
        changes[name] = getattr(draft, name)
    if "name" in changes:
        changes["name"] = require_text(str(changes["name"] or ""), f"{_P}display_name", max_length=100)
    if "description" in changes:
        changes["description"] = limit_text(
            str(changes["description"] or ""), f"{_P}description", max_length=2000
        )
    if "price" in changes and changes["price"] is None:
        raise InvalidArgument.field(f"{_P}price", "cannot be cleared")
    if "capacity" in changes:
        capacity = changes["capacity"]
        if not isinstance(capacity, int):
            raise InvalidArgument.field(f"{_P}capacity", "is required")
        rules.check_capacity(capacity, field_name=f"{_P}capacity")
    if "max_per_order" in changes:
        limit = changes["max_per_order"] or rules.DEFAULT_MAX_PER_ORDER
        assert isinstance(limit, int)
        rules.check_max_per_order(limit, field_name=f"{_P}max_per_order")
        changes["max_per_order"] = limit
    if "is_active" in changes and changes["is_active"] is None:
        changes["is_active"] = True
    if "benefits" in changes:
        raw = changes["benefits"]
        changes["benefits"] = _checked_benefits(raw if isinstance(raw, tuple) else ())
    return changes


def _check_tier_update(tier: TicketType, changes: dict[str, object]) -> None:
    capacity = changes.get("capacity", tier.capacity)
    assert isinstance(capacity, int)
    if capacity < tier.sold + tier.reserved:
        raise InvalidState(
            f"capacity {capacity} is below the {tier.sold + tier.reserved} seats already taken"
        )
    price = changes.get("price")
    if isinstance(price, Money) and price.currency != tier.price.currency and tier.sold:
        raise InvalidState("the currency of a tier with sales cannot change")
    start = changes.get("sales_start", tier.sales_start)
    end = changes.get("sales_end", tier.sales_end)
    assert start is None or isinstance(start, datetime)
    assert end is None or isinstance(end, datetime)
    rules.check_sale_window(start, end, prefix=_P)
