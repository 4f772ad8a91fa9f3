"""Migrations: they build the schema once, know their revision, and guard admissions."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from factories import add_customer, add_event, add_tier, issue, scalar
from psycopg import sql
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import NullPool

from osmi.adapters.postgres import migrate
from osmi.adapters.postgres import tables as t
from osmi.adapters.postgres.embedded import with_database
from osmi.adapters.postgres.engine import schema_revision
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.application.ports import Holder

pytestmark = pytest.mark.integration

SCHEMA = """
SELECT 'column', table_name || '.' || column_name,
       data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '')
  FROM information_schema.columns WHERE table_schema = 'public'
UNION ALL
SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace = 'public'::regnamespace
ORDER BY 1, 2
"""


def sqlalchemy_url(libpq_url: str) -> str:
    return "postgresql+psycopg" + libpq_url.removeprefix("postgresql")


@pytest.fixture
def empty_database(admin_url: str) -> Iterator[str]:
    """An empty database (no migrations run); its SQLAlchemy URL."""
    name = f"osmi_empty_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield sqlalchemy_url(with_database(admin_url, name))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def snapshot(url: str) -> tuple[list[tuple[str, ...]], list[str]]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            schema = [tuple(row) for row in conn.execute(text(SCHEMA))]
            versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    return schema, versions


def test_upgrade_builds_the_schema_and_a_second_run_changes_nothing(empty_database: str) -> None:
    head = migrate.head_revision()
    assert head is not None

    assert migrate.upgrade(empty_database) == head
    schema, versions = snapshot(empty_database)
    assert versions == [head]
    tables = {name.split(".")[0] for kind, name, _ in schema if kind == "column"}
    assert tables >= {"users", "customers", "venues", "events", "ticket_types", "tickets"}
    assert "check_ins" in tables

    assert migrate.upgrade(empty_database) == head
    assert snapshot(empty_database) == (schema, versions)


def test_concurrent_upgrades_apply_each_revision_once(empty_database: str) -> None:
    # Several replicas starting at once: the advisory lock lets one migrate.
    with ThreadPoolExecutor(max_workers=4) as pool:
        revisions = list(pool.map(lambda _: migrate.upgrade(empty_database), range(4)))
    assert revisions == [migrate.head_revision()] * 4
    assert snapshot(empty_database)[1] == [migrate.head_revision()]


def test_upgrading_a_migrated_database_is_a_no_op(fresh_database: str) -> None:
    url = sqlalchemy_url(fresh_database)
    before = snapshot(url)
    assert migrate.upgrade(url) == migrate.head_revision()
    assert snapshot(url) == before


async def test_the_database_is_at_head(engine: AsyncEngine) -> None:
    assert await schema_revision(engine) == migrate.head_revision()
    async with engine.connect() as conn:
        assert await conn.run_sync(migrate.current_revision) == migrate.head_revision()


def test_the_migrations_build_what_tables_py_describes(fresh_database: str) -> None:
    engine = create_engine(sqlalchemy_url(fresh_database), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, t.metadata)
    finally:
        engine.dispose()
    assert diff == []


async def test_one_ticket_cannot_have_two_admitted_scans(engine: AsyncEngine) -> None:
    uow = PostgresUnitOfWorkFactory(engine)
    event = await add_event(uow)
    tier = await add_tier(uow, event)
    customer = await add_customer(uow)
    holder = Holder(customer.public_id, customer_id=customer.id)
    first, second = await issue(uow, tier, holder, 2)
    ticket_id = await scalar(engine, "SELECT id FROM tickets WHERE code = :c", c=first.code)
    other_id = await scalar(engine, "SELECT id FROM tickets WHERE code = :c", c=second.code)
    insert = text(
        "INSERT INTO check_ins (ticket_id, event_public_id, code, gate, outcome, scanned_at)"
        " VALUES (:ticket, :event, :code, 'g', :outcome, now())"
    )

    def row(ticket: int, outcome: str) -> dict[str, object]:
        return {"ticket": ticket, "event": event.public_id, "code": "c", "outcome": outcome}

    async with engine.begin() as conn:
        await conn.execute(insert, row(ticket_id, "admitted"))
        # Other outcomes for the same ticket, and admissions of other tickets, are fine.
        await conn.execute(insert, row(ticket_id, "already_used"))
        await conn.execute(insert, row(ticket_id, "already_used"))
        await conn.execute(insert, row(other_id, "admitted"))

    async with engine.connect() as conn:
        with pytest.raises(IntegrityError) as exc:
            await conn.execute(insert, row(ticket_id, "admitted"))
    assert getattr(exc.value.orig, "sqlstate", None) == "23505"
    assert "uq_check_ins_one_admission" in str(exc.value)

    admitted = "SELECT count(*) FROM check_ins WHERE ticket_id = :id AND outcome = 'admitted'"
    assert await scalar(engine, admitted, id=ticket_id) == 1
    assert await scalar(engine, "SELECT count(*) FROM check_ins") == 4
