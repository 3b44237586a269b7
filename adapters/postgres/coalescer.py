"""Concurrent single requests sent as one batch: one round trip and one commit for all of them.

    claims = Coalescer(send_claims, max_batch=64)
    claim = await claims(source)   # from many tasks at once

A request made while no batch is in flight goes out on the next turn of the event loop, with
whatever else was asked in that turn; requests made while a batch is in flight wait for it and
go together in the next. So an idle switch adds no latency, and a busy one pays one round trip
for many events instead of one each. (aiodataloader batches only within one loop turn, which
on a busy switch is one or two requests; this keeps filling while the database answers.)

`send` gets the requests in order and returns one result per request, in the same order. If it
raises, every request of that batch gets the error, as each would have alone.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class Coalescer(Generic[K, V]):
    """Batches concurrent calls to `send`, at most `max_batch` requests per batch."""

    def __init__(
        self, send: Callable[[Sequence[K]], Awaitable[Sequence[V]]], *, max_batch: int = 64
    ) -> None:
        self._send = send
        self._max = max_batch
        self._waiting: list[tuple[K, asyncio.Future[V]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def __call__(self, request: K) -> V:
        """The result of `send` for this request, sent with whatever else is waiting."""
        future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, future))
        if self._sender is None:
            # Its own empty context: the batch's log lines belong to no one request.
            self._sender = asyncio.create_task(
                self._send_waiting(), name="coalescer", context=contextvars.Context()
            )
        return await future

    async def _send_waiting(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max]
                del self._waiting[: self._max]
                live = [(request, future) for request, future in batch if not future.done()]
                if live:
                    await self._send_batch(live)
        finally:
            self._sender = None
            for _, future in self._waiting:  # only when cancelled itself (shutdown)
                future.cancel()
            self._waiting.clear()

    async def _send_batch(self, batch: list[tuple[K, asyncio.Future[V]]]) -> None:
        try:
            results = await self._send([request for request, _ in batch])
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as exc:  # the batch's error is each request's error
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)
