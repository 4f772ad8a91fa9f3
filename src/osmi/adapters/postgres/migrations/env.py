"""Alembic environment: runs with the connection handed over by osmi.adapters.postgres.migrate."""

from __future__ import annotations

from alembic import context

from osmi.adapters.postgres.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `osmi migrate`, which provides the connection")

context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
