"""The consumer runner: fetch batches, dispatch per key, commit contiguous prefixes, drain on stop.

    runner = ConsumerRunner(
        consumer=new_consumer(...), topics=[...], group=..., decode=..., handle=...,
        dead_letters=publisher, dead_letter_topic=..., settings=EngineSettings(),
    )
    await runner.run(stop)   # returns after stop is set: drained, committed, consumer stopped

The runner owns the (not yet started) AIOKafkaConsumer it is given: it subscribes it with its
rebalance listener, starts it and stops it. Fetching runs in its own task, so a fetch that
waits on a rebalance never delays shutdown; records fetched and not started are simply read
again by the next owner, because commits come from the runner's own offset tracking.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Generic

import structlog
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError

from service.engine.committer import Committer
from service.engine.dispatch import Dispatcher, Partition
from service.engine.errors import Translate, unchanged
from service.engine.liveness import Liveness
from service.engine.outage import OutageGate, always_up
from service.engine.process import Outcome, Processor
from service.engine.publishing import Publisher
from service.engine.rebalance import RunnerRebalanceListener
from service.engine.records import Decoder, Handler, Record, T
from service.engine.settings import EngineSettings

log = structlog.get_logger(__name__)


class ConsumerRunner(Generic[T]):
    """Runs a handler over Kafka topics with key ordering, bounded concurrency and safe commits."""

    def __init__(
        self,
        *,
        consumer: Any,
        topics: Sequence[str],
        group: str,
        decode: Decoder[T],
        handle: Handler[T],
        dead_letters: Publisher,
        dead_letter_topic: str,
        settings: EngineSettings,
        translate: Translate = unchanged,
        gate: OutageGate | None = None,
    ) -> None:
        self._consumer = consumer
        self.gate = gate or OutageGate(always_up)
        self._topics = list(topics)
        self._settings = settings
        self.liveness = Liveness(stuck_after_s=settings.stuck_after_s, started_at=time.monotonic())
        processor = Processor(
            decode=decode,
            handle=handle,
            dead_letters=dead_letters,
            dead_letter_topic=dead_letter_topic,
            group=group,
            settings=settings,
            translate=translate,
            gate=self.gate,
        )
        self._processor = processor
        self._done: Counter[tuple[str, Outcome]] = Counter()
        self._dispatcher = Dispatcher(self._process, max_running=settings.max_running)
        self._committer = Committer(
            consumer=consumer,
            offsets=self._dispatcher.committable,
            liveness=self.liveness,
            timeout_s=settings.commit_timeout_s,
        )
        self._paused = False
        self._assignment: frozenset[Partition] = frozenset()

    @property
    def assignment(self) -> frozenset[Partition]:
        """The partitions this runner owns now (as of the last rebalance)."""
        return self._assignment

    @property
    def in_flight(self) -> int:
        """Records fetched and not yet done."""
        return self._dispatcher.in_flight

    @property
    def outcomes(self) -> Mapping[tuple[str, Outcome], int]:
        """Records finished since start, per (topic, outcome); read by the metrics."""
        return dict(self._done)

    async def lag(self) -> dict[Partition, int]:
        """Per owned partition: the high watermark minus the commit point (or fetch position)."""
        lags: dict[Partition, int] = {}
        committable = self._dispatcher.committable(self._assignment)
        for partition in self._assignment:
            tp = TopicPartition(*partition)
            high = self._consumer.highwater(tp)
            if high is None:
                continue  # no fetch answered for it yet
            done = committable.get(partition)
            if done is None:
                try:
                    done = await self._consumer.position(tp)
                except IllegalStateError:  # revoked meanwhile: no figure rather than an error
                    continue
            lags[partition] = max(0, high - done)
        return lags

    async def _process(self, record: Record) -> Outcome:
        outcome = await self._processor.process(record)
        self._done[(record.topic, outcome)] += 1
        return outcome

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until `stop` is set (or a fatal error); then drain, commit, stop the consumer."""
        listener = RunnerRebalanceListener(on_revoked=self._revoke, on_assigned=self._assigned)
        self._consumer.subscribe(topics=self._topics, listener=listener)
        tasks: list[asyncio.Task[Any]] = []
        try:
            # Inside the try: a consumer that fails to start is still stopped (closes its client).
            await self._consumer.start()
            tasks = [
                asyncio.create_task(self._fetch_loop(), name="runner-fetch"),
                asyncio.create_task(self._commit_loop(), name="runner-commit"),
                asyncio.create_task(stop.wait(), name="runner-stop"),
            ]
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # a failed loop ends the run with its error
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self._close()
            await self.gate.aclose()

    async def _fetch_loop(self) -> None:
        while True:
            if self._dispatcher.failure is not None:
                raise self._dispatcher.failure
            room = self._throttle()
            batches = await self._consumer.getmany(
                timeout_ms=self._settings.fetch_timeout_ms, max_records=room
            )
            self.liveness.polled(time.monotonic())
            for tp, records in batches.items():
                self._dispatcher.accept(
                    (tp.topic, tp.partition), map(Record.from_consumer_record, records)
                )

    def _throttle(self) -> int:
        """Pause every partition when too much is in flight or during an outage, resume at half
        (and once the outage is over); returns fetch room."""
        in_flight, limit = self._dispatcher.in_flight, self._settings.max_in_flight
        if not self._paused and (in_flight >= limit or self.gate.closed):
            self._paused = True
            self._consumer.pause(*self._consumer.assignment())
            log.info("consumer_paused", in_flight=in_flight, outage=self.gate.closed)
        elif self._paused and in_flight <= limit // 2 and not self.gate.closed:
            self._paused = False
            self._consumer.resume(*self._consumer.assignment())
            log.info("consumer_resumed", in_flight=in_flight)
        return max(1, min(self._settings.batch_size, limit - in_flight))

    async def _commit_loop(self) -> None:
        probe_every = self._settings.stuck_after_s / 4
        last_probe = time.monotonic()
        while True:
            await asyncio.sleep(self._settings.commit_interval_s)
            await self._committer.commit()
            if time.monotonic() - last_probe >= probe_every:
                await self._committer.probe()
                last_probe = time.monotonic()

    async def _revoke(self, partitions: set[Partition]) -> None:
        self._assignment = self._assignment - partitions
        known = partitions & self._dispatcher.partitions
        await self._dispatcher.close(known, deadline_s=self._settings.drain_deadline_s)
        await self._committer.commit(known)
        self._dispatcher.forget(known)
        self._committer.forget(known)
        log.info("partitions_revoked", partitions=sorted(f"{t}-{p}" for t, p in partitions))

    async def _assigned(self, partitions: set[Partition]) -> None:
        self._assignment = frozenset(partitions)
        if self._paused and partitions:
            self._consumer.pause(*(TopicPartition(*p) for p in partitions))
        log.info("partitions_assigned", partitions=sorted(f"{t}-{p}" for t, p in partitions))

    async def _close(self) -> None:
        await self._dispatcher.close(
            self._dispatcher.partitions, deadline_s=self._settings.drain_deadline_s
        )
        await self._committer.commit()
        await self._consumer.stop()
        log.info("consumer_stopped")
