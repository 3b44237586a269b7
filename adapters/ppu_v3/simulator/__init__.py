"""A PPU v3 provider simulator: aiohttp server side of every operation, ledger and controls."""
