"""Ticket codes and what a door scan concludes."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osmi.domain.tickets import (
    RejectionReason,
    ScanOutcome,
    ScanResult,
    Ticket,
    TicketStatus,
    judge_scan,
    new_ticket_code,
    normalize_code,
)
from osmi.domain.values import Money

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE = re.compile(r"OSM-[0-9A-HJKMNP-TV-Z]{4}(?:-[0-9A-HJKMNP-TV-Z]{4}){3}")
NOW = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)
EVENT = uuid4()


def make_ticket(**changes: Any) -> Ticket:
    ticket = Ticket(
        public_id=uuid4(),
        code=new_ticket_code(),
        status=TicketStatus.SOLD,
        price=Money(2500, "USD"),
        event_public_id=EVENT,
        event_name="Concert",
        event_starts_at=NOW,
        event_location="Hall",
        ticket_type_public_id=uuid4(),
        ticket_type_name="General",
        holder_public_id=uuid4(),
        created_at=NOW,
    )
    return replace(ticket, **changes)


# --- Codes -----------------------------------------------------------------------------


def test_code_format() -> None:
    code = new_ticket_code()
    assert CODE.fullmatch(code), code
    assert len(code) == len("OSM-") + 16 + 3


def test_codes_are_unique_over_many() -> None:
    codes = {new_ticket_code() for _ in range(20_000)}
    assert len(codes) == 20_000


def test_codes_use_the_whole_crockford_alphabet_and_nothing_else() -> None:
    seen: set[str] = set()
    for _ in range(2_000):
        seen.update(new_ticket_code().removeprefix("OSM-").replace("-", ""))
    assert seen == set(CROCKFORD)
    assert not seen & set("ILOU")


def test_a_fresh_code_is_already_normal() -> None:
    code = new_ticket_code()
    assert normalize_code(code) == code


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("osm-7kq2-m9xd-4tbw-h1zc", "OSM-7KQ2-M9XD-4TBW-H1ZC"),
        ("  OSM-7KQ2-M9XD-4TBW-H1ZC\n", "OSM-7KQ2-M9XD-4TBW-H1ZC"),
        ("osm 7kq2 m9xd", "OSM7KQ2M9XD"),
        ("OSM-7KQ2 - M9XD", "OSM-7KQ2-M9XD"),
        ("", ""),
    ],
)
def test_normalize_code_ignores_case_and_spaces(raw: str, normal: str) -> None:
    assert normalize_code(raw) == normal


@settings(database=None, max_examples=100)
@given(
    casing=st.lists(st.booleans(), min_size=23, max_size=23),
    pad=st.text(alphabet=" ", max_size=3),
)
def test_loosely_typed_codes_normalise_back(casing: list[bool], pad: str) -> None:
    code = new_ticket_code()
    typed = "".join(c.lower() if low else c for c, low in zip(code, casing, strict=True))
    assert normalize_code(pad + typed.replace("-", "- ", 1) + pad) == code


# --- Scans -----------------------------------------------------------------------------


def test_unknown_code_is_rejected() -> None:
    result = judge_scan(None, EVENT, NOW)
    assert result == ScanResult(ScanOutcome.REJECTED, NOW, None, RejectionReason.UNKNOWN_CODE)
    assert result.message == "Unknown ticket code"


def test_a_ticket_of_another_event_is_rejected_whatever_its_state() -> None:
    for status in TicketStatus:
        ticket = make_ticket(event_public_id=uuid4(), status=status)
        result = judge_scan(ticket, EVENT, NOW)
        assert result.outcome is ScanOutcome.REJECTED
        assert result.reason is RejectionReason.WRONG_EVENT
        assert result.ticket == ticket
        assert result.message == "Ticket is for another event"


def test_a_used_ticket_is_already_used_and_names_the_gate() -> None:
    ticket = make_ticket(status=TicketStatus.USED, checked_in_at=NOW, checked_in_gate="north-2")
    result = judge_scan(ticket, EVENT, NOW)
    assert result.outcome is ScanOutcome.ALREADY_USED
    assert result.reason is None
    assert result.ticket == ticket
    assert result.scanned_at == NOW
    assert result.message == "Already used at gate north-2"


def test_a_cancelled_ticket_is_rejected() -> None:
    result = judge_scan(make_ticket(status=TicketStatus.CANCELLED), EVENT, NOW)
    assert (result.outcome, result.reason) == (ScanOutcome.REJECTED, RejectionReason.CANCELLED)
    assert result.message == "Ticket was cancelled"


@pytest.mark.parametrize("status", [TicketStatus.AVAILABLE, TicketStatus.RESERVED])
def test_an_unpaid_ticket_is_rejected(status: TicketStatus) -> None:
    result = judge_scan(make_ticket(status=status), EVENT, NOW)
    assert (result.outcome, result.reason) == (ScanOutcome.REJECTED, RejectionReason.NOT_PAID)
    assert result.message == "Ticket is not paid"


def test_admitted_message() -> None:
    assert ScanResult(ScanOutcome.ADMITTED, NOW, make_ticket()).message == "Admitted"
