"""Selling tickets from a tier, all or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from osmi.application.ports import Clock, Holder, NewTicket, UnitOfWork, UnitOfWorkFactory
from osmi.domain.errors import InvalidArgument, NotFound, TierSoldOut
from osmi.domain.tickets import Ticket, TicketStatus, new_ticket_code


@dataclass(frozen=True, slots=True)
class PurchaseTickets:
    event_id: UUID
    buyer_id: UUID
    ticket_type_id: UUID
    quantity: int


class SalesService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def purchase(self, cmd: PurchaseTickets) -> list[Ticket]:
        """Issue ``quantity`` sold tickets of one tier to one buyer.

        The seat count moves in one conditional UPDATE inside the same
        transaction as the ticket rows, so concurrent buyers can never push
        a tier past its capacity, and a failure leaves nothing behind.
        """
        if cmd.quantity < 1:
            raise InvalidArgument.field("quantity", "must be at least 1")
        now = self._clock.now()
        async with self._uow() as uow:
            tier = await uow.ticket_types.get(cmd.ticket_type_id)
            if tier is None:
                raise NotFound("ticket category", str(cmd.ticket_type_id))
            if tier.event_public_id != cmd.event_id:
                raise InvalidArgument.field(
                    "category_id", "the ticket category does not belong to this event"
                )
            event = await uow.events.get(cmd.event_id)
            if event is None:
                raise NotFound("event", str(cmd.event_id))
            holder = await _holder(uow, cmd.buyer_id)
            event.check_on_sale(now)
            tier.check_on_sale(now)
            tier.check_quantity(cmd.quantity)
            if not await uow.ticket_types.take_seats(tier.id, cmd.quantity, now):
                await _explain_refusal(uow, tier.public_id, cmd.quantity, now)
            tickets = await uow.tickets.add_many(
                [
                    NewTicket(
                        code=new_ticket_code(),
                        event_id=event.id,
                        ticket_type_id=tier.id,
                        holder=holder,
                        price=tier.price,
                        status=TicketStatus.SOLD,
                    )
                    for _ in range(cmd.quantity)
                ]
            )
            await uow.commit()
        return tickets

    async def tickets_of(self, holder_id: UUID) -> list[Ticket]:
        async with self._uow() as uow:
            holder = await _holder(uow, holder_id)
            return await uow.tickets.list_for_holder(holder)


async def _holder(uow: UnitOfWork, public_id: UUID) -> Holder:
    holder = await uow.holders.find(public_id)
    if holder is None:
        raise NotFound("user", str(public_id))
    return holder


async def _explain_refusal(uow: UnitOfWork, tier_id: UUID, quantity: int, now: datetime) -> None:
    """The conditional update refused: say why, from a fresh read."""
    tier = await uow.ticket_types.get(tier_id)
    if tier is None:
        raise NotFound("ticket category", str(tier_id))
    # A tier switched off or closed between our read and the update.
    tier.check_on_sale(now)
    raise TierSoldOut(str(tier.public_id), quantity, tier.available)
