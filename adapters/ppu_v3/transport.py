"""One aiohttp session per provider: keep-alive, a bulkhead, bounded bodies, late answers logged."""

from __future__ import annotations

import asyncio
import base64
import time
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import aiohttp
import orjson
import structlog

from adapters.ppu_v3.errors import ResponseTimeoutError, translate
from adapters.ppu_v3.settings import ProviderSettings

_log = structlog.get_logger("adapters.ppu_v3")
_CHUNK = 65_536


def basic_auth(username: str, password: str) -> str:
    """The HTTP Basic Authorization header value (aiohttp's BasicAuth is deprecated)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


class BulkheadFullError(Exception):
    """Every connection to the provider stayed busy for the whole timeout: nothing was sent."""


@dataclass(frozen=True, kw_only=True)
class RawAnswer:
    """An HTTP answer: status and body, or body None when it was larger than allowed."""

    status: int
    body: bytes | None


class ProviderTransport:
    """POSTs JSON to one provider through one keep-alive session, at most N at a time."""

    def __init__(self, settings: ProviderSettings) -> None:
        """Prepare; the session opens in __aenter__ so nothing does I/O at construction."""
        self._settings = settings
        self._bulkhead = asyncio.Semaphore(settings.max_connections)
        self._session: aiohttp.ClientSession | None = None
        self._late: set[asyncio.Task[RawAnswer]] = set()
        self._api_root = settings.api_root
        # One timeout object per operation timeout, not one per request.
        self._connect_timeouts: dict[float, aiohttp.ClientTimeout] = {}

    async def __aenter__(self) -> Self:
        """Open the provider's session."""
        connector = aiohttp.TCPConnector(
            limit=self._settings.max_connections,
            keepalive_timeout=self._settings.keepalive_seconds,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={
                "Accept": "application/json",
                "Authorization": basic_auth(
                    self._settings.username, self._settings.password.get_secret_value()
                ),
            },
            timeout=aiohttp.ClientTimeout(total=None),
            raise_for_status=False,
            # Request bodies are plain dicts: orjson writes them in one native pass, where the
            # standard library's encoder was the largest single cost of building a request.
            json_serialize=_json_text,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop waiting for late answers and close the session."""
        for task in list(self._late):
            task.cancel()
        await asyncio.gather(*self._late, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def post(self, path: str, payload: dict[str, Any], *, wait_seconds: float) -> RawAnswer:
        """Send one request and wait at most `wait_seconds` for the whole answer."""
        timeout = wait_seconds
        deadline = time.monotonic() + timeout
        await self._enter_bulkhead(path, timeout)
        task = asyncio.create_task(self._exchange(path, payload, timeout))
        task.add_done_callback(self._leave_bulkhead)
        try:
            finished = await _finished_within(task, max(deadline - time.monotonic(), 0))
        except asyncio.CancelledError:
            task.cancel()
            raise
        if finished:
            return task.result()
        self._await_late(task, path)
        raise ResponseTimeoutError(f"no answer within {timeout}s")

    async def _enter_bulkhead(self, path: str, wait_seconds: float) -> None:
        """Take a connection slot, waiting at most `wait_seconds` for one."""
        if not self._bulkhead.locked():
            # A free slot is taken without suspending: no timer and no task for the common case.
            await self._bulkhead.acquire()
            return
        try:
            await asyncio.wait_for(self._bulkhead.acquire(), wait_seconds)
        except TimeoutError as exc:
            raise BulkheadFullError(path) from exc

    def _leave_bulkhead(self, _: asyncio.Task[RawAnswer]) -> None:
        """Free the slot when the exchange ends, answered, failed, late or cancelled."""
        self._bulkhead.release()

    def _await_late(self, task: asyncio.Task[RawAnswer], path: str) -> None:
        """Let a timed-out request finish within the grace period, only to log its answer."""
        self._late.add(task)
        handle = asyncio.get_running_loop().call_later(
            self._settings.late_response_grace_seconds, task.cancel
        )

        def _logged(done: asyncio.Task[RawAnswer]) -> None:
            handle.cancel()
            self._late.discard(done)
            if done.cancelled():
                return
            error = done.exception()
            _log.warning(
                "ppu_v3.late_response_ignored",
                provider_id=self._settings.provider_id,
                path=path,
                status=None if error else done.result().status,
                error=type(error).__name__ if error else None,
            )

        task.add_done_callback(_logged)

    async def _exchange(
        self, path: str, payload: dict[str, Any], connect_seconds: float
    ) -> RawAnswer:
        """The HTTP round trip, library errors translated into our tree."""
        if self._session is None:
            raise RuntimeError("ProviderTransport used outside 'async with'")
        timeout = self._connect_timeouts.get(connect_seconds)
        if timeout is None:
            timeout = aiohttp.ClientTimeout(sock_connect=connect_seconds)
            self._connect_timeouts[connect_seconds] = timeout
        try:
            async with self._session.post(
                self._api_root + path, json=payload, timeout=timeout
            ) as response:
                body = await _read_limited(response, self._settings.max_response_bytes)
                return RawAnswer(status=response.status, body=body)
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            raise translate(exc) from exc


def _json_text(body: Any) -> str:
    return orjson.dumps(body).decode()


async def _finished_within(task: asyncio.Task[RawAnswer], seconds: float) -> bool:
    """Wait for the task at most `seconds`; tell whether it finished.

    asyncio.wait({task}, timeout=...) does the same with sets and checks that cost about as much
    CPU again as this whole wait, on every request.
    """
    if task.done():
        return True
    loop = asyncio.get_running_loop()
    waiter: asyncio.Future[None] = loop.create_future()

    def wake(_: object) -> None:
        if not waiter.done():
            waiter.set_result(None)

    timer = loop.call_later(seconds, wake, None)
    task.add_done_callback(wake)
    try:
        await waiter
    finally:
        timer.cancel()
        task.remove_done_callback(wake)
    return task.done()


async def _read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes | None:
    """Read the body, giving up (None) as soon as it exceeds the limit."""
    if response.content_length is not None and response.content_length > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK):
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
