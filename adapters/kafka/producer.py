"""Publishing to Kafka: an idempotent producer with acks=all behind the engine's Publisher port."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaProducer

from service.ports.unit_of_work import OutboxMessage

EVENT_ID_HEADER = "event_id"
TRACEPARENT_HEADER = "traceparent"


class KafkaPublisher:
    """Sends messages and waits for every acknowledgement; the producer is owned by the caller."""

    def __init__(self, producer: Any) -> None:
        self._producer = producer

    async def publish(self, messages: Sequence[OutboxMessage]) -> None:
        """Send in the given order, then wait for all; raises the first failure."""
        pending = []
        for message in messages:
            # send() only queues the record: calls in order keep their order per partition,
            # and the idempotent producer keeps it across its own retries.
            pending.append(
                await self._producer.send(
                    message.topic,
                    message.payload,
                    key=None if message.key is None else message.key.encode(),
                    headers=_headers(message),
                )
            )
        results = await asyncio.gather(*pending, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result


def _headers(message: OutboxMessage) -> list[tuple[str, bytes]]:
    headers = [(EVENT_ID_HEADER, str(message.event_id).encode())]
    if message.traceparent:  # stored with the outbox row when tracing is on
        headers.append((TRACEPARENT_HEADER, message.traceparent.encode()))
    return headers


def new_producer(*, bootstrap: str, client_id: str = "ppu-switch", linger_ms: int = 0) -> Any:
    """An unstarted producer: idempotent, acks from every in-sync replica.

    No linger by default: the relay hands over a whole batch of rows at once, so waiting for
    more would only add its length to every outcome's latency.
    """
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=linger_ms,
    )


@asynccontextmanager
async def kafka_publisher(
    *, bootstrap: str, client_id: str = "ppu-switch"
) -> AsyncIterator[KafkaPublisher]:
    """A started publisher, its producer flushed and stopped on exit."""
    producer = new_producer(bootstrap=bootstrap, client_id=client_id)
    await producer.start()
    try:
        yield KafkaPublisher(producer)
    finally:
        await producer.stop()
