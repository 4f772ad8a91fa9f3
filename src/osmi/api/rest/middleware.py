"""Per-request context for the HTTP door: a request id and exactly one log line.

Pure ASGI, so it wraps any app. The id comes from ``x-request-id`` when the
caller sent a sane one, else a fresh uuid4 hex; it is bound into structlog's
context variables for everything logged while serving the request, and echoed
back in the ``x-request-id`` response header.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from osmi.api.request_id import REQUEST_ID_HEADER, accepted, new_request_id

_HEADER_BYTES = REQUEST_ID_HEADER.encode("ascii")
_SCOPE_KEY = "osmi.request_log"


@dataclass(slots=True)
class _RequestLog:
    rpc: str = ""


def set_rpc(scope: Scope, rpc: str) -> None:
    """Name the RPC serving this request in its log line (no-op outside the middleware)."""
    record = scope.get(_SCOPE_KEY)
    if isinstance(record, _RequestLog):
        record.rpc = rpc


def _incoming_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name.lower() == _HEADER_BYTES:
            text = value.decode("latin-1")
            return accepted(text)
    return None


def _with_request_id(message: Message, request_id: str) -> Message:
    headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _HEADER_BYTES]
    headers.append((_HEADER_BYTES, request_id.encode("ascii")))
    return {**message, "headers": headers}


def _logged_path(scope: Scope) -> str:
    # Still percent-encoded: a decoded path could smuggle newlines into console logs.
    raw = scope.get("raw_path")
    return raw.decode("latin-1") if isinstance(raw, bytes) else str(scope["path"])


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _incoming_request_id(scope) or new_request_id()
        record = _RequestLog()
        status = 500  # what the client sees if the app fails before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = _with_request_id(message, request_id)
            await send(message)

        started = time.perf_counter()
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app({**scope, _SCOPE_KEY: record}, receive, send_with_id)
            finally:
                # The path only: query strings and headers may carry secrets. The logger
                # is fetched per use, as one cached at import ignores later configuration.
                structlog.get_logger("osmi.http").info(
                    "http.request",
                    method=scope["method"],
                    path=_logged_path(scope),
                    rpc=record.rpc,
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                )
