"""Unit tests of the PPU v3 adapter: classification, breaker, wire models, simulator config."""
