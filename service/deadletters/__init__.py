"""Dead-letter tooling: list, show and replay the letters on `ppu.dead-letter`."""
