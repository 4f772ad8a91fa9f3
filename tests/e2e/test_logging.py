"""One JSON log line per request, carrying the caller's request id, and no secrets."""

from __future__ import annotations

import asyncio

import grpc
import httpx
import pytest

from osmi.classic import osmi_pb2

from .helpers import Json, log_records, unique_email, wait_for_log
from .server import GrpcClients, RunningServer

REQUEST_ID = "e2e-req-1"
SECRET = "s3cret-Passw0rd-e2e-4711"


async def _lines_for(server: RunningServer, since: int, request_id: str) -> list[Json]:
    def logged(records: list[Json]) -> bool:
        return any(r.get("request_id") == request_id for r in records)

    await wait_for_log(server, logged, since=since)
    await asyncio.sleep(0.2)  # room for a second line, which must not come
    records = log_records(server.log_text()[since:])
    return [r for r in records if r.get("request_id") == request_id]


async def test_grpc_request_logs_one_line_with_the_request_id(
    server: RunningServer, grpc_clients: GrpcClients
) -> None:
    since = len(server.log_text())
    call = grpc_clients.classic.HealthCheck(
        osmi_pb2.Empty(), metadata=(("x-request-id", REQUEST_ID),)
    )
    assert (await call).status == "healthy"
    assert ("x-request-id", REQUEST_ID) in list(await call.initial_metadata())

    (line,) = await _lines_for(server, since, REQUEST_ID)
    assert line["event"] == "grpc.request"
    assert line["rpc"] == "osmi.OsmiService/HealthCheck"
    assert line["status"] == "OK"
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0
    assert line["level"] == "info"
    assert line["timestamp"]


async def test_grpc_failure_is_logged_with_its_status(
    server: RunningServer, grpc_clients: GrpcClients
) -> None:
    since = len(server.log_text())
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await grpc_clients.classic.GetEvent(
            osmi_pb2.EventLookup(public_id="nope"), metadata=(("x-request-id", "e2e-req-bad"),)
        )
    assert caught.value.code() is grpc.StatusCode.INVALID_ARGUMENT

    (line,) = await _lines_for(server, since, "e2e-req-bad")
    assert line["rpc"] == "osmi.OsmiService/GetEvent"
    assert line["status"] == "INVALID_ARGUMENT"
    assert "duration_ms" in line


async def test_http_request_logs_one_line_and_echoes_the_request_id(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    since = len(server.log_text())
    response = await http.get("/health", headers={"x-request-id": REQUEST_ID})
    assert response.status_code == 200
    assert response.json()["status"] == "healthy"
    assert response.headers["x-request-id"] == REQUEST_ID

    (line,) = await _lines_for(server, since, REQUEST_ID)
    assert line["event"] == "http.request"
    assert line["rpc"] == "osmi.OsmiService/HealthCheck"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/health", 200)
    assert isinstance(line["duration_ms"], int | float)
    assert line["duration_ms"] >= 0


async def test_http_failure_is_logged_with_its_status(
    server: RunningServer, http: httpx.AsyncClient
) -> None:
    since = len(server.log_text())
    response = await http.get("/events/nope", headers={"x-request-id": "e2e-req-400"})
    assert response.status_code == 400
    assert response.headers["x-request-id"] == "e2e-req-400"
    (line,) = await _lines_for(server, since, "e2e-req-400")
    assert (line["rpc"], line["status"]) == ("osmi.OsmiService/GetEvent", 400)


async def test_http_without_or_with_unusable_request_id_gets_a_fresh_one(
    http: httpx.AsyncClient,
) -> None:
    first = (await http.get("/health")).headers["x-request-id"]
    second = (await http.get("/health")).headers["x-request-id"]
    assert first
    assert first != second
    odd = await http.get("/health", headers={"x-request-id": "bad id with spaces"})
    assert odd.headers["x-request-id"] not in ("", "bad id with spaces")


async def test_passwords_never_reach_the_log(
    server: RunningServer, grpc_clients: GrpcClients, http: httpx.AsyncClient
) -> None:
    email = unique_email("secret")
    await grpc_clients.classic.CreateUser(
        osmi_pb2.UserRequest(name="Sol", email=email, password=SECRET),
        metadata=(("x-request-id", "e2e-secret-1"),),
    )
    # A duplicate (409) and an invalid one (400), over REST, with the same password.
    duplicate = await http.post(
        "/users",
        json={"name": "Sol", "email": email, "password": SECRET},
        headers={"x-request-id": "e2e-secret-2"},
    )
    assert duplicate.status_code == 409
    invalid = await http.post(
        "/users",
        json={"name": "Sol", "email": "nope", "password": SECRET},
        headers={"x-request-id": "e2e-secret-3"},
    )
    assert invalid.status_code == 400
    assert SECRET not in duplicate.text + invalid.text
    for request_id in ("e2e-secret-1", "e2e-secret-2", "e2e-secret-3"):
        assert len(await _lines_for(server, 0, request_id)) == 1

    text = server.log_text()
    assert SECRET not in text
    assert SECRET.lower() not in text.lower()
    assert log_records(text), "the server log is not JSON lines"
