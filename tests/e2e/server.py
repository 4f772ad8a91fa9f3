"""Running ``osmi`` as a real process on free loopback ports, for the e2e tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from osmi.classic import osmi_pb2_grpc
from osmi.v1 import catalog_pb2_grpc, tickets_pb2_grpc

STARTUP_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class RunningServer:
    grpc_target: str
    http_base: str
    health_base: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log_path.read_text()


def osmi_env(database_url: str, workdir: Path, **extra: str) -> dict[str, str]:
    """Environment for an ``osmi`` process on ``database_url``, isolated from the checkout."""
    # An empty .env of its own, so the checkout's .env cannot leak into the server.
    env_file = workdir / "empty.env"
    env_file.write_text("")
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "OSMI_HOST": "127.0.0.1",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "info",
        "OSMI_ENV_FILE": str(env_file),
        "DB_POOL_SIZE": "20",
        **extra,
    }


def _wait_started(server: RunningServer, ready: bool) -> None:
    """Until /ready answers (200 when ``ready``, else any status), or fail with the log."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"osmi serve exited early:\n{server.log_text()}")
        try:
            status = httpx.get(f"{server.health_base}/ready", timeout=1).status_code
            if status == 200 or not ready:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    pytest.fail(f"osmi serve not ready in {STARTUP_SECONDS}s:\n{server.log_text()}")


@contextlib.contextmanager
def osmi_server(
    database_url: str, workdir: Path, *, ready: bool = True, **settings: str
) -> Iterator[RunningServer]:
    """``python -m osmi serve`` on free loopback ports, stopped (SIGTERM) on exit."""
    ports = [free_port() for _ in range(3)]
    env = osmi_env(
        database_url,
        workdir,
        GRPC_PORT=str(ports[0]),
        HTTP_PORT=str(ports[1]),
        HEALTH_PORT=str(ports[2]),
        **settings,
    )
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "osmi", "serve"], env=env, stdout=log, stderr=log
        )
        running = RunningServer(
            grpc_target=f"127.0.0.1:{ports[0]}",
            http_base=f"http://127.0.0.1:{ports[1]}",
            health_base=f"http://127.0.0.1:{ports[2]}",
            log_path=log_path,
            process=process,
        )
        try:
            _wait_started(running, ready)
            yield running
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@dataclass(frozen=True)
class GrpcClients:
    classic: osmi_pb2_grpc.OsmiServiceStub
    catalog: catalog_pb2_grpc.CatalogServiceStub
    tickets: tickets_pb2_grpc.TicketServiceStub
