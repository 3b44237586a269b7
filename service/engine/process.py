"""Processing one record: decode, run the handler under a deadline with retries, or dead-letter.

`Processor.process` returns only when the record is done (handled, or dead-lettered with the
broker's acknowledgement); only cancellation escapes it. It writes the canonical log line.

A record larger than `max_record_bytes` is refused at the door, before decoding, so one huge
record can never block its key (its letter is cut to fit). A failure during an outage (see
`OutageGate`) waits for the outage to end and does not count as an attempt.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Generic

import structlog

from service.engine.backoff import backoff_delay
from service.engine.deadletter import FailureKind, dead_letter
from service.engine.errors import DecodeError, Failure, Translate, classify, unchanged
from service.engine.outage import OutageGate, always_up
from service.engine.publishing import Publisher
from service.engine.records import Decoder, Event, Handler, Record, T
from service.engine.settings import EngineSettings

log = structlog.get_logger(__name__)


class Outcome(StrEnum):
    """How a record ended."""

    HANDLED = "handled"
    DEAD_LETTERED = "dead_lettered"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, DecodeError):
        return exc.reason
    if isinstance(exc, TimeoutError):
        return "handler deadline exceeded"
    return f"{type(exc).__name__}: {exc}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Processor(Generic[T]):
    """Runs one record through decode and handler, with the engine's failure policy."""

    decode: Decoder[T]
    handle: Handler[T]
    dead_letters: Publisher
    dead_letter_topic: str
    group: str
    settings: EngineSettings
    translate: Translate = unchanged
    gate: OutageGate = field(default_factory=lambda: OutageGate(always_up))

    async def process(self, record: Record) -> Outcome:
        """Process `record` to the end; logs one line with the outcome and duration."""
        started = time.monotonic()
        # A task inherits its creator's context, which may be another record's task: none of
        # that record's ids (event, purchase, lookup, outcome) may stick to this one's lines.
        structlog.contextvars.clear_contextvars()
        with structlog.contextvars.bound_contextvars(
            topic=record.topic, partition=record.partition, offset=record.offset
        ):
            outcome, attempts = await self._decode_and_handle(record)
            log.info(
                "event_processed",
                outcome=outcome.value,
                attempts=attempts,
                duration_ms=round((time.monotonic() - started) * 1000, 2),
            )
            return outcome

    async def _decode_and_handle(self, record: Record) -> tuple[Outcome, int]:
        size = record.size
        if size > self.settings.max_record_bytes:
            reason = f"record of {size} bytes is over the limit of {self.settings.max_record_bytes}"
            await self._dead_letter(record, FailureKind.OVERSIZE, reason, attempts=0)
            return Outcome.DEAD_LETTERED, 0
        try:
            payload = self.decode(record.topic, record.value)
        except Exception as exc:  # a decoder bug must not stop the partition either
            await self._dead_letter(record, FailureKind.DECODE, _reason(exc), attempts=0)
            return Outcome.DEAD_LETTERED, 0
        structlog.contextvars.bind_contextvars(event_id=str(payload.event_id))
        return await self._handle(record, payload)

    async def _handle(self, record: Record, payload: T) -> tuple[Outcome, int]:
        attempt = 1
        while True:
            try:
                async with asyncio.timeout(self.settings.event_deadline_s):
                    await self.handle(Event(record=record, payload=payload, attempt=attempt))
                return Outcome.HANDLED, attempt
            except Exception as exc:  # the error tree classifies every failure
                failure = classify(self.translate(exc))
                reason = _reason(exc)
            if failure is Failure.DEAD_LETTER:
                await self._dead_letter(record, FailureKind.PERMANENT, reason, attempts=attempt)
                return Outcome.DEAD_LETTERED, attempt
            if failure is Failure.OUTAGE:
                self.gate.close(reason)
            if self.gate.closed or not await self.gate.answers():
                # Not the record's fault: wait for the outage to end, and try again uncounted.
                log.warning("event_waits_for_outage", attempt=attempt, reason=reason)
                await self.gate.wait()
                continue
            if attempt >= self.settings.max_attempts:
                await self._dead_letter(
                    record, FailureKind.RETRIES_EXHAUSTED, reason, attempts=attempt
                )
                return Outcome.DEAD_LETTERED, attempt
            delay = self._delay(attempt)
            log.warning("event_retry", attempt=attempt, reason=reason, retry_in_s=round(delay, 3))
            await asyncio.sleep(delay)
            attempt += 1

    def _delay(self, attempt: int) -> float:
        return backoff_delay(
            attempt, base_s=self.settings.backoff_base_s, cap_s=self.settings.backoff_cap_s
        )

    async def _dead_letter(
        self, record: Record, kind: FailureKind, reason: str, *, attempts: int
    ) -> None:
        letter = dead_letter(
            topic=self.dead_letter_topic,
            group=self.group,
            record=record,
            kind=kind,
            reason=reason,
            attempts=attempts,
            at=datetime.now(UTC),
        )
        # The offset may only move on once the letter is durable, so a failed send is retried
        # until it succeeds or the record is cancelled (revocation, shutdown).
        failures = 0
        while True:
            try:
                await self.dead_letters.publish([letter])
            except Exception as exc:  # any send failure is retried the same way
                failures += 1
                log.warning("dead_letter_send_failed", error=_reason(exc), failures=failures)
                await asyncio.sleep(self._delay(min(failures, 10)))
            else:
                log.warning(
                    "event_dead_lettered", failure=kind.value, reason=reason, attempts=attempts
                )
                return
