"""PPU switch: Kafka-driven meter lookups and token purchases."""
