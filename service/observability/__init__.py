"""SRE signals: per-provider and per-topic figures, `ppu.metrics` snapshots, health endpoints."""
