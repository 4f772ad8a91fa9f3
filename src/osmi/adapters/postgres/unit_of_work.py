"""A unit of work: one connection, one transaction, the repositories over it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from osmi.adapters.postgres import repositories as repos
from osmi.domain.errors import Aborted, Unavailable

# deadlock_detected, serialization_failure: nothing was written; a retry may pass.
_CONFLICTS = frozenset({"40P01", "40001"})


class DatabaseUnavailable(Unavailable):
    """The database could not be reached or dropped the connection."""


class PostgresUnitOfWork:
    users: repos.UserRepository
    customers: repos.CustomerRepository
    events: repos.EventRepository
    ticket_types: repos.TicketTypeRepository
    tickets: repos.TicketRepository
    holders: repos.HolderDirectory

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._conn: AsyncConnection | None = None
        self._tx: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        try:
            self._conn = await self._engine.connect()
        except PoolTimeout as exc:
            raise DatabaseUnavailable("all database connections are busy") from exc
        except (OperationalError, InterfaceError) as exc:
            raise DatabaseUnavailable("the database cannot be reached") from exc
        self._tx = await self._conn.begin()
        conn = self._conn
        self.users = repos.UserRepository(conn)
        self.customers = repos.CustomerRepository(conn)
        self.events = repos.EventRepository(conn)
        self.ticket_types = repos.TicketTypeRepository(conn)
        self.tickets = repos.TicketRepository(conn)
        self.holders = repos.HolderDirectory(conn)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._conn is None:
            return
        try:
            if self._tx is not None and self._tx.is_active:
                await self._tx.rollback()
        finally:
            await self._conn.close()
        if not isinstance(exc, DBAPIError):
            return
        if exc.connection_invalidated:
            raise DatabaseUnavailable("the database connection was lost") from exc
        if getattr(exc.orig, "sqlstate", None) in _CONFLICTS:
            raise Aborted("the request collided with a concurrent change; retry it") from exc

    async def commit(self) -> None:
        if self._tx is None:
            raise RuntimeError("commit() outside `async with` of the unit of work")
        await self._tx.commit()


class PostgresUnitOfWorkFactory:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    def __call__(self) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self._engine)
