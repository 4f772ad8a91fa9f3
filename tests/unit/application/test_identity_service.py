"""Registering users and customers, and finding customers."""

from __future__ import annotations

from uuid import uuid4

import pytest
from app_fakes import FakeHasher, FakeUnitOfWorkFactory

from osmi.application.identity import CustomerKey, IdentityService, RegisterCustomer, RegisterUser
from osmi.domain.errors import AlreadyExists, InvalidArgument, NotFound
from osmi.domain.identity import Role, UserStatus

PASSWORD = "correct horse battery staple"


@pytest.fixture
def service(uow: FakeUnitOfWorkFactory, hasher: FakeHasher) -> IdentityService:
    return IdentityService(uow, hasher)


async def test_register_user_stores_the_hash_never_the_password(
    service: IdentityService, uow: FakeUnitOfWorkFactory, hasher: FakeHasher
) -> None:
    user = await service.register_user(
        RegisterUser(name=" Ada ", email=" Ada@Example.com ", password=PASSWORD)
    )
    assert (user.name, user.email) == ("Ada", "ada@example.com")
    assert user.role is Role.CUSTOMER
    assert user.status is UserStatus.ACTIVE
    assert hasher.hashed == [PASSWORD]
    [stored] = uow.store.password_hashes.values()
    assert PASSWORD not in stored
    assert await hasher.verify(stored, PASSWORD)
    assert not any(PASSWORD in repr(u) for u in uow.store.users.values())
    assert uow.commits == 1


async def test_register_user_parses_the_role(service: IdentityService) -> None:
    user = await service.register_user(
        RegisterUser(name="Grace", email="grace@example.com", password=PASSWORD, role="Organizer")
    )
    assert user.role is Role.ORGANIZER


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (RegisterUser(name="  ", email="ada@example.com", password=PASSWORD), "name"),
        (RegisterUser(name="Ada", email="not-an-email", password=PASSWORD), "email"),
        (RegisterUser(name="Ada", email="", password=PASSWORD), "email"),
        (RegisterUser(name="Ada", email="ada@example.com", password="short"), "password"),
        (RegisterUser(name="Ada", email="ada@example.com", password="x" * 257), "password"),
        (RegisterUser(name="Ada", email="ada@example.com", password=PASSWORD, role="x"), "role"),
        (RegisterUser(name="A" * 201, email="ada@example.com", password=PASSWORD), "name"),
    ],
)
async def test_register_user_validation_names_the_field_and_stores_nothing(
    service: IdentityService,
    uow: FakeUnitOfWorkFactory,
    hasher: FakeHasher,
    command: RegisterUser,
    field: str,
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await service.register_user(command)
    assert [v.field for v in exc.value.violations] == [field]
    assert hasher.hashed == []  # nothing slow happens for a request that cannot succeed
    assert uow.store.users == {}


async def test_register_user_twice_with_one_email_already_exists(
    service: IdentityService, uow: FakeUnitOfWorkFactory, hasher: FakeHasher
) -> None:
    await service.register_user(RegisterUser("Ada", "ada@example.com", PASSWORD))
    with pytest.raises(AlreadyExists) as exc:
        await service.register_user(RegisterUser("Ada 2", "ADA@example.com", PASSWORD))
    assert (exc.value.resource, exc.value.field) == ("user", "email")
    assert len(uow.store.users) == 1
    # The slow hash is spent only on the first, free email.
    assert hasher.hashed == [PASSWORD]


async def test_register_customer_normalises_contact_details(service: IdentityService) -> None:
    customer = await service.register_customer(
        RegisterCustomer(name=" Lin ", email="LIN@example.com", phone="+1 (555) 123-4567")
    )
    assert (customer.name, customer.email, customer.phone) == (
        "Lin",
        "lin@example.com",
        "+15551234567",
    )


@pytest.mark.parametrize(
    ("command", "field"),
    [
        (RegisterCustomer(name="", email="lin@example.com"), "name"),
        (RegisterCustomer(name="Lin", email="lin@"), "email"),
        (RegisterCustomer(name="Lin", email="lin@example.com", phone="12"), "phone"),
    ],
)
async def test_register_customer_validation_names_the_field(
    service: IdentityService, uow: FakeUnitOfWorkFactory, command: RegisterCustomer, field: str
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await service.register_customer(command)
    assert [v.field for v in exc.value.violations] == [field]
    assert uow.store.customers == {}


async def test_get_customer_by_each_key(service: IdentityService) -> None:
    customer = await service.register_customer(RegisterCustomer("Lin", "lin@example.com"))
    assert await service.get_customer(CustomerKey(id=customer.id)) == customer
    assert await service.get_customer(CustomerKey(public_id=customer.public_id)) == customer
    assert await service.get_customer(CustomerKey(email=" LIN@example.com")) == customer


@pytest.mark.parametrize(
    ("key", "field"),
    [
        (CustomerKey(id=0), "id"),
        (CustomerKey(id=-3), "id"),
        (CustomerKey(email="nope"), "email"),
        (CustomerKey(), "lookup"),
    ],
)
async def test_get_customer_bad_keys_name_the_field(
    service: IdentityService, key: CustomerKey, field: str
) -> None:
    with pytest.raises(InvalidArgument) as exc:
        await service.get_customer(key)
    assert [v.field for v in exc.value.violations] == [field]


@pytest.mark.parametrize(
    "key", [CustomerKey(id=99), CustomerKey(public_id=uuid4()), CustomerKey(email="x@y.zz")]
)
async def test_get_customer_unknown_is_not_found(
    service: IdentityService, key: CustomerKey
) -> None:
    with pytest.raises(NotFound) as exc:
        await service.get_customer(key)
    assert exc.value.resource == "customer"
