"""What the use cases need from the world, as protocols the adapters fulfil."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self
from uuid import UUID

from osmi.domain.catalog import Event, TicketType
from osmi.domain.identity import Customer, Role, User
from osmi.domain.tickets import Ticket, TicketStatus
from osmi.domain.values import Money


@dataclass(frozen=True, slots=True)
class NewEvent:
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
    organizer_id: UUID | None = None
    venue_id: UUID | None = None


@dataclass(frozen=True, slots=True)
class NewTicketType:
    event_id: int
    name: str
    description: str
    price: Money
    capacity: int
    max_per_order: int
    sales_start: datetime | None
    sales_end: datetime | None
    is_active: bool
    benefits: tuple[str, ...]
    request_id: UUID | None = None


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


@dataclass(frozen=True, slots=True)
class TierChanges:
    """Validated new values of a tier; only the attributes named in ``fields`` change."""

    values: TierDraft
    fields: frozenset[str]


@dataclass(frozen=True, slots=True)
class Holder:
    """Who a ticket belongs to: exactly one of a user or a customer."""

    public_id: UUID
    user_id: int | None = None
    customer_id: int | None = None


@dataclass(frozen=True, slots=True)
class NewTicket:
    code: str
    event_id: int
    ticket_type_id: int
    holder: Holder
    price: Money
    status: TicketStatus


class UserRepository(Protocol):
    async def add(self, name: str, email: str, password_hash: str, role: Role) -> User:
        """Raises AlreadyExists when the email is taken."""
        ...

    async def get(self, public_id: UUID) -> User | None: ...

    async def email_taken(self, email: str) -> bool: ...


class CustomerRepository(Protocol):
    async def add(self, name: str, email: str, phone: str) -> Customer:
        """Raises AlreadyExists when the email is taken."""
        ...

    async def get_by_id(self, customer_id: int) -> Customer | None: ...

    async def get_by_public_id(self, public_id: UUID) -> Customer | None: ...

    async def get_by_email(self, email: str) -> Customer | None: ...


class EventRepository(Protocol):
    async def add(self, event: NewEvent) -> Event: ...

    async def get(self, public_id: UUID, *, for_update: bool = False) -> Event | None:
        """With ``total_tickets`` and ``tickets_sold`` summed over its tiers."""
        ...

    async def list(self, limit: int | None = None) -> Sequence[Event]: ...


class TicketTypeRepository(Protocol):
    async def add(self, tier: NewTicketType) -> TicketType:
        """Raises AlreadyExists when the event has a tier of that name."""
        ...

    async def get(self, public_id: UUID, *, for_update: bool = False) -> TicketType | None: ...

    async def get_by_request_id(self, request_id: UUID) -> TicketType | None: ...

    async def list_for_event(
        self, event_id: int, *, after_id: int | None = None, limit: int | None = None
    ) -> Sequence[TicketType]:
        """Ordered by creation (``id``), starting after ``after_id``."""
        ...

    async def update(self, tier_id: int, changes: TierChanges) -> TicketType: ...

    async def total_capacity(self, event_id: int, *, excluding: int | None = None) -> int: ...

    async def take_seats(self, tier_id: int, quantity: int, now: datetime) -> bool:
        """Atomically count ``quantity`` more seats sold if the tier is active,
        inside its sale window and has room; False (and no change) otherwise."""
        ...


class TicketRepository(Protocol):
    async def add_many(self, tickets: Sequence[NewTicket]) -> list[Ticket]: ...

    async def list_for_holder(self, holder: Holder) -> list[Ticket]: ...

    async def get_by_code(self, code: str) -> Ticket | None: ...

    async def admit(
        self, code: str, event_public_id: UUID, gate: str, now: datetime
    ) -> Ticket | None:
        """Mark a sold ticket of that event used, in one conditional statement.

        Returns the ticket only to the one caller that changed it."""
        ...

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
    ) -> None: ...


class HolderDirectory(Protocol):
    async def find(self, public_id: UUID) -> Holder | None:
        """The user or customer with that public id."""
        ...


class UnitOfWork(Protocol):
    """One transaction and the repositories that work inside it."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def customers(self) -> CustomerRepository: ...

    @property
    def events(self) -> EventRepository: ...

    @property
    def ticket_types(self) -> TicketTypeRepository: ...

    @property
    def tickets(self) -> TicketRepository: ...

    @property
    def holders(self) -> HolderDirectory: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Rolls back whatever was not committed."""
        ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork: ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC."""
        ...


class PasswordHasher(Protocol):
    """Slow on purpose; implementations keep the event loop free while hashing."""

    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str, password: str) -> bool: ...
