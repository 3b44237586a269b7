"""Input events in, outcomes out: one producer and one output collector per topic prefix.

Latency is measured between Kafka record timestamps: the input's CreateTime (set here when the
record is sent) and the outcome's CreateTime (set by the switch's producer when it publishes).
Both clocks are this machine's.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from schemas import canonical_bytes
from schemas.v1.base import Money
from schemas.v1.inputs import LookupRequested, PurchaseRequested
from service.topics import Topic
from tests.bench.configs import FAULTY_PROVIDER, INSTITUTION

Kind = Literal["lookup", "purchase"]
OUTCOME_TOPICS = (Topic.LOOKUP_COMPLETED, Topic.TOKEN_ISSUED, Topic.PURCHASE_FAILED)
# Dead letters end an input without an outcome; watching them ends the wait for those inputs.
WATCHED_TOPICS = (*OUTCOME_TOPICS, Topic.DEAD_LETTER)


@dataclass
class Run:
    """What one workload sent and what came back, keyed by lookup or purchase id."""

    label: str
    total: int
    sent_ms: dict[str, int] = field(default_factory=dict)
    out_ms: dict[str, int] = field(default_factory=dict)
    faulty_silent: set[str] = field(default_factory=set)
    dead_lettered: set[str] = field(default_factory=set)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def finished(self) -> int:
        """Inputs that ended: with an outcome or as a dead letter."""
        return len(self.out_ms) + len(self.dead_lettered)

    def latencies_ms(self, *, exclude: set[str] | frozenset[str] = frozenset()) -> list[float]:
        """Sorted end-to-end latencies of the outcomes received (minus `exclude`)."""
        return sorted(
            float(out - self.sent_ms[i]) for i, out in self.out_ms.items() if i not in exclude
        )

    def events_per_s(self) -> float:
        """Outcomes per second, from the first input published to the last outcome published."""
        if not self.out_ms:
            return 0.0
        span_ms = max(self.out_ms.values()) - min(self.sent_ms.values())
        return len(self.out_ms) / max(span_ms / 1000, 1e-3)


def build_events(kind: Kind, meters: Sequence[str]) -> list[tuple[str, str, bytes]]:
    """(correlation id, key, value) per meter, built before the clock starts."""
    now = datetime.now(UTC)
    events = []
    for meter in meters:
        if kind == "lookup":
            lookup_id = str(uuid.uuid4())
            event: LookupRequested | PurchaseRequested = LookupRequested(
                event_id=uuid.uuid4(),
                occurred_at=now,
                lookup_id=lookup_id,
                institution_id=INSTITUTION,
                meter_number=meter,
            )
            events.append((lookup_id, meter, canonical_bytes(event)))
        else:
            purchase_id = uuid.uuid4()
            event = PurchaseRequested(
                event_id=uuid.uuid4(),
                occurred_at=now,
                purchase_id=purchase_id,
                institution_id=INSTITUTION,
                meter_number=meter,
                amount=Money(value=5000, currency="ZAR"),
            )
            events.append((str(purchase_id), meter, canonical_bytes(event)))
    return events


class Traffic:
    """Publishes workloads to one prefix's input topics and matches their outcomes."""

    def __init__(self, *, bootstrap: str, prefix: str, output_partitions: int) -> None:
        self._bootstrap = bootstrap
        self._prefix = prefix
        self._partitions = output_partitions
        self._producer: Any = None
        self._consumer: Any = None
        self._task: asyncio.Task[None] | None = None
        self._run: Run | None = None

    async def __aenter__(self) -> Traffic:
        """Start the producer and the collector (from the beginning of the output topics)."""
        # No linger: an input's timestamp is taken at send(), so lingering would count as latency.
        self._producer = AIOKafkaProducer(bootstrap_servers=self._bootstrap, acks="all")
        await self._producer.start()
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await self._consumer.start()
        self._consumer.assign(
            [
                TopicPartition(f"{self._prefix}{t.value}", p)
                for t in WATCHED_TOPICS
                for p in range(self._partitions)
            ]
        )
        self._task = asyncio.create_task(self._collect())
        return self

    async def __aexit__(self, *exc: object) -> None:
        """Stop the collector, the consumer and the producer."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()
        await self._producer.stop()

    async def _collect(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=100, max_records=1000)
            run = self._run
            for records in batches.values():
                for record in records:
                    if run is not None:
                        self._match(run, record)

    def _match(self, run: Run, record: Any) -> None:
        body = json.loads(record.value)
        if record.topic.endswith(Topic.DEAD_LETTER.value):
            original = json.loads(base64.b64decode(body.get("original_value") or "e30="))
            key = original.get("lookup_id") or original.get("purchase_id")
            if key in run.sent_ms and key not in run.out_ms:
                run.dead_lettered.add(key)
            self._check_done(run)
            return
        key = body.get("lookup_id") or body.get("purchase_id")
        if key not in run.sent_ms or key in run.out_ms:
            return  # not this workload's, or a re-published copy
        run.dead_lettered.discard(key)
        run.out_ms[key] = record.timestamp
        providers = body.get("providers") or []
        if any(
            p.get("provider_id") == FAULTY_PROVIDER and p.get("status") == "UNCONFIRMED"
            for p in providers
        ):
            run.faulty_silent.add(key)
        self._check_done(run)

    @staticmethod
    def _check_done(run: Run) -> None:
        if run.finished >= run.total:
            run.done.set()

    async def run(
        self,
        label: str,
        kind: Kind,
        meters: Sequence[str],
        *,
        rate: float | None,
        timeout_s: float,
        stall_s: float = 30.0,
    ) -> Run:
        """Publish one event per meter (at once, or `rate` per second); await their outcomes."""
        events = build_events(kind, meters)
        run = self._run = Run(label=label, total=len(events))
        input_topic = Topic.LOOKUP_REQUESTED if kind == "lookup" else Topic.PURCHASE_REQUESTED
        topic = f"{self._prefix}{input_topic.value}"
        started = time.monotonic()
        progress = asyncio.create_task(_progress(run, started))
        try:
            await self._publish(run, topic, events, rate, started)
            await _await_end(run, started + timeout_s, stall_s)
        finally:
            progress.cancel()
            self._run = None
        _print_progress(run, started)
        return run

    async def _publish(
        self,
        run: Run,
        topic: str,
        events: list[tuple[str, str, bytes]],
        rate: float | None,
        started: float,
    ) -> None:
        pending = []
        for n, (key, meter, value) in enumerate(events):
            if rate is not None:
                delay = started + n / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            elif n % 200 == 0:
                await asyncio.sleep(0)  # let the collector read while a burst goes out
            now_ms = int(time.time() * 1000)
            run.sent_ms[key] = now_ms
            pending.append(
                await self._producer.send(topic, value, key=meter.encode(), timestamp_ms=now_ms)
            )
        await asyncio.gather(*pending)


async def _await_end(run: Run, deadline: float, stall_s: float) -> None:
    """Until every input ended, the deadline passed, or nothing ended for `stall_s`."""
    finished, last_change = run.finished, time.monotonic()
    while not run.done.is_set():
        now = time.monotonic()
        if run.finished != finished:
            finished, last_change = run.finished, now
        if now >= deadline or now - last_change >= stall_s:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(run.done.wait(), 1.0)


def _print_progress(run: Run, started: float) -> None:
    dead = f", dead letters {len(run.dead_lettered)}" if run.dead_lettered else ""
    print(
        f"    {run.label}: sent {len(run.sent_ms)}/{run.total}, "
        f"outcomes {len(run.out_ms)}/{run.total}{dead}, {time.monotonic() - started:.1f} s",
        file=sys.stderr,
        flush=True,
    )


async def _progress(run: Run, started: float) -> None:
    """Print sent/received counts every two seconds while the workload runs."""
    while True:
        await asyncio.sleep(2.0)
        _print_progress(run, started)
