"""A real Osmi server process per test module, and real clients for it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import grpc
import httpx
import pytest

from osmi.classic import osmi_pb2_grpc
from osmi.v1 import catalog_pb2_grpc, tickets_pb2_grpc

pytestmark = pytest.mark.e2e
STARTUP_SECONDS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    grpc_target: str
    http_base: str
    health_base: str
    log_path: Path

    def log_text(self) -> str:
        return self.log_path.read_text()


def _wait_ready(server: RunningServer, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"osmi serve exited early:\n{server.log_text()}")
        try:
            if httpx.get(f"{server.health_base}/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"osmi serve not ready in {STARTUP_SECONDS}s:\n{server.log_text()}")


@pytest.fixture(scope="module")
def server(
    module_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningServer]:
    ports = [_free_port() for _ in range(3)]
    workdir = tmp_path_factory.mktemp("osmi-server")
    # An empty .env of its own, so the checkout's .env cannot leak into the server.
    env_file = workdir / "empty.env"
    env_file.write_text("")
    env = {
        **os.environ,
        "DATABASE_URL": module_database,
        "GRPC_PORT": str(ports[0]),
        "HTTP_PORT": str(ports[1]),
        "HEALTH_PORT": str(ports[2]),
        "OSMI_HOST": "127.0.0.1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
        "OSMI_ENV_FILE": str(env_file),
        "DB_POOL_SIZE": "20",
    }
    log_path = workdir / "server.log"
    running = RunningServer(
        grpc_target=f"127.0.0.1:{ports[0]}",
        http_base=f"http://127.0.0.1:{ports[1]}",
        health_base=f"http://127.0.0.1:{ports[2]}",
        log_path=log_path,
    )
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "osmi", "serve"], env=env, stdout=log, stderr=log
        )
        try:
            _wait_ready(running, proc)
            yield running
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@dataclass(frozen=True)
class GrpcClients:
    classic: osmi_pb2_grpc.OsmiServiceStub
    catalog: catalog_pb2_grpc.CatalogServiceStub
    tickets: tickets_pb2_grpc.TicketServiceStub


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
