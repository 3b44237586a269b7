"""Pydantic models of the PPU v3 JSON bodies (reference section 2), lenient on input."""
