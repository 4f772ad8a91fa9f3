"""The composition root: settings in, a wired and running Osmi out."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import structlog
import uvicorn
from grpc_health.v1 import health_pb2
from sqlalchemy.ext.asyncio import AsyncEngine

from osmi import __version__
from osmi.adapters.clock import SystemClock
from osmi.adapters.postgres import engine as pg
from osmi.adapters.postgres import migrate
from osmi.adapters.postgres.embedded import EmbeddedPostgres, start_embedded
from osmi.adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from osmi.adapters.security.passwords import Argon2idHasher
from osmi.api.binding import ServiceBinding
from osmi.api.grpc.classic import ClassicServicer
from osmi.api.grpc.server import create_server
from osmi.api.grpc.v1 import CatalogServicer, TicketServicer
from osmi.api.health.app import HealthProbes, Readiness, build_health_app
from osmi.api.rest.transcoder import build_rest_app
from osmi.application.catalog import CatalogService
from osmi.application.checkin import CheckInService
from osmi.application.identity import IdentityService
from osmi.application.sales import SalesService
from osmi.classic import osmi_pb2
from osmi.config import Settings
from osmi.v1 import catalog_pb2, tickets_pb2

log = structlog.get_logger("osmi")


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """DATABASE_URL when set; otherwise the embedded server, started for the duration."""
    if settings.sqlalchemy_url is not None:
        log.info("database.external", url=settings.redacted_database_url)
        yield settings.sqlalchemy_url
        return
    embedded: EmbeddedPostgres = start_embedded(settings.data_dir)
    try:
        yield embedded.sqlalchemy_url
    finally:
        embedded.stop()


@dataclass
class Application:
    engine: AsyncEngine
    bindings: list[ServiceBinding]
    probes: HealthProbes


def build_application(settings: Settings, url: str) -> Application:
    engine = pg.create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
    )
    uow = PostgresUnitOfWorkFactory(engine)
    clock = SystemClock()
    identity = IdentityService(uow, Argon2idHasher())
    catalog = CatalogService(uow, clock)
    sales = SalesService(uow, clock)
    checkin = CheckInService(uow, clock)

    async def database_ok() -> bool:
        return await pg.ping(engine)

    async def readiness() -> Readiness:
        head = migrate.head_revision()
        try:
            current = await pg.schema_revision(engine)
        except Exception:
            return Readiness(False, False, None, head, pg.pool_figures(engine))
        return Readiness(True, current == head, current, head, pg.pool_figures(engine))

    services = {
        s.name: s
        for s in (
            osmi_pb2.DESCRIPTOR.services_by_name["OsmiService"],
            catalog_pb2.DESCRIPTOR.services_by_name["CatalogService"],
            tickets_pb2.DESCRIPTOR.services_by_name["TicketService"],
        )
    }
    bindings = [
        ServiceBinding(
            services["OsmiService"],
            ClassicServicer(identity, catalog, sales, database_ok, settings.service_name),
        ),
        ServiceBinding(services["CatalogService"], CatalogServicer(catalog)),
        ServiceBinding(services["TicketService"], TicketServicer(checkin)),
    ]
    probes = HealthProbes(database_ok, readiness, settings.service_name)
    return Application(engine, bindings, probes)


class _Server(uvicorn.Server):
    """A uvicorn server that leaves signals to Osmi, so one handler stops all doors."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _uvicorn(app: object, host: str, port: int, max_connections: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        lifespan="off",
        server_header=False,
        # Outlive typical load-balancer idle timeouts so pooled client connections
        # are not closed under a request that is just being sent.
        timeout_keep_alive=75,
        # Past this many open connections and requests, answer 503 at once.
        limit_concurrency=max_connections,
        # TODO(ops): no header/body read timeout (uvicorn has none), so a slow
        # client holds its connection; run behind a proxy or ingress that times
        # clients out.
    )
    return _Server(config)


async def serve(settings: Settings, url: str) -> None:
    app = build_application(settings, url)
    address = f"{settings.host}:{settings.grpc_port}"
    try:
        grpc_server, grpc_port, health = create_server(
            app.bindings, address, max_concurrent_rpcs=settings.grpc_max_concurrent_rpcs
        )
    except RuntimeError:
        log.error("grpc.bind_failed", address=address, hint="is the port in use?")
        raise SystemExit(1) from None
    limit = settings.http_max_connections
    rest_app = build_rest_app(app.bindings, version=__version__)
    rest = _uvicorn(rest_app, settings.host, settings.http_port, limit)
    probes = _uvicorn(build_health_app(app.probes), settings.host, settings.health_port, limit)

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    await grpc_server.start()
    tasks = [asyncio.create_task(s.serve()) for s in (rest, probes)]
    await _until_started(rest, probes, tasks)
    names = ["", *(binding.descriptor.full_name for binding in app.bindings)]
    watcher = asyncio.create_task(_track_database(app, health, names))
    log.info(
        "osmi.serving",
        host=settings.host,
        grpc_port=grpc_port,
        http_port=_bound_port(rest),
        health_port=_bound_port(probes),
        env=settings.env,
    )
    # Run until a signal, or until a door stops on its own (then stop the rest).
    stopped = asyncio.create_task(stop.wait())
    await asyncio.wait([stopped, *tasks], return_when=asyncio.FIRST_COMPLETED)

    log.info("osmi.stopping", grace_seconds=settings.shutdown_grace)
    watcher.cancel()
    app.probes.accepting = False
    await health.enter_graceful_shutdown()
    await grpc_server.stop(settings.shutdown_grace)
    for server in (rest, probes):
        server.should_exit = True
    await asyncio.gather(*tasks, return_exceptions=True)
    await app.engine.dispose()
    log.info("osmi.stopped")


DATABASE_CHECK_SECONDS = 5.0


async def _track_database(app: Application, health: Any, names: list[str]) -> None:
    """Keep gRPC health in step with the database, as /health is on the health port."""
    serving: bool | None = None
    while True:
        ok = await app.probes.database_ok()
        if ok != serving:
            states = health_pb2.HealthCheckResponse
            for name in names:
                await health.set(name, states.SERVING if ok else states.NOT_SERVING)
            if not ok:
                log.warning("database.unreachable", hint="health answers NOT_SERVING and 503")
            elif serving is False:
                log.info("database.reachable")
            serving = ok
        await asyncio.sleep(DATABASE_CHECK_SECONDS)


async def _until_started(
    rest: uvicorn.Server, probes: uvicorn.Server, tasks: list[asyncio.Task[None]]
) -> None:
    while not (rest.started and probes.started):
        if any(t.done() for t in tasks):
            # A port was taken or the bind failed: uvicorn logged why.
            raise SystemExit(1)
        await asyncio.sleep(0.02)


def _bound_port(server: uvicorn.Server) -> int:
    for listener in server.servers:
        for sock in listener.sockets:
            return int(sock.getsockname()[1])
    return server.config.port
