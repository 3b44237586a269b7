"""What every simulated operation goes through: parsing, validation, latency and faults."""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from adapters.ppu_v3.simulator import replies
from adapters.ppu_v3.simulator.checks import violations
from adapters.ppu_v3.simulator.config import Fault, Operation
from adapters.ppu_v3.simulator.state import SimulatorState
from adapters.ppu_v3.transport import basic_auth

_BEFORE_ONLY = frozenset({Fault.ERROR_503})
_RESPONSE_FAULTS = frozenset({Fault.MALFORMED, Fault.OVERSIZED})


@dataclass(frozen=True, kw_only=True)
class Incoming:
    """A parsed, valid request: its operation, the id in its path and its JSON body."""

    op: Operation
    path_id: str
    body: dict[str, Any]
    advice_id: str | None = None


Business = Callable[[SimulatorState, Incoming], Awaitable[web.StreamResponse]]


async def pause(state: SimulatorState, seconds: float) -> None:
    """Sleep, but end early when the simulator shuts down (so servers close promptly)."""
    if seconds <= 0 or state.closing.is_set():
        return
    # Latency applies to every request: a bare future and timer cost a fraction of wait_for's
    # task, and the usual end (time is up) raises nothing. state.close() wakes it early.
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()
    timer = loop.call_later(seconds, _wake, waiter)
    state.sleepers.add(waiter)
    try:
        await waiter
    finally:
        timer.cancel()
        state.sleepers.discard(waiter)


def _wake(waiter: asyncio.Future[None]) -> None:
    """End a pause, unless it already ended."""
    if not waiter.done():
        waiter.set_result(None)


async def serve(
    state: SimulatorState, op: Operation, request: web.Request, business: Business
) -> web.StreamResponse:
    """Run one request through the checks, the fault plan and the operation itself."""
    if op in state.config.unsupported_operations:
        return replies.error(501, "FUNCTION_NOT_SUPPORTED", "Not implemented")
    try:
        body = json.loads(await request.read())
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return replies.format_error([{"messageProperty": "message", "field": "", "error": ""}])
    found = violations(op, body)
    if found:
        return replies.format_error(found)
    incoming = Incoming(
        op=op,
        # notifyTokenPurchase names its purchase in the query, not the path (interface 1.2).
        path_id=request.match_info.get("request_id") or request.query.get("purchaseId", ""),
        body=body,
        advice_id=request.match_info.get("advice_id"),
    )
    await pause(state, state.config.latency.sample_seconds(state.rng))
    fault = state.next_fault(op)
    if fault is not None and _strikes_before(state, fault):
        return await _apply(state, fault, request, None)
    response = await business(state, incoming)
    if fault is None:
        return response
    return await _apply(state, fault, request, response)


def _strikes_before(state: SimulatorState, fault: Fault) -> bool:
    """Outages and 503 strike before anything is done; others follow the configured stage."""
    if state.down_fault is not None or fault in _BEFORE_ONLY:
        return True
    return fault not in _RESPONSE_FAULTS and state.config.faults.stage == "before_vend"


async def _apply(
    state: SimulatorState,
    fault: Fault,
    request: web.Request,
    response: web.StreamResponse | None,
) -> web.StreamResponse:
    """Answer with the fault; a hang answers late (with the real answer when there is one)."""
    if fault is Fault.HANG:
        await pause(state, state.config.faults.hang_seconds)
        return response or replies.error(504, "UPSTREAM_UNAVAILABLE", "Timeout")
    if fault is Fault.DROP:
        if request.transport is not None:
            request.transport.close()
        raise asyncio.CancelledError
    if fault is Fault.MALFORMED:
        broken = b'{"id": "broken", "tokens": [{"token'
        return web.Response(status=201, body=broken, content_type="application/json")
    if fault is Fault.OVERSIZED:
        padding = "x" * state.config.faults.oversized_bytes
        return web.json_response({"id": "oversized", "padding": padding}, status=201)
    return _error_fault(fault)


def _error_fault(fault: Fault) -> web.Response:
    """The status-code faults."""
    if fault is Fault.ERROR_503:
        return replies.error(503, "UPSTREAM_UNAVAILABLE", "Service unavailable")
    if fault is Fault.ERROR_504:
        return replies.error(
            504, "UPSTREAM_UNAVAILABLE", "Timeout", "No response from upstream service"
        )
    if fault is Fault.OUTCOME_UNKNOWN:
        return replies.error(400, "OUTCOME_UNKNOWN", "Outcome unknown")
    return replies.error(500, "GENERAL_ERROR", "Internal error")


@functools.lru_cache(maxsize=16)
def _expected_authorization(username: str, password: str) -> str:
    """The Authorization header a provider accepts, encoded once rather than per request."""
    return basic_auth(username, password)


def auth_middleware(state: SimulatorState) -> Any:
    """Enforce HTTP Basic on the interface's paths when the provider has credentials."""

    @web.middleware
    async def check(request: web.Request, handler: Any) -> web.StreamResponse:
        """Answer 401 unless the credentials match."""
        config = state.config
        if config.username is None or not request.path.startswith("/prepaidutility/"):
            response: web.StreamResponse = await handler(request)
            return response
        expected = _expected_authorization(config.username, config.password or "")
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, headers={"WWW-Authenticate": 'Basic realm="ppu"'})
        response = await handler(request)
        return response

    return check
