"""Reading the dead-letter topic to its current end, and republishing originals to their topics."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from service.deadletters.letters import (
    LINK_HEADERS,
    LINK_ID,
    LINK_POSITION,
    LINK_REPLAYED_AT,
    DeadLetter,
    LetterError,
    parse,
)

Progress = Callable[[int, int], None]


async def partitions_of(bootstrap: str, topic: str) -> list[TopicPartition]:
    """The topic's partitions; none when it does not exist (a switch that never dead-lettered)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, client_id="ppu-dead-letters")
    await admin.start()
    try:
        (described,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    return sorted(TopicPartition(topic, p["partition"]) for p in described["partitions"])


async def read_letters(
    *, bootstrap: str, topic: str, on_bad: Callable[[LetterError], None]
) -> AsyncIterator[DeadLetter]:
    """Every letter on `topic` up to its end when the read starts, partition by partition.

    No consumer group: reading never moves the switch's offsets, and two operators can read at
    once. A record that is not an envelope goes to `on_bad` and the read carries on.
    """
    tps = await partitions_of(bootstrap, topic)
    if not tps:
        return
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        client_id="ppu-dead-letters",
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        starts = await consumer.beginning_offsets(tps)
        ends = await consumer.end_offsets(tps)
        for tp in tps:
            # An explicit offset: seek_to_beginning is applied lazily and may lose to a fetch.
            consumer.seek(tp, starts[tp])
        for tp in tps:
            async for letter in _partition(consumer, tp, ends[tp], on_bad):
                yield letter
    finally:
        await consumer.stop()


async def _partition(
    consumer: Any, tp: TopicPartition, end: int, on_bad: Callable[[LetterError], None]
) -> AsyncIterator[DeadLetter]:
    others = [p for p in consumer.assignment() if p != tp]
    consumer.pause(*others)  # one partition at a time keeps each partition's order
    try:
        while await consumer.position(tp) < end:
            batch = await consumer.getmany(tp, timeout_ms=1000)
            for rec in batch.get(tp, []):
                if rec.offset >= end:
                    return
                try:
                    yield parse(
                        rec.value or b"", position=f"{tp.topic}/{tp.partition}/{rec.offset}"
                    )
                except LetterError as exc:
                    on_bad(exc)
    finally:
        consumer.resume(*others)


def replay_headers(letter: DeadLetter, *, at: datetime) -> list[tuple[str, bytes]]:
    """The original headers, less any earlier link, plus the link to this letter."""
    kept = [(k, v) for k, v in letter.headers if k not in LINK_HEADERS]
    return [
        *kept,
        (LINK_ID, letter.letter_id.encode()),
        (LINK_POSITION, letter.position.encode()),
        (LINK_REPLAYED_AT, at.isoformat().replace("+00:00", "Z").encode()),
    ]


async def _send(producer: Any, letters: Sequence[DeadLetter]) -> int:
    at = datetime.now(UTC)
    sent = [
        await producer.send(
            letter.source_topic, letter.value, key=letter.key, headers=replay_headers(letter, at=at)
        )
        for letter in letters
    ]
    for future in sent:
        await future  # raises the first failure: the caller's count stops before it
    return len(sent)


async def replay(
    letters: Sequence[DeadLetter],
    *,
    bootstrap: str,
    progress: Progress | None = None,
    chunk: int = 200,
) -> int:
    """Republish each letter's original bytes to its source topic, in order; returns the count.

    An idempotent producer with acks=all: a replay that returns has every record on the broker.
    Records go in chunks (queued in order, then awaited), so a large replay is not one round
    trip per record. Letters that cannot be replayed must be left out by the caller.
    """
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id="ppu-dead-letters",
        acks="all",
        enable_idempotence=True,
    )
    await producer.start()
    done = 0
    try:
        for start in range(0, len(letters), chunk):
            done += await _send(producer, letters[start : start + chunk])
            if progress is not None:
                progress(done, len(letters))
    finally:
        await producer.stop()
    return done
