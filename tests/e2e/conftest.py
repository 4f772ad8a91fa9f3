"""A real Osmi server process per test module, and real clients for it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import grpc
import httpx
import pytest

from osmi.classic import osmi_pb2_grpc
from osmi.v1 import catalog_pb2_grpc, tickets_pb2_grpc

from .server import GrpcClients, RunningServer, osmi_server

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(
    module_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    with osmi_server(module_database, tmp_path_factory.mktemp("osmi-server")) as running:
        yield running


@pytest.fixture
async def grpc_clients(server: RunningServer) -> AsyncIterator[GrpcClients]:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        yield GrpcClients(
            osmi_pb2_grpc.OsmiServiceStub(channel),
            catalog_pb2_grpc.CatalogServiceStub(channel),
            tickets_pb2_grpc.TicketServiceStub(channel),
        )


@pytest.fixture
async def http(server: RunningServer) -> AsyncIterator[httpx.AsyncClient]:
    limits = httpx.Limits(max_connections=300)
    async with httpx.AsyncClient(base_url=server.http_base, timeout=30, limits=limits) as client:
        yield client
