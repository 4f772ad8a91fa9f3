"""``osmi.v1``: ticket tiers, tickets and check-in."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from uuid import UUID

from osmi.application.catalog import CatalogService
from osmi.application.checkin import CheckInService, ScanTicket
from osmi.application.ports import TierDraft
from osmi.domain.catalog import TicketType
from osmi.domain.errors import InvalidArgument
from osmi.domain.tickets import RejectionReason, ScanOutcome, ScanResult, Ticket, TicketStatus
from osmi.domain.values import Money, shown
from osmi.v1 import catalog_pb2 as catalog_pb
from osmi.v1 import catalog_pb2_grpc, tickets_pb2_grpc
from osmi.v1 import money_pb2 as money_pb
from osmi.v1 import tickets_pb2 as tickets_pb

from .convert import optional_instant, resource_ids, timestamp, uuid_field

# TicketType proto fields a client may set, and the TierDraft field each fills.
_TIER_FIELDS = {
    "display_name": "name",
    "description": "description",
    "price": "price",
    "capacity": "capacity",
    "max_per_order": "max_per_order",
    "sale_start_time": "sales_start",
    "sale_end_time": "sales_end",
    "active": "is_active",
    "benefits": "benefits",
}
_OUTPUT_ONLY = {
    "name", "ticket_type_id", "event_id", "sold_count", "available_count",
    "create_time", "update_time",
}  # fmt: skip


def _money(money: Money) -> money_pb.Money:
    return money_pb.Money(currency_code=money.currency, units_minor=money.units_minor)


def _tier(tier: TicketType) -> catalog_pb.TicketType:
    return catalog_pb.TicketType(
        name=f"events/{tier.event_public_id}/ticketTypes/{tier.public_id}",
        ticket_type_id=str(tier.public_id),
        event_id=str(tier.event_public_id),
        display_name=tier.name,
        description=tier.description,
        price=_money(tier.price),
        capacity=tier.capacity,
        sold_count=tier.sold,
        available_count=tier.available,
        max_per_order=tier.max_per_order,
        sale_start_time=timestamp(tier.sales_start),
        sale_end_time=timestamp(tier.sales_end),
        active=tier.is_active,
        benefits=list(tier.benefits),
        create_time=timestamp(tier.created_at),
        update_time=timestamp(tier.updated_at),
    )


def _draft(message: catalog_pb.TicketType, prefix: str = "ticket_type.") -> TierDraft:
    price = None
    if message.HasField("price"):
        price = Money.of(
            message.price.units_minor, message.price.currency_code, field=f"{prefix}price"
        )
    return TierDraft(
        name=message.display_name,
        description=message.description,
        price=price,
        capacity=message.capacity,
        max_per_order=message.max_per_order,
        sales_start=optional_instant(message, "sale_start_time", f"{prefix}sale_start_time"),
        sales_end=optional_instant(message, "sale_end_time", f"{prefix}sale_end_time"),
        is_active=message.active if message.HasField("active") else None,
        benefits=tuple(message.benefits),
    )


def _update_fields(request: catalog_pb.UpdateTicketTypeRequest) -> list[str]:
    paths = list(request.update_mask.paths) or _fields_set(request.ticket_type)
    fields = []
    for path in paths:
        if path in _OUTPUT_ONLY or path not in _TIER_FIELDS:
            raise InvalidArgument.field("update_mask", f"{shown(path)} cannot be updated")
        fields.append(_TIER_FIELDS[path])
    return fields


def _fields_set(tier: catalog_pb.TicketType) -> list[str]:
    """Without a mask, every updatable field the client gave a value."""
    return [
        descriptor.name for descriptor, _ in tier.ListFields() if descriptor.name in _TIER_FIELDS
    ]


def _page_token(event_id: UUID, after_id: int) -> str:
    return base64.urlsafe_b64encode(f"{event_id}:{after_id}".encode()).decode().rstrip("=")


def _after_id(token: str, event_id: UUID) -> int | None:
    if not token:
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        owner, _, after = raw.partition(":")
        # A bigint id has at most 19 digits; more would overflow the query.
        if UUID(owner) == event_id and after.isdigit() and len(after) <= 18:
            return int(after)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise InvalidArgument.field("page_token", "is not a token from this listing")


class CatalogServicer(catalog_pb2_grpc.CatalogServiceServicer):
    def __init__(self, catalog: CatalogService) -> None:
        self._catalog = catalog

    async def CreateTicketType(
        self, request: catalog_pb.CreateTicketTypeRequest, context: Any
    ) -> catalog_pb.TicketType:
        (event_id,) = resource_ids(request.parent, "parent", "events")
        request_id = uuid_field(request.request_id, "request_id") if request.request_id else None
        tier = await self._catalog.create_tier(event_id, _draft(request.ticket_type), request_id)
        return _tier(tier)

    async def GetTicketType(
        self, request: catalog_pb.GetTicketTypeRequest, context: Any
    ) -> catalog_pb.TicketType:
        event_id, tier_id = resource_ids(request.name, "name", "events", "ticketTypes")
        return _tier(await self._catalog.get_tier(event_id, tier_id))

    async def ListTicketTypes(
        self, request: catalog_pb.ListTicketTypesRequest, context: Any
    ) -> catalog_pb.ListTicketTypesResponse:
        (event_id,) = resource_ids(request.parent, "parent", "events")
        page = await self._catalog.list_tiers(
            event_id,
            page_size=request.page_size,
            after_id=_after_id(request.page_token, event_id),
        )
        token = _page_token(event_id, page.next_after_id) if page.next_after_id else ""
        return catalog_pb.ListTicketTypesResponse(
            ticket_types=[_tier(t) for t in page.tiers], next_page_token=token
        )

    async def UpdateTicketType(
        self, request: catalog_pb.UpdateTicketTypeRequest, context: Any
    ) -> catalog_pb.TicketType:
        event_id, tier_id = resource_ids(
            request.ticket_type.name, "ticket_type.name", "events", "ticketTypes"
        )
        fields = _update_fields(request)
        draft = _draft(request.ticket_type)
        return _tier(await self._catalog.update_tier(event_id, tier_id, draft, fields))


_STATES = {
    TicketStatus.AVAILABLE: tickets_pb.TICKET_STATE_UNSPECIFIED,
    TicketStatus.RESERVED: tickets_pb.TICKET_STATE_RESERVED,
    TicketStatus.SOLD: tickets_pb.TICKET_STATE_SOLD,
    TicketStatus.USED: tickets_pb.TICKET_STATE_USED,
    TicketStatus.CANCELLED: tickets_pb.TICKET_STATE_CANCELLED,
}
_Response = tickets_pb.CheckInTicketResponse
_OUTCOMES = {
    ScanOutcome.ADMITTED: _Response.ADMITTED,
    ScanOutcome.ALREADY_USED: _Response.ALREADY_USED,
    ScanOutcome.REJECTED: _Response.REJECTED,
}
_REASONS = {
    RejectionReason.UNKNOWN_CODE: _Response.UNKNOWN_CODE,
    RejectionReason.WRONG_EVENT: _Response.WRONG_EVENT,
    RejectionReason.CANCELLED: _Response.CANCELLED,
    RejectionReason.NOT_PAID: _Response.NOT_PAID,
}


def _ticket(ticket: Ticket) -> tickets_pb.Ticket:
    return tickets_pb.Ticket(
        ticket_id=str(ticket.public_id),
        code=ticket.code,
        event_id=str(ticket.event_public_id),
        event_name=ticket.event_name,
        event_start_time=timestamp(ticket.event_starts_at),
        ticket_type_id=str(ticket.ticket_type_public_id),
        ticket_type_display_name=ticket.ticket_type_name,
        state=_STATES[ticket.status],
        price=_money(ticket.price),
        holder_id=str(ticket.holder_public_id),
        create_time=timestamp(ticket.created_at),
        check_in_time=timestamp(ticket.checked_in_at),
        check_in_gate=ticket.checked_in_gate or "",
    )


def _scan(result: ScanResult) -> tickets_pb.CheckInTicketResponse:
    response = tickets_pb.CheckInTicketResponse(
        outcome=_OUTCOMES[result.outcome],
        reason=_REASONS[result.reason] if result.reason else _Response.REJECTION_REASON_UNSPECIFIED,
        scan_time=timestamp(result.scanned_at),
        message=result.message,
    )
    if result.ticket is not None:
        response.ticket.CopyFrom(_ticket(result.ticket))
        first = timestamp(result.ticket.checked_in_at)
        if result.outcome is ScanOutcome.ALREADY_USED and first is not None:
            response.first_check_in_time.CopyFrom(first)
            response.first_check_in_gate = result.ticket.checked_in_gate or ""
    return response


class TicketServicer(tickets_pb2_grpc.TicketServiceServicer):
    def __init__(self, checkin: CheckInService) -> None:
        self._checkin = checkin

    async def GetTicket(
        self, request: tickets_pb.GetTicketRequest, context: Any
    ) -> tickets_pb.Ticket:
        return _ticket(await self._checkin.get_ticket(request.code))

    async def CheckInTicket(
        self, request: tickets_pb.CheckInTicketRequest, context: Any
    ) -> tickets_pb.CheckInTicketResponse:
        result = await self._checkin.scan(
            ScanTicket(
                event_id=uuid_field(request.event_id, "event_id"),
                code=request.code,
                gate=request.gate,
            )
        )
        return _scan(result)
