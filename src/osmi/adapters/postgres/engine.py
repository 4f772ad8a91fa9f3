"""The async engine and the probes the health endpoints use."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import QueuePool

from osmi.adapters.postgres import migrate

PROBE_TIMEOUT_SECONDS = 2.0


def create_engine(
    url: str, *, pool_size: int, max_overflow: int, pool_timeout: float
) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        # Errors are logged; their SQL parameters (emails, hashes) must not be.
        hide_parameters=True,
    )


async def ping(engine: AsyncEngine) -> bool:
    try:
        async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, OSError, TimeoutError):
        return False
    return True


async def schema_revision(engine: AsyncEngine) -> str | None:
    async with asyncio.timeout(PROBE_TIMEOUT_SECONDS), engine.connect() as conn:
        return await conn.run_sync(migrate.current_revision)


def pool_figures(engine: AsyncEngine) -> dict[str, int]:
    pool = engine.pool
    if not isinstance(pool, QueuePool):
        return {}
    return {
        "size": pool.size(),
        "checked_in": pool.checkedin(),
        "checked_out": pool.checkedout(),
        # SQLAlchemy counts overflow from -pool_size; report only extra connections.
        "overflow": max(pool.overflow(), 0),
    }
