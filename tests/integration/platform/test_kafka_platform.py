"""The real broker: topics the service creates at start, and a produce/consume round trip."""

from __future__ import annotations

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from adapters.kafka.admin import KafkaUnavailable, ensure_topics
from service.topics import Topic, topic_specs

pytestmark = pytest.mark.integration


async def _partition_counts(bootstrap: str, names: list[str]) -> dict[str, int]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(names)
        return {t["topic"]: len(t["partitions"]) for t in described}
    finally:
        await admin.close()


async def test_every_contract_topic_is_created_with_its_partitions(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """A fresh broker gets every contract topic, inputs with the configured partitions."""
    specs = topic_specs(prefix=topic_prefix, input_partitions=5, output_partitions=3)
    created = await ensure_topics(kafka_bootstrap, specs)
    assert sorted(created) == sorted(f"{topic_prefix}{t.value}" for t in Topic)
    counts = await _partition_counts(kafka_bootstrap, created)
    assert counts[f"{topic_prefix}ppu.purchase.requested"] == 5
    assert counts[f"{topic_prefix}ppu.token.issued"] == 3
    assert counts[f"{topic_prefix}ppu.metrics"] == 1


async def test_creating_topics_again_creates_nothing(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """A restart against a broker that has the topics leaves them alone."""
    specs = topic_specs(prefix=topic_prefix, input_partitions=2, output_partitions=2)
    await ensure_topics(kafka_bootstrap, specs)
    assert await ensure_topics(kafka_bootstrap, specs) == []


async def test_produced_events_are_consumed_in_order_per_key(
    kafka_bootstrap: str, topic_prefix: str
) -> None:
    """Events keyed by meter number come back from the real broker in the order produced."""
    topic = f"{topic_prefix}ppu.lookup.requested"
    await ensure_topics(
        kafka_bootstrap, topic_specs(prefix=topic_prefix, input_partitions=3, output_partitions=1)
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, acks="all", enable_idempotence=True
    )
    await producer.start()
    sent = [(f"meter-{i % 4}".encode(), f'{{"n": {i}}}'.encode()) for i in range(40)]
    try:
        for key, value in sent:
            await producer.send_and_wait(topic, value, key=key)
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"{topic_prefix}g",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    got: list[tuple[bytes, bytes]] = []
    try:
        while len(got) < len(sent):
            batch = await consumer.getmany(timeout_ms=10_000)
            assert batch, "the broker returned nothing within 10 s"
            got += [(r.key, r.value) for records in batch.values() for r in records]
    finally:
        await consumer.stop()
    for key in {k for k, _ in sent}:
        assert [v for k, v in got if k == key] == [v for k, v in sent if k == key]


async def test_an_unreachable_broker_is_reported_in_one_sentence() -> None:
    """No broker at the address: a clear error naming it, not a stack of library errors."""
    with pytest.raises(KafkaUnavailable, match=r"127\.0\.0\.1:1"):
        await ensure_topics("127.0.0.1:1", [], wait_s=1.0)
