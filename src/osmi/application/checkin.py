"""Tickets at the door: look one up, scan one in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from uuid import UUID

from osmi.application.ports import Clock, UnitOfWorkFactory
from osmi.domain.errors import InvalidArgument, NotFound
from osmi.domain.tickets import ScanOutcome, ScanResult, Ticket, judge_scan, normalize_code
from osmi.domain.values import require_text


@dataclass(frozen=True, slots=True)
class ScanTicket:
    event_id: UUID
    code: str
    gate: str


class CheckInService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def get_ticket(self, code: str) -> Ticket:
        wanted = _checked_code(code)
        async with self._uow() as uow:
            ticket = await uow.tickets.get_by_code(wanted)
        if ticket is None:
            raise NotFound("ticket", wanted)
        return ticket

    async def scan(self, cmd: ScanTicket) -> ScanResult:
        """Admit a ticket at most once, and record every scan.

        Admission is a single conditional UPDATE (sold -> used): when two
        gates scan the same ticket at once, PostgreSQL lets exactly one of
        them change the row; the other re-reads it and answers ALREADY_USED.
        """
        code = _checked_code(cmd.code)
        gate = require_text(cmd.gate, "gate", max_length=100)
        now = self._clock.now()
        async with self._uow() as uow:
            admitted = await uow.tickets.admit(code, cmd.event_id, gate, now)
            if admitted is not None:
                result = ScanResult(ScanOutcome.ADMITTED, now, admitted)
            else:
                result = judge_scan(await uow.tickets.get_by_code(code), cmd.event_id, now)
            await uow.tickets.record_scan(
                code=code,
                event_public_id=cmd.event_id,
                gate=gate,
                outcome=result.outcome.value,
                reason=result.reason.value if result.reason else None,
                ticket_public_id=result.ticket.public_id if result.ticket else None,
                scanned_at=now,
            )
            await uow.commit()
        return result


MAX_CODE_LENGTH = 64
_CODE_CHARS = re.compile(r"[0-9A-Z-]+")


def _checked_code(raw: str) -> str:
    code = normalize_code(raw)
    if not code:
        raise InvalidArgument.field("code", "is required")
    if len(code) > MAX_CODE_LENGTH:
        raise InvalidArgument.field("code", f"must be at most {MAX_CODE_LENGTH} characters")
    if not _CODE_CHARS.fullmatch(code):
        raise InvalidArgument.field("code", "may hold only letters, digits and dashes")
    return code
