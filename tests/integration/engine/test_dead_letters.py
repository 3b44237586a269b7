"""Dead letters on the real broker: poison events, transient failures, the partition moving on."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Sequence
from typing import Any

import pytest

from service.engine.errors import PermanentError, TransientError
from service.engine.records import Event, Handler
from tests.integration.engine.kit import (
    TEST_SETTINGS,
    Ping,
    committed,
    end_offsets,
    eventually,
    ping,
    read_all,
    serving,
    setup_lane,
)

pytestmark = pytest.mark.integration


async def _run_until_committed(
    bootstrap: str, prefix: str, messages: Sequence[tuple[str | None, bytes]], handle: Handler[Ping]
) -> None:
    await setup_lane(bootstrap, prefix, messages)

    async def all_committed() -> bool:
        return await committed(bootstrap, f"{prefix}g") == {0: len(messages)}

    async with serving(bootstrap, prefix, handle):
        await eventually(all_committed)


def _body(record: Any) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(record.value)
    return body


async def test_a_poison_event_is_dead_lettered_and_later_events_are_processed(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Undecodable bytes at offset 2 go to the dead-letter topic intact; offsets 3-5 are handled."""
    poison = b'{"event_id": "not-a-uuid", \xff'
    messages = [("m1", ping(uuid.uuid4(), "m1", i)) for i in range(6)]
    messages[2] = ("m1", poison)
    handled: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        handled.append(event.record.offset)

    await _run_until_committed(kafka_bootstrap, topic_prefix, messages, handle)
    assert handled == [0, 1, 3, 4, 5]
    [letter] = await read_all(kafka_bootstrap, f"{topic_prefix}dlq", count=1)
    body = _body(letter)
    assert base64.b64decode(body["original_value"]) == poison
    assert body["source_topic"] == f"{topic_prefix}in"
    assert (body["source_partition"], body["source_offset"]) == (0, 2)
    assert body["error_type"] == "decode"
    assert body["reason"].startswith("not a ping")
    assert body["occurred_at"].endswith("Z")
    assert letter.key == b"m1"
    assert dict(letter.headers)["event_id"] == body["event_id"].encode()


async def test_a_transient_failure_is_retried_then_succeeds(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """The handler fails twice on one event, then succeeds: handled, and nothing dead-lettered."""
    messages = [("m1", ping(uuid.uuid4(), "m1", i)) for i in range(3)]
    attempts: list[tuple[int, int]] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append((event.record.offset, event.attempt))
        if event.record.offset == 1 and event.attempt < 3:
            raise TransientError("provider timed out")

    await _run_until_committed(kafka_bootstrap, topic_prefix, messages, handle)
    assert attempts == [(0, 1), (1, 1), (1, 2), (1, 3), (2, 1)]
    assert await end_offsets(kafka_bootstrap, f"{topic_prefix}dlq") == 0


async def test_a_transient_failure_past_the_bound_is_dead_lettered(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """An event failing every time is tried max_attempts times, then dead-lettered."""
    messages = [("m1", ping(uuid.uuid4(), "m1", i)) for i in range(2)]
    attempts: list[tuple[int, int]] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append((event.record.offset, event.attempt))
        if event.record.offset == 0:
            raise ConnectionError("provider unreachable")

    await _run_until_committed(kafka_bootstrap, topic_prefix, messages, handle)
    bound = TEST_SETTINGS.max_attempts
    assert attempts == [(0, n) for n in range(1, bound + 1)] + [(1, 1)]
    [letter] = await read_all(kafka_bootstrap, f"{topic_prefix}dlq", count=1)
    body = _body(letter)
    assert (body["error_type"], body["attempts"]) == ("retries_exhausted", bound)
    assert body["reason"] == "ConnectionError: provider unreachable"
    assert base64.b64decode(body["original_value"]) == messages[0][1]


async def test_a_permanent_failure_is_dead_lettered_at_once(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """No retry for a permanent error; the letter says why."""
    messages = [("m1", ping(uuid.uuid4(), "m1", 0))]
    attempts: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append(event.attempt)
        raise PermanentError("meter number has letters")

    await _run_until_committed(kafka_bootstrap, topic_prefix, messages, handle)
    assert attempts == [1]
    [letter] = await read_all(kafka_bootstrap, f"{topic_prefix}dlq", count=1)
    assert _body(letter)["reason"] == "PermanentError: meter number has letters"
