"""Failures the business rules can report, named as facts.

Each carries what a caller needs to act on it. The API doors turn them into
gRPC statuses and HTTP responses through one table (``osmi.api.errors``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldViolation:
    """One bad field of a request: its path (``ticket_type.price``) and why."""

    field: str
    description: str


class OsmiError(Exception):
    """Base of every expected failure. ``reason`` is a stable UPPER_SNAKE id."""

    reason = "OSMI_ERROR"

    def __init__(self, message: str, **metadata: str) -> None:
        super().__init__(message)
        self.message = message
        self.metadata = metadata


class InvalidArgument(OsmiError):
    """The request is malformed; ``violations`` names each bad field."""

    reason = "INVALID_ARGUMENT"

    def __init__(self, violations: list[FieldViolation] | FieldViolation) -> None:
        if isinstance(violations, FieldViolation):
            violations = [violations]
        self.violations = list(violations)
        summary = "; ".join(f"{v.field}: {v.description}" for v in self.violations)
        super().__init__(f"invalid request: {summary}")

    @classmethod
    def field(cls, field: str, description: str) -> InvalidArgument:
        return cls([FieldViolation(field, description)])


class PerOrderLimitExceeded(InvalidArgument):
    reason = "PER_ORDER_LIMIT_EXCEEDED"

    def __init__(self, requested: int, limit: int) -> None:
        super().__init__(
            FieldViolation("quantity", f"at most {limit} tickets per order, asked for {requested}")
        )
        self.requested = requested
        self.limit = limit


class NotFound(OsmiError):
    reason = "NOT_FOUND"

    def __init__(self, resource: str, key: str) -> None:
        super().__init__(f"{resource} {key!r} not found", resource=resource, key=key)
        self.resource = resource
        self.key = key


class AlreadyExists(OsmiError):
    reason = "ALREADY_EXISTS"

    def __init__(self, resource: str, field: str, value: str) -> None:
        super().__init__(
            f"a {resource} with this {field} already exists", resource=resource, field=field
        )
        self.resource = resource
        self.field = field
        self.value = value


class TierSoldOut(OsmiError):
    """Fewer seats are left in the tier than the buyer asked for."""

    reason = "SOLD_OUT"

    def __init__(self, ticket_type_id: str, requested: int, available: int) -> None:
        super().__init__(
            f"sold out: {available} ticket(s) left, {requested} requested",
            ticket_type_id=ticket_type_id,
            requested=str(requested),
            available=str(available),
        )
        self.ticket_type_id = ticket_type_id
        self.requested = requested
        self.available = available


class NotOnSale(OsmiError):
    """The event or tier cannot be bought now (inactive, draft, outside its window)."""

    reason = "NOT_ON_SALE"

    def __init__(self, why: str, **metadata: str) -> None:
        super().__init__(f"not on sale: {why}", **metadata)
        self.why = why


class InvalidState(OsmiError):
    """The change is well formed but the resource's state forbids it."""

    reason = "FAILED_PRECONDITION"


class Unavailable(OsmiError):
    """A backing service (the database) cannot be reached right now; retry."""

    reason = "UNAVAILABLE"


class Aborted(OsmiError):
    """A concurrent change collided with this one; nothing was done, retry."""

    reason = "ABORTED"
