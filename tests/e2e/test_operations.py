"""Running Osmi: settings validation, health, readiness, reflection, seed, shutdown."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import grpc
import httpx
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from psycopg import sql

from osmi.adapters.postgres.embedded import with_database
from osmi.classic import osmi_pb2, osmi_pb2_grpc

from .server import RunningServer, osmi_env, osmi_server

pytestmark = pytest.mark.e2e


def _osmi(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "osmi", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def empty_database(admin_url: str) -> Iterator[str]:
    """A database with no schema at all (no migrations applied)."""
    name = f"osmi_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    yield with_database(admin_url, name)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_a_bad_setting_stops_the_server_with_one_line_naming_it(
    fresh_database: str, tmp_path: Path
) -> None:
    env = osmi_env(fresh_database, tmp_path, GRPC_PORT="abc")
    result = _osmi("serve", env=env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "GRPC_PORT" in lines[0]
    assert "'abc'" in lines[0]


def test_health_and_readiness_report_the_database_pool_and_migrations(
    server: RunningServer,
) -> None:
    health = httpx.get(f"{server.health_base}/health")
    assert health.status_code == 200
    assert health.json()["database"] == "ok"
    ready = httpx.get(f"{server.health_base}/ready").json()
    assert ready["status"] == "ready"
    assert ready["migrations"]["at_head"] is True
    assert ready["migrations"]["current"] == ready["migrations"]["head"]
    assert {"size", "checked_in", "checked_out", "overflow"} <= set(ready["pool"])
    assert ready["pool"]["size"] == 20  # DB_POOL_SIZE of the test server


def test_ready_is_503_until_migrations_reach_head(empty_database: str, tmp_path: Path) -> None:
    with osmi_server(empty_database, tmp_path, ready=False) as running:
        ready = httpx.get(f"{running.health_base}/ready")
        assert ready.status_code == 503
        body = ready.json()
        assert body["status"] == "not_ready"
        assert body["migrations"]["at_head"] is False
        assert body["migrations"]["current"] is None
        # Alive, just not ready: the database itself answers.
        assert httpx.get(f"{running.health_base}/health").status_code == 200


async def test_grpc_health_service_and_reflection_are_served(server: RunningServer) -> None:
    async with grpc.aio.insecure_channel(server.grpc_target) as channel:
        health = health_pb2_grpc.HealthStub(channel)
        for service in ("", "osmi.OsmiService", "osmi.v1.TicketService"):
            answer = await health.Check(health_pb2.HealthCheckRequest(service=service))
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.aio.AioRpcError) as unknown:
            await health.Check(health_pb2.HealthCheckRequest(service="no.such.Service"))
        assert unknown.value.code() == grpc.StatusCode.NOT_FOUND

        reflection = reflection_pb2_grpc.ServerReflectionStub(channel)
        request = reflection_pb2.ServerReflectionRequest(list_services="")
        replies = [reply async for reply in reflection.ServerReflectionInfo(iter([request]))]
    services = {s.name for s in replies[0].list_services_response.service}
    assert {
        "osmi.OsmiService",
        "osmi.v1.CatalogService",
        "osmi.v1.TicketService",
        "grpc.health.v1.Health",
    } <= services
    # The health service's own NOT_FOUND is its answer, not a failure of ours.
    assert "grpc.unhandled_error" not in server.log_text()
    lines = [json.loads(line) for line in server.log_text().splitlines() if line.startswith("{")]
    assert any(
        line.get("rpc") == "grpc.health.v1.Health/Check" and line.get("status") == "NOT_FOUND"
        for line in lines
    )


def _events_by_name(base: str) -> dict[str, dict[str, object]]:
    events = httpx.get(f"{base}/events").json()["events"]
    return {e["name"]: e for e in events}


def _tiers(base: str, event_id: object) -> list[dict[str, object]]:
    body = httpx.get(f"{base}/v1/events/{event_id}/ticketTypes").json()
    tiers: list[dict[str, object]] = body["ticketTypes"]
    return tiers


def test_seed_loads_demo_data_while_the_server_runs_and_only_once(
    server: RunningServer, module_database: str, tmp_path: Path
) -> None:
    env = osmi_env(module_database, tmp_path)
    first = _osmi("seed", env=env)
    assert first.returncode == 0, first.stderr
    events = _events_by_name(server.http_base)

    sold_out = events["Jazz at the Loft"]
    assert sold_out["ticketsSold"] == sold_out["totalTickets"] > 0
    on_sale = events["Festival Sonoro 2027"]
    assert on_sale["isPublished"] is True
    assert on_sale["ticketsSold"] == 0
    draft = next(e for e in events.values() if e["isPublished"] is False)
    assert "Stand-up" in str(draft["name"])

    on_sale_tiers = _tiers(server.http_base, on_sale["publicId"])
    vip = [t for t in on_sale_tiers if t["displayName"] == "VIP"]
    assert len(vip) == 1
    assert 0 < int(str(vip[0]["capacity"])) < 100
    assert len({t["capacity"] for t in on_sale_tiers}) == len(on_sale_tiers)
    currencies = {
        t["price"]["currencyCode"]  # type: ignore[index]
        for e in (on_sale, sold_out, draft)
        for t in _tiers(server.http_base, e["publicId"])
    }
    assert {"MXN", "USD"} <= currencies

    again = _osmi("seed", env=env)
    assert again.returncode == 0, again.stderr
    assert _events_by_name(server.http_base).keys() == events.keys()
    assert len(httpx.get(f"{server.http_base}/events").json()["events"]) == len(events)


def test_seed_works_without_a_running_server(fresh_database: str, tmp_path: Path) -> None:
    result = _osmi("seed", env=osmi_env(fresh_database, tmp_path))
    assert result.returncode == 0, result.stderr
    with psycopg.connect(fresh_database) as conn:
        venues = conn.execute("SELECT time_zone FROM venues ORDER BY time_zone").fetchall()
        organizer = conn.execute("SELECT role FROM users").fetchall()
        events = conn.execute("SELECT count(*) FROM events").fetchone()
    assert venues == [("America/Mexico_City",), ("America/New_York",)]
    assert organizer == [("organizer",)]
    assert events == (3,)


def test_sigterm_stops_the_server_gracefully(fresh_database: str, tmp_path: Path) -> None:
    with osmi_server(fresh_database, tmp_path) as running:
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=30) == 0
    messages = [json.loads(line).get("event") for line in running.log_text().splitlines()]
    assert messages.index("osmi.stopping") < messages.index("osmi.stopped")


async def test_calls_beyond_the_grpc_limit_are_refused_not_silently_cancelled(
    fresh_database: str, tmp_path: Path
) -> None:
    with osmi_server(fresh_database, tmp_path, GRPC_MAX_CONCURRENT_RPCS="2") as running:
        async with grpc.aio.insecure_channel(running.grpc_target) as channel:
            stub = osmi_pb2_grpc.OsmiServiceStub(channel)
            # Sign-ups hash a password (tens of ms), so 30 at once overlap.
            calls = [
                stub.CreateUser(
                    osmi_pb2.UserRequest(
                        name="Load", email=f"load{i}@example.com", password="long enough pw"
                    )
                )
                for i in range(30)
            ]
            results = await asyncio.gather(*calls, return_exceptions=True)
    codes = Counter(
        r.code() if isinstance(r, grpc.aio.AioRpcError) else grpc.StatusCode.OK for r in results
    )
    assert set(codes) == {grpc.StatusCode.OK, grpc.StatusCode.RESOURCE_EXHAUSTED}
    assert codes[grpc.StatusCode.OK] >= 2


async def test_grpc_health_follows_the_database(
    admin_url: str, template_database: str, tmp_path: Path
) -> None:
    name = f"osmi_doomed_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template_database)
            )
        )
    states = health_pb2.HealthCheckResponse
    with osmi_server(with_database(admin_url, name), tmp_path) as running:
        async with grpc.aio.insecure_channel(running.grpc_target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service="osmi.OsmiService")
            assert (await health.Check(request)).status == states.SERVING
            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            for _ in range(150):  # the server checks every few seconds
                if (await health.Check(request)).status == states.NOT_SERVING:
                    break
                await asyncio.sleep(0.1)
            assert (await health.Check(request)).status == states.NOT_SERVING
