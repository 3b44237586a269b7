"""I/O adapters behind the service's ports: Kafka, PostgreSQL, PPU v3 providers."""
