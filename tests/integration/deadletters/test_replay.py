"""Dead-letter replay on real Kafka and PostgreSQL: filters, refusal of cut originals, and a
purchase replayed twice that vends once."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from adapters.kafka.admin import ensure_topics
from schemas import canonical_bytes
from service.deadletters import cli
from service.deadletters.kafka_io import partitions_of
from service.deadletters.letters import LINK_ID
from service.engine.deadletter import FailureKind, dead_letter
from service.engine.process import Outcome
from service.engine.records import Record
from service.settings import Settings
from service.topics import Topic, topic_specs
from tests.integration.conftest import SwitchFactory
from tests.integration.purchases.kit import CITY, provider, vends
from tests.support.events import lookup, purchase
from tests.support.switch import RunningSwitch

pytestmark = pytest.mark.integration
UNPUBLISHED = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
ISSUED_ROWS = "SELECT count(*) FROM outbox WHERE topic = $1"
LETTER_LINE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}  ")


@dataclass(frozen=True)
class Topics:
    """This test's broker and topic names, without a running switch."""

    bootstrap: str
    prefix: str

    def topic(self, topic: Topic) -> str:
        """The prefixed topic name."""
        return f"{self.prefix}{topic.value}"


def command(*argv: str) -> argparse.Namespace:
    """The parsed `python -m service dead-letters ...` command line."""
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["dead-letters", *argv])


def settings(sw: RunningSwitch) -> Settings:
    """What the CLI reads: the broker and the topic prefix."""
    return Settings(kafka_bootstrap=sw.bootstrap, topic_prefix=sw.prefix)


async def letter(
    sw: RunningSwitch | Topics,
    topic: Topic,
    value: bytes,
    *,
    reason: str,
    at: datetime,
    key: bytes | None = None,
    **changes: object,
) -> str:
    """Put a letter for `value` on the dead-letter topic, as the engine writes it; its id."""
    record = Record(
        topic=sw.topic(topic),
        partition=0,
        offset=int(time.monotonic_ns() % 1_000_000_000),
        key=key,
        value=value,
        timestamp_ms=int(at.timestamp() * 1000),
    )
    message = dead_letter(
        topic=sw.topic(Topic.DEAD_LETTER),
        group=f"{sw.prefix}switch",
        record=record,
        kind=FailureKind.PERMANENT,
        reason=reason,
        attempts=1,
        at=at,
    )
    payload = message.payload
    if changes:
        payload = json.dumps({**json.loads(payload), **changes}).encode()
    producer = AIOKafkaProducer(bootstrap_servers=sw.bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(sw.topic(Topic.DEAD_LETTER), payload, key=key)
    finally:
        await producer.stop()
    return str(message.event_id)


async def records_on(
    sw: RunningSwitch | Topics, topic: Topic
) -> list[tuple[bytes, dict[str, bytes]]]:
    """Every record on an input topic now: value and headers."""
    tps = await partitions_of(sw.bootstrap, sw.topic(topic))
    consumer = AIOKafkaConsumer(
        bootstrap_servers=sw.bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    try:
        consumer.assign(tps)
        ends = await consumer.end_offsets(tps)
        for tp, start in (await consumer.beginning_offsets(tps)).items():
            consumer.seek(tp, start)
        found: list[tuple[bytes, dict[str, bytes]]] = []
        while [tp for tp in tps if await consumer.position(tp) < ends[tp]]:
            for batch in (await consumer.getmany(timeout_ms=500)).values():
                found.extend((r.value, dict(r.headers)) for r in batch)
        return found
    finally:
        await consumer.stop()


async def test_a_purchase_replayed_twice_vends_once_and_links_back(
    switch: SwitchFactory, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two replays of one letter: two copies with link headers, one vend, one outcome, one row."""
    async with switch(provider("P1", CITY)) as sw:
        request = purchase("04121111111", 5000)
        original = canonical_bytes(request)
        at = datetime.now(UTC)
        letter_id = await letter(
            sw, Topic.PURCHASE_REQUESTED, original, reason="fixed since", at=at, key=b"04121111111"
        )
        for _ in range(2):
            assert (
                await cli.run(command("replay", "--id", letter_id[:13], "--yes"), settings(sw)) == 0
            )
            assert "replayed 1 letter(s)" in capsys.readouterr().out
        topic = sw.topic(Topic.PURCHASE_REQUESTED)
        issued = await sw.wait_for(
            Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == str(request.purchase_id)
        )
        async with asyncio.timeout(30):
            while sw.app.runner.outcomes.get((topic, Outcome.HANDLED), 0) < 2:  # noqa: ASYNC110 - counted by the runner
                await asyncio.sleep(0.05)
        conn = await asyncpg.connect(database_url)
        try:
            async with asyncio.timeout(30):  # both copies' outputs, if any, are on Kafka
                while await conn.fetchval(UNPUBLISHED):  # noqa: ASYNC110 - the relay's table
                    await asyncio.sleep(0.05)
            rows = await conn.fetchval(
                "SELECT count(*) FROM purchases WHERE purchase_id = $1", request.purchase_id
            )
            issued_rows = await conn.fetchval(ISSUED_ROWS, sw.topic(Topic.TOKEN_ISSUED))
        finally:
            await conn.close()
        await asyncio.sleep(0.5)  # the collector reads what the relay published
        assert len(issued) == 1
        assert (
            sw.seen(Topic.TOKEN_ISSUED, lambda e: e["purchase_id"] == str(request.purchase_id))
            == issued
        )
        assert vends(sw, request.purchase_id) == {"P1": 1}
        assert (rows, issued_rows) == (1, 1)
        copies = await records_on(sw, Topic.PURCHASE_REQUESTED)
        assert [v for v, _ in copies] == [original, original]
        assert all(h[LINK_ID] == letter_id.encode() for _, h in copies)


async def test_list_and_dry_run_select_by_topic_reason_time_and_count(
    switch: SwitchFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """Filters narrow the listing; a dry run names what it would send and sends nothing."""
    async with switch(provider("P1", CITY)) as sw:
        old = datetime.now(UTC) - timedelta(hours=2)
        now = datetime.now(UTC)
        await letter(
            sw,
            Topic.LOOKUP_REQUESTED,
            canonical_bytes(lookup("0412")),
            reason="schema drift",
            at=old,
        )
        await letter(
            sw,
            Topic.LOOKUP_REQUESTED,
            canonical_bytes(lookup("0413")),
            reason="schema drift",
            at=now,
        )
        await letter(
            sw, Topic.PURCHASE_REQUESTED, canonical_bytes(purchase("0414")), reason="bug 12", at=now
        )
        await cli.run(command("list"), settings(sw))
        assert "3 letter(s)" in capsys.readouterr().out
        await cli.run(command("list", "--topic", "ppu.lookup.requested"), settings(sw))
        assert "2 letter(s)" in capsys.readouterr().out
        await cli.run(command("list", "--reason", "BUG"), settings(sw))
        assert "1 letter(s)" in capsys.readouterr().out
        since = (now - timedelta(minutes=5)).isoformat()
        await cli.run(
            command("list", "--since", since, "--topic", "ppu.lookup.requested"), settings(sw)
        )
        assert "1 letter(s)" in capsys.readouterr().out
        await cli.run(command("list", "--limit", "2"), settings(sw))
        listing = capsys.readouterr().out
        assert "2 letter(s)" in listing
        assert "schema drift" in listing.splitlines()[0]  # oldest first
        assert await cli.run(command("replay", "--dry-run", "--reason", "drift"), settings(sw)) == 0
        assert "dry run: 2 to replay, 0 cannot be replayed" in capsys.readouterr().out
        assert await records_on(sw, Topic.LOOKUP_REQUESTED) == []


async def test_a_cut_original_is_refused_and_a_decode_failure_shows_its_replay_lineage(
    switch: SwitchFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    """An oversize record's letter (cut) is never sent; a malformed record replayed fails
    again, and its new letter names the first."""
    async with switch(provider("P1", CITY)) as sw:
        huge = b'{"padding": "' + b"x" * 100_000 + b'"}'
        await sw.publish_raw(Topic.PURCHASE_REQUESTED, huge, key="04121111111")
        (cut,) = await sw.wait_for(Topic.DEAD_LETTER, lambda e: e["original_truncated"])
        assert await cli.run(command("replay", "--id", cut["event_id"], "--yes"), settings(sw)) == 1
        captured = capsys.readouterr()
        assert f"cannot replay {cut['event_id']}: the original was cut" in captured.err
        assert f"{len(huge)} bytes, sha256 {hashlib.sha256(huge).hexdigest()}" in captured.err
        assert [v for v, _ in await records_on(sw, Topic.PURCHASE_REQUESTED)] == [huge]
        await cli.run(command("list", "--topic", "ppu.purchase.requested"), settings(sw))
        assert "  CUT  " in capsys.readouterr().out

        await sw.publish_raw(Topic.LOOKUP_REQUESTED, b"{not json", key=str(uuid.uuid4()))
        (first,) = await sw.wait_for(Topic.DEAD_LETTER, lambda e: e["error_type"] == "decode")
        assert (
            await cli.run(command("replay", "--id", first["event_id"], "--yes"), settings(sw)) == 0
        )
        await sw.wait_for(Topic.DEAD_LETTER, lambda e: e["error_type"] == "decode", count=2)
        capsys.readouterr()
        await cli.run(command("list", "--topic", "ppu.lookup.requested"), settings(sw))
        second = [
            line
            for line in capsys.readouterr().out.splitlines()
            if LETTER_LINE.match(line) and first["event_id"] not in line
        ]
        assert len(second) == 1
        await cli.run(command("show", second[0].split()[0]), settings(sw))
        assert (
            f"this original was a replay of letter {first['event_id']}" in capsys.readouterr().out
        )


async def test_a_large_replay_reports_progress_and_sends_every_original(
    kafka_bootstrap: str, topic_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """150 letters: progress lines on stderr up to 150/150, and 150 originals on the topic."""
    await ensure_topics(
        kafka_bootstrap, topic_specs(prefix=topic_prefix, input_partitions=3, output_partitions=1)
    )
    topics = Topics(bootstrap=kafka_bootstrap, prefix=topic_prefix)
    at = datetime.now(UTC)
    for n in range(150):
        value = canonical_bytes(lookup(f"0412{n:07d}"))
        await letter(topics, Topic.LOOKUP_REQUESTED, value, reason="bulk", at=at)
    assert (
        await cli.run(
            command("replay", "--yes"),
            Settings(kafka_bootstrap=kafka_bootstrap, topic_prefix=topic_prefix),
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "replayed 150/150" in captured.err
    assert "replayed 150 letter(s)" in captured.out
    assert len(await records_on(topics, Topic.LOOKUP_REQUESTED)) == 150
