"""Users, customers and holders on real PostgreSQL."""

from __future__ import annotations

from uuid import uuid4

import pytest
from factories import scalar
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.ports import Holder
from osmi.domain.errors import AlreadyExists
from osmi.domain.identity import Role, UserStatus

pytestmark = pytest.mark.integration


@pytest.fixture
def uow(engine: AsyncEngine) -> PostgresUnitOfWorkFactory:
    return PostgresUnitOfWorkFactory(engine)


async def test_add_and_get_a_user(uow: PostgresUnitOfWorkFactory, engine: AsyncEngine) -> None:
    async with uow() as tx:
        user = await tx.users.add("Ada", "ada@example.com", "argon2-hash", Role.ORGANIZER)
        await tx.commit()
    assert (user.name, user.email, user.role, user.status) == (
        "Ada",
        "ada@example.com",
        Role.ORGANIZER,
        UserStatus.ACTIVE,
    )
    assert user.created_at.tzinfo is not None
    async with uow() as tx:
        assert await tx.users.get(user.public_id) == user
        assert await tx.users.get(uuid4()) is None
    stored = await scalar(engine, "SELECT password_hash FROM users WHERE email = 'ada@example.com'")
    assert stored == "argon2-hash"


async def test_duplicate_user_email_already_exists_and_the_transaction_goes_on(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow() as tx:
        await tx.users.add("Ada", "ada@example.com", "h1", Role.CUSTOMER)
        with pytest.raises(AlreadyExists) as exc:
            await tx.users.add("Ada again", "ada@example.com", "h2", Role.CUSTOMER)
        assert (exc.value.resource, exc.value.field, exc.value.value) == (
            "user",
            "email",
            "ada@example.com",
        )
        # The savepoint kept the transaction usable: both of these persist.
        await tx.users.add("Grace", "grace@example.com", "h3", Role.ADMIN)
        await tx.customers.add("Lin", "lin@example.com", "")
        await tx.commit()
    assert await scalar(engine, "SELECT count(*) FROM users") == 2
    assert await scalar(engine, "SELECT count(*) FROM customers") == 1


async def test_duplicate_across_transactions_already_exists(
    uow: PostgresUnitOfWorkFactory,
) -> None:
    async with uow() as tx:
        await tx.users.add("Ada", "ada@example.com", "h1", Role.CUSTOMER)
        await tx.commit()
    async with uow() as tx:
        with pytest.raises(AlreadyExists):
            await tx.users.add("Ada", "ada@example.com", "h1", Role.CUSTOMER)


async def test_add_and_get_a_customer_by_each_key(uow: PostgresUnitOfWorkFactory) -> None:
    async with uow() as tx:
        customer = await tx.customers.add("Lin", "lin@example.com", "+15551234567")
        await tx.commit()
    assert customer.id > 0
    assert (customer.name, customer.email, customer.phone) == (
        "Lin",
        "lin@example.com",
        "+15551234567",
    )
    async with uow() as tx:
        assert await tx.customers.get_by_id(customer.id) == customer
        assert await tx.customers.get_by_public_id(customer.public_id) == customer
        assert await tx.customers.get_by_email("lin@example.com") == customer
        assert await tx.customers.get_by_id(customer.id + 1000) is None
        assert await tx.customers.get_by_public_id(uuid4()) is None
        assert await tx.customers.get_by_email("nobody@example.com") is None


async def test_duplicate_customer_email_already_exists_and_the_transaction_goes_on(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow() as tx:
        first = await tx.customers.add("Lin", "lin@example.com", "")
        with pytest.raises(AlreadyExists) as exc:
            await tx.customers.add("Lin 2", "lin@example.com", "")
        assert (exc.value.resource, exc.value.field) == ("customer", "email")
        assert await tx.customers.get_by_id(first.id) == first
        await tx.customers.add("Mo", "mo@example.com", "")
        await tx.commit()
    assert await scalar(engine, "SELECT count(*) FROM customers") == 2


async def test_uncommitted_work_is_rolled_back(
    uow: PostgresUnitOfWorkFactory, engine: AsyncEngine
) -> None:
    async with uow() as tx:
        await tx.customers.add("Lin", "lin@example.com", "")

    async def fails_midway() -> None:
        async with uow() as tx:
            await tx.customers.add("Mo", "mo@example.com", "")
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await fails_midway()
    assert await scalar(engine, "SELECT count(*) FROM customers") == 0


async def test_holders_find_users_and_customers(uow: PostgresUnitOfWorkFactory) -> None:
    async with uow() as tx:
        user = await tx.users.add("Ada", "ada@example.com", "h", Role.CUSTOMER)
        customer = await tx.customers.add("Lin", "lin@example.com", "")
        await tx.commit()
    async with uow() as tx:
        as_user = await tx.holders.find(user.public_id)
        as_customer = await tx.holders.find(customer.public_id)
        nobody = await tx.holders.find(uuid4())
    assert as_user is not None
    assert as_user.public_id == user.public_id
    assert (as_user.user_id is not None, as_user.customer_id) == (True, None)
    assert as_customer == Holder(customer.public_id, customer_id=customer.id)
    assert nobody is None
