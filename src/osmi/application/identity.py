"""Accounts and customers."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from osmi.application.ports import PasswordHasher, UnitOfWorkFactory
from osmi.domain.errors import AlreadyExists, InvalidArgument, NotFound
from osmi.domain.identity import Customer, Role, User, check_password
from osmi.domain.values import normalize_email, normalize_phone, require_text


@dataclass(frozen=True, slots=True)
class RegisterUser:
    name: str
    email: str
    password: str
    role: str = ""


@dataclass(frozen=True, slots=True)
class RegisterCustomer:
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True, slots=True)
class CustomerKey:
    """Exactly one of the three ways to name a customer."""

    id: int | None = None
    public_id: UUID | None = None
    email: str | None = None


class IdentityService:
    def __init__(self, uow: UnitOfWorkFactory, hasher: PasswordHasher) -> None:
        self._uow = uow
        self._hasher = hasher

    async def register_user(self, cmd: RegisterUser) -> User:
        name = require_text(cmd.name, "name")
        email = normalize_email(cmd.email)
        role = Role.parse(cmd.role)
        check_password(cmd.password)
        # Argon2 is deliberately slow: spare it for emails that are taken (the
        # unique index still decides races), and keep it out of the transaction.
        async with self._uow() as uow:
            if await uow.users.email_taken(email):
                raise AlreadyExists("user", "email", email)
        password_hash = await self._hasher.hash(cmd.password)
        async with self._uow() as uow:
            user = await uow.users.add(name, email, password_hash, role)
            await uow.commit()
        return user

    async def register_customer(self, cmd: RegisterCustomer) -> Customer:
        name = require_text(cmd.name, "name")
        email = normalize_email(cmd.email)
        phone = normalize_phone(cmd.phone)
        async with self._uow() as uow:
            customer = await uow.customers.add(name, email, phone)
            await uow.commit()
        return customer

    async def get_customer(self, key: CustomerKey) -> Customer:
        async with self._uow() as uow:
            if key.id is not None:
                if key.id <= 0:
                    raise InvalidArgument.field("id", "must be a positive integer")
                found = await uow.customers.get_by_id(key.id)
                shown = str(key.id)
            elif key.public_id is not None:
                found = await uow.customers.get_by_public_id(key.public_id)
                shown = str(key.public_id)
            elif key.email is not None:
                email = normalize_email(key.email)
                found = await uow.customers.get_by_email(email)
                shown = email
            else:
                raise InvalidArgument.field("lookup", "set one of id, public_id or email")
        if found is None:
            raise NotFound("customer", shown)
        return found
