"""Coalescing: concurrent requests share a batch, each gets its own result or the batch's error."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
import structlog

from adapters.postgres.coalescer import Coalescer


class Server:
    """A batch endpoint that answers after `gate` opens and records every batch it got."""

    def __init__(self) -> None:
        self.batches: list[list[int]] = []
        self.gate = asyncio.Event()
        self.fail: Exception | None = None
        self.seen_context: list[dict[str, object]] = []

    async def send(self, requests: Sequence[int]) -> list[str]:
        self.batches.append(list(requests))
        self.seen_context.append(structlog.contextvars.get_contextvars())
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return [f"r{n}" for n in requests]


async def test_a_lone_request_goes_at_once_and_later_ones_go_together() -> None:
    server = Server()
    coalesce = Coalescer(server.send, max_batch=3)
    first = asyncio.create_task(coalesce(1))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert server.batches == [[1]]  # no waiting for company
    rest = [asyncio.create_task(coalesce(n)) for n in range(2, 7)]
    await asyncio.sleep(0)
    server.gate.set()
    assert await asyncio.gather(first, *rest) == [f"r{n}" for n in range(1, 7)]
    assert server.batches == [[1], [2, 3, 4], [5, 6]]


async def test_a_failed_batch_fails_each_of_its_requests_and_the_next_batch_still_goes() -> None:
    server = Server()
    server.fail = ConnectionResetError("gone")
    coalesce = Coalescer(server.send)
    tasks = [asyncio.create_task(coalesce(n)) for n in (1, 2)]
    await asyncio.sleep(0)
    server.gate.set()
    for task in tasks:
        with pytest.raises(ConnectionResetError):
            await task
    server.fail = None
    assert await coalesce(3) == "r3"


async def test_a_cancelled_caller_leaves_the_others_their_answers() -> None:
    server = Server()
    coalesce = Coalescer(server.send)
    first = asyncio.create_task(coalesce(1))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(coalesce(n)) for n in (2, 3)]
    await asyncio.sleep(0)
    waiting[0].cancel()
    server.gate.set()
    assert await first == "r1"
    assert await waiting[1] == "r3"
    assert server.batches == [[1], [3]]  # the cancelled request was never sent


async def test_the_batch_carries_no_requests_log_context() -> None:
    server = Server()
    coalesce = Coalescer(server.send)
    structlog.contextvars.bind_contextvars(event_id="e-1")
    try:
        task = asyncio.create_task(coalesce(1))
        await asyncio.sleep(0)
        server.gate.set()
        await task
    finally:
        structlog.contextvars.clear_contextvars()
    assert server.seen_context == [{}]
