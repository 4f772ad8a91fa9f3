"""Value objects: Money, RFC 3339 instants, e-mail addresses and phone numbers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from osmi.domain.errors import InvalidArgument
from osmi.domain.values import (
    MAX_MINOR_UNITS,
    MINOR_UNIT_DIGITS,
    Money,
    format_instant,
    normalize_email,
    normalize_phone,
    parse_instant,
)

# No example database: keep the checkout free of a .hypothesis directory.
examples = settings(database=None, max_examples=200, deadline=None)


def only_violation(exc: pytest.ExceptionInfo[InvalidArgument]) -> tuple[str, str]:
    assert len(exc.value.violations) == 1
    violation = exc.value.violations[0]
    return violation.field, violation.description


# --- Money -----------------------------------------------------------------------------


def test_money_keeps_integer_minor_units_and_currency() -> None:
    price = Money(1999, "USD")
    assert price.units_minor == 1999
    assert price.currency == "USD"
    assert price == Money(1999, "USD")
    assert price != Money(1999, "EUR")


@pytest.mark.parametrize(
    ("units", "currency", "major"),
    [
        (1999, "USD", 19.99),
        (5, "EUR", 0.05),
        (0, "USD", 0.0),
        (1500, "JPY", 1500.0),  # yen: no minor unit
        (7, "KRW", 7.0),
        (1234, "KWD", 1.234),  # dinar: three digits
        (1, "KWD", 0.001),
    ],
)
def test_major_divides_by_the_currencys_minor_unit(units: int, currency: str, major: float) -> None:
    assert Money(units, currency).major == major


def test_minor_unit_digits_of_special_currencies() -> None:
    assert MINOR_UNIT_DIGITS["JPY"] == 0
    assert MINOR_UNIT_DIGITS["KWD"] == 3
    assert MINOR_UNIT_DIGITS["USD"] == 2


@pytest.mark.parametrize("currency", ["usd", "XXX", "US", "", "EURO", "BTC"])
def test_constructor_rejects_unknown_or_unnormalised_codes(currency: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        Money(100, currency)
    field, _ = only_violation(exc)
    assert field == "currency_code"


@pytest.mark.parametrize("units", [-1, MAX_MINOR_UNITS + 1])
def test_constructor_rejects_amounts_out_of_range(units: int) -> None:
    with pytest.raises(InvalidArgument) as exc:
        Money(units, "USD")
    assert only_violation(exc)[0] == "units_minor"


def test_bounds_are_inclusive() -> None:
    assert Money(0, "USD").units_minor == 0
    assert Money(MAX_MINOR_UNITS, "USD").units_minor == MAX_MINOR_UNITS


def test_of_normalises_client_codes() -> None:
    assert Money.of(250, " eur ") == Money(250, "EUR")


def test_of_names_the_client_field_in_violations() -> None:
    with pytest.raises(InvalidArgument) as exc:
        Money.of(100, "dollars", field="ticket_type.price")
    field, description = only_violation(exc)
    assert field == "ticket_type.price.currency_code"
    assert "dollars" in description

    with pytest.raises(InvalidArgument) as exc:
        Money.of(-5, "USD")
    assert only_violation(exc)[0] == "price.units_minor"


def test_multiplying_keeps_the_currency_and_checks_the_range() -> None:
    assert Money(1999, "USD") * 3 == Money(5997, "USD")
    assert Money(1999, "USD") * 0 == Money(0, "USD")
    with pytest.raises(InvalidArgument):
        Money(MAX_MINOR_UNITS, "USD") * 2


def test_money_is_immutable() -> None:
    price = Money(100, "USD")
    with pytest.raises(AttributeError):
        price.units_minor = 5  # type: ignore[misc]


currencies = st.sampled_from(sorted(MINOR_UNIT_DIGITS))
amounts = st.integers(min_value=0, max_value=MAX_MINOR_UNITS)


@examples
@given(units=amounts, currency=currencies)
def test_major_round_trips_to_the_same_minor_units(units: int, currency: str) -> None:
    money = Money(units, currency)
    assert round(money.major * 10 ** MINOR_UNIT_DIGITS[currency]) == units


@examples
@given(units=amounts, currency=currencies)
def test_of_accepts_whatever_the_constructor_accepts(units: int, currency: str) -> None:
    assert Money.of(units, currency.lower()) == Money(units, currency)


@examples
@given(units=st.integers(min_value=0, max_value=10**9), times=st.integers(0, 100))
def test_multiplication_is_exact(units: int, times: int) -> None:
    assert (Money(units, "KWD") * times).units_minor == units * times


# --- Instants --------------------------------------------------------------------------


def test_z_means_utc() -> None:
    assert parse_instant("2027-03-01T20:00:00Z", "start_date") == datetime(
        2027, 3, 1, 20, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("raw", "utc"),
    [
        ("2027-03-01T20:00:00-06:00", datetime(2027, 3, 2, 2, 0, tzinfo=UTC)),
        ("2027-03-01T01:30:00+05:30", datetime(2027, 2, 28, 20, 0, tzinfo=UTC)),
        ("2027-03-01T20:00:00+00:00", datetime(2027, 3, 1, 20, 0, tzinfo=UTC)),
        ("2027-03-01T20:00:00.250Z", datetime(2027, 3, 1, 20, 0, 0, 250_000, tzinfo=UTC)),
        ("  2027-03-01T20:00:00Z  ", datetime(2027, 3, 1, 20, 0, tzinfo=UTC)),
    ],
)
def test_offsets_keep_the_instant_and_come_back_in_utc(raw: str, utc: datetime) -> None:
    parsed = parse_instant(raw, "start_date")
    assert parsed == utc
    assert parsed.utcoffset() == timedelta(0)
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize("raw", ["2027-03-01T20:00:00", "2027-03-01 20:00:00.5"])
def test_naive_timestamps_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_instant(raw, "sale_start_time")
    field, description = only_violation(exc)
    assert field == "sale_start_time"
    assert "offset" in description


@pytest.mark.parametrize(
    "raw", ["tomorrow", "2027-13-01T00:00:00Z", "2027-02-30T10:00:00Z", "12:00Z", "2027/03/01"]
)
def test_garbage_is_rejected_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_instant(raw, "end_date")
    field, description = only_violation(exc)
    assert field == "end_date"
    assert "RFC 3339" in description
    assert "end_date" in exc.value.message


@pytest.mark.parametrize("raw", ["", "   "])
def test_blank_is_required(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_instant(raw, "start_date")
    field, description = only_violation(exc)
    assert field == "start_date"
    assert description.startswith("is required")


def test_format_uses_z_and_second_precision() -> None:
    moment = datetime(2027, 3, 1, 20, 0, tzinfo=UTC)
    assert format_instant(moment) == "2027-03-01T20:00:00Z"


def test_format_keeps_microseconds_when_there_are_some() -> None:
    moment = datetime(2027, 3, 1, 20, 0, 0, 1500, tzinfo=UTC)
    assert format_instant(moment) == "2027-03-01T20:00:00.001500Z"


def test_format_converts_other_offsets_to_utc() -> None:
    moment = datetime(2027, 3, 1, 20, 0, tzinfo=timezone(timedelta(hours=-6)))
    assert format_instant(moment) == "2027-03-02T02:00:00Z"


offsets = st.timedeltas(
    min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
).map(lambda d: timezone(timedelta(minutes=round(d.total_seconds() / 60))))
aware = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=offsets
)


@examples
@given(moment=aware)
def test_format_then_parse_keeps_the_instant(moment: datetime) -> None:
    text = format_instant(moment)
    assert text.endswith("Z")
    parsed = parse_instant(text, "start_date")
    assert parsed == moment
    assert parsed.tzinfo is UTC
    assert format_instant(parsed) == text


@examples
@given(moment=aware)
def test_parse_of_any_offset_form_keeps_the_instant(moment: datetime) -> None:
    parsed = parse_instant(moment.isoformat(), "start_date")
    assert parsed == moment
    assert parsed.utcoffset() == timedelta(0)


# --- E-mail and phone ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("Ada@Example.COM", "ada@example.com"),
        ("  ada.lovelace+tickets@mail.example.org \n", "ada.lovelace+tickets@mail.example.org"),
    ],
)
def test_emails_are_trimmed_and_lower_cased(raw: str, normal: str) -> None:
    assert normalize_email(raw) == normal


@pytest.mark.parametrize(
    "raw", ["ada", "ada@", "@example.com", "ada@example", "ada lovelace@example.com", "a@b@c.d"]
)
def test_invalid_emails_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        normalize_email(raw)
    assert only_violation(exc) == ("email", "is not a valid email address")


def test_blank_email_is_required_under_the_given_field() -> None:
    with pytest.raises(InvalidArgument) as exc:
        normalize_email("   ", field="buyer.email")
    assert only_violation(exc) == ("buyer.email", "is required")


def test_overlong_email_is_rejected() -> None:
    address = "a" * 243 + "@example.com"  # 255 characters
    with pytest.raises(InvalidArgument):
        normalize_email(address)
    assert normalize_email(address[1:]) == address[1:]


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("", ""),
        ("   ", ""),
        ("+1 (555) 123-4567", "+15551234567"),
        (" +44 20 7946 0958 ", "+442079460958"),
        ("555.1234", "5551234"),
        ("123456789012345", "123456789012345"),
    ],
)
def test_phones_keep_digits_and_a_leading_plus(raw: str, normal: str) -> None:
    assert normalize_phone(raw) == normal


@pytest.mark.parametrize(
    "raw", ["123456", "1234567890123456", "call me", "555-CALL-NOW", "12+3456789", "++15551234"]
)
def test_invalid_phones_are_rejected_naming_the_field(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        normalize_phone(raw, field="customer.phone")
    assert only_violation(exc)[0] == "customer.phone"


# --- Edges: out-of-range instants, RFC 3339 spelling, non-integer money ---------------


@pytest.mark.parametrize("raw", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_instants_outside_datetime_range_are_invalid_arguments(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_instant(raw, "start_date")
    assert only_violation(exc)[0] == "start_date"


@pytest.mark.parametrize("raw", ["2027-03-01t20:00:00z", "2027-03-01T20:00:00z"])
def test_lower_case_t_and_z_are_rfc_3339(raw: str) -> None:
    assert parse_instant(raw, "start_date") == datetime(2027, 3, 1, 20, 0, tzinfo=UTC)


@pytest.mark.parametrize("units", [19.99, 1.0, True])
def test_money_refuses_non_integer_units(units: object) -> None:
    with pytest.raises(InvalidArgument):
        Money(units, "USD")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw",
    ["20270301T200000Z", "2027-W09-1T20:00Z", "2027-03-01T20Z", "2027-03-01T20:00:00+05",
     "2027-03-01T20:00:00+05:00:30", "2027-03-01"],
)  # fmt: skip
def test_iso_8601_forms_outside_rfc_3339_are_refused(raw: str) -> None:
    with pytest.raises(InvalidArgument) as exc:
        parse_instant(raw, "start_date")
    assert only_violation(exc)[0] == "start_date"


def test_nanosecond_fractions_keep_microseconds() -> None:
    parsed = parse_instant("2027-03-01T20:00:00.123456789-06:00", "start_date")
    assert parsed == datetime(2027, 3, 2, 2, 0, 0, 123456, tzinfo=UTC)
