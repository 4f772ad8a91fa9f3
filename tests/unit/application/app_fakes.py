"""In-memory fakes of the application ports, for unit tests of orchestration only.

A unit of work edits a private copy of the store and publishes it on commit, so
whatever a use case does not commit is gone, as with a real transaction. The
rules the database enforces (unique emails and tier names, seats within
capacity, one admission per ticket) are enforced here the same way.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID, uuid4

from osmi.application.ports import Holder, NewEvent, NewTicket, NewTicketType, TierChanges
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import AlreadyExists
from osmi.domain.identity import Customer, Role, User, UserStatus
from osmi.domain.tickets import Ticket, TicketStatus
from osmi.domain.values import Money

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@dataclass
class Store:
    users: dict[int, User] = field(default_factory=dict)
    password_hashes: dict[int, str] = field(default_factory=dict)
    customers: dict[int, Customer] = field(default_factory=dict)
    events: dict[int, Event] = field(default_factory=dict)
    tiers: dict[int, TicketType] = field(default_factory=dict)
    tier_requests: dict[UUID, int] = field(default_factory=dict)
    tickets: dict[int, Ticket] = field(default_factory=dict)
    ticket_holders: dict[int, Holder] = field(default_factory=dict)
    scans: list[dict[str, Any]] = field(default_factory=list)
    last_id: int = 0

    def next_id(self) -> int:
        self.last_id += 1
        return self.last_id


class _Repo:
    def __init__(self, data: Store) -> None:
        self.data = data


class FakeUsers(_Repo):
    async def add(self, name: str, email: str, password_hash: str, role: Role) -> User:
        if any(u.email == email for u in self.data.users.values()):
            raise AlreadyExists("user", "email", email)
        user_id = self.data.next_id()
        user = User(uuid4(), name, email, role, UserStatus.ACTIVE, NOW, NOW)
        self.data.users[user_id] = user
        self.data.password_hashes[user_id] = password_hash
        return user

    async def get(self, public_id: UUID) -> User | None:
        return next((u for u in self.data.users.values() if u.public_id == public_id), None)

    async def email_taken(self, email: str) -> bool:
        return any(u.email == email for u in self.data.users.values())


class FakeCustomers(_Repo):
    async def add(self, name: str, email: str, phone: str) -> Customer:
        if any(c.email == email for c in self.data.customers.values()):
            raise AlreadyExists("customer", "email", email)
        customer_id = self.data.next_id()
        customer = Customer(customer_id, uuid4(), name, email, phone, NOW, NOW)
        self.data.customers[customer_id] = customer
        return customer

    async def get_by_id(self, customer_id: int) -> Customer | None:
        return self.data.customers.get(customer_id)

    async def get_by_public_id(self, public_id: UUID) -> Customer | None:
        return next((c for c in self.data.customers.values() if c.public_id == public_id), None)

    async def get_by_email(self, email: str) -> Customer | None:
        return next((c for c in self.data.customers.values() if c.email == email), None)


class FakeHolders(_Repo):
    async def find(self, public_id: UUID) -> Holder | None:
        for user_id, user in self.data.users.items():
            if user.public_id == public_id:
                return Holder(public_id, user_id=user_id)
        for customer in self.data.customers.values():
            if customer.public_id == public_id:
                return Holder(public_id, customer_id=customer.id)
        return None


class FakeEvents(_Repo):
    def _with_totals(self, event: Event) -> Event:
        tiers = [t for t in self.data.tiers.values() if t.event_id == event.id]
        return replace(
            event,
            total_tickets=sum(t.capacity for t in tiers),
            tickets_sold=sum(t.sold for t in tiers),
        )

    async def add(self, event: NewEvent) -> Event:
        event_id = self.data.next_id()
        self.data.events[event_id] = Event(
            id=event_id,
            public_id=uuid4(),
            name=event.name,
            description=event.description,
            short_description=event.short_description,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            location=event.location,
            venue_details=event.venue_details,
            genre=event.genre,
            tags=event.tags,
            is_active=event.is_active,
            is_published=event.is_published,
            image_url=event.image_url,
            banner_url=event.banner_url,
            max_attendees=event.max_attendees,
            created_at=NOW,
            updated_at=NOW,
        )
        return self._with_totals(self.data.events[event_id])

    async def get(self, public_id: UUID, *, for_update: bool = False) -> Event | None:
        for event in self.data.events.values():
            if event.public_id == public_id:
                return self._with_totals(event)
        return None

    async def list(self, limit: int) -> Sequence[Event]:
        ordered = sorted(self.data.events.values(), key=lambda e: (e.starts_at, e.id))
        return [self._with_totals(e) for e in ordered[:limit]]


class FakeTicketTypes(_Repo):
    async def add(self, tier: NewTicketType) -> TicketType:
        for other in self.data.tiers.values():
            if other.event_id == tier.event_id and other.name.lower() == tier.name.lower():
                raise AlreadyExists("ticket type", "display_name", tier.name)
        tier_id = self.data.next_id()
        event = self.data.events[tier.event_id]
        self.data.tiers[tier_id] = TicketType(
            id=tier_id,
            public_id=uuid4(),
            event_id=tier.event_id,
            event_public_id=event.public_id,
            name=tier.name,
            description=tier.description,
            price=tier.price,
            capacity=tier.capacity,
            sold=0,
            reserved=0,
            max_per_order=tier.max_per_order,
            sales_start=tier.sales_start,
            sales_end=tier.sales_end,
            is_active=tier.is_active,
            benefits=tier.benefits,
            created_at=NOW,
            updated_at=NOW,
        )
        if tier.request_id is not None:
            self.data.tier_requests[tier.request_id] = tier_id
        return self.data.tiers[tier_id]

    async def get(self, public_id: UUID, *, for_update: bool = False) -> TicketType | None:
        return next((t for t in self.data.tiers.values() if t.public_id == public_id), None)

    async def get_by_request_id(self, request_id: UUID) -> TicketType | None:
        tier_id = self.data.tier_requests.get(request_id)
        return None if tier_id is None else self.data.tiers[tier_id]

    async def list_for_event(
        self, event_id: int, *, after_id: int | None = None, limit: int | None = None
    ) -> Sequence[TicketType]:
        start = after_id or 0
        tiers = sorted(
            (t for t in self.data.tiers.values() if t.event_id == event_id and t.id > start),
            key=lambda t: t.id,
        )
        return tiers if limit is None else tiers[:limit]

    async def update(self, tier_id: int, changes: TierChanges) -> TicketType:
        tier = self.data.tiers[tier_id]
        new = {name: getattr(changes.values, name) for name in changes.fields}
        if "benefits" in new:
            new["benefits"] = new["benefits"] or ()
        name = new.get("name")
        if isinstance(name, str):
            for other in self.data.tiers.values():
                same_event = other.event_id == tier.event_id and other.id != tier_id
                if same_event and other.name.lower() == name.lower():
                    raise AlreadyExists("ticket type", "display_name", name)
        self.data.tiers[tier_id] = replace(tier, **new)
        return self.data.tiers[tier_id]

    async def total_capacity(self, event_id: int, *, excluding: int | None = None) -> int:
        return sum(
            t.capacity
            for t in self.data.tiers.values()
            if t.event_id == event_id and t.id != excluding
        )

    async def take_seats(self, tier_id: int, quantity: int, now: datetime) -> bool:
        tier = self.data.tiers[tier_id]
        if (
            not tier.is_active
            or tier.sold + tier.reserved + quantity > tier.capacity
            or (tier.sales_start is not None and now < tier.sales_start)
            or (tier.sales_end is not None and now >= tier.sales_end)
        ):
            return False
        self.data.tiers[tier_id] = replace(tier, sold=tier.sold + quantity)
        return True


class FakeTickets(_Repo):
    async def add_many(self, tickets: Sequence[NewTicket]) -> list[Ticket]:
        added = []
        for new in tickets:
            if any(t.code == new.code for t in self.data.tickets.values()):
                raise AssertionError(f"duplicate ticket code {new.code}")
            assert (new.holder.user_id is None) != (new.holder.customer_id is None)
            event = self.data.events[new.event_id]
            tier = self.data.tiers[new.ticket_type_id]
            ticket_id = self.data.next_id()
            ticket = Ticket(
                public_id=uuid4(),
                code=new.code,
                status=new.status,
                price=new.price,
                event_public_id=event.public_id,
                event_name=event.name,
                event_starts_at=event.starts_at,
                event_location=event.location,
                ticket_type_public_id=tier.public_id,
                ticket_type_name=tier.name,
                holder_public_id=new.holder.public_id,
                created_at=NOW,
            )
            self.data.tickets[ticket_id] = ticket
            self.data.ticket_holders[ticket_id] = new.holder
            added.append(ticket)
        return added

    async def list_for_holder(self, holder: Holder) -> list[Ticket]:
        return [
            self.data.tickets[i]
            for i in sorted(self.data.tickets)
            if self.data.ticket_holders[i].public_id == holder.public_id
        ]

    async def get_by_code(self, code: str) -> Ticket | None:
        return next((t for t in self.data.tickets.values() if t.code == code), None)

    async def admit(
        self, code: str, event_public_id: UUID, gate: str, now: datetime
    ) -> Ticket | None:
        for ticket_id, ticket in self.data.tickets.items():
            if (
                ticket.code == code
                and ticket.status is TicketStatus.SOLD
                and ticket.event_public_id == event_public_id
            ):
                used = replace(
                    ticket, status=TicketStatus.USED, checked_in_at=now, checked_in_gate=gate
                )
                self.data.tickets[ticket_id] = used
                return used
        return None

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
        if outcome == "admitted":
            assert not any(
                s["ticket_public_id"] == ticket_public_id and s["outcome"] == "admitted"
                for s in self.data.scans
            ), "a ticket was admitted twice"
        self.data.scans.append(
            {
                "code": code,
                "event_public_id": event_public_id,
                "gate": gate,
                "outcome": outcome,
                "reason": reason,
                "ticket_public_id": ticket_public_id,
                "scanned_at": scanned_at,
            }
        )


class FakeUnitOfWork:
    def __init__(self, factory: FakeUnitOfWorkFactory) -> None:
        self._factory = factory
        self._committed = False

    async def __aenter__(self) -> Self:
        self._data = copy.deepcopy(self._factory.store)
        self.users = FakeUsers(self._data)
        self.customers = FakeCustomers(self._data)
        self.events = FakeEvents(self._data)
        self.ticket_types = FakeTicketTypes(self._data)
        self.tickets = FakeTickets(self._data)
        self.holders = FakeHolders(self._data)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._committed:
            self._factory.rollbacks += 1

    async def commit(self) -> None:
        self._factory.store = self._data
        self._factory.commits += 1
        self._committed = True


class FakeUnitOfWorkFactory:
    def __init__(self) -> None:
        self.store = Store()
        self.commits = 0
        self.rollbacks = 0

    def __call__(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)

    # Arranging a test's data, committed at once.

    async def add_event(self, **changes: Any) -> Event:
        fields: dict[str, Any] = {
            "name": "Concert",
            "description": "",
            "short_description": "",
            "starts_at": NOW + timedelta(days=30),
            "ends_at": NOW + timedelta(days=30, hours=3),
            "location": "Hall",
            "venue_details": "",
            "genre": "music",
            "tags": (),
            "is_active": True,
            "is_published": True,
            "image_url": "",
            "banner_url": "",
            "max_attendees": 0,
        }
        async with self() as uow:
            event = await uow.events.add(NewEvent(**(fields | changes)))
            await uow.commit()
        return event

    async def add_tier(self, event: Event, **changes: Any) -> TicketType:
        fields: dict[str, Any] = {
            "event_id": event.id,
            "name": f"Tier {self.store.last_id + 1}",
            "description": "",
            "price": Money(2500, "USD"),
            "capacity": 100,
            "max_per_order": 10,
            "sales_start": None,
            "sales_end": None,
            "is_active": True,
            "benefits": (),
        }
        sold = changes.pop("sold", 0)
        async with self() as uow:
            tier = await uow.ticket_types.add(NewTicketType(**(fields | changes)))
            await uow.commit()
        if sold:
            tier = replace(tier, sold=sold)
            self.store.tiers[tier.id] = tier
        return tier

    async def add_customer(self, email: str = "buyer@example.com") -> Customer:
        async with self() as uow:
            customer = await uow.customers.add("Buyer", email, "")
            await uow.commit()
        return customer

    def tier(self, tier_id: int) -> TicketType:
        return self.store.tiers[tier_id]


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.moment = now

    def now(self) -> datetime:
        return self.moment


class FakeHasher:
    """Deterministic and fast; remembers what it was asked to hash."""

    def __init__(self) -> None:
        self.hashed: list[str] = []

    async def hash(self, password: str) -> str:
        self.hashed.append(password)
        return "fake-sha256$" + hashlib.sha256(password.encode()).hexdigest()

    async def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "fake-sha256$" + hashlib.sha256(password.encode()).hexdigest()
