"""Issued tickets, their codes, and what a door scan concludes."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from osmi.domain.values import Money

# Crockford's base32 alphabet: no I, L, O or U, so codes survive being read aloud.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CODE_CHARS = 16  # 80 random bits: guessing a valid code is hopeless


def new_ticket_code() -> str:
    """A fresh unguessable code such as ``OSM-7KQ2-M9XD-4TBW-H1ZC``."""
    raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_CHARS))
    return "OSM-" + "-".join(raw[i : i + 4] for i in range(0, _CODE_CHARS, 4))


def normalize_code(raw: str) -> str:
    """Scanners and people type codes loosely: case and spacing do not matter."""
    return raw.strip().upper().replace(" ", "")


class TicketStatus(enum.StrEnum):
    AVAILABLE = "available"
    RESERVED = "reserved"
    SOLD = "sold"
    USED = "used"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Ticket:
    public_id: UUID
    code: str
    status: TicketStatus
    price: Money
    event_public_id: UUID
    event_name: str
    event_starts_at: datetime
    event_location: str
    ticket_type_public_id: UUID
    ticket_type_name: str
    holder_public_id: UUID
    created_at: datetime
    checked_in_at: datetime | None = None
    checked_in_gate: str | None = None


class ScanOutcome(enum.StrEnum):
    ADMITTED = "admitted"
    ALREADY_USED = "already_used"
    REJECTED = "rejected"


class RejectionReason(enum.StrEnum):
    UNKNOWN_CODE = "unknown_code"
    WRONG_EVENT = "wrong_event"
    CANCELLED = "cancelled"
    NOT_PAID = "not_paid"


@dataclass(frozen=True, slots=True)
class ScanResult:
    outcome: ScanOutcome
    scanned_at: datetime
    ticket: Ticket | None = None
    reason: RejectionReason | None = None

    @property
    def message(self) -> str:
        if self.outcome is ScanOutcome.ADMITTED:
            return "Admitted"
        if self.outcome is ScanOutcome.ALREADY_USED and self.ticket is not None:
            return f"Already used at gate {self.ticket.checked_in_gate}"
        return {
            RejectionReason.UNKNOWN_CODE: "Unknown ticket code",
            RejectionReason.WRONG_EVENT: "Ticket is for another event",
            RejectionReason.CANCELLED: "Ticket was cancelled",
            RejectionReason.NOT_PAID: "Ticket is not paid",
        }.get(self.reason or RejectionReason.UNKNOWN_CODE, "Rejected")


def judge_scan(ticket: Ticket | None, event_public_id: UUID, now: datetime) -> ScanResult:
    """Outcome of a scan that did not admit: why not, from the ticket's state.

    Admission itself happens in the store with one conditional update, so two
    gates can never both admit; this only explains the losers and the rest.
    """
    if ticket is None:
        return ScanResult(ScanOutcome.REJECTED, now, None, RejectionReason.UNKNOWN_CODE)
    if ticket.event_public_id != event_public_id:
        return ScanResult(ScanOutcome.REJECTED, now, ticket, RejectionReason.WRONG_EVENT)
    if ticket.status is TicketStatus.USED:
        return ScanResult(ScanOutcome.ALREADY_USED, now, ticket)
    if ticket.status is TicketStatus.CANCELLED:
        return ScanResult(ScanOutcome.REJECTED, now, ticket, RejectionReason.CANCELLED)
    return ScanResult(ScanOutcome.REJECTED, now, ticket, RejectionReason.NOT_PAID)
