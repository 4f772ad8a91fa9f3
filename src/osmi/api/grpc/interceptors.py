"""Cross-cutting concerns of every RPC: request ids, one log line, error mapping."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
import structlog
from grpc_status import rpc_status

from osmi.api.errors import to_status
from osmi.api.request_id import REQUEST_ID_HEADER, accepted, new_request_id

log = structlog.get_logger("osmi.grpc")


def request_id_from(metadata: Any) -> str:
    """The caller's ``x-request-id`` when it is plain enough, else a fresh one."""
    for key, value in metadata or ():
        if key == REQUEST_ID_HEADER and isinstance(value, str):
            return accepted(value) or new_request_id()
    return new_request_id()


class ObservabilityInterceptor(grpc.aio.ServerInterceptor):
    """Wraps unary RPCs: binds a request id, maps failures, logs one line.

    Servicers raise domain errors and never touch the status themselves, so
    the one table in ``osmi.api.errors`` decides every code and detail.
    """

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler:
        handler = await continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method: str = handler_call_details.method
        behavior = _wrap(method.lstrip("/"), handler.unary_unary)
        return grpc.unary_unary_rpc_method_handler(
            behavior,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )


def _wrap(
    rpc: str, behavior: Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]
) -> Callable[[Any, grpc.aio.ServicerContext[Any, Any]], Awaitable[Any]]:
    async def observed(request: Any, context: grpc.aio.ServicerContext[Any, Any]) -> Any:
        request_id = request_id_from(context.invocation_metadata())
        started = time.perf_counter()
        code = grpc.StatusCode.OK
        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await context.send_initial_metadata(((REQUEST_ID_HEADER, request_id),))
                return await behavior(request, context)
            except grpc.aio.AbortError:
                # The handler aborted on its own (the health service does): its
                # status stands; aborting again would be an error.
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            except asyncio.CancelledError:
                code = grpc.StatusCode.CANCELLED  # the client went away or timed out
                raise
            except Exception as exc:
                mapping, status = to_status(exc)
                code = mapping.grpc_code
                if code is grpc.StatusCode.INTERNAL:
                    log.exception("grpc.unhandled_error", rpc=rpc)
                await context.abort_with_status(rpc_status.to_status(status))
            finally:
                log.info(
                    "grpc.request",
                    rpc=rpc,
                    status=code.name,
                    duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    peer=context.peer(),
                )

    return observed
