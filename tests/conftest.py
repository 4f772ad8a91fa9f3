"""Shared fixtures: a real PostgreSQL server, a migrated template, a database per test.

The server is ``TEST_DATABASE_URL`` when set (any database on the server you
may create databases on), else an embedded PostgreSQL kept under
``.osmi/test-postgres`` in the checkout, reused across runs. Each test that
asks for ``database_url`` gets a fresh database cloned from a template the
migrations built once per session, so tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi.adapters.postgres import migrate
from osmi.adapters.postgres.embedded import start_embedded, with_database
from osmi.adapters.postgres.engine import create_engine

ROOT = Path(__file__).resolve().parent.parent


def _admin_url() -> Iterator[str]:
    external = os.environ.get("TEST_DATABASE_URL")
    if external:
        yield external.replace("postgresql+psycopg://", "postgresql://", 1)
        return
    embedded = start_embedded(ROOT / ".osmi" / "test-postgres")
    try:
        yield with_database(embedded.libpq_url, "postgres")
    finally:
        embedded.stop()


@pytest.fixture(scope="session")
def admin_url() -> Iterator[str]:
    """libpq URL of a maintenance database on the test server."""
    yield from _admin_url()


def _create_database(admin: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("{} TEMPLATE {}").format(stmt, sql.Identifier(template))
        conn.execute(stmt)
    return with_database(admin, name)


def _drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def sqlalchemy_url(libpq_url: str) -> str:
    return "postgresql+psycopg" + libpq_url.removeprefix("postgresql")


@pytest.fixture(scope="session")
def template_database(admin_url: str) -> Iterator[str]:
    name = f"osmi_template_{uuid.uuid4().hex[:10]}"
    url = _create_database(admin_url, name)
    migrate.upgrade(sqlalchemy_url(url))
    yield name
    _drop_database(admin_url, name)


@pytest.fixture
def fresh_database(admin_url: str, template_database: str) -> Iterator[str]:
    """A migrated database of this test's own; its libpq URL."""
    name = f"osmi_test_{uuid.uuid4().hex[:12]}"
    url = _create_database(admin_url, name, template=template_database)
    yield url
    _drop_database(admin_url, name)


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(
        sqlalchemy_url(fresh_database), pool_size=20, max_overflow=10, pool_timeout=30
    )
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def module_database(admin_url: str, template_database: str) -> Iterator[str]:
    """Like ``fresh_database``, shared by one module (e2e servers)."""
    name = f"osmi_e2e_{uuid.uuid4().hex[:12]}"
    url = _create_database(admin_url, name, template=template_database)
    yield url
    _drop_database(admin_url, name)
