"""Processing one record: retries, deadlines and dead letters by the error tree."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json

import pytest
import structlog
from structlog.testing import capture_logs

from service.engine.errors import OutageError, PermanentError, TransientError
from service.engine.outage import OutageGate, always_up
from service.engine.process import Outcome, Processor
from service.engine.records import Event
from service.engine.settings import EngineSettings
from tests.unit.engine.fakes import MemoryPublisher, Ping, decode_ping, record

FAST = EngineSettings(
    max_attempts=3,
    backoff_base_s=0.001,
    backoff_cap_s=0.002,
    event_deadline_s=0.2,
    drain_deadline_s=1,
)


def _processor(
    handle: object, publisher: MemoryPublisher, gate: OutageGate | None = None
) -> Processor[Ping]:
    return Processor(
        decode=decode_ping,
        handle=handle,  # type: ignore[arg-type]
        dead_letters=publisher,
        dead_letter_topic="dlq",
        group="g",
        settings=FAST,
        gate=gate or OutageGate(always_up),
    )


def _letter(publisher: MemoryPublisher) -> dict[str, object]:
    assert len(publisher.sent) == 1
    body: dict[str, object] = json.loads(publisher.sent[0].payload)
    return body


async def test_an_undecodable_record_is_dead_lettered_without_calling_the_handler() -> None:
    """The decoder's reason reaches the letter; the handler never sees the bytes."""
    calls: list[Event[Ping]] = []

    async def handle(event: Event[Ping]) -> None:
        calls.append(event)

    publisher = MemoryPublisher()
    outcome = await _processor(handle, publisher).process(record(7, value=b"{oops"))
    assert outcome is Outcome.DEAD_LETTERED
    assert calls == []
    letter = _letter(publisher)
    assert letter["error_type"] == "decode"
    assert str(letter["reason"]).startswith("not a ping")


async def test_a_permanent_error_is_dead_lettered_at_once() -> None:
    """No retry for an error that will never go away."""
    attempts: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append(event.attempt)
        raise PermanentError("amount below zero")

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher).process(record(1)) is Outcome.DEAD_LETTERED
    assert attempts == [1]
    assert _letter(publisher)["reason"] == "PermanentError: amount below zero"


async def test_a_transient_error_is_retried_until_it_succeeds() -> None:
    """Two failures then success: handled, nothing dead-lettered."""
    attempts: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append(event.attempt)
        if event.attempt < 3:
            raise TransientError("provider timeout")

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher).process(record(1)) is Outcome.HANDLED
    assert attempts == [1, 2, 3]
    assert publisher.sent == []


async def test_an_unknown_error_past_the_bound_is_dead_lettered() -> None:
    """An unclassified error counts as transient; after max_attempts it becomes a letter."""
    attempts: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        attempts.append(event.attempt)
        raise RuntimeError("flaky")

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher).process(record(1)) is Outcome.DEAD_LETTERED
    assert attempts == [1, 2, 3]
    letter = _letter(publisher)
    assert letter["error_type"] == "retries_exhausted"
    assert letter["attempts"] == 3
    assert letter["reason"] == "RuntimeError: flaky"


async def test_a_handler_past_its_deadline_is_cut_off_and_retried() -> None:
    """A hanging attempt times out; the next attempt may succeed."""

    async def handle(event: Event[Ping]) -> None:
        if event.attempt == 1:
            await asyncio.sleep(30)

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher).process(record(1)) is Outcome.HANDLED


async def test_a_failed_dead_letter_send_is_retried_until_the_broker_acknowledges() -> None:
    """The record is done only once its letter is durable."""

    async def handle(event: Event[Ping]) -> None:
        raise PermanentError("no")

    publisher = MemoryPublisher(fail_times=2)
    assert await _processor(handle, publisher).process(record(1)) is Outcome.DEAD_LETTERED
    assert publisher.calls == 3
    assert len(publisher.sent) == 1


async def test_one_canonical_log_line_per_event_with_its_ids() -> None:
    """The line has the outcome, duration, attempts and the bound ids."""

    async def handle(event: Event[Ping]) -> None:
        return None

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await _processor(handle, MemoryPublisher()).process(record(5))
    lines = [e for e in logs if e["event"] == "event_processed"]
    assert len(lines) == 1
    line = lines[0]
    assert line["outcome"] == "handled"
    assert line["attempts"] == 1
    assert line["offset"] == 5
    assert line["topic"] == "t"
    assert line["event_id"] == str(decode_ping("t", record(5).value).event_id)
    assert isinstance(line["duration_ms"], float)


@pytest.mark.parametrize("error", [PermanentError("x"), TransientError("y")])
async def test_cancellation_escapes_without_a_letter(error: Exception) -> None:
    """A record cancelled mid-retry (revocation) leaves no letter: its next owner decides."""

    async def handle(event: Event[Ping]) -> None:
        await asyncio.sleep(0.05)
        raise error

    publisher = MemoryPublisher()
    task = asyncio.create_task(_processor(handle, publisher).process(record(1)))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert publisher.sent == []


class _Dependency:
    """A probe target that is down until told otherwise, or until it was probed `down_for` times."""

    def __init__(self, *, down_for: int = 1_000_000) -> None:
        self.up = False
        self.probes = 0
        self._down_for = down_for

    async def answers(self) -> bool:
        """Whether the dependency answers now."""
        self.probes += 1
        self.up = self.up or self.probes > self._down_for
        return self.up


async def test_an_outage_longer_than_every_retry_never_dead_letters_the_record() -> None:
    """Outage errors wait at the gate uncounted, however many; the record is handled after."""
    dependency = _Dependency(down_for=2)
    gate = OutageGate(dependency.answers, first_delay_s=0.001, max_delay_s=0.002)
    failures: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        # PostgreSQL restarting: refused, then "starting up", long after the probe answered.
        if len(failures) < 3 * FAST.max_attempts:
            failures.append(event.attempt)
            raise OutageError("connection refused")

    publisher = MemoryPublisher()
    outcome = await _processor(handle, publisher, gate).process(record(1))
    assert outcome is Outcome.HANDLED
    assert publisher.sent == []
    assert set(failures) == {1}  # no failure was counted as an attempt
    assert dependency.probes >= 1
    assert not gate.closed


async def test_an_unknown_error_while_the_probe_fails_waits_instead_of_counting() -> None:
    """An unfamiliar error during an outage is not the record's fault either."""
    dependency = _Dependency(down_for=2 * FAST.max_attempts)
    gate = OutageGate(dependency.answers, first_delay_s=0.001, max_delay_s=0.002)
    calls: list[int] = []

    async def handle(event: Event[Ping]) -> None:
        calls.append(event.attempt)
        if not dependency.up:
            raise RuntimeError("connection is closed")

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher, gate).process(record(1)) is Outcome.HANDLED
    assert publisher.sent == []
    assert gate.outages == 1
    assert calls == [1, 1]  # failed once, waited out the outage, succeeded uncounted


async def test_an_unknown_error_while_dependencies_answer_is_counted() -> None:
    """With the probe answering, the retry bound still holds for a failing record."""
    dependency = _Dependency()
    dependency.up = True
    gate = OutageGate(dependency.answers)

    async def handle(event: Event[Ping]) -> None:
        raise RuntimeError("bug")

    publisher = MemoryPublisher()
    assert await _processor(handle, publisher, gate).process(record(1)) is Outcome.DEAD_LETTERED
    assert _letter(publisher)["error_type"] == "retries_exhausted"


async def test_an_oversize_record_is_refused_at_the_door_with_a_letter_that_fits() -> None:
    """Not decoded, never handled: a cut letter with the full length and SHA-256."""
    calls: list[Event[Ping]] = []

    async def handle(event: Event[Ping]) -> None:
        calls.append(event)

    big = b'{"n": 1, "pad": "' + b"x" * (2 * FAST.max_record_bytes) + b'"}'
    publisher = MemoryPublisher()
    outcome = await _processor(handle, publisher).process(record(3, value=big))
    assert outcome is Outcome.DEAD_LETTERED
    assert calls == []
    letter = _letter(publisher)
    assert letter["error_type"] == "oversize"
    assert letter["original_length"] == len(big)
    assert letter["original_sha256"] == hashlib.sha256(big).hexdigest()
    assert letter["original_truncated"] is True
    kept = base64.b64decode(str(letter["original_value"]))
    assert big.startswith(kept)
    assert len(kept) < len(big)
    assert len(publisher.sent[0].payload) < 1_000_000
    assert str(FAST.max_record_bytes) in str(letter["reason"])


async def test_ids_bound_for_one_record_never_reach_the_next_records_line() -> None:
    """The next record of a key starts from the finishing record's task; its ids stay behind."""

    async def handle(event: Event[Ping]) -> None:
        if event.payload.n == 1:
            structlog.contextvars.bind_contextvars(purchase_id="first-purchase")

    processor = _processor(handle, MemoryPublisher())

    async def first_then_second() -> None:
        await processor.process(record(1))
        # As the dispatcher does: the follower's task is created from this task's context.
        await asyncio.create_task(processor.process(record(2)))

    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await asyncio.create_task(first_then_second())
    lines = [e for e in logs if e["event"] == "event_processed"]
    assert [line.get("purchase_id") for line in lines] == ["first-purchase", None]
