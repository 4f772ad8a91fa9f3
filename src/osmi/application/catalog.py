"""Events and ticket tiers: what is on offer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import UUID

from osmi.application.ports import (
    Clock,
    NewEvent,
    NewTicketType,
    TierChanges,
    TierDraft,
    UnitOfWork,
    UnitOfWorkFactory,
)
from osmi.domain import catalog as rules
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import AlreadyExists, InvalidArgument, InvalidState, NotFound
from osmi.domain.values import limit_text, require_text, shown

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


# TierDraft attributes a partial update may touch.
UPDATABLE_TIER_FIELDS = frozenset(
    {
        "name",
        "description",
        "price",
        "capacity",
        "max_per_order",
        "sales_start",
        "sales_end",
        "is_active",
        "benefits",
    }
)


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
        # TODO(catalog): the classic ListEvents has no paging fields, so it
        # answers every event (never a silent cut); a paged osmi.v1 ListEvents
        # is the way out for large catalogs, and is due with the v1 event API.
        async with self._uow() as uow:
            return await uow.events.list()

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
        page = tiers[:size]
        return TierPage(page, page[-1].id if more and page else None)

    async def get_tier(self, event_public_id: UUID, tier_public_id: UUID) -> TicketType:
        async with self._uow() as uow:
            return await _tier_of(uow, event_public_id, tier_public_id)

    async def create_tier(
        self, event_public_id: UUID, draft: TierDraft, request_id: UUID | None = None
    ) -> TicketType:
        new = _checked_new_tier(draft)
        async with self._uow() as uow:
            # Lock the event so concurrent tier changes cannot together exceed
            # its max_attendees, and so retries of one request_id queue up
            # here and find the tier the first one made.
            event = await _event(uow, event_public_id, for_update=True)
            if request_id is not None:
                earlier = await uow.ticket_types.get_by_request_id(request_id)
                if earlier is not None:
                    return _same_request(earlier, event_public_id)
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
            if "capacity" in changes.fields and changes.values.capacity is not None:
                await _check_attendee_cap(uow, event, changes.values.capacity, excluding=tier.id)
            updated = await uow.ticket_types.update(tier.id, changes) if changes.fields else tier
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


def _checked_changes(draft: TierDraft, fields: Sequence[str]) -> TierChanges:
    unknown = [name for name in fields if name not in UPDATABLE_TIER_FIELDS]
    if unknown:
        raise InvalidArgument.field("update_mask", f"{shown(unknown[0])} cannot be updated")
    wanted = frozenset(fields)
    values = draft
    if "name" in wanted:
        name = require_text(draft.name or "", f"{_P}display_name", max_length=100)
        values = replace(values, name=name)
    if "description" in wanted:
        text = limit_text(draft.description or "", f"{_P}description", max_length=2000)
        values = replace(values, description=text)
    if "price" in wanted and draft.price is None:
        raise InvalidArgument.field(f"{_P}price", "is required when updated")
    if "capacity" in wanted:
        rules.check_capacity(draft.capacity or 0, field_name=f"{_P}capacity")
    if "max_per_order" in wanted:
        limit = draft.max_per_order or rules.DEFAULT_MAX_PER_ORDER
        rules.check_max_per_order(limit, field_name=f"{_P}max_per_order")
        values = replace(values, max_per_order=limit)
    if "is_active" in wanted and draft.is_active is None:
        values = replace(values, is_active=True)
    if "benefits" in wanted:
        values = replace(values, benefits=_checked_benefits(draft.benefits or ()))
    return TierChanges(values, wanted)


def _check_tier_update(tier: TicketType, changes: TierChanges) -> None:
    """Rules that depend on the tier's current state; run under its row lock."""
    new = changes.values
    taken = tier.sold + tier.reserved
    if "capacity" in changes.fields and new.capacity is not None and new.capacity < taken:
        raise InvalidState(f"capacity {new.capacity} is below the {taken} seats already taken")
    if (
        "price" in changes.fields
        and new.price is not None
        and new.price.currency != tier.price.currency
        and taken
    ):
        raise InvalidState("the currency of a tier with sales cannot change")
    start = new.sales_start if "sales_start" in changes.fields else tier.sales_start
    end = new.sales_end if "sales_end" in changes.fields else tier.sales_end
    rules.check_sale_window(start, end, prefix=_P)
