"""Fakes of the ports, fresh for every test."""

from __future__ import annotations

import pytest
from app_fakes import FakeHasher, FakeUnitOfWorkFactory, FixedClock


@pytest.fixture
def uow() -> FakeUnitOfWorkFactory:
    return FakeUnitOfWorkFactory()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def hasher() -> FakeHasher:
    return FakeHasher()
