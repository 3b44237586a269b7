"""Short entry for the PPU v3 provider simulator (`python -m adapters.simulator`)."""
