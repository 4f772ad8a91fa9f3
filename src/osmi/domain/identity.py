"""Who uses Osmi: accounts (users) and buyers known only by contact (customers)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from osmi.domain.errors import InvalidArgument

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256


class Role(enum.StrEnum):
    CUSTOMER = "customer"
    ORGANIZER = "organizer"
    ADMIN = "admin"

    @classmethod
    def parse(cls, raw: str) -> Role:
        """Empty means customer, as in the classic contract."""
        text = raw.strip().lower() or cls.CUSTOMER.value
        try:
            return cls(text)
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise InvalidArgument.field("role", f"must be one of: {allowed}") from None


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    INACTIVE = "inactive"
    PENDING = "pending"


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidArgument.field(
            "password", f"must be at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidArgument.field("password", f"must be at most {MAX_PASSWORD_LENGTH} characters")


@dataclass(frozen=True, slots=True)
class User:
    public_id: UUID
    name: str
    email: str
    role: Role
    status: UserStatus
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class Customer:
    id: int
    public_id: UUID
    name: str
    email: str
    phone: str
    created_at: datetime
    updated_at: datetime
