"""``GET /health`` (is the database reachable) and ``GET /ready`` (may I take traffic)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from osmi import __version__


@dataclass(frozen=True, slots=True)
class Readiness:
    database_ok: bool
    migrations_at_head: bool
    current_revision: str | None
    head_revision: str | None
    pool: dict[str, int]


@dataclass
class HealthProbes:
    database_ok: Callable[[], Awaitable[bool]]
    readiness: Callable[[], Awaitable[Readiness]]
    service_name: str = "osmi"
    accepting: bool = True  # turned off when shutdown begins, so /ready drains us


def build_health_app(probes: HealthProbes) -> Starlette:
    async def health(_: Request) -> JSONResponse:
        ok = await probes.database_ok()
        body = _body(probes, "healthy" if ok else "unhealthy", database="ok" if ok else "down")
        return JSONResponse(body, status_code=200 if ok else 503)

    async def ready(_: Request) -> JSONResponse:
        state = await probes.readiness()
        is_ready = probes.accepting and state.database_ok and state.migrations_at_head
        body = _body(
            probes,
            "ready" if is_ready else "not_ready",
            accepting_traffic=probes.accepting,
            database="ok" if state.database_ok else "down",
            migrations={
                "at_head": state.migrations_at_head,
                "current": state.current_revision,
                "head": state.head_revision,
            },
            pool=state.pool,
        )
        return JSONResponse(body, status_code=200 if is_ready else 503)

    return Starlette(routes=[Route("/health", health), Route("/ready", ready)])


def _body(probes: HealthProbes, status: str, **fields: Any) -> dict[str, Any]:
    return {
        "status": status,
        "service": probes.service_name,
        "version": __version__,
        "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        **fields,
    }
