"""Schema migrations with Alembic, driven from code (``osmi migrate``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine
from sqlalchemy.pool import NullPool

MIGRATIONS = Path(__file__).with_name("migrations")
# Any fixed 64-bit number: serialises concurrent `osmi migrate` runs (several
# replicas starting at once) so only one applies each revision.
_MIGRATION_LOCK = 0x6F736D69


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(sqlalchemy_url: str, revision: str = "head") -> str | None:
    """Bring the database to ``revision``; returns the revision it is at."""
    engine = create_engine(sqlalchemy_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({_MIGRATION_LOCK})")
            try:
                command.upgrade(_config(connection), revision)
                connection.commit()
                return current_revision(connection)
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({_MIGRATION_LOCK})")
                connection.commit()
    finally:
        engine.dispose()


def revision(sqlalchemy_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference with ``tables.py`` (developers)."""
    engine = create_engine(sqlalchemy_url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            command.revision(_config(connection), message=message, autogenerate=True)
    finally:
        engine.dispose()
