"""``osmi.OsmiService``: the classic contract, wire-compatible with the Go server."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from osmi import __version__
from osmi.application.catalog import CatalogService
from osmi.application.identity import (
    CustomerKey,
    IdentityService,
    RegisterCustomer,
    RegisterUser,
)
from osmi.application.ports import NewEvent
from osmi.application.sales import PurchaseTickets, SalesService
from osmi.classic import osmi_pb2 as pb
from osmi.classic import osmi_pb2_grpc
from osmi.domain.catalog import Event, TicketType
from osmi.domain.errors import InvalidArgument
from osmi.domain.identity import Customer, User
from osmi.domain.tickets import Ticket
from osmi.domain.values import format_instant, parse_instant

from .convert import timestamp, uuid_field

MAX_QUANTITY_FIELD = 2**31 - 1


def _user(user: User) -> pb.UserResponse:
    return pb.UserResponse(
        user_id=str(user.public_id),
        status=user.status.value,
        name=user.name,
        email=user.email,
        role=user.role.value,
        created_at=timestamp(user.created_at),
    )


def _customer(customer: Customer) -> pb.CustomerResponse:
    return pb.CustomerResponse(
        id=customer.id,
        public_id=str(customer.public_id),
        name=customer.name,
        email=customer.email,
        phone=customer.phone,
        created_at=timestamp(customer.created_at),
        updated_at=timestamp(customer.updated_at),
    )


def _clamp32(value: int) -> int:
    return min(value, MAX_QUANTITY_FIELD)


def _event(event: Event) -> pb.EventResponse:
    return pb.EventResponse(
        public_id=str(event.public_id),
        name=event.name,
        description=event.description,
        short_description=event.short_description,
        start_date=format_instant(event.starts_at),
        end_date=format_instant(event.ends_at),
        location=event.location,
        venue_details=event.venue_details,
        category=event.genre,
        tags=list(event.tags),
        is_active=event.is_active,
        is_published=event.is_published,
        image_url=event.image_url,
        banner_url=event.banner_url,
        max_attendees=event.max_attendees,
        total_tickets=_clamp32(event.total_tickets),
        tickets_sold=_clamp32(event.tickets_sold),
        created_at=timestamp(event.created_at),
        updated_at=timestamp(event.updated_at),
    )


def _category(tier: TicketType) -> pb.CategoryResponse:
    return pb.CategoryResponse(
        public_id=str(tier.public_id),
        name=tier.name,
        description=tier.description,
        price=tier.price.major,
        quantity_available=tier.available,
        quantity_sold=tier.sold,
        max_tickets_per_order=tier.max_per_order,
        sales_start=timestamp(tier.sales_start),
        sales_end=timestamp(tier.sales_end),
        is_active=tier.is_active,
        benefits=list(tier.benefits),
    )


def _ticket(ticket: Ticket) -> pb.TicketResponse:
    # TODO(tickets): qr_code_url stays empty until signed, offline-verifiable
    # ticket payloads exist; a URL to an unsigned code would be forgeable.
    return pb.TicketResponse(
        ticket_id=str(ticket.public_id),
        status=ticket.status.value,
        code=ticket.code,
        qr_code_url="",
        event_name=ticket.event_name,
        event_date=format_instant(ticket.event_starts_at),
        location=ticket.event_location,
        price=ticket.price.major,
        category_name=ticket.ticket_type_name,
        created_at=timestamp(ticket.created_at),
    )


def _new_event(request: pb.EventRequest) -> NewEvent:
    return NewEvent(
        name=request.name,
        description=request.description,
        short_description=request.short_description,
        starts_at=parse_instant(request.start_date, "start_date"),
        ends_at=parse_instant(request.end_date, "end_date"),
        location=request.location,
        venue_details=request.venue_details,
        genre=request.category,
        tags=tuple(request.tags),
        is_active=request.is_active,
        is_published=request.is_published,
        image_url=request.image_url,
        banner_url=request.banner_url,
        max_attendees=request.max_attendees,
    )


def _customer_key(request: pb.CustomerLookup) -> CustomerKey:
    which = request.WhichOneof("lookup")
    if which == "id":
        return CustomerKey(id=request.id)
    if which == "public_id":
        return CustomerKey(public_id=uuid_field(request.public_id, "public_id"))
    if which == "email":
        return CustomerKey(email=request.email)
    raise InvalidArgument.field("lookup", "set one of id, public_id or email")


class ClassicServicer(osmi_pb2_grpc.OsmiServiceServicer):
    def __init__(
        self,
        identity: IdentityService,
        catalog: CatalogService,
        sales: SalesService,
        database_ok: Callable[[], Awaitable[bool]],
        service_name: str = "osmi",
    ) -> None:
        self._identity = identity
        self._catalog = catalog
        self._sales = sales
        self._database_ok = database_ok
        self._service_name = service_name

    async def CreateTicket(self, request: pb.TicketRequest, context: Any) -> pb.TicketResponse:
        if request.quantity < 0:
            raise InvalidArgument.field("quantity", "must not be negative (0 means 1)")
        tickets = await self._sales.purchase(
            PurchaseTickets(
                event_id=uuid_field(request.event_id, "event_id"),
                buyer_id=uuid_field(request.user_id, "user_id"),
                ticket_type_id=uuid_field(request.category_id, "category_id"),
                quantity=request.quantity or 1,
            )
        )
        return _ticket(tickets[0])

    async def ListTickets(self, request: pb.UserLookup, context: Any) -> pb.TicketListResponse:
        tickets = await self._sales.tickets_of(uuid_field(request.user_id, "user_id"))
        return pb.TicketListResponse(
            tickets=[_ticket(t) for t in tickets], total_count=len(tickets)
        )

    async def CreateCustomer(
        self, request: pb.CustomerRequest, context: Any
    ) -> pb.CustomerResponse:
        customer = await self._identity.register_customer(
            RegisterCustomer(name=request.name, email=request.email, phone=request.phone)
        )
        return _customer(customer)

    async def GetCustomer(self, request: pb.CustomerLookup, context: Any) -> pb.CustomerResponse:
        return _customer(await self._identity.get_customer(_customer_key(request)))

    async def CreateUser(self, request: pb.UserRequest, context: Any) -> pb.UserResponse:
        user = await self._identity.register_user(
            RegisterUser(
                name=request.name,
                email=request.email,
                password=request.password,
                role=request.role,
            )
        )
        return _user(user)

    async def CreateEvent(self, request: pb.EventRequest, context: Any) -> pb.EventResponse:
        return _event(await self._catalog.create_event(_new_event(request)))

    async def GetEvent(self, request: pb.EventLookup, context: Any) -> pb.EventResponse:
        return _event(await self._catalog.get_event(uuid_field(request.public_id, "public_id")))

    async def ListEvents(self, request: pb.Empty, context: Any) -> pb.EventListResponse:
        events = await self._catalog.list_events()
        return pb.EventListResponse(events=[_event(e) for e in events], total_count=len(events))

    async def GetEventCategories(
        self, request: pb.EventLookup, context: Any
    ) -> pb.CategoryListResponse:
        event, tiers = await self._catalog.event_tiers(uuid_field(request.public_id, "public_id"))
        return pb.CategoryListResponse(
            categories=[_category(t) for t in tiers],
            event_name=event.name,
            event_public_id=str(event.public_id),
        )

    async def HealthCheck(self, request: pb.Empty, context: Any) -> pb.HealthResponse:
        healthy = await self._database_ok()
        return pb.HealthResponse(
            status="healthy" if healthy else "unhealthy",
            service=self._service_name,
            version=__version__,
            timestamp=timestamp(datetime.now(UTC)),
        )
