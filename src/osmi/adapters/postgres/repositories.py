"""Repositories over one connection of a unit of work, returning domain objects."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from osmi.adapters.postgres import tables as t
from osmi.application.ports import Holder, NewEvent, NewTicket, NewTicketType, TierChanges
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import AlreadyExists
from osmi.domain.identity import Customer, Role, User, UserStatus
from osmi.domain.tickets import Ticket, TicketStatus
from osmi.domain.values import Money

UNIQUE_VIOLATION = "23505"


def _is_unique_violation(exc: IntegrityError, constraint: str) -> bool:
    diag = getattr(exc.orig, "diag", None)
    return (
        getattr(exc.orig, "sqlstate", None) == UNIQUE_VIOLATION
        and getattr(diag, "constraint_name", None) == constraint
    )


class Repository:
    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def _insert_unique(self, stmt: Any, constraint: str, error: AlreadyExists) -> Row[Any]:
        # A savepoint keeps the surrounding transaction usable when the
        # insert loses a race on a unique key.
        try:
            async with self._conn.begin_nested():
                return (await self._conn.execute(stmt)).one()
        except IntegrityError as exc:
            if _is_unique_violation(exc, constraint):
                raise error from None
            raise


def _user(row: Row[Any]) -> User:
    return User(
        public_id=row.public_id,
        name=row.name,
        email=row.email,
        role=Role(row.role),
        status=UserStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class UserRepository(Repository):
    async def add(self, name: str, email: str, password_hash: str, role: Role) -> User:
        stmt = (
            insert(t.users)
            .values(
                name=name,
                email=email,
                password_hash=password_hash,
                role=role.value,
                status=UserStatus.ACTIVE.value,
            )
            .returning(*t.users.c)
        )
        row = await self._insert_unique(
            stmt, "uq_users_email", AlreadyExists("user", "email", email)
        )
        return _user(row)

    async def get(self, public_id: UUID) -> User | None:
        row = (
            await self._conn.execute(select(t.users).where(t.users.c.public_id == public_id))
        ).one_or_none()
        return _user(row) if row else None

    async def email_taken(self, email: str) -> bool:
        found = await self._conn.scalar(select(t.users.c.id).where(t.users.c.email == email))
        return found is not None


def _customer(row: Row[Any]) -> Customer:
    return Customer(
        id=row.id,
        public_id=row.public_id,
        name=row.name,
        email=row.email,
        phone=row.phone,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


class CustomerRepository(Repository):
    async def add(self, name: str, email: str, phone: str) -> Customer:
        stmt = (
            insert(t.customers)
            .values(name=name, email=email, phone=phone)
            .returning(*t.customers.c)
        )
        row = await self._insert_unique(
            stmt, "uq_customers_email", AlreadyExists("customer", "email", email)
        )
        return _customer(row)

    async def _one(self, condition: Any) -> Customer | None:
        row = (await self._conn.execute(select(t.customers).where(condition))).one_or_none()
        return _customer(row) if row else None

    async def get_by_id(self, customer_id: int) -> Customer | None:
        return await self._one(t.customers.c.id == customer_id)

    async def get_by_public_id(self, public_id: UUID) -> Customer | None:
        return await self._one(t.customers.c.public_id == public_id)

    async def get_by_email(self, email: str) -> Customer | None:
        return await self._one(t.customers.c.email == email)


class HolderDirectory(Repository):
    async def find(self, public_id: UUID) -> Holder | None:
        user_id = await self._conn.scalar(
            select(t.users.c.id).where(t.users.c.public_id == public_id)
        )
        if user_id is not None:
            return Holder(public_id, user_id=user_id)
        customer_id = await self._conn.scalar(
            select(t.customers.c.id).where(t.customers.c.public_id == public_id)
        )
        if customer_id is not None:
            return Holder(public_id, customer_id=customer_id)
        return None


def _event(row: Row[Any]) -> Event:
    return Event(
        id=row.id,
        public_id=row.public_id,
        name=row.name,
        description=row.description,
        short_description=row.short_description,
        starts_at=row.starts_at,
        ends_at=row.ends_at,
        location=row.location,
        venue_details=row.venue_details,
        genre=row.genre,
        tags=tuple(row.tags),
        is_active=row.is_active,
        is_published=row.is_published,
        image_url=row.image_url,
        banner_url=row.banner_url,
        max_attendees=row.max_attendees,
        created_at=row.created_at,
        updated_at=row.updated_at,
        total_tickets=int(row.total_tickets),
        tickets_sold=int(row.tickets_sold),
    )


def _tier_sum(column: Any, label: str) -> Any:
    tt = t.ticket_types
    return (
        select(func.coalesce(func.sum(column), 0))
        .where(tt.c.event_id == t.events.c.id)
        .scalar_subquery()
        .label(label)
    )


class EventRepository(Repository):
    async def add(self, event: NewEvent) -> Event:
        organizer = (
            select(t.users.c.id).where(t.users.c.public_id == event.organizer_id).scalar_subquery()
            if event.organizer_id
            else None
        )
        venue = (
            select(t.venues.c.id).where(t.venues.c.public_id == event.venue_id).scalar_subquery()
            if event.venue_id
            else None
        )
        stmt = (
            insert(t.events)
            .values(
                organizer_id=organizer,
                venue_id=venue,
                name=event.name,
                description=event.description,
                short_description=event.short_description,
                starts_at=event.starts_at,
                ends_at=event.ends_at,
                location=event.location,
                venue_details=event.venue_details,
                genre=event.genre,
                tags=list(event.tags),
                is_active=event.is_active,
                is_published=event.is_published,
                image_url=event.image_url,
                banner_url=event.banner_url,
                max_attendees=event.max_attendees,
            )
            .returning(t.events.c.public_id)
        )
        public_id = (await self._conn.execute(stmt)).scalar_one()
        row = (
            await self._conn.execute(self._select().where(t.events.c.public_id == public_id))
        ).one()
        return _event(row)

    def _select(self) -> Any:
        tt = t.ticket_types
        return select(
            t.events,
            _tier_sum(tt.c.capacity, "total_tickets"),
            _tier_sum(tt.c.sold, "tickets_sold"),
        )

    async def get(self, public_id: UUID, *, for_update: bool = False) -> Event | None:
        stmt = self._select().where(t.events.c.public_id == public_id)
        if for_update:
            # FOR NO KEY UPDATE: a purchase inserting tickets takes FOR KEY SHARE on
            # the event (foreign key); a full FOR UPDATE here would deadlock with it.
            stmt = stmt.with_for_update(of=t.events, key_share=True)
        row = (await self._conn.execute(stmt)).one_or_none()
        return _event(row) if row else None

    async def list(self, limit: int | None = None) -> Sequence[Event]:
        stmt = self._select().order_by(t.events.c.starts_at, t.events.c.id).limit(limit)
        return [_event(row) for row in await self._conn.execute(stmt)]


def _tier(row: Row[Any]) -> TicketType:
    return TicketType(
        id=row.id,
        public_id=row.public_id,
        event_id=row.event_id,
        event_public_id=row.event_public_id,
        name=row.name,
        description=row.description,
        price=Money(row.price_minor, row.currency),
        capacity=row.capacity,
        sold=row.sold,
        reserved=row.reserved,
        max_per_order=row.max_per_order,
        sales_start=row.sales_start,
        sales_end=row.sales_end,
        is_active=row.is_active,
        benefits=tuple(row.benefits),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


# TierDraft attributes stored in a column of the same name.
_TIER_COLUMNS = (
    "name",
    "description",
    "capacity",
    "max_per_order",
    "sales_start",
    "sales_end",
    "is_active",
)


class TicketTypeRepository(Repository):
    def _select(self) -> Any:
        tt = t.ticket_types
        return select(tt, t.events.c.public_id.label("event_public_id")).join(
            t.events, t.events.c.id == tt.c.event_id
        )

    async def _one(self, condition: Any, *, for_update: bool = False) -> TicketType | None:
        stmt = self._select().where(condition)
        if for_update:
            stmt = stmt.with_for_update(of=t.ticket_types, key_share=True)
        row = (await self._conn.execute(stmt)).one_or_none()
        return _tier(row) if row else None

    async def _required(self, condition: Any) -> TicketType:
        return _tier((await self._conn.execute(self._select().where(condition))).one())

    async def add(self, tier: NewTicketType) -> TicketType:
        stmt = (
            insert(t.ticket_types)
            .values(
                event_id=tier.event_id,
                name=tier.name,
                description=tier.description,
                price_minor=tier.price.units_minor,
                currency=tier.price.currency,
                capacity=tier.capacity,
                max_per_order=tier.max_per_order,
                sales_start=tier.sales_start,
                sales_end=tier.sales_end,
                is_active=tier.is_active,
                benefits=list(tier.benefits),
                request_id=tier.request_id,
            )
            .returning(t.ticket_types.c.id)
        )
        try:
            row = await self._insert_unique(
                stmt,
                "uq_ticket_types_event_name",
                AlreadyExists("ticket type", "display_name", tier.name),
            )
        except IntegrityError as exc:
            # The same request_id racing on two different events.
            if _is_unique_violation(exc, "uq_ticket_types_request_id"):
                raise AlreadyExists("ticket type", "request_id", str(tier.request_id)) from None
            raise
        return await self._required(t.ticket_types.c.id == row.id)

    async def get(self, public_id: UUID, *, for_update: bool = False) -> TicketType | None:
        return await self._one(t.ticket_types.c.public_id == public_id, for_update=for_update)

    async def get_by_request_id(self, request_id: UUID) -> TicketType | None:
        return await self._one(t.ticket_types.c.request_id == request_id)

    async def list_for_event(
        self, event_id: int, *, after_id: int | None = None, limit: int | None = None
    ) -> Sequence[TicketType]:
        stmt = self._select().where(t.ticket_types.c.event_id == event_id)
        if after_id is not None:
            stmt = stmt.where(t.ticket_types.c.id > after_id)
        stmt = stmt.order_by(t.ticket_types.c.id).limit(limit)
        return [_tier(row) for row in await self._conn.execute(stmt)]

    async def update(self, tier_id: int, changes: TierChanges) -> TicketType:
        new, fields = changes.values, changes.fields
        values: dict[str, object] = {
            column: getattr(new, column) for column in _TIER_COLUMNS if column in fields
        }
        if "price" in fields and new.price is not None:
            values["price_minor"] = new.price.units_minor
            values["currency"] = new.price.currency
        if "benefits" in fields:
            values["benefits"] = list(new.benefits or ())
        values["updated_at"] = func.now()
        stmt = update(t.ticket_types).where(t.ticket_types.c.id == tier_id).values(values)
        try:
            async with self._conn.begin_nested():
                await self._conn.execute(stmt)
        except IntegrityError as exc:
            if _is_unique_violation(exc, "uq_ticket_types_event_name"):
                raise AlreadyExists("ticket type", "display_name", new.name or "") from None
            raise
        return await self._required(t.ticket_types.c.id == tier_id)

    async def total_capacity(self, event_id: int, *, excluding: int | None = None) -> int:
        stmt = select(func.coalesce(func.sum(t.ticket_types.c.capacity), 0)).where(
            t.ticket_types.c.event_id == event_id
        )
        if excluding is not None:
            stmt = stmt.where(t.ticket_types.c.id != excluding)
        return int(await self._conn.scalar(stmt) or 0)

    async def take_seats(self, tier_id: int, quantity: int, now: datetime) -> bool:
        tt = t.ticket_types
        stmt = (
            update(tt)
            .where(
                tt.c.id == tier_id,
                tt.c.is_active,
                tt.c.sold + tt.c.reserved + quantity <= tt.c.capacity,
                or_(tt.c.sales_start.is_(None), tt.c.sales_start <= now),
                or_(tt.c.sales_end.is_(None), tt.c.sales_end > now),
            )
            .values(sold=tt.c.sold + quantity, updated_at=func.now())
            .returning(tt.c.id)
        )
        return (await self._conn.execute(stmt)).first() is not None


def _ticket(row: Row[Any]) -> Ticket:
    return Ticket(
        public_id=row.public_id,
        code=row.code,
        status=TicketStatus(row.status),
        price=Money(row.price_minor, row.currency),
        event_public_id=row.event_public_id,
        event_name=row.event_name,
        event_starts_at=row.event_starts_at,
        event_location=row.event_location,
        ticket_type_public_id=row.ticket_type_public_id,
        ticket_type_name=row.ticket_type_name,
        holder_public_id=row.holder_public_id,
        created_at=row.created_at,
        checked_in_at=row.checked_in_at,
        checked_in_gate=row.checked_in_gate,
    )


class TicketRepository(Repository):
    def _select(self) -> Any:
        tk, ev, tt = t.tickets, t.events, t.ticket_types
        holder = func.coalesce(t.users.c.public_id, t.customers.c.public_id)
        return (
            select(
                tk,
                ev.c.public_id.label("event_public_id"),
                ev.c.name.label("event_name"),
                ev.c.starts_at.label("event_starts_at"),
                ev.c.location.label("event_location"),
                tt.c.public_id.label("ticket_type_public_id"),
                tt.c.name.label("ticket_type_name"),
                holder.label("holder_public_id"),
            )
            .join(ev, ev.c.id == tk.c.event_id)
            .join(tt, tt.c.id == tk.c.ticket_type_id)
            .outerjoin(t.users, t.users.c.id == tk.c.holder_user_id)
            .outerjoin(t.customers, t.customers.c.id == tk.c.holder_customer_id)
        )

    async def add_many(self, tickets: Sequence[NewTicket]) -> list[Ticket]:
        if not tickets:
            return []
        rows = [
            {
                "code": n.code,
                "event_id": n.event_id,
                "ticket_type_id": n.ticket_type_id,
                "holder_user_id": n.holder.user_id,
                "holder_customer_id": n.holder.customer_id,
                "status": n.status.value,
                "price_minor": n.price.units_minor,
                "currency": n.price.currency,
            }
            for n in tickets
        ]
        ids = (
            (await self._conn.execute(pg_insert(t.tickets).values(rows).returning(t.tickets.c.id)))
            .scalars()
            .all()
        )
        stmt = self._select().where(t.tickets.c.id.in_(ids)).order_by(t.tickets.c.id)
        return [_ticket(row) for row in await self._conn.execute(stmt)]

    async def list_for_holder(self, holder: Holder) -> list[Ticket]:
        column = (
            t.tickets.c.holder_user_id
            if holder.user_id is not None
            else t.tickets.c.holder_customer_id
        )
        key = holder.user_id if holder.user_id is not None else holder.customer_id
        stmt = self._select().where(column == key).order_by(t.tickets.c.id)
        return [_ticket(row) for row in await self._conn.execute(stmt)]

    async def get_by_code(self, code: str) -> Ticket | None:
        row = (
            await self._conn.execute(self._select().where(t.tickets.c.code == code))
        ).one_or_none()
        return _ticket(row) if row else None

    async def admit(
        self, code: str, event_public_id: UUID, gate: str, now: datetime
    ) -> Ticket | None:
        tk = t.tickets
        event_id = select(t.events.c.id).where(t.events.c.public_id == event_public_id)
        stmt = (
            update(tk)
            .where(
                tk.c.code == code,
                tk.c.status == TicketStatus.SOLD.value,
                tk.c.event_id == event_id.scalar_subquery(),
            )
            .values(
                status=TicketStatus.USED.value,
                checked_in_at=now,
                checked_in_gate=gate,
                updated_at=func.now(),
            )
            .returning(tk.c.id)
        )
        ticket_id = (await self._conn.execute(stmt)).scalar_one_or_none()
        if ticket_id is None:
            return None
        row = (await self._conn.execute(self._select().where(tk.c.id == ticket_id))).one()
        return _ticket(row)

    async def record_scan(
        self,
        *,
        code: str,
        event_public_id: UUID,
        gate: str,
        outcome: str,
        reason: str | None,
        ticket_public_id: UUID | None,
        scanned_at: datetime,
    ) -> None:
        ticket_id = (
            select(t.tickets.c.id)
            .where(t.tickets.c.public_id == ticket_public_id)
            .scalar_subquery()
            if ticket_public_id
            else None
        )
        await self._conn.execute(
            insert(t.check_ins).values(
                ticket_id=ticket_id,
                event_public_id=event_public_id,
                code=code,
                gate=gate,
                outcome=outcome,
                reason=reason,
                scanned_at=scanned_at,
            )
        )
