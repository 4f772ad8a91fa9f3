"""Value objects: immutable, validated on construction."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from osmi.domain.errors import InvalidArgument

# ISO 4217 codes Osmi accepts, with the number of digits of their minor unit.
# Kept to currencies in active circulation; add a code here to sell in it.
MINOR_UNIT_DIGITS: dict[str, int] = {
    "ARS": 2, "AUD": 2, "BOB": 2, "BRL": 2, "CAD": 2, "CHF": 2, "CLP": 0, "CNY": 2,
    "COP": 2, "CRC": 2, "CZK": 2, "DKK": 2, "DOP": 2, "EUR": 2, "GBP": 2, "GTQ": 2,
    "HKD": 2, "HNL": 2, "HUF": 2, "IDR": 2, "ILS": 2, "INR": 2, "ISK": 0, "JPY": 0,
    "KRW": 0, "KWD": 3, "MXN": 2, "MYR": 2, "NIO": 2, "NOK": 2, "NZD": 2, "PAB": 2,
    "PEN": 2, "PHP": 2, "PLN": 2, "PYG": 0, "SEK": 2, "SGD": 2, "THB": 2, "TRY": 2,
    "TWD": 2, "USD": 2, "UYU": 2, "ZAR": 2,
}  # fmt: skip


def shown(raw: str, limit: int = 40) -> str:
    """A client's value quoted for an error message, cut short if long.

    Errors travel in gRPC trailers, which are small: echoing a 4 KB value
    back would turn a clear INVALID_ARGUMENT into a transport error.
    """
    return repr(raw) if len(raw) <= limit else repr(raw[:limit]) + "…"


_CURRENCY_CODE = re.compile(r"[A-Za-z]{3}")
_SCALE: dict[str, int] = {code: 10**digits for code, digits in MINOR_UNIT_DIGITS.items()}

# Largest amount a price may carry: fits a signed 64-bit column with room to sum.
MAX_MINOR_UNITS = 10**15


@dataclass(frozen=True, slots=True)
class Money:
    """Integer minor units of an ISO 4217 currency; never a float."""

    units_minor: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.units_minor) is not int:
            raise InvalidArgument.field("units_minor", "must be a whole number of minor units")
        if self.currency not in MINOR_UNIT_DIGITS:
            raise InvalidArgument.field(
                "currency_code", f"{shown(self.currency)} is not a supported ISO 4217 code"
            )
        if not 0 <= self.units_minor <= MAX_MINOR_UNITS:
            raise InvalidArgument.field("units_minor", f"must be between 0 and {MAX_MINOR_UNITS}")

    @classmethod
    def of(cls, units_minor: int, currency: str, *, field: str = "price") -> Money:
        """Build from client input, naming ``field`` in any violation."""
        code = currency.strip().upper()
        if not _CURRENCY_CODE.fullmatch(currency.strip()):
            code = ""  # not three ASCII letters (upper() maps some non-ASCII letters to ASCII)
        if type(units_minor) is not int:
            raise InvalidArgument.field(
                f"{field}.units_minor", "must be a whole number of minor units"
            )
        if code not in MINOR_UNIT_DIGITS:
            raise InvalidArgument.field(
                f"{field}.currency_code", f"{shown(currency)} is not a supported ISO 4217 code"
            )
        if not 0 <= units_minor <= MAX_MINOR_UNITS:
            raise InvalidArgument.field(
                f"{field}.units_minor", f"must be between 0 and {MAX_MINOR_UNITS}"
            )
        return cls(units_minor, code)

    @property
    def major(self) -> float:
        """The amount in major units, for the classic contract's ``double`` only."""
        return self.units_minor / _SCALE[self.currency]

    def __mul__(self, times: int) -> Money:
        return Money(self.units_minor * times, self.currency)


# Deliberately loose (real addresses are odd), but no spaces or control characters.
_EMAIL = re.compile(r"^[^@\s\x00-\x1f\x7f]+@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


def normalize_email(raw: str, *, field: str = "email") -> str:
    """Trimmed, lower-cased address; rejects what cannot be one."""
    email = raw.strip().lower()
    if not email:
        raise InvalidArgument.field(field, "is required")
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidArgument.field(field, "is not a valid email address")
    return email


_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-.]+$")


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Empty stays empty; otherwise digits with an optional leading +."""
    phone = raw.strip()
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if not _PHONE_CHARS.match(phone) or not 7 <= len(digits) <= 15:
        raise InvalidArgument.field(field, "is not a valid phone number (7 to 15 digits)")
    return ("+" if phone.startswith("+") else "") + digits


def require_text(value: str, field: str, *, max_length: int = 200) -> str:
    """A one-line name: something visible, no control or bidi-override characters."""
    text = value.strip()
    if not any(ch.isprintable() and not ch.isspace() for ch in text):
        raise InvalidArgument.field(field, "is required")
    if any(unicodedata.category(ch) == "Cc" or ch in _BIDI_CONTROLS for ch in text):
        raise InvalidArgument.field(field, "must not contain control characters")
    return limit_text(text, field, max_length=max_length)


def limit_text(value: str, field: str, *, max_length: int) -> str:
    """Free text (descriptions): any length-limited text without control characters
    other than line breaks and tabs."""
    if len(value) > max_length:
        raise InvalidArgument.field(field, f"must be at most {max_length} characters")
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise InvalidArgument.field(field, "must not contain control characters")
    return value


# Characters that reorder displayed text ("Trojan Source"); no name needs them.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")


def parse_instant(raw: str, field: str) -> datetime:
    """An RFC 3339 string to an aware UTC datetime, keeping the instant."""
    text = raw.strip()
    if not text:
        raise InvalidArgument.field(field, "is required (RFC 3339, e.g. 2027-03-01T20:00:00Z)")
    if not _RFC3339.fullmatch(text):
        if _RFC3339.fullmatch(text + "Z"):
            raise InvalidArgument.field(field, "must include a UTC offset or Z")
        raise InvalidArgument.field(
            field, "is not an RFC 3339 timestamp (e.g. 2027-03-01T20:00:00-06:00)"
        )
    # Python takes at most microseconds: drop further fraction digits.
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.upper())
    try:
        return datetime.fromisoformat(text).astimezone(UTC)
    except (ValueError, OverflowError):
        raise InvalidArgument.field(field, "is not a valid RFC 3339 date and time") from None


def format_instant(moment: datetime) -> str:
    """RFC 3339 in UTC with a Z, second precision unless there are microseconds."""
    if moment.tzinfo is None:
        raise ValueError("format_instant needs an aware datetime")
    utc = moment.astimezone(UTC)
    text = utc.isoformat(timespec="microseconds" if utc.microsecond else "seconds")
    return text.replace("+00:00", "Z")


_UUID_TEXT = re.compile(r"(urn:uuid:)?\{?[0-9A-Fa-f]{8}-?([0-9A-Fa-f]{4}-?){3}[0-9A-Fa-f]{12}\}?")


def parse_uuid(raw: str, field: str) -> UUID:
    text = raw.strip()
    if not text:
        raise InvalidArgument.field(field, "is required")
    # ASCII only: UUID() would also read full-width and other Unicode digits.
    if not _UUID_TEXT.fullmatch(text):
        raise InvalidArgument.field(field, f"{shown(raw)} is not a valid UUID")
    return UUID(text)
