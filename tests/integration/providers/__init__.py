"""Integration tests: the PPU v3 adapter against the simulator over real HTTP on loopback."""
