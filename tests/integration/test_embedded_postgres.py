"""The embedded PostgreSQL server: starts in a fresh directory, answers, stops."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import psycopg
import pytest

from osmi.adapters.postgres.embedded import ensure_database, start_embedded

pytestmark = pytest.mark.integration


def test_embedded_server_serves_the_osmi_database_and_stops(tmp_path: Path) -> None:
    pg = start_embedded(tmp_path / "data")
    try:
        assert pg.data_dir == (tmp_path / "data" / "pgdata").resolve()
        assert pg.log_file.is_file()
        assert pg.sqlalchemy_url.startswith("postgresql+psycopg://")
        with psycopg.connect(pg.libpq_url) as conn:
            assert conn.execute("select 1").fetchone() == (1,)
            assert conn.execute("select current_database()").fetchone() == ("osmi",)
        assert ensure_database(pg.libpq_url, "osmi") == pg.libpq_url
    finally:
        pg.stop()
    assert not (pg.data_dir / "postmaster.pid").exists()


def test_a_killed_user_does_not_keep_the_server_running(tmp_path: Path) -> None:
    start_embedded(tmp_path).stop()
    handles = tmp_path.resolve() / "pgdata" / ".handle_pids.json"
    handles.write_text(json.dumps([exited_pid()]))  # as a process killed with -9 leaves it
    pg = start_embedded(tmp_path)
    pg.stop()
    assert not (pg.data_dir / "postmaster.pid").exists()


def exited_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid
