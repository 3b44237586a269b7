"""Feeds the console's read model from the switch's topics (read_model.py says what each
event adds). No consumer group: it assigns every partition and keeps its own offsets in
PostgreSQL, written in the transaction that writes the rows, so nothing is skipped or doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

import asyncpg
import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.errors import KafkaError

from service.console.read_model import CLEARED, FED_TOPICS, SIGHTING, TRANSACTION, Writes, apply

log = structlog.get_logger(__name__)
_SQL = {
    TRANSACTION: """
INSERT INTO console_transactions AS t
    (institution_id, kind, transaction_id, meter_number, requested_at, input, outputs)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)
ON CONFLICT (institution_id, kind, transaction_id) DO UPDATE SET
    input = coalesce(t.input, EXCLUDED.input),
    requested_at = CASE WHEN t.input IS NULL AND EXCLUDED.input IS NOT NULL
                        THEN EXCLUDED.requested_at ELSE t.requested_at END,
    outputs = CASE WHEN t.outputs @> EXCLUDED.outputs THEN t.outputs
                   ELSE t.outputs || EXCLUDED.outputs END
""",
    SIGHTING: """
INSERT INTO console_meter_sightings AS s (institution_id, meter_number, first_seen_at, last_seen_at)
VALUES ($1, $2, $3, $3)
ON CONFLICT (institution_id, meter_number) DO UPDATE SET
    first_seen_at = least(s.first_seen_at, EXCLUDED.first_seen_at),
    last_seen_at = greatest(s.last_seen_at, EXCLUDED.last_seen_at)
""",
    CLEARED: """
INSERT INTO console_rebroadcast_clears (event_id, meter_number, cleared_at, reason)
VALUES ($1::uuid, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING
""",
}
_OFFSETS = 'SELECT topic, "partition", next_offset FROM console_feed_offsets'
_ADVANCE = """
INSERT INTO console_feed_offsets (topic, "partition", next_offset) VALUES ($1, $2, $3)
ON CONFLICT (topic, "partition") DO UPDATE SET
    next_offset = greatest(console_feed_offsets.next_offset, EXCLUDED.next_offset)
"""


class EventsFeed:
    """Follows the fed topics until stopped; starts over after a broker failure."""

    def __init__(self, *, bootstrap: str, prefix: str, pool: asyncpg.Pool) -> None:
        self._bootstrap = bootstrap
        self._topics = {f"{prefix}{t.value}": t for t in FED_TOPICS}
        self._pool = pool

    async def run(self, stop: asyncio.Event) -> None:
        """Follow the topics until `stop` is set."""
        while not stop.is_set():
            try:
                await self._follow(stop)
            except (KafkaError, OSError, asyncpg.PostgresError) as exc:
                log.warning("console_feed_failed", error=type(exc).__name__)
            except Exception:  # a bug must not stop the feed for good; it is logged, then retried
                log.exception("console_feed_crashed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)

    async def _follow(self, stop: asyncio.Event) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap, enable_auto_commit=False, client_id="ppu-console"
        )
        await consumer.start()
        try:
            if not await self._assign(consumer):
                log.info("console_feed_waits_for_topics")
                return  # the switch creates the topics at start; look again shortly
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=200, max_records=500)
                if batches:
                    await self._store(batches)
        finally:
            await consumer.stop()

    async def _assign(self, consumer: AIOKafkaConsumer) -> bool:
        # topics() does not keep partition counts for a consumer without subscriptions; the
        # client's full metadata has them.
        cluster = await consumer._client.fetch_all_metadata()
        if not set(self._topics) <= cluster.topics():
            return False
        tps = [
            TopicPartition(name, p)
            for name in self._topics
            for p in sorted(cluster.partitions_for_topic(name) or ())
        ]
        consumer.assign(tps)
        stored = {
            (r["topic"], r["partition"]): r["next_offset"] for r in await self._pool.fetch(_OFFSETS)
        }
        for tp in tps:
            offset = stored.get((tp.topic, tp.partition))
            if offset is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, offset)
        return True

    async def _store(self, batches: dict[TopicPartition, list[Any]]) -> None:
        writes = Writes()
        advance = []
        for tp, records in batches.items():
            topic = self._topics[tp.topic]
            for record in records:
                with contextlib.suppress(ValueError, TypeError, AttributeError):
                    event = json.loads(record.value) if record.value else None
                    if isinstance(event, dict):
                        apply(topic, event, writes)
            advance.append((tp.topic, tp.partition, records[-1].offset + 1))
        async with self._pool.acquire() as conn, conn.transaction():
            for table, rows in writes.rows.items():
                await conn.executemany(_SQL[table], rows)
            await conn.executemany(_ADVANCE, advance)
