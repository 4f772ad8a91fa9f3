"""Input that looks right but is not: Unicode look-alikes, invisible and control text."""

from __future__ import annotations

import pytest

from osmi.domain.errors import InvalidArgument
from osmi.domain.values import Money, limit_text, parse_uuid, require_text, shown

UUID_TEXT = "3f2c1a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f"


# A long s ("u\u017fd".upper() == "USD"), full-width letters, a space, four letters.
@pytest.mark.parametrize("code", ["u\u017fd", "\uff35\uff33\uff24", "US D", "USDX"])
def test_currency_codes_must_be_three_ascii_letters(code: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        Money.of(100, code)
    assert exc.value.violations[0].field == "price.currency_code"


def test_currency_codes_are_case_insensitive_ascii() -> None:
    assert Money.of(100, " usd ").currency == "USD"


def test_uuids_take_only_ascii_hex_digits() -> None:
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in UUID_TEXT)
    with pytest.raises(InvalidArgument):
        parse_uuid(full_width, "event_id")
    assert str(parse_uuid(UUID_TEXT.upper(), "event_id")) == UUID_TEXT


def test_errors_quote_long_values_only_in_part() -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_uuid("x" * 4000, "public_id")
    assert len(exc.value.message) < 120
    assert shown("x" * 50).endswith("…")


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u200c ", "\t"])
def test_names_need_something_visible(name: str) -> None:
    with pytest.raises(InvalidArgument, match="is required"):
        require_text(name, "name")


@pytest.mark.parametrize("name", ["\u202eevil", "red\x1b[31m", "two\nlines", "nul\x00"])
def test_names_refuse_control_and_bidi_override_characters(name: str) -> None:
    with pytest.raises(InvalidArgument, match="control characters"):
        require_text(name, "name")


def test_free_text_keeps_line_breaks_but_not_other_controls() -> None:
    assert limit_text("line one\nline two\ttab", "description", max_length=100)
    with pytest.raises(InvalidArgument, match="control characters"):
        limit_text("bell\x07", "description", max_length=100)


def test_names_keep_accents_and_emoji() -> None:
    assert require_text("  Lucía 🎺 ", "name") == "Lucía 🎺"
