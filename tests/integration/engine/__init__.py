"""Integration tests of the stream engine on real Kafka and PostgreSQL."""
