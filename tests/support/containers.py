"""The Docker path: Kafka and PostgreSQL in testcontainers, for machines with an engine."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


def docker_answers() -> bool:
    """Whether a Docker engine answers here (the client alone is not enough)."""
    try:
        import docker  # testcontainers' own dependency

        client = docker.from_env(timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # any failure to reach it means "no engine"
        return False


@contextmanager
def start_containers() -> Iterator[dict[str, str]]:
    """Start Kafka (KRaft) and PostgreSQL containers; yield their endpoints."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.postgres import PostgresContainer

    with (
        KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft() as kafka,
        PostgresContainer("postgres:15", driver=None) as pg,
    ):
        yield {
            "PPU_KAFKA_BOOTSTRAP": kafka.get_bootstrap_server(),
            "PPU_DATABASE_URL": pg.get_connection_url(),
        }
